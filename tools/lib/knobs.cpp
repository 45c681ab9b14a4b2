// Parsing and printing of profiles, knobs and mutants (see knobs.hpp).
#include "knobs.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>

#include <cmath>

#include <fmt/format.h>

namespace tcpclose::cli {

std::optional<Profile> profile_from_name(std::string_view s) {
  for (Profile p : kAllProfiles)
    if (s == name(p)) return p;
  return std::nullopt;
}

std::optional<Mutant> mutant_from_name(std::string_view s) {
  for (Mutant m : kAllMutants)
    if (s == name(m)) return m;
  return std::nullopt;
}

std::vector<std::string> profile_names() {
  std::vector<std::string> v;
  for (Profile p : kAllProfiles) v.emplace_back(name(p));
  return v;
}

std::vector<std::string> mutant_names() {
  std::vector<std::string> v;
  for (Mutant m : kAllMutants) v.emplace_back(name(m));
  return v;
}

CLI::Validator finite_range(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        double v = 0;
        std::size_t used = 0;
        try { v = std::stod(s, &used); } catch (const std::exception&) { used = 0; }
        if (used != s.size() || !std::isfinite(v)) return "expects a finite number, not '" + s + "'";
        if (v < lo || v > hi) return fmt::format("value {} not in range [{}, {}]", s, lo, hi);
        return {};
      },
      fmt::format("FLOAT in [{} - {}]", lo, hi));
}

CLI::Validator output_path() {
  return CLI::Validator([](std::string& s) { return s.empty() ? std::string("expects a file name, not ''") : std::string(); },
                        "FILE");
}

namespace {

// The knobs of TIME-WAIT and what may end it: MSL, its length, RST and SYN, timestamps.
void add_time_wait_knobs(CLI::Option_group* g, KnobOptions& k) {
  g->add_option("--msl", k.msl, "Maximum segment lifetime, ticks")->check(CLI::Range(0u, 1000000000u));
  g->add_option("--time-wait", k.time_wait, "TIME-WAIT length, ticks (default 2*MSL when --msl is given)")
      ->check(CLI::Range(0u, 2000000000u));
  g->add_option("--rfc1337", k.rfc1337, "on: ignore RST in TIME-WAIT (RFC 1337); off: an acceptable RST kills it")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--rst-acceptance", k.rst_acceptance, "window (RFC 793) or exact (RFC 5961)")
      ->check(CLI::IsMember({"window", "exact"}));
  g->add_option("--syn-acceptance", k.syn_acceptance,
                "window (RFC 793), challenge (RFC 5961), drop, or window-or-challenge (FreeBSD insecure_syn: "
                "before the sequence check an in-window SYN resets from SND.NXT, any other is challenged)")
      ->check(CLI::IsMember({"window", "challenge", "drop", "window-or-challenge"}));
  g->add_option("--syn-reopen", k.syn_reopen, "SYN reopening TIME-WAIT: never, seq (RFC 1122), timestamps (RFC 6191), seq-or-ts (Linux)")
      ->check(CLI::IsMember({"never", "seq", "timestamps", "seq-or-ts"}));
  g->add_option("--time-wait-restart", k.time_wait_restart,
                "What restarts 2MSL in TIME-WAIT: fin (RFC 9293), ack (any segment with ACK, Linux), answer (any segment it answers)")
      ->check(CLI::IsMember({"fin", "ack", "answer"}));
  g->add_option("--timestamps", k.timestamps, "Negotiate RFC 7323 timestamps: on|off (check and sweep: off unless "
                "on is given, whatever the profile; on brings the profile's PAWS, docs/model.md)")->check(CLI::IsMember({"on", "off"}));
  g->add_option("--paws", k.paws, "RFC 7323 PAWS: on|off")->check(CLI::IsMember({"on", "off"}));
}

// The timers and budgets: FIN-WAIT-2, the RTO and its estimate, delayed ACKs, retries.
void add_timer_knobs(CLI::Option_group* g, KnobOptions& k) {
  g->add_option("--fin-wait2", k.fin_wait2, "FIN-WAIT-2 timeout: none or orphan")->check(CLI::IsMember({"none", "orphan"}));
  g->add_option("--fin-wait2-timeout", k.fin_wait2_timeout, "FIN-WAIT-2 timeout, ticks")->check(CLI::Range(1u, 2000000000u));
  g->add_option("--rto", k.rto, "Retransmission timeout, ticks")->check(CLI::Range(1u, 100000000u));
  g->add_option("--rto-backoff", k.rto_backoff,
                "on: each expiry doubles the RTO, up to 64 x RTO (RFC 6298 section 5.5); off: every "
                "retransmission waits one RTO")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--rtt-estimate", k.rtt_estimate,
                "on: once an RTT sample is in, the RTO follows SRTT and RTTVAR (RFC 6298, Karn's rule); off: "
                "every RTO is --rto with backoff")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--tail-loss-probe", k.tail_loss_probe,
                "on: with SACK offered by the peer, an unacknowledged FIN is probed at min(2 SRTT + pad, RTO) "
                "once (Linux tcp_schedule_loss_probe); off: only the RTO")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--delayed-ack", k.delayed_ack,
                "Which ACKs wait for the delayed-ACK timer: off (every ACK at once), linux-fin (the ACK of a FIN "
                "into CLOSE-WAIT: tcp_fin pingpong), freebsd-data (in-order data, every second segment at once)")
      ->check(CLI::IsMember({"off", "linux-fin", "freebsd-data"}));
  g->add_option("--delack-min", k.delack_min, "With --delayed-ack linux-fin: the delay before any data, ticks (the next jiffy)")
      ->check(CLI::Range(0u, 100000000u));
  g->add_option("--delack-ato", k.delack_ato, "With --delayed-ack: the delay after data, ticks (TCP_ATO_MIN, TCPTV_DELACK: 40 ms)")
      ->check(CLI::Range(0u, 100000000u));
  g->add_option("--rto-floor", k.rto_floor, "With --rtt-estimate: the least RTO before the slop, ticks (RFC 6298: 1 s)")
      ->check(CLI::Range(0u, 100000000u));
  g->add_option("--rto-var-min", k.rto_var_min,
                "With --rtt-estimate: the least variance term, ticks (RFC 6298 G; Linux tcp_rto_min 200 ms)")
      ->check(CLI::Range(0u, 100000000u));
  g->add_option("--rto-slop", k.rto_slop, "With --rtt-estimate: added after the backoff, ticks (FreeBSD tcp_rexmit_slop)")
      ->check(CLI::Range(0u, 100000000u));
  g->add_option("--rto-max", k.rto_max, "With --rtt-estimate: the longest RTO, ticks (Linux TCP_RTO_MAX 120 s)")
      ->check(CLI::Range(1u, 2000000000u));
  g->add_option("--oow-ack-interval", k.oow_ack_interval,
                "At most one answer outside the window (bare ACK or SYN) or challenge ACK per this many ticks on "
                "a connection (Linux tcp_invalid_ratelimit); 0: answer each")
      ->check(CLI::Range(0u, 2000000000u));
  g->add_option("--fin-retries", k.fin_retries, "FIN retransmissions before giving up (255: never)")->check(CLI::Range(0u, 255u));
  g->add_option("--retries", k.retries, "SYN/data retransmissions before giving up (255: never)")->check(CLI::Range(0u, 255u));
  g->add_option("--rcv-wnd", k.rcv_wnd, "Receive window, bytes")->check(CLI::Range(0u, 1073741824u));
}

// Where stacks answer segments differently (FreeBSD's and Linux's own rules).
void add_segment_knobs(CLI::Option_group* g, KnobOptions& k) {
  g->add_option("--tw-drop-no-ack", k.tw_drop_no_ack,
                "on: TIME-WAIT silently drops a segment without ACK that does not reopen it (FreeBSD tcp_twcheck); off: ACK it")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--trim-old-duplicates", k.trim_old_duplicates,
                "on: a segment wholly below RCV.NXT is trimmed and its ACK still processed (FreeBSD "
                "tcp_do_segment); off: it is ACKed and dropped (RFC 9293)")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--ack-resends-fin", k.ack_resends_fin,
                "on: while our FIN is unacknowledged, ACKs (not challenge ACKs) carry it again (FreeBSD "
                "tcp_output); off: a bare ACK")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--drop-synfin", k.drop_synfin,
                "on: a segment with SYN and FIN is dropped without an answer (FreeBSD net.inet.tcp.drop_synfin)")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--syn-sent-text", k.syn_sent_text,
                "on: SYN-SENT delivers and ACKs the text of a SYN,ACK (FreeBSD tcp_do_segment); off: it is "
                "discarded (Linux without Fast Open)")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--fast-open", k.fast_open,
                "on: a listener keeps a SYN's text and ACKs it, a TCP Fast Open server without a cookie "
                "check (Linux net.ipv4.tcp_fastopen=0x602); off: the text is discarded")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--abort-rst-any-synced", k.abort_rst_any_synced,
                "on: an abort sends a RST in CLOSING, LAST-ACK and TIME-WAIT too (FreeBSD tcp_drop); off: only "
                "SYN-RECEIVED through CLOSE-WAIT (RFC 9293)")
      ->check(CLI::IsMember({"on", "off"}));
}

// More of Linux's and FreeBSD's rules, and the calls' errors and bind().
void add_stack_knobs(CLI::Option_group* g, KnobOptions& k) {
  g->add_option("--ts-recent-needs-valid-ack", k.ts_recent_needs_valid_ack,
                "on: TS.Recent is taken only from a segment whose ACK is in [SND.UNA, SND.NXT] (Linux tcp_ack); off: RFC 7323, before the ACK check")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--old-ack-challenge", k.old_ack_challenge,
                "on: an ACK of bytes never sent (older than SND.UNA - bytes acked) draws a challenge ACK (RFC 5961 5.2, Linux tcp_ack); off: ignored")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--tw-ack-unless-duplicate", k.tw_ack_unless_duplicate,
                "on: TIME-WAIT ACKs every segment with ACK but an exact duplicate ACK (FreeBSD tcp_twcheck); off: RFC 9293")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--tw-ts-recent-update", k.tw_ts_recent_update,
                "on: in TIME-WAIT a bare segment at RCV.NXT that PAWS accepts updates TS.Recent (Linux tcp_timewait_state_process); off: frozen")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--tw-paws-rst", k.tw_paws_rst,
                "on: in TIME-WAIT PAWS also drops a RST with an older TSval (Linux tcp_paws_reject); off: RSTs are exempt (RFC 7323)")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--tw-socket-closed", k.tw_socket_closed,
                "on: the application's socket reads as CLOSED once TIME-WAIT begins (Linux tcp_time_wait -> tcp_done); "
                "off: as TIME-WAIT (applied by the replay)")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--no-ack-dropped-first", k.no_ack_dropped_first,
                "on: a segment without ACK, RST or SYN is dropped silently before PAWS and the sequence check, outside "
                "SYN-RECEIVED, an orphaned FIN-WAIT-2 and TIME-WAIT (Linux tcp_rcv_state_process); off: an unacceptable one is ACKed (RFC 9293)")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--fin-wait2-timewait", k.fin_wait2_timewait,
                "on: an orphaned FIN-WAIT-2 whose timeout is not above TIME-WAIT's answers as Linux's timewait socket "
                "(tcp_timewait_state_process: RST on new data or a SYN, silence for duplicate ACKs and RSTs, SEG.ACK "
                "unchecked); off: RFC 9293 §3.10.7.4")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--past-window-accepted", k.past_window,
                "on: a FIN may lie one past the receive window (a zero one included), and a segment that ends past "
                "it is taken whole while nothing is unread, in-order text none into a zero window (Linux 6.18 "
                "tcp_sequence, tcp_data_queue); off: RFC 9293 Table 6, text trimmed to the window")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--after-fin-ignored", k.after_fin_ignored,
                "on: after the peer's FIN (CLOSE-WAIT, CLOSING, LAST-ACK) a segment at or above RCV.NXT draws no ACK, "
                "a FIN in it included (Linux tcp_rcv_state_process step 7); off: a FIN again is ACKed (RFC 9293)")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--rst-on-data-past-rcv-nxt", k.rst_past_rcv_nxt,
                "on: with the read side shut (after close() or shutdown(SHUT_RD), or after the peer's FIN), data or a FIN "
                "ending past RCV.NXT resets wherever it starts (Linux tcp_rcv_state_process step 7, RCV_SHUTDOWN); "
                "off: only new data at RCV.NXT after close() resets")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--call-errors", k.call_errors,
                "Calls on a socket without a connection: rfc9293 (listen() again and connect() on a listener EINVAL, "
                "write() and shutdown() ENOTCONN) or linux (listen() again 0, connect() on a listener EISCONN, write() "
                "EPIPE, shutdown() on a listener 0, SHUT_RD closing it)")
      ->check(CLI::IsMember({"rfc9293", "linux"}));
  g->add_option("--snd-buf", k.snd_buf, "Send buffer, bytes: send() takes what fits, EAGAIN when full")
      ->check(CLI::Range(1u, kMaxSndBuf));
  g->add_option("--rst-errors", k.rst_errors,
                "What an accepted RST tells the application: rfc9293, linux (tcp_reset: EPIPE in CLOSE-WAIT, "
                "ECONNRESET elsewhere) or freebsd (ECONNRESET through LAST-ACK)")
      ->check(CLI::IsMember({"rfc9293", "linux", "freebsd"}));
  g->add_option("--read-eof-first", k.read_eof_first,
                "on: read() after the peer's FIN returns 0 before a pending error (Linux); off: the error first")
      ->check(CLI::IsMember({"on", "off"}));
  g->add_option("--bind-reuse", k.bind_reuse,
                "With SO_REUSEADDR bind() may pass: time-wait (connections in TIME-WAIT), both (Linux: any "
                "socket that set SO_REUSEADDR too and is not listening) or connections (FreeBSD: any connection, "
                "and sockets bound to another address)")
      ->check(CLI::IsMember({"time-wait", "both", "connections"}));
  g->add_option("--ports-exhausted", k.ports_exhausted,
                "What bind() to port 0 returns when no ephemeral port is free: eaddrnotavail (FreeBSD "
                "in_pcb_lport_dest) or eaddrinuse (Linux inet_csk_get_port)")
      ->check(CLI::IsMember({"eaddrnotavail", "eaddrinuse"}));
}

}  // namespace

void add_knob_options(CLI::App& app, KnobOptions& k, bool with_mutant) {
  app.add_option("--profile", k.profile, "Named set of knobs")
      ->check(CLI::IsMember(profile_names()))->capture_default_str();
  auto* g = app.add_option_group("Knobs", "Override single knobs of the profile (times in ticks)");
  add_time_wait_knobs(g, k);
  add_timer_knobs(g, k);
  add_segment_knobs(g, k);
  add_stack_knobs(g, k);
  if (with_mutant)
    app.add_option("--mutant", k.mutant, "Run a deliberately broken core (list: tcpclose mutants)")
        ->check(CLI::IsMember(mutant_names()))->capture_default_str();
}

Config make_config(const KnobOptions& k) {
  return apply_knobs(k, profile_config(profile_from_name(k.profile).value_or(Profile::Reference)));
}

PortsExhausted ports_exhausted_from_name(std::string_view s) {
  return s == "eaddrinuse" ? PortsExhausted::AddrInUse : PortsExhausted::AddrNotAvail;
}

const char* ports_exhausted_name(PortsExhausted p) {
  return p == PortsExhausted::AddrInUse ? "eaddrinuse" : "eaddrnotavail";
}

Config apply_knobs(const KnobOptions& k, Config c) {
  if (k.msl) { c.msl = *k.msl; c.time_wait = 2 * *k.msl; }
  if (k.time_wait) c.time_wait = *k.time_wait;
  if (k.rfc1337) c.rst_in_time_wait = *k.rfc1337 == "on" ? RstInTimeWait::Ignore : RstInTimeWait::Kill;
  if (k.rst_acceptance) c.rst_acceptance = *k.rst_acceptance == "exact" ? RstAcceptance::Exact : RstAcceptance::Window;
  if (k.syn_acceptance)
    c.syn_acceptance = *k.syn_acceptance == "window"                ? SynAcceptance::Window
                       : *k.syn_acceptance == "drop"                ? SynAcceptance::Drop
                       : *k.syn_acceptance == "window-or-challenge" ? SynAcceptance::WindowOrChallenge
                                                                    : SynAcceptance::Challenge;
  if (k.syn_reopen)
    c.syn_reopen = *k.syn_reopen == "never" ? SynReopen::Never
                   : *k.syn_reopen == "seq" ? SynReopen::HigherSeq
                   : *k.syn_reopen == "timestamps" ? SynReopen::Timestamps : SynReopen::SeqOrTimestamp;
  if (k.time_wait_restart)
    c.time_wait_restart = *k.time_wait_restart == "ack"      ? TimeWaitRestart::OnAck
                          : *k.time_wait_restart == "answer" ? TimeWaitRestart::OnAnswer
                                                             : TimeWaitRestart::OnFin;
  if (k.timestamps) c.timestamps = *k.timestamps == "on";
  if (k.paws) c.paws = *k.paws == "on";
  if (k.fin_wait2) c.fin_wait2 = *k.fin_wait2 == "orphan" ? FinWait2Timeout::OrphanOnly : FinWait2Timeout::None;
  if (k.fin_wait2_timeout) c.fin_wait2_timeout = *k.fin_wait2_timeout;
  if (k.rto) c.rto = *k.rto;
  if (k.rtt_estimate) c.rtt_estimate = *k.rtt_estimate == "on";
  if (k.rto_backoff) c.rto_backoff = *k.rto_backoff == "on";
  if (k.rto_floor) c.rto_floor = *k.rto_floor;
  if (k.delayed_ack)
    c.delayed_ack = *k.delayed_ack == "linux-fin"      ? DelayedAck::LinuxFin
                    : *k.delayed_ack == "freebsd-data" ? DelayedAck::FreeBsdData : DelayedAck::Off;
  if (k.delack_min) c.delack_min = *k.delack_min;
  if (k.delack_ato) c.delack_ato = *k.delack_ato;
  if (k.tail_loss_probe) c.tail_loss_probe = *k.tail_loss_probe == "on";
  if (k.rto_var_min) c.rto_var_min = *k.rto_var_min;
  if (k.rto_slop) c.rto_slop = *k.rto_slop;
  if (k.rto_max) c.rto_max = *k.rto_max;
  if (k.oow_ack_interval) c.oow_ack_interval = *k.oow_ack_interval;
  if (k.fin_retries) c.fin_retries = static_cast<std::uint8_t>(*k.fin_retries);
  if (k.retries) c.retries = static_cast<std::uint8_t>(*k.retries);
  if (k.rcv_wnd) c.rcv_wnd = *k.rcv_wnd;
  if (k.snd_buf) c.snd_buf = *k.snd_buf;
  if (k.tw_drop_no_ack) c.tw_drop_without_ack = *k.tw_drop_no_ack == "on";
  if (k.trim_old_duplicates) c.trim_old_duplicates = *k.trim_old_duplicates == "on";
  if (k.ack_resends_fin) c.ack_resends_fin = *k.ack_resends_fin == "on";
  if (k.drop_synfin) c.drop_synfin = *k.drop_synfin == "on";
  if (k.syn_sent_text) c.syn_sent_text = *k.syn_sent_text == "on";
  if (k.fast_open) c.fast_open = *k.fast_open == "on";
  if (k.abort_rst_any_synced) c.abort_rst_any_synced = *k.abort_rst_any_synced == "on";
  if (k.ts_recent_needs_valid_ack) c.ts_recent_needs_valid_ack = *k.ts_recent_needs_valid_ack == "on";
  if (k.old_ack_challenge) c.old_ack_challenge = *k.old_ack_challenge == "on";
  if (k.tw_ack_unless_duplicate) c.tw_ack_unless_duplicate = *k.tw_ack_unless_duplicate == "on";
  if (k.tw_ts_recent_update) c.tw_ts_recent_update = *k.tw_ts_recent_update == "on";
  if (k.tw_paws_rst) c.tw_paws_rst = *k.tw_paws_rst == "on";
  if (k.tw_socket_closed) c.tw_socket_closed = *k.tw_socket_closed == "on";
  if (k.no_ack_dropped_first) c.no_ack_dropped_first = *k.no_ack_dropped_first == "on";
  if (k.fin_wait2_timewait) c.fin_wait2_timewait = *k.fin_wait2_timewait == "on";
  if (k.after_fin_ignored) c.after_fin_ignored = *k.after_fin_ignored == "on";
  if (k.rst_past_rcv_nxt) c.rst_on_data_past_rcv_nxt = *k.rst_past_rcv_nxt == "on";
  if (k.past_window) c.past_window_accepted = *k.past_window == "on";
  if (k.call_errors) c.call_errors = *k.call_errors == "linux" ? CallErrors::Linux : CallErrors::Rfc9293;
  if (k.rst_errors)
    c.rst_errors = *k.rst_errors == "linux" ? RstErrors::Linux
                   : *k.rst_errors == "freebsd" ? RstErrors::FreeBsd : RstErrors::Rfc9293;
  if (k.read_eof_first) c.read_eof_before_error = *k.read_eof_first == "on";
  if (k.bind_reuse)
    c.bind_reuse = *k.bind_reuse == "both"          ? BindReuse::BothReuse
                   : *k.bind_reuse == "connections" ? BindReuse::Connections : BindReuse::TimeWait;
  if (k.ports_exhausted)
    c.ports_exhausted = ports_exhausted_from_name(*k.ports_exhausted);
  c.mutant = mutant_from_name(k.mutant).value_or(Mutant::None);
  return c;
}

std::vector<std::pair<std::string, std::string>> describe(const Config& c) {
  auto onoff = [](bool b) { return std::string(b ? "on" : "off"); };
  auto retries = [](std::uint8_t r) { return r == kUnlimitedRetries ? std::string("unlimited") : std::to_string(r); };
  const char* reopen = c.syn_reopen == SynReopen::Never ? "never"
                       : c.syn_reopen == SynReopen::HigherSeq ? "seq"
                       : c.syn_reopen == SynReopen::Timestamps ? "timestamps" : "seq-or-ts";
  const char* syn = c.syn_acceptance == SynAcceptance::Window              ? "window"
                    : c.syn_acceptance == SynAcceptance::Drop              ? "drop"
                    : c.syn_acceptance == SynAcceptance::WindowOrChallenge ? "window-or-challenge"
                                                                           : "challenge";
  return {
      {"tick", fmt::format("{} us", c.tick_us)},
      {"msl", std::to_string(c.msl)},
      {"time-wait", std::to_string(c.time_wait)},
      {"rfc1337", onoff(c.rst_in_time_wait == RstInTimeWait::Ignore)},
      {"rst-acceptance", c.rst_acceptance == RstAcceptance::Exact ? "exact" : "window"},
      {"syn-acceptance", syn},
      {"syn-reopen", reopen},
      {"reopen-iss", c.reopen_iss == ReopenIss::AboveSndNxt ? "snd.nxt+65537" : "from-input"},
      {"timestamps", onoff(c.timestamps)},
      {"paws", onoff(c.paws)},
      {"fin-wait2", c.fin_wait2 == FinWait2Timeout::OrphanOnly ? "orphan" : "none"},
      {"fin-wait2-timeout", std::to_string(c.fin_wait2_timeout)},
      {"time-wait-restart", c.time_wait_restart == TimeWaitRestart::OnAck      ? "ack"
                            : c.time_wait_restart == TimeWaitRestart::OnAnswer ? "answer" : "fin"},
      {"tw-challenge-ack", onoff(c.tw_challenge_ack)},
      {"tw-drop-no-ack", onoff(c.tw_drop_without_ack)},
      {"trim-old-duplicates", onoff(c.trim_old_duplicates)},
      {"ack-resends-fin", onoff(c.ack_resends_fin)},
      {"drop-synfin", onoff(c.drop_synfin)},
      {"syn-sent-text", onoff(c.syn_sent_text)},
      {"fast-open", onoff(c.fast_open)},
      {"abort-rst-any-synced", onoff(c.abort_rst_any_synced)},
      {"ts-recent-needs-valid-ack", onoff(c.ts_recent_needs_valid_ack)},
      {"old-ack-challenge", onoff(c.old_ack_challenge)},
      {"tw-ack-unless-duplicate", onoff(c.tw_ack_unless_duplicate)},
      {"tw-ts-recent-update", onoff(c.tw_ts_recent_update)},
      {"tw-paws-rst", onoff(c.tw_paws_rst)},
      {"tw-socket-closed", onoff(c.tw_socket_closed)},
      {"no-ack-dropped-first", onoff(c.no_ack_dropped_first)},
      {"fin-wait2-timewait", onoff(c.fin_wait2_timewait)},
      {"after-fin-ignored", onoff(c.after_fin_ignored)},
      {"rst-on-data-past-rcv-nxt", onoff(c.rst_on_data_past_rcv_nxt)},
      {"past-window-accepted", onoff(c.past_window_accepted)},
      {"call-errors", c.call_errors == CallErrors::Linux ? "linux" : "rfc9293"},
      {"rst-on-close-unread", onoff(c.rst_on_close_unread)},
      {"rst-on-data-after-close", onoff(c.rst_on_data_after_close)},
      {"rto", std::to_string(c.rto)},
      {"rto-backoff", onoff(c.rto_backoff)},
      {"rtt-estimate", onoff(c.rtt_estimate)},
      {"rto-floor", std::to_string(c.rto_floor)},
      {"rto-var-min", std::to_string(c.rto_var_min)},
      {"rto-slop", std::to_string(c.rto_slop)},
      {"rto-max", std::to_string(c.rto_max)},
      {"tail-loss-probe", onoff(c.tail_loss_probe)},
      {"oow-ack-interval", std::to_string(c.oow_ack_interval)},
      {"delayed-ack", c.delayed_ack == DelayedAck::LinuxFin      ? "linux-fin"
                      : c.delayed_ack == DelayedAck::FreeBsdData ? "freebsd-data" : "off"},
      {"delack-min", std::to_string(c.delack_min)},
      {"delack-ato", std::to_string(c.delack_ato)},
      {"fin-retries", retries(c.fin_retries)},
      {"retries", retries(c.retries)},
      {"rcv-wnd", std::to_string(c.rcv_wnd)},
      {"snd-buf", std::to_string(c.snd_buf)},
      {"rst-errors", c.rst_errors == RstErrors::Linux     ? "linux"
                     : c.rst_errors == RstErrors::FreeBsd ? "freebsd" : "rfc9293"},
      {"read-eof-first", onoff(c.read_eof_before_error)},
      {"bind-reuse", c.bind_reuse == BindReuse::BothReuse     ? "both"
                     : c.bind_reuse == BindReuse::Connections ? "connections" : "time-wait"},
      {"ports-exhausted", ports_exhausted_name(c.ports_exhausted)},
      {"mutant", name(c.mutant)},
  };
}

std::string parse_error_text(const CLI::ParseError& e) {
  std::string text = e.what();
  const std::string lead = "Value ", mid = " not in range ";
  const std::size_t at = text.find(lead), to = text.find(mid);
  if (at == std::string::npos || to == std::string::npos || to < at + lead.size()) return text;
  const std::string value = text.substr(at + lead.size(), to - at - lead.size());
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  if (!value.empty() && end == value.c_str() + value.size()) return text;  // a number out of range: CLI11's words are right
  return text.substr(0, at) + value + " is not a number (expects one in the range " +
         text.substr(to + mid.size()) + ")";
}

}  // namespace tcpclose::cli
