// Complete close handshakes between two cores, evaluable at compile time. They back the
// static_asserts of tests/core/static_scenarios.cpp and `tcpclose selfcheck`.
// Rule: a scenario returns the number of its first failed expectation (0 = all held).
#pragma once

#include <array>
#include <cstddef>

#include "tcpclose/step.hpp"

namespace tcpclose::scenario {

// A FIFO of segments in one direction, fixed capacity.
struct Wire {
  std::array<Segment, 4> q{};
  std::size_t n = 0;
  constexpr void put(const Segment& s) noexcept { if (n < q.size()) q[n++] = s; }
  constexpr Segment take() noexcept {
    const Segment s = q[0];
    for (std::size_t i = 1; i < n; ++i) q[i - 1] = q[i];
    --n;
    return s;
  }
};

// Two endpoints wired back to back; each sent segment queues on the wire to the other side.
struct Pair {
  Config cfg{};
  Tcb a{}, b{};
  Wire to_b{}, to_a{};
  std::uint32_t now = 0;
  int checks = 0, failed = 0;

  constexpr void expect(bool cond) noexcept {
    ++checks;
    if (!cond && failed == 0) failed = checks;
  }
  constexpr Output on_a(const Input& in) noexcept { return apply(a, in, to_b); }
  constexpr Output on_b(const Input& in) noexcept { return apply(b, in, to_a); }
  constexpr Output apply(Tcb& t, const Input& in, Wire& out) noexcept {
    const Output o = step(t, in, cfg);
    t = o.tcb;
    if (const Segment* s = o.actions.sent()) out.put(*s);
    return o;
  }
  // Deliver the oldest segment A sent to B (and the reverse); `expect` there was one.
  constexpr Output a_to_b() noexcept {
    expect(to_b.n > 0);
    if (to_b.n == 0) return Output{};
    return on_b(Input::segment(now, to_b.take(), 2000));
  }
  constexpr Output b_to_a() noexcept {
    expect(to_a.n > 0);
    if (to_a.n == 0) return Output{};
    return on_a(Input::segment(now, to_a.take(), 1000));
  }

  // A delayed ACK (Config::delayed_ack) goes when its timer fires: time moves on to it.
  constexpr void delayed_acks() noexcept {
    if (a.armed(Timer::DelAck)) { now = a.at(Timer::DelAck); on_a(Input::timeout(now, Timer::DelAck)); }
    if (b.armed(Timer::DelAck)) { now = b.at(Timer::DelAck); on_b(Input::timeout(now, Timer::DelAck)); }
  }

  // B listens, A connects: the three-way handshake (RFC 9293 §3.5 Figure 6).
  constexpr void establish() noexcept {
    on_b(Input::listen(now));
    on_a(Input::connect(now, 1000));
    a_to_b();                     // SYN
    b_to_a();                     // SYN,ACK
    a_to_b();                     // ACK
    expect(a.state == State::Established && b.state == State::Established);
  }
};

// A closes first: A FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED after exactly time_wait;
// B CLOSE-WAIT -> LAST-ACK -> CLOSED (RFC 9293 §3.6 Figure 12, case 1).
constexpr int active_close(const Config& cfg) noexcept {
  Pair p{cfg};
  p.establish();
  p.on_a(Input::close(p.now));
  p.expect(p.a.state == State::FinWait1);
  p.a_to_b();                                   // FIN
  p.expect(p.b.state == State::CloseWait);
  p.delayed_acks();                             // linux: tcp_fin() delays this ACK
  p.b_to_a();                                   // ACK of the FIN
  p.expect(p.a.state == State::FinWait2);
  p.on_b(Input::close(p.now));
  p.expect(p.b.state == State::LastAck);
  p.b_to_a();                                   // B's FIN
  p.expect(p.a.state == State::TimeWait && p.a.at(Timer::TimeWait) == p.now + cfg.time_wait);
  p.a_to_b();                                   // the last ACK
  p.expect(p.b.state == State::Closed);
  const std::uint32_t due = p.a.at(Timer::TimeWait);
  p.expect(p.on_a(Input::timeout(due - 1, Timer::TimeWait)).tcb.state == State::TimeWait);
  p.on_a(Input::timeout(due, Timer::TimeWait));
  p.expect(p.a.state == State::Closed);
  return p.failed;
}

// B closes first, seen from B, the passive closer of the peer's view.
constexpr int passive_close(const Config& cfg) noexcept {
  Pair p{cfg};
  p.establish();
  p.on_b(Input::close(p.now));
  p.b_to_a();                                   // B's FIN
  p.expect(p.a.state == State::CloseWait && p.a.fin_rcvd);
  p.expect(p.on_a(Input::receive(p.now, 100)).result_n == 0);  // end of stream
  p.delayed_acks();
  p.a_to_b();                                   // ACK
  p.expect(p.b.state == State::FinWait2);
  p.on_a(Input::close(p.now));
  p.expect(p.a.state == State::LastAck);
  p.a_to_b();                                   // A's FIN
  p.expect(p.b.state == State::TimeWait);
  p.b_to_a();                                   // last ACK
  p.expect(p.a.state == State::Closed && !p.a.armed(Timer::Rexmit));
  return p.failed;
}

// Both close at once: the FINs cross, both pass through CLOSING into TIME-WAIT (Figure 13).
constexpr int simultaneous_close(const Config& cfg) noexcept {
  Pair p{cfg};
  p.establish();
  p.on_a(Input::close(p.now));
  p.on_b(Input::close(p.now));
  p.a_to_b();
  p.b_to_a();
  p.expect(p.a.state == State::Closing && p.b.state == State::Closing);
  p.a_to_b();
  p.b_to_a();
  p.expect(p.a.state == State::TimeWait && p.b.state == State::TimeWait);
  return p.failed;
}

// The last ACK is lost; B retransmits its FIN; A in TIME-WAIT ACKs it again and restarts
// 2MSL; the new ACK lets B close (the first reason TIME-WAIT exists).
constexpr int retransmitted_fin_in_time_wait(const Config& cfg) noexcept {
  Pair p{cfg};
  p.establish();
  p.on_a(Input::close(p.now));
  p.a_to_b();
  p.delayed_acks();
  p.b_to_a();
  p.on_b(Input::close(p.now));
  p.b_to_a();
  p.expect(p.a.state == State::TimeWait);
  p.to_b.take();                                // the last ACK is lost
  p.now = p.b.at(Timer::Rexmit);
  p.on_b(Input::timeout(p.now, Timer::Rexmit)); // B resends its FIN
  p.expect(p.to_a.n == 1 && p.to_a.q[0].has(flag::FIN));
  const Output o = p.b_to_a();
  p.expect(o.verdict == Verdict::Accepted && p.a.state == State::TimeWait);
  p.expect(p.a.at(Timer::TimeWait) == p.now + cfg.time_wait);  // restarted
  p.a_to_b();
  p.expect(p.b.state == State::Closed);
  return p.failed;
}

}  // namespace tcpclose::scenario
