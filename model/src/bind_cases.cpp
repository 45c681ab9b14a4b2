// bind() for a port of each RFC 6335 class and for port 0, run on the core's BindTable while a
// TIME-WAIT holds the port or nothing does, per BindReuse rule and SO_REUSEADDR. Rule: every
// outcome is the BindTable's; nothing here decides one.
#include "tcpclose/model/connect_loop.hpp"

#include <fmt/format.h>

namespace tcpclose::model {
namespace {

inline constexpr std::uint32_t kAddr = 0x0A000001;
inline constexpr std::uint16_t kOnlyEphemeral = 50000;  // the range is this one port, so port 0 meets it

const char* rule_name(BindReuse r) {
  switch (r) {
    case BindReuse::TimeWait: return "time-wait";
    case BindReuse::BothReuse: return "both (linux)";
    case BindReuse::Connections: return "connections (freebsd)";
  }
  return "?";
}

// occupant 0: nothing; 1: a TIME-WAIT left by a socket without SO_REUSEADDR; 2: with it.
std::string outcome(BindReuse rule, std::uint16_t port, int occupant, bool reuseaddr) {
  BindTable<4> t;
  t.reuse_rule = rule;
  t.ephemeral_lo = t.ephemeral_hi = kOnlyEphemeral;
  const std::uint16_t held = port == kAnyPort ? kOnlyEphemeral : port;
  if (occupant > 0) {
    const BindResult old = t.bind(Endpoint{kAddr, held, 0}, occupant == 2);
    t.connect(old.slot, Endpoint{0x0A000002, 80, 0});
    t.set_state(old.slot, State::TimeWait);
  }
  const BindResult b = t.bind(Endpoint{kAddr, port, 0}, reuseaddr);
  return b.err == Err::None ? fmt::format("ok ({})", b.port) : std::string(name(b.err));
}

}  // namespace

std::vector<BindCase> bind_cases() {
  const std::pair<const char*, std::uint16_t> ports[] = {
      {"system", 80}, {"user", 8080}, {"dynamic", kOnlyEphemeral}, {"ephemeral", kAnyPort}};
  const char* occupants[] = {"nothing", "TIME-WAIT (old socket without SO_REUSEADDR)",
                             "TIME-WAIT (old socket with SO_REUSEADDR)"};
  std::vector<BindCase> out;
  for (const auto& [cls, port] : ports)
    for (int occ = 0; occ < 3; ++occ)
      for (BindReuse rule : {BindReuse::TimeWait, BindReuse::BothReuse, BindReuse::Connections})
        for (bool reuse : {false, true})
          out.push_back({cls, port, rule_name(rule), occupants[occ], reuse, outcome(rule, port, occ, reuse)});
  return out;
}

}  // namespace tcpclose::model
