// Successor generation: every move the world can make from a WorldState, in a fixed order, each
// applied through the real core step(). Rule: a move is named by its ordinal in this order,
// so a counterexample is a list of ordinals that replays exactly (STYLE.md principles 8, 9).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

#include "tcpclose/model/world.hpp"

namespace tcpclose::model {

enum class MoveKind : std::uint8_t { Timer, App, Deliver, Lose, Dup, Tick };

// Everything one transition did, for the properties and the human trace.
struct Transition {
  MoveKind kind = MoveKind::Tick;
  std::uint8_t host = 0xFF;      // whose core ran (0 = A, 1 = B), 0xFF for none
  std::uint8_t pkt_index = 0;
  std::uint8_t choice = 0;       // which ISN of the adversarial set
  Op op = Op::End;               // App: the operation
  Timer timer = Timer::Rexmit;   // Timer: which
  bool ran_core = false;
  bool spawned = false;          // a listener created a TCB from a SYN
  bool overflow = false;         // a sent segment found its direction full and was dropped
  bool unique_violation = false; // the host would have needed a second TCB for the 4-tuple
  bool stream_violation = false; // an application read more, or less, than its peer wrote
  bool pruned = false;           // the move would overflow the network beyond the loss budget
  std::uint8_t settled = 0;      // hosts whose local application steps ran after the move
  std::uint8_t died = 0;         // Tick: segments that reached MSL and died
  std::uint8_t tcb_inc = 0;      // incarnation of the TCB the core ran on, before the step
  std::uint8_t tw_age = 0;       // that host's ghost TIME-WAIT age before the step
  Pkt pkt{};                     // Deliver / Lose / Dup: the segment
  Tcb before{};
  Input input{};
  Output out{};
};

// Ordinary segments arrive at most this many ticks after they are sent.
inline constexpr std::uint8_t kNormalDelay = 1;

namespace detail {

constexpr bool live(const Tcb& t) noexcept {
  return t.state != State::Closed && t.state != State::Listen;
}

// The canonical order of segments: byte-wise, as memcmp would order them, but inline. The
// two 8-byte halves, read big-endian, compare as their bytes do.
inline bool pkt_less(const Pkt& a, const Pkt& b) noexcept {
  static_assert(sizeof(Pkt) == 16 && std::endian::native == std::endian::little);
  std::uint64_t x[2], y[2];
  std::memcpy(x, &a, 16);
  std::memcpy(y, &b, 16);
  const std::uint64_t x0 = __builtin_bswap64(x[0]), y0 = __builtin_bswap64(y[0]);
  if (x0 != y0) return x0 < y0;
  return __builtin_bswap64(x[1]) < __builtin_bswap64(y[1]);
}

inline std::size_t count_dir(const WorldState& s, bool to_b) noexcept {
  std::size_t k = 0;
  for (std::size_t i = 0; i < s.n; ++i) k += s.net[i].to_b == (to_b ? 1 : 0);
  return k;
}

inline void insert_pkt(WorldState& s, const Pkt& p) noexcept {
  std::size_t i = s.n;
  while (i > 0 && pkt_less(p, s.net[i - 1])) { s.net[i] = s.net[i - 1]; --i; }
  s.net[i] = p;
  ++s.n;
}

inline void remove_pkt(WorldState& s, std::size_t i) noexcept {
  for (std::size_t j = i + 1; j < s.n; ++j) s.net[j - 1] = s.net[j];
  --s.n;
  s.net[s.n] = Pkt{};
}

// A segment is lost (dropped, overflowed, or dead at MSL): it spends the loss budget, and
// anything but a pure ACK or a FIN is a fault beyond what reliable-termination assumes.
inline void count_loss(WorldState& s, const Pkt& p) noexcept {
  ++s.losses;
  s.faults |= fault::Any;
  const bool ack_or_fin = (p.flags & (flag::SYN | flag::RST)) == 0 && (p.len == 0 || (p.flags & flag::FIN));
  if (!ack_or_fin) s.faults |= fault::Other;
  if (p.flags & flag::RST) s.faults |= fault::RstLost;
}

inline Segment to_segment(const World& w, const Pkt& p) noexcept {
  Segment g;
  g.seq = p.seq; g.ack = p.ack; g.len = p.len; g.flags = p.flags;
  g.wnd = p.wnd_full ? w.cfg.rcv_wnd : 0;
  g.has_ts = p.has_ts != 0;
  g.ts_val = pkt_ts_val(p, w.ts_steps);  // TSecr stays 0: the core never reads it
  return g;
}

// Forget what a CLOSED TCB can no longer use: the core reads only these fields in CLOSED,
// so two closed TCBs that agree on them behave identically (a sound reduction).
inline void canonical_closed(Tcb& t) noexcept {
  if (t.state == State::Listen) t.state = State::Closed;  // a passive open that returned to LISTEN
  if (t.state != State::Closed) return;
  Tcb c;
  c.state = State::Closed;
  c.so_error = t.so_error; c.orphan = t.orphan; c.rd_shut = t.rd_shut; c.wr_shut = t.wr_shut;
  c.was_synced = t.was_synced; c.fin_rcvd = t.fin_rcvd; c.rcv_unread = t.rcv_unread;
  t = c;
}

// The finer TSval clock (World::ts_steps > 1) keeps only the order of one clock's values: the
// core compares a TSval only with TS.Recent, which holds a TSval of the same clock (the peer's),
// as serial numbers, and nothing else reads them. So within each tick, the steps of a clock in
// use (its segments in flight, the peer's TS.Recent, the clock's next step) are renumbered 0, 1,
// ... in their order, equal ones equal, and a TS.Recent past its cap (older than any segment in
// flight, world.hpp) is set to the cap. A sound reduction, as canonical_closed: every comparison
// comes out as before, now and after any later move. The ranks stay below in_flight + 3, so a
// clock of kFineTsSteps steps never has to share its last one.
static_assert(kMaxInFlight + 3 <= kFineTsSteps, "a fine clock's ranks fit its steps");

inline void canonical_ts(const World& w, WorldState& s) noexcept {
  const auto steps = static_cast<std::int32_t>(w.ts_steps), cap = static_cast<std::int32_t>(ts_age_cap(w.cfg));
  constexpr std::uint8_t kRecent = 0xFE, kClock = 0xFF;
  bool resort = false;
  for (std::uint8_t x = 0; x < 2; ++x) {
    std::array<std::int32_t, kMaxPkts + 2> age{}, step{};
    std::array<std::uint8_t, kMaxPkts + 2> at{};  // a segment's index, kRecent or kClock
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.n; ++i)
      if (s.net[i].has_ts && s.net[i].has_ts <= w.ts_steps && (s.net[i].to_b != 0) == (x == 0)) {
        age[n] = s.net[i].age; step[n] = s.net[i].has_ts - 1; at[n++] = static_cast<std::uint8_t>(i);
      }
    Tcb& peer = s.h[1 - x].tcb;
    if (peer.ts_ok) {  // ts_recent = -age * steps + step, 0 <= step < steps
      const auto v = static_cast<std::int32_t>(peer.ts_recent);
      const std::int32_t a = (steps - 1 - v) / steps;
      const bool capped = -v >= cap * steps;
      age[n] = capped ? cap : a; step[n] = capped ? 0 : v + a * steps; at[n++] = kRecent;
    }
    age[n] = 0; step[n] = s.h[x].ts_step; at[n++] = kClock;
    for (std::size_t k = 0; k < n; ++k) {
      std::int32_t rank = 0;  // the distinct steps below step[k] in its tick
      for (std::size_t m = 0; m < n; ++m) {
        bool first = age[m] == age[k] && step[m] < step[k];
        for (std::size_t e = 0; first && e < m; ++e) first = !(age[e] == age[m] && step[e] == step[m]);
        rank += first;
      }
      if (at[k] == kClock) {
        s.h[x].ts_step = static_cast<std::uint8_t>(rank);
      } else if (at[k] == kRecent) {
        peer.ts_recent = static_cast<std::uint32_t>(rank - age[k] * steps);
      } else {
        Pkt& p = s.net[at[k]];
        resort = resort || p.has_ts != rank + 1;
        p.has_ts = static_cast<std::uint8_t>(rank + 1);
      }
    }
  }
  if (!resort) return;
  for (std::size_t i = 1; i < s.n; ++i)  // insertion sort: the canonical order again
    for (std::size_t k = i; k > 0 && pkt_less(s.net[k], s.net[k - 1]); --k) std::swap(s.net[k], s.net[k - 1]);
}

inline Tcb fresh_listener(const Config& c) noexcept {
  Tcb t;
  t.state = State::Listen;
  t.rcv_wnd = c.rcv_wnd;
  return t;
}

// The ISS for a new connection of `host`, from the host's last ISS (the first one is base).
// An ISN generator never repeats or goes back (RFC 9293 §3.4.1 clock, RFC 6528), but the
// adversary may advance it by just 1, so the new sequence space overlaps the old one and the
// peer's old segments land in the new window; or by 2^30. Clock: by 2^24.
inline Seq pick_isn(const World& w, const HostState& h, std::uint8_t host, std::uint8_t choice) noexcept {
  const Seq base = w.isn_base[host];
  if (h.last_iss == 0) return choice == 0 || w.isn == IsnPolicy::Clock ? base : base + 0x40000000u;
  if (w.isn == IsnPolicy::Clock) return h.last_iss + 0x01000000u;
  return choice == 0 ? h.last_iss + 1 : h.last_iss + 0x40000000u;
}
inline std::uint8_t isn_choices(const World& w) noexcept { return w.isn == IsnPolicy::Clock ? 1 : 2; }

// The 4-tuple bindings of a host, rebuilt from its state, with the core's rules (ports.hpp).
// Its binds name the host's own port, never port 0: Config::ports_exhausted cannot matter here.
inline BindTable<4> bindings(const World& w, const HostState& h, std::uint8_t host) {
  BindTable<4> t;
  const Endpoint me{w.addr[host], w.port[host], 0};
  const Endpoint peer{w.addr[1 - host], w.port[1 - host], 0};
  if (live(h.tcb)) t.slots[0] = Binding{Use::Connection, h.tcb.state, true, 0, FourTuple{me, peer}};
  if (h.listening) t.slots[1] = Binding{Use::Listening, State::Listen, true, 0, FourTuple{me, Endpoint{}}};
  return t;
}

// Whether the application's Listen or Connect can go ahead now, with SO_REUSEADDR set or not
// (false: it waits, as on EADDRINUSE or EADDRNOTAVAIL). The move's result does not depend on
// the flag otherwise: the flag is not part of the state.
inline bool listen_can_proceed(const World& w, const HostState& h, std::uint8_t host, bool reuse) {
  BindTable<4> t = bindings(w, h, host);
  const BindResult b = t.bind(Endpoint{w.addr[host], w.port[host], 0}, reuse);
  return b.err == Err::None && t.listen(b.slot) == Err::None;
}
// World::tw_reuse: whether this host's Connect takes over its TIME-WAIT now (Linux tcp_twsk_unique:
// the delay has passed, unless the port was bound first). Linux also needs the old connection to
// have had timestamps ("if (tcptw->tw_ts_recent_stamp && ..."): with timestamps on the TIME-WAIT
// must have them; with them off the knob assumes they were in use and no TSval is checked, on
// either incarnation (docs/model.md). Linux copies the TIME-WAIT's TS.Recent into the new socket
// (tp->rx_opt.ts_recent = tcptw->tw_ts_recent), where only a SYN without ACK in SYN-SENT is checked
// against it (tcp_rcv_synsent_state_process) and the SYN,ACK replaces it. The core makes no PAWS
// check in SYN-SENT and its SYN,ACK sets TS.Recent anew, so the copy could decide nothing: the
// model does not keep it.
inline bool tw_takeover(const World& w, const HostState& h) noexcept {
  if (w.tw_reuse == TwReuse::Off || h.tcb.state != State::TimeWait) return false;
  if (w.cfg.timestamps && !h.tcb.ts_ok) return false;
  return w.tw_reuse == TwReuse::Bound || h.tw_age >= w.tw_reuse_delay;
}

inline bool connect_can_proceed(const World& w, const HostState& h, const HostState& peer, std::uint8_t host,
                                bool reuse) {
  if (w.server_first && !peer.listening) return false;  // the server is up first
  if (tw_takeover(w, h)) return true;                    // check_established() passes the TIME-WAIT
  BindTable<4> t = bindings(w, h, host);
  const BindResult b = t.bind(Endpoint{w.addr[host], w.port[host], 0}, reuse);
  if (b.err != Err::None) return false;  // EADDRINUSE: wait until TIME-WAIT is over
  return t.connect(b.slot, Endpoint{w.addr[1 - host], w.port[1 - host], 0}) == Err::None;  // else EADDRNOTAVAIL
}

// The application's ReadEof waits: it holds a connection with nothing to read and no end of
// stream or error to report yet.
inline bool read_would_block(const HostState& h) noexcept {
  const Tcb& t = h.tcb;
  const bool done = t.fin_rcvd || t.so_error != Err::None || t.state == State::Closed || t.rd_shut;
  return (h.flags & ghost::Owned) && t.rcv_unread == 0 && !done;
}

class Mover {
 public:
  Mover(const World& w, const WorldState& s, WorldState& next, Transition& tr) : w_(w), s_(s), n_(next), tr_(tr) {}

  // Run the core of `host` on `in` and fold its effects into the next state. A RST built from
  // an incoming segment (verdict Reset), or anything sent by a TCB that was not live, answers
  // that segment and belongs to its incarnation `reply_inc`.
  void run(std::uint8_t host, const Input& in, std::uint8_t reply_inc = 0) {
    HostState& h = n_.h[host];
    tr_.host = host;
    tr_.ran_core = true;
    tr_.before = h.tcb;
    tr_.tcb_inc = h.inc;
    tr_.tw_age = h.tw_age;
    tr_.input = in;
    // Built in place (guaranteed elision): assigning the 172-byte Output copied it once more.
    std::construct_at(&tr_.out, step(h.tcb, in, w_.cfg));
    const Output& o = tr_.out;
    h.tcb = o.tcb;
    if (o.tcb.state == State::TimeWait) {
      // The ghost restarts where RFC 9293 says 2MSL restarts: a FIN that TIME-WAIT processes,
      // i.e. the retransmission at RCV.NXT - 1 or an acceptable one (eighth check). It reads
      // the segment and the TCB before the step, never the timer the core armed.
      const Segment& g = in.seg;
      const Tcb& b = tr_.before;
      const bool fin_processed =
          in.kind == InputKind::Segment && g.has(flag::FIN) && !g.has(flag::RST) &&
          b.state == State::TimeWait &&
          (g.seq + g.seg_len() == b.rcv_nxt || segment_acceptable(g.seq, g.seg_len(), b.rcv_nxt, b.rcv_wnd));
      if (b.state != State::TimeWait || fin_processed) h.tw_age = 0;
    } else {
      h.tw_age = 0;
    }
    if (o.tcb.state == State::CloseWait) h.flags |= ghost::Passive;
    for (const Action& a : o.actions) {
      if (a.kind == ActionKind::Error) h.flags |= ghost::Error;
      if (a.kind == ActionKind::Readable && (h.flags & ghost::Eof) && (h.flags & ghost::Owned))
        tr_.stream_violation = true;  // data after the end of stream
    }
    if (o.effects & effect::Reopened) {  // TIME-WAIT reopened: the SYN's incarnation begins
      h.inc = reply_inc;
      h.flags &= static_cast<std::uint8_t>(~(ghost::Passive | ghost::Owned));
      h.last_iss = o.tcb.iss;
    }
    if (const Segment* seg = o.actions.sent()) {
      const bool reply = o.verdict == Verdict::Reset || !(live(tr_.before) || tr_.spawned || live(o.tcb));
      send(host, *seg, reply && in.kind == InputKind::Segment ? reply_inc : h.inc);
    }
    canonical_closed(h.tcb);
  }

  void send(std::uint8_t from, const Segment& seg, std::uint8_t inc) {
    const bool to_b = from == 0;
    Pkt p;
    p.seq = seg.seq; p.ack = seg.ack; p.len = static_cast<std::uint8_t>(seg.len);
    // The core stamps TSval = now = 0 (the model's relative time); anything else, or a length
    // that does not fit, is marked for the packed encoding to refuse. With a finer clock the
    // segment takes the host's step within the tick, and the clock moves on a step (world.hpp).
    const bool fits = seg.len <= 0xFF && (!seg.has_ts || seg.ts_val == 0);
    std::uint8_t stamp = seg.has_ts ? 1 : 0;
    if (seg.has_ts && w_.ts_steps > 1) {
      std::uint8_t& step = n_.h[from].ts_step;
      stamp = static_cast<std::uint8_t>(1 + step);
      if (step + 1 < w_.ts_steps) ++step;
    }
    p.has_ts = fits ? stamp : kPktOutOfBounds;
    p.flags = seg.flags; p.inc = inc; p.to_b = to_b ? 1 : 0; p.wnd_full = seg.wnd != 0;
    if (count_dir(n_, to_b) >= w_.in_flight) {
      // The direction is full: the segment is lost, within the loss budget; beyond it the
      // move is not explored (the bound --in-flight is a constraint on the environment).
      if (n_.losses >= w_.loss) { tr_.pruned = true; return; }
      tr_.overflow = true;
      count_loss(n_, p);
      return;
    }
    insert_pkt(n_, p);
  }

  // A new TCB for a new incarnation `inc`. unique-tcb: the slot must not hold a live TCB, unless
  // it is a TIME-WAIT that World::tw_reuse lets the new connection take over.
  void adopt(std::uint8_t host, std::uint8_t inc, bool takeover = false) {
    HostState& h = n_.h[host];
    if (live(s_.h[host].tcb) && !takeover) tr_.unique_violation = true;
    h.inc = inc;
    h.flags &= static_cast<std::uint8_t>(~(ghost::Passive | ghost::Owned));
  }

  bool app(std::uint8_t host, std::uint8_t choice);
  bool connect(std::uint8_t host, std::uint8_t choice, bool reuse);
  bool read_eof(std::uint8_t host);
  bool deliver(std::size_t i, std::uint8_t choice);

 private:
  const World& w_;
  const WorldState& s_;
  WorldState& n_;
  Transition& tr_;
};

inline bool Mover::app(std::uint8_t host, std::uint8_t choice) {
  HostState& h = n_.h[host];
  const Instr ins = w_.prog[host].code[h.pc];
  tr_.kind = MoveKind::App;
  tr_.op = ins.op;
  tr_.host = host;
  const bool owned = (h.flags & ghost::Owned) != 0;
  const bool mine = h.tcb.state != State::Closed && owned;
  switch (ins.op) {
    case Op::Listen:
      if (!listen_can_proceed(w_, h, host, ins.arg != 0)) return false;  // wait
      h.listening = 1; ++h.pc; return true;
    case Op::Unlisten:
      // The connection the listener made that nobody accepted: aborted once it is a full
      // socket, freed without a RST before (core listener_close_aborts, as the replay does).
      if (live(h.tcb) && !owned) {
        if (listener_close_aborts(h.tcb)) run(host, Input::abort(0));
        else h.tcb = Tcb{};
      }
      h.listening = 0; ++h.pc; return true;
    case Op::Connect: return connect(host, choice, ins.arg != 0);
    case Op::AwaitConn:
      if (ins.arg != 0) {  // accept(): a new incarnation, synchronized
        if (h.inc == 0 || owned || !h.tcb.was_synced) return false;
        h.app_inc = h.inc; ++h.conns; h.wrote = 0; h.read = 0;
        h.flags &= static_cast<std::uint8_t>(~(ghost::Eof | ghost::Error));
        h.flags |= ghost::Owned;
      } else if (!h.tcb.was_synced && h.tcb.state != State::Closed) {
        return false;  // still connecting
      }
      ++h.pc; return true;
    case Op::Send:
      if (mine && (h.tcb.state == State::Established || h.tcb.state == State::CloseWait) && !h.tcb.wr_shut) {
        run(host, Input::send(0, w_.data));
        h.wrote = static_cast<std::uint8_t>(h.wrote + tr_.out.result_n);
      }
      ++h.pc; return true;
    case Op::ReadEof: return read_eof(host);
    case Op::ShutWr: if (mine) run(host, Input::shutdown(0, Shut::Wr)); ++h.pc; return true;
    case Op::Close: if (mine) run(host, Input::close(0)); ++h.pc; return true;
    case Op::Abort: if (mine) run(host, Input::abort(0)); ++h.pc; return true;
    case Op::Again: h.pc = h.conns < w_.incarnations ? ins.arg : static_cast<std::uint8_t>(h.pc + 1); return true;
    case Op::End: return false;
  }
  return false;
}

// connect(): a new incarnation with an ISS the world picks (choice), or a TIME-WAIT takeover
// (World::tw_reuse) with the ISS Linux derives from the TIME-WAIT's. false: it waits.
inline bool Mover::connect(std::uint8_t host, std::uint8_t choice, bool reuse) {
  HostState& h = n_.h[host];
  const HostState& peer = n_.h[1 - host];
  if (!connect_can_proceed(w_, h, peer, host, reuse)) return false;  // wait
  const bool takeover = tw_takeover(w_, h);
  if (takeover && choice != 0) return false;  // the ISS is fixed: one move, not one per ISN choice
  const Seq tw_snd_nxt = h.tcb.snd_nxt;
  if (takeover) {  // inet_twsk_deschedule_put(): the TIME-WAIT TCB is gone (tw_takeover)
    h.tcb = Tcb{};
    h.tw_age = 0;
  }
  const std::uint8_t inc = n_.next_inc++;
  adopt(host, inc, takeover);
  const Seq iss = takeover ? tw_snd_nxt + 65537u : pick_isn(w_, h, host, choice);
  run(host, Input::connect(0, iss));
  h.last_iss = iss;
  h.app_inc = inc; ++h.conns; h.wrote = 0; h.read = 0;
  h.flags &= static_cast<std::uint8_t>(~(ghost::Eof | ghost::Error));
  h.flags |= ghost::Owned;
  ++h.pc; return true;
}

// read() until end of stream: each byte read is counted against what the peer's application
// wrote in the same incarnation (stream-integrity). false: it would block.
inline bool Mover::read_eof(std::uint8_t host) {
  HostState& h = n_.h[host];
  const HostState& peer = n_.h[1 - host];
  const bool owned = (h.flags & ghost::Owned) != 0;
  if (read_would_block(h)) return false;
  if (!owned) { ++h.pc; return true; }  // our connection is gone
  const Tcb& t = h.tcb;
  run(host, Input::receive(0, 0xFFFF));
  const bool same = peer.app_inc == h.app_inc;
  if (tr_.out.result_n > 0) {
    h.read = static_cast<std::uint8_t>(h.read + tr_.out.result_n);
    if (same && h.read > peer.wrote) tr_.stream_violation = true;  // more than was written
    return true;  // keep reading
  }
  if (tr_.out.result == Err::None && t.fin_rcvd) {
    h.flags |= ghost::Eof;
    if (same && h.read != peer.wrote) tr_.stream_violation = true;  // end before all data
  }
  ++h.pc; return true;
}

// Deliver segment i to its host: the live TCB for the 4-tuple, else the listener (a SYN
// spawns a TCB), else the CLOSED processing of RFC 9293 §3.10.7.1 (RST). ports.hpp rule B5.
inline bool Mover::deliver(std::size_t i, std::uint8_t choice) {
  const Pkt p = n_.net[i];
  remove_pkt(n_, i);
  tr_.kind = MoveKind::Deliver;
  tr_.pkt = p;
  tr_.pkt_index = static_cast<std::uint8_t>(i);
  tr_.choice = choice;
  const std::uint8_t host = p.to_b ? 1 : 0;
  HostState& h = n_.h[host];
  const Segment seg = to_segment(w_, p);
  const Seq iss = pick_isn(w_, h, host, choice);
  if (live(h.tcb)) {
    run(host, Input::segment(0, seg, iss), p.inc);
    return true;
  }
  const bool bare_syn = seg.has(flag::SYN) && !seg.has(flag::ACK) && !seg.has(flag::RST);
  if (h.listening && bare_syn) {
    const Tcb closed = h.tcb;
    const std::uint8_t old_inc = h.inc, old_flags = h.flags;
    adopt(host, p.inc);  // the new TCB's SYN,ACK belongs to the SYN's incarnation
    h.tcb = fresh_listener(w_.cfg);
    run(host, Input::segment(0, seg, iss), p.inc);
    tr_.before = closed;
    if (h.tcb.state == State::SynReceived) {
      tr_.spawned = true;
      h.last_iss = iss;
    } else {
      h.tcb = closed; h.inc = old_inc; h.flags = old_flags;
    }
    return true;
  }
  run(host, Input::segment(0, seg, iss), p.inc);
  return true;
}

}  // namespace detail

// Application steps that touch neither the core nor the network (accept bookkeeping, the
// loop of Again) are independent of every other move and invisible to every property but
// the ones they feed, so they run at once after each move instead of interleaving: a sound
// reduction of the state space (docs/model.md).
inline bool is_local(Op op) { return op == Op::AwaitConn || op == Op::Again; }

inline void settle_local(const World& w, WorldState& n, Transition& t) {
  for (int round = 0; round < 4; ++round) {
    bool moved = false;
    for (std::uint8_t host = 0; host < 2; ++host) {
      const Op op = w.prog[host].code[n.h[host].pc].op;
      if (!is_local(op)) continue;
      Transition scratch;
      if (detail::Mover(w, n, n, scratch).app(host, 0)) {
        moved = true;
        t.settled |= static_cast<std::uint8_t>(1u << host);
        t.stream_violation = t.stream_violation || scratch.stream_violation;
      }
    }
    if (!moved) return;
  }
}

// Whether SO_REUSEADDR decides a move of s: an application at Listen or Connect that would go
// ahead with the flag and wait without it, or the reverse. Two worlds that differ only in
// those flags have the same successors from every state where this is false, so if it is
// false on every state one of them reaches, they have the same reachable graph (tools/lib/
// check.cpp shares the result of reopen-connect with reopen-connect-reuseaddr on that ground).
inline bool reuse_sensitive(const World& w, const WorldState& s) {
  for (std::uint8_t host = 0; host < 2; ++host) {
    const Op op = w.prog[host].code[s.h[host].pc].op;
    if (op == Op::Listen &&
        detail::listen_can_proceed(w, s.h[host], host, false) != detail::listen_can_proceed(w, s.h[host], host, true))
      return true;
    if (op == Op::Connect &&
        detail::connect_can_proceed(w, s.h[host], s.h[1 - host], host, false) !=
            detail::connect_can_proceed(w, s.h[host], s.h[1 - host], host, true))
      return true;
  }
  return false;
}

namespace detail {

// The moves of one state, built in turn by for_each_successor_into (below): one function per
// kind of move, called in the fixed order, each advancing `ordinal` by the ordinals its kind
// reserves (a move that is not made still uses its ordinal). Each successor is built in the
// storage slot() returns. Forced inline: this is the explorer's innermost loop.
template <class Slot, class Visit>
struct Successors {
  const World& w;
  const WorldState& s;
  Slot& slot;
  Visit& visit_all;
  std::uint8_t ordinal = 0, pruned = 0;
  WorldState* nx = nullptr;
  Transition tr;

  Successors(const World& world, const WorldState& from, Slot& sl, Visit& v)
      : w(world), s(from), slot(sl), visit_all(v) {}

  // Only the scalar fields are reset: before/input/out are written whenever ran_core is set,
  // and clearing the ~350-byte Transition for every successor cost more than a step().
  [[gnu::always_inline]] void begin() {
    nx = &slot();
    *nx = s;
    tr.kind = MoveKind::Tick; tr.host = 0xFF; tr.pkt_index = 0; tr.choice = 0; tr.op = Op::End;
    tr.timer = Timer::Rexmit; tr.ran_core = false; tr.spawned = false; tr.overflow = false;
    tr.unique_violation = false; tr.stream_violation = false; tr.pruned = false; tr.settled = 0;
    tr.died = 0; tr.tcb_inc = 0; tr.tw_age = 0; tr.pkt = Pkt{};
  }
  [[gnu::always_inline]] void visit(std::uint8_t k) {
    if (tr.pruned) { ++pruned; return; }
    settle_local(w, *nx, tr);
    if (w.ts_steps > 1) canonical_ts(w, *nx);
    visit_all(k, *nx, tr);
  }
  // Due timers, A's then B's. Returns whether any was due (time then stands still).
  [[gnu::always_inline]] bool timers() {
    bool due = false;
    for (std::uint8_t host = 0; host < 2; ++host) {
      for (std::uint8_t t = 0; t < kTimerCount; ++t) {
        const Tcb& tcb = s.h[host].tcb;
        if (!tcb.armed(static_cast<Timer>(t)) || tcb.deadline[t] != 0) continue;
        due = true;
        begin();
        tr.kind = MoveKind::Timer; tr.timer = static_cast<Timer>(t);
        Mover(w, s, *nx, tr).run(host, Input::timeout(0, static_cast<Timer>(t)));
        visit(ordinal++);
      }
    }
    return due;
  }
  [[gnu::always_inline]] void apps() {
    for (std::uint8_t host = 0; host < 2; ++host) {
      const Op op = w.prog[host].code[s.h[host].pc].op;
      if (is_local(op)) { ++ordinal; continue; }  // settled right after the move that enabled it
      // A finished or blocked application makes no move: skip building one (Mover::app agrees).
      if (op == Op::End || (op == Op::ReadEof && read_would_block(s.h[host]))) { ++ordinal; continue; }
      const std::uint8_t choices = op == Op::Connect ? isn_choices(w) : 1;
      for (std::uint8_t c = 0; c < choices; ++c) {
        begin();
        if (Mover(w, s, *nx, tr).app(host, c)) visit(ordinal);
        ++ordinal;
      }
    }
  }
  [[gnu::always_inline]] void deliveries() {
    for (std::size_t i = 0; i < s.n; ++i) {
      if (i > 0 && s.net[i] == s.net[i - 1]) { ordinal = static_cast<std::uint8_t>(ordinal + isn_choices(w)); continue; }
      // Only a SYN that opens a connection reads the ISN choice: the other choices are computed
      // only when the first one used it (their ordinals are reserved either way).
      const std::uint8_t choices = isn_choices(w);
      for (std::uint8_t c = 0; c < choices; ++c) {
        begin();
        Mover(w, s, *nx, tr).deliver(i, c);
        const bool used_isn = tr.spawned || (tr.out.effects & effect::Reopened);
        visit(ordinal);
        if (!used_isn) { ordinal = static_cast<std::uint8_t>(ordinal + choices - c); break; }
        ++ordinal;
      }
    }
  }
  [[gnu::always_inline]] void losses() {
    for (std::size_t i = 0; i < s.n; ++i, ++ordinal) {
      if (s.losses >= w.loss || (i > 0 && s.net[i] == s.net[i - 1])) continue;
      begin();
      tr.kind = MoveKind::Lose; tr.pkt = s.net[i]; tr.pkt_index = static_cast<std::uint8_t>(i);
      remove_pkt(*nx, i);
      count_loss(*nx, tr.pkt);
      visit(ordinal);
    }
  }
  [[gnu::always_inline]] void dups() {
    for (std::size_t i = 0; i < s.n; ++i, ++ordinal) {
      if (s.dups >= w.dup || (i > 0 && s.net[i] == s.net[i - 1])) continue;
      if (count_dir(s, s.net[i].to_b != 0) >= w.in_flight) continue;
      begin();
      tr.kind = MoveKind::Dup; tr.pkt = s.net[i]; tr.pkt_index = static_cast<std::uint8_t>(i);
      insert_pkt(*nx, s.net[i]);
      ++nx->dups;
      nx->faults |= fault::Other | fault::Any;
      visit(ordinal);
    }
  }
  // Time advances only when no timer is due, and only while something is pending. A segment
  // arrives within the normal delay (1 tick) unless it spends the delay budget, which lets it
  // wander up to MSL; at MSL it dies, which spends the loss budget. Without budget left, the
  // network must deliver such segments before time may pass.
  [[gnu::always_inline]] void tick(bool due) {
    bool pending = s.n > 0;
    for (const HostState& h : s.h)
      for (std::uint32_t d : h.tcb.deadline) pending = pending || d != kNever;
    std::size_t dying = 0, late = 0;
    for (std::size_t i = 0; i < s.n; ++i) {
      dying += s.net[i].age >= w.cfg.msl;
      late += s.net[i].age >= kNormalDelay && !s.net[i].late && s.net[i].age < w.cfg.msl;
    }
    if (!due && pending && s.losses + dying <= w.loss && s.delays + late <= w.delay) {
      begin();
      tr.kind = MoveKind::Tick;
      age_network();
      age_hosts();
      visit(ordinal);
    }
    ++ordinal;
  }
  // The tick's network: each segment one tick older; one at MSL dies (a loss).
  [[gnu::always_inline]] void age_network() {
    std::size_t k = 0;
    for (std::size_t i = 0; i < s.n; ++i) {
      if (s.net[i].age >= w.cfg.msl) { ++tr.died; count_loss(*nx, s.net[i]); continue; }
      Pkt p = s.net[i];
      if (p.age >= kNormalDelay && !p.late) {
        p.late = 1;
        ++nx->delays;
        nx->faults |= fault::Other | fault::Any;
      }
      ++p.age;
      nx->net[k++] = p;
    }
    for (std::size_t i = k; i < kMaxPkts; ++i) nx->net[i] = Pkt{};
    nx->n = static_cast<std::uint8_t>(k);
  }
  // The tick's hosts: every deadline a tick nearer; TS.Recent a tick (S steps) older, up to its
  // cap (world.hpp, ts_age_cap), and the TSval clock back at the tick's first step; the ghost
  // TIME-WAIT age a tick longer.
  [[gnu::always_inline]] void age_hosts() {
    const std::uint32_t steps = w.ts_steps;
    for (HostState& h : nx->h) {
      for (std::uint32_t& d : h.tcb.deadline)
        if (d != kNever) --d;
      // TS.Recent may lie a few steps ahead of now (a segment sent at a later step of this tick)
      if (h.tcb.ts_ok && static_cast<std::int32_t>(ts_age(h.tcb.ts_recent)) < static_cast<std::int32_t>(ts_age_cap(w.cfg) * steps))
        h.tcb.ts_recent -= steps;
      h.ts_step = 0;
      if (h.tcb.state == State::TimeWait && h.tw_age < 0xFF) ++h.tw_age;
    }
  }
};

}  // namespace detail

// As for_each_successor (below), but each successor is built in the storage that slot()
// returns, called once per move before the move is made: the explorer hands out the next
// free place of its candidate buffer, so a kept successor is never copied again.
template <class Slot, class Visit>
std::uint8_t for_each_successor_into(const World& w, const WorldState& s, Slot&& slot, Visit&& visit_all) {
  detail::Successors<std::remove_reference_t<Slot>, std::remove_reference_t<Visit>> m(w, s, slot, visit_all);
  const bool due = m.timers();
  m.apps();
  m.deliveries();
  m.losses();
  m.dups();
  m.tick(due);
  return m.pruned;
}

// Calls visit(ordinal, next, transition) for every successor of s, in the fixed order:
// due timers (A then B), applications, deliveries, losses, duplications, the tick.
// Returns how many moves were pruned by the --in-flight bound (a state with pruned moves is
// not a terminal state).
template <class Visit>
std::uint8_t for_each_successor(const World& w, const WorldState& s, Visit&& visit_all) {
  WorldState next;
  return for_each_successor_into(w, s, [&]() -> WorldState& { return next; }, visit_all);
}

// The successor with the given ordinal (for replay), or false if there is none.
inline bool successor(const World& w, const WorldState& s, std::uint8_t ordinal, WorldState& out, Transition& tr) {
  bool found = false;
  for_each_successor(w, s, [&](std::uint8_t k, const WorldState& n, const Transition& t) {
    if (k == ordinal && !found) { out = n; tr = t; found = true; }
  });
  return found;
}

}  // namespace tcpclose::model
