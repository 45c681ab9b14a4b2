// Ports and binding: RFC 6335 §6 port classes, and a fixed-capacity binding table with
// bind()/listen()/connect() rules and demultiplexing. Rule: pure and allocation-free, like
// step(); the table is a value the caller owns, and every call returns an Err as bind() does.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "tcpclose/config.hpp"
#include "tcpclose/seq.hpp"
#include "tcpclose/types.hpp"

namespace tcpclose {

// RFC 6335 §6: System Ports 0-1023, User Ports 1024-49151, Dynamic/Private 49152-65535.
enum class PortClass : std::uint8_t { System, User, Dynamic };
inline constexpr std::uint16_t kFirstUserPort = 1024;
inline constexpr std::uint16_t kFirstDynamicPort = 49152;
inline constexpr std::uint16_t kAnyPort = 0;  // bind() to port 0: pick an ephemeral port

constexpr PortClass port_class(std::uint16_t p) noexcept {
  if (p < kFirstUserPort) return PortClass::System;
  if (p < kFirstDynamicPort) return PortClass::User;
  return PortClass::Dynamic;
}

constexpr const char* name(PortClass c) noexcept {
  switch (c) {
    case PortClass::System: return "system";
    case PortClass::User: return "user";
    case PortClass::Dynamic: return "dynamic";
  }
  return "?";
}

inline constexpr std::uint32_t kAnyAddr = 0;  // INADDR_ANY

struct Endpoint {
  std::uint32_t addr = kAnyAddr;
  std::uint16_t port = 0;
  std::uint16_t pad_ = 0;
  friend constexpr bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct FourTuple {
  Endpoint local{};
  Endpoint remote{};
  friend constexpr bool operator==(const FourTuple&, const FourTuple&) = default;
};

// What occupies a slot. A connection carries its TCP state so TIME-WAIT can be recognised.
enum class Use : std::uint8_t { Free, Bound, Listening, Connection };

struct Binding {
  Use use = Use::Free;
  State state = State::Closed;  // for connections
  bool reuseaddr = false;       // SO_REUSEADDR was set on the socket before bind()
  std::uint8_t pad_ = 0;
  FourTuple tuple{};            // remote is {any, 0} unless use == Connection
};

struct BindResult {
  Err err = Err::None;
  std::uint8_t slot = 0xFF;
  std::uint16_t port = 0;       // the port actually bound (ephemeral when asked for 0)
};

struct Demux {
  enum Kind : std::uint8_t { None, Connection, Listener } kind = None;
  std::uint8_t slot = 0xFF;
};

// Capacity N slots. Rules, each tested at its boundaries:
//  B1 bind() fails with EADDRINUSE while any other socket uses the local address (addresses
//     overlap when equal or either is INADDR_ANY), including a connection in TIME-WAIT;
//  B2 with SO_REUSEADDR, bind() succeeds when every such user is a TIME-WAIT connection
//     (reuse_rule TimeWait), or, as Linux does (BothReuse), when every such user set
//     SO_REUSEADDR too and is not listening, in any state, or, as FreeBSD does (Connections),
//     when every such user is a connection or is bound to another address;
//  B3 two listeners never share a local address (listen() fails with EADDRINUSE);
//  B4 connect() fails with EADDRNOTAVAIL if the 4-tuple is already a live connection;
//  B5 demux finds the connection for a 4-tuple, else the listener on the local address;
//  B6 bind() to port 0 takes the lowest port of the ephemeral range that B1 leaves free (never
//     relying on B2), and fails when there is none with the errno of ports_exhausted.
template <std::size_t N>
struct BindTable {
  static_assert(N > 0 && N < 0xFF);
  std::array<Binding, N> slots{};
  std::uint16_t ephemeral_lo = kFirstDynamicPort;  // RFC 6335 §6 dynamic range by default
  std::uint16_t ephemeral_hi = 65535;
  BindReuse reuse_rule = BindReuse::TimeWait;  // Config::bind_reuse
  PortsExhausted ports_exhausted = PortsExhausted::AddrNotAvail;  // Config::ports_exhausted

  static constexpr bool overlaps(const Endpoint& a, const Endpoint& b) noexcept {
    return a.port == b.port && (a.addr == b.addr || a.addr == kAnyAddr || b.addr == kAnyAddr);
  }

  // B2: may bind() with SO_REUSEADDR share `local` with user b?
  constexpr bool shared(const Binding& b, const Endpoint& local) const noexcept {
    switch (reuse_rule) {
      case BindReuse::TimeWait: return b.use == Use::Connection && b.state == State::TimeWait;
      case BindReuse::BothReuse: return b.reuseaddr && b.use != Use::Listening;
      case BindReuse::Connections: return b.use == Use::Connection || b.tuple.local.addr != local.addr;
    }
    return false;
  }

  constexpr bool port_conflicts(const Endpoint& local, bool reuse, std::size_t self) const noexcept {
    for (std::size_t i = 0; i < N; ++i) {
      const Binding& b = slots[i];
      if (i == self || b.use == Use::Free || !overlaps(b.tuple.local, local)) continue;
      if (!(reuse && shared(b, local))) return true;  // B1, with B2's exception
    }
    return false;
  }

  // B6: bind(0)'s errno when the ephemeral range is exhausted.
  constexpr Err exhausted_err() const noexcept {
    switch (ports_exhausted) {
      case PortsExhausted::AddrNotAvail: return Err::AddrNotAvail;  // FreeBSD in_pcb_lport_dest()
      case PortsExhausted::AddrInUse: return Err::AddrInUse;        // Linux inet_csk_get_port()
    }
    return Err::AddrNotAvail;
  }

  constexpr std::size_t free_slot() const noexcept {
    for (std::size_t i = 0; i < N; ++i)
      if (slots[i].use == Use::Free) return i;
    return N;
  }

  // bind(): port 0 picks the lowest free port of the ephemeral range (B6).
  constexpr BindResult bind(Endpoint local, bool reuseaddr) noexcept {
    const std::size_t slot = free_slot();
    if (slot == N) return {Err::AddrInUse, 0xFF, 0};  // table full: like ENOBUFS, reported as in use
    if (local.port == kAnyPort) {
      bool found = false;
      for (std::uint32_t p = ephemeral_lo; p <= ephemeral_hi && !found; ++p) {
        local.port = static_cast<std::uint16_t>(p);
        found = !port_conflicts(local, false, N);
      }
      if (!found) return {exhausted_err(), 0xFF, 0};
    } else if (port_conflicts(local, reuseaddr, N)) {
      return {Err::AddrInUse, 0xFF, 0};
    }
    slots[slot] = Binding{Use::Bound, State::Closed, reuseaddr, 0, FourTuple{local, Endpoint{}}};
    return {Err::None, static_cast<std::uint8_t>(slot), local.port};
  }

  constexpr Err listen(std::size_t slot) noexcept {
    if (slot >= N || slots[slot].use != Use::Bound) return Err::Inval;
    for (std::size_t i = 0; i < N; ++i)
      if (i != slot && slots[i].use == Use::Listening &&
          overlaps(slots[i].tuple.local, slots[slot].tuple.local))
        return Err::AddrInUse;  // B3
    slots[slot].use = Use::Listening;
    slots[slot].state = State::Listen;
    return Err::None;
  }

  constexpr Err connect(std::size_t slot, Endpoint remote) noexcept {
    if (slot >= N || slots[slot].use != Use::Bound) return Err::Inval;
    const FourTuple t{slots[slot].tuple.local, remote};
    for (std::size_t i = 0; i < N; ++i)
      if (i != slot && slots[i].use == Use::Connection && slots[i].tuple == t)
        return Err::AddrNotAvail;  // B4: Linux __inet_check_established
    slots[slot].use = Use::Connection;
    slots[slot].state = State::SynSent;
    slots[slot].tuple = t;
    return Err::None;
  }

  // A connection accepted from a listener: a new slot for the 4-tuple on the same address.
  constexpr BindResult accept(std::size_t listener, Endpoint remote) noexcept {
    if (listener >= N || slots[listener].use != Use::Listening) return {Err::Inval, 0xFF, 0};
    const FourTuple t{slots[listener].tuple.local, remote};
    for (std::size_t i = 0; i < N; ++i)
      if (slots[i].use == Use::Connection && slots[i].tuple == t) return {Err::AddrNotAvail, 0xFF, 0};
    const std::size_t slot = free_slot();
    if (slot == N) return {Err::AddrInUse, 0xFF, 0};
    slots[slot] = Binding{Use::Connection, State::SynReceived, slots[listener].reuseaddr, 0, t};
    return {Err::None, static_cast<std::uint8_t>(slot), t.local.port};
  }

  constexpr void set_state(std::size_t slot, State s) noexcept {
    if (slot < N && slots[slot].use == Use::Connection) slots[slot].state = s;
  }
  constexpr void release(std::size_t slot) noexcept {
    if (slot < N) slots[slot] = Binding{};
  }

  constexpr Demux demux(const FourTuple& t) const noexcept {
    for (std::size_t i = 0; i < N; ++i)
      if (slots[i].use == Use::Connection && slots[i].tuple == t)
        return {Demux::Connection, static_cast<std::uint8_t>(i)};
    for (std::size_t i = 0; i < N; ++i)
      if (slots[i].use == Use::Listening && overlaps(slots[i].tuple.local, t.local) &&
          (slots[i].tuple.local.addr == kAnyAddr || slots[i].tuple.local.addr == t.local.addr))
        return {Demux::Listener, static_cast<std::uint8_t>(i)};
    return {};
  }

  // unique-tcb: no two connections share a 4-tuple.
  constexpr bool tuples_unique() const noexcept {
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t j = i + 1; j < N; ++j)
        if (slots[i].use == Use::Connection && slots[j].use == Use::Connection &&
            slots[i].tuple == slots[j].tuple)
          return false;
    return true;
  }
};

// A connection a listener made is a full socket, queued for accept(), once its handshake is done,
// or under Fast Open once it kept its SYN's text (Linux tcp_fastopen_create_child ->
// inet_csk_reqsk_queue_add). Before that Linux holds it as a request sock (and FreeBSD in its
// syncache, tcp_syncache.c), not on the listener's accept queue.
constexpr bool accept_queued(const Tcb& t) noexcept {
  return t.was_synced || (t.state == State::SynReceived && seq_gt(t.rcv_nxt, t.irs + 1));
}

// Closing a listener (close(), or shutdown(SHUT_RD) on Linux), for each connection it made that
// no application accepted: true when the connection is aborted (the caller feeds Input::abort to
// step(), which sends the RST that the state calls for), false when it is freed without a word.
// Linux inet_csk_listen_stop: a full socket goes through inet_child_forget -> tcp_disconnect
// (RST); a request sock is dropped, and the peer's next segment finds no socket and draws the RST
// of CLOSED. FreeBSD soclose() aborts the sockets on the listener's queues only (soabort ->
// tcp_drop), not its syncache. Pinned on Linux 6.18 by tests/packetdrill/linux/
// synrecv-listener-close.pkt and established-listener-close.pkt; the model and the replay both
// decide by this function.
constexpr bool listener_close_aborts(const Tcb& t) noexcept {
  return t.state != State::Closed && accept_queued(t);
}

}  // namespace tcpclose
