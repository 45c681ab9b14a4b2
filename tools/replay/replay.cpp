// The interpreter: sockets, a binding table and TCBs around step(), driven by a script.
// Rule 1: the core decides everything TCP does; this file only routes calls and segments,
// translates sequence numbers (relative in the script, absolute in the core) and keeps time.
// Rule 2: the first difference ends the run as a Mismatch saying line, expectation, what the
// core did and its state; a construct the core does not model ends it as Unsupported.
#include "replay.hpp"

#include "freebsd_buffers.hpp"
#include "linux_buffers.hpp"
#include "sockstat.hpp"
#include "tcpdrop.hpp"
#include "sysctl.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

namespace tcpclose::replay {

const char* name(Verdict v) noexcept {
  switch (v) {
    case Verdict::Pass: return "pass";
    case Verdict::Mismatch: return "mismatch";
    case Verdict::Unsupported: return "unsupported";
    case Verdict::ParseError: return "parse error";
  }
  return "?";
}

std::optional<Profile> profile_by_name(std::string_view s) noexcept {
  for (Profile p : kAllProfiles)
    if (s == name(p)) return p;
  return std::nullopt;
}

std::optional<Mutant> mutant_by_name(std::string_view s) noexcept {
  for (Mutant m : kAllMutants)
    if (s == name(m)) return m;
  return std::nullopt;
}

namespace {

// packetdrill's implicit addresses: the local stack is 192.168.0.1, the remote 192.0.2.1.
constexpr std::uint32_t kLocalAddr = 0xC0A80001u;
constexpr std::uint32_t kRemoteAddr = 0xC0000201u;
constexpr std::uint16_t kServerPort = 8080;
constexpr std::uint16_t kRemoteEphemeral = 40000;
// The remote peer's ISN (script sequence 0) and our first ISS. Large, so that relative
// numbers in reports differ visibly from absolute ones; not near 2^32 on purpose.
constexpr Seq kRemoteIsn = 1000000000u;
constexpr Seq kFirstIss = 3000000000u;
constexpr std::int64_t kDefaultToleranceUs = 4000;  // packetdrill's default --tolerance_usecs
constexpr std::uint32_t kDefaultPeerWindow = 65535;
constexpr int kFirstFd = 3;
constexpr std::uint32_t kFreeBsdRecvSpace = freebsd::kRecvSpace;

struct Stop {};  // the run has its verdict: unwinds to run()

struct Conn {
  Tcb tcb;
  Config cfg;
  int slot = -1;      // BindTable slot while the 4-tuple is in use
  int fd = -1;        // the descriptor holding it; -1 when orphaned or not yet accepted
  int listener = -1;  // the listening fd whose accept queue holds it
  bool ready = false; // established (or a Fast Open child) and waiting for accept()
  bool syn_data = false;  // its SYN's text was kept: Linux TCPI_OPT_SYN_DATA (tcp_fastopen_add_skb)
  bool gone = false;  // CLOSED and no descriptor refers to it
  bool peer_syn = false;                   // the peer's SYN has been processed
  std::optional<std::uint32_t> peer_mss;   // its MSS option, if it had one
  std::uint32_t rcv_hiwat = 0;             // FreeBSD: its socket's SO_RCVBUF before tcp_mss() rounds it
  std::uint32_t linux_rcvbuf = 0;          // Linux: sk_rcvbuf locked by SO_RCVBUF; 0: autotuned (not modelled)
  std::uint32_t linux_sndbuf = 0;          // Linux: sk_sndbuf locked by SO_SNDBUF; 0: autotuned (not modelled)
  std::uint32_t skb_bound = 0;             // with linux_sndbuf: at most this many skbs hold unacknowledged data
  std::uint16_t local_port = 0, foreign_port = 0;  // its 4-tuple's ports (sockstat -p)
};

struct Sock {
  bool nonblock = false;
  bool reuse = false;
  bool linger_on = false;
  std::uint32_t linger_secs = 0;
  std::optional<std::uint32_t> linger2_ms;  // TCP_LINGER2
  bool listening = false;
  std::uint32_t rcv_hiwat = 0;  // SO_RCVBUF as set (FreeBSD sb_hiwat), before tcp_mss() rounds it
  std::uint32_t snd_hiwat = 0;  // SO_SNDBUF likewise
  std::uint32_t linux_rcvbuf = 0;  // Linux sk_rcvbuf after SO_RCVBUF (SOCK_RCVBUF_LOCK); 0: not set
  std::uint32_t linux_sndbuf = 0;  // Linux sk_sndbuf after SO_SNDBUF (SOCK_SNDBUF_LOCK); 0: not set
  bool fastopen_queue = false;  // setsockopt TCP_FASTOPEN with a queue length > 0
  int slot = -1;
  int conn = -1;
  bool dropped = false;  // its connection was dropped by tcpdrop: FreeBSD's so_error is ECONNABORTED
  Tcb listen_tcb;
};

struct Emitted {
  Segment seg;
  std::int64_t at_us = 0;
  int conn = -1;
};

struct Pending {
  std::size_t stmt = 0;
  std::int64_t end_us = 0;
  int fd = -1;
};

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// "3", "-1", "0x10", "[1]", "[ 0 ]": an integer, or nullopt.
std::optional<std::int64_t> int_arg(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = trim(s.substr(1, s.size() - 2));
  if (s.empty()) return std::nullopt;
  bool neg = false;
  std::size_t i = 0;
  if (s[0] == '-') { neg = true; i = 1; }
  if (i >= s.size()) return std::nullopt;
  std::int64_t v = 0;
  int base = 10;
  if (s.size() > i + 1 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) { base = 16; i += 2; }
  if (i >= s.size()) return std::nullopt;
  for (; i < s.size(); ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return std::nullopt;
    v = v * base + d;
    if (v > 0xFFFFFFFFll) return std::nullopt;
  }
  return neg ? -v : v;
}

// "{onoff=1, linger=0}" -> the value of `field`.
std::optional<std::int64_t> struct_field(const std::string& s, const std::string& field) {
  const std::size_t at = s.find(field);
  if (at == std::string::npos) return std::nullopt;
  std::size_t eq = s.find('=', at);
  if (eq == std::string::npos) return std::nullopt;
  std::size_t e = eq + 1;
  while (e < s.size() && s[e] != ',' && s[e] != '}') ++e;
  return int_arg(s.substr(eq + 1, e - eq - 1));
}

bool has_word(const std::string& s, std::string_view w) { return s.find(w) != std::string::npos; }

std::optional<Err> errno_by_name(std::string_view s) {
  for (int i = 0; i <= static_cast<int>(Err::InProgress); ++i) {
    const Err e = static_cast<Err>(i);
    if (s == name(e)) return e;
  }
  return std::nullopt;
}

std::string secs(std::int64_t us) { return fmt::format("{:.3f} s", static_cast<double>(us) / 1e6); }

// tcp_info's state names: Linux TCP_* (include/net/tcp_states.h, also numbered as there) and
// FreeBSD TCPS_* (sys/netinet/tcp_fsm.h), which FreeBSD's packetdrill spells TCPI_*.
struct StateName {
  State state;
  const char* linux_name;
  int linux_number;
  const char* freebsd_name;
};
constexpr StateName kStateNames[] = {
    {State::Established, "TCP_ESTABLISHED", 1, "TCPS_ESTABLISHED"}, {State::SynSent, "TCP_SYN_SENT", 2, "TCPS_SYN_SENT"},
    {State::SynReceived, "TCP_SYN_RECV", 3, "TCPS_SYN_RECEIVED"}, {State::FinWait1, "TCP_FIN_WAIT1", 4, "TCPS_FIN_WAIT_1"},
    {State::FinWait2, "TCP_FIN_WAIT2", 5, "TCPS_FIN_WAIT_2"}, {State::TimeWait, "TCP_TIME_WAIT", 6, "TCPS_TIME_WAIT"},
    {State::Closed, "TCP_CLOSE", 7, "TCPS_CLOSED"}, {State::CloseWait, "TCP_CLOSE_WAIT", 8, "TCPS_CLOSE_WAIT"},
    {State::LastAck, "TCP_LAST_ACK", 9, "TCPS_LAST_ACK"}, {State::Listen, "TCP_LISTEN", 10, "TCPS_LISTEN"},
    {State::Closing, "TCP_CLOSING", 11, "TCPS_CLOSING"},
};

std::optional<State> state_by_tcpi(const std::string& s) {
  const auto n = int_arg(s);
  for (const StateName& k : kStateNames)
    if (s == k.linux_name || s == k.freebsd_name || (n && *n == k.linux_number)) return k.state;
  if (s.rfind("TCPI_", 0) == 0)  // packetdrill on FreeBSD names them TCPI_*, after TCPS_*
    for (const StateName& k : kStateNames)
      if (s.substr(5) == std::string_view(k.freebsd_name).substr(5)) return k.state;
  return std::nullopt;
}

const char* tcpi_name(State st) {
  for (const StateName& k : kStateNames)
    if (k.state == st) return k.linux_name;
  return "?";
}

// The Python forms modelled: "assert tcpi_state == NAME" or "!=", and "assert (tcpi_options &
// TCPI_OPT_SYN_DATA) != 0" or "== 0", each optionally followed by ", message", on one line.
// Anything else is nullopt (unsupported).
struct StateAssert {
  bool equal = true;
  std::string name;      // the state; "TCPI_OPT_SYN_DATA" for the tcpi_options form
};

std::optional<StateAssert> syn_data_assert(const std::string& code) {
  std::string s;
  for (char ch : code)
    if (ch != ' ' && ch != '\t') s += ch;
  const std::string_view v = std::string_view(s).substr(0, s.find(','));
  if (v == "assert(tcpi_options&TCPI_OPT_SYN_DATA)!=0") return StateAssert{true, "TCPI_OPT_SYN_DATA"};
  if (v == "assert(tcpi_options&TCPI_OPT_SYN_DATA)==0") return StateAssert{false, "TCPI_OPT_SYN_DATA"};
  return std::nullopt;
}

std::optional<StateAssert> state_assert(std::string code) {
  code = trim(code);
  if (code.find_first_of("\n;") != std::string::npos) return std::nullopt;
  if (auto a = syn_data_assert(code)) return a;
  std::size_t at = 0;
  auto word = [&](std::string_view w) {
    while (at < code.size() && code[at] == ' ') ++at;
    if (code.compare(at, w.size(), w) != 0) return false;
    at += w.size();
    return true;
  };
  StateAssert a;
  if (!word("assert") || !word("tcpi_state")) return std::nullopt;
  if (word("==")) a.equal = true;
  else if (word("!=")) a.equal = false;
  else return std::nullopt;
  while (at < code.size() && code[at] == ' ') ++at;
  const std::size_t from = at;
  while (at < code.size() && (std::isalnum(static_cast<unsigned char>(code[at])) || code[at] == '_')) ++at;
  a.name = code.substr(from, at - from);
  while (at < code.size() && code[at] == ' ') ++at;
  if (a.name.empty() || (at < code.size() && code[at] != ',')) return std::nullopt;
  return a;
}

// The names `#ifdef` sees under each profile: the stack's own (packetdrill defines its OS).
std::vector<std::string> profile_defines(Profile p) {
  switch (p) {
    case Profile::Linux: return {"Linux"};
    case Profile::FreeBsd: return {"FreeBSD"};
    case Profile::Reference:
    case Profile::Rfc9293:
    case Profile::Smoltcp: return {};
  }
  return {};
}

// The script as the preprocessor leaves it: statements and options outside a false #ifdef.
Script compiled(const Script& s, const std::vector<std::string>& defined) {
  Script out;
  out.filename = s.filename;
  out.profile = s.profile;
  for (const HeaderOption& h : s.options)
    if (active(h.when, defined)) out.options.push_back(h);
  for (const Statement& st : s.statements)
    if (active(st.when, defined)) out.statements.push_back(st);
  return out;
}

const char* const kSupportedCalls[] = {"socket", "setsockopt", "getsockopt", "bind", "listen",
                                       "accept", "connect", "write", "send", "read", "recv",
                                       "shutdown", "close", "fcntl"};

class Runner {
 public:
  Runner(const Script& s, const Options& o) : s_(s), opt_(o) {
    binds_.reuse_rule = o.config.bind_reuse;
    // No script reaches it: 32 slots fill long before the 16384 ports of the default range.
    binds_.ports_exhausted = o.config.ports_exhausted;
    out_.file = s.filename;
    out_.profile = name(o.profile);
  }

  Outcome run() {
    try {
      header();
      prescan();
      for (std::size_t i = 0; i < s_.statements.size(); ++i) statement(i);
      finish();
    } catch (const Stop&) {
    }
    return out_;
  }

 private:
  const Script& s_;
  Options opt_;
  Outcome out_;
  BindTable<32> binds_;
  std::vector<Conn> conns_;
  std::map<int, Sock> socks_;
  std::deque<Emitted> outq_;
  std::int64_t clock_us_ = 0;  // timers have been processed up to here
  std::int64_t last_us_ = 0;   // the previous statement's time, base of "+d"
  std::int64_t tol_us_ = kDefaultToleranceUs;
  Seq local_isn_ = kFirstIss;
  Seq next_iss_ = kFirstIss;
  std::uint64_t tfo_bits_ = 1;  // net.ipv4.tcp_fastopen: Linux's default, the client bit only
  std::uint16_t local_port_ = kServerPort;
  std::uint16_t remote_port_ = kRemoteEphemeral;
  std::optional<Pending> pending_;
  const Statement* cur_ = nullptr;
  bool ipv6_ = false;  // --ip_version=ipv6: the link MSS and the default MSS differ
  std::string ip_version_ = "ipv4";  // as the header gives it (packetdrill's default: ipv4)

  // ----- verdicts ---------------------------------------------------------------------------

  [[noreturn]] void unsupported(const Statement& st, const std::string& feature) {
    out_.verdict = Verdict::Unsupported;
    out_.loc = st.loc;
    out_.script_line = st.text;
    out_.message = feature;
    throw Stop{};
  }
  [[noreturn]] void mismatch(const Statement& st, const std::string& msg, const std::string& expected,
                             const std::string& actual) {
    out_.verdict = Verdict::Mismatch;
    out_.loc = st.loc;
    out_.script_line = st.text;
    out_.message = msg;
    out_.expected = expected;
    out_.actual = actual;
    out_.state = state();
    throw Stop{};
  }
  [[noreturn]] void script_error(const Statement& st, const std::string& msg) {
    out_.verdict = Verdict::ParseError;
    out_.loc = st.loc;
    out_.script_line = st.text;
    out_.message = msg;
    throw Stop{};
  }
  void note(const std::string& n) {
    if (std::find(out_.notes.begin(), out_.notes.end(), n) == out_.notes.end()) out_.notes.push_back(n);
  }

  // ----- text -------------------------------------------------------------------------------

  std::string rel_segment(const Segment& seg) const {
    const Seq seq = seg.has(flag::RST) && seg.seq == 0 && !seg.has(flag::SYN) ? 0 : seg.seq - local_isn_;
    std::string o = fmt::format("{} {}:{}({})", flag_text(seg.flags).text, seq, seq + seg.len, seg.len);
    if (seg.has(flag::ACK)) o += fmt::format(" ack {}", seg.ack - kRemoteIsn);
    if (seg.has_ts) o += fmt::format(" <TS val {} ecr {}>", seg.ts_val, seg.ts_ecr);
    return o;
  }

  std::string rel_tcb(const Tcb& t) const {
    std::string o = name(t.state);
    if (is_synchronized(t.state) || t.state == State::SynSent) {
      o += fmt::format(" snd.una={} snd.nxt={}", t.snd_una - local_isn_, t.snd_nxt - local_isn_);
      if (t.state != State::SynSent) o += fmt::format(" rcv.nxt={}", t.rcv_nxt - kRemoteIsn);
      if (t.rcv_wnd != opt_.config.rcv_wnd) o += fmt::format(" rcv.wnd={}", t.rcv_wnd);
    }
    if (t.fin_sent) o += fmt::format(" our-fin={}{}", t.fin_seq - local_isn_, t.fin_acked ? "(acked)" : "(unacked)");
    if (t.fin_rcvd) o += " peer-fin-received";
    if (t.rcv_unread > 0) o += fmt::format(" unread={}", t.rcv_unread);
    if (t.so_error != Err::None) o += fmt::format(" so_error={}", name(t.so_error));
    if (t.wr_shut) o += " shut-wr";
    if (t.ts_ok) o += fmt::format(" ts.recent={}", t.ts_recent);
    for (std::size_t i = 0; i < kTimerCount; ++i)
      if (t.deadline[i] != kNever)
        o += fmt::format(" {}-timer@{}", name(static_cast<Timer>(i)), secs(std::int64_t{t.deadline[i]} * tick()));
    return o;
  }

  std::string state() const {
    std::string o;
    for (const auto& [fd, sk] : socks_) {
      if (sk.listening) o += fmt::format("fd {}: listening on port {}\n", fd, kServerPort);
      else if (sk.conn >= 0) o += fmt::format("fd {}: {}\n", fd, rel_tcb(conns_[static_cast<std::size_t>(sk.conn)].tcb));
      else o += fmt::format("fd {}: socket, {}\n", fd, sk.slot >= 0 ? "bound" : "unbound");
    }
    for (const Conn& c : conns_) {
      if (c.fd >= 0 || c.gone) continue;
      o += fmt::format("{}: {}\n", c.listener >= 0 ? "not yet accepted" : "orphan (closed by the application)",
                       rel_tcb(c.tcb));
    }
    for (const Emitted& e : outq_) o += fmt::format("sent, not yet matched: {} at {}\n", rel_segment(e.seg), secs(e.at_us));
    o += fmt::format("clock {} (tick {} us), profile {}", secs(clock_us_), tick(), name(opt_.profile));
    return o;
  }

  std::int64_t tick() const { return opt_.config.tick_us == 0 ? 1 : opt_.config.tick_us; }
  std::uint32_t ticks(std::int64_t us) const { return static_cast<std::uint32_t>(us / tick()); }

  // ----- header and pre-scan -----------------------------------------------------------------

  void header() {
    for (const HeaderOption& h : s_.options) {
      if (h.name == "ip_version") {
        ipv6_ = h.value == "ipv6";
        ip_version_ = h.value;
      }
      if (h.name == "tolerance_usecs") {
        const auto v = int_arg(h.value);
        if (!v || *v < 0) {
          out_.verdict = Verdict::ParseError; out_.loc = h.loc;
          out_.message = "--tolerance_usecs needs a non-negative integer";
          throw Stop{};
        }
        tol_us_ = *v;
      } else if (h.name != "ip_version") {
        note(fmt::format("header --{}{}{} accepted and ignored: it does not change the core's behaviour", h.name,
                         h.value.empty() ? "" : "=", h.value));
      }
    }
    if (opt_.tolerance_us) {
      // packetdrill parse_and_finalize_config: command line options overwrite the script's.
      if (*opt_.tolerance_us != tol_us_)
        note(fmt::format("--tolerance_usecs={} from the command line overrides the script's {}", *opt_.tolerance_us, tol_us_));
      tol_us_ = *opt_.tolerance_us;
    }
  }

  std::string static_unsupported(const Statement& st) const {
    switch (st.kind) {
      case Statement::Kind::Shell: {
        if (opt_.ignore_shell) return {};
        if (is_sockstat(st.body)) return sockstat_unsupported(st.body);
        if (is_tcpdrop(st.body)) return tcpdrop_unsupported(st.body);
        Config scratch = opt_.config;
        return run_shell(st.body, opt_.profile, scratch).unsupported;
      }
      case Statement::Kind::Python:
        if (state_assert(st.body)) return {};
        return "a Python block (%{ }%): of tcp_info only one-line 'assert tcpi_state == TCP_...' and "
               "'assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0' asserts are modelled";
      case Statement::Kind::Packet: {
        if (!st.packet.unsupported.empty()) return st.packet.unsupported;
        for (const TcpOption& o : st.packet.options) {
          // Linux server Fast Open: an FO option on a SYN is read (inbound) or not compared
          // (outbound SYN,ACK); elsewhere, and the client side, it is not modelled.
          const bool fo_on_syn = o.name == "FO" && opt_.profile == Profile::Linux && (st.packet.flags & flag::SYN);
          if (fo_on_syn) continue;
          if (o.name == "FO" || o.name == "exp" || o.name == "tfo") return "TCP Fast Open (" + o.name + " option)";
          if (o.name == "md5") return "TCP MD5 signatures";
          if (o.name == "sack") return "SACK blocks (the core has no retransmission queue)";
        }
        return {};
      }
      case Statement::Kind::Syscall: {
        const std::string& n = st.call.name;
        if (std::find(std::begin(kSupportedCalls), std::end(kSupportedCalls), n) == std::end(kSupportedCalls))
          return "the system call " + n + "()";
        return {};
      }
    }
    return {};
  }

  void prescan() {
    for (const Statement& st : s_.statements) {
      const std::string why = static_unsupported(st);
      if (!why.empty()) unsupported(st, why);
    }
  }

  // ----- time -------------------------------------------------------------------------------

  std::int64_t start_of(const Statement& st) {
    switch (st.time.kind) {
      case TimeSpec::Kind::Any: return last_us_;
      case TimeSpec::Kind::Relative: return last_us_ + st.time.us;
      case TimeSpec::Kind::Absolute: return st.time.us;
    }
    return last_us_;
  }

  // Fire every timer due by `limit`; stop after the first segment when `until_send`.
  void fire_timers(std::int64_t limit, bool until_send) {
    for (int guard = 0; guard < 100000; ++guard) {
      std::size_t best = conns_.size();
      Timer bt = Timer::Rexmit;
      std::int64_t at = 0;
      for (std::size_t i = 0; i < conns_.size(); ++i) {
        const Conn& c = conns_[i];
        if (c.gone) continue;
        for (std::size_t k = 0; k < kTimerCount; ++k) {
          const std::uint32_t d = c.tcb.deadline[k];
          if (d == kNever) continue;
          const std::int64_t us = std::int64_t{d} * tick();
          if (best == conns_.size() || us < at) { best = i; bt = static_cast<Timer>(k); at = us; }
        }
      }
      if (best == conns_.size() || at > limit) return;
      clock_us_ = std::max(clock_us_, at);
      const Output o = step(conns_[best].tcb, Input::timeout(conns_[best].tcb.at(bt), bt), conns_[best].cfg);
      apply(best, o);
      if (until_send && !outq_.empty()) return;
    }
  }

  std::uint32_t now_ticks() const { return ticks(clock_us_); }

  void advance_to(std::int64_t t) {
    fire_timers(t, false);
    clock_us_ = std::max(clock_us_, t);
  }

  void expect_quiet(const Statement& st) {
    // Unlisted::Packetdrill: packetdrill reads the stack's segments only when a line expects
    // one (sniff_outbound_live_packet), so an unlisted segment stays queued and fails the next
    // outbound line it does not match, or nothing if no outbound line follows.
    if (outq_.empty() || opt_.unlisted == Unlisted::Packetdrill) return;
    const Emitted e = outq_.front();
    mismatch(st, "the core sent a segment that the script does not expect before this line",
             "no segment before this line", fmt::format("sent {} at {}", rel_segment(e.seg), secs(e.at_us)));
  }

  // ----- the core's outputs -----------------------------------------------------------------

  void apply(std::size_t ci, const Output& o) {
    Conn& c = conns_[ci];
    c.tcb = o.tcb;
    if (const Segment* seg = o.actions.sent()) outq_.push_back({*seg, clock_us_, static_cast<int>(ci)});
    count_skbs(c, o);
    if (o.actions.has(ActionKind::Connected) && c.listener >= 0) c.ready = true;
    if (c.slot >= 0) binds_.set_state(static_cast<std::size_t>(c.slot), c.tcb.state);
    if (c.tcb.state == State::Closed || c.tcb.state == State::Listen) {
      // The 4-tuple is free. A passive connection reset back to LISTEN just disappears.
      if (c.slot >= 0) binds_.release(static_cast<std::size_t>(c.slot));
      c.slot = -1;
      // Linux inet_csk_accept returns a queued child whatever its state: one reset before
      // accept() stays queued, its data readable (the selftests' tcp_fastopen_server_reset-*).
      const bool queued = c.listener >= 0 && c.ready && opt_.profile == Profile::Linux;
      if (c.fd < 0 && !queued) c.gone = true;
      if (c.listener >= 0 && !c.ready) c.gone = true;
      if (c.fd >= 0) {
        auto it = socks_.find(c.fd);
        if (it != socks_.end()) it->second.slot = -1;
      }
    }
    window_from_buffer(c);
  }

  // FreeBSD's RCV.WND, under the freebsd profile only: the room in the receive buffer, rounded
  // to whole segments once the peer's SYN is in (freebsd_buffers.hpp; 65536 -> 65700 at MSS
  // 1460). Not modelled: receive-buffer autosizing (net.inet.tcp.recvbuf_auto), which grows the
  // buffer during bulk transfers, and the mbuf limit of sbspace(), which the few bytes here never reach.
  void freebsd_window(Conn& c) const {
    if (opt_.profile != Profile::FreeBsd || !c.peer_syn || c.tcb.state == State::Closed) return;
    const bool syncache = c.tcb.state == State::SynReceived && c.listener >= 0;
    c.tcb.rcv_wnd = freebsd::rcv_wnd(syncache, c.rcv_hiwat, segment_size(c), c.tcb.rcv_unread);
  }

  // RCV.WND from the socket's receive buffer, where the profile derives it: before each segment.
  void window_from_buffer(Conn& c) const {
    freebsd_window(c);
    linux_window(c);
  }

  // Linux's RCV.WND once SO_RCVBUF has fixed sk_rcvbuf (linux_buffers.hpp); without it the
  // buffer is autotuned from tcp_rmem and the profile's rcv_wnd stands.
  void linux_window(Conn& c) const {
    if (opt_.profile != Profile::Linux || c.linux_rcvbuf == 0 || !c.peer_syn || c.tcb.state == State::Closed) return;
    const std::uint32_t mss = linux_buffers::adv_mss(ipv6_, c.tcb.ts_ok);
    c.tcb.rcv_wnd = linux_buffers::rcv_wnd(c.linux_rcvbuf, mss, c.tcb.rcv_unread);
  }

  Config conn_config(const Sock& sk) const {
    Config c = opt_.config;
    if (sk.linger2_ms) c.fin_wait2_timeout = *sk.linger2_ms;
    if (opt_.profile == Profile::FreeBsd && sk.snd_hiwat > 0) c.snd_buf = sk.snd_hiwat;
    if (opt_.profile == Profile::Linux && sk.linux_sndbuf > 0) c.snd_buf = sk.linux_sndbuf;
    return c;
  }

  // Linux SO_SNDBUF (linux_buffers::write_fits): a bound on the skbs that hold the bytes not yet
  // acknowledged. Each segment sent may split one; none is left once everything is acknowledged.
  static void count_skbs(Conn& c, const Output& o) {
    if (c.linux_sndbuf == 0) return;
    if (const Segment* seg = o.actions.sent(); seg && seg->len > 0) ++c.skb_bound;
    if (c.tcb.snd_una == c.tcb.snd_nxt) c.skb_bound = 0;
  }

  Seq take_iss() {
    const Seq iss = next_iss_;
    next_iss_ += 1000000u;  // a new connection's ISS moves on, as the RFC 9293 clock does
    return iss;
  }

  // ----- statements -------------------------------------------------------------------------

  void statement(std::size_t i) {
    const Statement& st = s_.statements[i];
    cur_ = &st;
    const std::int64_t t = start_of(st);
    if (st.time.kind != TimeSpec::Kind::Any && t < last_us_ && st.time.kind == TimeSpec::Kind::Absolute)
      script_error(st, fmt::format("time {} is before the previous statement's {}", secs(t), secs(last_us_)));
    if (t < 0) script_error(st, "the time is negative");
    if (t / tick() >= std::int64_t{kNever} / 2)
      unsupported(st, "a time beyond half the core's 32-bit tick clock (about 24 days at 1 ms per tick)");
    if (pending_ && t > pending_->end_us + tol_us_) complete_pending();
    last_us_ = t;
    dispatch(st, i, t);
    // A blocking call returns as soon as what it waits for has happened.
    if (pending_ && pending_->stmt != i) {
      const Result r = resume(s_.statements[pending_->stmt]);
      if (!r.blocked) {
        const Statement& call = s_.statements[pending_->stmt];
        pending_.reset();
        check_result(call, r);
      }
    }
  }

  void dispatch(const Statement& st, std::size_t i, std::int64_t t) {
    switch (st.kind) {
      case Statement::Kind::Packet:
        if (st.packet.inbound) inbound(st, t);
        else outbound(st, t);
        return;
      case Statement::Kind::Syscall: syscall(i, st, t); return;
      case Statement::Kind::Shell: shell(st, i, t); return;
      case Statement::Kind::Python: python(st, t); return;
    }
  }

  // A backtick line: a sockstat state check, or sysctl settings that become knob overrides for
  // the sockets created later.
  void shell(const Statement& st, std::size_t i, std::int64_t t) {
    if (opt_.ignore_shell) {
      note(fmt::format("line {}: shell command not run (--ignore-shell): {}", st.loc.line, st.text));
      return;
    }
    if (is_sockstat(st.body)) return sockstat(st, t);
    if (is_tcpdrop(st.body)) return tcpdrop(st, i, t);
    const ShellEffect eff = run_shell(st.body, opt_.profile, opt_.config);
    if (!eff.unsupported.empty()) unsupported(st, eff.unsupported);
    if (eff.tcp_fastopen) tfo_bits_ = *eff.tcp_fastopen;
    for (const std::string& n : eff.notes) note(fmt::format("line {}: {}", st.loc.line, n));
  }

  // Why a sockstat line cannot be a check here, or empty when it can (sockstat.hpp). sockstat is
  // FreeBSD's command; the replay's sockets are all of the script's family, IPv4 or IPv6.
  std::string sockstat_unsupported(std::string_view body) const {
    const std::string text = trim(std::string(body));
    if (opt_.profile != Profile::FreeBsd)
      return fmt::format("a shell command '{}': sockstat is FreeBSD's, and the profile is {}", text, name(opt_.profile));
    if (!parse_sockstat(body))
      return fmt::format("a shell command '{}': not one of the sockstat forms the replay checks (docs/conformance.md)", text);
    if (ip_version_ != "ipv4" && ip_version_ != "ipv6")
      return fmt::format("a shell command '{}': sockstat under --ip_version={} (which of -4 and -6 lists a mapped "
                         "socket is not modelled)", text, ip_version_);
    return {};
  }

  // Why a tcpdrop line cannot run here, or empty when it can (tcpdrop.hpp).
  std::string tcpdrop_unsupported(std::string_view body) const {
    const std::string text = trim(std::string(body));
    if (opt_.profile != Profile::FreeBsd)
      return fmt::format("a shell command '{}': tcpdrop is FreeBSD's, and the profile is {}", text, name(opt_.profile));
    std::string why;
    if (!parse_tcpdrop(body, why)) return fmt::format("a shell command '{}': {}", text, why);
    return {};
  }

  // Whether any packet line comes after statement i: the segments a cleanup command makes the
  // core send are judged only then (docs/conformance.md, "The clock").
  bool packet_line_after(std::size_t i) const {
    for (std::size_t k = i + 1; k < s_.statements.size(); ++k)
      if (s_.statements[k].kind == Statement::Kind::Packet) return true;
    return false;
  }

  // `tcpdrop -s STATE`: FreeBSD's tcpdrop(8) drops every connection in STATE but listeners
  // through sysctl_drop() -> tcp_drop(tp, ECONNABORTED), which is the core's abort under the
  // freebsd profile (Config::abort_rst_any_synced: a RST from every state that has the SYN).
  // A listener's SYN-RECEIVED connection is a syncache entry without an inpcb: sysctl_drop()
  // finds nothing (ESRCH) and tcpdrop exits 1, which the replay does not model.
  void tcpdrop(const Statement& st, std::size_t i, std::int64_t t) {
    advance_to(t);
    expect_quiet(st);
    const std::string why = tcpdrop_unsupported(st.body);
    if (!why.empty()) unsupported(st, why);
    std::string ignored;
    const TcpdropCommand cmd = *parse_tcpdrop(st.body, ignored);
    const std::size_t before = outq_.size();
    std::size_t n = 0;
    for (std::size_t ci = 0; ci < conns_.size(); ++ci) {
      Conn& c = conns_[ci];
      if (c.gone || c.tcb.state != cmd.state) continue;
      if (c.tcb.state == State::SynReceived && c.listener >= 0)
        unsupported(st, fmt::format("a shell command '{}': it would drop a syncache entry (sysctl_drop() finds no "
                                    "inpcb: ESRCH, and tcpdrop exits 1)", trim(st.body)));
      apply(ci, step(c.tcb, Input::abort(now_ticks()), c.cfg));
      if (c.fd >= 0) {
        auto it = socks_.find(c.fd);
        if (it != socks_.end()) it->second.dropped = true;
      }
      ++n;
    }
    note(fmt::format("line {}: tcpdrop dropped {} connection{} in {} (tcp_drop(), the core's abort)", st.loc.line, n,
                     n == 1 ? "" : "s", sockstat_name(cmd.state)));
    if (outq_.size() == before) return;
    if (packet_line_after(i)) {
      note(fmt::format("line {}: what tcpdrop sent is judged: a packet line follows", st.loc.line));
      return;
    }
    // packetdrill checks outbound packets only against its '>' lines: after the last one, a
    // final cleanup command's RST is never looked at. Only this command's segments are let go.
    while (outq_.size() > before) {
      note(fmt::format("line {}: tcpdrop sent {} at {}: not judged, no packet line follows this final cleanup "
                       "command (packetdrill checks no outbound packet after the script's last line)",
                       st.loc.line, rel_segment(outq_.back().seg), secs(outq_.back().at_us)));
      outq_.pop_back();
    }
  }

  // What sockstat -P tcp lists of the script's sockets: each descriptor the script holds (a
  // listener is LISTEN, a socket without a connection CLOSED), then each connection no
  // descriptor holds: orphans left by close(), TIME-WAIT included, connections not yet accepted
  // and SYN-RECEIVED ones of a listener (FreeBSD's syncache_pcblist() exports those too).
  std::vector<ListedSocket> sockstat_listing() const {
    std::vector<ListedSocket> out;
    for (const auto& [fd, sk] : socks_) {
      ListedSocket l{sk.listening ? State::Listen : State::Closed, ipv6_, true, 0, 0};
      if (sk.slot >= 0) l.local_port = binds_.slots[static_cast<std::size_t>(sk.slot)].tuple.local.port;
      if (sk.conn >= 0) {
        const Conn& c = conns_[static_cast<std::size_t>(sk.conn)];
        l.state = c.gone ? State::Closed : c.tcb.state;
        l.local_port = c.local_port;
        l.foreign_port = c.foreign_port;
      }
      out.push_back(l);
    }
    for (const Conn& c : conns_)
      if (c.fd < 0 && !c.gone && c.tcb.state != State::Closed)
        out.push_back(ListedSocket{c.tcb.state, ipv6_, false, c.local_port, c.foreign_port});
    return out;
  }

  // A sockstat line: the count of the script's sockets in a state, as `grep N` would judge it.
  void sockstat(const Statement& st, std::int64_t t) {
    advance_to(t);
    const std::string why = sockstat_unsupported(st.body);
    if (!why.empty()) unsupported(st, why);
    const SockstatCheck c = *parse_sockstat(st.body);
    const std::size_t n = sockstat_count(c, sockstat_listing());
    const std::string which = c.own_process ? "held by the script's process" : fmt::format("on port {}", c.port.value_or(0));
    const std::string what = fmt::format("{} {} socket{} in {} {}", n, c.ipv6 ? "IPv6" : "IPv4", n == 1 ? "" : "s",
                                         sockstat_name(c.state), which);
    note(fmt::format("line {}: sockstat lists {}", st.loc.line, what));
    if (!sockstat_passes(c, n))
      mismatch(st, fmt::format("sockstat lists {}; the script expects {} (grep {})", what, c.count, c.count),
               fmt::format("{} count {}", sockstat_name(c.state), c.count),
               fmt::format("{} count {}", sockstat_name(c.state), n));
  }

  // Linux tcp_get_info: TCPI_OPT_SYN_DATA when tp->syn_data_acked, which tcp_fastopen_add_skb
  // sets for a Fast Open child (the core never sends text on its own SYN).
  bool syn_data_under_test() const { return !conns_.empty() && conns_.back().syn_data; }

  // The socket packetdrill's tcp_info reads: the newest connection, else a listener. With
  // Config::tw_socket_closed (Linux tcp_time_wait() -> tcp_done()) a socket whose connection is in
  // TIME-WAIT is CLOSED: the connection lives on in a timewait socket the application cannot see.
  State under_test() const {
    if (!conns_.empty()) {
      const Conn& c = conns_.back();
      if (c.gone || (c.tcb.state == State::TimeWait && c.cfg.tw_socket_closed)) return State::Closed;
      return c.tcb.state;
    }
    for (const auto& [fd, sk] : socks_)
      if (sk.listening) return State::Listen;
    return State::Closed;
  }

  void python(const Statement& st, std::int64_t t) {
    advance_to(t);
    const auto a = state_assert(st.body);
    if (!a) unsupported(st, static_unsupported(st));
    if (a->name == "TCPI_OPT_SYN_DATA") {
      if (syn_data_under_test() != a->equal)
        mismatch(st, fmt::format("tcpi_options {} TCPI_OPT_SYN_DATA", syn_data_under_test() ? "has" : "lacks"),
                 fmt::format("(tcpi_options & TCPI_OPT_SYN_DATA) {} 0", a->equal ? "!=" : "=="),
                 syn_data_under_test() ? "set" : "clear");
      return;
    }
    const auto want = state_by_tcpi(a->name);
    if (!want) script_error(st, "unknown TCP state '" + a->name + "' in the tcpi_state assert (expected TCP_ESTABLISHED, TCPS_... or TCPI_...)");
    const State is = under_test();
    if ((is == *want) != a->equal)
      mismatch(st, fmt::format("tcpi_state is {} ({})", tcpi_name(is), name(is)),
               fmt::format("tcpi_state {} {}", a->equal ? "==" : "!=", a->name), fmt::format("tcpi_state = {}", tcpi_name(is)));
  }

  void finish() {
    if (pending_) complete_pending();
    if (!outq_.empty() && opt_.unlisted == Unlisted::Packetdrill) {
      for (const Emitted& e : outq_)
        note(fmt::format("not read, as packetdrill does not read past the last outbound line (--unlisted packetdrill): "
                         "sent {} at {}", rel_segment(e.seg), secs(e.at_us)));
      return;
    }
    if (!outq_.empty() && !s_.statements.empty()) {
      const Statement& last = s_.statements.back();
      const Emitted e = outq_.front();
      mismatch(last, "the core sent a segment after the script's last expected one",
               "no further segment", fmt::format("sent {} at {}", rel_segment(e.seg), secs(e.at_us)));
    }
  }

  // '<': the remote peer's segment, into the local stack.
  void inbound(const Statement& st, std::int64_t t) {
    advance_to(t);
    expect_quiet(st);
    const Packet& p = st.packet;
    Segment seg;
    seg.flags = p.flags;
    seg.seq = kRemoteIsn + p.start;
    seg.len = p.len;
    if (p.has_ack) seg.ack = local_isn_ + p.ack;
    else if ((p.flags & flag::ACK) && (p.flags & flag::RST)) {
      // packetdrill's grammar: a missing 'ack' is 0 (opt_ack), relative as any other. Only for
      // a RST, which the synchronized states judge by its sequence number alone.
      seg.ack = local_isn_;
      note(fmt::format("line {}: 'R.' without 'ack N': ack 0, as packetdrill sends it", st.loc.line));
    } else if (p.flags & flag::ACK) script_error(st, "an inbound segment with '.' needs 'ack N'");
    seg.wnd = p.has_win ? p.win : kDefaultPeerWindow;
    for (const TcpOption& o : p.options) {
      if (o.name == "TS") { seg.has_ts = true; seg.ts_val = o.a; seg.ts_ecr = o.b; }
      else if (o.name == "sackOK") seg.sack_perm = true;  // negotiates SACK: Config::tail_loss_probe reads it
      else if (o.name != "nop" && o.name != "eol") note(fmt::format("inbound option {} accepted, not modelled", o.name));
    }
    if (p.has_win && (p.flags & flag::SYN) == 0) {}  // the peer's window feeds SND.WND as written (no scaling)
    const FourTuple tuple{Endpoint{kLocalAddr, local_port_, 0}, Endpoint{kRemoteAddr, remote_port_, 0}};
    const Demux d = binds_.demux(tuple);
    if (d.kind == Demux::Connection) {
      for (std::size_t ci = 0; ci < conns_.size(); ++ci) {
        if (conns_[ci].gone || conns_[ci].slot != d.slot) continue;
        const bool was_syn_sent = conns_[ci].tcb.state == State::SynSent;
        if (was_syn_sent) simultaneous_open_text(st, conns_[ci].cfg);
        const Output o = step(conns_[ci].tcb, Input::segment(now_ticks(), seg, take_iss()), conns_[ci].cfg);
        if (o.effects & effect::Reopened) ci = reopened(ci);
        apply(ci, o);
        if ((p.flags & flag::SYN) && (was_syn_sent || (o.effects & effect::Reopened))) peer_syn(conns_[ci], p);
        return;
      }
    }
    if (d.kind == Demux::Listener) {
      for (auto& [fd, sk] : socks_) {
        if (!sk.listening || sk.slot != d.slot) continue;
        Config cfg = conn_config(sk);
        cfg.fast_open = fast_open_for(st, sk, cfg);
        const Output o = step(sk.listen_tcb, Input::segment(now_ticks(), seg, take_iss()), cfg);
        if (o.tcb.state != State::SynReceived) {  // a RST for a stray ACK, or nothing
          if (const Segment* r = o.actions.sent()) outq_.push_back({*r, clock_us_, -1});
          return;
        }
        const BindResult b = binds_.accept(static_cast<std::size_t>(sk.slot), tuple.remote);
        if (b.err != Err::None) mismatch(st, "the binding table refused the new connection", "a new connection", name(b.err));
        Conn c;
        c.cfg = cfg;
        c.slot = b.slot;
        c.listener = fd;
        c.rcv_hiwat = sk.rcv_hiwat;  // sonewconn(): the new socket takes the listener's buffer sizes
        c.linux_rcvbuf = sk.linux_rcvbuf;  // Linux sk_clone_lock() copies sk_rcvbuf, sk_sndbuf and sk_userlocks
        c.linux_sndbuf = sk.linux_sndbuf;
        c.local_port = local_port_;
        c.foreign_port = remote_port_;
        // Linux tcp_try_fastopen -> tcp_fastopen_create_child: a child that kept the SYN's text is
        // queued for accept() at once, still in SYN-RECEIVED (inet_csk_reqsk_queue_add).
        c.syn_data = c.ready = (o.effects & effect::Data) != 0;
        peer_syn(c, p);
        conns_.push_back(c);
        apply(conns_.size() - 1, o);
        return;
      }
    }
    // No socket: RFC 9293 §3.10.7.1, answered by a CLOSED TCB.
    const Output o = step(Tcb{}, Input::segment(now_ticks(), seg), opt_.config);
    if (const Segment* r = o.actions.sent()) outq_.push_back({*r, clock_us_, -1});
  }

  // Under syn_sent_text (FreeBSD), a SYN without ACK that carries text in SYN-SENT: FreeBSD
  // tcp_do_segment goes to SYN-RECEIVED and queues the text in tcp_reass until ESTABLISHED,
  // dropping its FIN; the core has no reassembly queue to hold it (Linux discards it, as the
  // core does).
  void simultaneous_open_text(const Statement& st, const Config& cfg) {
    const Packet& p = st.packet;
    const bool synfin_dropped = cfg.drop_synfin && (p.flags & flag::FIN);
    if (cfg.syn_sent_text && (p.flags & flag::SYN) && !(p.flags & (flag::ACK | flag::RST)) && p.len > 0 && !synfin_dropped)
      unsupported(st, "data on a SYN in SYN-SENT (simultaneous open): FreeBSD holds it in its reassembly queue "
                      "(tcp_reass) until ESTABLISHED, which the core does not have");
  }

  // Linux tcp_try_fastopen: may this SYN's text be kept? Always with the knob fast_open (0x602,
  // --fast-open). Otherwise it needs the server bit, a Fast Open queue (TCP_FASTOPEN on the
  // listener, or 0x400) and no cookie check (0x200) or a valid cookie. A cookie is a MAC of the
  // addresses under tcp_fastopen_key, which the replay does not compute: it takes the selftests
  // runner's -D TFO_COOKIE, by name, as the valid cookie and any other cookie as invalid.
  bool fast_open_for(const Statement& st, const Sock& sk, const Config& cfg) {
    const Packet& p = st.packet;
    const auto fo = std::find_if(p.options.begin(), p.options.end(), [](const TcpOption& o) { return o.name == "FO"; });
    bool keeps = cfg.fast_open;
    if (!keeps && opt_.profile == Profile::Linux && (tfo_bits_ & kFastOpenServer) &&
        (sk.fastopen_queue || (tfo_bits_ & kFastOpenWithoutSockopt)))
      keeps = (tfo_bits_ & kFastOpenNoCookie) || (fo != p.options.end() && fo->arg == "TFO_COOKIE");
    if (keeps && p.len == 0 && fo != p.options.end() && (p.flags & flag::SYN) && !(p.flags & flag::ACK))
      unsupported(st, "a Fast Open SYN without data: Linux makes a child that accept() returns at once, which the "
                      "core cannot tell from a plain SYN-RECEIVED");
    return keeps;
  }

  // The peer's SYN and its MSS: FreeBSD's tcp_mss() rounds the send buffer (the core's snd_buf)
  // up to whole segments; SO_RCVBUF and SO_SNDBUF report the rounded sizes.
  void peer_syn(Conn& c, const Packet& p) {
    c.peer_syn = true;
    c.peer_mss.reset();
    for (const TcpOption& o : p.options)
      if (o.name == "mss") c.peer_mss = o.a;
    if (opt_.profile == Profile::FreeBsd) c.cfg.snd_buf = rounded(c.cfg.snd_buf, segment_size(c));
    window_from_buffer(c);
  }

  // TIME-WAIT reopened by a SYN: the new incarnation is a new child of the listener, if any.
  // A descriptor that still refers to the TIME-WAIT connection (after shutdown(), not close())
  // keeps the old, now closed, connection; the new incarnation is a new connection with no
  // descriptor (FreeBSD tcp_twcheck drops the old tcpcb and the listener's syncache makes the
  // new one). Returns the index the new incarnation lives at.
  std::size_t reopened(std::size_t ci) {
    if (conns_[ci].fd >= 0) {
      Conn fresh = conns_[ci];
      fresh.fd = -1;
      conns_[ci].tcb = Tcb{};
      conns_[ci].slot = -1;
      if (auto it = socks_.find(conns_[ci].fd); it != socks_.end()) it->second.slot = -1;
      conns_.push_back(fresh);
      ci = conns_.size() - 1;
      note("a SYN reopened a TIME-WAIT connection that a descriptor still refers to: that descriptor keeps the old one");
    }
    Conn& c = conns_[ci];
    c.listener = -1;
    c.ready = false;
    for (auto& [fd, sk] : socks_)
      if (sk.listening) { c.listener = fd; break; }
    note("a SYN reopened a TIME-WAIT connection (its new incarnation waits for accept())");
    return ci;
  }

  // '>': the segment the local stack must send.
  void outbound(const Statement& st, std::int64_t t) {
    const Packet& p = st.packet;
    std::int64_t lo = t, hi = t;
    // '+a~+b': both ends from the previous statement's time, as packetdrill's
    // adjust_relative_event_times offsets time_usecs and time_usecs_end alike (last_us_ is t now).
    const std::int64_t base = st.time.kind == TimeSpec::Kind::Relative ? t - st.time.us : t;
    if (st.time.end == TimeSpec::End::Window) hi = st.time.end_relative ? base + st.time.end_us : st.time.end_us;
    const bool any_time = st.time.kind == TimeSpec::Kind::Any;
    if (any_time) hi = clock_us_ + 3600ll * 1000000;
    if (outq_.empty()) fire_timers(hi + tol_us_, true);
    const std::string want = st.text.substr(st.text.find('>') + 1);
    if (outq_.empty()) {
      clock_us_ = std::max(clock_us_, hi + tol_us_);
      mismatch(st, "the script expects a segment, the core sent nothing", fmt::format("{} at {}", trim(want), secs(t)),
               fmt::format("nothing sent by {}", secs(hi + tol_us_)));
    }
    const Emitted e = outq_.front();
    outq_.pop_front();
    clock_us_ = std::max(clock_us_, std::min(e.at_us, hi + tol_us_));
    if (!any_time && (e.at_us < lo - tol_us_ || e.at_us > hi + tol_us_))
      mismatch(st, "the segment was sent at the wrong time",
               fmt::format("{} at {}{} (tolerance {} us)", trim(want), secs(lo), hi != lo ? " to " + secs(hi) : "", tol_us_),
               fmt::format("sent {} at {}", rel_segment(e.seg), secs(e.at_us)));
    if (e.seg.has(flag::SYN)) local_isn_ = e.seg.seq - p.start;  // learn our ISN, as packetdrill does
    else if (p.seq_any) note(fmt::format("line {}: '...' sequence range: the sequence number is not compared", st.loc.line));
    std::string diff = compare(p, e.seg);
    if (!diff.empty())
      mismatch(st, diff, trim(want), fmt::format("sent {} at {}", rel_segment(e.seg), secs(e.at_us)));
    last_us_ = any_time ? e.at_us : last_us_;
    // packetdrill adjust_relative_event_times: the next relative event counts from the live time,
    // so a segment that came late in its window ('+0~+.05', a delayed ACK) moves the lines after it.
    if (st.time.end == TimeSpec::End::Window && e.at_us > last_us_) last_us_ = e.at_us;
  }

  std::string compare(const Packet& p, const Segment& a) {
    const std::uint8_t mask = flag::FIN | flag::SYN | flag::RST | flag::PSH | flag::ACK;
    if ((a.flags & mask) != (p.flags & mask))
      return fmt::format("flags differ: expected {}, the core sent {}", flag_text(p.flags).text, flag_text(a.flags).text);
    const Seq seq = a.has(flag::RST) && a.seq == 0 && p.start == 0 ? 0 : a.seq - local_isn_;
    if (!p.seq_any && seq != p.start) return fmt::format("sequence number differs: expected {}, the core sent {}", p.start, seq);
    if (a.len != p.len) return fmt::format("length differs: expected {}, the core sent {}", p.len, a.len);
    if (p.has_ack && a.has(flag::ACK) && a.ack - kRemoteIsn != p.ack)
      return fmt::format("ack differs: expected {}, the core sent {}", p.ack, a.ack - kRemoteIsn);
    if (p.has_win) note("outbound 'win N' not compared: no profile models the advertised window");
    if (p.options_any) return {};
    const TcpOption* ts = nullptr;
    std::string others;
    for (const TcpOption& o : p.options) {
      if (o.name == "TS") ts = &o;
      else if (o.name != "nop" && o.name != "eol") others += (others.empty() ? "" : ", ") + o.name;
    }
    if (!others.empty()) note(fmt::format("outbound options {} not compared: the core does not model them", others));
    if (ts && !a.has_ts) return "the script expects a TS option, the core sent none (timestamps not in use on this connection)";
    if (!ts && a.has_ts) return "the core sent a TS option, the script expects none";
    if (ts && ts->b != a.ts_ecr) return fmt::format("TS ecr differs: expected {}, the core sent {}", ts->b, a.ts_ecr);
    if (ts) note("outbound TS val not compared (the core's clock is its own); TS ecr is");
    return {};
  }

  // ----- system calls -----------------------------------------------------------------------

  struct Result {
    std::int64_t ret = 0;
    Err err = Err::None;
    bool blocked = false;  // a blocking socket would wait here
    std::string what;      // extra text for a mismatch
  };

  void check_result(const Statement& st, const Result& r) {
    const Syscall& c = st.call;
    if (r.blocked) {
      mismatch(st, c.name + "() would block on this blocking socket, and the line gives no end time (t1...t2)",
               fmt::format("{} = {}{}", c.name, c.ret, c.err.empty() ? "" : " " + c.err), "the call blocks");
    }
    const bool failed = r.err != Err::None;
    const std::string got = failed ? fmt::format("-1 {}", name(r.err)) : fmt::format("{}", r.ret);
    const std::string want = c.ret_any ? "..." : c.err.empty() ? fmt::format("{}", c.ret) : fmt::format("{} {}", c.ret, c.err);
    bool ok;
    if (c.ret_any) ok = true;
    else if (!c.err.empty()) ok = failed && c.ret == -1 && c.err == name(r.err);
    else ok = !failed && c.ret == r.ret;
    if (!c.err.empty() && !errno_by_name(c.err) && c.err != "EBADF" && c.err != "EOPNOTSUPP")
      unsupported(st, "the errno " + c.err + " (the core never returns it)");
    if (!ok)
      mismatch(st, fmt::format("{}() returned {}, the script expects {}", c.name, got, want),
               fmt::format("{}() = {}", c.name, want), fmt::format("{}() = {}{}", c.name, got, r.what));
  }

  int lowest_free_fd() const {
    int fd = kFirstFd;
    while (socks_.count(fd) != 0 || std::any_of(conns_.begin(), conns_.end(), [&](const Conn& c) { return !c.gone && c.fd == fd; })) ++fd;
    return fd;
  }

  Sock* sock_of(const Statement& st, std::size_t arg) {
    if (st.call.args.size() <= arg) script_error(st, fmt::format("{}() needs a file descriptor", st.call.name));
    const auto fd = int_arg(st.call.args[arg]);
    if (!fd) script_error(st, fmt::format("{}(): '{}' is not a file descriptor", st.call.name, st.call.args[arg]));
    auto it = socks_.find(static_cast<int>(*fd));
    return it == socks_.end() ? nullptr : &it->second;
  }

  Conn* conn_of(Sock* sk) { return sk && sk->conn >= 0 ? &conns_[static_cast<std::size_t>(sk->conn)] : nullptr; }

  Output call_core(Sock* sk, const Input& in) {
    const std::size_t ci = static_cast<std::size_t>(sk->conn);
    const Output o = step(conns_[ci].tcb, in, conns_[ci].cfg);
    apply(ci, o);
    return o;
  }

  void syscall(std::size_t i, const Statement& st, std::int64_t t) {
    advance_to(t);
    expect_quiet(st);
    // packetdrill runs every call in one system-call thread: while a blocking call is still in
    // progress the next call waits for it (await_idle_thread, 1 s), then fails the script with
    // "blocking system call while another blocking system call is already in progress". Here
    // the first call is still blocked at this time, so its check cannot be silently dropped.
    if (pending_)
      script_error(st, fmt::format("a system call while the blocking {}() of line {} is still in progress (until {}); "
                                   "packetdrill refuses this too: one system call at a time",
                                   s_.statements[pending_->stmt].call.name, s_.statements[pending_->stmt].loc.line,
                                   secs(pending_->end_us)));
    const bool blocking_form = st.time.end == TimeSpec::End::Blocking;
    Result r = perform(st);
    if (r.blocked && blocking_form) {
      const std::int64_t end = st.time.end_relative ? t + st.time.end_us : st.time.end_us;
      const auto fd = int_arg(st.call.args.empty() ? "" : st.call.args[0]);
      pending_ = Pending{i, end, fd ? static_cast<int>(*fd) : -1};
      return;
    }
    if (blocking_form) note(fmt::format("line {}: {}() did not block", st.loc.line, st.call.name));
    check_result(st, r);
  }

  // A blocking call's end time has come: it must have completed by now.
  void complete_pending() {
    const Pending p = *pending_;
    pending_.reset();
    const Statement& st = s_.statements[p.stmt];
    advance_to(p.end_us);
    Result r = resume(st);
    if (r.blocked)
      mismatch(st, fmt::format("{}() is still blocked at the end of its interval, {}", st.call.name, secs(p.end_us)),
               fmt::format("{}() returns by {}", st.call.name, secs(p.end_us)), "still blocked");
    check_result(st, r);
  }

  Result resume(const Statement& st) {
    const std::string& n = st.call.name;
    Sock* sk = sock_of(st, 0);
    if (n == "connect") {
      Conn* c = conn_of(sk);
      if (!c) return {-1, Err::NotConn, false, ""};
      if (c->tcb.state == State::SynSent || c->tcb.state == State::SynReceived) return {0, Err::None, true, ""};
      if (c->tcb.state == State::Closed) {
        Err e = c->tcb.so_error == Err::None ? Err::ConnRefused : c->tcb.so_error;
        c->tcb.so_error = Err::None;
        return {-1, e, false, ""};
      }
      return {0, Err::None, false, ""};
    }
    return perform(st);
  }

  static std::string arg(const Statement& st, std::size_t k) {
    return k < st.call.args.size() ? st.call.args[k] : std::string();
  }

  // One system call: the socket layer's part here, the TCP part in step().
  Result perform(const Statement& st) {
    const std::string& n = st.call.name;
    if (n == "socket") return call_socket(st);
    Sock* sk = sock_of(st, 0);
    if (!sk) unsupported(st, "a call on a descriptor that is not an open socket (EBADF is not modelled)");
    const int fd = static_cast<int>(*int_arg(arg(st, 0)));
    if (sk->dropped && n != "close")
      unsupported(st, fmt::format("{}() on a socket whose connection tcpdrop dropped: FreeBSD's tcp_drop() leaves "
                                  "ECONNABORTED in so_error, which the core does not model", n));
    if (n == "setsockopt") return set_option(st, *sk);
    if (n == "getsockopt") return call_getsockopt(st, *sk);
    if (n == "fcntl") return call_fcntl(st, *sk);
    if (n == "bind") return call_bind(*sk);
    if (n == "listen") return call_listen(*sk);
    if (n == "accept") return call_accept(fd, *sk);
    if (n == "connect" && arg(st, 1) == "AF_UNSPEC") return call_disconnect(st, *sk);
    if (n == "connect") return call_connect(fd, *sk);
    if (n == "write" || n == "send") return call_write(st, *sk);
    if (n == "read" || n == "recv") return call_read(st, *sk);
    if (n == "shutdown") return call_shutdown(st, fd, *sk);
    if (n == "close") return close_fd(st, fd, *sk);
    unsupported(st, "the system call " + n + "()");
  }

  Result call_socket(const Statement& st) {
    const std::string type = arg(st, 1);
    if (has_word(type, "SOCK_DGRAM") || has_word(type, "SOCK_RAW") || has_word(arg(st, 2), "IPPROTO_UDP"))
      unsupported(st, "a non-TCP socket");
    const int fd = lowest_free_fd();
    Sock sk;
    sk.nonblock = has_word(type, "SOCK_NONBLOCK");
    sk.rcv_hiwat = kFreeBsdRecvSpace;
    sk.snd_hiwat = opt_.config.snd_buf;
    socks_[fd] = sk;
    return {fd, Err::None, false, ""};
  }

  // FreeBSD's t_maxseg for this connection (freebsd_buffers.hpp).
  std::uint32_t segment_size(const Conn& c) const { return freebsd::segment_size(ipv6_, c.peer_mss); }
  static std::uint32_t rounded(std::uint32_t buf, std::uint32_t mss) { return freebsd::rounded(buf, mss); }

  Result get_buffer(const Statement& st, Sock& sk, bool rcv) {
    const std::string what = rcv ? "SO_RCVBUF" : "SO_SNDBUF";
    const std::uint32_t linux_set = rcv ? sk.linux_rcvbuf : sk.linux_sndbuf;
    const bool linux_fixed = opt_.profile == Profile::Linux && linux_set != 0;
    if (opt_.profile != Profile::FreeBsd && !linux_fixed)
      unsupported(st, fmt::format("getsockopt {} under profile {}: {}", what, name(opt_.profile),
                                  opt_.profile == Profile::Linux
                                      ? fmt::format("before setsockopt({}) Linux autotunes the buffer (tcp_{}mem, {}; not modelled)",
                                                    what, rcv ? "r" : "w", rcv ? "tcp_rcv_space_adjust" : "tcp_sndbuf_expand")
                                      : "only FreeBSD's and Linux's buffer sizes are modelled"));
    std::uint32_t v = linux_fixed ? linux_set : rcv ? sk.rcv_hiwat : sk.snd_hiwat;
    if (const Conn* cn = conn_of(&sk); !linux_fixed && cn && cn->peer_syn) v = rounded(v, segment_size(*cn));
    std::string want = arg(st, 3);
    if (want.size() >= 2 && want.front() == '[') want = trim(want.substr(1, want.size() - 2));
    if (want != "..." && int_arg(want) != std::int64_t{v})
      mismatch(st, fmt::format("{} differs", what), fmt::format("{} = {}", what, want), fmt::format("{} = {}", what, v));
    return {};
  }

  Result call_getsockopt(const Statement& st, Sock& sk) {
    if (arg(st, 2) == "SO_RCVBUF" || arg(st, 2) == "SO_SNDBUF") return get_buffer(st, sk, arg(st, 2) == "SO_RCVBUF");
    if (!has_word(arg(st, 2), "SO_ERROR")) unsupported(st, "getsockopt " + arg(st, 2));
    Conn* cn = conn_of(&sk);
    const Err e = cn ? cn->tcb.so_error : Err::None;
    if (cn) cn->tcb.so_error = Err::None;  // SO_ERROR is read and cleared, as getsockopt does
    std::string want = arg(st, 3);
    if (want.size() >= 2 && want.front() == '[') want = trim(want.substr(1, want.size() - 2));
    const bool match = want == "..." || (e == Err::None ? int_arg(want) == 0 : want == name(e));
    if (!match)
      mismatch(st, "SO_ERROR differs", fmt::format("SO_ERROR = {}", want),
               fmt::format("SO_ERROR = {}", e == Err::None ? "0" : name(e)));
    return {};
  }

  // O_NONBLOCK is 04000 on Linux (asm-generic/fcntl.h) and 0x0004 on FreeBSD (sys/fcntl.h);
  // O_RDWR is 2 on both, and F_GETFL of a socket reports it.
  std::int64_t o_nonblock() const { return opt_.profile == Profile::FreeBsd ? 0x0004 : 04000; }

  Result call_fcntl(const Statement& st, Sock& sk) {
    if (has_word(arg(st, 1), "F_SETFL")) {
      const auto v = int_arg(arg(st, 2));
      sk.nonblock = has_word(arg(st, 2), "O_NONBLOCK") || (v && (*v & o_nonblock()) != 0);
      return {};
    }
    if (has_word(arg(st, 1), "F_GETFL")) return {2 | (sk.nonblock ? o_nonblock() : 0), Err::None, false, ""};
    unsupported(st, "fcntl " + arg(st, 1));
  }

  // The port every bind() takes (packetdrill binds its own address); BindTable decides.
  Result call_bind(Sock& sk) {
    if (sk.slot >= 0 || sk.conn >= 0) return {-1, Err::Inval, false, ""};
    const BindResult b = binds_.bind(Endpoint{kLocalAddr, kServerPort, 0}, sk.reuse);
    if (b.err != Err::None) return {-1, b.err, false, ""};
    sk.slot = b.slot;
    local_port_ = b.port;
    remote_port_ = kRemoteEphemeral;
    return {};
  }

  Err autobind(Sock& sk) {  // Linux inet_autobind: an ephemeral port
    if (sk.slot >= 0) return Err::None;
    const BindResult b = binds_.bind(Endpoint{kLocalAddr, kAnyPort, 0}, sk.reuse);
    if (b.err == Err::None) sk.slot = b.slot;
    return b.err;
  }

  // A call on a socket without a connection: the core answers from the socket's own TCB (LISTEN
  // for a listener, else a fresh CLOSED one), so the replay and step() cannot disagree on it.
  Result unconnected(const Sock& sk, const Input& in) const {
    const Output o = step(sk.listening ? sk.listen_tcb : Tcb{}, in, opt_.config);
    if (o.result != Err::None) return {-1, o.result, false, ""};
    return {o.result_n, Err::None, false, ""};
  }

  Result call_listen(Sock& sk) {
    if (sk.conn >= 0) return {-1, Err::Inval, false, ""};
    if (sk.listening) return unconnected(sk, Input::listen(now_ticks()));
    if (const Err e = autobind(sk); e != Err::None) return {-1, e, false, ""};
    const Err e = binds_.listen(static_cast<std::size_t>(sk.slot));
    if (e != Err::None) return {-1, e, false, ""};
    sk.listen_tcb = step(Tcb{}, Input::listen(now_ticks()), opt_.config).tcb;
    sk.listening = true;
    return {};
  }

  Result call_accept(int fd, Sock& sk) {
    if (!sk.listening) return {-1, Err::Inval, false, ""};
    for (std::size_t ci = 0; ci < conns_.size(); ++ci) {
      Conn& cn = conns_[ci];
      if (cn.gone || cn.listener != fd || !cn.ready || cn.fd >= 0) continue;
      const int nfd = lowest_free_fd();
      cn.fd = nfd;
      cn.listener = -1;
      Sock child = sk;  // options are inherited from the listener (Linux sk_clone_lock)
      child.listening = false;
      child.nonblock = false;
      child.slot = cn.slot;
      child.conn = static_cast<int>(ci);
      socks_[nfd] = child;
      return {nfd, Err::None, false, ""};
    }
    if (sk.nonblock) return {-1, Err::Again, false, ""};
    return {0, Err::None, true, ""};
  }

  // connect(fd, AF_UNSPEC): Linux inet_stream_connect -> tcp_disconnect sends a RST where
  // tcp_need_reset() says so, which is the core's ABORT (SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2,
  // CLOSE-WAIT), and leaves the socket CLOSED, free to connect() again. (Its port stays bound,
  // SOCK_BINDPORT_LOCK; the replay binds one anew, which no segment shows.)
  Result call_disconnect(const Statement& st, Sock& sk) {
    if (opt_.profile != Profile::Linux) unsupported(st, "connect(AF_UNSPEC) (modelled as Linux's tcp_disconnect only)");
    if (sk.listening) unsupported(st, "connect(AF_UNSPEC) on a listener");
    if (Conn* cn = conn_of(&sk)) {
      const std::size_t ci = static_cast<std::size_t>(sk.conn);
      cn->fd = -1;
      sk.conn = -1;
      apply(ci, step(cn->tcb, Input::abort(now_ticks()), cn->cfg));
      sk.slot = -1;
    }
    return {};
  }

  Result call_connect(int fd, Sock& sk) {
    if (conn_of(&sk)) {  // connect() again: the core answers EISCONN or EALREADY
      const Output o = call_core(&sk, Input::connect(now_ticks(), take_iss()));
      return {o.result == Err::None ? 0 : -1, o.result, false, ""};
    }
    if (sk.listening) return unconnected(sk, Input::connect(now_ticks(), next_iss_));
    if (const Err e = autobind(sk); e != Err::None) return {-1, e, false, ""};
    const Err e = binds_.connect(static_cast<std::size_t>(sk.slot), Endpoint{kRemoteAddr, kServerPort, 0});
    if (e != Err::None) return {-1, e, false, ""};
    local_port_ = binds_.slots[static_cast<std::size_t>(sk.slot)].tuple.local.port;
    remote_port_ = kServerPort;
    Conn cn;
    cn.cfg = conn_config(sk);
    cn.slot = sk.slot;
    cn.fd = fd;
    cn.rcv_hiwat = sk.rcv_hiwat;
    cn.linux_rcvbuf = sk.linux_rcvbuf;
    cn.linux_sndbuf = sk.linux_sndbuf;
    cn.local_port = local_port_;
    cn.foreign_port = remote_port_;
    conns_.push_back(cn);
    sk.conn = static_cast<int>(conns_.size() - 1);
    const Output o = call_core(&sk, Input::connect(now_ticks(), take_iss()));
    if (o.result != Err::None) return {-1, o.result, false, ""};
    if (sk.nonblock) return {-1, Err::InProgress, false, ""};
    return {0, Err::None, true, ""};
  }

  std::uint32_t byte_count(const Statement& st) {
    if (st.call.args.size() > 3 && int_arg(arg(st, 3)) != 0) unsupported(st, st.call.name + "() flags " + arg(st, 3));
    const auto bytes = int_arg(arg(st, 2));
    if (!bytes || *bytes < 0) script_error(st, st.call.name + "(): the byte count must be a number");
    return static_cast<std::uint32_t>(*bytes);
  }

  Result call_write(const Statement& st, Sock& sk) {
    const std::uint32_t bytes = byte_count(st);
    Conn* cn = conn_of(&sk);
    if (!cn) return unconnected(sk, Input::send(now_ticks(), bytes));
    const std::uint32_t new_skbs = linux_send_room(st, *cn, bytes);
    const Output o = call_core(&sk, Input::send(now_ticks(), bytes));
    if (o.result == Err::None && o.result_n > 0) conns_[static_cast<std::size_t>(sk.conn)].skb_bound += new_skbs;
    if (o.result == Err::Again && !sk.nonblock) return {0, Err::None, true, ""};
    if (o.result != Err::None) return {-1, o.result, false, ""};
    return {o.result_n, Err::None, false, ""};
  }

  // Under a Linux SO_SNDBUF, a write is replayed only when Linux provably takes it whole
  // (linux_buffers::write_fits); returns the skbs it may add. 0 when no SO_SNDBUF is set.
  std::uint32_t linux_send_room(const Statement& st, const Conn& c, std::uint32_t bytes) {
    if (c.linux_sndbuf == 0 || bytes == 0 || !is_synchronized(c.tcb.state)) return 0;
    const std::uint32_t mss = std::min(c.peer_mss.value_or(536), linux_buffers::adv_mss(ipv6_, c.tcb.ts_ok));
    const std::uint32_t goal = linux_buffers::size_goal_floor(mss, c.tcb.snd_wnd);
    const std::uint32_t queued = c.tcb.snd_nxt - c.tcb.snd_una;
    if (!linux_buffers::write_fits(c.linux_sndbuf, queued, bytes, c.skb_bound, goal))
      unsupported(st, fmt::format("write of {} bytes with {} unacknowledged under SO_SNDBUF (sk_sndbuf {}): how much "
                                  "Linux takes then depends on each skb's truesize and the GSO size goal, not modelled",
                                  bytes, queued, c.linux_sndbuf));
    return linux_buffers::new_skbs(bytes, goal);
  }

  Result call_read(const Statement& st, Sock& sk) {
    const std::uint32_t bytes = byte_count(st);
    if (!conn_of(&sk)) return unconnected(sk, Input::receive(now_ticks(), bytes));
    const Output o = call_core(&sk, Input::receive(now_ticks(), bytes));
    if (o.result == Err::Again && !sk.nonblock) return {0, Err::None, true, ""};
    if (o.result != Err::None) return {-1, o.result, false, ""};
    return {o.result_n, Err::None, false, ""};
  }

  Result call_shutdown(const Statement& st, int fd, Sock& sk) {
    const std::string how = arg(st, 1);
    Shut h = Shut::RdWr;
    if (how == "SHUT_RD" || how == "0") h = Shut::Rd;
    else if (how == "SHUT_WR" || how == "1") h = Shut::Wr;
    else if (how != "SHUT_RDWR" && how != "2") script_error(st, "shutdown(): expected SHUT_RD, SHUT_WR or SHUT_RDWR");
    if (!conn_of(&sk)) {  // step() answers from the socket's own TCB (Config::call_errors)
      const Input in = Input::shutdown(now_ticks(), h);
      const Output o = step(sk.listening ? sk.listen_tcb : Tcb{}, in, opt_.config);
      if (o.result != Err::None) return {-1, o.result, false, ""};
      // Linux inet_shutdown -> tcp_disconnect: the listener is closed, its descriptor stays open.
      // (Its port stays bound there, SOCK_BINDPORT_LOCK; the replay releases it, as for connect(AF_UNSPEC).)
      if (sk.listening && o.tcb.state == State::Closed) stop_listening(fd, sk);
      else if (sk.listening) sk.listen_tcb = o.tcb;
      return {};
    }
    const Output o = call_core(&sk, Input::shutdown(now_ticks(), h));
    return {o.result == Err::None ? 0 : -1, o.result, false, ""};
  }

  // Linux SO_SNDBUF (linux_buffers.hpp): sk_sndbuf is fixed, a listener's children inherit it, and
  // writes are then judged against it (call_write). The connection's snd_buf follows (conn_config).
  Result set_linux_sndbuf(const Statement& st, Sock& sk, const std::string& val) {
    const auto v = int_arg(val);
    if (!v) script_error(st, "SO_SNDBUF needs a value such as [20000]");
    sk.linux_sndbuf = linux_buffers::sndbuf(*v);
    if (Conn* cn = conn_of(&sk)) {
      // The skbs already holding unacknowledged bytes were not counted: at most one per byte.
      if (cn->linux_sndbuf == 0) cn->skb_bound = cn->tcb.snd_nxt - cn->tcb.snd_una;
      cn->linux_sndbuf = sk.linux_sndbuf;
    }
    note(fmt::format("line {}: SO_SNDBUF {} -> sk_sndbuf {}, writes judged against it", st.loc.line, *v, sk.linux_sndbuf));
    return {};
  }

  Result set_option(const Statement& st, Sock& sk) {
    const auto& a = st.call.args;
    const std::string opt = a.size() > 2 ? a[2] : "";
    const std::string val = a.size() > 3 ? a[3] : "";
    const Result r = set_option_on(st, sk, opt, val);
    if (Conn* cn = conn_of(&sk)) {  // options set after connect/accept apply at once
      const bool fo = cn->cfg.fast_open;  // the listener's decision for this child stays
      cn->cfg = conn_config(sk);
      cn->cfg.fast_open = fo;
    }
    return r;
  }

  // Linux SO_RCVBUF (linux_buffers.hpp): on a connection already past its SYN the window changes
  // at once as well; a listener's children inherit the buffer.
  Result set_linux_rcvbuf(const Statement& st, Sock& sk, const std::string& val) {
    const auto v = int_arg(val);
    if (!v) script_error(st, "SO_RCVBUF needs a value such as [20000]");
    sk.linux_rcvbuf = linux_buffers::rcvbuf(*v);
    if (Conn* cn = conn_of(&sk)) {
      cn->linux_rcvbuf = sk.linux_rcvbuf;
      linux_window(*cn);
    }
    note(fmt::format("line {}: SO_RCVBUF {} -> sk_rcvbuf {}, the receive window derived from it", st.loc.line, *v,
                     sk.linux_rcvbuf));
    return {};
  }

  Result set_option_on(const Statement& st, Sock& sk, const std::string& opt, const std::string& val) {
    if (opt == "SO_REUSEADDR") {
      const auto v = int_arg(val);
      if (!v) script_error(st, "SO_REUSEADDR needs a value such as [1]");
      sk.reuse = *v != 0;
      return {};
    }
    if (opt == "SO_LINGER") {
      const auto on = struct_field(val, "onoff");
      const auto secs_v = struct_field(val, "linger");
      if (!on || !secs_v) script_error(st, "SO_LINGER needs {onoff=N, linger=N}");
      sk.linger_on = *on != 0;
      sk.linger_secs = static_cast<std::uint32_t>(std::max<std::int64_t>(0, *secs_v));
      return {};
    }
    if (opt == "TCP_LINGER2") {
      if (opt_.profile != Profile::Linux) unsupported(st, "TCP_LINGER2 (Linux only; the profile is " + std::string(name(opt_.profile)) + ")");
      const auto v = int_arg(val);
      if (!v) script_error(st, "TCP_LINGER2 needs a value such as [5]");
      // Linux do_tcp_setsockopt: < 0 disables FIN-WAIT-2 (not modelled), 0 means the sysctl
      // default, larger values are capped at TCP_FIN_TIMEOUT_MAX (120 s).
      if (*v < 0) unsupported(st, "TCP_LINGER2 < 0 (close() in FIN-WAIT-2 then sends a RST: not modelled)");
      if (*v == 0) sk.linger2_ms.reset();
      else sk.linger2_ms = static_cast<std::uint32_t>(std::min<std::int64_t>(*v, 120) * 1000 * 1000 / tick());
      return {};
    }
    if (opt == "TCP_FASTOPEN") {
      if (opt_.profile != Profile::Linux) unsupported(st, "TCP_FASTOPEN (server Fast Open is modelled for Linux only)");
      const auto v = int_arg(val);
      if (!v) script_error(st, "TCP_FASTOPEN needs a queue length such as [1]");
      sk.fastopen_queue = *v > 0;  // do_tcp_setsockopt: fastopen_queue_tune(sk, val)
      return {};
    }
    if (opt == "TCP_NODELAY") {
      note(fmt::format("line {}: TCP_NODELAY accepted: the core sends every write at once anyway", st.loc.line));
      return {};
    }
    if (opt == "SO_SNDBUF" && opt_.profile == Profile::FreeBsd) {
      const auto v = int_arg(val);
      if (!v) script_error(st, "SO_SNDBUF needs a value such as [65536]");
      if (*v < 1) return {-1, Err::Inval, false, ""};  // sosetopt(): "Values < 1 make no sense", EINVAL
      sk.snd_hiwat = static_cast<std::uint32_t>(std::min<std::int64_t>(*v, kMaxSndBuf));  // sbreserve
      return {};
    }
    if (opt == "SO_RCVBUF" && opt_.profile == Profile::Linux) return set_linux_rcvbuf(st, sk, val);
    if (opt == "SO_SNDBUF" && opt_.profile == Profile::Linux) return set_linux_sndbuf(st, sk, val);
    if (opt == "SO_RCVBUF" || opt == "SO_SNDBUF")
      unsupported(st, fmt::format("setsockopt {} under profile {}: {}", opt, name(opt_.profile),
                                  opt == "SO_RCVBUF" ? "only the linux profile derives its receive window from SO_RCVBUF"
                                                     : "only FreeBSD's and Linux's send buffers are modelled"));
    if (opt == "TCP_USER_TIMEOUT") unsupported(st, "TCP_USER_TIMEOUT (the core gives up after a retransmission count, not a time)");
    unsupported(st, "setsockopt " + opt);
  }

  // Linux inet_csk_listen_stop, behind close() and shutdown(SHUT_RD) of a listener: connections
  // not yet accepted are aborted or freed (core listener_close_aborts), and the port is released.
  void stop_listening(int fd, Sock& sk) {
    sk.listening = false;
    for (std::size_t ci = 0; ci < conns_.size(); ++ci) {
      Conn& cn = conns_[ci];
      if (cn.gone || cn.listener != fd || cn.fd >= 0) continue;
      cn.listener = -1;
      if (listener_close_aborts(cn.tcb)) {
        apply(ci, step(cn.tcb, Input::abort(now_ticks()), cn.cfg));
      } else {
        if (cn.slot >= 0) binds_.release(static_cast<std::size_t>(cn.slot));
        cn.slot = -1;
        note("closing the listener dropped a SYN-RECEIVED connection silently (Linux request socks)");
      }
      cn.gone = true;
    }
    if (sk.slot >= 0) binds_.release(static_cast<std::size_t>(sk.slot));
    sk.slot = -1;
  }

  Result close_fd(const Statement& st, int fd, Sock& sk) {
    if (sk.listening) {
      stop_listening(fd, sk);
      socks_.erase(fd);
      return {};
    }
    if (sk.conn < 0) {
      if (sk.slot >= 0) binds_.release(static_cast<std::size_t>(sk.slot));
      socks_.erase(fd);
      return {};
    }
    // Linux inet_release waits up to the linger time even on a non-blocking socket.
    if (sk.linger_on && sk.linger_secs > 0)
      unsupported(st, "close() with SO_LINGER {1, N > 0}: a lingering close is not modelled");
    const std::size_t ci = static_cast<std::size_t>(sk.conn);
    const Input in = sk.linger_on ? Input::abort(now_ticks()) : Input::close(now_ticks());
    conns_[ci].fd = -1;
    socks_.erase(fd);
    const Output o = step(conns_[ci].tcb, in, conns_[ci].cfg);
    apply(ci, o);
    return {};
  }
};

}  // namespace

Outcome run(const Script& script, const Options& opt) {
  try {
    const Script s = compiled(script, profile_defines(opt.profile));
    if (s.statements.empty()) {
      // A script must check something to pass: an empty file, comments only, or #ifdef
      // branches that leave nothing under this profile.
      Outcome o;
      o.file = script.filename;
      o.profile = name(opt.profile);
      o.verdict = Verdict::ParseError;
      o.loc = Loc{1, 1};
      o.message = script.statements.empty() ? "the script has no statement: nothing to check"
                                            : "no statement is left under this profile's #ifdef names: nothing to check";
      return o;
    }
    return Runner(s, opt).run();
  } catch (const std::exception& e) {
    Outcome o;
    o.file = script.filename;
    o.verdict = Verdict::ParseError;
    o.message = std::string("internal error: ") + e.what();
    return o;
  }
}

namespace {

// The file's bytes, or why it is not read: only a regular file up to kMaxScriptBytes.
std::optional<std::string> read_script(const std::string& path, std::string& why) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) { why = "cannot read the file: it does not exist"; return std::nullopt; }
  if (!std::filesystem::is_regular_file(st)) {
    why = std::filesystem::is_directory(st) ? "a directory, not a script" : "not a regular file (a device, FIFO or socket)";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) { why = "cannot read the file"; return std::nullopt; }
  std::string text(kMaxScriptBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxScriptBytes) {
    why = fmt::format("larger than the replay's limit of {} MiB for one script", kMaxScriptBytes >> 20);
    return std::nullopt;
  }
  if (in.bad()) { why = "a read error"; return std::nullopt; }
  return text;
}

}  // namespace

Outcome run_file(const std::string& path, const FileOptions& fo) {
  Outcome o;
  o.file = path;
  std::string why;
  const std::optional<std::string> text = read_script(path, why);
  if (!text) {
    o.verdict = Verdict::ParseError;
    o.message = why;
    return o;
  }
  ParseResult pr = parse(*text, path);
  if (!pr.ok()) {
    o.verdict = Verdict::ParseError;
    o.loc = pr.error.loc;
    o.message = pr.error.message;
    return o;
  }
  Options opt;
  opt.ignore_shell = fo.ignore_shell;
  opt.tolerance_us = fo.tolerance_us;
  opt.unlisted = fo.unlisted;
  if (fo.forced) opt.profile = *fo.forced;
  else if (!pr.script->profile.empty()) {
    const auto p = profile_by_name(pr.script->profile);
    if (!p) {
      o.verdict = Verdict::ParseError;
      o.loc = Loc{1, 1};
      o.message = "unknown profile '" + pr.script->profile + "' in the header comment";
      return o;
    }
    opt.profile = *p;
  }
  opt.config = profile_config(opt.profile);
  opt.config.mutant = fo.mutant;
  Outcome r = run(*pr.script, opt);
  if (fo.mutant != Mutant::None) r.profile += std::string(" + mutant ") + name(fo.mutant);
  return r;
}

}  // namespace tcpclose::replay
