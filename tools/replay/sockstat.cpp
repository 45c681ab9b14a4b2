// The sockstat whitelist (see sockstat.hpp): a token-by-token match of a shell line against the
// forms the FreeBSD tcp-testsuite uses, and the count sockstat(1) would print for them.
// Rule: this file is the only place that knows sockstat; docs/conformance.md lists the same forms.
#include "sockstat.hpp"

#include <algorithm>

namespace tcpclose::replay {
namespace {

// FreeBSD sys/netinet/tcp_fsm.h tcpstates[], which sockstat.c prints for `-s` (TCPS_* order).
constexpr State kAllStates[] = {State::Closed,    State::Listen,   State::SynSent,  State::SynReceived,
                                State::Established, State::CloseWait, State::FinWait1, State::Closing,
                                State::LastAck,   State::FinWait2, State::TimeWait};

// Words of a shell line; '|' is a word of its own even without blanks around it.
std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { ++i; continue; }
    if (c == '|') { out.push_back(s.substr(i, 1)); ++i; continue; }
    std::size_t e = i;
    while (e < s.size() && s[e] != ' ' && s[e] != '\t' && s[e] != '\n' && s[e] != '\r' && s[e] != '|') ++e;
    out.push_back(s.substr(i, e - i));
    i = e;
  }
  return out;
}

std::optional<std::uint32_t> decimal(std::string_view s) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::uint32_t v = 0;
  for (char c : s) v = v * 10 + static_cast<std::uint32_t>(c - '0');
  return v;
}

std::optional<State> state_named(std::string_view s) {
  for (State st : kAllStates)
    if (s == sockstat_name(st)) return st;
  return std::nullopt;
}

// One word against one word of a form: a literal, or a placeholder that fills `c`.
bool word_matches(std::string_view pattern, std::string_view word, SockstatCheck& c) {
  if (pattern == "FAMILY") {
    if (word != "-4" && word != "-6") return false;
    c.ipv6 = word == "-6";
    return true;
  }
  if (pattern == "PORT") {
    const auto p = decimal(word);
    if (!p || *p == 0 || *p > 65535) return false;
    c.port = static_cast<std::uint16_t>(*p);
    return true;
  }
  if (pattern == "STATE") {
    const auto st = state_named(word);
    if (!st) return false;
    c.state = *st;
    return true;
  }
  if (pattern == "COUNT") {
    if (!decimal(word)) return false;
    c.count = std::string(word);
    return true;
  }
  if (word == "packetdril" && pattern == word) c.own_process = true;
  return pattern == word;
}

}  // namespace

const std::vector<std::string_view>& sockstat_forms() {
  // The forms of the FreeBSD tcp-testsuite (state-event-engine/ and snippets/), no others.
  // `grep packetdril`: sockstat prints the command name cut to 10 characters ("%.10s").
  static const std::vector<std::string_view> forms = {
      "sockstat FAMILY -P tcp -s | grep packetdril | grep -c STATE | grep COUNT",
      "sockstat FAMILY -P tcp -p PORT -s | grep -c STATE | grep COUNT",
      "sockstat FAMILY -P tcp -s -p PORT | grep -c STATE | grep COUNT",
  };
  return forms;
}

std::optional<SockstatCheck> parse_sockstat(std::string_view body) {
  const std::vector<std::string_view> words = tokens(body);
  for (std::string_view form : sockstat_forms()) {
    const std::vector<std::string_view> pattern = tokens(form);
    if (pattern.size() != words.size()) continue;
    SockstatCheck c;
    bool all = true;
    for (std::size_t i = 0; i < words.size() && all; ++i) all = word_matches(pattern[i], words[i], c);
    if (all) return c;
  }
  return std::nullopt;
}

bool is_sockstat(std::string_view body) {
  const std::vector<std::string_view> words = tokens(body);
  return !words.empty() && (words[0] == "sockstat" || words[0].ends_with("/sockstat"));
}

const char* sockstat_name(State s) noexcept {
  switch (s) {
    case State::Closed: return "CLOSED";
    case State::Listen: return "LISTEN";
    case State::SynSent: return "SYN_SENT";
    case State::SynReceived: return "SYN_RCVD";
    case State::Established: return "ESTABLISHED";
    case State::CloseWait: return "CLOSE_WAIT";
    case State::FinWait1: return "FIN_WAIT_1";
    case State::Closing: return "CLOSING";
    case State::LastAck: return "LAST_ACK";
    case State::FinWait2: return "FIN_WAIT_2";
    case State::TimeWait: return "TIME_WAIT";
  }
  return "?";
}

// sockstat.c gather_inet(): -4/-6 keep the PCBs of that family (inp_vflag); check_ports(): -p
// keeps those whose local or foreign port is listed. display(): a socket that a process holds
// prints that process's command; one without (nosocks, or no file) prints '?'. No state name is
// a substring of another, so `grep -c STATE` counts the lines of exactly that state.
std::size_t sockstat_count(const SockstatCheck& c, std::span<const ListedSocket> sockets) noexcept {
  std::size_t n = 0;
  for (const ListedSocket& s : sockets) {
    if (s.ipv6 != c.ipv6 || s.state != c.state) continue;
    if (c.port && s.local_port != *c.port && s.foreign_port != *c.port) continue;
    if (c.own_process && !s.has_fd) continue;
    ++n;
  }
  return n;
}

bool sockstat_passes(const SockstatCheck& c, std::size_t count) {
  return std::to_string(count).find(c.count) != std::string::npos;
}

}  // namespace tcpclose::replay
