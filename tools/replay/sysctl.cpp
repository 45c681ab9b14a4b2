// The sysctl whitelist (see sysctl.hpp) and the small shell-line reader in front of it.
// Rule: this file is the only place that knows sysctl names; docs/conformance.md lists the same
// rows, and a test checks that every row there is here.
#include "sysctl.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace tcpclose::replay {
namespace {

std::optional<std::uint64_t> number(std::string_view s, int base = 10) {
  std::uint64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Milliseconds as ticks of the profile's clock.
std::uint32_t ms_ticks(const Config& c, std::uint64_t ms) {
  const std::uint64_t t = ms * 1000 / (c.tick_us == 0 ? 1 : c.tick_us);
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(t, 0x7FFFFFFF));
}

// "4096 262144 4194304": the middle value (the default a new socket gets).
std::optional<std::uint64_t> middle_of_three(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t at = 0;
  while (at < s.size()) {
    while (at < s.size() && s[at] == ' ') ++at;
    std::size_t e = at;
    while (e < s.size() && s[e] != ' ') ++e;
    if (e > at) parts.push_back(s.substr(at, e - at));
    at = e;
  }
  if (parts.size() != 3) return std::nullopt;
  for (std::string_view p : parts)
    if (!number(p)) return std::nullopt;
  return number(parts[1]);
}

std::string insecure_rst(Config& c, std::string_view v) {
  if (v != "1") return {};
  c.rst_acceptance = RstAcceptance::Window;
  return "rst_acceptance = window (RFC 793: any in-window RST resets)";
}
// FreeBSD tcp_do_segment: V_tcp_insecure_syn resets on an in-window SYN by tcp_drop() (the RST
// from SND.NXT), before the sequence check, and challenges any other SYN.
std::string insecure_syn(Config& c, std::string_view v) {
  if (v != "1") return {};
  c.syn_acceptance = SynAcceptance::WindowOrChallenge;
  return "syn_acceptance = window-or-challenge (RFC 793: an in-window SYN resets, from SND.NXT; others are "
         "challenged)";
}
// FreeBSD tcp_input.c, tcp_do_segment and tcp_twcheck: V_drop_synfin drops SYN+FIN unanswered.
std::string drop_synfin(Config& c, std::string_view v) {
  if (v != "1") return {};
  c.drop_synfin = true;
  return "drop_synfin = on (a segment with SYN and FIN is dropped without an answer)";
}
std::string timestamps(Config& c, std::string_view v) {
  if (v != "0") return {};
  c.timestamps = false;
  c.paws = false;
  return "timestamps = off, paws = off";
}
std::string send_space(Config& c, std::string_view v) {
  const auto n = number(v);
  if (!n || *n == 0 || *n > kMaxSndBuf) return {};
  c.snd_buf = static_cast<std::uint32_t>(*n);
  return fmt::format("snd_buf = {}", *n);
}
std::string rexmit_initial(Config& c, std::string_view v) {
  const auto n = number(v);
  if (!n || *n == 0 || *n > 3600000) return {};
  c.rto = ms_ticks(c, *n);
  return fmt::format("rto = {} ms", *n);
}
std::string rexmit_slop(Config& c, std::string_view v) {
  const auto n = number(v);
  if (!n || *n > 3600000) return {};
  c.rto_slop = ms_ticks(c, *n);
  return fmt::format("rto_slop = {} ms", *n);
}
std::string freebsd_msl(Config& c, std::string_view v) {
  const auto n = number(v);
  if (!n || *n == 0 || *n > 3600000) return {};
  c.msl = ms_ticks(c, *n);
  c.time_wait = ms_ticks(c, 2 * *n);
  return fmt::format("msl = {} ms, time_wait = {} ms", *n, 2 * *n);
}
// Linux net.ipv4.tcp_fastopen (include/net/tcp.h TFO_*): 0x1 client, 0x2 server, 0x4 client
// without a cookie, 0x200 server without a cookie (TFO_SERVER_COOKIE_NOT_REQD), 0x400 server on
// every listener without TCP_FASTOPEN (TFO_SERVER_WO_SOCKOPT1). Written in hex or decimal.
std::string fast_open(Config& c, std::string_view v) {
  const auto n = fastopen_bits(v);
  if (!n || (*n & ~kFastOpenModelled) != 0) return {};
  c.fast_open = (*n & kFastOpenAnyListener) == kFastOpenAnyListener;
  if (c.fast_open) return "fast_open = on (tcp_try_fastopen: every listener keeps a SYN's text, no cookie needed)";
  if (*n & 0x2)
    return "fast_open per listener: for a SYN with a valid cookie (0x200 unset) to a listener with TCP_FASTOPEN "
           "(0x400 unset); the client bits change nothing here";
  return "fast_open = off (no server bit); the client bits change nothing here";
}
std::string rfc1337(Config& c, std::string_view v) {
  if (v != "1") return {};
  c.rst_in_time_wait = RstInTimeWait::Ignore;
  return "rst_in_time_wait = ignore (RFC 1337: TIME-WAIT drops every RST)";
}
std::string fin_timeout(Config& c, std::string_view v) {
  const auto n = number(v);
  if (!n || *n == 0 || *n > 3600) return {};
  c.fin_wait2_timeout = ms_ticks(c, *n * 1000);
  return fmt::format("fin_wait2_timeout = {} s", *n);
}
// Linux net.ipv4.tcp_invalid_ratelimit, in ms (proc_dointvec_ms_jiffies): 0 turns it off.
std::string invalid_ratelimit(Config& c, std::string_view v) {
  const auto n = number(v);
  if (!n || *n > 3600000) return {};
  c.oow_ack_interval = ms_ticks(c, *n);
  return fmt::format("oow_ack_interval = {} ms (answers outside the window and challenge ACKs)", *n);
}
std::string wmem(Config& c, std::string_view v) {
  const auto mid = middle_of_three(v);
  if (!mid || *mid == 0 || *mid > kMaxSndBuf) return {};
  c.snd_buf = static_cast<std::uint32_t>(*mid);
  return fmt::format("snd_buf = {} (tcp_wmem[1])", *mid);
}
// Linux tcp_select_initial_window: the first window is min(the buffer's space, 10 segments),
// so a default buffer of at least 64 KiB does not limit the window the core models (rcv_wnd).
std::string rmem(Config& c, std::string_view v) {
  const auto mid = middle_of_three(v);
  if (!mid || *mid < c.rcv_wnd) return {};
  return fmt::format("no knob: tcp_rmem[1] = {} does not limit rcv_wnd ({})", *mid, c.rcv_wnd);
}

}  // namespace

std::optional<std::uint64_t> fastopen_bits(std::string_view v) {
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) return number(v.substr(2), 16);
  return number(v);
}

const std::vector<SysctlRule>& sysctl_rules() {
  static const std::vector<SysctlRule> rules = {
      // FreeBSD: the lines its tcp-testsuite starts every script with, and the knobs it varies.
      {"net.inet.tcp.insecure_rst", Stack::FreeBsd, "0", insecure_rst, "RFC 5961 exact RST (0) or RFC 793 window (1)"},
      {"net.inet.tcp.insecure_syn", Stack::FreeBsd, "0", insecure_syn,
       "RFC 5961 challenge ACK (0) or RFC 793 reset of an in-window SYN, others challenged (1)"},
      {"net.inet.tcp.rfc1323", Stack::FreeBsd, "1", timestamps, "timestamps and PAWS (window scaling is not modelled)"},
      {"net.inet.tcp.sendspace", Stack::FreeBsd, "32768", send_space, "the send buffer, knob snd_buf"},
      {"net.inet.tcp.rexmit_initial", Stack::FreeBsd, "1000", rexmit_initial, "the initial RTO in ms, knob rto"},
      {"net.inet.tcp.msl", Stack::FreeBsd, "30000", freebsd_msl, "MSL in ms; TIME-WAIT is 2 MSL"},
      {"net.inet.tcp.recvspace", Stack::FreeBsd, "65536", nullptr, "the receive buffer SO_RCVBUF starts from"},
      {"kern.ipc.maxsockbuf", Stack::FreeBsd, "2097152", nullptr, "the buffer ceiling; no buffer here reaches it"},
      {"net.inet.tcp.sack.enable", Stack::FreeBsd, "0|1", nullptr, "the core has no SACK; sackOK is never compared"},
      {"net.inet.tcp.ecn.enable", Stack::FreeBsd, "0|2", nullptr, "no ECN unless the peer asks (2), and ECN segments are unsupported"},
      {"net.inet.tcp.blackhole", Stack::FreeBsd, "0", nullptr, "a segment for no socket is answered with a RST"},
      {"net.inet.tcp.hostcache.purgenow", Stack::FreeBsd, "0|1", nullptr, "the replay keeps no host cache: every script starts empty"},
      {"net.inet.tcp.drop_synfin", Stack::FreeBsd, "0", drop_synfin, "SYN+FIN processed as a SYN (0) or dropped (1)"},
      {"net.inet.tcp.rexmit_slop", Stack::FreeBsd, "200", rexmit_slop, "added to every estimated RTO, knob rto_slop"},
      {"net.inet.tcp.rexmit_drop_options", Stack::FreeBsd, "0", nullptr, "options are not compared on retransmitted SYNs"},
      {"net.inet.tcp.syncookies", Stack::FreeBsd, "1", nullptr, "the syncache never overflows here, so cookies are never sent"},
      {"net.inet.tcp.syncookies_only", Stack::FreeBsd, "0", nullptr, "the syncache is in use"},
      {"net.inet.tcp.tolerate_missing_ts", Stack::FreeBsd, "1", nullptr, "a segment without TS on a TS connection is accepted"},
      // Linux: the knobs the linux profile has, then what defaults.sh sets for mechanisms the
      // core does not have, accepted only at the kernel's and defaults.sh's values.
      {"net.ipv4.tcp_rfc1337", Stack::Linux, "0", rfc1337, "RST kills TIME-WAIT (0) or is ignored (1)"},
      {"net.ipv4.tcp_fin_timeout", Stack::Linux, "60", fin_timeout, "the orphaned FIN-WAIT-2 lifetime in s"},
      {"net.ipv4.tcp_invalid_ratelimit", Stack::Linux, "500", invalid_ratelimit,
       "at most one answer outside the window or challenge ACK per interval, in ms"},
      {"net.ipv4.tcp_wmem", Stack::Linux, "4096 16384 4194304", wmem, "the send buffer, knob snd_buf = tcp_wmem[1]"},
      {"net.ipv4.tcp_rmem", Stack::Linux, "4096 131072 6291456", rmem, "accepted while tcp_rmem[1] >= rcv_wnd"},
      {"net.ipv4.tcp_timestamps", Stack::Linux, "1", timestamps, "timestamps and PAWS"},
      {"net.ipv4.tcp_syncookies", Stack::Linux, "1", nullptr, "the accept queue never overflows here, so cookies are never sent"},
      {"net.ipv4.tcp_syn_retries", Stack::Linux, "5|6", nullptr, "not modelled apart: the knob retries also bounds SYNs"},
      {"net.ipv4.tcp_synack_retries", Stack::Linux, "5", nullptr, "not modelled apart: the knob retries also bounds SYN-ACKs"},
      {"net.ipv4.tcp_sack", Stack::Linux, "1", nullptr, "the core has no SACK; SACK blocks are unsupported"},
      {"net.ipv4.tcp_dsack", Stack::Linux, "1", nullptr, "the core has no SACK"},
      {"net.ipv4.tcp_fack", Stack::Linux, "0", nullptr, "the core has no SACK"},
      {"net.ipv4.tcp_frto", Stack::Linux, "2", nullptr, "no loss recovery beyond the RTO"},
      {"net.ipv4.tcp_reordering", Stack::Linux, "3", nullptr, "no fast retransmit"},
      {"net.ipv4.tcp_early_retrans", Stack::Linux, "3|4", nullptr, "no tail loss probe"},
      {"net.ipv4.tcp_recovery", Stack::Linux, "1", nullptr, "no RACK"},
      {"net.ipv4.tcp_congestion_control", Stack::Linux, "cubic", nullptr, "no congestion window"},
      {"net.ipv4.tcp_slow_start_after_idle", Stack::Linux, "0|1", nullptr, "no congestion window"},
      {"net.ipv4.tcp_tso_win_divisor", Stack::Linux, "3", nullptr, "no segmentation offload"},
      {"net.ipv4.tcp_pacing_ss_ratio", Stack::Linux, "200", nullptr, "no pacing"},
      {"net.ipv4.tcp_pacing_ca_ratio", Stack::Linux, "120", nullptr, "no pacing"},
      {"net.ipv4.tcp_notsent_lowat", Stack::Linux, "4294967295", nullptr, "no unsent-data threshold"},
      {"net.ipv4.tcp_ecn", Stack::Linux, "0|2", nullptr, "no ECN unless the peer asks (2), and ECN segments are unsupported"},
      {"net.ipv4.tcp_ecn_option", Stack::Linux, "2", nullptr, "no AccECN option"},
      {"net.ipv4.tcp_fastopen", Stack::Linux, "1", fast_open,
       "server Fast Open: 0x602 (server, no cookie, every listener) sets fast_open; other server values per listener "
       "(TCP_FASTOPEN, a valid cookie); bits beyond 0x607 are not modelled"},
      {"net.ipv4.tcp_fastopen_key", Stack::Linux, "*", nullptr,
       "the key of the cookies: the valid cookie is the runner's -D TFO_COOKIE, by name"},
  };
  return rules;
}

namespace {

// What the public suites' defaults.sh sets (google/packetdrill gtests/net/common and the Linux
// selftests' copy, read from ../shared/conformance/public): its sysctl lines, values evaluated.
// It also flushes `ip tcp_metrics` (nothing is cached here) and sets a pfifo qdisc (no queue).
constexpr std::pair<std::string_view, std::string_view> kDefaultsSh[] = {
    {"net.ipv4.tcp_rmem", "4096 540000 15728640"}, {"net.ipv4.tcp_wmem", "4096 262144 4194304"},
    {"net.ipv4.tcp_timestamps", "1"}, {"net.ipv4.tcp_syn_retries", "5"}, {"net.ipv4.tcp_synack_retries", "5"},
    {"net.ipv4.tcp_frto", "2"}, {"net.ipv4.tcp_sack", "1"}, {"net.ipv4.tcp_dsack", "1"}, {"net.ipv4.tcp_fack", "0"},
    {"net.ipv4.tcp_reordering", "3"}, {"net.ipv4.tcp_congestion_control", "cubic"},
    {"net.ipv4.tcp_slow_start_after_idle", "0"}, {"net.ipv4.tcp_early_retrans", "4"}, {"net.ipv4.tcp_recovery", "1"},
    {"net.ipv4.tcp_tso_win_divisor", "3"}, {"net.ipv4.tcp_ecn", "0"}, {"net.ipv4.tcp_pacing_ss_ratio", "200"},
    {"net.ipv4.tcp_pacing_ca_ratio", "120"}, {"net.ipv4.tcp_notsent_lowat", "4294967295"},
    {"net.ipv4.tcp_fastopen", "0x3"}, {"net.ipv4.tcp_fastopen_key", "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4"},
    {"net.ipv4.tcp_syncookies", "1"},
};

bool listed(std::string_view values, std::string_view v) {
  if (values == "*") return true;
  std::size_t at = 0;
  while (at <= values.size()) {
    std::size_t e = values.find('|', at);
    if (e == std::string_view::npos) e = values.size();
    if (values.substr(at, e - at) == v) return true;
    at = e + 1;
  }
  return false;
}

std::optional<Stack> stack_of(Profile p) {
  switch (p) {
    case Profile::Linux: return Stack::Linux;
    case Profile::FreeBsd: return Stack::FreeBsd;
    case Profile::Reference:
    case Profile::Rfc9293:
    case Profile::Smoltcp: return std::nullopt;
  }
  return std::nullopt;
}

// One NAME=VALUE: a note on success, or sets `why` to the reason it cannot be modelled.
std::string set_one(std::string_view key, std::string_view value, Profile profile, Config& cfg, std::string& why) {
  const SysctlRule* rule = nullptr;
  for (const SysctlRule& r : sysctl_rules())
    if (r.name == key) rule = &r;
  const std::string setting = fmt::format("{}={}", key, value);
  if (!rule) { why = fmt::format("a shell command that sets {}: a sysctl the replay does not model", setting); return {}; }
  const auto stack = stack_of(profile);
  if (!stack || *stack != rule->stack) {
    why = fmt::format("a shell command that sets {}: a {} sysctl, and the profile is {}", setting,
                      rule->stack == Stack::Linux ? "Linux" : "FreeBSD", name(profile));
    return {};
  }
  if (listed(rule->assumed, value)) return fmt::format("sysctl {}: the profile's own value, no change ({})", setting, rule->meaning);
  const std::string did = rule->apply ? rule->apply(cfg, value) : std::string();
  if (did.empty()) {
    why = fmt::format("a shell command that sets {}: the profile cannot model that value ({}; modelled: {})", setting,
                      rule->meaning, rule->assumed);
    return {};
  }
  return fmt::format("sysctl {}: knob override, {}", setting, did);
}

// Splits a command into words; "double quoted" words lose their quotes; redirections are dropped.
std::vector<std::string> words(std::string_view cmd) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < cmd.size()) {
    while (i < cmd.size() && (cmd[i] == ' ' || cmd[i] == '\t')) ++i;
    if (i >= cmd.size()) break;
    std::string w;
    while (i < cmd.size() && cmd[i] != ' ' && cmd[i] != '\t') {
      if (cmd[i] == '"') {
        ++i;
        while (i < cmd.size() && cmd[i] != '"') w += cmd[i++];
        if (i < cmd.size()) ++i;
        continue;
      }
      w += cmd[i++];
    }
    out.push_back(w);
  }
  std::vector<std::string> kept;
  for (std::size_t k = 0; k < out.size(); ++k) {
    const std::string& w = out[k];
    if (w == ">" || w == "2>" || w == ">>") { ++k; continue; }  // "> /dev/null"
    if (w.rfind(">", 0) == 0 || w.rfind("2>", 0) == 0) continue;  // ">/dev/null", "2>&1"
    kept.push_back(w);
  }
  return kept;
}

bool is_defaults_sh(std::string_view w) {
  constexpr std::string_view kName = "defaults.sh";
  if (w.size() < kName.size() || w.substr(w.size() - kName.size()) != kName) return false;
  const std::string_view dir = w.substr(0, w.size() - kName.size());
  return dir.empty() || dir.back() == '/';
}

// One command; returns false (with `eff.unsupported` set) when it cannot be modelled.
bool command(const std::vector<std::string>& w, std::string_view text, Profile profile, Config& cfg, ShellEffect& eff) {
  std::string why;
  auto one = [&](std::string_view n, std::string_view v) {
    const std::string note = set_one(n, v, profile, cfg, why);
    if (!why.empty()) { eff.unsupported = why; return false; }
    if (n == "net.ipv4.tcp_fastopen") eff.tcp_fastopen = fastopen_bits(v);
    eff.notes.push_back(note);
    return true;
  };
  if (w[0] == "sysctl") {
    bool any = false;
    for (std::size_t k = 1; k < w.size(); ++k) {
      if (w[k].rfind("-", 0) == 0) {
        if (w[k] != "-w" && w[k] != "-q" && w[k] != "-qw" && w[k] != "-wq") break;
        continue;
      }
      const std::size_t eq = w[k].find('=');
      if (eq == std::string::npos) { any = false; break; }
      if (!one(std::string_view(w[k]).substr(0, eq), std::string_view(w[k]).substr(eq + 1))) return false;
      any = true;
    }
    if (any) return true;
  } else if (is_defaults_sh(w[0]) && w.size() == 1) {
    if (stack_of(profile) != Stack::Linux) {
      eff.unsupported = fmt::format("a shell command '{}': the Linux suites' defaults, and the profile is {}", text, name(profile));
      return false;
    }
    for (const auto& [n, v] : kDefaultsSh)
      if (!one(n, v)) return false;
    return true;
  } else if (w[0].size() >= 14 && w[0].substr(w[0].size() - 14) == "set_sysctls.py" && w.size() > 1) {
    constexpr std::string_view kProc = "/proc/sys/";
    bool all = true;
    for (std::size_t k = 1; k < w.size() && all; ++k) {
      const std::string_view arg = w[k];
      const std::size_t eq = arg.find('=');
      all = arg.substr(0, kProc.size()) == kProc && eq != std::string_view::npos;
      if (!all) break;
      std::string n(arg.substr(kProc.size(), eq - kProc.size()));
      std::replace(n.begin(), n.end(), '/', '.');
      if (!one(n, arg.substr(eq + 1))) return false;
    }
    if (all) return true;
  }
  eff.unsupported = fmt::format("a shell command '{}': only sysctl settings (and, under freebsd, the sockstat checks) are modelled (docs/conformance.md)", text);
  return false;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

ShellEffect run_shell(std::string_view body, Profile profile, Config& cfg) {
  ShellEffect eff;
  std::size_t at = 0;
  while (at <= body.size()) {
    std::size_t e = body.find_first_of("\n;", at);
    if (e == std::string_view::npos) e = body.size();
    const std::string text = trimmed(body.substr(at, e - at));
    at = e + 1;
    if (text.empty()) continue;
    if (text.find('$') != std::string::npos) {  // "$CC", "${PPID}": a -D symbol or the runner's environment
      eff.unsupported = fmt::format("a shell command '{}': it uses a variable (a -D symbol or the environment), "
                                    "whose value the replay does not know", text);
      return eff;
    }
    const std::vector<std::string> w = words(text);
    if (w.empty() || !command(w, text, profile, cfg, eff)) {
      if (eff.unsupported.empty()) eff.unsupported = fmt::format("a shell command '{}'", text);
      return eff;
    }
  }
  return eff;
}

}  // namespace tcpclose::replay
