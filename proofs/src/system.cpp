// The composed system (see system.hpp): T(s, c, s') in Z3, and apply(), the same step on plain
// values through the real step(). Rule: every rule of the world is written once, as a template
// over the value domain (CDomain, SDomain); trans() and apply() only store what it computes.
#include "tcpclose/proofs/system.hpp"

#include <algorithm>
#include <functional>
#include <type_traits>
#include <stdexcept>

#include <fmt/format.h>

#include <tcpclose/model/response.hpp>
#include <tcpclose/model/trace.hpp>

#include "tcpclose/proofs/invariants.hpp"

namespace tcpclose::proofs {

const char* name(IsnPolicy p) {
  switch (p) {
    case IsnPolicy::Adversarial: return "adversarial";
    case IsnPolicy::Clock: return "clock";
  }
  return "?";
}

bool provable(model::Property p) {
  for (model::Property q : kProvable)
    if (q == p) return true;
  for (model::Property q : kProvableWhenNamed)
    if (q == p) return true;
  return false;
}

std::string both_closed_world(const SystemOptions& o) {
  std::string r;
  if (!o.loss) r += ", --loss N";
  if (!o.delay) r += ", --delay N";
  if (o.late_timers) r += ", timers on time (not --late-timers)";
  if (r.empty()) return r;
  return "both-closed needs " + r.substr(2) + ": its calm is a time in which no budget is spent (loss, duplicate, delay), and "
         "a timer that may fire late would hold a TCB open with no fault at all";
}

namespace {

constexpr std::uint8_t kAcceptEffects = model::detail::kAcceptEffects;
constexpr std::uint32_t kAdversarialMaxStep = 0x40000000u;  // 2^30
constexpr std::uint32_t kClockStep = 0x01000000u;           // 2^24
constexpr std::uint32_t kRecvAll = 0xFFFF;
constexpr std::uint32_t kClockEnd = 0x7FFFFFFF;  // the clock runs for < 2^31 ticks: deadlines never wrap

// A's program, per incarnation: connect, send, close (docs/proofs.md "The composed system").

using proofs::merge;  // encoding.hpp's, for terms, segments and TCBs; these two for the system's own
SymSlot merge(const z3::expr& k, const SymSlot& a, const SymSlot& b) {
  return SymSlot{merge(k, a.valid, b.valid), merge(k, a.to_b, b.to_b), merge(k, a.sent, b.sent), merge(k, a.inc, b.inc),
                 merge(k, a.seg, b.seg), merge(k, a.late, b.late)};
}
SymHost merge(const z3::expr& k, const SymHost& a, const SymHost& b) {
  return SymHost{merge(k, a.tcb, b.tcb), merge(k, a.inc, b.inc), merge(k, a.pc, b.pc), merge(k, a.tw_start, b.tw_start),
                 merge(k, a.last_iss, b.last_iss), merge(k, a.has_iss, b.has_iss), merge(k, a.n_iss, b.n_iss)};
}
z3::expr eq(const SymSlot& a, const SymSlot& b) {
  return a.valid == b.valid && a.to_b == b.to_b && a.sent == b.sent && a.inc == b.inc && equal(a.seg, b.seg) &&
         a.late == b.late;
}
z3::expr eq(const SymHost& a, const SymHost& b) {
  return equal(a.tcb, b.tcb) && a.inc == b.inc && a.pc == b.pc && a.tw_start == b.tw_start &&
         a.last_iss == b.last_iss && a.has_iss == b.has_iss && a.n_iss == b.n_iss;
}

z3::expr live(const Vocabulary& v, const SymTcb& t) {
  return t.state != v.state(State::Closed) && t.state != v.state(State::Listen);
}
Tcb listener(const Config& c) { return model::detail::fresh_listener(c); }
z3::expr has(const Vocabulary& v, const SymSegment& s, std::uint8_t f) { return (s.flags & v.bv8(f)) != v.bv8(0); }
// SEG.LEN (RFC 9293 §3.4): payload plus one for each of SYN and FIN.
z3::expr seg_len(const Vocabulary& v, const SymSegment& s) {
  return s.len + z3::ite(has(v, s, flag::SYN), v.bv32(1), v.bv32(0)) + z3::ite(has(v, s, flag::FIN), v.bv32(1), v.bv32(0));
}

std::uint32_t u32(const z3::model& m, const z3::expr& e) {
  return static_cast<std::uint32_t>(m.eval(e, true).get_numeral_uint64());
}
bool boolean(const z3::model& m, const z3::expr& e) { return m.eval(e, true).is_true(); }

// The two value domains of the step's blocks (and model/response.hpp's): plain values for
// apply(), terms for trans(). The rules below are written once over either, so that the concrete
// step and the relation are the same code, not a copy and its twin. A replayed witness then
// checks the two domains' operations against each other and the derivation against step().
struct CDomain : model::Plain {
  using Host = CHost;
  using Slot = CSlot;
  using Tcb = tcpclose::Tcb;
  using In = Input;
  using Out = Output;
  static std::uint32_t w8(std::uint32_t x) { return x; }
  static bool uge(std::uint32_t a, std::uint32_t b) { return a >= b; }
  static bool ule(std::uint32_t a, std::uint32_t b) { return a <= b; }
  static bool move_is(Move m, Move x) { return m == x; }
  static std::uint32_t urem(std::uint32_t a, std::uint32_t b) { return a % b; }
  // A deadline that is kNever in every state (a constant term): never for plain values.
  static bool never_armed(std::uint32_t) { return false; }
  static CHost host(bool b, const std::array<CHost, 2>& h) { return h[b ? 1 : 0]; }
  static CSlot slot(std::uint8_t j, const std::vector<CSlot>& net) { return j < net.size() ? net[j] : CSlot{}; }
  template <class T>
  static T pick(bool k, const T& a, const T& b) { return k ? a : b; }
  static InputKind kind(InputKind k) { return k; }
  static Tcb lifted(const Tcb& t) { return t; }
  static Segment lifted(const Segment& g) { return g; }
  static std::uint32_t seg_len(const Segment& g) { return g.seg_len(); }
  static bool segment_acceptable(Seq seq, std::uint32_t len, Seq nxt, std::uint32_t wnd) {
    return tcpclose::segment_acceptable(seq, len, nxt, wnd);
  }
  static Input input(InputKind k, Timer tm, std::uint32_t how, std::uint32_t now, std::uint32_t n, Seq iss,
                     const Segment& g) {
    Input in;
    in.kind = k; in.timer = tm; in.how = static_cast<Shut>(how); in.now = now; in.n = n; in.iss = iss; in.seg = g;
    return in;
  }
  static Output core_step(const Config& c, const Tcb& t, const Input& in, bool) { return step(t, in, c); }
  static bool emits(const Output& o) { return o.actions.has_seg; }
  static const Segment& sent(const Output& o) { return o.actions.seg; }
  static CSlot slot_of(bool valid, bool to_b, std::uint32_t sent, std::uint32_t inc, const Segment& g, bool late) {
    return CSlot{valid, to_b, sent, static_cast<std::uint8_t>(inc), g, late};
  }
  static CHost host_of(const Tcb& t, std::uint32_t inc, std::uint32_t pc, std::uint32_t tw_start, Seq last_iss,
                       bool has_iss, std::uint32_t n_iss) {
    return CHost{t, static_cast<std::uint8_t>(inc), static_cast<std::uint8_t>(pc), tw_start, last_iss, has_iss,
                 static_cast<std::uint8_t>(n_iss)};
  }
  static bool live(const Tcb& t) { return model::detail::live(t); }
};
struct SDomain {
  using B = z3::expr;
  using W = z3::expr;
  using Host = SymHost;
  using Slot = SymSlot;
  using Tcb = SymTcb;
  using In = SymInput;
  using Out = SymOutput;
  const Vocabulary& v;
  z3::expr boolean(bool b) const { return v.boolean(b); }
  z3::expr word(std::uint32_t x) const { return v.bv32(x); }
  z3::expr is(const z3::expr& s, State x) const { return s == v.state(x); }
  z3::expr ugt(const z3::expr& a, const z3::expr& b) const { return z3::ugt(a, b); }
  z3::expr w8(std::uint32_t x) const { return v.bv8(x); }
  z3::expr uge(const z3::expr& a, const z3::expr& b) const { return z3::uge(a, b); }
  z3::expr ule(const z3::expr& a, const z3::expr& b) const { return z3::ule(a, b); }
  z3::expr move_is(const z3::expr& m, Move x) const { return m == v.bv8(static_cast<std::uint32_t>(x)); }
  z3::expr urem(const z3::expr& a, const z3::expr& b) const { return z3::urem(a, b); }
  template <class T>
  T pick(const z3::expr& k, const T& a, const T& b) const { return merge(k, a, b); }
  z3::expr kind(InputKind k) const { return v.kind(k); }
  template <class T>
  auto lifted(const T& x) const { return lift(v, x); }
  z3::expr seg_len(const SymSegment& g) const { return proofs::seg_len(v, g); }
  z3::expr segment_acceptable(const z3::expr& seq, const z3::expr& len, const z3::expr& nxt, const z3::expr& wnd) const {
    return proofs::segment_acceptable(seq, len, nxt, wnd);
  }
  SymInput input(const z3::expr& k, const z3::expr& tm, const z3::expr& how, const z3::expr& now, const z3::expr& n,
                 const z3::expr& iss, const SymSegment& g) const {
    return SymInput{k, tm, how, now, n, iss, g};
  }
  SymOutput core_step(const Config& c, const SymTcb& t, const SymInput& in, bool delack) const {
    return derive_step(v, c, t, in, delack);
  }
  static const z3::expr& emits(const SymOutput& o) { return o.has_seg; }
  static const SymSegment& sent(const SymOutput& o) { return o.seg; }
  static SymSlot slot_of(const z3::expr& valid, const z3::expr& to_b, const z3::expr& sent, const z3::expr& inc,
                         const SymSegment& g, const z3::expr& late) {
    return SymSlot{valid, to_b, sent, inc, g, late};
  }
  SymHost host_of(const SymTcb& t, const z3::expr& inc, const z3::expr& pc, const z3::expr& tw_start,
                  const z3::expr& last_iss, const z3::expr& has_iss, const z3::expr& n_iss) const {
    return SymHost{t, inc, pc, tw_start, last_iss, has_iss, n_iss};
  }
  bool never_armed(const z3::expr& d) const { return z3::eq(d, v.bv32(kNever)); }
  SymHost host(const z3::expr& b, const std::array<SymHost, 2>& h) const { return merge(b, h[1], h[0]); }
  SymSlot slot(const z3::expr& j, const std::vector<SymSlot>& net) const {
    const z3::expr f = v.boolean(false);
    SymSlot P = net.empty() ? SymSlot{f, f, v.bv32(0), v.bv8(0), lift(v, Segment{}), f} : net[0];
    for (unsigned k = 1; k < net.size(); ++k) P = merge(j == v.bv8(k), net[k], P);
    return P;
  }
  z3::expr ite(const z3::expr& k, const z3::expr& a, const z3::expr& b) const { return z3::ite(k, a, b); }
  template <class F>
  z3::expr ite_else(const z3::expr& k, const z3::expr& a, F&& f) const { return z3::ite(k, a, f()); }
  z3::expr ult(const z3::expr& a, const z3::expr& b) const { return z3::ult(a, b); }
  z3::expr isnt(const z3::expr& s, State x) const { return s != v.state(x); }
  z3::expr timer_is(const z3::expr& t, Timer x) const { return t == v.timer(x); }
  z3::expr has(const SymSegment& s, std::uint8_t f) const { return proofs::has(v, s, f); }
  z3::expr verdict_is(const z3::expr& verdict, Verdict x) const { return verdict == v.bv8(static_cast<std::uint32_t>(x)); }
  z3::expr live(const SymTcb& t) const { return proofs::live(v, t); }
};

// 1b. How long a segment lives in the budget world: kNormalDelay ticks, or MSL when flagged
// delayed (model/successors.hpp, detail::Successors::tick).
template <class D>
typename D::W lifetime(const D& d, const SystemOptions& o, const typename D::Slot& q) {
  return o.delay ? d.ite(q.late, d.word(o.cfg.msl), d.word(model::kNormalDelay)) : d.word(o.cfg.msl);
}

// The first lines and blocks 1, 1b and 2 of a step, once over either domain: the move's kind,
// time and host, the delivered slot, the ISS a new connection would take, and whether each is
// allowed. Some fields no later block reads (t and f): they keep their terms alive (see trans()).
template <class D>
struct Moved {
  typename D::B t, f;  // true and false, made once as trans() made them
  typename D::B is_app, is_del, is_tmr;
  typename D::W now;
  typename D::B clock_ok, hb;
  typename D::Host H;  // the host that moves
  typename D::Slot P;  // the delivered segment's slot
  typename D::B deliver_ok, isn_ok;
  typename D::W iss;
};
template <class D, class St, class Ch>
Moved<D> moved(const D& d, const SystemOptions& o, const St& s, const Ch& c) {
  const typename D::B t = d.boolean(true), f = d.boolean(false);
  const typename D::B is_app = d.move_is(c.move, Move::App), is_del = d.move_is(c.move, Move::Deliver),
                      is_tmr = d.move_is(c.move, Move::Timer);
  // Every move happens `delta` >= 0 ticks after the previous one: time passes with the move.
  const typename D::W now = s.now + c.delta;
  typename D::B clock_ok = d.uge(now, s.now) && d.ule(now, d.word(kClockEnd));
  if (!o.late_timers)  // strict timers: time never passes an armed deadline
    for (const auto& h : s.h)
      for (const auto& dl : h.tcb.deadline)
        if (!d.never_armed(dl)) clock_ok = clock_ok && (dl == d.word(kNever) || d.ule(now, dl));
  const typename D::B hb = c.host_b;
  const typename D::Host H = d.host(hb, s.h);  // the host that moves

  // 1. The delivered segment: a valid slot, towards the host, not older than MSL.
  const typename D::Slot P = d.slot(c.slot, s.net);
  // 1b. The budget world: a segment lives kNormalDelay ticks, or MSL when flagged delayed
  // (lifetime()); one that outlives it dies when the time of this move passes, and its death is a loss.
  const typename D::B alive = d.ule(now - P.sent, o.budgeted() ? lifetime(d, o, P) : d.word(o.cfg.msl));
  const typename D::B deliver_ok = d.ult(c.slot, d.w8(o.slots)) && P.valid && P.to_b == hb && alive &&
                                   (!c.keep || d.ult(s.dups, d.w8(o.dup)));

  // 2. The ISS a new connection of H would take (IsnPolicy).
  const typename D::B step_ok = o.isn == IsnPolicy::Clock
                                    ? c.isn == d.word(kClockStep)
                                    : d.uge(c.isn, d.word(1)) && d.ule(c.isn, d.word(kAdversarialMaxStep));
  const typename D::B isn_ok = !H.has_iss || step_ok;
  const typename D::W iss = d.ite(H.has_iss, H.last_iss + c.isn, c.isn);
  return Moved<D>{t, f, is_app, is_del, is_tmr, now, clock_ok, hb, H, P, deliver_ok, isn_ok, iss};
}

// Blocks 3 and 4 of a step, once over either domain: what the applications call next, and
// whether the move is enabled at all. a_op is A's pc modulo its program's length (kept alive).
template <class D>
struct Calls {
  typename D::W a_op;
  typename D::B a_connect, a_send, b_read, enabled;
};
template <class D, class St, class Ch>
Calls<D> calls(const D& d, const SystemOptions& o, std::uint32_t ops, bool delack, const St& s, const Ch& c,
               const Moved<D>& m) {
  const typename D::B &t = m.t, &f = m.f, &hb = m.hb;
  const typename D::Host& H = m.H;

  // 3. The applications. A: (connect, send, close) x incarnations. B: read what is unread,
  // then close once the peer's FIN is in (a server reading to end of stream).
  const typename D::W apc = s.h[0].pc;
  const typename D::B a_running = d.ult(apc, d.w8(ops * o.incarnations));
  const typename D::W a_op = d.urem(apc, d.w8(ops));
  const typename D::B a_connect = a_op == d.w8(0), a_send = o.data != 0 ? a_op == d.w8(1) : f;
  const auto& ta = s.h[0].tcb;
  const typename D::B a_ok = a_running && d.ite(a_connect, d.is(ta.state, State::Closed),
                                                d.ite(a_send, ta.was_synced || d.is(ta.state, State::Closed), t));
  const auto& tb = s.h[1].tcb;
  const typename D::B b_read = tb.rcv_unread != d.word(0);
  const typename D::B b_ok = d.live(tb) && (b_read || (tb.fin_rcvd && !tb.orphan));
  const typename D::B app_ok = d.ite(hb, b_ok, a_ok);

  // 4. Timers fire exactly at their deadline; time passes only up to the next deadline.
  typename D::B timer_ok = f;
  for (Timer tm : {Timer::Rexmit, Timer::TimeWait, Timer::FinWait2, Timer::DelAck}) {
    if (tm == Timer::DelAck && !delack) continue;  // never armed: the relation has no such move
    const auto& dl = H.tcb.deadline[static_cast<std::size_t>(tm)];
    timer_ok = timer_ok || (d.timer_is(c.timer, tm) && dl != d.word(kNever) &&
                            (o.late_timers ? d.ule(dl, m.now) : dl == m.now));
  }

  const typename D::B enabled = d.ite(m.is_app, app_ok, d.ite(m.is_del, m.deliver_ok && m.isn_ok,
                                                               m.is_tmr && timer_ok)) && m.clock_ok &&
                                d.ite(m.is_app && !hb && a_connect, m.isn_ok, t);
  return Calls<D>{a_op, a_connect, a_send, b_read, enabled};
}

// Blocks 5 and 6 of a step, once over either domain: the core's input and TCB, the step itself
// (the real step() on plain values, the relation derived from its code on terms), and the moving
// host after it, which `commit` stores (trans() as equalities, apply() in the next state).
template <class D>
struct Stepped {
  typename D::In in;
  typename D::Tcb tin;
  typename D::Out o;
  typename D::B connected, reopened, spawned;
  typename D::Host Hn;
};
template <class D, class St, class Ch, class Commit>
Stepped<D> stepped(const D& d, const SystemOptions& o, bool delack, bool counts_iss, const St& s, const Ch& c,
                   const Moved<D>& m, const Calls<D>& a, Commit commit) {
  const Config& cfg = o.cfg;
  const typename D::B &is_app = m.is_app, &is_del = m.is_del, &hb = m.hb;
  const typename D::W& now = m.now;
  const typename D::Host& H = m.H;
  const typename D::Slot& P = m.P;

  // 5. The core's input and TCB: one step on the moving host (on terms: the relation derived
  //    from step()'s own rules, derive.cpp, not a transcription of them).
  const auto kind = d.ite(
      is_del, d.kind(InputKind::Segment),
      d.ite(m.is_tmr, d.kind(InputKind::Timeout),
            d.ite(hb, d.ite(a.b_read, d.kind(InputKind::Receive), d.kind(InputKind::Close)),
                  d.ite(a.a_connect, d.kind(InputKind::Connect),
                        d.ite(a.a_send, d.kind(InputKind::Send), d.kind(InputKind::Close))))));
  const typename D::W nbytes = d.ite(hb, d.word(kRecvAll), d.word(o.data));
  const auto none = d.lifted(Segment{});
  // (Terms are made left to right, as the braced initializers trans() had made them: the same
  // terms with the same ids, as the relation's shape is pinned; function arguments are not.)
  const typename D::W how = d.w8(static_cast<std::uint32_t>(Shut::RdWr));
  const auto seg = d.pick(is_del, P.seg, none);
  const typename D::In ci = d.input(kind, c.timer, how, now, nbytes, m.iss, seg);
  const auto& tb = s.h[1].tcb;
  const typename D::B spawn = is_del && hb && !d.live(tb) && d.has(P.seg, flag::SYN) && !d.has(P.seg, flag::ACK) &&
                              !d.has(P.seg, flag::RST);
  const typename D::Tcb tin = d.pick(spawn, d.lifted(listener(cfg)), H.tcb);
  const typename D::Out out = d.core_step(cfg, tin, ci, delack);

  // 6. The moving host after the step.
  const typename D::B spawned = spawn && d.is(out.tcb.state, State::SynReceived);
  const typename D::B reopened = is_del && (out.effects & d.w8(effect::Reopened)) != d.w8(0);
  const typename D::B connected = is_app && !hb && a.a_connect;
  const typename D::Tcb tnew = d.pick(spawn && !spawned, H.tcb, out.tcb);
  const auto inc = d.ite(connected, s.next_inc, d.ite(spawned || reopened, P.inc, H.inc));
  const typename D::B fin_processed =
      is_del && d.has(P.seg, flag::FIN) && !d.has(P.seg, flag::RST) && d.is(H.tcb.state, State::TimeWait) &&
      (P.seg.seq + d.seg_len(P.seg) == H.tcb.rcv_nxt ||
       d.segment_acceptable(P.seg.seq, d.seg_len(P.seg), H.tcb.rcv_nxt, H.tcb.rcv_wnd));
  const typename D::B in_tw = d.is(tnew.state, State::TimeWait);
  const typename D::W tw_start =
      d.ite(in_tw, d.ite(d.isnt(H.tcb.state, State::TimeWait) || fin_processed, now, H.tw_start), d.word(0));
  const typename D::B new_iss = connected || spawned || reopened;
  const auto pc = d.ite(is_app && !hb, H.pc + d.w8(1), H.pc);
  const typename D::W last_iss = d.ite(new_iss, out.tcb.iss, H.last_iss);
  const typename D::B has_iss = H.has_iss || new_iss;
  const auto n_iss = counts_iss ? d.ite(new_iss, H.n_iss + d.w8(1), H.n_iss) : H.n_iss;
  const typename D::Host Hn = d.host_of(tnew, inc, pc, tw_start, last_iss, has_iss, n_iss);
  commit(Hn);
  return Stepped<D>{ci, tin, out, connected, reopened, spawned, Hn};
}

// Block 7 of a step, once over either domain: the network after the move. The delivered segment
// leaves (unless duplicated); the sent one takes the first free slot, or is lost. A reply to a
// segment belongs to that segment's incarnation. `slot(j, q)` stores slot j of the next state and
// `counters(k, x)` its time (0), duplicates (1) and next incarnation (2), in the order trans()
// made their equalities. Returns, for 7b, whether a segment was sent and placed, and the deaths.
template <class D>
struct Net {
  typename D::Slot fresh;  // kept alive
  typename D::B emits, placed;
  typename D::W died;
};
template <class D, class St, class Ch, class SlotSink, class CounterSink>
Net<D> network(const D& d, const SystemOptions& o, const St& s, const Ch& c, const Moved<D>& m, const Stepped<D>& st,
               SlotSink slot, CounterSink counters) {
  const typename D::B &t = m.t, &f = m.f, &is_del = m.is_del, &hb = m.hb;
  const typename D::W& now = m.now;
  const auto& out = st.o;
  const typename D::B emits = d.emits(out);
  const typename D::B reply = d.verdict_is(out.verdict, Verdict::Reset) || !(d.live(st.tin) || d.live(out.tcb));
  const typename D::B to_b = !hb;  // (left to right, as trans()'s braced initializer)
  const auto fresh_inc = d.ite(reply && is_del, m.P.inc, st.Hn.inc);
  const typename D::Slot fresh = d.slot_of(t, to_b, now, fresh_inc, d.sent(out), o.delay ? c.late : f);
  typename D::B placed = f;  // the sent segment takes the first free slot; with none free it is lost
  typename D::W died = d.w8(0);  // 1b: slots whose segment outlived its lifetime in this move's time
  for (unsigned j = 0; j < s.net.size(); ++j) {
    const typename D::Slot& q = s.net[j];
    const typename D::B taken = is_del && c.slot == d.w8(j) && !c.keep;
    typename D::B valid = q.valid && !taken;
    typename D::B here = emits && !placed && (!valid || d.ugt(now - q.sent, d.word(o.cfg.msl)));
    if (o.budgeted()) {  // a dead segment leaves its slot (and is counted once)
      const typename D::B survives = q.valid && d.ule(now - q.sent, lifetime(d, o, q));
      died = died + d.ite(q.valid && !survives, d.w8(1), d.w8(0));
      valid = survives && !taken;
      here = emits && !placed && !valid;
    }
    placed = placed || here;
    slot(j, d.pick(here, fresh, d.slot_of(valid, q.to_b, q.sent, q.inc, q.seg, q.late)));
  }
  counters(0, now);
  counters(1, d.ite(is_del && c.keep, s.dups + d.w8(1), s.dups));
  counters(2, d.ite(st.connected, s.next_inc + d.w8(1), s.next_inc));
  return Net<D>{fresh, emits, placed, died};
}

// Block 7b, once over either domain: the budgets the move spends. Deaths and a segment sent into
// a full network spend the loss budget, a wanderer the delay budget; `spend(0, losses, bound)`
// and `spend(1, delays, bound)` store each and refuse a move beyond its budget (the model prunes it).
template <class D, class St, class Ch, class Spend>
void budgets(const D& d, const SystemOptions& o, const St& s, const Ch& c, const Net<D>& net, Spend spend) {
  if (o.loss) spend(0, s.losses + net.died + d.ite(net.emits && !net.placed, d.w8(1), d.w8(0)), *o.loss);
  if (o.delay) spend(1, s.delays + d.ite(net.emits && net.placed && c.late, d.w8(1), d.w8(0)), *o.delay);
}

// Block 8 of a step, once over either domain: the monitors (model/properties.hpp
// check_transition), fed by the move and the core's step. `flag(k, x)` stores bad_stale (0),
// bad_tw (1) and saw_stale_rejected (2) of the next state; `held()` is the single-step invariant
// time-wait-held on this step (time_wait_exit).
template <class D, class St, class Ch, class Held, class FlagSink>
void monitors(const D& d, const Config& cfg, const St& s, const Ch& c, const Moved<D>& m, const Stepped<D>& st,
              Held held, FlagSink flag) {
  const typename D::B& is_del = m.is_del;
  const typename D::Host& H = m.H;
  const typename D::Slot& P = m.P;
  const typename D::B accepted = (st.o.effects & d.w8(kAcceptEffects)) != d.w8(0);
  // (Its operands are made in the order the expression made them before it was one definition:
  // the same terms with the same ids, as the relation's shape is pinned.)
  const typename D::B to_live = is_del && d.live(H.tcb);
  const typename D::B other_inc = P.inc != H.inc;
  const typename D::B stale = model::stale_delivery(to_live, other_inc, accepted, st.reopened);
  const typename D::B rejected = is_del && d.live(H.tcb) && d.ult(P.inc, H.inc) && !accepted;
  // Under a mutant, the exits the profile's own rules allow are exactly those of the single-step
  // invariant time-wait-held (one definition; the checker asks the unmutated step() the same
  // question); without one, the same exits as plain terms (time_wait_exit).
  const model::TwExit<D> tw = model::time_wait_exit(d, cfg, m, st, H, P, c.timer, held);
  flag(0, s.bad_stale || stale);
  flag(1, s.bad_tw || (tw.left && tw.early));
  flag(2, s.saw_stale_rejected || rejected);
}

// Both applications have closed: A has run its whole program (a_end calls), and B holds no live
// connection (its TCB is dead, or orphaned by its close).
template <class D, class St>
typename D::B apps_closed(const D& d, const St& s, std::uint32_t a_end) {
  return d.uge(s.h[0].pc, d.w8(a_end)) && (!d.live(s.h[1].tcb) || s.h[1].tcb.orphan);
}
// A fault in this move: a budget spent (a segment lost, duplicated or delayed).
template <class D, class St>
typename D::B faulted_now(const St& s, const St& n) {
  return n.losses != s.losses || n.dups != s.dups || n.delays != s.delays;
}
// The calm's start: the tick of the last move before both applications had closed, or of the
// last fault since.
template <class D, class St>
typename D::W calm_next(const D& d, const St& s, const St& n, std::uint32_t a_end) {
  return d.ite(faulted_now<D>(s, n) || !apps_closed(d, s, a_end), n.now, s.calm_since);
}
// both-closed's violation in n (model::both_closed_overdue, with n's terms).
template <class D, class St>
typename D::B closed_overdue(const D& d, const St& n, std::uint32_t a_end, std::uint32_t bound) {
  typename D::B in_flight = d.boolean(false), timers = d.boolean(false), settled = d.boolean(true);
  for (const auto& q : n.net) in_flight = in_flight || q.valid;
  for (const auto& h : n.h)
    for (const auto& at : h.tcb.deadline) timers = timers || at != d.word(kNever);
  const typename D::B faulted = n.losses != 0 || n.dups != 0 || n.delays != 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& t = n.h[i].tcb;
    settled = settled && (!d.live(t) || model::left_half_open<D>(model::half_open_state(d, t.state),
                                                                 d.live(n.h[1 - i].tcb), in_flight, faulted));
  }
  return model::both_closed_overdue(d, apps_closed(d, n, a_end), settled, !in_flight && !timers,
                                    n.now - n.calm_since, d.word(bound));
}

}  // namespace

System::System(z3::context& ctx, const SystemOptions& o) : o_(o), v_(ctx) {
  if (o.both_closed && !both_closed_world(o).empty()) throw std::invalid_argument(both_closed_world(o));
}

SysState System::fresh_state(const std::string& x) const {
  z3::context& c = ctx();
  auto bv = [&](const std::string& n, unsigned w) { return c.bv_const((n + x).c_str(), w); };
  auto b = [&](const std::string& n) { return c.bool_const((n + x).c_str()); };
  // The budget world's variables exist only where they are read; elsewhere they are constants,
  // so the default world's formulas (and CHC's relation) are exactly as before.
  const z3::expr no = c.bool_val(false), zero = c.bv_val(0, 8);
  auto host = [&](const std::string& p) {
    SymTcb t = fresh_tcb(v_, p + "tcb" + x);
    // The RTT and probe fields stay zero while their knobs are off (step.hpp): constants then,
    // so that a world without them has the relation it had before they existed.
    if (!o_.cfg.rtt_estimate) {
      t.rtt_timing = no; t.rtt_time = v_.bv32(0);
      t.srtt = c.bv_val(0, 16); t.rttvar = c.bv_val(0, 16);
    }
    if (!o_.cfg.tail_loss_probe) { t.sack_ok = no; t.tlp_sent = no; }
    if (o_.cfg.oow_ack_interval == 0) t.oow_ack_at = v_.bv32(0);
    // The delayed-ACK timer is never armed while Config::delayed_ack is off (step.hpp).
    if (!delack()) t.deadline[static_cast<std::size_t>(Timer::DelAck)] = v_.bv32(kNever);
    if (o_.cfg.delayed_ack != DelayedAck::LinuxFin) t.data_rcvd = no;  // set by that value only
    return SymHost{t, bv(p + "inc", 8), bv(p + "pc", 8), bv(p + "tw_start", 32),
                   bv(p + "last_iss", 32), b(p + "has_iss"),
                   counts_iss() ? bv(p + "n_iss", 8) : v_.bv8(0)};
  };
  SysState s{{host("A."), host("B.")}, {}, bv("now", 32), bv("dups", 8), bv("next_inc", 8),
             b("bad_stale"), b("bad_tw"), b("saw_stale_rejected"), o_.loss ? bv("losses", 8) : zero,
             o_.delay ? bv("delays", 8) : zero, o_.both_closed ? bv("calm_since", 32) : v_.bv32(0),
             o_.both_closed ? b("bad_closed") : no};
  for (unsigned j = 0; j < o_.slots; ++j) {
    const std::string p = fmt::format("net{}.", j);
    SymSegment seg = fresh_segment(v_, p + "seg" + x);
    if (!o_.cfg.tail_loss_probe) seg.sack_perm = no;
    s.net.push_back(SymSlot{b(p + "valid"), b(p + "to_b"), bv(p + "sent", 32), bv(p + "inc", 8), seg,
                            o_.delay ? b(p + "late") : no});
  }
  return s;
}

SysChoice System::fresh_choice(const std::string& x) const {
  z3::context& c = ctx();
  auto bv = [&](const std::string& n, unsigned w) { return c.bv_const((n + x).c_str(), w); };
  auto b = [&](const std::string& n) { return c.bool_const((n + x).c_str()); };
  return SysChoice{bv("move", 8), b("host_b"), bv("slot", 8), b("keep"),
                   c.constant(("timer" + x).c_str(), v_.timer_sort()), bv("delta", 32),
                   bv("isn", 32), o_.delay ? b("late") : c.bool_val(false)};
}

std::vector<z3::expr> System::vars(const SysState& s) const {
  std::vector<z3::expr> r;
  auto tcb = [&](const SymTcb& t) {
    for (const z3::expr& e : {t.state, t.so_error, t.retries, t.fin_sent, t.fin_acked, t.fin_rcvd, t.ts_ok,
                              t.orphan, t.rd_shut, t.wr_shut, t.passive, t.was_synced, t.iss, t.irs, t.snd_una,
                              t.snd_nxt, t.snd_wnd, t.rcv_nxt, t.rcv_wnd, t.fin_seq, t.ts_recent,
                              t.last_ack_sent, t.rcv_unread, t.deadline[0], t.deadline[1], t.deadline[2]})
      r.push_back(e);
    if (delack()) r.push_back(t.deadline[static_cast<std::size_t>(Timer::DelAck)]);
    if (o_.cfg.delayed_ack == DelayedAck::LinuxFin) r.push_back(t.data_rcvd);
    if (o_.cfg.rtt_estimate)
      for (const z3::expr& e : {t.rtt_timing, t.rtt_time, t.srtt, t.rttvar}) r.push_back(e);
    if (o_.cfg.tail_loss_probe)
      for (const z3::expr& e : {t.sack_ok, t.tlp_sent}) r.push_back(e);
    if (o_.cfg.oow_ack_interval != 0) r.push_back(t.oow_ack_at);
  };
  for (const SymHost& h : s.h) {
    tcb(h.tcb);
    for (const z3::expr& e : {h.inc, h.pc, h.tw_start, h.last_iss, h.has_iss}) r.push_back(e);
    if (counts_iss()) r.push_back(h.n_iss);
  }
  for (const SymSlot& p : s.net)
    for (const z3::expr& e : {p.valid, p.to_b, p.sent, p.inc, p.seg.seq, p.seg.ack, p.seg.len, p.seg.wnd,
                              p.seg.ts_val, p.seg.ts_ecr, p.seg.flags, p.seg.has_ts})
      r.push_back(e);
  if (o_.cfg.tail_loss_probe)
    for (const SymSlot& p : s.net) r.push_back(p.seg.sack_perm);
  for (const z3::expr& e : {s.now, s.dups, s.next_inc, s.bad_stale, s.bad_tw, s.saw_stale_rejected})
    r.push_back(e);
  // The budget world's variables (constants where unbounded: fresh_state).
  if (o_.delay)
    for (const SymSlot& p : s.net) r.push_back(p.late);
  if (o_.loss) r.push_back(s.losses);
  if (o_.delay) r.push_back(s.delays);
  if (o_.both_closed)
    for (const z3::expr& e : {s.calm_since, s.bad_closed}) r.push_back(e);
  return r;
}

// The initial state: nothing in flight and, when start_established, incarnation 1 already
// established by the three-way handshake at tick 0 from ISSs x (A) and y (B), run through
// step() here and through derive_step (step()'s own code on terms) in init(): the handshake is
// not a second description.
CState System::initial(Seq x, Seq y) const {
  CState s;
  s.net.resize(o_.slots);
  if (!o_.start_established) return s;
  const Output syn = step(Tcb{}, Input::connect(0, x), o_.cfg);
  const Output synack = step(listener(o_.cfg), Input::segment(0, syn.actions.seg, y), o_.cfg);
  const Output ack = step(syn.tcb, Input::segment(0, synack.actions.seg), o_.cfg);
  const Output est = step(synack.tcb, Input::segment(0, ack.actions.seg), o_.cfg);
  const std::uint8_t n = counts_iss() ? 1 : 0;
  s.h[0] = CHost{ack.tcb, 1, 1, 0, x, true, n};
  s.h[1] = CHost{est.tcb, 1, 0, 0, y, true, n};
  s.next_inc = 2;
  return s;
}

z3::expr System::init(const SysState& s) const {
  const CState c = initial(0, 0);
  z3::expr e = ctx().bool_val(true);
  for (std::size_t i = 0; i < 2; ++i) {
    const CHost& h = c.h[i];
    e = e && s.h[i].inc == v_.bv8(h.inc) && s.h[i].pc == v_.bv8(h.pc) && s.h[i].tw_start == v_.bv32(h.tw_start) &&
        s.h[i].has_iss == v_.boolean(h.has_iss) && s.h[i].n_iss == v_.bv8(h.n_iss);
    if (!o_.start_established) e = e && equal(s.h[i].tcb, lift(v_, h.tcb)) && s.h[i].last_iss == v_.bv32(h.last_iss);
  }
  if (o_.start_established) {
    const z3::expr x = s.h[0].last_iss, y = s.h[1].last_iss;
    SymInput in = lift(v_, Input::connect(0, 0));
    in.iss = x;
    const SymOutput syn = derive_step(v_, o_.cfg, lift(v_, Tcb{}), in);
    SymInput in2 = lift(v_, Input::segment(0, Segment{}, 0));
    in2.seg = syn.seg;
    in2.iss = y;
    const SymOutput synack = derive_step(v_, o_.cfg, lift(v_, listener(o_.cfg)), in2);
    SymInput in3 = lift(v_, Input::segment(0, Segment{}, 0));
    in3.seg = synack.seg;
    const SymOutput ack = derive_step(v_, o_.cfg, syn.tcb, in3);
    SymInput in4 = in3;
    in4.seg = ack.seg;
    const SymOutput est = derive_step(v_, o_.cfg, synack.tcb, in4);
    e = e && equal(s.h[0].tcb, ack.tcb) && equal(s.h[1].tcb, est.tcb);
  }
  for (std::size_t j = 0; j < s.net.size(); ++j) {
    const CSlot& p = c.net[j];
    e = e && s.net[j].valid == v_.boolean(p.valid) && s.net[j].to_b == v_.boolean(p.to_b) &&
        s.net[j].sent == v_.bv32(p.sent) && s.net[j].inc == v_.bv8(p.inc) && equal(s.net[j].seg, lift(v_, p.seg)) &&
        s.net[j].late == v_.boolean(p.late);
  }
  e = e && s.losses == v_.bv8(c.losses) && s.delays == v_.bv8(c.delays);
  if (o_.both_closed) e = e && s.calm_since == v_.bv32(c.calm_since) && !s.bad_closed;
  return e && s.now == v_.bv32(c.now) && s.dups == v_.bv8(c.dups) && s.next_inc == v_.bv8(c.next_inc) &&
         !s.bad_stale && !s.bad_tw && !s.saw_stale_rejected;
}

// T(s, c, n): the step's numbered blocks, each written once over both domains (above) and here
// run on terms; apply() runs the same code on plain values. The sinks turn what a block computes
// for the next state into equalities, in the order trans() made them before it was one code.
// Rule: the blocks make their Z3 calls in the order of the one function they were, and what they
// return lives to its end as its locals did (Z3 gives a new term the id of one freed before):
// the same terms with the same ids, as the relation's shape is pinned (docs/proofs.md).
z3::expr System::trans(const SysState& s, const SysChoice& c, const SysState& n) const {
  const SDomain d{v_};
  const Moved<SDomain> m = moved(d, o_, s, c);
  const Calls<SDomain> a = calls(d, o_, ops_per_conn(), delack(), s, c, m);
  z3::expr e = a.enabled;
  const Stepped<SDomain> st = stepped(d, o_, delack(), counts_iss(), s, c, m, a, [&](const SymHost& Hn) {
    for (std::size_t i = 0; i < 2; ++i) {
      const z3::expr me = i == 0 ? !m.hb : m.hb;
      e = e && eq(n.h[i], merge(me, Hn, s.h[i]));
    }
  });
  const std::array<const z3::expr*, 3> counters = {&n.now, &n.dups, &n.next_inc};
  const Net<SDomain> net = network(
      d, o_, s, c, m, st, [&](unsigned j, const SymSlot& q) { e = e && eq(n.net[j], q); },
      [&](unsigned k, const z3::expr& x) { e = e && *counters[k] == x; });
  const std::array<const z3::expr*, 2> spent = {&n.losses, &n.delays};
  budgets(d, o_, s, c, net, [&](unsigned k, const z3::expr& x, unsigned bound) {
    e = e && *spent[k] == x && z3::ule(x, v_.bv8(bound));
  });
  const std::array<const z3::expr*, 3> flags = {&n.bad_stale, &n.bad_tw, &n.saw_stale_rejected};
  monitors(
      d, o_.cfg, s, c, m, st, [&] { return invariant(v_, o_.cfg, InvariantId::TimeWaitHeld, st.tin, st.in, st.o); },
      [&](unsigned k, const z3::expr& x) { e = e && *flags[k] == x; });
  trans_both_closed(s, n, e);
  return e;
}

// 1b, for the budget world's clauses.
z3::expr System::lifetime(const SymSlot& q) const { return proofs::lifetime(SDomain{v_}, o_, q); }

z3::expr System::bad(model::Property p, const SysState& s) const {
  switch (p) {
    case model::Property::NoStaleDelivery: return s.bad_stale;
    case model::Property::TimeWaitDuration: return s.bad_tw;
    case model::Property::BothClosed: return s.bad_closed;
    case model::Property::ReliableTermination: case model::Property::StreamIntegrity:
    case model::Property::UniqueTcb: case model::Property::NoDeadlock:
    case model::Property::NoStaleData: case model::Property::NoDesync: case model::Property::NewConnectionSurvives:
    case model::Property::NoHalfOpen:
      break;
  }
  return ctx().bool_val(false);
}

z3::expr System::helper(model::Property p, const SysState& s) const {
  z3::expr e = ctx().bool_val(true);
  for (const Clause& c : helper_clauses(p, s)) e = e && c.holds;
  return e;
}

std::vector<System::Clause> System::helper_clauses(model::Property p, const SysState& s) const {
  const Vocabulary& v = v_;
  std::vector<Clause> r;
  auto add = [&](std::string n, const z3::expr& e) { r.push_back(Clause{std::move(n), e}); };
  add("clock", z3::ule(s.now, v.bv32(kClockEnd)));
  switch (p) {
    case model::Property::TimeWaitDuration: time_wait_clauses(s, r); break;
    case model::Property::NoStaleDelivery:
      // The budget world's clauses first: the step case stops at the first clause that fails.
      if (o_.budgeted()) budget_clauses(s, r);
      stale_clauses(s, r);
      break;
    case model::Property::ReliableTermination: case model::Property::StreamIntegrity:
    case model::Property::UniqueTcb: case model::Property::BothClosed: case model::Property::NoDeadlock:
    case model::Property::NoStaleData: case model::Property::NoDesync: case model::Property::NewConnectionSurvives:
    case model::Property::NoHalfOpen:
      break;
  }
  return r;
}

void System::time_wait_clauses(const SysState& s, std::vector<Clause>& r) const {
  // The core sends a FIN only with ACK and without SYN (otherwise its SYN and ACK rules would
  // hide the FIN from the 2MSL restart that the ghost counts).
  z3::expr fins = ctx().bool_val(true);
  for (const SymSlot& q : s.net)
    fins = fins && z3::implies(has(v_, q.seg, flag::FIN), has(v_, q.seg, flag::ACK) && !has(v_, q.seg, flag::SYN));
  r.push_back(Clause{"fin-carries-ack", fins});
  z3::expr tws = ctx().bool_val(true);
  for (const SymHost& h : s.h) {
    const z3::expr tw = h.tcb.deadline[static_cast<std::size_t>(Timer::TimeWait)];
    tws = tws && z3::implies(h.tcb.state == v_.state(State::TimeWait),
                             z3::ule(h.tw_start, s.now) && tw != v_.bv32(kNever) && z3::ule(h.tw_start, tw) &&
                                 z3::uge(tw - h.tw_start, v_.bv32(o_.cfg.time_wait)) &&
                                 h.tcb.deadline[static_cast<std::size_t>(Timer::Rexmit)] == v_.bv32(kNever) &&
                                 h.tcb.deadline[static_cast<std::size_t>(Timer::FinWait2)] == v_.bv32(kNever));
  }
  r.push_back(Clause{"time-wait-deadline", tws});
}

// Why a stale segment is never accepted, in the one-slot world (docs/proofs.md "no-stale-delivery,
// unbounded, in the one-slot world" argues it and names, per clause, the design step or the
// counterexample to induction that called for it). Stated for two incarnations, start established.
namespace {

// The quantifiers and predicates the auxiliary invariants' clauses speak in (one definition
// for the one-slot, ISN-clock and budget clause sets): over the network's slots, and over a
// TCB's states. A slot is alive while it is valid and at most MSL old.
struct ClauseKit {
  const Vocabulary& v;
  const SysState& s;
  std::uint32_t msl;
  z3::expr every(const std::function<z3::expr(const SymSlot&)>& f) const {
    z3::expr e = s.now.ctx().bool_val(true);
    for (const SymSlot& q : s.net) e = e && f(q);
    return e;
  }
  z3::expr some(const std::function<z3::expr(const SymSlot&)>& f) const {
    z3::expr e = s.now.ctx().bool_val(false);
    for (const SymSlot& q : s.net) e = e || f(q);
    return e;
  }
  z3::expr alive(const SymSlot& q) const { return q.valid && z3::ule(s.now - q.sent, v.bv32(msl)); }
  z3::expr flag_on(const SymSlot& q, std::uint8_t f) const { return has(v, q.seg, f); }
  z3::expr in(const SymTcb& tcb, std::initializer_list<State> states) const {
    z3::expr e = s.now.ctx().bool_val(false);
    for (State st : states) e = e || tcb.state == v.state(st);
    return e;
  }
};

}  // namespace

void System::stale_clauses(const SysState& s, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  const z3::expr t = ctx().bool_val(true);
  const ClauseKit k{v, s, o_.cfg.msl};
  r.push_back({"sent-not-in-future", k.every([&](const SymSlot& q) { return z3::implies(q.valid, z3::ule(q.sent, s.now)); })});
  r.push_back({"incarnation-order",
               s.next_inc == A.inc + v.bv8(1) && z3::uge(B.inc, v.bv8(1)) && z3::ule(B.inc, A.inc) &&
                   k.every([&](const SymSlot& q) {
                     return z3::implies(q.valid, z3::uge(q.inc, v.bv8(1)) && z3::ule(q.inc, A.inc));
                   })});
  const std::uint32_t ops = ops_per_conn();
  r.push_back({"program-counter", z3::ule(A.inc, v.bv8(o_.incarnations)) &&
                                      z3::uge(A.pc, (A.inc - v.bv8(1)) * v.bv8(ops) + v.bv8(1)) &&
                                      z3::ule(A.pc, A.inc * v.bv8(ops))});
  // A's close is pending (odd pc within its connection) until it runs; after it, A's TCB is
  // orphaned or CLOSED. Nobody sends data when --data is 0, and B never does.
  const z3::expr close_pending = A.pc == (A.inc - v.bv8(1)) * v.bv8(ops) + v.bv8(ops - 1);
  r.push_back({"a-program", z3::implies(close_pending, !A.tcb.orphan && !k.in(A.tcb, {State::FinWait1, State::FinWait2,
                                                                                   State::Closing, State::TimeWait,
                                                                                   State::LastAck})) &&
                                z3::implies(!close_pending, A.tcb.orphan || A.tcb.state == v.state(State::Closed))});
  z3::expr quiet = A.tcb.rcv_unread == v.bv32(0);
  if (o_.data == 0) quiet = quiet && B.tcb.rcv_unread == v.bv32(0) && k.every([&](const SymSlot& q) { return q.seg.len == v.bv32(0); });
  else quiet = quiet && k.every([&](const SymSlot& q) { return z3::implies(!q.to_b, q.seg.len == v.bv32(0)); });
  r.push_back({"no-data", quiet});
  r.push_back({"a-syn-sent-is-new", z3::implies(A.tcb.state == v.state(State::SynSent),
                                                z3::uge(A.inc, v.bv8(2)))});
  stale_segment_clauses(s, r);
  // With an ISN clock the new B may see old segments: numbers, not the slot, keep them out.
  if (o_.invariant.value_or(o_.isn) == IsnPolicy::Clock) clock_clauses(s, r);
  else
    r.push_back({"new-b-sees-only-new", z3::implies(B.inc == A.inc, k.every([&](const SymSlot& q) {
                                                      return z3::implies(k.alive(q), q.inc == A.inc);
                                                    }))});
  r.push_back({"a-unsynced-before-b", z3::implies(z3::ult(B.inc, A.inc), A.tcb.state == v.state(State::SynSent) ||
                                                                              A.tcb.state == v.state(State::Closed))});
  r.push_back({"new-to-old-b-is-bare-syn", k.every([&](const SymSlot& q) {
                 return z3::implies(k.alive(q) && q.to_b && z3::ugt(q.inc, B.inc),
                                    k.flag_on(q, flag::SYN) && !k.flag_on(q, flag::ACK) && !k.flag_on(q, flag::RST));
               })});
  r.push_back({"tcb-wellformed (A)", tcb_wellformed(v, o_.cfg, A.tcb)});
  r.push_back({"tcb-wellformed (B)", tcb_wellformed(v, o_.cfg, B.tcb)});
  stale_number_clauses(s, r);
  stale_role_clauses(s, r);
}

// segment-shapes, syn-is-newest, rst-with-ack-is-newest: the flags a segment in flight carries,
// and that a SYN or a RST,ACK belongs to A's newest incarnation.
void System::stale_segment_clauses(const SysState& s, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const ClauseKit k{v, s, o_.cfg.msl};
  r.push_back({"segment-shapes", k.every([&](const SymSlot& q) {
                 const z3::expr syn = k.flag_on(q, flag::SYN), fin = k.flag_on(q, flag::FIN), rst = k.flag_on(q, flag::RST),
                                ack = k.flag_on(q, flag::ACK);
                 return z3::implies(k.alive(q), z3::implies(fin, ack && !syn && !rst) && z3::implies(syn, !rst && (q.to_b == !ack)) &&
                                                  z3::implies(!ack, syn || rst));
               })});
  r.push_back({"syn-is-newest", k.every([&](const SymSlot& q) {
                 return z3::implies(k.alive(q) && k.flag_on(q, flag::SYN), q.inc == A.inc && z3::uge(q.inc, v.bv8(2)));
               })});
  r.push_back({"rst-with-ack-is-newest", k.every([&](const SymSlot& q) {
                 return z3::implies(k.alive(q) && k.flag_on(q, flag::RST) && k.flag_on(q, flag::ACK),
                                    q.inc == A.inc && z3::uge(q.inc, v.bv8(2)));
               })});
}

// little-in-flight, sent-range, rcv-range: each live TCB's sequence spaces start at the ISSs.
void System::stale_number_clauses(const SysState& s, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  const ClauseKit k{v, s, o_.cfg.msl};
  // What is unacknowledged: the SYN while unsynchronized, the FIN until ACKed, A's data.
  auto outstanding = [&](const SymTcb& tcb, std::uint32_t data) {
    const z3::expr most = z3::ite(k.in(tcb, {State::SynSent, State::SynReceived}), v.bv32(1), v.bv32(0)) +
                          z3::ite(tcb.fin_sent && !tcb.fin_acked, v.bv32(1), v.bv32(0)) + v.bv32(data);
    return k.in(tcb, {State::Closed, State::Listen}) || z3::ule(tcb.snd_nxt - tcb.snd_una, most);
  };
  // With data, a range (measured: the exact equalities below are several times faster to
  // prove, so they are used when nobody sends data).
  if (o_.data != 0) r.push_back({"little-in-flight", outstanding(A.tcb, o_.data) && outstanding(B.tcb, 0)});
  // The send sequence space of each live TCB starts at its ISS: the SYN, A's data, the FIN.
  auto bit = [&](const z3::expr& b) { return z3::ite(b, v.bv32(1), v.bv32(0)); };
  const z3::expr one = v.bv32(1);
  auto synced = [&](const SymTcb& tcb) { return !k.in(tcb, {State::Closed, State::Listen, State::SynSent, State::SynReceived}); };
  auto sent_range = [&](const SymTcb& tcb, std::uint32_t data) {
    const z3::expr unsynced = z3::implies(k.in(tcb, {State::SynSent, State::SynReceived}),
                                          tcb.snd_una == tcb.iss && tcb.snd_nxt == tcb.iss + one);
    if (data == 0)
      return unsynced && z3::implies(synced(tcb), tcb.snd_nxt == tcb.iss + one + bit(tcb.fin_sent) &&
                                                      tcb.snd_una == tcb.iss + one + bit(tcb.fin_acked));
    return unsynced && z3::implies(synced(tcb), z3::uge(tcb.snd_una - tcb.iss, one) &&
                                                    z3::ule(tcb.snd_una - tcb.iss, tcb.snd_nxt - tcb.iss) &&
                                                    z3::ule(tcb.snd_nxt - tcb.iss - one - bit(tcb.fin_sent), v.bv32(data)));
  };
  r.push_back({"sent-range (A)", sent_range(A.tcb, o_.data) && z3::implies(live(v, A.tcb), A.tcb.iss == A.last_iss)});
  r.push_back({"sent-range (B)", sent_range(B.tcb, 0) && z3::implies(live(v, B.tcb) && B.tcb.state != v.state(State::Listen),
                                                                     B.tcb.iss == B.last_iss)});
  // The receive space starts at the peer's ISS: its SYN, A's data, the FIN.
  auto rcv_range = [&](const SymTcb& tcb, std::uint32_t data) {
    const z3::expr syn = z3::implies(tcb.state == v.state(State::SynReceived), tcb.rcv_nxt == tcb.irs + one);
    if (data == 0) return syn && z3::implies(synced(tcb), tcb.rcv_nxt == tcb.irs + one + bit(tcb.fin_rcvd));
    return syn && z3::implies(synced(tcb), z3::ule(tcb.rcv_nxt - tcb.irs - one - bit(tcb.fin_rcvd), v.bv32(data)));
  };
  r.push_back({"rcv-range", rcv_range(A.tcb, 0) && rcv_range(B.tcb, o_.data) &&
                                z3::implies(B.inc == A.inc && k.in(B.tcb, {State::SynReceived, State::Established,
                                                                          State::CloseWait, State::LastAck}),
                                            B.tcb.irs == A.last_iss)});
}

// fin-after-a-closes through syn-to-a-from-new-b: A opens and closes first, B answers.
void System::stale_role_clauses(const SysState& s, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  const ClauseKit k{v, s, o_.cfg.msl};
  // A closes first: a FIN of A's current incarnation, either way, exists only once A has closed.
  const z3::expr a_open = k.in(A.tcb, {State::SynSent, State::Established});
  r.push_back({"fin-after-a-closes",
               k.every([&](const SymSlot& q) {
                 return z3::implies(k.alive(q) && k.flag_on(q, flag::FIN) && q.inc == A.inc, !a_open);
               }) && z3::implies(live(v, B.tcb) && B.tcb.fin_rcvd && B.inc == A.inc, !a_open)});
  r.push_back({"syn-numbers", k.every([&](const SymSlot& q) {
                 return z3::implies(k.alive(q) && k.flag_on(q, flag::SYN),
                                    z3::ite(q.to_b, q.seg.seq == A.last_iss, q.seg.ack == A.last_iss + v.bv32(1)));
               })});
  r.push_back({"a-is-active", !k.in(A.tcb, {State::Listen, State::SynReceived, State::CloseWait, State::LastAck})});
  r.push_back({"b-is-passive", !k.in(B.tcb, {State::SynSent, State::FinWait1, State::FinWait2, State::Closing, State::TimeWait}) &&
                                   z3::implies(B.tcb.state == v.state(State::SynReceived), B.inc == A.inc && z3::uge(B.inc, v.bv8(2)))});
  r.push_back({"to-a-not-newer-than-b", k.every([&](const SymSlot& q) {
                 return z3::implies(k.alive(q) && !q.to_b, z3::ule(q.inc, B.inc));
               })});
  r.push_back({"syn-to-a-from-new-b", k.every([&](const SymSlot& q) {
                 return z3::implies(k.alive(q) && !q.to_b && k.flag_on(q, flag::SYN), B.inc == A.inc);
               })});
}

// Why, with an ISN clock (every ISS 2^24 above the host's last), no stale segment is accepted
// in any slot count: each incarnation's numbers lie in its own range of each host's sequence
// space, and those ranges are far apart (docs/proofs.md "no-stale-delivery with an ISN clock"
// names the counterexample to induction behind each clause). Two incarnations, no data.
void System::clock_clauses(const SysState& s, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  const z3::expr t = ctx().bool_val(true);
  const z3::expr S = v.bv32(kClockStep);
  const ClauseKit k{v, s, o_.cfg.msl};
  // A's ISS of incarnation i (A takes one ISS per connect); B's first ISS Y, and the span of the
  // ISSs B took after it, all in A's second incarnation (a listener spawn per bare SYN).
  // (n x 2^24 is written as n's low byte above 24 zero bits: a shift the bit-blaster sees as such.)
  const z3::expr zero24 = ctx().bv_val(0, 24);
  auto xa = [&](const z3::expr& inc) { return z3::ite(inc == A.inc, A.last_iss, A.last_iss - S); };
  const z3::expr Y = B.last_iss - z3::concat(B.n_iss - v.bv8(1), zero24);
  const z3::expr span2 = B.last_iss - Y - S;
  // x lies in [lo, lo + n] (unsigned distance: exact at every wraparound position).
  auto within = [&](const z3::expr& x, const z3::expr& lo, const z3::expr& n) { return z3::ule(x - lo, n); };
  auto in_a = [&](const z3::expr& x, const z3::expr& inc, std::uint32_t off, std::uint32_t n) {
    return within(x, xa(inc) + v.bv32(off), v.bv32(n));
  };
  auto in_b = [&](const z3::expr& x, const z3::expr& inc, std::uint32_t off, std::uint32_t n) {
    return z3::ite(inc == v.bv8(1), within(x, Y + v.bv32(off), v.bv32(n)),
                   within(x, Y + S + v.bv32(off), span2 + v.bv32(n)));
  };
  clock_count_clauses(s, r);
  // Every segment's numbers lie in its incarnation's range: SEQ in the sender's, ACK in the
  // receiver's (one past the ISS at least). A reply (a RST at SEQ=SEG.ACK) keeps the range of
  // the segment it answers, as it keeps that segment's incarnation.
  r.push_back({"a-seqs", k.every([&](const SymSlot& q) {
                 return z3::implies(k.alive(q) && q.to_b, in_a(q.seg.seq, q.inc, 0, 2));
               })});
  r.push_back({"a-acks", k.every([&](const SymSlot& q) {
                 return z3::implies(k.alive(q) && q.to_b && k.flag_on(q, flag::ACK), in_b(q.seg.ack, q.inc, 1, 1));
               })});
  r.push_back({"b-numbers", k.every([&](const SymSlot& q) {
                 // A SYN,ACK carries one of B's ISSs: 2^24-aligned from Y, not one of its later numbers.
                 const z3::expr iss = in_b(q.seg.seq, q.inc, 0, 0) && (q.seg.seq - Y).extract(23, 0) == ctx().bv_val(0, 24);
                 return z3::implies(k.alive(q) && !q.to_b, in_b(q.seg.seq, q.inc, 0, 2) &&
                                                             z3::implies(k.flag_on(q, flag::SYN), iss) &&
                                                             z3::implies(k.flag_on(q, flag::ACK), in_a(q.seg.ack, q.inc, 1, 1)));
               })});
  auto synced = [&](const SymTcb& tcb) { return !k.in(tcb, {State::Closed, State::Listen, State::SynSent}); };
  r.push_back({"irs-in-range", z3::implies(synced(A.tcb), in_b(A.tcb.irs, A.inc, 0, 0)) &&
                                   z3::implies(synced(B.tcb), B.tcb.irs == xa(B.inc))});
}

// isn-ghosts through rcv-wnd: the counts that keep B's ISSs few and every window as configured.
void System::clock_count_clauses(const SysState& s, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  const ClauseKit k{v, s, o_.cfg.msl};
  r.push_back({"isn-ghosts", A.has_iss && B.has_iss && A.n_iss == A.inc});
  r.push_back({"dups-bounded", z3::ule(s.dups, v.bv8(o_.dup))});
  r.push_back({"syn-sent-retries", z3::implies(A.tcb.state == v.state(State::SynSent),
                                               z3::ule(A.tcb.retries, v.bv8(o_.cfg.retries)))});
  // B's ISSs: one in incarnation 1; in incarnation 2 one per bare SYN it took, and every bare SYN
  // is one of A's (at most 1 + retries) transmissions or a duplicate.
  z3::expr syns = v.bv8(0);
  for (const SymSlot& q : s.net)
    syns = syns + z3::ite(k.alive(q) && q.to_b && k.flag_on(q, flag::SYN) && !k.flag_on(q, flag::ACK) && !k.flag_on(q, flag::RST),
                          v.bv8(1), v.bv8(0));
  const z3::expr sent_syns = z3::ite(A.tcb.state == v.state(State::SynSent), A.tcb.retries + v.bv8(1),
                                     v.bv8(static_cast<std::uint32_t>(o_.cfg.retries) + 1));
  r.push_back({"b-iss-count", z3::uge(B.n_iss, v.bv8(1)) && z3::ule(B.n_iss, v.bv8(16)) &&
                                  (B.inc == v.bv8(1)) == (B.n_iss == v.bv8(1)) &&
                                  z3::ule(B.n_iss - v.bv8(1) + syns,
                                          z3::ite(A.inc == v.bv8(1), v.bv8(0), sent_syns + s.dups))});
  r.push_back({"rcv-wnd", z3::implies(live(v, A.tcb), A.tcb.rcv_wnd == v.bv32(o_.cfg.rcv_wnd)) &&
                              z3::implies(live(v, B.tcb), B.tcb.rcv_wnd == v.bv32(o_.cfg.rcv_wnd))});
}

// The terms the budget world's clauses share with a loss budget of 0 or 1: whether A will
// reconnect, A in the TIME-WAIT before that, its 2MSL deadline D, and the longest a segment sent
// now may live.
struct System::BudgetTerms {
  z3::expr before, tw, D, longest;
  bool lossy;       // loss budget 1: the clauses that need every segment delivered hold while none is lost
  z3::expr intact;  // nothing lost yet (true with a loss budget of 0)
  z3::expr when_intact(const z3::expr& e) const { return lossy ? z3::implies(intact, e) : e; }
  // When A's TIME-WAIT ends at the earliest, E: D, or later where a FIN of B's that can no longer
  // be lost arrives before D and restarts 2MSL (D itself with a loss budget of 0). E is the
  // largest of D and those restarts, so x < E is stated as x < D or x < one of them: the same
  // (unsigned) order, without the chain of comparisons a maximum takes (old-dies-in-tw, the
  // slowest goal at 3 slots then, went from 205 s to 81 s, each beside another proof).
  std::vector<std::pair<z3::expr, z3::expr>> restarts;  // (the FIN counts, D restarted from it)
  z3::expr before_end(const z3::expr& x) const {
    z3::expr r = z3::ult(x, D);
    for (const auto& [counts, at] : restarts) r = r || (counts && z3::ult(x, at));
    return r;
  }
};

// Why no old segment outlives A's TIME-WAIT in the budget world with no loss or one (docs/proofs.md
// "The budget world" and "One loss" name, per clause, the design step or the counterexample to
// induction).
void System::budget_clauses(const SysState& s, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const Config& cfg = o_.cfg;
  const SymHost& A = s.h[0];
  const z3::expr t = ctx().bool_val(true), f = ctx().bool_val(false);
  auto b32 = [&](std::uint32_t x) { return v.bv32(x); };
  const ClauseKit k{v, s, o_.cfg.msl};
  // The longest a segment sent now may live: MSL while the delay budget lasts, else 1 tick.
  const z3::expr longest = o_.delay ? z3::ite(z3::ult(s.delays, v.bv8(*o_.delay)), b32(cfg.msl), b32(model::kNormalDelay))
                                    : b32(cfg.msl);
  r.push_back({"lifetime", k.every([&](const SymSlot& q) {
                 return z3::implies(q.valid, z3::ule(q.sent, s.now) && z3::ule(s.now - q.sent, lifetime(q)));
               })});
  if (o_.delay) {
    z3::expr late = v.bv8(0);
    for (const SymSlot& q : s.net) late = late + z3::ite(q.valid && q.late, v.bv8(1), v.bv8(0));
    r.push_back({"delays-spent", z3::ule(late, s.delays) && z3::ule(s.delays, v.bv8(*o_.delay))});
  }
  if (o_.loss) r.push_back({"losses-spent", z3::ule(s.losses, v.bv8(*o_.loss))});
  if (!o_.loss || *o_.loss > 1) return;
  // The TIME-WAIT that A reconnects after (the last one has no successor to protect; a SYN of
  // its own incarnation may still fly there, which incarnation 1, started established, has not).
  const z3::expr before = z3::ult(A.inc, v.bv8(o_.incarnations));  // A will reconnect
  const z3::expr tw = A.tcb.state == v.state(State::TimeWait) && before;
  const z3::expr D = A.tcb.deadline[static_cast<std::size_t>(Timer::TimeWait)];
  const bool lossy = *o_.loss == 1;
  BudgetTerms b{before, tw, D, longest, lossy, lossy ? s.losses == v.bv8(0) : t, {}};
  if (lossy) {
    const SymHost& B = s.h[1];
    for (const SymSlot& p : s.net) {
      const z3::expr counts = p.valid && !p.to_b && has(v, p.seg, flag::FIN) && p.inc == B.inc && s.losses == v.bv8(1) &&
                              z3::ult(p.sent + lifetime(p), D);
      b.restarts.emplace_back(counts, p.sent + b32(cfg.time_wait));
    }
  }
  budget_tw_clauses(s, b, r);
  budget_last_ack_clauses(s, b, r);
  budget_open_clauses(s, b, r);
  budget_fin_wait_clauses(s, b, r);
  budget_end_clauses(s, b, r);
}

// tw-deadline through b-closes-after-a: A's 2MSL deadline D outlives what flies, and B's FIN.
void System::budget_tw_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const Config& cfg = o_.cfg;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  auto b32 = [&](std::uint32_t x) { return v.bv32(x); };
  const ClauseKit k{v, s, o_.cfg.msl};
  const z3::expr &before = b.before, &tw = b.tw, &D = b.D;
  r.push_back({"tw-deadline", z3::implies(tw, D != b32(kNever) && z3::ule(s.now, D) && z3::ule(D - s.now, b32(cfg.time_wait)))});
  // A answers only from TIME-WAIT, which restarts 2MSL: everything A sent is TIME-WAIT older than D.
  r.push_back({"a-sent-before-tw", z3::implies(tw, k.every([&](const SymSlot& q) {
                                            return z3::implies(q.valid && q.to_b, z3::ule(q.sent + b32(cfg.time_wait), D));
                                          }))});
  r.push_back({"old-dies-in-tw", z3::implies(tw, k.every([&](const SymSlot& q) {
                                          return z3::implies(q.valid, b.before_end(q.sent + lifetime(q)));
                                        }))});
  r.push_back({"fin-to-a-from-closing-b", k.every([&](const SymSlot& q) {
                 return z3::implies(before && q.valid && !q.to_b && has(v, q.seg, flag::FIN) && q.inc == B.inc,
                                    B.tcb.state == v.state(State::LastAck) || !live(v, B.tcb));
               })});
  // B's FIN carries B's numbers, and A's receive space starts at B's ISS.
  r.push_back({"fin-to-a-numbers", k.every([&](const SymSlot& q) {
                 return z3::implies(before && q.valid && !q.to_b && has(v, q.seg, flag::FIN) && q.inc == B.inc &&
                                        live(v, B.tcb),
                                    q.seg.seq == B.tcb.snd_nxt - b32(1) && q.seg.ack == B.tcb.rcv_nxt);
               })});
  r.push_back({"a-irs-is-b-iss", z3::implies(before && live(v, A.tcb) && A.tcb.state != v.state(State::SynSent) &&
                                                 live(v, B.tcb) && B.inc == A.inc,
                                             A.tcb.irs == B.tcb.iss)});
  r.push_back({"b-closes-after-a", z3::implies(before && B.inc == A.inc && !live(v, B.tcb),
                                               A.tcb.state == v.state(State::TimeWait) || A.tcb.state == v.state(State::Closed))});
}

// b-fin-timing, b-first-fin-in-flight, b-acked-early: B's LAST-ACK, timed from its first FIN.
void System::budget_last_ack_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  auto b32 = [&](std::uint32_t x) { return v.bv32(x); };
  const ClauseKit k{v, s, o_.cfg.msl};
  const z3::expr& before = b.before;
  // B's LAST-ACK: its FIN was first sent at f, recovered from the backed-off rexmit deadline
  // (RTO << retries: f = R - RTO, R - 3 RTO, R - 7 RTO). With nothing lost, the first FIN arrives
  // by f + MSL and A's ACK of it is sent by then, before the third retransmission (f + 7 RTO)
  // and before giving up. (The bounds are MSL's and RTO's, so the clauses mean the same at any
  // MSL; at MSL 2 and RTO 1 they are f + 2 and R - 1, R - 3, R - 7.)
  const z3::expr R = B.tcb.deadline[static_cast<std::size_t>(Timer::Rexmit)];
  const z3::expr rb = B.tcb.retries;
  const z3::expr first = fin_first_sent(R, rb, fin_retries_bound(1));
  const z3::expr b_last_ack = before && B.inc == A.inc && B.tcb.state == v.state(State::LastAck);
  r.push_back({"b-fin-timing", z3::implies(b_last_ack, z3::ule(rb, v.bv8(fin_retries_bound(1))) && R != b32(kNever) && z3::ule(first, s.now) &&
                                                           z3::ule(s.now, R))});
  if (b.lossy)  // A answered B's FIN, sent at f or later, and 2MSL runs from that answer
    r.push_back({"tw-after-b-fin", z3::implies(b_last_ack && A.tcb.state == v.state(State::TimeWait),
                                               z3::ule(first + b32(o_.cfg.time_wait), b.D))});
  if (b.lossy) r.push_back({"b-fins-accounted", z3::implies(b_last_ack, fins_accounted(s, 1))});
  if (b.lossy)  // each FIN of B's in flight was sent at f or at one of the retransmissions since
    r.push_back({"b-fin-send-times", z3::implies(b_last_ack, fin_send_times(s, 1, first))});
  r.push_back({"b-first-fin-in-flight", b.when_intact(z3::implies(b_last_ack && live(v, A.tcb) && !A.tcb.fin_rcvd, k.some([&](const SymSlot& q) {
                             return q.valid && !q.to_b && has(v, q.seg, flag::FIN) && q.inc == B.inc && q.sent == first;
                           })))});
  r.push_back({"b-acked-early", b.when_intact(z3::implies(b_last_ack && A.tcb.state == v.state(State::TimeWait), k.some([&](const SymSlot& q) {
                 return q.valid && q.to_b && has(v, q.seg, flag::ACK) && !has(v, q.seg, flag::RST) && !has(v, q.seg, flag::SYN) &&
                        q.seg.ack == B.tcb.snd_nxt && q.seg.seq == B.tcb.rcv_nxt && fin_acked_by(q, first);
               })))});
}

// When a FIN was first sent, from its backed-off rexmit deadline (B's LAST-ACK, A's FIN-WAIT-1).
z3::expr System::fin_first_sent(const z3::expr& deadline, const z3::expr& retries, unsigned top) const {
  const Vocabulary& v = v_;
  const Config& cfg = o_.cfg;
  auto b32 = [&](std::uint32_t x) { return v.bv32(x); };
  const std::uint32_t rto = cfg.rto;
  // RTO x (2^(retries+1) - 1), up to `top` retries: the same chain of cases at any bound (at 2:
  // ite(0, RTO, ite(1, 3 RTO, 7 RTO))).
  z3::expr back = b32(((2u << top) - 1) * rto);
  for (unsigned j = top; j-- > 0;) back = z3::ite(retries == v.bv8(j), b32(((2u << j) - 1) * rto), back);
  return deadline - back;
}

// Slot q, the ACK of a FIN first sent at `from`, was sent (and arrives) in time (the same two).
z3::expr System::fin_acked_by(const SymSlot& q, const z3::expr& from) const {
  const Vocabulary& v = v_;
  const Config& cfg = o_.cfg;
  auto b32 = [&](std::uint32_t x) { return v.bv32(x); };
  // The answer arrives by f + MSL + 1 with one delayed segment in the budget (the FIN or its
  // ACK is late, not both), by f + 2 MSL without a budget: before f + 7 RTO at MSL 4 too. That
  // bound is stated only where "sent by f + MSL" does not already imply it (at MSL 2 it would
  // only slow the proof down: past a 900 s timeout on a loaded machine, against 142 s).
  const std::uint32_t answered_by = cfg.msl + (o_.delay && *o_.delay <= 1 ? model::kNormalDelay : cfg.msl);
  const bool bound_arrival = 2 * cfg.msl >= 7 * cfg.rto;
  const z3::expr sent = z3::ule(q.sent, from + b32(cfg.msl));
  return bound_arrival ? sent && z3::ule(q.sent + lifetime(q), from + b32(answered_by)) : sent;
}

// Loss budget 1: every FIN host h sent (retries + 1 of them) is in flight, was lost, or was
// answered by an acceptable ACK still in flight (a delivered one ends the closing state). The
// peer answers a FIN as it arrives, so an answer counts only if sent by h's last FIN + MSL
// (a later ACK, such as B's own FIN to A in FIN-WAIT-1, answers none of them).
z3::expr System::fins_accounted(const SysState& s, int h) const {
  const Vocabulary& v = v_;
  const SymHost& me = s.h[h];
  const SymHost& peer = s.h[1 - h];
  const z3::expr& retries = me.tcb.retries;
  const std::uint32_t rto = o_.cfg.rto;
  z3::expr since = v.bv32(rto << fin_retries_bound(h));  // the last FIN went RTO << retries before the deadline
  for (unsigned j = fin_retries_bound(h); j-- > 0;) since = z3::ite(retries == v.bv8(j), v.bv32(rto << j), since);
  const z3::expr answered_by = me.tcb.deadline[static_cast<std::size_t>(Timer::Rexmit)] - since + v.bv32(o_.cfg.msl);
  z3::expr n = s.losses;
  for (const SymSlot& q : s.net) {
    const z3::expr from_me = h == 1 ? !q.to_b : q.to_b;
    const z3::expr fin = q.valid && from_me && has(v, q.seg, flag::FIN) && q.inc == me.inc;
    const z3::expr ack = q.valid && !from_me && q.inc == peer.inc && has(v, q.seg, flag::ACK) && !has(v, q.seg, flag::RST) &&
                         !has(v, q.seg, flag::SYN) && q.seg.ack == me.tcb.snd_nxt && z3::ule(q.sent, answered_by) &&
                         (q.seg.seq == me.tcb.rcv_nxt || (q.seg.seq == me.tcb.rcv_nxt + v.bv32(1) && z3::ugt(me.tcb.rcv_wnd, v.bv32(1))));
    n = n + z3::ite(fin || ack, v.bv8(1), v.bv8(0));
  }
  return z3::uge(n, retries + v.bv8(1));
}

// Every FIN host h has in flight was sent at its first send f or at a retransmission since
// (f + RTO, f + 3 RTO, ...: RTO << retries each time, as fin_first_sent reads it back).
z3::expr System::fin_send_times(const SysState& s, int h, const z3::expr& first) const {
  const Vocabulary& v = v_;
  const SymHost& me = s.h[h];
  const std::uint32_t rto = o_.cfg.rto;
  z3::expr all = ctx().bool_val(true);
  for (const SymSlot& q : s.net) {
    const z3::expr fin = q.valid && (h == 1 ? !q.to_b : q.to_b) && has(v, q.seg, flag::FIN) && q.inc == me.inc;
    z3::expr at = q.sent == first;
    for (unsigned j = 1; j <= fin_retries_bound(h); ++j)
      at = at || (z3::uge(me.tcb.retries, v.bv8(j)) && q.sent == first + v.bv32(((1u << j) - 1) * rto));
    all = all && z3::implies(fin, at);
  }
  return all;
}

// no-rst-to-b-before-reconnect through windows-open: what A sends B before it reconnects, and
// that open connections are quiet.
void System::budget_open_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  auto b32 = [&](std::uint32_t x) { return v.bv32(x); };
  const ClauseKit k{v, s, o_.cfg.msl};
  const std::uint32_t ops = ops_per_conn();
  const z3::expr& before = b.before;
  const z3::expr R = B.tcb.deadline[static_cast<std::size_t>(Timer::Rexmit)];
  const z3::expr rb = B.tcb.retries;
  r.push_back({"no-rst-to-b-before-reconnect", k.every([&](const SymSlot& q) {
                 return z3::implies(before && q.valid && q.to_b, !has(v, q.seg, flag::RST));
               })});
  r.push_back({"to-b-numbers", k.every([&](const SymSlot& q) {
                 return z3::implies(before && live(v, A.tcb) && q.valid && q.to_b && q.inc == A.inc,
                                    (q.seg.ack == A.tcb.rcv_nxt || (A.tcb.fin_rcvd && q.seg.ack == A.tcb.rcv_nxt - b32(1))) &&
                                        z3::ite(has(v, q.seg, flag::FIN), A.tcb.fin_sent && q.seg.seq == A.tcb.fin_seq,
                                                q.seg.seq == A.tcb.snd_nxt || (A.tcb.fin_sent && q.seg.seq == A.tcb.fin_seq)));
               })});
  if (b.lossy)  // B's side of to-b-numbers: what B sends carries its SND.NXT (or its FIN's) and ACKs its RCV.NXT
    r.push_back({"to-a-numbers", k.every([&](const SymSlot& q) {
                   return z3::implies(before && live(v, B.tcb) && q.valid && !q.to_b && q.inc == B.inc && !has(v, q.seg, flag::RST),
                                      (q.seg.ack == B.tcb.rcv_nxt || (B.tcb.fin_rcvd && q.seg.ack == B.tcb.rcv_nxt - b32(1))) &&
                                          (q.seg.seq == B.tcb.snd_nxt || (B.tcb.fin_sent && q.seg.seq == B.tcb.fin_seq)));
                 })});
  if (b.lossy)  // a window is set once per connection (core renew), from the config
    r.push_back({"windows-as-configured", z3::implies(live(v, A.tcb), A.tcb.rcv_wnd == b32(o_.cfg.rcv_wnd)) &&
                                              z3::implies(live(v, B.tcb), B.tcb.rcv_wnd == b32(o_.cfg.rcv_wnd))});
  r.push_back({"open-is-quiet", z3::implies(before && k.in(B.tcb, {State::Established, State::CloseWait}),
                                            rb == v.bv8(0) && R == b32(kNever)) &&
                                    z3::implies(before && A.tcb.state == v.state(State::Established),
                                                A.tcb.retries == v.bv8(0) &&
                                                    A.tcb.deadline[static_cast<std::size_t>(Timer::Rexmit)] == b32(kNever))});
  r.push_back({"a-open-until-close", z3::implies(before && A.pc == (A.inc - v.bv8(1)) * v.bv8(ops) + v.bv8(ops - 1),
                                                 A.tcb.state == v.state(State::Established))});
  r.push_back({"windows-open", z3::implies(live(v, A.tcb), A.tcb.rcv_wnd != b32(0)) &&
                                  z3::implies(live(v, B.tcb), B.tcb.rcv_wnd != b32(0))});
}

// a-fin-timing, a-first-fin-in-flight, a-acked-early: A's FIN-WAIT-1, timed from its first FIN.
void System::budget_fin_wait_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  auto b32 = [&](std::uint32_t x) { return v.bv32(x); };
  const ClauseKit k{v, s, o_.cfg.msl};
  const z3::expr& before = b.before;
  // A's FIN-WAIT-1, the same way: its FIN first sent at fa arrives by fa + MSL, B's ACK is sent by then.
  const z3::expr Ra = A.tcb.deadline[static_cast<std::size_t>(Timer::Rexmit)];
  const z3::expr ra = A.tcb.retries;
  const z3::expr fa = fin_first_sent(Ra, ra, fin_retries_bound(0));
  const z3::expr a_fw1 = before && A.tcb.state == v.state(State::FinWait1);
  r.push_back({"a-fin-timing", z3::implies(a_fw1, z3::ule(ra, v.bv8(fin_retries_bound(0))) && Ra != b32(kNever) && z3::ule(fa, s.now) &&
                                                       z3::ule(s.now, Ra))});
  if (b.lossy) {
    r.push_back({"a-fins-accounted", z3::implies(a_fw1, fins_accounted(s, 0))});
    r.push_back({"a-fin-send-times", z3::implies(a_fw1, fin_send_times(s, 0, fa))});
  }
  r.push_back({"a-first-fin-in-flight", b.when_intact(z3::implies(a_fw1 && !(live(v, B.tcb) && B.inc == A.inc && B.tcb.fin_rcvd),
                                                    k.some([&](const SymSlot& q) {
                                                      return q.valid && q.to_b && has(v, q.seg, flag::FIN) &&
                                                             q.inc == A.inc && q.sent == fa;
                                                    })))});
  r.push_back({"a-acked-early", b.when_intact(z3::implies(a_fw1 && live(v, B.tcb) && B.inc == A.inc && B.tcb.fin_rcvd, k.some([&](const SymSlot& q) {
                 return q.valid && !q.to_b && q.inc == A.inc && has(v, q.seg, flag::ACK) && !has(v, q.seg, flag::RST) &&
                        !has(v, q.seg, flag::SYN) && q.seg.ack == A.tcb.snd_nxt && q.seg.seq == A.tcb.rcv_nxt &&
                        fin_acked_by(q, fa);
               })))});
}

// rst-to-a-only-in-tw through old-b-closed-after-reconnect: when TIME-WAIT ends the network is
// empty, and A reconnects into it.
void System::budget_end_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const {
  const Vocabulary& v = v_;
  const SymHost& A = s.h[0];
  const SymHost& B = s.h[1];
  const ClauseKit k{v, s, o_.cfg.msl};
  const std::uint32_t ops = ops_per_conn();
  const z3::expr &before = b.before, &tw = b.tw, &longest = b.longest;
  r.push_back({"rst-to-a-only-in-tw", k.every([&](const SymSlot& q) {
                 return z3::implies(before && q.valid && !q.to_b && has(v, q.seg, flag::RST),
                                    A.tcb.state == v.state(State::TimeWait));
               })});
  r.push_back({"a-never-closing", z3::implies(before, A.tcb.state != v.state(State::Closing))});
  r.push_back({"tw-peer-closing", z3::implies(tw || (before && live(v, A.tcb) && A.tcb.fin_rcvd), B.tcb.state == v.state(State::LastAck) || !live(v, B.tcb))});
  // B's LAST-ACK ends on A's ACK, which is in flight (nothing is lost) and arrives before D - 1.
  r.push_back({"last-ack-has-its-ack", b.when_intact(z3::implies(tw && B.tcb.state == v.state(State::LastAck), k.some([&](const SymSlot& q) {
                 return q.valid && q.to_b && has(v, q.seg, flag::ACK) && !has(v, q.seg, flag::RST) &&
                        !has(v, q.seg, flag::SYN) && q.seg.ack == B.tcb.snd_nxt && q.seg.seq == B.tcb.rcv_nxt;
               })))});
  r.push_back({"b-sends-before-d", z3::implies(tw && live(v, B.tcb), b.before_end(s.now + longest))});
  // So when TIME-WAIT ends the network is empty, and A reconnects into it.
  const z3::expr between = A.pc == A.inc * v.bv8(ops) && A.tcb.state == v.state(State::Closed);
  r.push_back({"empty-after-tw", z3::implies(before && between, k.every([&](const SymSlot& q) { return !q.valid; }) &&
                                                         !(live(v, B.tcb) && B.inc == A.inc))});
  // A reconnected into that empty network, with B's old TCB closed: all that flies is new.
  const z3::expr reconnected = z3::uge(A.inc, v.bv8(2));
  r.push_back({"only-new-after-reconnect", z3::implies(reconnected, k.every([&](const SymSlot& q) {
                                                        return z3::implies(q.valid, q.inc == A.inc);
                                                      }))});
  r.push_back({"old-b-closed-after-reconnect", z3::implies(reconnected && z3::ult(B.inc, A.inc), !live(v, B.tcb))});
}

z3::expr System::guard(model::Guard g, const SysState& s) const {
  switch (g) {
    case model::Guard::TimeWaitReached:
      return s.h[0].tcb.state == v_.state(State::TimeWait) || s.h[1].tcb.state == v_.state(State::TimeWait);
    case model::Guard::StaleRejected: return s.saw_stale_rejected;
    case model::Guard::ClosingReached:
      return s.h[0].tcb.state == v_.state(State::Closing) || s.h[1].tcb.state == v_.state(State::Closing);
    case model::Guard::FinIntoTimeWait: break;
  }
  return ctx().bool_val(false);
}

bool System::bad(model::Property p, const CState& s) const {
  switch (p) {
    case model::Property::NoStaleDelivery: return s.bad_stale;
    case model::Property::TimeWaitDuration: return s.bad_tw;
    case model::Property::BothClosed: return s.bad_closed;
    case model::Property::ReliableTermination: case model::Property::StreamIntegrity:
    case model::Property::UniqueTcb: case model::Property::NoDeadlock:
    case model::Property::NoStaleData: case model::Property::NoDesync: case model::Property::NewConnectionSurvives:
    case model::Property::NoHalfOpen:
      break;
  }
  return false;
}

// ----- the concrete step ------------------------------------------------------------------

namespace {
// What one concrete step did, for the human trace.
CEvent event(const CChoice& c, const Moved<CDomain>& m, const Calls<CDomain>& a, const Stepped<CDomain>& st) {
  CEvent ev;
  ev.ran_core = true;
  ev.spawned = st.spawned;
  ev.before = st.tin;
  ev.input = st.in;
  ev.out = st.o;
  ev.pkt = m.P;
  ev.app_op = !m.is_app ? -1
              : c.host_b ? static_cast<int>(a.b_read ? model::Op::ReadEof : model::Op::Close)
              : static_cast<int>(a.a_connect ? model::Op::Connect
                                 : a.a_send  ? model::Op::Send
                                             : model::Op::Close);
  return ev;
}
}  // namespace

// The step's numbered blocks on plain values, through the real step(): the code trans() runs on
// terms. nullopt when the choice is not enabled, or would spend more than a budget.
std::optional<CState> System::apply(const CState& s, const CChoice& c, CEvent* ev) const {
  const CDomain d;
  const Moved<CDomain> m = moved(d, o_, s, c);
  const Calls<CDomain> a = calls(d, o_, ops_per_conn(), delack(), s, c, m);
  if (!a.enabled) return std::nullopt;
  CState n = s;
  const std::size_t hi = c.host_b ? 1 : 0;
  const Stepped<CDomain> st =
      stepped(d, o_, delack(), counts_iss(), s, c, m, a, [&](const CHost& Hn) { n.h[hi] = Hn; });
  const Net<CDomain> net = network(
      d, o_, s, c, m, st, [&](unsigned j, const CSlot& q) { n.net[j] = q; },
      [&](unsigned k, std::uint32_t x) {
        if (k == 0) n.now = x;
        else (k == 1 ? n.dups : n.next_inc) = static_cast<std::uint8_t>(x);
      });
  bool within = true;
  budgets(d, o_, s, c, net, [&](unsigned k, std::uint32_t x, unsigned bound) {
    within = within && x <= bound;
    (k == 0 ? n.losses : n.delays) = static_cast<std::uint8_t>(x);
  });
  if (!within) return std::nullopt;
  monitors(
      d, o_.cfg, s, c, m, st,
      [&] {
        thread_local Oracle oracle;  // as in trans(): time-wait-held decides under a mutant
        return oracle.holds(InvariantId::TimeWaitHeld, o_.cfg, st.tin, st.in, st.o);
      },
      [&](unsigned k, bool x) { (k == 0 ? n.bad_stale : k == 1 ? n.bad_tw : n.saw_stale_rejected) = x; });
  apply_both_closed(s, n);
  if (ev) *ev = event(c, m, a, st);
  return n;
}


// Block 8b of trans() and apply(): both-closed's calm and monitor, one code over two domains.
void System::trans_both_closed(const SysState& s, const SysState& n, z3::expr& e) const {
  if (!o_.both_closed) return;
  const SDomain d{v_};
  const std::uint32_t a_end = ops_per_conn() * o_.incarnations, bound = model::both_closed_within(o_.cfg);
  e = e && n.calm_since == calm_next(d, s, n, a_end) &&
      n.bad_closed == (s.bad_closed || closed_overdue(d, n, a_end, bound));
}
void System::apply_both_closed(const CState& s, CState& n) const {
  if (!o_.both_closed) return;
  const CDomain d;
  const std::uint32_t a_end = ops_per_conn() * o_.incarnations, bound = model::both_closed_within(o_.cfg);
  n.calm_since = calm_next(d, s, n, a_end);
  n.bad_closed = s.bad_closed || closed_overdue(d, n, a_end, bound);
}

std::string System::describe(const CState& s) const {
  auto flags = [](std::uint8_t f) {
    std::string r;
    for (auto [bit, c] : {std::pair{flag::SYN, 'S'}, {flag::FIN, 'F'}, {flag::RST, 'R'}, {flag::PSH, 'P'}, {flag::ACK, '.'}})
      if (f & bit) r += c;
    return r.empty() ? std::string("-") : r;
  };
  auto dl = [](std::uint32_t d) { return d == kNever ? std::string("-") : std::to_string(d); };
  std::string r = fmt::format("  now={} dups={} next_inc={} bad_stale={} bad_tw={}{}\n", s.now, s.dups, s.next_inc,
                              s.bad_stale, s.bad_tw,
                              o_.budgeted() ? fmt::format(" losses={} delays={}", s.losses, s.delays) : "");
  if (o_.both_closed) r.insert(r.size() - 1, fmt::format(" calm_since={} bad_closed={}", s.calm_since, s.bad_closed));
  for (std::size_t i = 0; i < 2; ++i) {
    const CHost& h = s.h[i];
    const Tcb& t = h.tcb;
    r += fmt::format("  {}: {} inc={} pc={} tw_start={} last_iss={}{} n_iss={} | iss={} irs={} una={} nxt={} swnd={} rcv_nxt={} "
                     "rwnd={} fin_seq={} unread={} retries={} fin s/a/r={}{}{} orphan={} passive={} synced={} "
                     "timers rexmit={} 2msl={} fw2={}{}\n",
                     i == 0 ? 'A' : 'B', name(t.state), h.inc, h.pc, h.tw_start, h.last_iss, h.has_iss ? "" : " (none)", h.n_iss,
                     t.iss, t.irs, t.snd_una, t.snd_nxt, t.snd_wnd, t.rcv_nxt, t.rcv_wnd, t.fin_seq, t.rcv_unread,
                     t.retries, int{t.fin_sent}, int{t.fin_acked}, int{t.fin_rcvd}, int{t.orphan}, int{t.passive},
                     int{t.was_synced}, dl(t.deadline[0]), dl(t.deadline[1]), dl(t.deadline[2]),
                     t.armed(Timer::DelAck) ? " delack=" + dl(t.deadline[3]) : std::string());
  }
  for (std::size_t j = 0; j < s.net.size(); ++j) {
    const CSlot& q = s.net[j];
    if (!q.valid) { r += fmt::format("  net{}: empty\n", j); continue; }
    r += fmt::format("  net{}: ->{} inc={} sent={} (age {}{}) {} seq={} ack={} len={} wnd={}\n", j, q.to_b ? 'B' : 'A',
                     q.inc, q.sent, s.now - q.sent, q.late ? ", delayed" : "", flags(q.seg.flags), q.seg.seq, q.seg.ack,
                     q.seg.len, q.seg.wnd);
  }
  return r;
}

// ----- decoding -----------------------------------------------------------------------------

CState System::decode(const z3::model& m, const SysState& s) const {
  CState r;
  for (std::size_t i = 0; i < 2; ++i) {
    CHost& h = r.h[i];
    h.tcb = proofs::decode(v_, m, s.h[i].tcb);
    h.inc = static_cast<std::uint8_t>(u32(m, s.h[i].inc));
    h.pc = static_cast<std::uint8_t>(u32(m, s.h[i].pc));
    h.tw_start = u32(m, s.h[i].tw_start);
    h.last_iss = u32(m, s.h[i].last_iss);
    h.has_iss = boolean(m, s.h[i].has_iss);
    if (counts_iss()) h.n_iss = static_cast<std::uint8_t>(u32(m, s.h[i].n_iss));
  }
  for (const SymSlot& p : s.net)
    r.net.push_back(CSlot{boolean(m, p.valid), boolean(m, p.to_b), u32(m, p.sent),
                          static_cast<std::uint8_t>(u32(m, p.inc)), proofs::decode(m, p.seg), boolean(m, p.late)});
  r.now = u32(m, s.now);
  r.dups = static_cast<std::uint8_t>(u32(m, s.dups));
  r.next_inc = static_cast<std::uint8_t>(u32(m, s.next_inc));
  r.bad_stale = boolean(m, s.bad_stale);
  r.bad_tw = boolean(m, s.bad_tw);
  r.saw_stale_rejected = boolean(m, s.saw_stale_rejected);
  r.losses = static_cast<std::uint8_t>(u32(m, s.losses));
  r.delays = static_cast<std::uint8_t>(u32(m, s.delays));
  if (o_.both_closed) {
    r.calm_since = u32(m, s.calm_since);
    r.bad_closed = boolean(m, s.bad_closed);
  }
  return r;
}

CChoice System::decode(const z3::model& m, const SysChoice& c) const {
  CChoice r;
  r.move = static_cast<Move>(std::min<std::uint32_t>(u32(m, c.move), kMoveCount - 1));
  r.host_b = boolean(m, c.host_b);
  r.slot = static_cast<std::uint8_t>(u32(m, c.slot));
  r.keep = boolean(m, c.keep);
  r.timer = v_.timer_of(m.eval(c.timer, true));
  r.delta = u32(m, c.delta);
  r.isn = u32(m, c.isn);
  r.late = boolean(m, c.late);
  return r;
}

// ----- unroller ---------------------------------------------------------------------------

const SysState& Unroller::state(unsigned k) {
  while (states_.size() <= k) states_.push_back(sys_.fresh_state(fmt::format("@{}", states_.size())));
  return states_[k];
}
const SysChoice& Unroller::choice(unsigned k) {
  while (choices_.size() <= k) choices_.push_back(sys_.fresh_choice(fmt::format("@{}", choices_.size())));
  return choices_[k];
}
z3::expr Unroller::trans(unsigned k) {
  state(k + 1);
  return sys_.trans(state(k), choice(k), state(k + 1));
}

// ----- witnesses ----------------------------------------------------------------------------

namespace {

model::Pkt to_pkt(const CSlot& q, std::uint32_t now) {
  model::Pkt p;
  p.seq = q.seg.seq; p.ack = q.seg.ack; p.len = static_cast<std::uint16_t>(q.seg.len); p.flags = q.seg.flags;
  p.age = static_cast<std::uint8_t>(std::min<std::uint32_t>(now - q.sent, 0xFF));
  p.inc = q.inc; p.to_b = q.to_b ? 1 : 0; p.wnd_full = q.seg.wnd != 0; p.late = q.late ? 1 : 0;
  return p;
}

std::string line(const System& sys, std::size_t k, const CState& s, const CChoice& c, const CEvent& ev) {
  model::TraceStep st;
  model::Transition& tr = st.tr;
  tr.host = c.host_b ? 1 : 0;
  tr.ran_core = ev.ran_core;
  tr.spawned = ev.spawned;
  tr.before = ev.before;
  tr.input = ev.input;
  tr.out = ev.out;
  // The model's traces show timers relative to the step ("arm 2msl in 4"); here time is absolute.
  for (std::size_t i = 0; i < tr.out.actions.size; ++i)
    if (tr.out.actions.items[i].kind == ActionKind::ArmTimer) tr.out.actions.items[i].n -= ev.input.now;
  switch (c.move) {
    case Move::App: tr.kind = model::MoveKind::App; tr.op = static_cast<model::Op>(ev.app_op); break;
    case Move::Deliver: tr.kind = model::MoveKind::Deliver; tr.pkt = to_pkt(ev.pkt, s.now + c.delta); break;
    case Move::Timer: tr.kind = model::MoveKind::Timer; tr.timer = c.timer; break;
  }
  std::string l = model::describe_step(model::make_world(model::Scenario::ReopenConnect, sys.options().cfg), k, st);
  if (c.move == Move::Deliver && c.keep) l += "  (duplicated: a copy stays in flight)";
  if (c.delta != 0) l += fmt::format("  (after {} tick{}: now {})", c.delta, c.delta == 1 ? "" : "s", s.now + c.delta);
  return l;
}

}  // namespace

Witness make_witness(const System& sys, std::vector<CState> states, std::vector<CChoice> choices, model::Property p) {
  Witness w;
  w.states = std::move(states);
  w.choices = std::move(choices);
  CState cur = w.states.empty() ? sys.initial(0, 0) : sys.initial(w.states[0].h[0].last_iss, w.states[0].h[1].last_iss);
  if (w.states.empty() || !(w.states[0] == cur)) w.replay_problem = "the initial state differs";
  for (std::size_t k = 0; k < w.choices.size() && w.replay_problem.empty(); ++k) {
    CEvent ev;
    const std::optional<CState> next = sys.apply(cur, w.choices[k], &ev);
    if (!next) { w.replay_problem = fmt::format("step {} is not enabled in the replay", k + 1); break; }
    w.trace += line(sys, k, cur, w.choices[k], ev) + "\n";
    cur = *next;
    if (k + 1 >= w.states.size() || !(w.states[k + 1] == cur))
      w.replay_problem = fmt::format("after step {} the replay's state differs from the solver's", k + 1);
  }
  if (w.replay_problem.empty() && !sys.bad(p, cur)) w.replay_problem = "the replay does not violate the property";
  w.replay_ok = w.replay_problem.empty();
  if (p == model::Property::BothClosed) {  // the bounded response's own words, with its T and calm
    const std::uint32_t t = model::both_closed_within(sys.options().cfg);
    w.trace += fmt::format("calm since tick {}: {} fault-free ticks at tick {} (T = {}); A is {}, B is {}\n", cur.calm_since,
                           cur.now - cur.calm_since, cur.now, t, name(cur.h[0].tcb.state), name(cur.h[1].tcb.state));
    w.trace += fmt::format("violated: {} (bounded): {}\n", model::name(p), model::kBothClosedBounded);
  } else {
    w.trace += fmt::format("violated: {}: {}\n", model::name(p), model::statement(p));
  }
  if (!w.replay_ok) w.trace += "internal error: the replay through step() did not reproduce it: " + w.replay_problem + "\n";
  return w;
}

}  // namespace tcpclose::proofs
