// Segment arrival, RFC 9293 §3.10.7: one function per state group, then the ordered checks
// of §3.10.7.4 (sequence, RST, SYN, ACK, text, FIN) for the synchronized states.
// Rule: TIME-WAIT has its own function, because that is where the stacks disagree most.
#pragma once

#include "tcpclose/step.hpp"

namespace tcpclose::detail {

// RFC 9293 §3.10.7.1: in CLOSED every segment but a RST draws a RST.
template <class X>
constexpr void seg_closed(X& x) noexcept {
  if (x.s().has(flag::RST)) { x.verdict(Verdict::Dropped); return; }
  x.reset_reply();
  x.verdict(Verdict::Reset);
}

// The text of a SYN taken into the receive queue at RCV.NXT, as much as the window holds:
// Config::syn_sent_text (a SYN,ACK) and Config::fast_open (a SYN to a listener).
template <class X>
constexpr void take_syn_text(X& x) noexcept {
  auto& t = x.t();
  const Word<X> n = x.s().len < t.rcv_wnd ? x.s().len : t.rcv_wnd;
  if (n == 0) return;
  t.rcv_nxt += n;
  t.rcv_unread += n;
  x.out.effects |= effect::Data;
  x.push(ActionKind::Readable, n);
}

// A Fast Open child (Config::fast_open): a passively opened SYN-RECEIVED that took a SYN's
// text, so RCV.NXT is past IRS + 1 (without Fast Open, text reaches a connection only after its
// ACK has made it ESTABLISHED).
template <class X>
constexpr bool fast_open_child(const X& x) noexcept {
  const auto& t = x.t();
  return x.c.fast_open && t.state == State::SynReceived && t.passive && t.rcv_nxt != t.irs + 1;
}

// Start a connection from a SYN: LISTEN, or TIME-WAIT reopened (RFC 9293 §3.10.7.2).
template <class X>
constexpr void accept_syn(X& x, Word<X> iss) noexcept {
  const auto& s = x.s();
  auto& t = x.t();
  const auto deadline = t.deadline;  // the timers run on
  renew(t, false, State::SynReceived, iss, x.c.rcv_wnd);
  t.deadline = deadline;
  t.passive = true;
  t.irs = s.seq;
  t.rcv_nxt = s.seq + 1;
  t.snd_wnd = s.wnd;
  t.ts_ok = x.c.timestamps && s.has_ts;  // RFC 7323 §3.2: both sides must send the option
  t.ts_recent = s.has_ts ? s.ts_val : 0;
  t.sack_ok = x.c.tail_loss_probe && s.sack_perm;  // RFC 2018: Linux answers it (tcp_sack = 1)
  x.cancel(Timer::TimeWait);
  // RFC 7413 §4.2.2, Linux tcp_try_fastopen -> tcp_fastopen_add_skb: the SYN,ACK acks the text.
  // Otherwise (RFC 9293 "queue them for processing" is optional) the text is discarded, as
  // Linux without the server bit and FreeBSD's syncache without a TFO cookie do.
  if (x.c.fast_open) take_syn_text(x);
  x.send(flag::SYN | flag::ACK, t.iss);
  rtt_start(x);
  x.arm(Timer::Rexmit, current_rto(x));
  x.verdict(Verdict::Accepted);
}

// RFC 9293 §3.10.7.2: LISTEN ignores RST, resets an ACK, answers a SYN with SYN,ACK.
template <class X>
constexpr void seg_listen(X& x) noexcept {
  const auto& s = x.s();
  if (s.has(flag::RST)) { x.verdict(Verdict::Dropped); return; }
  if (s.has(flag::ACK)) { x.reset_reply(); x.verdict(Verdict::Reset); return; }
  if (synfin_dropped(x)) return;  // FreeBSD tcp_input LISTEN: (thflags & TH_FIN) && V_drop_synfin
  if (s.has(flag::SYN)) { accept_syn(x, x.in.iss); return; }
  x.verdict(Verdict::Dropped);
}

// RFC 9293 §3.10.7.3: SYN-SENT checks the ACK first, then RST, then SYN.
template <class X>
constexpr void seg_syn_sent(X& x) noexcept {
  const auto& s = x.s();
  auto& t = x.t();
  if (synfin_dropped(x)) return;  // FreeBSD tcp_do_segment: V_drop_synfin, before anything else
  if (s.has(flag::ACK) && (seq_le(s.ack, t.iss) || seq_gt(s.ack, t.snd_nxt))) {
    if (s.has(flag::RST)) { x.verdict(Verdict::Dropped); return; }
    x.reset_reply(); x.verdict(Verdict::Reset); return;  // "unacceptable ACK": <SEQ=SEG.ACK>
  }
  if (s.has(flag::RST)) {
    if (!s.has(flag::ACK)) { x.verdict(Verdict::Dropped); return; }
    x.fail(Err::ConnRefused);  // "error: connection reset", ECONNREFUSED to a connect()
    x.to_closed();
    x.out.effects |= effect::RstAbort;
    x.verdict(Verdict::Accepted);
    return;
  }
  if (!s.has(flag::SYN)) { x.verdict(Verdict::Dropped); return; }
  t.irs = s.seq;
  t.rcv_nxt = s.seq + 1;
  t.snd_wnd = s.wnd;
  t.ts_ok = x.c.timestamps && s.has_ts;
  t.ts_recent = s.has_ts ? s.ts_val : 0;
  t.sack_ok = x.c.tail_loss_probe && s.sack_perm;  // our SYN offered it (tcp_sack = 1)
  x.verdict(Verdict::Accepted);
  if (s.has(flag::ACK)) {
    t.snd_una = s.ack;
    rtt_sample(x);  // RFC 6298 §2.2: the handshake is the first sample (Linux tcp_ack_update_rtt)
    t.retries = 0;
    x.cancel(Timer::Rexmit);
    t.state = State::Established;
    t.was_synced = true;
    x.out.effects |= effect::AckedNew;
    x.push(ActionKind::Connected);
    // RFC 9293 §3.10.7.3 "continue processing at the sixth step": FreeBSD tcp_do_segment
    // trimthenstep6 -> dodata. Linux tcp_rcv_synsent_state_process discards it (no Fast Open).
    if (x.c.syn_sent_text) take_syn_text(x);
    x.send_ack();
    return;
  }
  // Simultaneous open: the text is discarded (Linux tcp_rcv_synsent_state_process "discard
  // packet for sanity"; FreeBSD queues it in tcp_reass, which the core does not have).
  t.state = State::SynReceived;  // simultaneous open: <SEQ=ISS><ACK=RCV.NXT><SYN,ACK>
  x.send(flag::SYN | flag::ACK, t.iss);
}

// RFC 9293 §3.10.7.4: a passively opened connection that is refused goes back to LISTEN.
template <class X>
constexpr void to_listen(X& x) noexcept {
  x.to_closed();
  renew(x.t(), x.t().orphan, State::Listen, 0, x.c.rcv_wnd);
  x.t().snd_una = x.t().snd_nxt = 0;
}

// The error an acceptable RST reports to the application in synchronized state `s` (None:
// nothing), per Config::rst_errors. A passively opened SYN-RECEIVED goes back to LISTEN instead.
constexpr Err rst_error(RstErrors r, State s) noexcept {
  switch (s) {
    case State::SynReceived:
      return r == RstErrors::Linux ? Err::ConnReset : Err::ConnRefused;
    case State::CloseWait:
      return r == RstErrors::Linux ? Err::Pipe : Err::ConnReset;
    case State::Established: case State::FinWait1: case State::FinWait2:
      return Err::ConnReset;
    case State::Closing: case State::LastAck:
      return r == RstErrors::Rfc9293 ? Err::None : Err::ConnReset;
    case State::Closed: case State::Listen: case State::SynSent: case State::TimeWait:
      return Err::None;
  }
  return Err::None;
}

// RFC 9293 §3.10.7.4 second check, for every synchronized state.
template <class X>
constexpr void on_rst(X& x) noexcept {
  auto& t = x.t();
  const auto& s = x.s();
  if (!in_receive_window(x, s.seq) && !x.mutant(Mutant::NoWindowCheck)) {
    x.verdict(Verdict::Dropped); return;  // "silently drop the segment"
  }
  if (x.c.rst_acceptance == RstAcceptance::Exact && s.seq != t.rcv_nxt) {
    if (x.oow_skipped(true)) return;
    x.send_ack(); x.verdict(Verdict::ChallengeAcked); return;  // RFC 5961 §3.2 challenge ACK
  }
  x.out.effects |= effect::RstAbort;
  x.verdict(Verdict::Accepted);
  // "return ... to LISTEN"; a Fast Open child is a full socket: Linux tcp_reset() in SYN_RECV.
  if (t.state == State::SynReceived && t.passive && !fast_open_child(x)) { to_listen(x); return; }
  // "connection refused" / "connection reset" to the user, or (CLOSING, LAST-ACK, TIME-WAIT)
  // "enter the CLOSED state, delete the TCB, and return": which, per stack, is rst_error().
  const Err e = rst_error(x.c.rst_errors, t.state);
  if (e != Err::None) x.fail(e);
  x.to_closed();
}

// FreeBSD insecure_syn (SynAcceptance::WindowOrChallenge): does this SYN reset? Only in the
// window, SEQ_GEQ(th_seq, last_ack_sent) && SEQ_LT(th_seq, last_ack_sent + rcv_wnd), and never
// in TIME-WAIT, whose tcp_twcheck does not read insecure_syn.
template <class X>
constexpr bool syn_resets_window_or_challenge(const X& x) noexcept {
  return x.t().state != State::TimeWait && seq_in_window(x.s().seq, x.t().rcv_nxt, x.t().rcv_wnd);
}

// RFC 9293 §3.10.7.4 fourth check: a SYN in a synchronized state.
template <class X>
constexpr void on_syn(X& x) noexcept {
  switch (x.c.syn_acceptance) {
    case SynAcceptance::Challenge:  // RFC 5961 §4.2: challenge ACK, whatever the sequence
      if (x.oow_skipped(true)) return;
      x.send_ack(); x.verdict(Verdict::ChallengeAcked); return;
    case SynAcceptance::Drop:
      x.verdict(Verdict::Dropped); return;
    case SynAcceptance::WindowOrChallenge:  // FreeBSD tcp_do_segment, insecure_syn = 1
      if (!syn_resets_window_or_challenge(x)) {
        if (!x.oow_skipped(true)) { x.send_ack(); x.verdict(Verdict::ChallengeAcked); }
        return;
      }
      x.send_rst();  // tcp_drop(): tcp_output() in CLOSED sends <SEQ=SND.NXT><ACK=RCV.NXT><RST,ACK>
      break;
    case SynAcceptance::Window:  // RFC 793: an in-window SYN is an error: reset
      x.reset_reply();
      break;
  }
  x.verdict(Verdict::Reset);
  if (x.t().state == State::SynReceived && x.t().passive) { to_listen(x); return; }
  x.fail(Err::ConnReset);
  x.to_closed();
}

// Config::ts_recent_needs_valid_ack (Linux tcp_ack(): tcp_replace_ts_recent() comes after the
// "too old" and "beyond SND.NXT" returns): TS.Recent only from an ACK in [SND.UNA, SND.NXT].
template <class X>
constexpr bool ts_recent_allowed(const X& x) noexcept {
  if (!x.c.ts_recent_needs_valid_ack) return true;
  const auto& s = x.s();
  return s.has(flag::ACK) && seq_le(x.t().snd_una, s.ack) && seq_le(s.ack, x.t().snd_nxt);
}

// RFC 5961 §5.2: SEG.ACK < SND.UNA - MAX.SND.WND. Linux tcp_ack() bounds MAX.SND.WND by the bytes
// acknowledged so far, min(max_window, bytes_acked) ("do not accept ACK for bytes we never sent").
// The core keeps no largest window (nor scales windows), so it takes the bytes acknowledged,
// SND.UNA - ISS less the SYN of a passive open (Linux's child socket starts at SND.UNA = ISS + 1
// and never counts it): exact while less than a window of data has been acknowledged.
template <class X>
constexpr bool ack_too_old(const X& x) noexcept {
  const auto& t = x.t();
  const Word<X> ack = x.s().ack;
  if (!seq_lt(ack, t.snd_una)) return false;
  const Word<X> sent = t.snd_una - t.iss;
  const Word<X> acked = t.passive && sent > 0 ? sent - 1 : sent;
  return seq_lt(ack, t.snd_una - acked);
}

// RFC 9293 §3.10.7.4 fifth check. Returns whether processing goes on to text and FIN.
template <class X>
constexpr bool on_ack(X& x) noexcept {
  auto& t = x.t();
  const auto& s = x.s();
  if (!s.has(flag::ACK)) { x.verdict(Verdict::Dropped); return false; }  // "drop and return"
  if (t.state == State::SynReceived) {
    if (!ack_acceptable(s.ack, t.snd_una, t.snd_nxt)) {
      x.reset_reply(); x.verdict(Verdict::Reset); return false;  // <SEQ=SEG.ACK><CTL=RST>
    }
    t.state = State::Established;
    t.was_synced = true;
    x.push(ActionKind::Connected);
  }
  if (x.c.old_ack_challenge && ack_too_old(x)) {  // RFC 5961 §5.2: challenge ACK, drop the segment
    if (!x.oow_skipped(true)) { x.send_ack(); x.verdict(Verdict::ChallengeAcked); }
    return false;
  }
  if (seq_gt(s.ack, t.snd_nxt)) {  // "acks something not yet sent": ACK, drop, return
    // Linux 6.18 answers it with tcp_send_challenge_ack() (Config::oow_ack_interval)
    if (!x.oow_skipped(true)) { x.send_output_ack(); x.verdict(Verdict::DroppedAcked); }
    return false;
  }
  x.verdict(Verdict::Accepted);
  if (seq_lt(t.snd_una, s.ack)) {
    t.snd_una = s.ack;
    rtt_sample(x);  // RFC 6298 §2.3: the ACK covers the timed segment (it was the oldest in flight)
    t.retries = 0;
    t.tlp_sent = false;  // Linux tcp_process_tlp_ack: the probe episode is over
    x.out.effects |= effect::AckedNew;
    if (t.fin_sent && seq_gt(s.ack, t.fin_seq)) t.fin_acked = true;
    if (t.snd_una == t.snd_nxt) x.cancel(Timer::Rexmit);
    else if (probe_due(x)) arm_probe(x, current_rto(x));  // tcp_set_xmit_timer
    else x.arm(Timer::Rexmit, current_rto(x));  // RFC 6298 §5.3: restart when more data is ACKed
  }
  t.snd_wnd = s.wnd;
  switch (t.state) {
    case State::FinWait1:  // "if our FIN is now acknowledged, enter FIN-WAIT-2"
      if (t.fin_acked) { t.state = State::FinWait2; maybe_arm_fin_wait2(x); }
      return true;
    case State::Closing:  // "if the ACK acknowledges our FIN, enter TIME-WAIT"
      if (t.fin_acked) enter_time_wait(x);
      return true;
    case State::LastAck:  // "if our FIN is now acknowledged, delete the TCB, enter CLOSED"
      if (t.fin_acked) x.to_closed();
      return false;
    case State::Established: case State::FinWait2: case State::CloseWait:
    case State::SynReceived: case State::TimeWait: case State::Closed: case State::Listen:
    case State::SynSent:
      return true;
  }
  return true;
}

// Config::rst_on_data_past_rcv_nxt, Linux tcp_rcv_state_process() step 7 with RCV_SHUTDOWN: the
// read side shut by close() or shutdown(SHUT_RD) in FIN-WAIT-1/2, or by the peer's FIN in
// CLOSE-WAIT, CLOSING and LAST-ACK (where only a segment from below RCV.NXT gets this far):
// "end_seq != seq && after(end_seq - th->fin, rcv_nxt)", data or a FIN ending past RCV.NXT.
template <class X>
constexpr bool data_past_rcv_nxt_resets(const X& x) noexcept {
  const auto& t = x.t();
  const auto& s = x.s();
  if (!x.c.rst_on_data_past_rcv_nxt || (s.len == 0 && !s.has(flag::FIN)) || !seq_gt(s.seq + s.len, t.rcv_nxt))
    return false;
  switch (t.state) {
    case State::FinWait1: case State::FinWait2: return t.rd_shut;
    case State::CloseWait: case State::Closing: case State::LastAck: return seq_lt(s.seq, t.rcv_nxt);
    case State::Established: case State::SynReceived: case State::TimeWait: case State::Closed:
    case State::Listen: case State::SynSent:
      return false;
  }
  return false;
}

// RFC 9293 §3.10.7.4 seventh check. Returns false when the segment reset the connection.
template <class X>
constexpr bool on_text(X& x) noexcept {
  auto& t = x.t();
  const auto& s = x.s();
  if (data_past_rcv_nxt_resets(x)) {  // tcp_reset() (its error), then tcp_v4_do_rcv's RST reply
    x.reset_reply();
    x.verdict(Verdict::Reset);
    const Err e = rst_error(x.c.rst_errors, t.state);
    if (e != Err::None) x.fail(e);
    x.to_closed();
    return false;
  }
  if (s.len == 0) return true;
  switch (t.state) {
    case State::Established: case State::FinWait1: case State::FinWait2: break;
    case State::CloseWait: case State::Closing: case State::LastAck: case State::TimeWait:
    case State::Closed: case State::Listen: case State::SynSent: case State::SynReceived:
      return true;  // "this should not occur, since a FIN has been received": ignore the text
  }
  if (seq_gt(s.seq, t.rcv_nxt)) {  // out of order: no reassembly queue; ACK what we have
    x.ack_due = true;
    return true;
  }
  Word<X> fresh_bytes = s.seq + s.len - t.rcv_nxt;
  if (!x.c.past_window_accepted && fresh_bytes > t.rcv_wnd) fresh_bytes = t.rcv_wnd;
  if (x.c.past_window_accepted && t.rcv_wnd == 0) {  // tcp_data_queue(): zero window, "out_of_window"
    x.ack_due = true;
    return true;
  }
  if (fresh_bytes == 0) return true;
  // RFC 1122 §4.2.2.13: new data after CLOSE "SHOULD" draw a RST (Linux tcp_rcv_state_process).
  if (t.rd_shut && t.state != State::Established && x.c.rst_on_data_after_close) {
    x.reset_reply();
    x.verdict(Verdict::Reset);
    x.to_closed();
    return false;
  }
  t.rcv_nxt += fresh_bytes;
  t.rcv_unread += fresh_bytes;
  x.out.effects |= effect::Data;
  x.push(ActionKind::Readable, fresh_bytes);
  x.ack_due = true;
  x.data_delays_ack = true;  // FreeBSD dodata: in order, "if (DELAY_ACK(tp, tlen)) TF_DELACK"
  if (x.c.delayed_ack == DelayedAck::LinuxFin) t.data_rcvd = true;  // tcp_event_data_recv(): ato = TCP_ATO_MIN
  return true;
}

// Config::after_fin_ignored, Linux tcp_rcv_state_process() step 7: in CLOSE_WAIT, CLOSING and
// LAST_ACK "if (!before(TCP_SKB_CB(skb)->seq, tp->rcv_nxt)) break;": after the peer's FIN, a
// segment at or above RCV.NXT is not queued and schedules no ACK, a FIN in it included.
template <class X>
constexpr bool after_fin_ignored(const X& x) noexcept {
  return x.c.after_fin_ignored && x.t().fin_rcvd && seq_ge(x.s().seq, x.t().rcv_nxt);
}

// RFC 9293 §3.10.7.4 eighth check: the peer's FIN, when it is the next byte expected.
template <class X>
constexpr void on_fin(X& x) noexcept {
  auto& t = x.t();
  const auto& s = x.s();
  if (after_fin_ignored(x)) return;
  if (!s.has(flag::FIN) || s.seq + s.len != t.rcv_nxt) {
    if (s.has(flag::FIN)) x.ack_due = true;  // a FIN beyond a gap: ACK what we have
    return;
  }
  if (t.fin_rcvd) { x.ack_due = true; return; }
  t.rcv_nxt += 1;
  t.fin_rcvd = true;
  x.out.effects |= effect::Fin;
  x.push(ActionKind::Eof);
  x.ack_due = true;
  x.data_delays_ack = false;  // FreeBSD: "since we received a FIN ... send ACK now" (TF_ACKNOW)
  switch (t.state) {
    case State::SynReceived: case State::Established:  // Linux tcp_fin(): pingpong mode
      t.state = State::CloseWait;
      // Config::past_window_accepted: a FIN into a zero window finds the receive buffer full, and
      // tcp_data_queue()'s failed tcp_try_rmem_schedule() sets ICSK_ACK_NOW: the ACK goes at once.
      x.fin_delays_ack = !(x.c.past_window_accepted && t.rcv_wnd == 0);
      return;
    case State::FinWait1:  // "if our FIN has been ACKed, TIME-WAIT; otherwise CLOSING"
      if (t.fin_acked) enter_time_wait(x);
      else t.state = State::Closing;
      return;
    case State::FinWait2: enter_time_wait(x); return;
    case State::CloseWait: case State::Closing: case State::LastAck: case State::TimeWait:
    case State::Closed: case State::Listen: case State::SynSent:
      return;
  }
}

// A retransmission of the peer's SYN while our SYN,ACK is unanswered: send SYN,ACK again.
template <class X>
constexpr bool syn_retransmitted(X& x) noexcept {
  const auto& s = x.s();
  if (x.t().state != State::SynReceived || !s.has(flag::SYN) || s.has(flag::ACK) ||
      s.has(flag::RST) || s.seq != x.t().irs)
    return false;
  x.send(flag::SYN | flag::ACK, x.t().iss);
  x.verdict(Verdict::DroppedAcked);
  return true;
}

// A segment without SYN that lies wholly below RCV.NXT (Config::trim_old_duplicates). In
// SYN-RECEIVED one below IRS is not one: FreeBSD resets it ("LAND" check), the core ACKs it.
template <class X>
constexpr bool old_duplicate(const X& x) noexcept {
  const auto& s = x.s();
  const auto& t = x.t();
  return !s.has(flag::SYN) && seq_lt(s.seq, t.rcv_nxt) && seq_le(s.seq + s.seg_len(), t.rcv_nxt) &&
         (t.state != State::SynReceived || seq_ge(s.seq, t.irs));
}

// FreeBSD tcp_do_segment "todrop": the old duplicate's text and FIN are cut away (SEG.SEQ moves
// past the text), "Send an ACK to resynchronize and drop any data. But keep on processing for
// RST or ACK." Its TSval does not become TS.Recent.
template <class X>
constexpr void trimmed_duplicate(X& x) noexcept {
  auto in = x.in;
  in.seg.seq = in.seg.seq + in.seg.len;
  in.seg.len = 0;
  in.seg.flags &= static_cast<std::uint8_t>(~flag::FIN);
  X y{x.out, in, x.c};
  on_ack(y);
  // LAST-ACK ended by it: tcp_close(), "goto drop", nothing sent; or a RST or ACK already went.
  if (x.t().state == State::Closed || x.sent()) return;
  x.send_output_ack();  // TF_ACKNOW: tcp_output(), or tcp_twstart()'s ACK when CLOSING ended
  if (x.out.verdict == Verdict::Dropped) x.verdict(Verdict::DroppedAcked);  // no ACK bit: dropafterack
}

// RFC 9293 §3.10.7.4 first check, or with Config::past_window_accepted Linux tcp_sequence(): past
// the right edge, "allow the FIN to extend beyond the window", and a segment that starts no later
// than the edge is taken while the receive queue is empty ("Only accept this packet if receive
// queue is empty"). Within the window (and at its left edge) the RFC's test stands.
template <class X>
constexpr bool synchronized_acceptable(const X& x) noexcept {
  if (!x.c.past_window_accepted) return acceptable(x);
  const auto& s = x.s();
  const auto& t = x.t();
  const Word<X> end = s.seq + s.seg_len(), edge = t.rcv_nxt + t.rcv_wnd;
  if (s.seg_len() == 0 || seq_le(end, edge) || x.mutant(Mutant::NoWindowCheck)) return acceptable(x);
  if (seq_gt(s.seq, edge)) return false;
  // A passive SYN-RECEIVED is a request socket first: tcp_check_req()'s tcp_in_window() refuses a
  // segment with text or FIN that starts at the edge itself (linux/rcvbuf-window-edge-syn-received.pkt).
  if (t.state == State::SynReceived && t.passive && s.seq == edge && s.seq != t.rcv_nxt) return false;
  if (s.has(flag::FIN) && seq_le(end - 1, edge)) return true;
  return t.rcv_unread == 0;
}

// RFC 9293 §3.10.7.4 first check failed: "send an acknowledgment" and drop, unless
// Config::trim_old_duplicates trims an old duplicate and goes on with its ACK.
template <class X>
constexpr void unacceptable(X& x) noexcept {
  if (x.c.trim_old_duplicates && old_duplicate(x)) { trimmed_duplicate(x); return; }
  if (x.oow_skipped(false)) return;  // Linux tcp_validate_incoming(): tcp_oow_rate_limited()
  x.send_output_ack();  // FreeBSD dropafterack: tcp_output()
  x.verdict(Verdict::DroppedAcked);
}

// SYN-RECEIVED through LAST-ACK: the ordered checks of RFC 9293 §3.10.7.4.
template <class X>
constexpr void seg_synchronized(X& x) noexcept {
  const auto& s = x.s();
  if (synfin_dropped(x)) return;  // FreeBSD tcp_do_segment: V_drop_synfin, before anything else
  if (no_ack_dropped_first(x)) return;  // Linux: "!th->ack && !th->rst && !th->syn" -> discard
  if (syn_retransmitted(x)) return;
  if (paws_rejected(x)) {  // Linux tcp_validate_incoming(): tcp_oow_rate_limited() first
    if (!x.oow_skipped(false)) { x.send_output_ack(); x.verdict(Verdict::DroppedAcked); }
    return;
  }
  if (s.has(flag::RST)) { on_rst(x); return; }
  // RFC 5961 §4.2 answers a SYN "irrespective of the sequence number"; RFC 793 only an
  // acceptable one, after the first check.
  if (s.has(flag::SYN) && x.c.syn_acceptance != SynAcceptance::Window) { on_syn(x); return; }
  if (!x.join([&] { return synchronized_acceptable(x); })) { unacceptable(x); return; }
  x.join([&] { if (ts_recent_allowed(x)) update_ts_recent(x); });
  if (s.has(flag::SYN)) { on_syn(x); return; }
  if (!x.join([&] { return on_ack(x); })) return;
  if (!x.join([&] { return on_text(x); })) return;
  x.join([&] { on_fin(x); });
  if (x.ack_due) ack_now_or_later(x);
}

}  // namespace tcpclose::detail

#include "tcpclose/detail/time_wait_rules.hpp"

namespace tcpclose::detail {

template <class X>
constexpr void on_segment(X& x) noexcept {
  switch (x.t().state) {
    case State::Closed: seg_closed(x); return;
    case State::Listen: seg_listen(x); return;
    case State::SynSent: seg_syn_sent(x); return;
    case State::TimeWait: seg_time_wait(x); return;
    case State::FinWait2:
      if (fin_wait2_is_timewait(x)) seg_fin_wait2_timewait(x);  // Linux: a TIME-WAIT substate
      else seg_synchronized(x);
      return;
    case State::SynReceived: case State::Established: case State::FinWait1:
    case State::CloseWait: case State::Closing: case State::LastAck:
      seg_synchronized(x); return;
  }
}

}  // namespace tcpclose::detail
