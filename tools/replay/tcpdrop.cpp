// The tcpdrop whitelist (see tcpdrop.hpp): FreeBSD's usr.sbin/tcpdrop/tcpdrop.c `-s STATE` walks
// net.inet.tcp.pcblist, skips listeners and other states, and drops each connection through the
// net.inet.tcp.drop sysctl (tcp_subr.c sysctl_drop() -> tcp_drop(tp, ECONNABORTED)).
// Rule: this file is the only place that knows tcpdrop; docs/conformance.md lists the same forms.
#include "tcpdrop.hpp"

#include <fmt/format.h>

#include "sockstat.hpp"

namespace tcpclose::replay {
namespace {

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') { ++i; continue; }
    std::size_t e = i;
    while (e < s.size() && s[e] != ' ' && s[e] != '\t' && s[e] != '\n' && s[e] != '\r') ++e;
    out.push_back(s.substr(i, e - i));
    i = e;
  }
  return out;
}

}  // namespace

const std::vector<std::string_view>& tcpdrop_forms() {
  // The form of the FreeBSD tcp-testsuite (state-event-engine/), no other.
  static const std::vector<std::string_view> forms = {"tcpdrop -s STATE"};
  return forms;
}

std::optional<TcpdropCommand> parse_tcpdrop(std::string_view body, std::string& why) {
  const std::vector<std::string_view> w = words(body);
  if (w.size() != 3 || w[0] != "tcpdrop" || w[1] != "-s") {
    why = "not one of the tcpdrop forms the replay runs (docs/conformance.md)";
    return std::nullopt;
  }
  for (State st : kAllStates) {
    if (w[2] != sockstat_name(st)) continue;
    // tcpdrop.c main(): "if (state == TCP_NSTATES || state == TCPS_CLOSED || state == TCPS_LISTEN) usage();"
    if (st == State::Closed || st == State::Listen) {
      why = fmt::format("tcpdrop refuses -s {} (its usage message, exit status 1)", w[2]);
      return std::nullopt;
    }
    return TcpdropCommand{st};
  }
  why = fmt::format("'{}' is not a state name of FreeBSD's tcpstates[] (tcpdrop prints its usage)", w[2]);
  return std::nullopt;
}

bool is_tcpdrop(std::string_view body) {
  const std::vector<std::string_view> w = words(body);
  return !w.empty() && (w[0] == "tcpdrop" || w[0].ends_with("/tcpdrop"));
}

}  // namespace tcpclose::replay
