// both-closed as a bounded response (issue 18): once both applications have closed and no fault
// has occurred for T ticks, T derived from the profile's timers, every TCB is CLOSED or left
// half-open after a fault. Written once over a value domain: plain values here (the pair tests,
// the proofs' concrete replay), Z3 terms in proofs/src/system.cpp (the proofs' monitor).
#pragma once

#include <cstdint>
#include <type_traits>

#include <tcpclose/core.hpp>

namespace tcpclose::model {

inline constexpr const char* kBothClosedBounded =
    "once both applications have closed and no fault (a loss, duplicate or delay) has occurred for T ticks, T from "
    "the profile's timers (both_closed_within), every TCB is CLOSED or left half-open after a fault; and a world "
    "with nothing pending (no segment, no timer) has no TCB that is neither";

// T: the ticks within which, with no fault, every connection of a closed pair ends. A sum over
// the chain that can hold a TCB open (docs/properties.md "both-closed, bounded"): a segment sent
// before the faults stopped lives at most MSL and may restart TIME-WAIT; a retransmission waits
// at most one RTO at its full backoff (core current_rto: 64 x RTO; an estimated RTO is capped
// at rto_max, slop included); an orphaned FIN-WAIT-2 times out; TIME-WAIT runs its length; an
// ACK may wait for its delayed-ACK timer; and each of the last handshake's four segments
// takes a tick. A generous bound, not the tightest: what it catches is a connection that never
// ends, or ends a whole timer late.
constexpr std::uint32_t kBothClosedHops = 4;
constexpr std::uint32_t both_closed_within(const Config& c) noexcept {
  const std::uint64_t backed_off = std::uint64_t{c.rto} << (c.rto_backoff ? kMaxBackoffShift : 0);
  const std::uint64_t rexmit = c.rtt_estimate && c.rto_max > backed_off ? c.rto_max : backed_off;
  const std::uint64_t fin_wait2 = c.fin_wait2 == FinWait2Timeout::OrphanOnly ? c.fin_wait2_timeout : 0;
  const std::uint64_t delack = c.delayed_ack == DelayedAck::Off ? 0 : (c.delack_ato > c.delack_min ? c.delack_ato : c.delack_min);
  const std::uint64_t t = std::uint64_t{c.msl} + rexmit + fin_wait2 + c.time_wait + delack + kBothClosedHops;
  return t > 0x7FFFFFFFu ? 0x7FFFFFFFu : static_cast<std::uint32_t>(t);
}

// A value domain: its booleans, its 32-bit words, and the two operations the rules need beyond
// && || ! (an unsigned comparison and a state test). Plain is the concrete one.
struct Plain {
  using B = bool;
  using W = std::uint32_t;
  static constexpr bool boolean(bool b) noexcept { return b; }
  static constexpr W word(W x) noexcept { return x; }
  static constexpr bool ugt(W a, W b) noexcept { return a > b; }
  static constexpr bool ult(W a, W b) noexcept { return a < b; }
  static constexpr bool is(State s, State x) noexcept { return s == x; }
  static constexpr bool isnt(State s, State x) noexcept { return s != x; }
  static constexpr bool timer_is(Timer t, Timer x) noexcept { return t == x; }
  static constexpr bool has(const Segment& s, std::uint8_t f) noexcept { return s.has(f); }
  static constexpr bool verdict_is(Verdict v, Verdict x) noexcept { return v == x; }
  template <class A, class C>
  static constexpr std::common_type_t<A, C> ite(bool k, const A& a, const C& b) noexcept { return k ? a : b; }
  // ite whose else-branch f is computed only when it is taken (a term domain computes it always).
  template <class A, class F>
  static constexpr A ite_else(bool k, const A& a, F&& f) { return k ? a : static_cast<A>(f()); }
};

// The states a TCB may be left in, half-open, with no timer that would end it (RFC 9293 §3.5.2):
// ESTABLISHED, SYN-RECEIVED, CLOSE-WAIT, or an orphaned FIN-WAIT-2 without a FIN-WAIT-2 timeout.
template <class D, class S>
auto half_open_state(const D& d, const S& s) {
  return d.is(s, State::Established) || d.is(s, State::SynReceived) || d.is(s, State::CloseWait) ||
         d.is(s, State::FinWait2);
}

// A live TCB left half-open: in such a state, its peer's TCB not live, nothing in flight, after
// some fault. TCP learns of it only by sending, by keep-alives or by a FIN-WAIT-2 timeout.
template <class D>
typename D::B left_half_open(const typename D::B& quiet_state, const typename D::B& peer_live,
                             const typename D::B& in_flight, const typename D::B& faulted) {
  return faulted && !in_flight && !peer_live && quiet_state;
}

// The violation: both applications have closed, not every TCB is settled (CLOSED, or left
// half-open), and either `waited` (the ticks since they closed or a fault last occurred,
// whichever is later) is past `bound`, or nothing is pending (no segment, no timer) that could
// still end it: a world that cannot move is one where time passes with nothing happening.
template <class D>
typename D::B both_closed_overdue(const D& d, const typename D::B& apps_closed, const typename D::B& settled,
                                  const typename D::B& idle, const typename D::W& waited,
                                  const typename D::W& bound) {
  return apps_closed && !settled && (idle || d.ugt(waited, bound));
}

}  // namespace tcpclose::model
