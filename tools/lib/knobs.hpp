// Command-line spelling of profiles, knobs and mutants, shared by every subcommand that
// builds a Config. Rule: a profile is applied first, then each knob flag given overrides it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli_fwd.hpp"
#include <tcpclose/core.hpp>

namespace tcpclose::cli {

std::optional<Profile> profile_from_name(std::string_view s);
std::optional<Mutant> mutant_from_name(std::string_view s);
std::vector<std::string> profile_names();
// --ports-exhausted's two names (CLI::IsMember has checked them): eaddrinuse, else eaddrnotavail.
PortsExhausted ports_exhausted_from_name(std::string_view s);
const char* ports_exhausted_name(PortsExhausted p);
std::vector<std::string> mutant_names();

struct KnobOptions {
  std::string profile = "reference";
  std::string mutant = "none";
  std::optional<std::uint32_t> msl, time_wait, fin_wait2_timeout, rto, rcv_wnd, snd_buf, rto_floor, rto_var_min,
      rto_slop, rto_max, oow_ack_interval, delack_min, delack_ato;
  std::optional<std::string> rfc1337, rst_acceptance, syn_acceptance, syn_reopen, paws,
      timestamps, fin_wait2, time_wait_restart, tw_drop_no_ack, rst_errors, read_eof_first, bind_reuse, ports_exhausted,
      trim_old_duplicates, ack_resends_fin, drop_synfin, syn_sent_text, fast_open, rtt_estimate, rto_backoff, tail_loss_probe,
      abort_rst_any_synced, ts_recent_needs_valid_ack, old_ack_challenge, tw_ack_unless_duplicate, tw_ts_recent_update,
      tw_paws_rst, tw_socket_closed, no_ack_dropped_first, fin_wait2_timewait, after_fin_ignored, rst_past_rcv_nxt, past_window, call_errors,
      delayed_ack;
  std::optional<unsigned> fin_retries, retries;
};

// A number in [lo, hi] that is finite: CLI::Range lets NaN through (every comparison with it is
// false), so `--timeout nan` was accepted. Every floating-point flag uses this.
CLI::Validator finite_range(double lo, double hi);

// An output path that is not empty: `--junit ''` used to write nothing, silently.
CLI::Validator output_path();

// Registers --profile and every knob flag (and --mutant when with_mutant) on `app`.
void add_knob_options(CLI::App& app, KnobOptions& k, bool with_mutant);
// The profile's Config with the given overrides applied. --msl alone sets TIME-WAIT to 2*MSL.
Config make_config(const KnobOptions& k);
// The given base Config (e.g. the model's tick-scaled profile) with the overrides applied.
Config apply_knobs(const KnobOptions& k, Config base);
// One line per knob: "name = value", for `tcpclose profiles` and reports.
std::vector<std::pair<std::string, std::string>> describe(const Config& c);

// A command-line error as the user should read it: CLI11 says "Value x not in range 0 to 9"
// of a word given to a numeric option; this says that x is not a number.
std::string parse_error_text(const CLI::ParseError& e);

}  // namespace tcpclose::cli
