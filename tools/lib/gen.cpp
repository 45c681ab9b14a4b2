// Generating packetdrill scripts from step() (see gen.hpp). A small simulation drives one TCB
// (and, on the passive side, its listener) through a prologue of ordinary calls and segments
// into the state, applies the class's input, and writes each line with what step() returned.
#include "gen.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "freebsd_buffers.hpp"
#include "pkt_lines.hpp"
#include "table.hpp"

namespace tcpclose::gen {
namespace {

using classes::CallOrTimer;
using classes::InputClass;
using pkt::kPeerMss;
using pkt::rel_time;

// Script numbers are relative: the peer's ISS (classes::kIrs) is its 0, our ISS our 0. Without a
// handshake (CLOSED, LISTEN, SYN-SENT) both bases move 1000 down, so that "one below" is 999,
// not a wrapped 2^32 - 1 that packetdrill refuses.
constexpr Seq kUnsyncedOffset = 1000;
constexpr std::int64_t kGapUs = 10'000;   // between the prologue's steps
constexpr std::int64_t kRttUs = 50'000;   // the handshake's round trip

// What the script's prologue leaves the application holding.
enum class Path : std::uint8_t { Orphan, Held };

class Sim {
 public:
  Sim(const Config& c, bool freebsd_buffers) : c_(c), freebsd_buffers_(freebsd_buffers) {}

  // Drives the TCB into `s`; false (with why()) when step() under this profile goes elsewhere.
  bool reach(State s, Path p);
  void apply(const InputClass& k, std::int64_t max_timer_us);

  const Tcb& tcb() const { return t_; }
  const std::string& why() const { return why_; }
  const std::string& body() const { return w_.body(); }
  const Output& last() const { return last_; }

 private:
  const Config& c_;
  bool freebsd_buffers_ = false;
  bool accepted_ = false;
  std::string why_;
  pkt::Writer w_ = start_writer();
  Tcb lst_{};   // the listener, on the passive side
  Tcb t_{};     // the connection the script is about
  int fd_ = 3;  // its descriptor
  bool nonblock_ = false;
  Output last_{};

  std::uint32_t now() const { return static_cast<std::uint32_t>(w_.now_us / (c_.tick_us == 0 ? 1 : c_.tick_us)); }

  static pkt::Writer start_writer() {
    pkt::Writer w;
    w.local_isn = classes::kIss;
    w.peer_base = classes::kIrs;
    return w;
  }
  void line(const std::string& what, std::int64_t window_us = 0) { w_.line(what, window_us); }

  // Steps `tcb` and writes the segment step() sends, if any.
  Output run(Tcb& tcb, const Input& in) {
    const Output o = step(tcb, in, c_);
    tcb = o.tcb;
    socket_window(tcb);
    sent(o);
    last_ = o;
    return o;
  }

  void peer(Tcb& tcb, Segment s, std::int64_t after_us = kGapUs) {
    w_.now_us += after_us;
    line("< " + w_.in_text(s));
    run(tcb, Input::segment(now(), s, classes::kNewIss));
    delayed_ack(tcb);
  }
  // Config::delayed_ack: an ACK the segment armed goes when its timer fires, before the next line.
  void delayed_ack(Tcb& tcb) {
    if (!tcb.armed(Timer::DelAck)) return;
    const std::uint32_t at = tcb.at(Timer::DelAck);
    w_.now_us = std::max(w_.now_us, std::int64_t{at} * (c_.tick_us == 0 ? 1 : c_.tick_us));
    const Output keep = last_;
    run(tcb, Input::timeout(at, Timer::DelAck));
    last_ = keep;  // the step under test stays the one the script is about
  }
  Segment peer_seg(std::uint8_t flags, Seq seq_rel, Seq ack_rel) const {
    Segment s;
    s.flags = flags; s.seq = w_.peer_base + seq_rel; s.ack = w_.local_isn + ack_rel; s.wnd = 65535;
    return s;
  }

  // An application call: its line with the result step() gives, then what it sent.
  void call(const std::string& text, const Input& in, bool is_connect = false) {
    w_.now_us += kGapUs;
    const Output o = step(t_, in, c_);
    line(fmt::format("{} = {}", text, pkt::Writer::result(in, o, is_connect && nonblock_)));
    t_ = o.tcb;
    socket_window(t_);
    sent(o);
    last_ = o;
  }
  void sent(const Output& o) {
    if (const Segment* s = o.actions.sent()) w_.sent(*s, 0, (o.effects & effect::Reopened) == 0);
  }
  void sys(const std::string& text) { line(text); }  // a call the core does not see

  // The socket layer's part of RCV.WND, as the replay applies it: under freebsd the receive
  // buffer, rounded to the MSS of the peer's SYN (always <mss 1000> here), sets the window.
  void socket_window(Tcb& tcb) const {
    if (!freebsd_buffers_ || tcb.state == State::Closed || tcb.state == State::Listen || tcb.state == State::SynSent) return;
    const bool syncache = tcb.state == State::SynReceived && !accepted_;
    tcb.rcv_wnd = replay::freebsd::rcv_wnd(syncache, replay::freebsd::kRecvSpace,
                                           replay::freebsd::segment_size(false, kPeerMss), tcb.rcv_unread);
  }

  void open_passive();
  void open_active();
  bool arrived(State s) {
    if (t_.state == s) return true;
    why_ = fmt::format("the prologue does not reach {} under this profile: step() goes to {}", name(s), name(t_.state));
    return false;
  }
  void apply_other(const InputClass& k, std::int64_t max_timer_us);
  void apply_timer(Timer tm, std::int64_t max_timer_us);
};

void Sim::open_passive() {
  sys("socket(..., SOCK_STREAM, IPPROTO_TCP) = 3");
  sys("setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0");
  sys("bind(3, ..., ...) = 0");
  lst_ = step(lst_, Input::listen(now()), c_).tcb;
  sys("listen(3, 1) = 0");
}

void Sim::open_active() {
  sys("socket(..., SOCK_STREAM, IPPROTO_TCP) = 3");
  sys("fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0");
  nonblock_ = true;
  call("connect(3, ..., ...)", Input::connect(now(), classes::kIss), true);
}

bool Sim::reach(State s, Path p) {
  if (s == State::Closed || s == State::Listen || s == State::SynSent) {
    w_.local_isn = classes::kIss - kUnsyncedOffset;
    w_.peer_base = classes::kIrs - kUnsyncedOffset;
  }
  if (s == State::Closed) {
    // packetdrill learns the ports from a listen() or connect(); a port nobody listens on any
    // more is CLOSED to the segments, and a fresh socket is CLOSED to the calls.
    open_passive();
    lst_ = step(lst_, Input::close(now()), c_).tcb;
    sys("close(3) = 0");
    t_ = Tcb{};
    if (p == Path::Held) {
      sys("socket(..., SOCK_STREAM, IPPROTO_TCP) = 3");
      sys("fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0");
      nonblock_ = true;
    } else {
      fd_ = -1;
    }
    return arrived(s);
  }
  if (s == State::SynSent) { open_active(); return arrived(s); }
  open_passive();
  if (s == State::Listen) { t_ = lst_; return arrived(s); }
  // RFC 9293 §3.10.7.2: a SYN to the listener makes the connection, in SYN-RECEIVED.
  t_ = lst_;
  peer(t_, peer_seg(flag::SYN, 0, 0));
  if (s == State::SynReceived || !arrived(State::SynReceived)) return arrived(s);
  peer(t_, peer_seg(flag::ACK, 1, 1), kRttUs);
  sys("accept(3, ..., ...) = 4");
  fd_ = 4;
  accepted_ = true;
  if (p == Path::Held) { sys("fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0"); nonblock_ = true; }
  if (s == State::Established || !arrived(State::Established)) return arrived(s);
  const bool they_close = s == State::CloseWait || s == State::LastAck;
  if (they_close) {
    peer(t_, peer_seg(flag::FIN | flag::ACK, 1, 1));
    if (s == State::CloseWait || !arrived(State::CloseWait)) return arrived(s);
  }
  // We close: close() leaves an orphan, shutdown(SHUT_WR) keeps the descriptor for calls.
  if (p == Path::Orphan) { call("close(4)", Input::close(now())); fd_ = -1; }
  else call("shutdown(4, SHUT_WR)", Input::shutdown(now(), Shut::Wr));
  if (s == State::LastAck || s == State::FinWait1) return arrived(s);
  const Seq our_fin = t_.fin_seq - w_.local_isn;
  const Seq rcv = t_.rcv_nxt - w_.peer_base;
  if (s == State::Closing) { peer(t_, peer_seg(flag::FIN | flag::ACK, rcv, our_fin)); return arrived(s); }
  peer(t_, peer_seg(flag::ACK, rcv, our_fin + 1));  // the peer ACKs our FIN: FIN-WAIT-2
  if (s == State::FinWait2 || !arrived(State::FinWait2)) return arrived(s);
  peer(t_, peer_seg(flag::FIN | flag::ACK, rcv, our_fin + 1));  // and sends its own: TIME-WAIT
  return arrived(s);
}

void Sim::apply_timer(Timer tm, std::int64_t max_timer_us) {
  const Tcb before = t_;
  if (!before.armed(tm)) {
    why_ = fmt::format("the {} timer is not armed in {}: there is no such event", name(tm), name(before.state));
    return;
  }
  const std::int64_t at_us = std::int64_t{before.at(tm)} * (c_.tick_us == 0 ? 1 : c_.tick_us);
  if (at_us - w_.now_us > max_timer_us) {
    why_ = fmt::format("the {} timer fires {} s after the prologue, beyond --max-timer {} s", name(tm),
                       rel_time(at_us - w_.now_us), rel_time(max_timer_us));
    return;
  }
  w_.now_us = std::max(w_.now_us, at_us);
  const Output o = run(t_, Input::timeout(before.at(tm), tm));
  if (o.actions.sent() != nullptr) return;
  // Nothing to see at the expiry itself: a segment afterwards shows what is left.
  const InputClass probe{true, flag::ACK, classes::SeqPos::At, classes::AckPos::At, {}};
  Input in = classes::make_input(probe, before);
  w_.now_us += 90'000;
  line("< " + w_.in_text(in.seg));
  in.now = now();
  run(t_, in);
}

void Sim::apply_other(const InputClass& k, std::int64_t max_timer_us) {
  const std::string f = std::to_string(fd_);
  switch (k.other) {
    case CallOrTimer::PawsOld: why_ = "needs RFC 7323 timestamps, which the generated handshakes do not offer"; return;
    case CallOrTimer::Listen: call(fmt::format("listen({}, 1)", f), Input::listen(now())); return;
    case CallOrTimer::Connect: call(fmt::format("connect({}, ..., ...)", f), Input::connect(now(), classes::kNewIss), true); return;
    case CallOrTimer::Send: call(fmt::format("write({}, ..., {})", f, classes::kPayload), Input::send(now(), classes::kPayload)); return;
    case CallOrTimer::Receive: call(fmt::format("read({}, ..., {})", f, classes::kPayload), Input::receive(now(), classes::kPayload)); return;
    case CallOrTimer::ShutRd: call(fmt::format("shutdown({}, SHUT_RD)", f), Input::shutdown(now(), Shut::Rd)); return;
    case CallOrTimer::ShutWr: call(fmt::format("shutdown({}, SHUT_WR)", f), Input::shutdown(now(), Shut::Wr)); return;
    case CallOrTimer::ShutRdWr: call(fmt::format("shutdown({}, SHUT_RDWR)", f), Input::shutdown(now(), Shut::RdWr)); return;
    case CallOrTimer::Close: call(fmt::format("close({})", f), Input::close(now())); return;
    case CallOrTimer::Abort:
      sys(fmt::format("setsockopt({}, SOL_SOCKET, SO_LINGER, {{onoff=1, linger=0}}, 8) = 0", f));
      call(fmt::format("close({})", f), Input::abort(now()));
      return;
    case CallOrTimer::TimerRexmit: apply_timer(Timer::Rexmit, max_timer_us); return;
    case CallOrTimer::Timer2Msl: apply_timer(Timer::TimeWait, max_timer_us); return;
    case CallOrTimer::TimerFinWait2: apply_timer(Timer::FinWait2, max_timer_us); return;
  }
}

void Sim::apply(const InputClass& k, std::int64_t max_timer_us) {
  if (!k.is_segment) {
    const bool is_call = k.other != CallOrTimer::PawsOld && k.other != CallOrTimer::TimerRexmit &&
                         k.other != CallOrTimer::Timer2Msl && k.other != CallOrTimer::TimerFinWait2;
    if (is_call && fd_ < 0) { why_ = "no descriptor: the state is reached only by close()"; return; }
    apply_other(k, max_timer_us);
    return;
  }
  const bool unsynced = t_.state == State::Closed || t_.state == State::Listen || t_.state == State::SynSent;
  if (unsynced && (k.flags & flag::SYN) != 0) {
    // packetdrill takes an inbound SYN's sequence number as the peer's ISN, its relative 0: the
    // four positions of a SYN's sequence number are one script here.
    if (k.seq != classes::SeqPos::At) {
      why_ = fmt::format("packetdrill takes a SYN's sequence number as the peer's ISN, so in {} this is the "
                         "script of '{} seq=nxt...'", name(t_.state), flag_text(k.flags).text);
      return;
    }
    w_.peer_base = classes::kIrs;
  }
  Input in = classes::make_input(k, t_);
  w_.now_us += kGapUs;
  in.now = now();
  line("< " + w_.in_text(in.seg));
  run(t_, in);
  delayed_ack(t_);
}

// Whether a class needs the application to hold its descriptor (a call), or the canonical
// orphan of `tcpclose table` (segments and timers).
Path path_for(const InputClass& k) {
  if (k.is_segment) return Path::Orphan;
  switch (k.other) {
    case CallOrTimer::PawsOld: case CallOrTimer::TimerRexmit: case CallOrTimer::Timer2Msl:
    case CallOrTimer::TimerFinWait2:
      return Path::Orphan;
    case CallOrTimer::Listen: case CallOrTimer::Connect: case CallOrTimer::Send: case CallOrTimer::Receive:
    case CallOrTimer::ShutRd: case CallOrTimer::ShutWr: case CallOrTimer::ShutRdWr: case CallOrTimer::Close:
    case CallOrTimer::Abort:
      return Path::Held;
  }
  return Path::Orphan;
}

std::string slug(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (std::isalnum(static_cast<unsigned char>(ch))) o += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    else if (ch == '.') o += "a";
    else if (ch == '=') o += "-eq-";
    else if (ch == '<') o += "-lt-";
    else if (ch == '>') o += "-gt-";
    else if (o.empty() || o.back() != '-') o += '-';
  }
  std::string c;
  for (char ch : o)
    if (!(ch == '-' && (c.empty() || c.back() == '-'))) c += ch;
  while (!c.empty() && c.back() == '-') c.pop_back();
  return c;
}

Item make_item(const Options& o, State s, const InputClass& k) {
  Item it;
  it.state = s;
  it.input = table::input_name(k);
  const Path p = s == State::Listen || s == State::SynSent ? Path::Held : path_for(k);
  Sim sim(o.config, o.freebsd_buffers);
  if (!sim.reach(s, p)) { it.skipped = sim.why(); return it; }
  if (s == State::SynReceived && !k.is_segment && path_for(k) == Path::Held) {
    it.skipped = "a passive SYN-RECEIVED connection has no descriptor until accept()";
    return it;
  }
  const Tcb before = sim.tcb();
  sim.apply(k, o.max_timer_us);
  if (!sim.why().empty()) { it.skipped = sim.why(); return it; }
  const Output& out = sim.last();
  it.outcome = fmt::format("{} -> {}{}", name(before.state), name(out.tcb.state),
                           out.verdict == tcpclose::Verdict::None ? "" : fmt::format(", {}", name(out.verdict)));
  std::string st = name(s);
  std::transform(st.begin(), st.end(), st.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  it.file = st + "--" + slug(it.input) + ".pkt";
  it.text = fmt::format(
      "// profile: {}\n"
      "// Generated by `tcpclose gen --profile {}` from step(): every expectation below is what the\n"
      "// core does under this profile. Do not edit; regenerate.\n{}"
      "// state: {}   input: {}   ({})\n"
      "// rule: {}\n"
      "// step(): {}\n"
      "--tolerance_usecs=10000\n\n{}",
      o.profile, o.profile,
      o.config.mutant == Mutant::None ? "" : fmt::format("// MUTANT {}: a deliberately broken core ({})\n", name(o.config.mutant), describe(o.config.mutant)),
      name(s), it.input,
      before.orphan ? "reached by close(): the socket is orphaned" : "the application holds the socket",
      rfc_rule(s, k), it.outcome, sim.body());
  return it;
}

}  // namespace

std::string rfc_rule(State s, const InputClass& k) {
  if (!k.is_segment && k.other != CallOrTimer::PawsOld) {
    switch (k.other) {
      case CallOrTimer::Listen: case CallOrTimer::Connect: return "RFC 9293 §3.10.1 OPEN call";
      case CallOrTimer::Send: return "RFC 9293 §3.10.2 SEND call";
      case CallOrTimer::Receive: return "RFC 9293 §3.10.3 RECEIVE call";
      case CallOrTimer::ShutRd: case CallOrTimer::ShutWr: case CallOrTimer::ShutRdWr: case CallOrTimer::Close:
        return "RFC 9293 §3.10.4 CLOSE call (shutdown() closes one direction, RFC 1122 §4.2.2.13)";
      case CallOrTimer::Abort: return "RFC 9293 §3.10.5 ABORT call";
      case CallOrTimer::TimerRexmit: return "RFC 9293 §3.10.8 retransmission timeout (RFC 6298)";
      case CallOrTimer::Timer2Msl: return "RFC 9293 §3.10.8 time-wait timeout";
      case CallOrTimer::TimerFinWait2: return "FIN-WAIT-2 timeout (RFC 9293 §3.6.1 allows none; stacks differ)";
      case CallOrTimer::PawsOld: break;
    }
  }
  switch (s) {
    case State::Closed: return "RFC 9293 §3.10.7.1 SEGMENT ARRIVES, CLOSED";
    case State::Listen: return "RFC 9293 §3.10.7.2 SEGMENT ARRIVES, LISTEN";
    case State::SynSent: return "RFC 9293 §3.10.7.3 SEGMENT ARRIVES, SYN-SENT";
    case State::SynReceived: case State::Established: case State::FinWait1: case State::FinWait2:
    case State::CloseWait: case State::Closing: case State::LastAck: case State::TimeWait:
      break;
  }
  return "RFC 9293 §3.10.7.4 SEGMENT ARRIVES, other states (RFC 5961 and RFC 7323 where the profile uses them)";
}

std::vector<Item> generate(const Options& o) {
  std::vector<Item> items;
  const auto all = classes::all_classes();
  for (State s : kAllStates) {
    if (!o.states.empty() && std::find(o.states.begin(), o.states.end(), s) == o.states.end()) continue;
    for (const InputClass& k : all) {
      if (!o.inputs.empty() && std::find(o.inputs.begin(), o.inputs.end(), table::input_name(k)) == o.inputs.end()) continue;
      items.push_back(make_item(o, s, k));
    }
  }
  return items;
}

std::string index_csv(const std::vector<Item>& items) {
  auto field = [](const std::string& s) {
    if (s.find_first_of(",\"") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
  };
  std::string out = "state,input,file,step,not_generated_because\n";
  for (const Item& it : items)
    out += fmt::format("{},{},{},{},{}\n", name(it.state), field(it.input), it.file, field(it.outcome), field(it.skipped));
  return out;
}

std::vector<Verdict> judge(const std::vector<Item>& items, const std::string& out) {
  std::map<std::string, bool> seen;  // file name -> passed
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream w(line);
    std::string verdict, file;
    w >> verdict >> file;
    if (verdict != "PASS" && verdict != "FAIL") continue;
    const auto slash = file.find_last_of('/');
    seen[slash == std::string::npos ? file : file.substr(slash + 1)] = verdict == "PASS";
  }
  std::vector<Verdict> v;
  for (const Item& it : items) {
    if (it.file.empty()) { v.push_back(Verdict::NotGenerated); continue; }
    const auto f = seen.find(it.file);
    v.push_back(f == seen.end() ? Verdict::NotRun : f->second ? Verdict::Agree : Verdict::Disagree);
  }
  return v;
}

namespace {
Agreement count(const std::vector<Verdict>& v, const std::vector<std::size_t>& which) {
  Agreement a;
  for (std::size_t i : which) {
    switch (v[i]) {
      case Verdict::Agree: ++a.agree; break;
      case Verdict::Disagree: ++a.disagree; break;
      case Verdict::NotRun: ++a.not_run; break;
      case Verdict::NotGenerated: ++a.not_generated; break;
    }
  }
  return a;
}
std::string row(const std::string& what, const Agreement& a) {
  const std::size_t run = a.agree + a.disagree;
  return fmt::format("{:<36} {:>5} {:>8} {:>7} {:>13}   {}\n", what, a.agree, a.disagree, a.not_run, a.not_generated,
                     run == 0 ? std::string("-") : fmt::format("{:.0f}%", 100.0 * static_cast<double>(a.agree) / static_cast<double>(run)));
}
}  // namespace

std::string agreement_report(const std::vector<Item>& items, const std::vector<Verdict>& v) {
  std::map<std::string, std::vector<std::size_t>> by_state, by_input;
  std::vector<std::string> states, inputs;
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string s = name(items[i].state);
    if (by_state[s].empty()) states.push_back(s);
    if (by_input[items[i].input].empty()) inputs.push_back(items[i].input);
    by_state[s].push_back(i);
    by_input[items[i].input].push_back(i);
    all.push_back(i);
  }
  std::string out = fmt::format("{:<36} {:>5} {:>8} {:>7} {:>13}   {}\n", "state", "agree", "disagree", "not run",
                                "not generated", "agreement");
  for (const std::string& s : states) out += row(s, count(v, by_state[s]));
  out += row("all", count(v, all));
  out += fmt::format("\n{:<36} {:>5} {:>8} {:>7} {:>13}   {}\n", "input class", "agree", "disagree", "not run",
                     "not generated", "agreement");
  for (const std::string& k : inputs) out += row(k, count(v, by_input[k]));
  return out;
}

std::string agreement_dot(const std::vector<Item>& items, const std::vector<Verdict>& v, const std::string& title) {
  auto esc = [](const std::string& t) {
    std::string o;
    for (char ch : t) o += ch == '<' ? std::string("&lt;") : ch == '>' ? std::string("&gt;") : ch == '&' ? std::string("&amp;") : std::string(1, ch);
    return o;
  };
  std::vector<std::string> states, inputs;
  std::map<std::pair<std::string, std::string>, Verdict> cell;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string s = name(items[i].state);
    if (std::find(states.begin(), states.end(), s) == states.end()) states.push_back(s);
    if (std::find(inputs.begin(), inputs.end(), items[i].input) == inputs.end()) inputs.push_back(items[i].input);
    cell[{s, items[i].input}] = v[i];
  }
  std::string o = "digraph grid {\n  node [shape=plaintext, fontname=\"Helvetica\", fontsize=9];\n  grid [label=<\n"
                  "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"2\">\n";
  o += fmt::format("<TR><TD COLSPAN=\"{}\"><B>{}</B><BR/>green: the stack agrees with step()  red: it does not  "
                   "grey: not run  white: no script (index.csv says why)</TD></TR>\n", states.size() + 1, esc(title));
  o += "<TR><TD>input class</TD>";
  for (const std::string& s : states) o += fmt::format("<TD>{}</TD>", esc(s));
  o += "</TR>\n";
  for (const std::string& k : inputs) {
    o += fmt::format("<TR><TD ALIGN=\"LEFT\">{}</TD>", esc(k));
    for (const std::string& s : states) {
      const auto f = cell.find({s, k});
      const Verdict x = f == cell.end() ? Verdict::NotGenerated : f->second;
      const char* colour = x == Verdict::Agree ? "#7fc97f" : x == Verdict::Disagree ? "#f0027f" : x == Verdict::NotRun ? "#cccccc" : "#ffffff";
      o += fmt::format("<TD BGCOLOR=\"{}\"> </TD>", colour);
    }
    o += "</TR>\n";
  }
  o += "</TABLE>>];\n}\n";
  return o;
}

}  // namespace tcpclose::gen
