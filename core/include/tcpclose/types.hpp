// The vocabulary of the core: states, segments, inputs, actions and the TCB, named as in
// RFC 9293. Rule: every type here is trivially copyable, fixed-size and has no padding, so
// the model checker can hash and compare it byte-wise.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tcpclose/seq.hpp"

namespace tcpclose {

// RFC 9293 §3.3.2, in the RFC's order.
enum class State : std::uint8_t {
  Closed, Listen, SynSent, SynReceived, Established,
  FinWait1, FinWait2, CloseWait, Closing, LastAck, TimeWait,
};
inline constexpr std::size_t kStateCount = 11;
inline constexpr std::array<State, kStateCount> kAllStates = {
    State::Closed,   State::Listen,   State::SynSent,   State::SynReceived,
    State::Established, State::FinWait1, State::FinWait2, State::CloseWait,
    State::Closing,  State::LastAck,  State::TimeWait};

// RFC 9293 §3.3.2: the states in which both sequence spaces are synchronized.
constexpr bool is_synchronized(State s) noexcept {
  switch (s) {
    case State::Closed: case State::Listen: case State::SynSent: return false;
    case State::SynReceived: case State::Established: case State::FinWait1:
    case State::FinWait2: case State::CloseWait: case State::Closing: case State::LastAck:
    case State::TimeWait: return true;
  }
  return false;
}

// Errors an application can see, spelled like errno (h11-style: a value, never an exception).
enum class Err : std::uint8_t {
  None, ConnReset, Pipe, TimedOut, ConnRefused, NotConn, IsConn, Already,
  AddrInUse, AddrNotAvail, Inval, Again, InProgress,
};

// TCP header control bits (RFC 9293 §3.1). Only those the teardown needs.
namespace flag {
inline constexpr std::uint8_t FIN = 0x01;
inline constexpr std::uint8_t SYN = 0x02;
inline constexpr std::uint8_t RST = 0x04;
inline constexpr std::uint8_t PSH = 0x08;
inline constexpr std::uint8_t ACK = 0x10;
}  // namespace flag

// SEG.LEN of RFC 9293 §3.4: payload plus one for each of SYN and FIN. A template, as the rules
// are (step.hpp Concrete): Segment::seg_len() and proofs/'s symbolic segment both call it.
template <class S>
constexpr auto segment_length(const S& s) noexcept {
  return s.len + (s.has(flag::SYN) ? 1u : 0u) + (s.has(flag::FIN) ? 1u : 0u);
}

struct Segment {
  Seq seq = 0;
  Seq ack = 0;
  std::uint32_t len = 0;     // payload bytes; SYN and FIN are not counted here
  std::uint32_t wnd = 0;     // advertised window in bytes (scaling is not modelled)
  std::uint32_t ts_val = 0;  // RFC 7323 timestamps option, valid when has_ts
  std::uint32_t ts_ecr = 0;
  std::uint8_t flags = 0;
  bool has_ts = false;
  bool sack_perm = false;    // RFC 2018 SACK-permitted (on a SYN); SACK blocks are not modelled
  std::uint8_t pad_ = 0;

  constexpr bool has(std::uint8_t f) const noexcept { return (flags & f) != 0; }
  // SEG.LEN of RFC 9293 §3.4: payload plus one for each of SYN and FIN.
  constexpr std::uint32_t seg_len() const noexcept { return segment_length(*this); }
  friend constexpr bool operator==(const Segment&, const Segment&) = default;
};

// DelAck is Config::delayed_ack's: an ACK that waits (Linux icsk_delack_timer, FreeBSD TT_DELACK).
enum class Timer : std::uint8_t { Rexmit, TimeWait, FinWait2, DelAck };
inline constexpr std::size_t kTimerCount = 4;
inline constexpr std::uint32_t kNever = 0xFFFFFFFFu;  // a disarmed timer deadline

enum class Shut : std::uint8_t { Rd, Wr, RdWr };

// What arrives at the core: an application call, a segment, or a timer expiry. Every input
// carries `now`, in abstract ticks (Config says how long a tick is).
enum class InputKind : std::uint8_t {
  Segment, Listen, Connect, Send, Receive, Shutdown, Close, Abort, Timeout,
};
inline constexpr std::size_t kInputKindCount = 9;

struct Input {
  InputKind kind = InputKind::Segment;
  Timer timer = Timer::Rexmit;  // for Timeout
  Shut how = Shut::RdWr;        // for Shutdown
  std::uint8_t pad_ = 0;
  std::uint32_t now = 0;
  std::uint32_t n = 0;          // bytes to Send, or the buffer size of Receive
  Seq iss = 0;                  // our ISN if this input opens a connection (the core has no clock)
  Segment seg{};                // for Segment

  static constexpr Input segment(std::uint32_t now, const Segment& s, Seq iss = 0) noexcept {
    Input i; i.kind = InputKind::Segment; i.now = now; i.seg = s; i.iss = iss; return i;
  }
  static constexpr Input listen(std::uint32_t now) noexcept {
    Input i; i.kind = InputKind::Listen; i.now = now; return i;
  }
  static constexpr Input connect(std::uint32_t now, Seq iss) noexcept {
    Input i; i.kind = InputKind::Connect; i.now = now; i.iss = iss; return i;
  }
  static constexpr Input send(std::uint32_t now, std::uint32_t bytes) noexcept {
    Input i; i.kind = InputKind::Send; i.now = now; i.n = bytes; return i;
  }
  static constexpr Input receive(std::uint32_t now, std::uint32_t bytes) noexcept {
    Input i; i.kind = InputKind::Receive; i.now = now; i.n = bytes; return i;
  }
  static constexpr Input shutdown(std::uint32_t now, Shut how) noexcept {
    Input i; i.kind = InputKind::Shutdown; i.now = now; i.how = how; return i;
  }
  static constexpr Input close(std::uint32_t now) noexcept {
    Input i; i.kind = InputKind::Close; i.now = now; return i;
  }
  static constexpr Input abort(std::uint32_t now) noexcept {
    Input i; i.kind = InputKind::Abort; i.now = now; return i;
  }
  static constexpr Input timeout(std::uint32_t now, Timer t) noexcept {
    Input i; i.kind = InputKind::Timeout; i.now = now; i.timer = t; return i;
  }
  friend constexpr bool operator==(const Input&, const Input&) = default;
};

// The transmission control block (RFC 9293 §3.3.1) plus the socket-level facts a teardown
// needs (shutdown flags, a pending error). Deadlines are absolute ticks or kNever.
struct Tcb {
  State state = State::Closed;
  Err so_error = Err::None;     // reported once by the next call, like SO_ERROR
  std::uint8_t retries = 0;     // consecutive retransmissions of the oldest unacked segment
  bool fin_sent = false;        // our FIN occupies fin_seq
  bool fin_acked = false;
  bool fin_rcvd = false;        // the peer's FIN has been received (RCV.NXT is past it)
  bool ts_ok = false;           // RFC 7323 timestamps negotiated on this connection
  bool orphan = false;          // the application has called close(): nobody reads any more
  bool rd_shut = false;
  bool wr_shut = false;
  bool passive = false;         // opened from LISTEN (a RST in SYN-RECEIVED returns there)
  bool was_synced = false;      // reached a synchronized state (EPIPE rather than ENOTCONN)
  // RFC 6298 round-trip estimation (Config::rtt_estimate; all zero while it is off): Karn's rule,
  // one segment timed at a time, sent at rtt_time; SRTT x 8 and RTTVAR x 4 in ticks (0: no
  // sample), 16 bits each to keep the model's states small: samples stop at kMaxRttSample.
  bool rtt_timing = false;
  bool sack_ok = false;         // the peer's SYN offered SACK (Config::tail_loss_probe only)
  bool tlp_sent = false;        // a tail loss probe is out and no later ACK has advanced SND.UNA
  // Config::delayed_ack LinuxFin only (else false): in-order data has arrived after the handshake, so
  // Linux's tcp_event_data_recv() has set the ACK timeout to TCP_ATO_MIN (a Fast Open SYN's text does not).
  bool data_rcvd = false;
  std::uint16_t srtt = 0;
  std::uint16_t rttvar = 0;
  Seq iss = 0, irs = 0;
  Seq snd_una = 0, snd_nxt = 0;
  std::uint32_t snd_wnd = 0;
  Seq rcv_nxt = 0;
  std::uint32_t rcv_wnd = 0;
  Seq fin_seq = 0;
  std::uint32_t ts_recent = 0;  // RFC 7323 §4.3 TS.Recent
  Seq last_ack_sent = 0;        // RFC 7323 §4.3 Last.ACK.sent
  std::uint32_t rcv_unread = 0; // bytes received and not yet read by the application
  std::uint32_t rtt_time = 0;
  // Config::oow_ack_interval (Linux tp->last_oow_ack_time, tw_last_oow_ack_time): the tick of the
  // last rate-limited answer plus one, 0 while there was none; always 0 while the knob is off.
  std::uint32_t oow_ack_at = 0;
  std::array<std::uint32_t, kTimerCount> deadline = {kNever, kNever, kNever, kNever};

  constexpr std::uint32_t at(Timer t) const noexcept {
    return deadline[static_cast<std::size_t>(t)];
  }
  constexpr bool armed(Timer t) const noexcept { return at(t) != kNever; }
  friend constexpr bool operator==(const Tcb&, const Tcb&) = default;
};

// The verdict on an inbound segment (None for inputs that are not segments).
enum class Verdict : std::uint8_t {
  None, Accepted, DroppedAcked, Dropped, ChallengeAcked, Reset,
};

// What an accepted segment did, for properties such as no-stale-delivery.
namespace effect {
inline constexpr std::uint8_t Data = 0x01;       // delivered payload bytes
inline constexpr std::uint8_t Fin = 0x02;        // delivered end of stream
inline constexpr std::uint8_t AckedNew = 0x04;   // moved SND.UNA
inline constexpr std::uint8_t RstAbort = 0x08;   // a RST ended the connection
inline constexpr std::uint8_t Reopened = 0x10;   // a SYN started the next incarnation from TIME-WAIT
}  // namespace effect

enum class ActionKind : std::uint8_t {
  Send,         // emit `seg`
  Readable,     // `n` more bytes can be read
  Eof,          // the peer's FIN: reads return 0 once the data is read
  Error,        // the application is told `err`
  Connected,    // the connection is established
  ArmTimer,     // `timer` fires at tick `n`
  CancelTimer,  // `timer` is disarmed
};

// No default member initializers: an Action is a plain aggregate, so the unused slots of an
// Actions list cost nothing to create. Write `Action a{}` for an all-zero one.
struct Action {
  ActionKind kind;
  Timer timer;
  Err err;
  std::uint8_t pad_;
  std::uint32_t n;  // Readable: bytes; ArmTimer: the deadline tick
  friend constexpr bool operator==(const Action&, const Action&) = default;
};

// A fixed-capacity list: the most any single step emits is 6 actions (a FIN in FIN-WAIT-1
// that acknowledges our FIN and carries data: Readable, Eof, Send, 3 timer changes). A step
// sends at most one segment; the Send action's segment is `seg`, kept once so that an
// Output stays small and cheap to return (bench/step_bench).
inline constexpr std::size_t kMaxActions = 8;
struct Actions {
  std::array<Action, kMaxActions> items;
  Segment seg;             // the segment of the Send action, when there is one
  std::uint8_t size = 0;
  bool has_seg = false;
  bool overflow = false;  // set if a step ever needed more than kMaxActions (a test asserts never)
  std::uint8_t pad_ = 0;  // explicit, so that the four bytes above start out as one store

  // Only items[0, size) and, with a Send, seg are meaningful. At run time the unused slots
  // are left unwritten (Action has no default member initializers): zeroing them cost 6% of
  // a step (bench/step_bench). seg is zeroed, 2 stores: leaving it unwritten would need a
  // union and std::construct_at to be valid C++ (clang rejects it in constant evaluation).
  constexpr Actions() noexcept {
    if (std::is_constant_evaluated()) items = {};
  }

  constexpr void push(const Action& a) noexcept {
    if (size >= kMaxActions) { overflow = true; return; }
    if (std::is_constant_evaluated() || std::endian::native != std::endian::little) {
      items[size++] = a;
      return;
    }
    // One 8-byte store of the whole action: assigned member by member, an Action took four
    // stores and a constant load (bench/step_bench).
    const std::uint64_t bits = std::uint64_t{static_cast<std::uint8_t>(a.kind)} |
                               std::uint64_t{static_cast<std::uint8_t>(a.timer)} << 8 |
                               std::uint64_t{static_cast<std::uint8_t>(a.err)} << 16 |
                               std::uint64_t{a.pad_} << 24 | std::uint64_t{a.n} << 32;
    __builtin_memcpy(&items[size++], &bits, sizeof bits);
  }
  // Push a Send of `s` and return the copy kept in `seg`.
  constexpr Segment& push_send(const Segment& s) noexcept {
    if (has_seg) overflow = true;  // two segments in one step: never by design
    has_seg = true;
    seg = s;
    push(Action{ActionKind::Send, Timer::Rexmit, Err::None, 0, 0});
    return seg;
  }
  constexpr const Action* begin() const noexcept { return items.data(); }
  constexpr const Action* end() const noexcept { return items.data() + size; }
  constexpr bool empty() const noexcept { return size == 0; }
  constexpr bool has(ActionKind k) const noexcept {
    for (const Action& a : *this)
      if (a.kind == k) return true;
    return false;
  }
  // The one segment this step sends, if any.
  constexpr const Segment* sent() const noexcept { return has_seg ? &seg : nullptr; }

  // Equal when the meaningful parts are: the unused slots are never compared.
  friend constexpr bool operator==(const Actions& a, const Actions& b) noexcept {
    if (a.size != b.size || a.has_seg != b.has_seg || a.overflow != b.overflow) return false;
    if (a.has_seg && !(a.seg == b.seg)) return false;
    for (std::size_t i = 0; i < a.size; ++i)
      if (!(a.items[i] == b.items[i])) return false;
    return true;
  }
};

struct Output {
  Tcb tcb{};
  Actions actions{};
  Verdict verdict = Verdict::None;
  std::uint8_t effects = 0;      // effect:: bits
  Err result = Err::None;        // an application call's error, as a socket call returns it
  std::uint8_t pad_ = 0;         // explicit, like Actions::pad_
  std::uint32_t result_n = 0;    // bytes written or read by Send / Receive
  friend constexpr bool operator==(const Output&, const Output&) = default;
};

static_assert(sizeof(Action) == 8 && offsetof(Action, timer) == 1 && offsetof(Action, err) == 2 &&
              offsetof(Action, pad_) == 3 && offsetof(Action, n) == 4,
              "Actions::push packs an Action into one 64-bit word in this layout");
static_assert(std::is_trivially_copyable_v<Tcb>);
static_assert(std::is_trivially_copyable_v<Segment>);
static_assert(std::has_unique_object_representations_v<Tcb>, "Tcb must have no padding");
static_assert(std::has_unique_object_representations_v<Segment>, "Segment must have no padding");

}  // namespace tcpclose
