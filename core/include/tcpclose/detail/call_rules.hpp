// Application calls (RFC 9293 §3.10.1-§3.10.5, with socket semantics) and timer expiries
// (§3.10.8). Rule: an illegal call is an Err in Output::result, exactly as a socket returns.
#pragma once

#include "tcpclose/step.hpp"

namespace tcpclose::detail {

// SO_ERROR semantics: a pending error is reported once, by the next call that can fail.
template <class X>
constexpr bool report_pending_error(X& x) noexcept {
  if (x.t().so_error == Err::None) return false;
  x.out.result = x.t().so_error;
  x.t().so_error = Err::None;
  return true;
}

// RFC 9293 §3.10.1 OPEN, passive.
template <class X>
constexpr void on_listen(X& x) noexcept {
  // Config::call_errors Linux inet_listen: on a listener only the backlog changes
  if (x.t().state == State::Listen && x.c.call_errors == CallErrors::Linux) return;
  if (x.t().state != State::Closed) { x.out.result = Err::Inval; return; }
  renew(x.t(), false, State::Listen, 0, x.c.rcv_wnd);
  x.t().snd_una = x.t().snd_nxt = 0;
}

// RFC 9293 §3.10.1 OPEN, active: send <SEQ=ISS><CTL=SYN>, enter SYN-SENT.
template <class X>
constexpr void on_connect(X& x) noexcept {
  switch (x.t().state) {
    case State::Closed: break;
    case State::Listen:  // Linux __inet_stream_connect: SS_UNCONNECTED, but not TCP_CLOSE
      x.out.result = x.c.call_errors == CallErrors::Linux ? Err::IsConn : Err::Inval; return;
    case State::SynSent: case State::SynReceived: x.out.result = Err::Already; return;
    case State::Established: case State::FinWait1: case State::FinWait2: case State::CloseWait:
    case State::Closing: case State::LastAck: case State::TimeWait:
      x.out.result = Err::IsConn; return;
  }
  renew(x.t(), false, State::SynSent, x.in.iss, x.c.rcv_wnd);
  auto& syn = x.send(flag::SYN, x.t().iss);
  if (x.c.timestamps) { syn.has_ts = true; syn.ts_val = x.in.now; syn.ts_ecr = 0; }
  rtt_start(x);
  x.arm(Timer::Rexmit, current_rto(x));
}

// Room in the send buffer: Config::snd_buf (capped at kMaxSndBuf) less the bytes sent and not
// yet acknowledged. A TCB whose SND.UNA is ahead of SND.NXT has none (it never should).
template <class T>
constexpr auto send_room(const T& t, const Config& c) noexcept {
  const std::uint32_t cap = c.snd_buf < kMaxSndBuf ? c.snd_buf : kMaxSndBuf;
  const auto queued = t.snd_nxt - t.snd_una;
  return queued >= cap ? 0 : cap - queued;
}

// RFC 9293 §3.10.2 SEND. Data leaves at once as one segment (no Nagle, no congestion window).
// Like a non-blocking socket's write(): it takes min(n, room) bytes and returns how many; with
// no room it fails with EAGAIN (a blocking caller waits; the core cannot, it has no clock).
template <class X>
constexpr void on_send(X& x) noexcept {
  auto& t = x.t();
  if (report_pending_error(x)) return;
  switch (t.state) {
    case State::Established: case State::CloseWait: break;
    case State::SynSent: case State::SynReceived: x.out.result = Err::Again; return;
    case State::FinWait1: case State::FinWait2: case State::Closing: case State::LastAck:
    case State::TimeWait: x.out.result = Err::Pipe; return;  // "connection closing"
    case State::Listen: case State::Closed:  // Linux sk_stream_wait_connect: EPIPE outside SYN-SENT/RECEIVED
      x.out.result = t.was_synced || x.c.call_errors == CallErrors::Linux ? Err::Pipe : Err::NotConn; return;
  }
  if (t.wr_shut) { x.out.result = Err::Pipe; return; }
  if (x.in.n == 0) return;
  const auto room = send_room(t, x.c);
  if (room == 0) { x.out.result = Err::Again; return; }
  const Word<X> k = x.in.n < room ? x.in.n : room;
  if (t.snd_una == t.snd_nxt) rtt_start(x);
  x.send(flag::ACK | flag::PSH, t.snd_nxt, k);
  t.snd_nxt += k;
  x.out.result_n = k;
  if (!t.armed(Timer::Rexmit)) x.arm(Timer::Rexmit, current_rto(x));
}

// RFC 9293 §3.10.3 RECEIVE: queued data first, then a pending error, then end of stream
// (with Config::read_eof_before_error, the peer's FIN before the error, as Linux does).
template <class X>
constexpr void on_receive(X& x) noexcept {
  auto& t = x.t();
  if (t.rcv_unread > 0) {
    const Word<X> k = x.in.n < t.rcv_unread ? x.in.n : t.rcv_unread;
    t.rcv_unread -= k;
    x.out.result_n = k;
    return;
  }
  if (x.c.read_eof_before_error && t.fin_rcvd) return;  // read() = 0; SO_ERROR stays pending
  if (report_pending_error(x)) return;
  if (t.fin_rcvd || t.rd_shut) return;  // read() = 0: end of stream
  switch (t.state) {
    case State::SynSent: case State::SynReceived: case State::Established:
    case State::FinWait1: case State::FinWait2:
      x.out.result = Err::Again; return;  // would block
    case State::Listen: x.out.result = Err::NotConn; return;
    case State::Closed: if (!t.was_synced) x.out.result = Err::NotConn; return;
    case State::CloseWait: case State::Closing: case State::LastAck: case State::TimeWait:
      return;
  }
}

// The write half of CLOSE (RFC 9293 §3.10.4), shared by shutdown(SHUT_WR) and close().
template <class X>
constexpr void close_write(X& x) noexcept {
  auto& t = x.t();
  const bool already = t.wr_shut;
  t.wr_shut = true;
  if (already) return;
  switch (t.state) {
    case State::SynReceived: case State::Established:  // "form a FIN, enter FIN-WAIT-1"
      send_fin(x); t.state = State::FinWait1; return;
    case State::CloseWait:  // "send FIN, enter LAST-ACK" (RFC 9293 §3.10.4, CLOSE-WAIT)
      send_fin(x); t.state = State::LastAck; return;
    case State::SynSent: x.to_closed(); return;  // "delete the TCB"
    case State::Listen: x.to_closed(); return;
    case State::Closed: case State::FinWait1: case State::FinWait2: case State::Closing:
    case State::LastAck: case State::TimeWait:
      return;
  }
}

// Config::call_errors Linux inet_shutdown() on a listener: 0; SHUT_RD or SHUT_RDWR closes it
// (tcp_disconnect -> inet_csk_listen_stop: the socket layer aborts the accept queue), SHUT_WR
// does nothing.
template <class X>
constexpr void shutdown_listener(X& x) noexcept {
  if (x.in.how != Shut::Wr) x.to_closed();
}

template <class X>
constexpr void on_shutdown(X& x) noexcept {
  auto& t = x.t();
  if (t.state == State::Listen && x.c.call_errors == CallErrors::Linux) { shutdown_listener(x); return; }
  if (t.state == State::Closed || t.state == State::Listen) { x.out.result = Err::NotConn; return; }
  // Config::tw_socket_closed, Linux: tcp_time_wait() -> tcp_done(), so inet_shutdown() finds TCP_CLOSE
  if (t.state == State::TimeWait && x.c.tw_socket_closed) { x.out.result = Err::NotConn; return; }
  if (x.in.how != Shut::Wr) t.rd_shut = true;
  if (x.in.how != Shut::Rd) close_write(x);
}

// close(): both halves, and the socket is orphaned. RFC 2525 §2.17: unread data means RST.
template <class X>
constexpr void on_close(X& x) noexcept {
  auto& t = x.t();
  t.orphan = true;
  t.rd_shut = true;
  const bool synced = is_synchronized(t.state) && t.state != State::TimeWait;
  if (synced && t.rcv_unread > 0 && x.c.rst_on_close_unread) {
    x.send_rst();
    t.rcv_unread = 0;
    x.to_closed();
    return;
  }
  close_write(x);
  maybe_arm_fin_wait2(x);
}

// RFC 9293 §3.10.5 ABORT (close with SO_LINGER {1, 0}): RST where a peer is synchronized.
template <class X>
constexpr void on_abort(X& x) noexcept {
  auto& t = x.t();
  t.orphan = true; t.rd_shut = true; t.wr_shut = true; t.rcv_unread = 0;
  switch (t.state) {
    case State::SynReceived: case State::Established: case State::FinWait1:
    case State::FinWait2: case State::CloseWait:
      x.send_rst(); break;  // "send a reset segment <SEQ=SND.NXT><CTL=RST>"
    case State::Closing: case State::LastAck: case State::TimeWait:
      // FreeBSD tcp_drop(): TCPS_HAVERCVDSYN, so tcp_output() in CLOSED sends RST|ACK here too.
      if (x.c.abort_rst_any_synced) x.send_rst();
      break;  // RFC 9293: "respond with ok and delete the TCB"
    case State::Closed: case State::Listen: case State::SynSent:
      break;  // "respond with ok and delete the TCB"
  }
  x.to_closed();
}

// Linux tcp_send_loss_probe: resend the last segment, our FIN, and re-arm the RTO unbacked-off
// (tcp_rearm_rto); the probe counts no retry and, resent, is no RTT sample (Karn).
template <class X>
constexpr void send_probe(X& x) noexcept {
  auto& t = x.t();
  t.tlp_sent = true;
  if (x.c.rtt_estimate) t.rtt_timing = false;
  if (x.mutant(Mutant::NoFinRetransmit)) return;  // the timer is not re-armed
  x.send(flag::FIN | flag::ACK, t.fin_seq);
  x.arm(Timer::Rexmit, current_rto(x));
}

// RFC 9293 §3.10.8 / RFC 6298 §5: resend the oldest unacknowledged segment, or give up.
template <class X>
constexpr void on_rexmit(X& x) noexcept {
  auto& t = x.t();
  if (probe_due(x)) { send_probe(x); return; }
  const bool fin_out = t.fin_sent && !t.fin_acked;
  const std::uint8_t limit = fin_out ? x.c.fin_retries : x.c.retries;
  if (limit != kUnlimitedRetries && t.retries >= limit) {
    x.fail(Err::TimedOut);  // "user timeout": ETIMEDOUT
    x.to_closed();
    return;
  }
  // Without a limit the count matters only to the backoff, which stops at its cap: counting
  // on would make TCBs that behave alike differ (and a checker's state space needlessly grow).
  const std::uint8_t cap = limit != kUnlimitedRetries ? 0xFE : x.c.rto_backoff ? kMaxBackoffShift : 0;
  if (t.retries < cap) ++t.retries;
  if (x.c.rtt_estimate) t.rtt_timing = false;  // RFC 6298 §3, Karn: no sample from a resent segment
  switch (t.state) {
    case State::SynSent: {
      auto& syn = x.send(flag::SYN, t.iss);
      if (x.c.timestamps) { syn.has_ts = true; syn.ts_val = x.in.now; syn.ts_ecr = 0; }
      break;
    }
    case State::SynReceived: x.send(flag::SYN | flag::ACK, t.iss); break;
    case State::Established: case State::CloseWait: case State::FinWait1: case State::Closing:
    case State::LastAck: {
      const Word<X> data = (t.fin_sent ? t.fin_seq : t.snd_nxt) - t.snd_una;
      if (fin_out && x.mutant(Mutant::NoFinRetransmit)) return;  // the timer is not re-armed
      std::uint8_t f = flag::ACK;
      if (data > 0) f |= flag::PSH;
      if (fin_out) f |= flag::FIN;
      x.send(f, t.snd_una, data);
      break;
    }
    case State::Closed: case State::Listen: case State::FinWait2: case State::TimeWait:
      return;  // nothing outstanding
  }
  x.arm(Timer::Rexmit, current_rto(x));
}

template <class X>
constexpr void on_timeout(X& x) noexcept {
  auto& t = x.t();
  const Timer tm = x.in.timer;
  if (!t.armed(tm) || seq_lt(x.in.now, t.at(tm))) { x.out.result = Err::Inval; return; }
  t.deadline[static_cast<std::size_t>(tm)] = kNever;  // it fired
  switch (tm) {
    case Timer::Rexmit: on_rexmit(x); return;
    case Timer::TimeWait:  // RFC 9293 §3.10.8: "delete the TCB, enter CLOSED"
      if (t.state == State::TimeWait) x.to_closed();
      return;
    case Timer::FinWait2:  // Linux tcp_fin_timeout: the orphan is freed silently
      if (t.state == State::FinWait2) x.to_closed();
      return;
    case Timer::DelAck:  // Linux tcp_delack_timer_handler() -> tcp_send_ack(); FreeBSD
      // tcp_timer_delack(): TF_ACKNOW, tcp_output(). Not in CLOSED or LISTEN (nothing to ACK);
      // TIME-WAIT cancels the timer on entry (enter_time_wait), so it cannot fire there.
      if (is_synchronized(t.state) && t.state != State::TimeWait) x.send_output_ack();
      return;
  }
}

}  // namespace tcpclose::detail
