// The one whitelist of `sockstat` shell lines that `tcpclose replay` turns into state checks:
// FreeBSD's tcp-testsuite counts a socket's state with `sockstat ... | grep -c STATE | grep N`.
// Rule: only the forms in sockstat_forms() are checks; any other sockstat line is unsupported, named.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tcpclose/core.hpp>

namespace tcpclose::replay {

// One accepted form, with placeholders: FAMILY (-4 or -6), PORT (1-65535), STATE (a name of
// FreeBSD's tcpstates[], sys/netinet/tcp_fsm.h) and COUNT (decimal digits, as `grep` reads them).
const std::vector<std::string_view>& sockstat_forms();

// A line that matched one of the forms: what to count and what count passes.
struct SockstatCheck {
  bool ipv6 = false;                  // -6; else -4
  std::optional<std::uint16_t> port;  // -p PORT: the local or the foreign port is PORT
  bool own_process = false;           // `grep packetdril`: the sockets the script's process holds
  State state = State::Closed;        // `grep -c STATE`
  std::string count;                  // `grep COUNT`: passes when the printed count contains it
};

// nullopt when the body (the text between the backticks) is not exactly one of the forms.
std::optional<SockstatCheck> parse_sockstat(std::string_view body);

// Whether the body is a sockstat command at all (accepted or not), so it can be named.
bool is_sockstat(std::string_view body);

// FreeBSD's spelling of a state, as sockstat -s prints it (tcpstates[]: "SYN_RCVD", "TIME_WAIT").
const char* sockstat_name(State s) noexcept;

// One line sockstat would print for the script's sockets: a socket held by a descriptor of the
// script's process, or a PCB without one (an orphan after close(), a connection not yet
// accepted, a syncache entry), which sockstat prints with '?' as its command.
struct ListedSocket {
  State state = State::Closed;
  bool ipv6 = false;
  bool has_fd = false;
  std::uint16_t local_port = 0, foreign_port = 0;
};

// How many listed sockets the pipeline's `grep -c STATE` counts.
std::size_t sockstat_count(const SockstatCheck& c, std::span<const ListedSocket> sockets) noexcept;

// Whether `grep COUNT` matches the line `grep -c` printed: the count's decimal digits contain
// COUNT (so `grep 1` also passes a count of 10, as the shell pipeline would).
bool sockstat_passes(const SockstatCheck& c, std::size_t count);

}  // namespace tcpclose::replay
