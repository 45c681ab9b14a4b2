// bind() for a port of each RFC 6335 class and for port 0, run on the core's BindTable while a
// TIME-WAIT holds the port or nothing does, per BindReuse rule (with the errno of an exhausted
// ephemeral range of the profile that has the rule) and SO_REUSEADDR. Rule: every outcome is the
// BindTable's; nothing here decides one.
#include "tcpclose/model/connect_loop.hpp"

#include <fmt/format.h>

namespace tcpclose::model {
namespace {

inline constexpr std::uint32_t kAddr = 0x0A000001;
inline constexpr std::uint16_t kOnlyEphemeral = 50000;  // the range is this one port, so port 0 meets it

// Each rule with the profile that has it: its bind_reuse and its ports_exhausted.
struct Rule {
  const char* name;
  Config cfg;
};
const Rule kRules[] = {{"time-wait", reference_config()},
                       {"both (linux)", linux_config()},
                       {"connections (freebsd)", freebsd_config()}};

// occupant 0: nothing; 1: a TIME-WAIT left by a socket without SO_REUSEADDR; 2: with it.
std::string outcome(const Config& c, std::uint16_t port, int occupant, bool reuseaddr) {
  BindTable<4> t;
  t.reuse_rule = c.bind_reuse;
  t.ports_exhausted = c.ports_exhausted;
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
      for (const Rule& rule : kRules)
        for (bool reuse : {false, true})
          out.push_back({cls, port, rule.name, occupants[occ], reuse, outcome(rule.cfg, port, occ, reuse)});
  return out;
}

}  // namespace tcpclose::model
