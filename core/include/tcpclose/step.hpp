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
  constexpr Segment& send(std::uint8_t flags, Seq seq, std::uint32_t len = 0) noexcept {
    const bool ack = (flags & flag::ACK) != 0, ts = t().ts_ok;
    if (ack) t().last_ack_sent = t().rcv_nxt;
    return out.actions.push_send(Segment{seq, ack ? t().rcv_nxt : 0, len, t().rcv_wnd,
                                         ts ? in.now : 0, ts ? t().ts_recent : 0, flags, ts,
                                         {0, 0}});
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
                                  {0, 0}});
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
    cancel(Timer::Rexmit); cancel(Timer::TimeWait); cancel(Timer::FinWait2);
    t().state = State::Closed;
  }
  constexpr void verdict(Verdict v) noexcept { out.verdict = v; }
};

// A fresh TCB for a new connection, written in place over `t`: `orphan` is the socket flag that
// survives, sequence state does not. In place, because a Tcb built on the stack and copied in
// made every step slower (a stack frame; bench/step_bench, docs/core.md).
constexpr void renew(Tcb& t, bool orphan, State st, Seq iss, std::uint32_t rcv_wnd) noexcept {
  t = Tcb{};
  t.state = st;
  t.orphan = orphan;
  t.iss = iss; t.snd_una = iss; t.snd_nxt = iss + 1;
  t.rcv_wnd = rcv_wnd;
}

// ----- timers and shared transitions ---------------------------------------------------------

constexpr std::uint32_t time_wait_length(const Step& x) noexcept {
  return x.mutant(Mutant::TimeWaitOneMsl) ? x.c.msl : x.c.time_wait;
}

// RFC 9293 §3.10.7.4: TIME-WAIT is entered when our FIN is ACKed and the peer's FIN is in.
constexpr void enter_time_wait(Step& x) noexcept {
  x.cancel(Timer::Rexmit);
  x.cancel(Timer::FinWait2);
  if (x.mutant(Mutant::TimeWaitZero) || time_wait_length(x) == 0) {
    x.t().state = State::Closed;  // no TIME-WAIT: the 4-tuple is free at once
    return;
  }
  x.t().state = State::TimeWait;
  x.arm(Timer::TimeWait, time_wait_length(x));
}

// Linux tcp_fin_timeout / FreeBSD TP_MAXIDLE: an orphaned FIN-WAIT-2 does not wait for ever.
constexpr void maybe_arm_fin_wait2(Step& x) noexcept {
  if (x.t().state == State::FinWait2 && x.t().orphan &&
      x.c.fin_wait2 == FinWait2Timeout::OrphanOnly && !x.t().armed(Timer::FinWait2))
    x.arm(Timer::FinWait2, x.c.fin_wait2_timeout);
}

constexpr std::uint32_t current_rto(const Step& x) noexcept {
  const std::uint32_t shift = x.c.rto_backoff ? (x.t().retries < kMaxBackoffShift ? x.t().retries : kMaxBackoffShift) : 0;
  return x.c.rto << shift;  // RFC 6298 §5.5, capped at 64 x RTO
}

// RFC 9293 §3.10.4 CLOSE: queue a FIN after the data already sent.
constexpr void send_fin(Step& x) noexcept {
  Tcb& t = x.t();
  t.fin_seq = t.snd_nxt;
  t.snd_nxt += 1;
  t.fin_sent = true;
  x.send(flag::FIN | flag::ACK, t.fin_seq);
  if (!t.armed(Timer::Rexmit)) x.arm(Timer::Rexmit, current_rto(x));
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
