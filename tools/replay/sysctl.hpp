// The one whitelist of shell lines that `tcpclose replay` understands: sysctl settings of the
// stack a profile stands for, turned into knob overrides for that script (docs/conformance.md).
// Rule: a value the profile already assumes is a no-op, a value that maps to a knob overrides
// it, and anything else (another value, another sysctl, another command) is unsupported, named.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tcpclose/core.hpp>

namespace tcpclose::replay {

// Whose sysctl a row is: only the profile named after that stack honours it.
enum class Stack : std::uint8_t { Linux, FreeBsd };

// What a value that the profile does not assume does: returns what it changed in `cfg`, or an
// empty string when the value cannot be modelled.
using SysctlApply = std::string (*)(Config& cfg, std::string_view value);

struct SysctlRule {
  std::string_view name;     // "net.inet.tcp.insecure_rst", "net.ipv4.tcp_rfc1337"
  Stack stack;
  std::string_view assumed;  // the values the profile already assumes, '|'-separated ("*": any)
  SysctlApply apply;         // nullptr: no other value is modelled
  std::string_view meaning;  // one line: what the core does with it, for notes and the docs
};

// The table itself (one place): every sysctl the replay accepts, in the order documented.
const std::vector<SysctlRule>& sysctl_rules();

// What one backtick block did: every setting it made, in order, and the first thing that
// cannot be modelled (then nothing should be applied).
struct ShellEffect {
  std::string unsupported;         // non-empty: "a shell command ...: <why>"
  std::vector<std::string> notes;  // one per setting, for --verbose
};

// Runs the commands of a backtick block (newline or ';' separated) against `cfg` under
// `profile`: `sysctl [-w|-q] NAME=VALUE...`, `[PATH/]defaults.sh` (the settings the public
// suites' defaults.sh makes) and `set_sysctls.py /proc/sys/net/ipv4/NAME=VALUE...`.
ShellEffect run_shell(std::string_view body, Profile profile, Config& cfg);

}  // namespace tcpclose::replay
