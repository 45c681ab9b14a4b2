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

// The builder for one step: the output under construction plus the input and the knobs.
struct Step {
  Output& out;
  const Input& in;
  const Config& c;
  bool ack_due = false;  // coalesce the ACKs that data and FIN each ask for into one segment
  // Config::delayed_ack: this step's ACK may wait (a FIN into CLOSE-WAIT; in-order data).
  bool fin_delays_ack = false;
  bool data_delays_ack = false;

  constexpr Tcb& t() noexcept { return out.tcb; }
  constexpr const Tcb& t() const noexcept { return out.tcb; }
  constexpr const Segment& s() const noexcept { return in.seg; }
  constexpr bool mutant(Mutant m) const noexcept { return c.mutant == m; }

  constexpr void push(ActionKind k, std::uint32_t n = 0) noexcept {
    out.actions.push(Action{k, Timer::Rexmit, Err::None, 0, n});
  }
  constexpr void arm(Timer tm, std::uint32_t len) noexcept {
    std::uint32_t at = in.now + len;
    if (at == kNever) --at;
    t().deadline[static_cast<std::size_t>(tm)] = at;
    out.actions.push(Action{ActionKind::ArmTimer, tm, Err::None, 0, at});
  }
  constexpr void cancel(Timer tm) noexcept {
    if (!t().armed(tm)) return;
    t().deadline[static_cast<std::size_t>(tm)] = kNever;
    out.actions.push(Action{ActionKind::CancelTimer, tm, Err::None, 0, 0});
  }
  // The one segment this step sends, from this TCB: ACK carries RCV.NXT; timestamps ride
  // along once negotiated. One aggregate assigned into the output: a Segment filled in field
  // by field in a local and then copied made a step 1.2x slower (bench/step_bench, docs/core.md),
  // most likely a store-forwarding stall on the copy's wide loads.
  // A segment with ACK carries any delayed ACK along (Linux tcp_event_ack_sent() ->
  // inet_csk_clear_xmit_timer(ICSK_TIME_DACK); FreeBSD tcp_output: TF_DELACK cleared, TT_DELACK stopped).
  constexpr Segment& send(std::uint8_t flags, Seq seq, std::uint32_t len = 0) noexcept {
    const bool ack = (flags & flag::ACK) != 0, ts = t().ts_ok;
    if (ack) {
      t().last_ack_sent = t().rcv_nxt;
      cancel(Timer::DelAck);
    }
    return out.actions.push_send(Segment{seq, ack ? t().rcv_nxt : 0, len, t().rcv_wnd,
                                         ts ? in.now : 0, ts ? t().ts_recent : 0, flags, ts,
                                         false, 0});
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
    const Seq ack = s().ack, end = s().seq + s().seg_len();
    const bool has_ack = s().has(flag::ACK);
    const std::uint8_t flags = has_ack ? flag::RST : std::uint8_t{flag::RST | flag::ACK};
    out.actions.push_send(Segment{has_ack ? ack : 0, has_ack ? 0 : end, 0, 0, 0, 0, flags, false,
                                  false, 0});
  }
  // An active reset from this TCB (abort, close with unread data): <SEQ=SND.NXT><RST,ACK>.
  constexpr void send_rst() noexcept { send(flag::RST | flag::ACK, t().snd_nxt); }
  // Tell the application about an error, unless nobody holds the socket any more.
  constexpr void fail(Err e) noexcept {
    if (t().orphan) return;
    t().so_error = e;
    out.actions.push(Action{ActionKind::Error, Timer::Rexmit, e, 0, 0});
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
    Tcb& tb = t();
    const std::uint32_t since = in.now - (tb.oow_ack_at - 1);
    if (tb.oow_ack_at != 0 && since < c.oow_ack_interval) {  // 0 <= (s32)elapsed < interval
      verdict(Verdict::Dropped);
      return true;
    }
    tb.oow_ack_at = in.now + 1;
    return false;
  }
};

// A fresh TCB for a new connection, written over `t`: `orphan` is the socket flag that survives,
// sequence state does not. Built whole and assigned once: `t = Tcb{}` then the fields compiled to
// a `rep stos` of 88 bytes (slow to start for so few) in LISTEN, connect() and an accepted SYN;
// the whole value becomes 17 plain stores, with no stack frame (bench/step_bench, docs/core.md).
constexpr void renew(Tcb& t, bool orphan, State st, Seq iss, std::uint32_t rcv_wnd) noexcept {
  Tcb n{};
  n.state = st;
  n.orphan = orphan;
  n.iss = iss; n.snd_una = iss; n.snd_nxt = iss + 1;
  n.rcv_wnd = rcv_wnd;
  t = n;
}

// ----- timers and shared transitions ---------------------------------------------------------

constexpr std::uint32_t time_wait_length(const Step& x) noexcept {
  return x.mutant(Mutant::TimeWaitOneMsl) ? x.c.msl : x.c.time_wait;
}

// RFC 9293 §3.10.7.4: TIME-WAIT is entered when our FIN is ACKed and the peer's FIN is in.
constexpr void enter_time_wait(Step& x) noexcept {
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
constexpr void maybe_arm_fin_wait2(Step& x) noexcept {
  if (x.t().state == State::FinWait2 && x.t().orphan &&
      x.c.fin_wait2 == FinWait2Timeout::OrphanOnly && !x.t().armed(Timer::FinWait2)) {
    x.arm(Timer::FinWait2, x.c.fin_wait2_timeout);
    if (x.c.oow_ack_interval != 0 && x.c.fin_wait2_timewait && x.c.fin_wait2_timeout <= x.c.time_wait)
      x.t().oow_ack_at = 0;
  }
}

// RFC 6298 §2.2-§2.5 with Config::rtt_estimate, once a sample is in: the base from SRTT and
// RTTVAR, doubled per expiry (§5.5) up to rto_max, plus the slop. 64-bit: nothing wraps.
constexpr std::uint32_t estimated_rto(const Step& x) noexcept {
  const Tcb& t = x.t();
  const Config& c = x.c;
  const std::uint64_t var = c.rto_var_min > t.rttvar ? c.rto_var_min : t.rttvar;
  const std::uint64_t est = std::uint64_t{t.srtt} / 8 + var;
  const std::uint64_t base = est > c.rto_floor ? est : c.rto_floor;
  const std::uint32_t shift = c.rto_backoff ? (t.retries < kMaxRttBackoffShift ? t.retries : kMaxRttBackoffShift) : 0;
  const std::uint64_t v = (base >= c.rto_max ? c.rto_max : base << shift) + c.rto_slop;
  return static_cast<std::uint32_t>(v > c.rto_max ? c.rto_max : v);
}

constexpr std::uint32_t current_rto(const Step& x) noexcept {
  if (x.c.rtt_estimate && x.t().srtt != 0) return estimated_rto(x);
  const std::uint32_t shift = x.c.rto_backoff ? (x.t().retries < kMaxBackoffShift ? x.t().retries : kMaxBackoffShift) : 0;
  return x.c.rto << shift;  // RFC 6298 §5.5, capped at 64 x RTO
}

// RFC 6298 §3 (Karn's rule): time one segment at a time, sent when nothing else is in flight
// (a SYN, a SYN,ACK, or the first segment after an idle spell), never a retransmitted one.
constexpr void rtt_start(Step& x) noexcept {
  if (!x.c.rtt_estimate || x.t().rtt_timing) return;
  x.t().rtt_timing = true;
  x.t().rtt_time = x.in.now;
}

// RFC 6298 §2.2/§2.3: an ACK that covers the timed segment is a sample R (at least one tick,
// as Linux's srtt_us = max(1U, srtt)); SRTT x 8 and RTTVAR x 4 in fixed point, as the stacks keep them.
constexpr void rtt_sample(Step& x) noexcept {
  Tcb& t = x.t();
  if (!x.c.rtt_estimate || !t.rtt_timing) return;
  t.rtt_timing = false;
  std::uint32_t r = x.in.now - t.rtt_time;
  if (r == 0) r = 1;
  if (r > kMaxRttSample) r = kMaxRttSample;
  if (t.srtt == 0) {  // §2.2: SRTT = R, RTTVAR = R/2
    t.srtt = static_cast<std::uint16_t>(r << 3);
    t.rttvar = static_cast<std::uint16_t>(r << 1);
    return;
  }
  const std::uint32_t s = t.srtt >> 3u;
  t.srtt = static_cast<std::uint16_t>(t.srtt - s + r);  // SRTT += (R - SRTT) / 8
  t.rttvar = static_cast<std::uint16_t>(t.rttvar - (t.rttvar >> 2u) + (r > s ? r - s : s - r));  // RTTVAR += (|SRTT - R| - RTTVAR) / 4
}

// Config::tail_loss_probe (Linux tcp_schedule_loss_probe): our FIN is the tail in flight, the
// peer offered SACK, an RTT sample is in, and neither a probe nor an RTO has fired since the
// last new ACK (tlp_high_seq; icsk_ca_state Open).
constexpr bool probe_due(const Step& x) noexcept {
  const Tcb& t = x.t();
  // ESTABLISHED and CLOSE-WAIT too: send_fin() arms the timer before the state moves on
  const bool fin_state = t.state == State::Established || t.state == State::FinWait1 || t.state == State::CloseWait ||
                         t.state == State::Closing || t.state == State::LastAck;
  return x.c.tail_loss_probe && t.sack_ok && t.srtt != 0 && !t.tlp_sent && t.retries == 0 &&
         t.fin_sent && !t.fin_acked && fin_state;
}

// Arm the retransmission timer for a probe: 2 SRTT plus tcp_rto_min when the FIN alone is in
// flight (for the peer's delayed ACK), else TCP_TIMEOUT_MIN; never later than the RTO would
// fire, `rto_in` ticks from now.
constexpr void arm_probe(Step& x, std::uint32_t rto_in) noexcept {
  const Tcb& t = x.t();
  const std::uint32_t pad = t.snd_nxt - t.snd_una == 1 ? x.c.rto_var_min : kProbeMinTicks;
  const std::uint64_t pto = std::uint64_t{t.srtt} / 4 + pad;
  x.arm(Timer::Rexmit, pto < rto_in ? static_cast<std::uint32_t>(pto) : rto_in);
}

// RFC 9293 §3.10.4 CLOSE: queue a FIN after the data already sent.
constexpr void send_fin(Step& x) noexcept {
  Tcb& t = x.t();
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
constexpr std::uint32_t ack_delay(const Step& x) noexcept {
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
constexpr void ack_now_or_later(Step& x) noexcept {
  const std::uint32_t delay = ack_delay(x);
  if (delay == 0) { x.send_output_ack(); return; }
  if (!x.t().armed(Timer::DelAck)) x.arm(Timer::DelAck, delay);
}

constexpr void update_ts_recent(Step& x) noexcept {
  // RFC 7323 §4.3 (2): record TSval of a segment that covers Last.ACK.sent.
  const Segment& s = x.s();
  if (x.t().ts_ok && s.has_ts && seq_le(s.seq, x.t().last_ack_sent) &&
      seq_ge(s.ts_val, x.t().ts_recent))
    x.t().ts_recent = s.ts_val;
}

constexpr bool in_receive_window(const Step& x, Seq seq) noexcept {
  const Tcb& t = x.t();
  return t.rcv_wnd == 0 ? seq == t.rcv_nxt : seq_in_window(seq, t.rcv_nxt, t.rcv_wnd);
}

constexpr bool acceptable(const Step& x) noexcept {
  if (x.mutant(Mutant::NoWindowCheck)) return true;
  return segment_acceptable(x.s().seq, x.s().seg_len(), x.t().rcv_nxt, x.t().rcv_wnd);
}

// Config::drop_synfin (FreeBSD tcp_input.c V_drop_synfin): a SYN+FIN is dropped unanswered.
constexpr bool synfin_dropped(Step& x) noexcept {
  if (!x.c.drop_synfin || !x.s().has(flag::SYN) || !x.s().has(flag::FIN)) return false;
  x.verdict(Verdict::Dropped);
  return true;
}

// Config::no_ack_dropped_first (Linux tcp_rcv_state_process, tcp_rcv_established): a segment
// with none of ACK, RST and SYN is discarded before PAWS and the sequence check. Two states are
// not full sockets in Linux and keep RFC 9293's order: SYN-RECEIVED, a request socket
// (tcp_check_req), and an orphaned FIN-WAIT-2, a timewait socket (tcp_time_wait(sk,
// TCP_FIN_WAIT2, ...); tcp_timewait_state_process ACKs a segment out of the window first).
constexpr bool no_ack_dropped_first(Step& x) noexcept {
  const Segment& s = x.s();
  const Tcb& t = x.t();
  if (!x.c.no_ack_dropped_first || t.state == State::SynReceived || (t.state == State::FinWait2 && t.orphan) ||
      s.has(flag::ACK) || s.has(flag::RST) || s.has(flag::SYN))
    return false;
  x.verdict(Verdict::Dropped);
  return true;
}

// RFC 7323 §5.3 R1: a non-RST segment with an older TSval is a stale duplicate.
constexpr bool paws_rejected(const Step& x) noexcept {
  const Segment& s = x.s();
  return x.c.paws && x.t().ts_ok && s.has_ts && !s.has(flag::RST) &&
         paws_rejects(s.ts_val, x.t().ts_recent);
}

}  // namespace detail
}  // namespace tcpclose

#include "tcpclose/detail/segment_rules.hpp"
#include "tcpclose/detail/call_rules.hpp"

namespace tcpclose {

// The transition function. Total: every (TCB, input, config) has exactly one output.
[[gnu::flatten]] constexpr Output step(const Tcb& tcb, const Input& in, const Config& c) noexcept {
  Output out;  // built in place and returned by NRVO: no copy of the ~170-byte Output
  out.tcb = tcb;
  detail::Step x{out, in, c};
  switch (in.kind) {
    case InputKind::Segment: detail::on_segment(x); break;
    case InputKind::Listen: detail::on_listen(x); break;
    case InputKind::Connect: detail::on_connect(x); break;
    case InputKind::Send: detail::on_send(x); break;
    case InputKind::Receive: detail::on_receive(x); break;
    case InputKind::Shutdown: detail::on_shutdown(x); break;
    case InputKind::Close: detail::on_close(x); break;
    case InputKind::Abort: detail::on_abort(x); break;
    case InputKind::Timeout: detail::on_timeout(x); break;
  }
  return out;
}

}  // namespace tcpclose
