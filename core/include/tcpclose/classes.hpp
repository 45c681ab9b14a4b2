// Canonical TCBs for each state and the input classes that `tcpclose table` enumerates.
// Rule: the table, the tests and the SMT cross-check all draw (state, input) pairs from here,
// so "every (state, input class)" means the same set everywhere.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "tcpclose/config.hpp"
#include "tcpclose/types.hpp"

namespace tcpclose::classes {

// Our ISS, the peer's ISS, the tick at which inputs arrive, TS.Recent of synchronized TCBs.
inline constexpr Seq kIss = 1000;
inline constexpr Seq kIrs = 5000;
inline constexpr std::uint32_t kNow = 10;
inline constexpr std::uint32_t kTsRecent = 100;
inline constexpr Seq kNewIss = 3000;  // ISS offered with an input that may open a connection

// A TCB as it stands after the usual path into `s`: ISS 1000, IRS 5000, nothing unacked but
// the FIN (where one is outstanding), the closing states reached by close() (orphaned),
// timers armed as step() would have armed them at tick 0.
constexpr Tcb canonical_tcb(State s, const Config& c) noexcept {
  Tcb t;
  t.state = s;
  t.rcv_wnd = c.rcv_wnd;
  if (s == State::Closed) return t;
  if (s == State::Listen) return t;
  t.iss = kIss; t.snd_una = kIss; t.snd_nxt = kIss + 1;
  if (s == State::SynSent) { t.deadline[0] = c.rto; return t; }
  t.irs = kIrs; t.rcv_nxt = kIrs + 1; t.snd_wnd = 65535;
  t.ts_ok = c.timestamps; t.ts_recent = t.ts_ok ? kTsRecent : 0; t.last_ack_sent = t.rcv_nxt;
  if (s == State::SynReceived) { t.passive = true; t.deadline[0] = c.rto; return t; }
  t.snd_una = kIss + 1;
  t.was_synced = true;
  const bool we_closed = s == State::FinWait1 || s == State::FinWait2 || s == State::Closing ||
                         s == State::LastAck || s == State::TimeWait;
  const bool they_closed = s == State::CloseWait || s == State::Closing ||
                           s == State::LastAck || s == State::TimeWait;
  if (we_closed) {
    t.fin_sent = true; t.fin_seq = kIss + 1; t.snd_nxt = kIss + 2;
    t.orphan = true; t.rd_shut = true; t.wr_shut = true;
    t.fin_acked = s == State::FinWait2 || s == State::TimeWait;
    if (t.fin_acked) t.snd_una = t.snd_nxt;
    else t.deadline[0] = c.rto;
  }
  if (they_closed) { t.fin_rcvd = true; t.rcv_nxt = kIrs + 2; t.last_ack_sent = t.rcv_nxt; }
  if (s == State::TimeWait) t.deadline[1] = c.time_wait;
  if (s == State::FinWait2 && c.fin_wait2 == FinWait2Timeout::OrphanOnly)
    t.deadline[2] = c.fin_wait2_timeout;
  return t;
}

// Where a segment's sequence number falls relative to [RCV.NXT, RCV.NXT + RCV.WND).
enum class SeqPos : std::uint8_t { Below, At, Inside, Beyond };
// Where its acknowledgment falls relative to the valid range (SND.UNA, SND.NXT].
enum class AckPos : std::uint8_t { Below, At, Beyond };

inline constexpr std::array<std::uint8_t, 6> kAckFlagSets = {
    flag::ACK, flag::FIN | flag::ACK, flag::PSH | flag::ACK, flag::FIN | flag::PSH | flag::ACK,
    flag::SYN | flag::ACK, flag::RST | flag::ACK};
inline constexpr std::array<std::uint8_t, 3> kBareFlagSets = {flag::SYN, flag::RST, flag::FIN};

enum class CallOrTimer : std::uint8_t {
  PawsOld,  // an ACK at RCV.NXT whose TSval is older than TS.Recent
  Listen, Connect, Send, Receive, ShutRd, ShutWr, ShutRdWr, Close, Abort,
  TimerRexmit, Timer2Msl, TimerFinWait2,
};

// One input class: either a segment (flags, seq position, ack position) or another input.
struct InputClass {
  bool is_segment = true;
  std::uint8_t flags = 0;
  SeqPos seq = SeqPos::At;
  AckPos ack = AckPos::At;
  CallOrTimer other = CallOrTimer::Listen;
};

inline constexpr std::size_t kSegmentClasses = kAckFlagSets.size() * 4 * 3 + kBareFlagSets.size() * 4;
inline constexpr std::size_t kOtherClasses = 13;
inline constexpr std::size_t kClassCount = kSegmentClasses + kOtherClasses;

constexpr std::array<InputClass, kClassCount> all_classes() noexcept {
  std::array<InputClass, kClassCount> out{};
  std::size_t i = 0;
  for (std::uint8_t f : kAckFlagSets)
    for (std::uint8_t sp = 0; sp < 4; ++sp)
      for (std::uint8_t ap = 0; ap < 3; ++ap)
        out[i++] = InputClass{true, f, static_cast<SeqPos>(sp), static_cast<AckPos>(ap), {}};
  for (std::uint8_t f : kBareFlagSets)
    for (std::uint8_t sp = 0; sp < 4; ++sp)
      out[i++] = InputClass{true, f, static_cast<SeqPos>(sp), AckPos::At, {}};
  for (std::uint8_t k = 0; k < kOtherClasses; ++k)
    out[i++] = InputClass{false, 0, SeqPos::At, AckPos::At, static_cast<CallOrTimer>(k)};
  return out;
}

inline constexpr std::uint32_t kPayload = 100;  // bytes carried by a data segment or a send()

// The concrete input for a class against a TCB. Segments carry a fresh timestamp (TSval
// TS.Recent + 1) when the TCB uses timestamps, so only PawsOld exercises PAWS.
constexpr Input make_input(const InputClass& k, const Tcb& t) noexcept {
  if (!k.is_segment) {
    switch (k.other) {
      case CallOrTimer::PawsOld: {
        Segment s; s.flags = flag::ACK; s.seq = t.rcv_nxt; s.ack = t.snd_nxt; s.wnd = 65535;
        s.has_ts = true; s.ts_val = t.ts_recent - 1; s.ts_ecr = 0;
        return Input::segment(kNow, s, kNewIss);
      }
      case CallOrTimer::Listen: return Input::listen(kNow);
      case CallOrTimer::Connect: return Input::connect(kNow, kNewIss);
      case CallOrTimer::Send: return Input::send(kNow, kPayload);
      case CallOrTimer::Receive: return Input::receive(kNow, kPayload);
      case CallOrTimer::ShutRd: return Input::shutdown(kNow, Shut::Rd);
      case CallOrTimer::ShutWr: return Input::shutdown(kNow, Shut::Wr);
      case CallOrTimer::ShutRdWr: return Input::shutdown(kNow, Shut::RdWr);
      case CallOrTimer::Close: return Input::close(kNow);
      case CallOrTimer::Abort: return Input::abort(kNow);
      case CallOrTimer::TimerRexmit: case CallOrTimer::Timer2Msl: case CallOrTimer::TimerFinWait2: {
        const Timer tm = k.other == CallOrTimer::TimerRexmit ? Timer::Rexmit
                         : k.other == CallOrTimer::Timer2Msl ? Timer::TimeWait : Timer::FinWait2;
        return Input::timeout(t.armed(tm) ? t.at(tm) : kNow, tm);
      }
    }
  }
  Segment s;
  s.flags = k.flags;
  s.wnd = 65535;
  s.len = (k.flags & flag::PSH) != 0 ? kPayload : 0;
  const Seq base = t.state == State::Listen || t.state == State::Closed || t.state == State::SynSent
                       ? kIrs : t.rcv_nxt;
  const std::uint32_t wnd = t.rcv_wnd == 0 ? 1 : t.rcv_wnd;
  switch (k.seq) {
    case SeqPos::Below: s.seq = base - 1; break;
    case SeqPos::At: s.seq = base; break;
    case SeqPos::Inside: s.seq = base + wnd / 2; break;
    case SeqPos::Beyond: s.seq = base + wnd; break;
  }
  const Seq nxt = t.state == State::Closed || t.state == State::Listen ? kIss + 1 : t.snd_nxt;
  const Seq una = t.state == State::Closed || t.state == State::Listen ? kIss : t.snd_una;
  switch (k.ack) {
    case AckPos::Below: s.ack = una - 1; break;
    case AckPos::At: s.ack = nxt; break;
    case AckPos::Beyond: s.ack = nxt + 1; break;
  }
  if ((k.flags & flag::ACK) == 0) s.ack = 0;
  if (t.ts_ok) { s.has_ts = true; s.ts_val = t.ts_recent + 1; s.ts_ecr = kNow; }
  return Input::segment(kNow, s, kNewIss);
}

constexpr const char* name(SeqPos p) noexcept {
  switch (p) {
    case SeqPos::Below: return "seq<wnd";
    case SeqPos::At: return "seq=nxt";
    case SeqPos::Inside: return "seq in wnd";
    case SeqPos::Beyond: return "seq>wnd";
  }
  return "?";
}
constexpr const char* name(AckPos p) noexcept {
  switch (p) {
    case AckPos::Below: return "ack<una";
    case AckPos::At: return "ack=nxt";
    case AckPos::Beyond: return "ack>nxt";
  }
  return "?";
}
constexpr const char* name(CallOrTimer k) noexcept {
  switch (k) {
    case CallOrTimer::PawsOld: return ". seq=nxt ack=nxt TSval<TS.Recent";
    case CallOrTimer::Listen: return "listen()";
    case CallOrTimer::Connect: return "connect()";
    case CallOrTimer::Send: return "send(100)";
    case CallOrTimer::Receive: return "recv(100)";
    case CallOrTimer::ShutRd: return "shutdown(SHUT_RD)";
    case CallOrTimer::ShutWr: return "shutdown(SHUT_WR)";
    case CallOrTimer::ShutRdWr: return "shutdown(SHUT_RDWR)";
    case CallOrTimer::Close: return "close()";
    case CallOrTimer::Abort: return "abort (SO_LINGER 0)";
    case CallOrTimer::TimerRexmit: return "timeout rexmit";
    case CallOrTimer::Timer2Msl: return "timeout 2msl";
    case CallOrTimer::TimerFinWait2: return "timeout fin-wait-2";
  }
  return "?";
}

}  // namespace tcpclose::classes
