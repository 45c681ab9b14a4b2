// The one whitelist of shell lines that `tcpclose replay` understands: sysctl settings of the
// stack a profile stands for, turned into knob overrides for that script (docs/conformance.md).
// Rule: a value the profile already assumes is a no-op, a value that maps to a knob overrides
// it, and anything else (another value, another sysctl, another command) is unsupported, named.
#pragma once

#include <cstdint>
#include <optional>
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
  // The last net.ipv4.tcp_fastopen set: the socket layer (tools/replay) decides from it which
  // listeners may use Fast Open and whether they need a cookie; the knob fast_open is 0x602's.
  std::optional<std::uint64_t> tcp_fastopen;
};

// Linux's tcp_fastopen bits (include/net/tcp.h): TFO_SERVER_ENABLE 0x2, TFO_SERVER_COOKIE_NOT_REQD
// 0x200, TFO_SERVER_WO_SOCKOPT1 0x400; the client bits 0x1 and 0x4 change nothing here.
inline constexpr std::uint64_t kFastOpenServer = 0x2, kFastOpenNoCookie = 0x200, kFastOpenWithoutSockopt = 0x400;
inline constexpr std::uint64_t kFastOpenAnyListener = kFastOpenServer | kFastOpenNoCookie | kFastOpenWithoutSockopt;
inline constexpr std::uint64_t kFastOpenModelled = 0x1 | 0x4 | kFastOpenAnyListener;
// "0x602" or "1538": the value, or nullopt.
std::optional<std::uint64_t> fastopen_bits(std::string_view v);

// Runs the commands of a backtick block (newline or ';' separated) against `cfg` under
// `profile`: `sysctl [-w|-q] NAME=VALUE...`, `[PATH/]defaults.sh` (the settings the public
// suites' defaults.sh makes) and `set_sysctls.py /proc/sys/net/ipv4/NAME=VALUE...`.
ShellEffect run_shell(std::string_view body, Profile profile, Config& cfg);

}  // namespace tcpclose::replay
