// A counterexample as a packetdrill script from one host's side (`tcpclose check --trace-format
// packetdrill --view A|B`): that host is the stack under test; the other host, the network and
// the ghost bookkeeping become the script's inbound segments and timing, in the profile's real time.
// Rule: a counterexample the script cannot carry faithfully gives the reason, never a script.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tcpclose/model/explorer.hpp>

namespace tcpclose::cli {

// The host whose behaviour the violation is about: the one whose core or application moved in
// the violating (last) step; A when no host did (a tick, a loss, a terminal state).
std::uint8_t default_view(const model::Violation& v);

// The model's configuration with the profile's real clock: its behaviour knobs (RFC 1337, the
// reopening policy, a mutant...) are the model's, its timers (tick, MSL, TIME-WAIT, RTO and the
// RTT estimate, retries, FIN-WAIT-2) the profile's own, in microseconds-based ticks.
Config real_time_config(const Config& model_cfg, Profile p);

struct CexScript {
  std::string text;     // the script; empty when it cannot be written
  std::string why_not;  // why not, naming the step: empty when written
};

// The script of `v` from host `view` (0 = A, 1 = B). `real` comes from real_time_config();
// `profile` and `scenario` name them in the header.
CexScript cex_script(const model::World& w, const model::Violation& v, std::uint8_t view, const Config& real,
                     std::string_view profile, std::string_view scenario);

}  // namespace tcpclose::cli
