// The connect loop (connect_loop.hpp): each tick fires the due timers, delivers the segments sent
// the tick before, then makes at most one connect() attempt. bind() and connect() are the core's
// BindTable rules; only autobind's scan of the range (which the core lacks) is written here.
#include "tcpclose/model/connect_loop.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace tcpclose::model {
namespace {

inline constexpr std::size_t kSlots = 2 * kMaxEphemeral + 2;
inline constexpr std::uint32_t kClientAddr = 0x0A000001, kServerAddr = 0x0A000002;
inline constexpr Endpoint kServer{kServerAddr, 80, 0};
inline constexpr std::size_t kNoSlot = 0xFF;

struct Conn {
  Tcb client{}, server{};
  std::size_t slot = kNoSlot;   // the client's binding, until it is released
  std::uint32_t started = 0;
  std::int64_t tw_at = -1;      // tick the client entered TIME-WAIT (or CLOSED, without one)
};

struct Flight {
  std::uint32_t at;
  bool to_server;
  std::size_t conn;
  Segment seg;
};

class Loop {
 public:
  explicit Loop(const LoopConfig& c) : lc_(c) {
    cfg_ = reference_config();
    cfg_.time_wait = c.time_wait;
    table_.ephemeral_lo = kFirstDynamicPort;
    table_.ephemeral_hi = static_cast<std::uint16_t>(kFirstDynamicPort + c.ephemeral - 1);
    table_.ports_exhausted = c.ports_exhausted;
  }

  LoopResult run() {
    const std::uint32_t limit = lc_.ticks + 4 * (lc_.time_wait + 8);  // time to drain
    for (now_ = 0; now_ < limit; ++now_) {
      fire_timers();
      deliver();
      fire_timers();  // those armed for this very tick (a TIME-WAIT of 0 ticks)
      track();        // a port whose TIME-WAIT ended this tick is free for this tick's attempt
      if (now_ < lc_.ticks && now_ % lc_.every == 0) attempt();
      track();
      if (now_ >= lc_.ticks && live_.empty() && flights_.empty()) break;
    }
    res_.stuck = !live_.empty();
    res_.window = lc_.ticks > lc_.warmup ? lc_.ticks - lc_.warmup : 0;
    return res_;
  }

 private:
  // Applies one step's output to one end: its segment goes out for the next tick; the client
  // closes as soon as it is connected, the server as soon as it reads the end of stream.
  void apply(std::size_t k, bool server, const Output& out) {
    Tcb& t = server ? conns_[k].server : conns_[k].client;
    t = out.tcb;
    if (out.actions.has_seg) flights_.push_back({now_ + 1, !server, k, out.actions.seg});
    const bool closes = server ? out.actions.has(ActionKind::Eof) : out.actions.has(ActionKind::Connected);
    if (closes) apply(k, server, step(t, Input::close(now_), cfg_));
  }

  void fire_timers() {
    for (std::size_t k : live_)
      for (bool server : {false, true})
        for (Timer tm : {Timer::Rexmit, Timer::TimeWait, Timer::FinWait2, Timer::DelAck}) {
          const Tcb& t = server ? conns_[k].server : conns_[k].client;
          if (t.armed(tm) && t.at(tm) <= now_) apply(k, server, step(t, Input::timeout(now_, tm), cfg_));
        }
  }

  void deliver() {
    std::vector<Flight> due;
    auto split = std::stable_partition(flights_.begin(), flights_.end(), [&](const Flight& f) { return f.at > now_; });
    due.assign(split, flights_.end());
    flights_.erase(split, flights_.end());
    for (const Flight& f : due) {
      Conn& c = conns_[f.conn];
      if (f.to_server && c.server.state == State::Closed && !c.server.was_synced)
        apply(f.conn, true, step(c.server, Input::listen(now_), cfg_));  // the listener's child for this SYN
      const Tcb& t = f.to_server ? c.server : c.client;
      apply(f.conn, f.to_server, step(t, Input::segment(now_, f.seg, 7000 + 1000 * f.conn), cfg_));
    }
  }

  // Autobind (Linux __inet_hash_connect): the lowest port whose 4-tuple to the server is unique,
  // or whose TIME-WAIT tcp_tw_reuse may take over; a port bound by bind() is skipped.
  Err autobind(std::size_t& slot) {
    for (std::uint32_t p = table_.ephemeral_lo; p <= table_.ephemeral_hi; ++p) {
      const Endpoint local{kClientAddr, static_cast<std::uint16_t>(p), 0};
      std::size_t tw = kNoSlot;
      bool busy = false;
      for (std::size_t i = 0; i < kSlots; ++i) {
        const Binding& b = table_.slots[i];
        if (b.use == Use::Free || b.tuple.local.port != local.port) continue;
        const bool takeover = b.use == Use::Connection && b.state == State::TimeWait && lc_.tw_reuse &&
                              now_ >= tw_start(i) + lc_.tw_reuse_delay;  // Linux tcp_twsk_unique
        if (takeover) tw = i;
        else busy = true;
      }
      if (busy) continue;
      if (tw != kNoSlot) take_over(tw);
      slot = table_.free_slot();
      table_.slots[slot] = Binding{Use::Bound, State::Closed, false, 0, FourTuple{local, Endpoint{}}};
      const Err e = table_.connect(slot, kServer);  // B4 has the last word on the 4-tuple
      if (e != Err::None) table_.release(slot);
      return e;
    }
    return Err::AddrNotAvail;  // Linux __inet_hash_connect: -EADDRNOTAVAIL when no port is left
  }

  std::int64_t tw_start(std::size_t slot) const {
    for (std::size_t k : live_)
      if (conns_[k].slot == slot) return conns_[k].tw_at;
    return 0;
  }

  // tcp_tw_reuse: the TIME-WAIT is destroyed (inet_twsk_deschedule_put) and its 4-tuple reused.
  void take_over(std::size_t slot) {
    for (std::size_t k : live_)
      if (conns_[k].slot == slot) { conns_[k].client = Tcb{}; conns_[k].slot = kNoSlot; }
    table_.release(slot);
    ++res_.taken_over;
  }

  Err bind0(std::size_t& slot) {
    const BindResult b = table_.bind(Endpoint{kClientAddr, kAnyPort, 0}, false);
    if (b.err != Err::None) return b.err;
    slot = b.slot;
    const Err e = table_.connect(slot, kServer);
    if (e != Err::None) table_.release(slot);
    return e;
  }

  void attempt() {
    ++res_.attempts;
    std::size_t slot = kNoSlot;
    const Err e = lc_.pick == PortPick::Bind0 ? bind0(slot) : autobind(slot);
    if (e != Err::None) {
      ++(e == Err::AddrInUse ? res_.addr_in_use : res_.addr_not_avail);
      if (res_.first_failure < 0) res_.first_failure = now_;
      return;
    }
    ++res_.successes;
    if (now_ >= lc_.warmup) ++res_.window_successes;
    conns_.push_back(Conn{Tcb{}, Tcb{}, slot, now_, -1});
    live_.push_back(conns_.size() - 1);
    apply(conns_.size() - 1, false, step(Tcb{}, Input::connect(now_, 1000 * static_cast<Seq>(conns_.size())), cfg_));
  }

  // Keeps the table's states in step with the client TCBs and releases a port when its
  // connection is CLOSED (or, in the broken variant, when TIME-WAIT begins).
  void track() {
    for (std::size_t k : live_) {
      Conn& c = conns_[k];
      const bool closing = c.client.state == State::TimeWait || c.client.state == State::Closed;
      if (closing && c.tw_at < 0) {  // the active close is over: TIME-WAIT begins (or is skipped)
        c.tw_at = now_;
        if (res_.hold == 0) res_.hold = now_ - c.started;
      }
      if (c.slot == kNoSlot) continue;
      table_.set_state(c.slot, c.client.state);
      const bool early = lc_.release_at_time_wait && c.client.state == State::TimeWait;
      if (c.client.state == State::Closed || early) { table_.release(c.slot); c.slot = kNoSlot; }
    }
    std::erase_if(live_, [&](std::size_t k) {
      const Conn& c = conns_[k];
      const bool over = c.client.state == State::Closed && c.server.state == State::Closed && c.slot == kNoSlot &&
                        std::none_of(flights_.begin(), flights_.end(), [&](const Flight& f) { return f.conn == k; });
      res_.completed += over;
      return over;
    });
  }

  LoopConfig lc_;
  Config cfg_{};
  BindTable<kSlots> table_{};
  std::vector<Conn> conns_;
  std::vector<std::size_t> live_;
  std::vector<Flight> flights_;
  std::uint32_t now_ = 0;
  LoopResult res_{};
};

}  // namespace

const char* name(PortPick p) noexcept {
  switch (p) {
    case PortPick::Bind0: return "bind0";
    case PortPick::Autobind: return "autobind";
  }
  return "?";
}

std::string validate(const LoopConfig& c) {
  if (c.ephemeral < 1 || c.ephemeral > kMaxEphemeral) return fmt::format("--ephemeral {}: expects 1 to {}", c.ephemeral, kMaxEphemeral);
  if (c.time_wait > kMaxLoopTimeWait) return fmt::format("--time-wait {}: expects 0 to {}", c.time_wait, kMaxLoopTimeWait);
  if (c.every < 1 || c.every > 1000) return fmt::format("--every {}: expects 1 to 1000", c.every);
  if (c.ticks < 1 || c.ticks > kMaxLoopTicks) return fmt::format("--ticks {}: expects 1 to {}", c.ticks, kMaxLoopTicks);
  if (c.warmup >= c.ticks) return fmt::format("--warmup {}: must be less than --ticks {}", c.warmup, c.ticks);
  if (c.tw_reuse && c.pick != PortPick::Autobind) return "--tw-reuse on: only with --pick autobind (bind(0) never takes a TIME-WAIT port)";
  return {};
}

LoopResult run_connect_loop(const LoopConfig& c) { return Loop(c).run(); }

namespace {
// How long a port stays unusable per connection, in ticks from its connect(), rounded up to the
// attempt schedule; at least E attempts apart since the loop tries the ports in turn.
std::uint32_t cycle(const LoopConfig& c, std::uint32_t hold) noexcept {
  const std::uint32_t block = c.tw_reuse ? std::min(c.time_wait, c.tw_reuse_delay) : c.time_wait;
  const std::uint32_t busy = hold + block;
  return (busy + c.every - 1) / c.every * c.every;
}
}  // namespace

double predicted_rate(const LoopConfig& c, std::uint32_t hold) noexcept {
  const std::uint32_t per_port = std::max<std::uint32_t>(cycle(c, hold), c.ephemeral * c.every);
  return static_cast<double>(c.ephemeral) / per_port;
}

std::int64_t predicted_first_failure(const LoopConfig& c, std::uint32_t hold) noexcept {
  const std::uint64_t eth = std::uint64_t{c.ephemeral} * c.every;  // the (E+1)th attempt
  return eth < cycle(c, hold) && eth < c.ticks ? static_cast<std::int64_t>(eth) : -1;
}

}  // namespace tcpclose::model
