// The single-step invariants (see invariants.hpp) as Z3 terms, and the oracle that decides them
// on concrete values. Rule: each formula is written from the RFC text it cites, independently of
// step()'s code (from which the relation is derived); a knob is read with a C++ if.
#include "tcpclose/proofs/invariants.hpp"

#include <algorithm>
#include <initializer_list>

namespace tcpclose::proofs {

const char* name(InvariantId id) {
  switch (id) {
    case InvariantId::SndUnaLeSndNxt: return "snd-una-le-snd-nxt";
    case InvariantId::RcvNxtStopsAtFin: return "rcv-nxt-stops-at-fin";
    case InvariantId::TimeWaitEntry: return "time-wait-entry";
    case InvariantId::TimeWaitHeld: return "time-wait-held";
    case InvariantId::NoRstForRst: return "no-rst-for-rst";
    case InvariantId::ActionsMatchState: return "actions-match-state";
    case InvariantId::TimersMatchState: return "timers-match-state";
    case InvariantId::UnacceptableIgnored: return "unacceptable-ignored";
  }
  return "?";
}

const char* statement(InvariantId id) {
  switch (id) {
    case InvariantId::SndUnaLeSndNxt:
      return "SND.UNA <= SND.NXT; a sent FIN is the last sequence number (SND.NXT = FIN + 1); an ACKed FIN means "
             "nothing is outstanding";
    case InvariantId::RcvNxtStopsAtFin:
      return "once the peer's FIN is received RCV.NXT never moves; it is received only from a FIN segment, "
             "in order, and RCV.NXT then stands just past it";
    case InvariantId::TimeWaitEntry:
      return "each state has the FIN flags its name implies; TIME-WAIT is entered only from FIN-WAIT-1/2 or "
             "CLOSING, and always when a step completes both FINs there (unless TIME-WAIT is 0)";
    case InvariantId::TimeWaitHeld:
      return "TIME-WAIT ends only by its expired timer, an abort, or a RST or SYN that the profile's policy "
             "accepts (RFC 1337, RFC 5961, RFC 1122/6191)";
    case InvariantId::NoRstForRst: return "a segment carrying RST is never answered with a RST (RFC 9293 §3.10.7)";
    case InvariantId::ActionsMatchState:
      return "Connected only on a handshake, Eof only with the FIN, ACKs carry RCV.NXT, CLOSED sends only "
             "RST, TIME-WAIT only pure ACKs, a retransmitted FIN in TIME-WAIT is re-ACKed, an expired "
             "retransmission timer resends our FIN";
    case InvariantId::TimersMatchState:
      return "retransmission armed iff something is outstanding, 2MSL iff TIME-WAIT, FIN-WAIT-2 timer iff an "
             "orphaned FIN-WAIT-2 under that knob; each armed for its configured length (the retransmission "
             "timer within [0, rto_max] where the RTO is estimated or a loss probe is sent), and 2MSL "
             "restarted by every accepted FIN in TIME-WAIT";
    case InvariantId::UnacceptableIgnored:
      return "in a synchronized state a segment that fails RFC 9293's acceptability test (or a RST outside "
             "the window) changes neither the state, SND.UNA nor RCV.NXT and has no effect; under "
             "trim_old_duplicates (FreeBSD) an old duplicate below RCV.NXT is exempt: its ACK is processed; "
             "under fin_wait2_timewait (Linux) an orphaned FIN-WAIT-2 judges every segment by tcp_in_window";
  }
  return "?";
}

namespace {

struct F {  // small helpers over one vocabulary
  const Vocabulary& v;
  z3::expr t() const { return v.boolean(true); }
  z3::expr is(const SymTcb& x, State s) const { return x.state == v.state(s); }
  z3::expr in(const SymTcb& x, std::initializer_list<State> ss) const {
    z3::expr e = v.boolean(false);
    for (State s : ss) e = e || is(x, s);
    return e;
  }
  z3::expr flag(const SymSegment& s, std::uint8_t f) const { return (s.flags & v.bv8(f)) != v.bv8(0); }
  z3::expr armed(const SymTcb& x, Timer tm) const {
    return x.deadline[static_cast<std::size_t>(tm)] != v.bv32(kNever);
  }
  const z3::expr& at(const SymTcb& x, Timer tm) const { return x.deadline[static_cast<std::size_t>(tm)]; }
  z3::expr kind(const SymInput& i, InputKind k) const { return i.kind == v.kind(k); }
  z3::expr effect(const SymOutput& o, std::uint8_t e) const { return (o.effects & v.bv8(e)) != v.bv8(0); }
  z3::expr seg_len(const SymSegment& s) const {
    return s.len + z3::ite(flag(s, flag::SYN), v.bv32(1), v.bv32(0)) + z3::ite(flag(s, flag::FIN), v.bv32(1), v.bv32(0));
  }
  // A timer armed at `now` for `len` ticks (kNever is reserved for "disarmed").
  z3::expr deadline(const z3::expr& now, std::uint32_t len) const {
    const z3::expr a = now + v.bv32(len);
    return z3::ite(a == v.bv32(kNever), a - v.bv32(1), a);
  }
  // The timer `tm` of `pre` has expired at `now` (RFC 9293 §3.10.8).
  z3::expr fired(const SymTcb& pre, const SymInput& i, Timer tm) const {
    return kind(i, InputKind::Timeout) && i.timer == v.timer(tm) && armed(pre, tm) && seq_le(at(pre, tm), i.now);
  }
  z3::expr in_window(const SymTcb& x, const z3::expr& seq) const {
    return z3::ite(x.rcv_wnd == v.bv32(0), seq == x.rcv_nxt, seq_in_window(seq, x.rcv_nxt, x.rcv_wnd));
  }
};

// Sequence order (RFC 9293 §3.3.1): SND.UNA =< SND.NXT; the FIN is the last octet sent.
z3::expr seq_part(const F& f, const SymTcb& t) {
  return seq_le(t.snd_una, t.snd_nxt) && z3::implies(t.fin_sent, t.snd_nxt == t.fin_seq + f.v.bv32(1)) &&
         z3::implies(t.fin_acked, t.fin_sent && t.snd_una == t.snd_nxt);
}

// RFC 9293 §3.3.2: which FINs each state has seen.
z3::expr flags_part(const F& f, const SymTcb& t) {
  const z3::expr s = t.fin_sent, a = t.fin_acked, r = t.fin_rcvd;
  return z3::implies(f.in(t, {State::Listen, State::SynSent, State::SynReceived, State::Established}), !s && !r) &&
         z3::implies(f.is(t, State::CloseWait), !s && r) && z3::implies(f.is(t, State::FinWait1), s && !a && !r) &&
         z3::implies(f.is(t, State::FinWait2), s && a && !r) &&
         z3::implies(f.in(t, {State::Closing, State::LastAck}), s && !a && r) &&
         z3::implies(f.is(t, State::TimeWait), s && a && r);
}

// RFC 6298 §5 (retransmission), RFC 9293 §3.10.8 (2MSL), Linux tcp_fin_timeout (FIN-WAIT-2).
z3::expr timer_part(const F& f, const Config& c, const SymTcb& t) {
  const z3::expr rexmit = f.armed(t, Timer::Rexmit);
  const z3::expr outstanding = t.snd_una != t.snd_nxt;
  const z3::expr rexmit_ok =
      z3::implies(f.in(t, {State::Closed, State::Listen, State::FinWait2, State::TimeWait}), !rexmit) &&
      z3::implies(f.in(t, {State::SynSent, State::SynReceived}), rexmit) &&
      z3::implies(f.in(t, {State::Established, State::CloseWait, State::FinWait1, State::Closing, State::LastAck}),
                  rexmit == outstanding);
  const z3::expr tw_ok = f.armed(t, Timer::TimeWait) == f.is(t, State::TimeWait);
  const z3::expr fw2_needed = c.fin_wait2 == FinWait2Timeout::OrphanOnly ? f.is(t, State::FinWait2) && t.orphan
                                                                          : f.v.boolean(false);
  return rexmit_ok && tw_ok && f.armed(t, Timer::FinWait2) == fw2_needed;
}

// RFC 1122 §4.2.2.13, RFC 6191 §2 and Linux: may this bare SYN reopen TIME-WAIT?
z3::expr reopen_allowed(const F& f, const Config& c, const SymTcb& pre, const SymSegment& s) {
  const z3::expr higher = seq_lt(pre.rcv_nxt, s.seq);
  switch (c.syn_reopen) {
    case SynReopen::Never: return f.v.boolean(false);
    case SynReopen::HigherSeq: return higher;
    case SynReopen::Timestamps: {
      const z3::expr new_ts = c.timestamps ? s.has_ts : f.v.boolean(false);
      return z3::ite(pre.ts_ok,
                     z3::ite(new_ts, seq_lt(pre.ts_recent, s.ts_val) || (s.ts_val == pre.ts_recent && higher), higher),
                     new_ts || higher);
    }
    case SynReopen::SeqOrTimestamp: return higher || (pre.ts_ok && s.has_ts && seq_lt(pre.ts_recent, s.ts_val));
  }
  return f.v.boolean(false);
}

z3::expr snd_una_le_snd_nxt(const F& f, const SymOutput& out) { return seq_part(f, out.tcb); }

z3::expr rcv_nxt_stops_at_fin(const F& f, const SymTcb& pre, const SymInput& in, const SymOutput& out) {
  const SymTcb& post = out.tcb;
  const SymSegment& s = in.seg;
  return z3::implies(pre.fin_rcvd && post.fin_rcvd, post.rcv_nxt == pre.rcv_nxt) &&
         z3::implies(!pre.fin_rcvd && post.fin_rcvd, f.kind(in, InputKind::Segment) && f.flag(s, flag::FIN) &&
                                                         post.rcv_nxt == s.seq + s.len + f.v.bv32(1) && out.eof);
}

z3::expr time_wait_entry(const F& f, const Config& c, const SymTcb& pre, const SymOutput& out) {
  const SymTcb& post = out.tcb;
  const z3::expr closing = f.in(pre, {State::FinWait1, State::FinWait2, State::Closing});
  z3::expr e = flags_part(f, post) &&
               z3::implies(f.is(post, State::TimeWait) && !f.is(pre, State::TimeWait), closing);
  // RFC 9293 §3.10.7.4: FIN-WAIT-2 on a FIN, CLOSING on the ACK of our FIN, FIN-WAIT-1 on both:
  // "enter the TIME-WAIT state". A profile with no TIME-WAIT at all closes instead.
  if (c.time_wait > 0)
    e = e && z3::implies(closing && !(pre.fin_acked && pre.fin_rcvd) && post.fin_acked && post.fin_rcvd,
                         f.is(post, State::TimeWait));
  return e;
}

z3::expr time_wait_held(const F& f, const Config& c, const SymTcb& pre, const SymInput& in, const SymOutput& out) {
  const SymSegment& s = in.seg;
  const z3::expr seg = f.kind(in, InputKind::Segment);
  z3::expr exit = f.fired(pre, in, Timer::TimeWait) || f.kind(in, InputKind::Abort);
  // RFC 9293 §3.10.7.4 second check, unless RFC 1337 is followed; RFC 5961 §3.2: exactly RCV.NXT.
  if (c.rst_in_time_wait == RstInTimeWait::Kill) {
    z3::expr rst = seg && f.flag(s, flag::RST) && f.effect(out, effect::RstAbort) && f.in_window(pre, s.seq);
    if (c.rst_acceptance == RstAcceptance::Exact) rst = rst && s.seq == pre.rcv_nxt;
    exit = exit || rst;
  }
  const z3::expr bare_syn = f.flag(s, flag::SYN) && !f.flag(s, flag::ACK) && !f.flag(s, flag::RST);
  exit = exit || (seg && bare_syn && f.effect(out, effect::Reopened) && f.is(out.tcb, State::SynReceived) &&
                  reopen_allowed(f, c, pre, s));
  // RFC 793 §3.9: an acceptable SYN in a synchronized state is an error and resets.
  if (c.syn_acceptance == SynAcceptance::Window)
    exit = exit || (seg && f.flag(s, flag::SYN) && out.verdict == f.v.bv8(static_cast<std::uint32_t>(Verdict::Reset)));
  return z3::implies(f.is(pre, State::TimeWait) && !f.is(out.tcb, State::TimeWait), exit);
}

z3::expr no_rst_for_rst(const F& f, const SymInput& in, const SymOutput& out) {
  return z3::implies(f.kind(in, InputKind::Segment) && f.flag(in.seg, flag::RST),
                     !(out.has_seg && f.flag(out.seg, flag::RST)));
}

z3::expr actions_match_state(const F& f, const Config& c, const SymTcb& pre, const SymInput& in, const SymOutput& out) {
  const SymTcb& post = out.tcb;
  const SymSegment& s = in.seg;
  const SymSegment& o = out.seg;
  const z3::expr seg = f.kind(in, InputKind::Segment);
  const z3::expr synced_after = !f.in(post, {State::Closed, State::Listen, State::SynSent, State::SynReceived});
  z3::expr e = z3::implies(out.connected, f.in(pre, {State::SynSent, State::SynReceived}) && synced_after) &&
               z3::implies(out.eof, post.fin_rcvd && !pre.fin_rcvd) &&
               z3::implies(out.readable != f.v.bv32(0),
                           post.rcv_unread == pre.rcv_unread + out.readable && f.effect(out, effect::Data)) &&
               ((out.verdict == f.v.bv8(static_cast<std::uint32_t>(Verdict::None))) == !seg);
  // What each state may send: an ACK acknowledges RCV.NXT (RFC 9293 §3.10.7.4); CLOSED sends only
  // RSTs (§3.10.7.1); TIME-WAIT only ACKs (§3.10.7.4); SYNs only while opening. With a TIME-WAIT
  // of zero ticks (Config::time_wait = 0) the ACK of the peer's FIN leaves straight for CLOSED.
  const z3::expr closed_sends_rst_only = c.time_wait == 0 ? f.is(pre, State::Closed) : f.v.boolean(true);
  e = e && z3::implies(out.has_seg && f.flag(o, flag::ACK) && !f.flag(o, flag::RST), o.ack == post.rcv_nxt) &&
      z3::implies(out.has_seg && f.is(post, State::Closed) && closed_sends_rst_only, f.flag(o, flag::RST)) &&
      z3::implies(out.has_seg && f.is(post, State::TimeWait), o.flags == f.v.bv8(flag::ACK) && o.len == f.v.bv32(0)) &&
      z3::implies(out.has_seg && f.flag(o, flag::SYN), f.in(post, {State::SynSent, State::SynReceived}));
  // RFC 9293 §3.10.7.4, TIME-WAIT: "The only thing that can arrive in this state is a
  // retransmission of the remote FIN. Acknowledge it".
  // Config::tw_drop_without_ack (FreeBSD tcp_twcheck: "Drop the segment if it does not contain
  // an ACK", before the FIN is looked at): only a FIN with ACK is re-ACKed there.
  z3::expr again = seg && f.is(pre, State::TimeWait) && f.flag(s, flag::FIN) && !f.flag(s, flag::SYN) &&
                   !f.flag(s, flag::RST) && s.seq + s.len + f.v.bv32(1) == pre.rcv_nxt;
  if (c.tw_drop_without_ack) again = again && f.flag(s, flag::ACK);
  e = e && z3::implies(again, out.has_seg && f.flag(o, flag::ACK) && o.ack == pre.rcv_nxt);
  // RFC 9293 §3.10.8 / RFC 6298 §5.4: an expired retransmission timer resends the oldest
  // unacknowledged segment, here the one ending in our FIN (unless the connection gives up).
  const z3::expr fin_out = f.fired(pre, in, Timer::Rexmit) && pre.fin_sent && !pre.fin_acked &&
                           f.in(pre, {State::FinWait1, State::Closing, State::LastAck}) && post.state == pre.state;
  e = e && z3::implies(fin_out, out.has_seg && f.flag(o, flag::FIN) && o.seq + o.len == pre.fin_seq);
  return e;
}

z3::expr timers_match_state(const F& f, const Config& c, const SymTcb& pre, const SymInput& in, const SymOutput& out) {
  const SymTcb& post = out.tcb;
  auto rearmed = [&](Timer tm) { return f.armed(post, tm) && f.at(post, tm) != f.at(pre, tm); };
  const z3::expr since = f.at(post, Timer::Rexmit) - in.now;
  std::uint32_t lo = c.rto == 0 ? 0 : c.rto - 1;  // minus the tick kNever gives up
  std::uint32_t hi = c.rto_backoff ? c.rto << kMaxBackoffShift : c.rto;
  // With an estimated RTO (RFC 6298) or a tail loss probe the timer follows SRTT and RTTVAR:
  // it may be shorter than the fixed RTO (a probe at 2 SRTT, a floor and variance term of 0),
  // and is never longer than rto_max (step.hpp estimated_rto caps it after the slop).
  if (c.rtt_estimate || c.tail_loss_probe) {
    lo = 0;
    hi = std::max(hi, c.rto_max);
  }
  z3::expr e = timer_part(f, c, post) &&
               z3::implies(rearmed(Timer::Rexmit), z3::ule(f.v.bv32(lo), since) && z3::ule(since, f.v.bv32(hi))) &&
               z3::implies(rearmed(Timer::TimeWait), f.at(post, Timer::TimeWait) == f.deadline(in.now, c.time_wait)) &&
               z3::implies(rearmed(Timer::FinWait2),
                           f.at(post, Timer::FinWait2) == f.deadline(in.now, c.fin_wait2_timeout));
  // RFC 9293 §3.10.7.4 eighth check, TIME-WAIT: "Restart the 2 MSL time-wait timeout" on a FIN.
  const z3::expr fin = f.kind(in, InputKind::Segment) && f.flag(in.seg, flag::FIN) && !f.flag(in.seg, flag::RST) &&
                       !f.flag(in.seg, flag::SYN) &&
                       out.verdict == f.v.bv8(static_cast<std::uint32_t>(Verdict::Accepted));
  e = e && z3::implies(fin && f.is(post, State::TimeWait), f.at(post, Timer::TimeWait) == f.deadline(in.now, c.time_wait));
  return e;
}

z3::expr unacceptable_ignored(const F& f, const Config& c, const SymTcb& pre, const SymInput& in,
                              const SymOutput& out) {
  const SymTcb& post = out.tcb;
  const SymSegment& s = in.seg;
  const z3::expr synced = f.in(pre, {State::SynReceived, State::Established, State::FinWait1, State::FinWait2,
                                     State::CloseWait, State::Closing, State::LastAck, State::TimeWait});
  const z3::expr seg = f.kind(in, InputKind::Segment) && synced;
  const z3::expr unchanged = out.effects == f.v.bv8(0) && post.state == pre.state && post.snd_una == pre.snd_una &&
                             post.rcv_nxt == pre.rcv_nxt && post.fin_acked == pre.fin_acked &&
                             post.fin_rcvd == pre.fin_rcvd;
  // RFC 9293 §3.10.7.4 first check (Table 6): "If a segment's contents straddle the boundary ...
  // If an incoming segment is not acceptable, an acknowledgment should be sent ... drop".
  z3::expr bad = seg && !f.flag(s, flag::SYN) && !f.flag(s, flag::RST) &&
                 !segment_acceptable(s.seq, f.seg_len(s), pre.rcv_nxt, pre.rcv_wnd);
  // Config::trim_old_duplicates (FreeBSD tcp_do_segment "keep on processing for RST or ACK"):
  // outside TIME-WAIT a segment wholly below RCV.NXT (in SYN-RECEIVED not below IRS) may act.
  if (c.trim_old_duplicates)
    bad = bad && !(!f.is(pre, State::TimeWait) && seq_lt(s.seq, pre.rcv_nxt) &&
                   seq_le(s.seq + f.seg_len(s), pre.rcv_nxt) &&
                   (!f.is(pre, State::SynReceived) || seq_le(pre.irs, s.seq)));
  // Config::past_window_accepted (Linux tcp_sequence(): "allow the FIN to extend beyond the
  // window", and a segment that starts no later than the right edge is taken while the receive
  // queue is empty; a passive SYN-RECEIVED, a request socket, refuses text or FIN starting at the
  // edge itself: tcp_check_req()'s tcp_in_window()).
  if (c.past_window_accepted) {
    const z3::expr len = f.seg_len(s), end = s.seq + len, edge = pre.rcv_nxt + pre.rcv_wnd;
    const z3::expr request_edge = f.is(pre, State::SynReceived) && pre.passive && s.seq == edge && s.seq != pre.rcv_nxt;
    const z3::expr taken = len != f.v.bv32(0) && seq_lt(edge, end) && seq_le(s.seq, edge) && !request_edge &&
                           ((f.flag(s, flag::FIN) && seq_le(end - f.v.bv32(1), edge)) || pre.rcv_unread == f.v.bv32(0));
    bad = bad && !taken;
  }
  // Second check: a RST outside the window is silently dropped.
  z3::expr bad_rst = seg && f.flag(s, flag::RST) && !f.in_window(pre, s.seq);
  // Config::fin_wait2_timewait (Linux): an orphaned FIN-WAIT-2 is a timewait socket, whose one test
  // is tcp_in_window(seq, end_seq, RCV.NXT, RCV.NXT + RCV.WND) for every segment, RST included
  // (tcp_timewait_state_process: "Out of window, send ACK", then "if (th->rst) goto kill"): a RST
  // from below RCV.NXT whose segment reaches into the window ends it, as on the kernel.
  if (c.fin_wait2_timewait && c.fin_wait2_timeout <= c.time_wait) {
    const z3::expr tw = f.is(pre, State::FinWait2) && pre.orphan;
    const z3::expr end = s.seq + f.seg_len(s), nxt = pre.rcv_nxt, right = pre.rcv_nxt + pre.rcv_wnd;
    const z3::expr in_tw_window = s.seq == nxt || (seq_lt(nxt, end) && seq_lt(s.seq, right)) || (s.seq == right && s.seq == end);
    bad = z3::ite(tw, seg && !in_tw_window, bad);
    bad_rst = bad_rst && !tw;
  }
  return z3::implies(bad || bad_rst, unchanged);
}

}  // namespace

z3::expr tcb_wellformed(const Vocabulary& v, const Config& c, const SymTcb& t) {
  const F f{v};
  return seq_part(f, t) && flags_part(f, t) && timer_part(f, c, t);
}

z3::expr invariant(const Vocabulary& v, const Config& c, InvariantId id, const SymTcb& pre, const SymInput& in,
                   const SymOutput& out) {
  const F f{v};
  switch (id) {
    case InvariantId::SndUnaLeSndNxt: return snd_una_le_snd_nxt(f, out);
    case InvariantId::RcvNxtStopsAtFin: return rcv_nxt_stops_at_fin(f, pre, in, out);
    case InvariantId::TimeWaitEntry: return time_wait_entry(f, c, pre, out);
    case InvariantId::TimeWaitHeld: return time_wait_held(f, c, pre, in, out);
    case InvariantId::NoRstForRst: return no_rst_for_rst(f, in, out);
    case InvariantId::ActionsMatchState: return actions_match_state(f, c, pre, in, out);
    case InvariantId::TimersMatchState: return timers_match_state(f, c, pre, in, out);
    case InvariantId::UnacceptableIgnored: return unacceptable_ignored(f, c, pre, in, out);
  }
  return v.boolean(false);
}

// ----- the oracle ---------------------------------------------------------------------------

struct Oracle::Impl {
  z3::context ctx;
  Vocabulary v{ctx};
  z3::solver solver{ctx};
  std::uint64_t solver_calls = 0;

  bool decide(const z3::expr& e) {
    const z3::expr s = e.simplify();
    if (s.is_true()) return true;
    if (s.is_false()) return false;
    ++solver_calls;  // simplification left a term: ask whether its negation is satisfiable
    solver.push();
    solver.add(!e);
    const bool valid = solver.check() == z3::unsat;
    solver.pop();
    return valid;
  }
};

Oracle::Oracle() : impl_(std::make_unique<Impl>()) {}
Oracle::~Oracle() = default;

bool Oracle::holds(InvariantId id, const Config& c, const Tcb& pre, const Input& in, const Output& out) {
  const Vocabulary& v = impl_->v;
  return impl_->decide(invariant(v, c, id, lift(v, pre), lift(v, in), lift(v, out)));
}

bool Oracle::wellformed(const Config& c, const Tcb& t) {
  return impl_->decide(tcb_wellformed(impl_->v, c, lift(impl_->v, t)));
}

std::uint64_t Oracle::solver_calls() const { return impl_->solver_calls; }

}  // namespace tcpclose::proofs
