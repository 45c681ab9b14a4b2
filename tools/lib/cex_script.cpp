// Counterexamples as packetdrill scripts (see cex_script.hpp). The viewed host's steps run again
// through step() under the profile's real timers, beside the model's; each must do what the
// model's did, and the script expects what the real-time core does, at the real times. Sequence
// numbers follow packetdrill's rules (run_packet.c): the peer's are absolute, ours count from the
// SYN we send, so the model's adversarial ISNs overlap exactly as in the counterexample.
#include "cex_script.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include <tcpclose/model/trace.hpp>

#include "knobs.hpp"
#include "pkt_lines.hpp"

namespace tcpclose::cli {
namespace {

using model::MoveKind;
using model::Op;

constexpr std::int64_t kGapUs = 10'000;     // between two things the script does
constexpr std::int64_t kMarginUs = 20'000;  // closer than this to a real timer the model did not fire is a race
constexpr std::int64_t kTimerSlackUs = 20'000;  // a timer's segment may come this much late, plus 1/8 of its wait

const char* host_name(std::uint8_t h) { return h == 0 ? "A" : "B"; }

std::string one_line(const std::string& s) {  // describe_step's padding squeezed, for a comment
  std::string o;
  for (char c : s)
    if (!(c == ' ' && (o.empty() || o.back() == ' '))) o += c;
  while (!o.empty() && o.back() == ' ') o.pop_back();
  return o;
}

std::string seg_or_nothing(const Segment* s) {
  if (s == nullptr) return "nothing";
  return fmt::format("{} seq={} ack={} len={}", flag_text(s->flags).text, s->seq, s->ack, s->len);
}

// What the real-time core does differently from the model's core on the same input, or "".
std::string differs(const Output& m, const Output& r) {
  if (m.tcb.state != r.tcb.state)
    return fmt::format("it goes to {} where the model's goes to {}", name(r.tcb.state), name(m.tcb.state));
  if (m.verdict != r.verdict) return fmt::format("its verdict is {}, the model's {}", name(r.verdict), name(m.verdict));
  const Segment* a = m.actions.sent();
  const Segment* b = r.actions.sent();
  if ((a == nullptr) != (b == nullptr) ||
      (a != nullptr && (a->flags != b->flags || a->seq != b->seq || a->ack != b->ack || a->len != b->len)))
    return fmt::format("it sends {} where the model's sends {}", seg_or_nothing(b), seg_or_nothing(a));
  if (m.result != r.result || m.result_n != r.result_n)
    return fmt::format("the call returns {}/{} where the model's returns {}/{}", name(r.result), r.result_n,
                       name(m.result), m.result_n);
  return {};
}

// Replays one host's share of a counterexample into a script (see the file comment).
class Projector {
 public:
  Projector(const model::World& w, const model::Violation& v, std::uint8_t h, const Config& real)
      : w_(w), v_(v), h_(h), real_(real) {}
  bool run();
  const std::string& why() const { return why_; }
  std::string body() const { return wr_.body(); }
  std::size_t last_step() const { return last_step_; }  // 1-based: the viewed host's last step

 private:
  const model::World& w_;
  const model::Violation& v_;
  std::uint8_t h_;
  const Config& real_;
  pkt::Writer wr_;
  Tcb rt_{};  // the viewed host's TCB, in real time
  std::array<bool, 64> fd_used_{};
  int lfd_ = -1, cfd_ = -1;  // the listener's descriptor, the connection's
  bool had_conn_ = false;    // packetdrill follows one connection per 4-tuple from the listener
  int accepts_ = 0;
  std::size_t i_ = 0, last_step_ = 0;
  std::string why_;

  std::uint32_t now_ticks() const { return static_cast<std::uint32_t>(wr_.now_us / std::max<std::uint32_t>(real_.tick_us, 1)); }
  std::int64_t at_us(Timer t) const { return std::int64_t{rt_.at(t)} * std::max<std::uint32_t>(real_.tick_us, 1); }
  bool fail(const std::string& why) {
    why_ = fmt::format("{}: {}", one_line(model::describe_step(w_, i_, v_.trace[i_])), why);
    return false;
  }
  int alloc() {
    for (std::size_t f = 3; f < fd_used_.size(); ++f)
      if (!fd_used_[f]) { fd_used_[f] = true; return static_cast<int>(f); }
    return -1;
  }
  void release(int& fd) { if (fd >= 0) fd_used_[static_cast<std::size_t>(fd)] = false; fd = -1; }

  void init_bases();
  bool clear_of_timers(std::int64_t t_us, int except = -1);
  bool advance();  // the next thing the script does, kGapUs later
  void sys(const std::string& text) { wr_.line(text); }
  bool real_step(const model::Transition& tr, const Input& in, Tcb& tcb, Output& o);
  void emit_sent(const Output& o, std::int64_t window_us);
  bool call(const std::string& text, const model::Transition& tr);
  bool timer(const model::Transition& tr);
  bool deliver(const model::Transition& tr, const model::WorldState& prev);
  bool app(const model::Transition& tr, const model::WorldState& prev);
  bool connect(const model::Transition& tr, const model::Instr& ins);
  bool accept();
};

// Our base is the ISS of the first SYN we send, the peer's that of its first SYN (else the
// model's first ISN): every number is written relative to these.
void Projector::init_bases() {
  wr_.local_isn = w_.isn_base[h_];
  wr_.peer_base = w_.isn_base[1 - h_];
  bool local = false, peer = false;
  for (const model::TraceStep& st : v_.trace) {
    if (!st.tr.ran_core) continue;
    const Segment* s = st.tr.out.actions.sent();
    if (s == nullptr || !s->has(flag::SYN)) continue;
    if (st.tr.host == h_ && !local) { wr_.local_isn = s->seq; local = true; }
    if (st.tr.host != h_ && !peer) { wr_.peer_base = s->seq; peer = true; }
  }
}

// Whether a real timer the model did not fire at this point would fire before `t_us`.
bool Projector::clear_of_timers(std::int64_t t_us, int except) {
  for (std::size_t k = 0; k < kTimerCount; ++k) {
    const Timer t = static_cast<Timer>(k);
    if (static_cast<int>(k) == except || !rt_.armed(t)) continue;
    const std::int64_t limit = except >= 0 ? t_us : t_us + kMarginUs;
    if (at_us(t) < limit)
      return fail(fmt::format("{}'s {} timer, armed by the profile's real clock, fires at {} s, before this step "
                              "at {} s; in the model it had not fired: the counterexample needs timing the real "
                              "stack does not have", host_name(h_), name(t), pkt::rel_time(at_us(t)), pkt::rel_time(t_us)));
  }
  return true;
}

bool Projector::advance() {
  wr_.now_us += kGapUs;
  return clear_of_timers(wr_.now_us);
}

bool Projector::real_step(const model::Transition& tr, const Input& in, Tcb& tcb, Output& o) {
  o = step(tcb, in, real_);
  if (const std::string d = differs(tr.out, o); !d.empty())
    return fail(fmt::format("under the profile's real timers {} behaves differently: {}", host_name(h_), d));
  tcb = o.tcb;
  model::detail::canonical_closed(tcb);
  last_step_ = i_ + 1;
  return true;
}

void Projector::emit_sent(const Output& o, std::int64_t window_us) {
  const Segment* s = o.actions.sent();
  if (s == nullptr) return;
  // A SYN-ACK from a reopened TIME-WAIT keeps our old base: packetdrill learns our ISN only from
  // a passive socket's first SYN-ACK (run_packet.c, do_outbound_script_packet; pkt_lines.hpp).
  wr_.sent(*s, window_us, (o.effects & effect::Reopened) == 0);
}

bool Projector::call(const std::string& text, const model::Transition& tr) {
  if (!advance()) return false;
  Input in = tr.input;
  in.now = now_ticks();
  Output o;
  if (!real_step(tr, in, rt_, o)) return false;
  sys(fmt::format("{} = {}", text, pkt::Writer::result(in, o, in.kind == InputKind::Connect)));
  emit_sent(o, 0);
  return true;
}

bool Projector::timer(const model::Transition& tr) {
  if (!rt_.armed(tr.timer))
    return fail(fmt::format("the model's {} timer fires, but under the profile's real timers it is not armed", name(tr.timer)));
  const std::int64_t at = std::max(at_us(tr.timer), wr_.now_us);
  if (!clear_of_timers(at, static_cast<int>(tr.timer))) return false;
  const std::int64_t waited = at - wr_.last_us();
  wr_.now_us = at;
  Input in = tr.input;
  in.now = now_ticks();
  Output o;
  if (!real_step(tr, in, rt_, o)) return false;
  // The kernel's timer wheel fires late by up to 1/8 of the wait (Linux kernel/time/timer.c levels):
  // the segment the expiry sends gets that window, and after a silent expiry the script waits it out.
  const std::int64_t late_us = kTimerSlackUs + waited / 8;
  if (o.actions.sent() == nullptr) wr_.now_us += late_us;
  emit_sent(o, late_us);
  return true;
}

bool Projector::deliver(const model::Transition& tr, const model::WorldState& prev) {
  const model::HostState& hs = prev.h[h_];
  const Segment& seg = tr.input.seg;
  const bool bare_syn = seg.has(flag::SYN) && !seg.has(flag::ACK) && !seg.has(flag::RST);
  const bool to_listener = !model::detail::live(hs.tcb) && hs.listening && bare_syn;
  if (to_listener && had_conn_)
    return fail(fmt::format("{}'s listener takes a second connection on the same 4-tuple; packetdrill follows one "
                            "connection per 4-tuple from a listener (it learns our ISN from the first SYN-ACK only, "
                            "run_packet.c), so no script can drive this side", host_name(h_)));
  // packetdrill numbers the peer's later segments from the sequence number of the SYN that made
  // the connection, or of the SYN-ACK that answered our SYN (run_packet.c, remote_seq_script_to_live_offset
  // and do_inbound_script_packet); the replay numbers them from the peer's first ISN. The two
  // read a script alike only while that number is the first one.
  const bool learns = to_listener || (seg.has(flag::SYN) && seg.has(flag::ACK) && hs.tcb.state == State::SynSent);
  if (learns && seg.seq != wr_.peer_base)
    return fail(fmt::format("the peer's ISN here, {}, is not its first ({}): packetdrill numbers the peer's later "
                            "segments from it and the replay from the first, so no script reads the same under both",
                            seg.seq, wr_.peer_base));
  if (!advance()) return false;
  wr_.line("< " + wr_.in_text(seg));
  Input in = tr.input;
  in.now = now_ticks();
  Output o;
  if (to_listener) {
    Tcb l = model::detail::fresh_listener(real_);
    if (!real_step(tr, in, l, o)) return false;
    if (o.tcb.state == State::SynReceived) { rt_ = l; had_conn_ = true; }
  } else if (!real_step(tr, in, rt_, o)) {
    return false;
  }
  emit_sent(o, 0);
  return true;
}

bool Projector::connect(const model::Transition& tr, const model::Instr& ins) {
  if (tr.unique_violation)
    return fail(fmt::format("{} opens a second connection on a 4-tuple it still has one for", host_name(h_)));
  if (!advance()) return false;
  const int fd = alloc();
  sys(fmt::format("socket(..., SOCK_STREAM, IPPROTO_TCP) = {}", fd));
  sys(fmt::format("fcntl({}, F_SETFL, O_RDWR|O_NONBLOCK) = 0", fd));
  if (ins.arg != 0) sys(fmt::format("setsockopt({}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", fd));
  // A fixed port, so that the next connection has the same 4-tuple (packetdrill's bind port).
  sys(fmt::format("bind({}, ..., ...) = 0", fd));
  cfd_ = fd;
  had_conn_ = true;
  return call(fmt::format("connect({}, ..., ...)", fd), tr);
}

bool Projector::accept() {
  if (++accepts_ > 1)
    return fail(fmt::format("{} accepts a second connection from its listener; packetdrill matches accept() to the "
                            "first connection's socket (run_system_call.c, run_syscall_accept), so no script can drive it",
                            host_name(h_)));
  if (lfd_ < 0) return fail(fmt::format("{} accepts a connection without a listener the script opened", host_name(h_)));
  if (!advance()) return false;
  cfd_ = alloc();
  sys(fmt::format("accept({}, ..., ...) = {}", lfd_, cfd_));
  return true;
}

bool Projector::app(const model::Transition& tr, const model::WorldState& prev) {
  const model::Instr ins = w_.prog[h_].code[prev.h[h_].pc];
  const std::string fd = std::to_string(cfd_);
  const bool on_conn = tr.op == Op::Send || tr.op == Op::ReadEof || tr.op == Op::ShutWr || tr.op == Op::Close ||
                       tr.op == Op::Abort;
  if (on_conn && tr.ran_core && cfd_ < 0)  // the model's application holds no descriptor a script knows of
    return fail(fmt::format("{}'s application calls on a connection the script has no descriptor for", host_name(h_)));
  switch (tr.op) {
    case Op::Listen:
      if (!advance()) return false;
      lfd_ = alloc();
      sys(fmt::format("socket(..., SOCK_STREAM, IPPROTO_TCP) = {}", lfd_));
      if (ins.arg != 0) sys(fmt::format("setsockopt({}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", lfd_));
      sys(fmt::format("bind({}, ..., ...) = 0", lfd_));
      sys(fmt::format("listen({}, 1) = 0", lfd_));
      return true;
    case Op::Unlisten: {
      if (!advance()) return false;
      sys(fmt::format("close({}) = 0", lfd_));
      release(lfd_);
      if (!tr.ran_core) return true;  // the listener resets the connection nobody accepted
      Output o;
      if (!real_step(tr, Input::abort(now_ticks()), rt_, o)) return false;
      emit_sent(o, 0);
      return true;
    }
    case Op::Connect: return connect(tr, ins);
    case Op::Send: return !tr.ran_core || call(fmt::format("write({}, ..., {})", fd, tr.input.n), tr);
    case Op::ReadEof: return !tr.ran_core || call(fmt::format("read({}, ..., {})", fd, tr.input.n), tr);
    case Op::ShutWr: return !tr.ran_core || call(fmt::format("shutdown({}, SHUT_WR)", fd), tr);
    case Op::Close: case Op::Abort: {
      if (cfd_ < 0) return true;
      if (tr.op == Op::Abort) {
        if (!advance()) return false;
        sys(fmt::format("setsockopt({}, SOL_SOCKET, SO_LINGER, {{onoff=1, linger=0}}, 8) = 0", fd));
      }
      // The model skips the core when the connection is already gone; the descriptor still closes.
      const bool ok = tr.ran_core ? call(fmt::format("close({})", fd), tr) : (advance() && (sys("close(" + fd + ") = 0"), true));
      release(cfd_);
      return ok;
    }
    case Op::AwaitConn: case Op::Again: case Op::End: return true;
  }
  return true;
}

bool Projector::run() {
  init_bases();
  model::WorldState prev = model::initial_state(w_);
  for (i_ = 0; i_ < v_.trace.size(); ++i_) {
    const model::TraceStep& st = v_.trace[i_];
    const model::Transition& tr = st.tr;
    const bool mine = tr.host == h_ && tr.kind != MoveKind::Lose && tr.kind != MoveKind::Dup && tr.kind != MoveKind::Tick;
    wr_.comment(fmt::format("{}{}", one_line(model::describe_step(w_, i_, st)), mine ? "" : "   [not on this host's wire]"));
    bool ok = true;
    if (mine) {
      switch (tr.kind) {
        case MoveKind::Timer: ok = timer(tr); break;
        case MoveKind::App: ok = app(tr, prev); break;
        case MoveKind::Deliver: ok = deliver(tr, prev); break;
        case MoveKind::Lose: case MoveKind::Dup: case MoveKind::Tick: break;
      }
    }
    const bool accepted = st.after.h[h_].conns > prev.h[h_].conns && !(mine && tr.kind == MoveKind::App && tr.op == Op::Connect);
    if (ok && accepted) ok = accept();
    if (!ok) return false;
    prev = st.after;
  }
  return true;
}

// A violation that no segment or call shows, or "".
std::string ghost_only(const model::Violation& v) {
  if (v.property == model::Property::UniqueTcb)
    return "unique-tcb is violated when a host would need two TCBs for one 4-tuple at once: no stack keeps two, "
           "so no script can drive one there";
  if (v.doomed)
    return "the violation is both-closed's liveness half, a statement about every continuation of the run, which "
           "no finite script shows";
  if (v.terminal)
    return fmt::format("the violation is the state the run ends in ({}), which no segment or call shows: a stack "
                       "that ends elsewhere would pass the same script", model::name(v.property));
  return {};
}

}  // namespace

std::uint8_t default_view(const model::Violation& v) {
  if (v.trace.empty()) return 0;
  const model::Transition& tr = v.trace.back().tr;
  return tr.host == 1 && tr.kind != MoveKind::Lose && tr.kind != MoveKind::Dup && tr.kind != MoveKind::Tick ? 1 : 0;
}

Config real_time_config(const Config& model_cfg, Profile p) {
  const Config prof = profile_config(p);
  Config c = model_cfg;
  c.tick_us = prof.tick_us;
  c.msl = prof.msl;
  c.time_wait = model_cfg.time_wait == 0 ? 0 : prof.time_wait;  // none at all is a behaviour, not a time
  c.rto = prof.rto;
  c.rtt_estimate = prof.rtt_estimate;
  c.tail_loss_probe = prof.tail_loss_probe;
  c.delack_min = prof.delack_min;  // delayed_ack itself stays the model's (off unless asked for)
  c.delack_ato = prof.delack_ato;
  c.fin_retries = prof.fin_retries;
  c.retries = prof.retries;
  c.fin_wait2_timeout = prof.fin_wait2_timeout;
  c.timestamps = prof.timestamps;
  c.paws = prof.paws;
  return c;
}

CexScript cex_script(const model::World& w, const model::Violation& v, std::uint8_t view, const Config& real,
                     std::string_view profile, std::string_view scenario) {
  CexScript out;
  const char* me = host_name(view);
  if (const std::string g = ghost_only(v); !g.empty()) {
    out.why_not = g;
    return out;
  }
  Projector p(w, v, view, real);
  if (!p.run()) {
    out.why_not = p.why();
    return out;
  }
  const std::size_t n = v.trace.size();
  // Knobs set beyond the profile (other than its timers): the replay and a stack take the profile
  // only, so the header says what else the script assumes.
  std::string knobs;
  if (const auto prof = profile_from_name(profile)) {
    const auto mine = describe(real);
    const auto base = describe(profile_config(*prof));
    for (std::size_t k = 0; k < mine.size() && k < base.size(); ++k)
      if (mine[k].second != base[k].second && mine[k].first != "mutant")
        knobs += fmt::format("{}{}={}", knobs.empty() ? "" : ", ", mine[k].first, mine[k].second);
  }
  const bool at_view = default_view(v) == view && v.trace.back().tr.host == view;
  const std::string other = host_name(static_cast<std::uint8_t>(1 - view));
  const std::string where =
      at_view ? fmt::format("// The violating step #{} is {}'s: the last lines below.\n", n, me)
              : fmt::format("// The violating step #{} happens at {}, not on {}'s wire: this script checks {}'s share\n"
                            "// of the counterexample, up to step #{}.\n", n, other, me, me, p.last_step());
  out.text = fmt::format(
      "// profile: {}\n"
      "// Generated by `tcpclose check --profile {} --scenario {} --property {}\n"
      "//   --trace-format packetdrill --view {}` from the shortest counterexample. {} is the stack under\n"
      "// test; {} and the network are this script, in the profile's real time (TIME-WAIT {} s, RTO {} s{}).\n"
      "{}{}"
      "// violated: {}: {}\n"
      "{}"
      "// Each model step is a comment; the lines under it are what it is on {}'s wire. Do not edit; regenerate.\n"
      "--tolerance_usecs=10000\n\n{}",
      profile, profile, scenario, model::name(v.property), me, me, other,
      pkt::rel_time(std::int64_t{real.time_wait} * real.tick_us), pkt::rel_time(std::int64_t{real.rto} * real.tick_us),
      real.rtt_estimate ? " until an RTT sample" : "",
      real.mutant == Mutant::None ? "" : fmt::format("// MUTANT {}: a deliberately broken core ({})\n", name(real.mutant), describe(real.mutant)),
      knobs.empty() ? "" : fmt::format("// KNOBS beyond the profile: {} (the replay and a stack take the profile only)\n", knobs),
      model::name(v.property), model::statement(v.property), where, me, p.body());
  return out;
}

}  // namespace tcpclose::cli
