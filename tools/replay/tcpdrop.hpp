// The one whitelist of `tcpdrop` shell lines that `tcpclose replay` runs: FreeBSD's tcp-testsuite
// ends its TIME-WAIT scripts with `tcpdrop -s TIME_WAIT`, which drops every connection in a state.
// Rule: only the forms in tcpdrop_forms() are run, under freebsd; any other tcpdrop line is unsupported, named.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tcpclose/core.hpp>

namespace tcpclose::replay {

// The accepted forms, with the placeholder STATE: a name of FreeBSD's tcpstates[] (sockstat.hpp).
const std::vector<std::string_view>& tcpdrop_forms();

// A line that matched a form: which connections to drop.
struct TcpdropCommand {
  State state = State::Closed;  // `-s STATE`: every connection in this state
};

// nullopt when the body is not exactly one of the forms, or names a state tcpdrop(8) refuses
// (CLOSED and LISTEN: its main() prints the usage and exits 1). `why` then says which.
std::optional<TcpdropCommand> parse_tcpdrop(std::string_view body, std::string& why);

// Whether the body is a tcpdrop command at all (accepted or not), so it can be named.
bool is_tcpdrop(std::string_view body);

}  // namespace tcpclose::replay
