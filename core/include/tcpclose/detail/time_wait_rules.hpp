// TIME-WAIT, the state this project exists for (RFC 9293 §3.10.7.4, RFC 1337, RFC 6191).
// Rule: every departure from "ACK the retransmitted FIN and restart 2MSL" is a knob in
// Config (RST policy, SYN reopening, what restarts the timer) or a named Mutant. Linux's
// orphaned FIN-WAIT-2 is a TIME-WAIT substate (Config::fin_wait2_timewait): its rules are here too.
#pragma once

#include "tcpclose/step.hpp"

namespace tcpclose::detail {

template <class S>
constexpr bool is_bare_syn(const S& s) noexcept {
  return s.has(flag::SYN) && !s.has(flag::ACK) && !s.has(flag::RST);
}

template <class X>
constexpr void restart_time_wait(X& x) noexcept {
  if (x.mutant(Mutant::NoTimeWaitRestart)) return;
  x.arm(Timer::TimeWait, time_wait_length(x));
}

// Config::tw_ts_recent_update, Linux tcp_timewait_state_process(): "In window segment, it may be
// only reset or bare ack": at RCV.NXT, without text, SYN or FIN, and not PAWS-rejected, its TSval
// becomes tw_ts_recent.
template <class X>
constexpr void tw_take_ts_recent(X& x) noexcept {
  const auto& s = x.s();
  auto& t = x.t();
  if (x.c.tw_ts_recent_update && t.ts_ok && s.has_ts && s.seq == t.rcv_nxt && s.seg_len() == 0 &&
      !paws_rejects(s.ts_val, t.ts_recent))
    t.ts_recent = s.ts_val;
}

// Config::tw_paws_rst, Linux tcp_timewait_state_process(): paws_reject = tcp_paws_reject(&tmp_opt,
// th->rst), so an older TSval rejects a RST too (RFC 7323 §5.2 exempts it elsewhere).
template <class X>
constexpr bool tw_rst_paws_rejected(const X& x) noexcept {
  const auto& s = x.s();
  return x.c.tw_paws_rst && x.c.paws && x.t().ts_ok && s.has_ts && paws_rejects(s.ts_val, x.t().ts_recent);
}

// A RST in TIME-WAIT: RFC 1337 §3 ignores it; RFC 9293 closes on an acceptable one.
template <class X>
constexpr void tw_rst(X& x) noexcept {
  const auto& s = x.s();
  if (tw_rst_paws_rejected(x)) { x.verdict(Verdict::Dropped); return; }  // "silently drop"
  const bool killable = x.mutant(Mutant::RstKillsTimeWait) ||
                        (x.c.rst_in_time_wait == RstInTimeWait::Kill &&
                         (in_receive_window(x, s.seq) || x.mutant(Mutant::NoWindowCheck)));
  if (!killable) { tw_take_ts_recent(x); x.verdict(Verdict::Dropped); return; }
  if (!x.mutant(Mutant::RstKillsTimeWait) && x.c.rst_acceptance == RstAcceptance::Exact &&
      s.seq != x.t().rcv_nxt) {
    if (!x.c.tw_challenge_ack || x.oow_skipped(true)) { x.verdict(Verdict::Dropped); return; }
    x.send_ack(); x.verdict(Verdict::ChallengeAcked); return;  // RFC 5961 §3.2
  }
  x.out.effects |= effect::RstAbort;  // the TIME-WAIT assassination of RFC 1337 §2
  x.verdict(Verdict::Accepted);
  x.to_closed();
}

// RFC 6191 §2, the Timestamps policy: with timestamps on the old incarnation, a newer TSval,
// or an equal one with a higher sequence number; without them, any SYN that enables
// timestamps, or else a higher sequence number.
template <class X>
constexpr bool rfc6191_allows(const X& x, bool higher_seq) noexcept {
  const auto& s = x.s();
  const auto& t = x.out.tcb;
  const bool new_ts = x.c.timestamps && s.has_ts;  // RFC 6191: "would be enabled" for the next one
  if (t.ts_ok) {
    if (!new_ts) return higher_seq;
    return seq_gt(s.ts_val, t.ts_recent) || (s.ts_val == t.ts_recent && higher_seq);
  }
  return new_ts || higher_seq;
}

// May this SYN start a new incarnation? RFC 1122 §4.2.2.13, RFC 6191 §2, Linux.
template <class X>
constexpr bool tw_reopen_allowed(const X& x) noexcept {
  const auto& s = x.s();
  const auto& t = x.out.tcb;
  if (!is_bare_syn(s)) return false;
  if (x.mutant(Mutant::SynReopensAny)) return true;
  const bool higher_seq = seq_gt(s.seq, t.rcv_nxt);
  switch (x.c.syn_reopen) {
    case SynReopen::Never: return false;
    case SynReopen::HigherSeq: return higher_seq;
    case SynReopen::Timestamps: return rfc6191_allows(x, higher_seq);
    case SynReopen::SeqOrTimestamp:  // Linux: after(seq, rcv_nxt) || newer tw_ts_recent
      return higher_seq || (t.ts_ok && s.has_ts && seq_gt(s.ts_val, t.ts_recent));
  }
  return false;
}

// The new incarnation's ISS: the caller's, raised to at least SND.NXT because RFC 1122
// §4.2.2.13 (1) requires it to be "larger than the largest sequence number it used on the
// previous connection incarnation"; or Linux's snd_nxt + 65535 + 2 (never 0).
template <class X>
constexpr Word<X> reopen_iss(const X& x) noexcept {
  if (x.c.reopen_iss == ReopenIss::FromInput)
    return seq_ge(x.in.iss, x.t().snd_nxt) ? x.in.iss : x.t().snd_nxt;
  const Word<X> isn = x.t().snd_nxt + 65535u + 2u;
  return isn == 0 ? Word<X>{1} : isn;
}

// Is this the peer's FIN again, the one we already ACKed (its SEG.SEQ+SEG.LEN = RCV.NXT)?
template <class X>
constexpr bool is_retransmitted_fin(const X& x) noexcept {
  const auto& s = x.s();
  return s.has(flag::FIN) && !s.has(flag::SYN) && s.seq + s.seg_len() == x.t().rcv_nxt;
}

// Config::tw_ack_unless_duplicate: FreeBSD tcp_twcheck() answers every segment but an exact
// duplicate ACK: "thflags != TH_ACK || tlen != 0 || th_seq != rcv_nxt || th_ack != snd_nxt".
template <class X>
constexpr bool tw_answers(const X& x) noexcept {
  const auto& s = x.s();
  if (s.len > 0) return true;
  return x.c.tw_ack_unless_duplicate &&
         (s.flags != flag::ACK || s.seq != x.t().rcv_nxt || s.ack != x.t().snd_nxt);
}

// Everything but the timer restart policy: RST, RFC 6191, PAWS, the retransmitted FIN,
// SYN, acceptability. Returns true when 2MSL was already restarted (the retransmitted FIN).
template <class X>
constexpr bool tw_segment(X& x) noexcept {
  const auto& s = x.s();
  if (s.has(flag::RST)) { tw_rst(x); return false; }
  if (synfin_dropped(x)) return false;  // FreeBSD tcp_twcheck: "Honor the drop_synfin sysctl variable"
  // RFC 6191 §2 decides a bare SYN before PAWS: honour it, or "silently drop" it.
  if (x.c.syn_reopen == SynReopen::Timestamps && is_bare_syn(s)) {
    if (tw_reopen_allowed(x)) { x.out.effects |= effect::Reopened; accept_syn(x, reopen_iss(x)); }
    else x.verdict(Verdict::Dropped);
    return false;
  }
  // RFC 7323 §5.3; Linux tcp_timewait_check_oow_rate_limit() (Config::oow_ack_interval)
  if (paws_rejected(x)) {
    if (!x.oow_skipped(false)) { x.send_ack(); x.verdict(Verdict::DroppedAcked); }
    return false;
  }
  tw_take_ts_recent(x);
  if (tw_reopen_allowed(x)) {
    x.out.effects |= effect::Reopened;
    accept_syn(x, reopen_iss(x));
    return false;
  }
  // FreeBSD tcp_twcheck: a segment without ACK that did not reopen TIME-WAIT is dropped
  // without an answer ("Drop the segment if it does not contain an ACK").
  if (x.c.tw_drop_without_ack && !s.has(flag::ACK)) { x.verdict(Verdict::Dropped); return false; }
  if (is_retransmitted_fin(x)) {
    // RFC 9293 §3.10.7.4: "Acknowledge it, and restart the 2 MSL timeout."
    if (x.mutant(Mutant::NoReackInTimeWait)) { x.verdict(Verdict::Dropped); return false; }
    x.send_ack();
    x.verdict(Verdict::Accepted);
    restart_time_wait(x);
    return true;
  }
  if (s.has(flag::SYN) && x.c.syn_acceptance != SynAcceptance::Window) { on_syn(x); return false; }
  if (!acceptable(x)) {
    if (!x.oow_skipped(false)) { x.send_ack(); x.verdict(Verdict::DroppedAcked); }
    return false;
  }
  if (s.has(flag::SYN)) { on_syn(x); return false; }
  if (!s.has(flag::ACK)) { x.verdict(Verdict::Dropped); return false; }
  // An acceptable segment: nothing is outstanding; its text is ignored (seventh check).
  x.verdict(Verdict::Accepted);
  if (s.has(flag::FIN)) {  // eighth check, TIME-WAIT: "Restart the 2 MSL time-wait timeout"
    x.send_ack();
    restart_time_wait(x);
    return true;
  }
  if (tw_answers(x)) x.send_ack();
  return false;
}

// Config::fin_wait2_timewait: is this FIN-WAIT-2 Linux's timewait socket? An orphan whose
// timeout is not above TCP_TIMEWAIT_LEN: tcp_rcv_state_process() FIN_WAIT1 and __tcp_close() call
// tcp_time_wait(sk, TCP_FIN_WAIT2, tmo) unless tmo = tcp_fin_time() > TCP_TIMEWAIT_LEN.
template <class X>
constexpr bool fin_wait2_is_timewait(const X& x) noexcept {
  return x.c.fin_wait2_timewait && x.t().state == State::FinWait2 && x.t().orphan &&
         x.c.fin_wait2_timeout <= x.c.time_wait;
}

// Linux tcp_in_window(seq, end_seq, RCV.NXT, RCV.NXT + RCV.WND): unlike RFC 9293's test, a
// segment at RCV.NXT is in whatever its length, and an empty one at the right edge too.
template <class X>
constexpr bool tw_in_window(const X& x) noexcept {
  if (x.mutant(Mutant::NoWindowCheck)) return true;
  const Word<X> seq = x.s().seq, end = seq + x.s().seg_len(), nxt = x.t().rcv_nxt, right = nxt + x.t().rcv_wnd;
  return seq == nxt || (seq_gt(end, nxt) && seq_lt(seq, right)) || (seq == right && seq == end);
}

// TCP_TW_RST: tcp_v4_send_reset() answers the segment, and the timewait socket is freed.
template <class X>
constexpr void tw_reset(X& x) noexcept {
  x.reset_reply();
  x.verdict(Verdict::Reset);
  x.to_closed();
}

// Config::fin_wait2_timewait: Linux tcp_timewait_state_process() with tw_substate TCP_FIN_WAIT2,
// "Just repeat all the checks of tcp_rcv_state_process()", in its order. SEG.ACK is not looked at.
template <class X>
constexpr void seg_fin_wait2_timewait(X& x) noexcept {
  const auto& s = x.s();
  auto& t = x.t();
  const bool paws = s.has(flag::RST) ? tw_rst_paws_rejected(x) : paws_rejected(x);  // tcp_paws_reject(.., th->rst)
  if (paws || !tw_in_window(x)) {  // "Out of window, send ACK": tcp_timewait_check_oow_rate_limit()
    if (!x.oow_skipped(false)) { x.send_ack(); x.verdict(Verdict::DroppedAcked); }
    return;
  }
  if (s.has(flag::RST)) {  // "goto kill": freed without an answer, in the window at any sequence number
    x.out.effects |= effect::RstAbort;
    x.verdict(Verdict::Accepted);
    x.to_closed();
    return;
  }
  if (s.has(flag::SYN) && seq_ge(s.seq, t.rcv_nxt)) { tw_reset(x); return; }
  const Word<X> end = s.seq + s.seg_len();
  if (!s.has(flag::ACK) || !seq_gt(end, t.rcv_nxt) || s.seg_len() == 0) {  // "Dup ACK?"
    x.verdict(Verdict::Dropped);
    return;
  }
  // "New data or FIN. If new data arrive after half-duplex close, reset."
  if (!s.has(flag::FIN) || end != t.rcv_nxt + 1) { tw_reset(x); return; }
  // "FIN arrived, enter true time-wait state.": its TSval becomes TS.Recent, 2MSL starts, ACK.
  t.rcv_nxt = end;
  t.fin_rcvd = true;
  if (t.ts_ok && s.has_ts) t.ts_recent = s.ts_val;
  x.out.effects |= effect::Fin;
  x.push(ActionKind::Eof);
  x.verdict(Verdict::Accepted);
  x.send_ack();
  enter_time_wait(x);
}

template <class X>
constexpr void seg_time_wait(X& x) noexcept {
  const bool restarted = tw_segment(x);
  if (restarted || x.out.tcb.state != State::TimeWait || x.s().has(flag::RST)) return;
  switch (x.c.time_wait_restart) {
    case TimeWaitRestart::OnFin: return;
    case TimeWaitRestart::OnAck:  // Linux: inet_twsk_reschedule for every segment with ACK
      if (x.s().has(flag::ACK)) restart_time_wait(x);
      return;
    case TimeWaitRestart::OnAnswer:
      if (x.sent()) restart_time_wait(x);
      return;
  }
}

}  // namespace tcpclose::detail
