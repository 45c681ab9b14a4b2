// Test fixtures for the core: TCBs built directly in each state (smoltcp's socket_fin_wait_2()),
// segment builders, and helpers that look into an Output.
// Rule: fixtures only build values from classes::canonical_tcb and plain fields; they never call
// step(), so a test of a state does not depend on the path into it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

namespace tcpclose {
// GoogleTest prints these by name ("FIN-WAIT-2", "ECONNRESET") when an expectation fails.
inline void PrintTo(State s, std::ostream* os) { *os << name(s); }
inline void PrintTo(Err e, std::ostream* os) { *os << name(e); }
inline void PrintTo(Verdict v, std::ostream* os) { *os << name(v); }
inline void PrintTo(Timer t, std::ostream* os) { *os << name(t); }
inline void PrintTo(const Segment& s, std::ostream* os) {
  *os << flag_text(s.flags).text << " seq=" << s.seq << " ack=" << s.ack << " len=" << s.len;
}
}  // namespace tcpclose

namespace tcpclose::test {

// The canonical numbers: our ISS 1000, the peer's IRS 5000 (see classes.hpp).
inline constexpr Seq kIss = classes::kIss;
inline constexpr Seq kIrs = classes::kIrs;
inline constexpr std::uint32_t kTsRecent = classes::kTsRecent;

// ----- TCBs in a state ---------------------------------------------------------------------

inline Tcb tcb_in(State s, const Config& c = reference_config()) { return classes::canonical_tcb(s, c); }
inline Tcb tcb_closed(const Config& c = reference_config()) { return tcb_in(State::Closed, c); }
inline Tcb tcb_listen(const Config& c = reference_config()) { return tcb_in(State::Listen, c); }
inline Tcb tcb_syn_sent(const Config& c = reference_config()) { return tcb_in(State::SynSent, c); }
inline Tcb tcb_syn_received(const Config& c = reference_config()) { return tcb_in(State::SynReceived, c); }
inline Tcb tcb_established(const Config& c = reference_config()) { return tcb_in(State::Established, c); }
// The closing states reached by close(): orphaned, both halves shut.
inline Tcb tcb_fin_wait_1(const Config& c = reference_config()) { return tcb_in(State::FinWait1, c); }
inline Tcb tcb_fin_wait_2(const Config& c = reference_config()) { return tcb_in(State::FinWait2, c); }
inline Tcb tcb_close_wait(const Config& c = reference_config()) { return tcb_in(State::CloseWait, c); }
inline Tcb tcb_closing(const Config& c = reference_config()) { return tcb_in(State::Closing, c); }
inline Tcb tcb_last_ack(const Config& c = reference_config()) { return tcb_in(State::LastAck, c); }
inline Tcb tcb_time_wait(const Config& c = reference_config()) { return tcb_in(State::TimeWait, c); }

// A closing state reached by shutdown(SHUT_WR) instead of close(): the application still holds
// the socket, reads still work, and errors are reported to it.
inline Tcb half_closed(Tcb t) {
  t.orphan = false;
  t.rd_shut = false;
  return t;
}

// ----- segments ----------------------------------------------------------------------------

inline Segment seg(std::uint8_t flags, Seq seq, Seq ack = 0, std::uint32_t len = 0) {
  Segment s;
  s.flags = flags;
  s.seq = seq;
  s.ack = (flags & flag::ACK) != 0 ? ack : 0;
  s.len = len;
  s.wnd = 65535;
  return s;
}
inline Segment seg_ack(Seq seq, Seq ack) { return seg(flag::ACK, seq, ack); }
inline Segment seg_fin(Seq seq, Seq ack) { return seg(flag::FIN | flag::ACK, seq, ack); }
inline Segment seg_data(Seq seq, Seq ack, std::uint32_t len) {
  return seg(flag::PSH | flag::ACK, seq, ack, len);
}
inline Segment seg_rst(Seq seq) { return seg(flag::RST, seq); }
inline Segment seg_rst_ack(Seq seq, Seq ack) { return seg(flag::RST | flag::ACK, seq, ack); }
inline Segment seg_syn(Seq seq) { return seg(flag::SYN, seq); }
inline Segment seg_syn_ack(Seq seq, Seq ack) { return seg(flag::SYN | flag::ACK, seq, ack); }
inline Segment with_ts(Segment s, std::uint32_t ts_val, std::uint32_t ts_ecr = 0) {
  s.has_ts = true;
  s.ts_val = ts_val;
  s.ts_ecr = ts_ecr;
  return s;
}

// One step with a segment arriving at `now` (and `iss` offered, for SYNs that may open).
inline Output deliver(const Tcb& t, const Segment& s, const Config& c = reference_config(),
                      std::uint32_t now = 0, Seq iss = classes::kNewIss) {
  return step(t, Input::segment(now, s, iss), c);
}

// ----- looking at an Output ----------------------------------------------------------------

inline std::optional<Segment> sent_segment(const Output& o) {
  if (const Segment* s = o.actions.sent()) return *s;
  return std::nullopt;
}
inline bool has_action(const Output& o, ActionKind k) { return o.actions.has(k); }
inline std::size_t count_actions(const Output& o, ActionKind k) {
  std::size_t n = 0;
  for (const Action& a : o.actions)
    if (a.kind == k) ++n;
  return n;
}
inline std::optional<Action> find_action(const Output& o, ActionKind k) {
  for (const Action& a : o.actions)
    if (a.kind == k) return a;
  return std::nullopt;
}
// The tick at which `tm` was armed by this step, if it was.
inline std::optional<std::uint32_t> armed_at(const Output& o, Timer tm) {
  for (const Action& a : o.actions)
    if (a.kind == ActionKind::ArmTimer && a.timer == tm) return a.n;
  return std::nullopt;
}
inline bool cancelled(const Output& o, Timer tm) {
  for (const Action& a : o.actions)
    if (a.kind == ActionKind::CancelTimer && a.timer == tm) return true;
  return false;
}
inline std::optional<Err> error_told(const Output& o) {
  if (auto a = find_action(o, ActionKind::Error)) return a->err;
  return std::nullopt;
}

// EXPECT_TRUE(sends(out, flag::ACK, 1002, 5002)): the step sent exactly this segment.
inline ::testing::AssertionResult sends(const Output& o, std::uint8_t flags, Seq seq, Seq ack,
                                        std::uint32_t len = 0) {
  const std::optional<Segment> s = sent_segment(o);
  if (!s) return ::testing::AssertionFailure() << "no segment was sent";
  if (s->flags != flags || s->seq != seq || s->ack != ack || s->len != len)
    return ::testing::AssertionFailure()
           << "sent " << flag_text(s->flags).text << " seq=" << s->seq << " ack=" << s->ack
           << " len=" << s->len << ", expected " << flag_text(flags).text << " seq=" << seq
           << " ack=" << ack << " len=" << len;
  return ::testing::AssertionSuccess();
}
inline ::testing::AssertionResult sends_nothing(const Output& o) {
  const std::optional<Segment> s = sent_segment(o);
  if (!s) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "sent " << flag_text(s->flags).text << " seq=" << s->seq
                                       << " ack=" << s->ack << " len=" << s->len;
}

}  // namespace tcpclose::test
