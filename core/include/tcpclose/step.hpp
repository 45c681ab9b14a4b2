// step(): the TCP transition function. Pure, total, constexpr, noexcept, allocation-free.
// Rule 1: every effect (segment, timer, what the application learns) is returned, never done.
// Rule 2: one small function per state or event; each rule cites the RFC text it implements.
#pragma once

#include <cstdint>

#include "tcpclose/config.hpp"
#include "tcpclose/seq.hpp"
#include "tcpclose/types.hpp"

namespace tcpclose {
namespace detail {

// The value domain a rule runs in. Every rule below is a template over its builder X, so the
// same text runs two ways: here on the core's own types, and in proofs/ on Z3 terms, where a
// branch on a term explores both sides (proofs/src/derive.cpp). A rule names no value type of
// its own: a value read from the TCB, the segment or the input is `auto`, or Word<X>.
struct Concrete {
  using Tcb = tcpclose::Tcb;
  using Segment = tcpclose::Segment;
  using Input = tcpclose::Input;
  using Output = tcpclose::Output;
  using Action = tcpclose::Action;
  using Word = std::uint32_t;  // a 32-bit number: sequence numbers, lengths, ticks
  using Bool = bool;
  static constexpr bool kTimerActions = true;  // Output::actions lists timer changes
  // BasicStep::join: here, just the call.
  template <class X, class F>
  static constexpr auto join(X&, F&& f) noexcept { return f(); }
  template <class F>
  static constexpr auto join_value(F&& f) noexcept { return f(); }
  static constexpr std::uint64_t wide(std::uint32_t v) noexcept { return v; }
  static constexpr std::uint32_t word(std::uint64_t v) noexcept { return static_cast<std::uint32_t>(v); }
  static constexpr std::uint16_t half(std::uint32_t v) noexcept { return static_cast<std::uint16_t>(v); }
};

// The builder for one step: the output under construction plus the input and the knobs.
template <class D>
struct BasicStep {
  using Domain = D;
  using Word = typename D::Word;
  typename D::Output& out;
  const typename D::Input& in;
  const Config& c;
  typename D::Bool ack_due = false;  // coalesce the ACKs that data and FIN each ask for into one segment
  // Config::delayed_ack: this step's ACK may wait (a FIN into CLOSE-WAIT; in-order data).
  typename D::Bool fin_delays_ack = false;
  typename D::Bool data_delays_ack = false;

  constexpr auto& t() noexcept { return out.tcb; }
  constexpr const auto& t() const noexcept { return out.tcb; }
  constexpr const auto& s() const noexcept { return in.seg; }
  constexpr bool mutant(Mutant m) const noexcept { return c.mutant == m; }
  constexpr auto sent() const noexcept { return out.actions.has_seg; }
  // f(), a rule run to its end. For proofs/ a join point: every path through f is run from here
  // and their outcomes joined into one before the step goes on, which keeps the derived relation
  // small (proofs/src/domain.hpp). f must change nothing but this builder.
  template <class F>
  constexpr auto join(F&& f) noexcept {
    return D::join(*this, f);
  }
  // The same for a value that f computes and nothing else (f changes nothing): only the values
  // are joined, the builder is left alone.
  template <class F>
  constexpr auto join_value(F&& f) const noexcept {
    return D::join_value(f);
  }

  constexpr void push(ActionKind k, Word n = 0) noexcept {
    out.actions.push(typename D::Action{k, Timer::Rexmit, Err::None, 0, n});
  }
  constexpr void arm(Timer tm, Word len) noexcept {
    const Word at = join_value([&] {  // kNever means disarmed: a deadline that lands on it fires a tick early
      Word a = in.now + len;
      if (a == kNever) --a;
      return a;
    });
    t().deadline[static_cast<std::size_t>(tm)] = at;
    if constexpr (D::kTimerActions) out.actions.push(typename D::Action{ActionKind::ArmTimer, tm, Err::None, 0, at});
  }
  constexpr void cancel(Timer tm) noexcept {
    if constexpr (D::kTimerActions) {
      if (!t().armed(tm)) return;
      out.actions.push(typename D::Action{ActionKind::CancelTimer, tm, Err::None, 0, 0});
    }
    t().deadline[static_cast<std::size_t>(tm)] = kNever;
  }
  // The one segment this step sends, from this TCB: ACK carries RCV.NXT; timestamps ride
  // along once negotiated. One aggregate assigned into the output: a Segment filled in field
  // by field in a local and then copied made a step 1.2x slower (bench/step_bench, docs/core.md),
  // most likely a store-forwarding stall on the copy's wide loads.
  // A segment with ACK carries any delayed ACK along (Linux tcp_event_ack_sent() ->
  // inet_csk_clear_xmit_timer(ICSK_TIME_DACK); FreeBSD tcp_output: TF_DELACK cleared, TT_DELACK stopped).
  constexpr auto& send(std::uint8_t flags, Word seq, Word len = 0) noexcept {
    const bool ack = (flags & flag::ACK) != 0, ts = t().ts_ok;
    if (ack) {
      t().last_ack_sent = t().rcv_nxt;
      cancel(Timer::DelAck);
    }
    return out.actions.push_send(typename D::Segment{seq, ack ? t().rcv_nxt : Word{0}, len, t().rcv_wnd,
                                                     ts ? in.now : Word{0}, ts ? t().ts_recent : Word{0},
                                                     flags, ts, false, 0});
  }
  constexpr void send_ack() noexcept { send(flag::ACK, t().snd_nxt); }
  // The ACK of the stack's output routine, as opposed to a challenge ACK: with
  // Config::ack_resends_fin it carries our unacknowledged FIN again, at the FIN's own sequence
  // number (FreeBSD tcp_output: "If resending a FIN, be sure not to use a new sequence number").
  constexpr void send_output_ack() noexcept {
    if (c.ack_resends_fin && t().fin_sent && !t().fin_acked) send(flag::FIN | flag::ACK, t().fin_seq);
    else send_ack();
  }
  // RFC 9293 §3.10.7.1 / §3.10.7.2: the RST that answers a segment nobody wants.
  constexpr void reset_reply() noexcept {
    const Word ack = s().ack, end = s().seq + s().seg_len();
    const bool has_ack = s().has(flag::ACK);
    const std::uint8_t flags = has_ack ? flag::RST : std::uint8_t{flag::RST | flag::ACK};
    out.actions.push_send(typename D::Segment{has_ack ? ack : Word{0}, has_ack ? Word{0} : end, 0, 0, 0, 0,
                                              flags, false, false, 0});
  }
  // An active reset from this TCB (abort, close with unread data): <SEQ=SND.NXT><RST,ACK>.
  constexpr void send_rst() noexcept { send(flag::RST | flag::ACK, t().snd_nxt); }
  // Tell the application about an error, unless nobody holds the socket any more.
  constexpr void fail(Err e) noexcept {
    if (t().orphan) return;
    t().so_error = e;
    out.actions.push(typename D::Action{ActionKind::Error, Timer::Rexmit, e, 0, 0});
  }
  constexpr void to_closed() noexcept {
    cancel(Timer::Rexmit); cancel(Timer::TimeWait); cancel(Timer::FinWait2); cancel(Timer::DelAck);
    t().state = State::Closed;
  }
  constexpr void verdict(Verdict v) noexcept { out.verdict = v; }
  // Config::oow_ack_interval: must the answer to this segment be skipped? Linux
  // __tcp_oow_rate_limited(): within the interval since the last answer, yes; else the answer
  // goes and its tick is kept. tcp_oow_rate_limited() first spares a segment with text or FIN and
  // without SYN, which moves no clock; a challenge ACK (tcp_send_challenge_ack) is never spared.
  // A skipped answer leaves the segment dropped.
  constexpr bool oow_skipped(bool challenge) noexcept {
    if (c.oow_ack_interval == 0) return false;
    if (!challenge && s().seg_len() != 0 && !s().has(flag::SYN)) return false;
    auto& tb = t();
    const Word since = in.now - (tb.oow_ack_at - 1);
    if (tb.oow_ack_at != 0 && since < c.oow_ack_interval) {  // 0 <= (s32)elapsed < interval
      verdict(Verdict::Dropped);
      return true;
    }
    tb.oow_ack_at = in.now + 1;
    return false;
  }
};
using Step = BasicStep<Concrete>;
template <class X>
using Word = typename X::Word;

// A fresh TCB for a new connection, written over `t`: `orphan` is the socket flag that survives,
// sequence state does not. Built whole and assigned once: `t = Tcb{}` then the fields compiled to
// a `rep stos` of 88 bytes (slow to start for so few) in LISTEN, connect() and an accepted SYN;
// the whole value becomes 17 plain stores, with no stack frame (bench/step_bench, docs/core.md).
template <class T, class W>
constexpr void renew(T& t, bool orphan, State st, W iss, std::uint32_t rcv_wnd) noexcept {
  T n{};
  n.state = st;
  n.orphan = orphan;
  n.iss = iss; n.snd_una = iss; n.snd_nxt = iss + 1;
  n.rcv_wnd = rcv_wnd;
  t = n;
}

// ----- timers and shared transitions ---------------------------------------------------------

template <class X>
constexpr std::uint32_t time_wait_length(const X& x) noexcept {
  return x.mutant(Mutant::TimeWaitOneMsl) ? x.c.msl : x.c.time_wait;
}

// RFC 9293 §3.10.7.4: TIME-WAIT is entered when our FIN is ACKed and the peer's FIN is in.
template <class X>
constexpr void enter_time_wait(X& x) noexcept {
  x.cancel(Timer::Rexmit);
  x.cancel(Timer::FinWait2);
  x.cancel(Timer::DelAck);  // Linux tcp_time_wait() -> tcp_done(); FreeBSD: TIME-WAIT answers through tcp_twcheck() only
  if (x.mutant(Mutant::TimeWaitZero) || time_wait_length(x) == 0) {
    x.t().state = State::Closed;  // no TIME-WAIT: the 4-tuple is free at once
    return;
  }
  x.t().state = State::TimeWait;
  if (x.c.oow_ack_interval != 0) x.t().oow_ack_at = 0;  // Linux tcp_time_wait(): tw_last_oow_ack_time = 0
  x.arm(Timer::TimeWait, time_wait_length(x));
}

// Linux tcp_fin_timeout / FreeBSD TP_MAXIDLE: an orphaned FIN-WAIT-2 does not wait for ever.
// Under Config::fin_wait2_timewait that orphan is Linux's timewait socket from here on, and
// tcp_time_wait() starts its tw_last_oow_ack_time afresh (Config::oow_ack_interval).
template <class X>
constexpr void maybe_arm_fin_wait2(X& x) noexcept {
  if (x.t().state == State::FinWait2 && x.t().orphan &&
      x.c.fin_wait2 == FinWait2Timeout::OrphanOnly && !x.t().armed(Timer::FinWait2)) {
    x.arm(Timer::FinWait2, x.c.fin_wait2_timeout);
    if (x.c.oow_ack_interval != 0 && x.c.fin_wait2_timewait && x.c.fin_wait2_timeout <= x.c.time_wait)
      x.t().oow_ack_at = 0;
  }
}

// RFC 6298 §2.2-§2.5 with Config::rtt_estimate, once a sample is in: the base from SRTT and
// RTTVAR, doubled per expiry (§5.5) up to rto_max, plus the slop. 64-bit: nothing wraps.
template <class X>
constexpr Word<X> estimated_rto(const X& x) noexcept {
  using D = typename X::Domain;
  const auto& t = x.t();
  const Config& c = x.c;
  const auto var = c.rto_var_min > t.rttvar ? D::wide(c.rto_var_min) : D::wide(t.rttvar);
  const auto est = D::wide(t.srtt) / 8 + var;
  const auto base = est > c.rto_floor ? est : D::wide(c.rto_floor);
  const auto shift = c.rto_backoff ? (t.retries < kMaxRttBackoffShift ? t.retries : kMaxRttBackoffShift) : 0;
  const auto v = (base >= c.rto_max ? D::wide(c.rto_max) : base << shift) + c.rto_slop;
  return D::word(v > c.rto_max ? D::wide(c.rto_max) : v);
}

template <class X>
constexpr Word<X> current_rto(const X& x) noexcept {
  return x.join_value([&]() -> Word<X> {
    if (x.c.rtt_estimate && x.t().srtt != 0) return estimated_rto(x);
    const auto shift = x.c.rto_backoff ? (x.t().retries < kMaxBackoffShift ? x.t().retries : kMaxBackoffShift) : 0;
    return Word<X>{x.c.rto} << shift;  // RFC 6298 §5.5, capped at 64 x RTO
  });
}

// RFC 6298 §3 (Karn's rule): time one segment at a time, sent when nothing else is in flight
// (a SYN, a SYN,ACK, or the first segment after an idle spell), never a retransmitted one.
template <class X>
constexpr void rtt_start(X& x) noexcept {
  if (!x.c.rtt_estimate || x.t().rtt_timing) return;
  x.t().rtt_timing = true;
  x.t().rtt_time = x.in.now;
}

// RFC 6298 §2.2/§2.3: an ACK that covers the timed segment is a sample R (at least one tick,
// as Linux's srtt_us = max(1U, srtt)); SRTT x 8 and RTTVAR x 4 in fixed point, as the stacks keep them.
template <class X>
constexpr void rtt_sample(X& x) noexcept {
  auto& t = x.t();
  if (!x.c.rtt_estimate || !t.rtt_timing) return;
  t.rtt_timing = false;
  using D = typename X::Domain;
  Word<X> r = x.in.now - t.rtt_time;
  if (r == 0) r = 1;
  if (r > kMaxRttSample) r = kMaxRttSample;
  if (t.srtt == 0) {  // §2.2: SRTT = R, RTTVAR = R/2
    t.srtt = D::half(r << 3);
    t.rttvar = D::half(r << 1);
    return;
  }
  const Word<X> s = t.srtt >> 3u;
  t.srtt = D::half(t.srtt - s + r);  // SRTT += (R - SRTT) / 8
  t.rttvar = D::half(t.rttvar - (t.rttvar >> 2u) + (r > s ? r - s : s - r));  // RTTVAR += (|SRTT - R| - RTTVAR) / 4
}

// Config::tail_loss_probe (Linux tcp_schedule_loss_probe): our FIN is the tail in flight, the
// peer offered SACK, an RTT sample is in, and neither a probe nor an RTO has fired since the
// last new ACK (tlp_high_seq; icsk_ca_state Open).
template <class X>
constexpr bool probe_due(const X& x) noexcept {
  const auto& t = x.t();
  // ESTABLISHED and CLOSE-WAIT too: send_fin() arms the timer before the state moves on
  const bool fin_state = t.state == State::Established || t.state == State::FinWait1 || t.state == State::CloseWait ||
                         t.state == State::Closing || t.state == State::LastAck;
  return x.c.tail_loss_probe && t.sack_ok && t.srtt != 0 && !t.tlp_sent && t.retries == 0 &&
         t.fin_sent && !t.fin_acked && fin_state;
}

// Arm the retransmission timer for a probe: 2 SRTT plus tcp_rto_min when the FIN alone is in
// flight (for the peer's delayed ACK), else TCP_TIMEOUT_MIN; never later than the RTO would
// fire, `rto_in` ticks from now.
template <class X>
constexpr void arm_probe(X& x, Word<X> rto_in) noexcept {
  using D = typename X::Domain;
  const auto& t = x.t();
  const std::uint32_t pad = t.snd_nxt - t.snd_una == 1 ? x.c.rto_var_min : kProbeMinTicks;
  const auto pto = D::wide(t.srtt) / 4 + pad;
  x.arm(Timer::Rexmit, pto < rto_in ? D::word(pto) : rto_in);
}

// RFC 9293 §3.10.4 CLOSE: queue a FIN after the data already sent.
template <class X>
constexpr void send_fin(X& x) noexcept {
  auto& t = x.t();
  t.fin_seq = t.snd_nxt;
  t.snd_nxt += 1;
  t.fin_sent = true;
  if (t.snd_una == t.fin_seq) rtt_start(x);
  x.send(flag::FIN | flag::ACK, t.fin_seq);
  const bool armed = t.armed(Timer::Rexmit);
  // tcp_write_xmit -> tcp_schedule_loss_probe: the RTO already running bounds the probe
  if (probe_due(x)) arm_probe(x, armed && seq_lt(x.in.now, t.at(Timer::Rexmit)) ? t.at(Timer::Rexmit) - x.in.now : current_rto(x));
  else if (!armed) x.arm(Timer::Rexmit, current_rto(x));
}

// Config::delayed_ack: how long this step's ACK waits, 0 for at once.
template <class X>
constexpr std::uint32_t ack_delay(const X& x) noexcept {
  switch (x.c.delayed_ack) {
    case DelayedAck::Off: return 0;
    case DelayedAck::LinuxFin:  // tcp_send_delayed_ack(): jiffies + ato; ato is 0 until data came
      if (!x.fin_delays_ack) return 0;
      return x.t().data_rcvd ? x.c.delack_ato : x.c.delack_min;
    case DelayedAck::FreeBsdData:  // DELAY_ACK(): !tcp_timer_active(tp, TT_DELACK)
      return x.data_delays_ack && !x.t().armed(Timer::DelAck) ? x.c.delack_ato : 0;
  }
  return 0;
}

// The ACK that a segment's data or FIN asks for: now, or when the delayed-ACK timer fires. A
// running timer keeps its deadline (Linux tcp_send_delayed_ack: "Use new timeout only if there
// wasn't a older one earlier").
template <class X>
constexpr void ack_now_or_later(X& x) noexcept {
  const std::uint32_t delay = ack_delay(x);
  if (delay == 0) { x.send_output_ack(); return; }
  if (!x.t().armed(Timer::DelAck)) x.arm(Timer::DelAck, delay);
}

template <class X>
constexpr void update_ts_recent(X& x) noexcept {
  // RFC 7323 §4.3 (2): record TSval of a segment that covers Last.ACK.sent.
  const auto& s = x.s();
  if (x.t().ts_ok && s.has_ts && seq_le(s.seq, x.t().last_ack_sent) &&
      seq_ge(s.ts_val, x.t().ts_recent))
    x.t().ts_recent = s.ts_val;
}

template <class X>
constexpr bool in_receive_window(const X& x, Word<X> seq) noexcept {
  const auto& t = x.t();
  return t.rcv_wnd == 0 ? seq == t.rcv_nxt : seq_in_window(seq, t.rcv_nxt, t.rcv_wnd);
}

template <class X>
constexpr bool acceptable(const X& x) noexcept {
  if (x.mutant(Mutant::NoWindowCheck)) return true;
  return segment_acceptable(x.s().seq, x.s().seg_len(), x.t().rcv_nxt, x.t().rcv_wnd);
}

// Config::drop_synfin (FreeBSD tcp_input.c V_drop_synfin): a SYN+FIN is dropped unanswered.
template <class X>
constexpr bool synfin_dropped(X& x) noexcept {
  if (!x.c.drop_synfin || !x.s().has(flag::SYN) || !x.s().has(flag::FIN)) return false;
  x.verdict(Verdict::Dropped);
  return true;
}

// Config::no_ack_dropped_first (Linux tcp_rcv_state_process, tcp_rcv_established): a segment
// with none of ACK, RST and SYN is discarded before PAWS and the sequence check. Two states are
// not full sockets in Linux and keep RFC 9293's order: SYN-RECEIVED, a request socket
// (tcp_check_req), and an orphaned FIN-WAIT-2, a timewait socket (tcp_time_wait(sk,
// TCP_FIN_WAIT2, ...); tcp_timewait_state_process ACKs a segment out of the window first).
template <class X>
constexpr bool no_ack_dropped_first(X& x) noexcept {
  const auto& s = x.s();
  const auto& t = x.t();
  if (!x.c.no_ack_dropped_first || t.state == State::SynReceived || (t.state == State::FinWait2 && t.orphan) ||
      s.has(flag::ACK) || s.has(flag::RST) || s.has(flag::SYN))
    return false;
  x.verdict(Verdict::Dropped);
  return true;
}

// RFC 7323 §5.3 R1: a non-RST segment with an older TSval is a stale duplicate.
template <class X>
constexpr bool paws_rejected(const X& x) noexcept {
  const auto& s = x.s();
  return x.c.paws && x.t().ts_ok && s.has_ts && !s.has(flag::RST) &&
         paws_rejects(s.ts_val, x.t().ts_recent);
}

}  // namespace detail
}  // namespace tcpclose

#include "tcpclose/detail/segment_rules.hpp"
#include "tcpclose/detail/call_rules.hpp"

namespace tcpclose {
namespace detail {

// Every input, by its kind: the whole of step() past building the output.
template <class X>
constexpr void on_input(X& x) noexcept {
  switch (x.in.kind) {
    case InputKind::Segment: on_segment(x); return;
    case InputKind::Listen: on_listen(x); return;
    case InputKind::Connect: on_connect(x); return;
    case InputKind::Send: on_send(x); return;
    case InputKind::Receive: on_receive(x); return;
    case InputKind::Shutdown: on_shutdown(x); return;
    case InputKind::Close: on_close(x); return;
    case InputKind::Abort: on_abort(x); return;
    case InputKind::Timeout: on_timeout(x); return;
  }
}

}  // namespace detail

// The transition function. Total: every (TCB, input, config) has exactly one output.
[[gnu::flatten]] constexpr Output step(const Tcb& tcb, const Input& in, const Config& c) noexcept {
  Output out;  // built in place and returned by NRVO: no copy of the ~170-byte Output
  out.tcb = tcb;
  detail::Step x{out, in, c};
  detail::on_input(x);
  return out;
}

}  // namespace tcpclose
