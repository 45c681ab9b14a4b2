// Ports and binding: RFC 6335 port classes and the BindTable rules B1-B5 of ports.hpp, each
// tested at its boundaries. Rule: the table is a value; every test starts from an empty one.
#include <cstdint>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

#include "fixtures.hpp"

namespace tcpclose {
namespace {

constexpr std::uint32_t kA = 0x0A000001;  // 10.0.0.1
constexpr std::uint32_t kB = 0x0A000002;  // 10.0.0.2
constexpr std::uint32_t kR = 0xC0A80001;  // 192.168.0.1, the remote

using Table = BindTable<8>;

Endpoint ep(std::uint32_t addr, std::uint16_t port) { return Endpoint{addr, port, 0}; }

// A connection from local:port to kR:80, in `state`, occupying a slot.
std::uint8_t connection(Table& t, Endpoint local, State state, std::uint16_t rport = 80,
                        bool reuse = false) {
  const BindResult b = t.bind(local, reuse);
  EXPECT_EQ(b.err, Err::None);
  EXPECT_EQ(t.connect(b.slot, ep(kR, rport)), Err::None);
  t.set_state(b.slot, state);
  return b.slot;
}

TEST(PortClass, BoundariesFollowRfc6335) {
  // RFC 6335 §6: System 0-1023, User 1024-49151, Dynamic and/or Private 49152-65535
  EXPECT_EQ(port_class(0), PortClass::System);
  EXPECT_EQ(port_class(1023), PortClass::System);
  EXPECT_EQ(port_class(1024), PortClass::User);
  EXPECT_EQ(port_class(49151), PortClass::User);
  EXPECT_EQ(port_class(49152), PortClass::Dynamic);
  EXPECT_EQ(port_class(65535), PortClass::Dynamic);
  EXPECT_STREQ(name(port_class(80)), "system");
  EXPECT_STREQ(name(port_class(8080)), "user");
  EXPECT_STREQ(name(port_class(50000)), "dynamic");
}

TEST(Bind, B1SecondBindOfTheSameAddressIsEaddrinuse) {
  // B1: bind() fails with EADDRINUSE while another socket uses the local address
  Table t;
  const BindResult first = t.bind(ep(kA, 80), false);
  EXPECT_EQ(first.err, Err::None);
  EXPECT_EQ(first.port, 80);
  EXPECT_EQ(t.bind(ep(kA, 80), false).err, Err::AddrInUse);
  EXPECT_EQ(t.bind(ep(kA, 81), false).err, Err::None);  // the neighbouring port is free
  EXPECT_EQ(t.bind(ep(kA, 79), false).err, Err::None);
}

TEST(Bind, B1EveryConnectionStateHoldsThePortIncludingTimeWait) {
  // B1: "including a connection in TIME-WAIT"
  for (State s : kAllStates) {
    Table t;
    connection(t, ep(kA, 5000), s);
    EXPECT_EQ(t.bind(ep(kA, 5000), false).err, Err::AddrInUse) << name(s);
  }
}

TEST(Bind, B2ReuseaddrSucceedsOnlyWhenEveryUserIsTimeWait) {
  // B2: with SO_REUSEADDR, bind() succeeds when every such user is a TIME-WAIT connection
  Table t;
  connection(t, ep(kA, 5000), State::TimeWait, 80);
  connection(t, ep(kA, 5000), State::TimeWait, 81, true);  // a second TIME-WAIT user
  EXPECT_EQ(t.bind(ep(kA, 5000), true).err, Err::None);
}

TEST(Bind, B2ReuseaddrFailsWhenAnyUserIsNotTimeWait) {
  // B2 boundary: one non-TIME-WAIT user (any state, or a bound/listening socket) blocks it
  for (State s : kAllStates) {
    if (s == State::TimeWait) continue;
    Table t;
    connection(t, ep(kA, 5000), State::TimeWait, 80);
    connection(t, ep(kA, 5000), s, 81, true);
    EXPECT_EQ(t.bind(ep(kA, 5000), true).err, Err::AddrInUse) << name(s);
  }
  Table bound;
  bound.bind(ep(kA, 5000), true);
  EXPECT_EQ(bound.bind(ep(kA, 5000), true).err, Err::AddrInUse);
  Table listening;
  listening.listen(listening.bind(ep(kA, 5000), true).slot);
  EXPECT_EQ(listening.bind(ep(kA, 5000), true).err, Err::AddrInUse);
}

TEST(Bind, B2WithoutReuseaddrTimeWaitStillBlocks) {
  // B2 applies only with SO_REUSEADDR set on the new socket
  Table t;
  connection(t, ep(kA, 5000), State::TimeWait);
  EXPECT_EQ(t.bind(ep(kA, 5000), false).err, Err::AddrInUse);
  EXPECT_EQ(t.bind(ep(kA, 5000), true).err, Err::None);
}

// Linux's B2 (BindReuse::BothReuse, inet_bind_conflict): pinned on the kernel by
// tests/packetdrill/linux/bind-time-wait-needs-both-reuseaddr.pkt and
// bind-reuseaddr-past-an-established-connection.pkt.
Table linux_table() {
  Table t;
  t.reuse_rule = linux_config().bind_reuse;
  return t;
}

TEST(Bind, LinuxB2ATimeWaitLeftWithoutReuseaddrStillBlocks) {
  // inet_bind_conflict: sk->sk_reuse && sk2->sk_reuse; the TIME-WAIT socket keeps tw_reuse
  Table t = linux_table();
  connection(t, ep(kA, 5000), State::TimeWait, 80, false);
  EXPECT_EQ(t.bind(ep(kA, 5000), true).err, Err::AddrInUse);
  Table both = linux_table();
  connection(both, ep(kA, 5000), State::TimeWait, 80, true);
  EXPECT_EQ(both.bind(ep(kA, 5000), false).err, Err::AddrInUse);  // the new socket needs it too
  EXPECT_EQ(both.bind(ep(kA, 5000), true).err, Err::None);
}

TEST(Bind, LinuxB2PassesAnyNonListeningUserThatSetReuseaddr) {
  // inet_bind_conflict: "sk2->sk_state != TCP_LISTEN", in every other state
  for (State s : kAllStates) {
    if (s == State::Listen) continue;
    Table t = linux_table();
    connection(t, ep(kA, 5000), s, 80, true);
    EXPECT_EQ(t.bind(ep(kA, 5000), true).err, Err::None) << name(s);
  }
  Table listening = linux_table();
  listening.listen(listening.bind(ep(kA, 5000), true).slot);
  EXPECT_EQ(listening.bind(ep(kA, 5000), true).err, Err::AddrInUse);
  Table bound = linux_table();
  bound.bind(ep(kA, 5000), true);
  EXPECT_EQ(bound.bind(ep(kA, 5000), true).err, Err::None);  // two bound, neither listening
  EXPECT_EQ(linux_config().bind_reuse, BindReuse::BothReuse);
  EXPECT_EQ(reference_config().bind_reuse, BindReuse::TimeWait);
}

// FreeBSD's B2 (BindReuse::Connections, in_pcbbind_setup): with SO_REUSEADDR the exact
// in_pcblookup_local() sees only unconnected sockets on the very same address.
TEST(Bind, FreeBsdB2PassesEveryConnectionButNoUnconnectedSocketOnTheSameAddress) {
  for (State s : kAllStates) {
    if (s == State::Listen || s == State::Closed) continue;
    Table t;
    t.reuse_rule = freebsd_config().bind_reuse;
    connection(t, ep(kA, 5000), s, 80, false);  // whatever flag the connection had
    EXPECT_EQ(t.bind(ep(kA, 5000), true).err, Err::None) << name(s);
    EXPECT_EQ(t.bind(ep(kA, 5000), false).err, Err::AddrInUse) << name(s);  // B1 without the flag
  }
  Table listening;
  listening.reuse_rule = BindReuse::Connections;
  listening.listen(listening.bind(ep(kA, 5000), true).slot);
  EXPECT_EQ(listening.bind(ep(kA, 5000), true).err, Err::AddrInUse);
  EXPECT_EQ(listening.bind(ep(kAnyAddr, 5000), true).err, Err::None);  // another address: the exact lookup misses
  Table bound;
  bound.reuse_rule = BindReuse::Connections;
  bound.bind(ep(kA, 5000), true);
  EXPECT_EQ(bound.bind(ep(kA, 5000), true).err, Err::AddrInUse);
  EXPECT_EQ(freebsd_config().bind_reuse, BindReuse::Connections);
}

TEST(Bind, B1WildcardOverlapsEverySpecificAddress) {
  // B1: addresses overlap when equal or either is INADDR_ANY
  Table any_first;
  EXPECT_EQ(any_first.bind(ep(kAnyAddr, 80), false).err, Err::None);
  EXPECT_EQ(any_first.bind(ep(kA, 80), false).err, Err::AddrInUse);
  EXPECT_EQ(any_first.bind(ep(kAnyAddr, 80), false).err, Err::AddrInUse);
  Table specific_first;
  EXPECT_EQ(specific_first.bind(ep(kA, 80), false).err, Err::None);
  EXPECT_EQ(specific_first.bind(ep(kAnyAddr, 80), false).err, Err::AddrInUse);
  EXPECT_EQ(specific_first.bind(ep(kB, 80), false).err, Err::None);  // distinct addresses
  EXPECT_FALSE(Table::overlaps(ep(kA, 80), ep(kB, 80)));
  EXPECT_TRUE(Table::overlaps(ep(kA, 80), ep(kAnyAddr, 80)));
  EXPECT_FALSE(Table::overlaps(ep(kAnyAddr, 80), ep(kAnyAddr, 81)));
}

TEST(Bind, AFullTableIsReportedAsInUse) {
  // ports.hpp: no free slot -> EADDRINUSE (ENOBUFS in a kernel)
  BindTable<2> t;
  EXPECT_EQ(t.bind(ep(kA, 1), false).err, Err::None);
  EXPECT_EQ(t.bind(ep(kA, 2), false).err, Err::None);
  const BindResult full = t.bind(ep(kA, 3), false);
  EXPECT_EQ(full.err, Err::AddrInUse);
  EXPECT_EQ(full.slot, 0xFF);
}

TEST(Listen, B3TwoListenersNeverShareAnAddress) {
  // B3: listen() fails with EADDRINUSE when another listener overlaps the local address; bind()
  // normally stops this first (B1), so the table is built directly to reach B3 alone
  Table t;
  t.slots[0] = Binding{Use::Bound, State::Closed, true, 0, FourTuple{ep(kA, 80), {}}};
  t.slots[1] = Binding{Use::Bound, State::Closed, true, 0, FourTuple{ep(kAnyAddr, 80), {}}};
  t.slots[2] = Binding{Use::Bound, State::Closed, true, 0, FourTuple{ep(kB, 81), {}}};
  EXPECT_EQ(t.listen(0), Err::None);
  EXPECT_EQ(t.listen(1), Err::AddrInUse);
  EXPECT_EQ(t.slots[1].use, Use::Bound);
  EXPECT_EQ(t.listen(2), Err::None);  // another port: no overlap
  EXPECT_EQ(t.slots[0].state, State::Listen);
}

TEST(Listen, DistinctAddressesOnOnePortMayBothListen) {
  // B3 boundary: kA:80 and kB:80 do not overlap
  Table t;
  const BindResult a = t.bind(ep(kA, 80), false);
  const BindResult b = t.bind(ep(kB, 80), false);
  EXPECT_EQ(t.listen(a.slot), Err::None);
  EXPECT_EQ(t.listen(b.slot), Err::None);
}

TEST(Listen, OnlyABoundSlotCanListen) {
  // POSIX listen(): EINVAL on a socket already connected or not bound
  Table t;
  EXPECT_EQ(t.listen(0), Err::Inval);                 // free slot
  EXPECT_EQ(t.listen(8), Err::Inval);                 // out of range
  const std::uint8_t c = connection(t, ep(kA, 5000), State::Established);
  EXPECT_EQ(t.listen(c), Err::Inval);
  const BindResult b = t.bind(ep(kA, 80), false);
  EXPECT_EQ(t.listen(b.slot), Err::None);
  EXPECT_EQ(t.listen(b.slot), Err::Inval);            // already listening
}

TEST(Bind, PortZeroPicksTheLowestFreeDynamicPort) {
  // ports.hpp: port 0 picks the lowest free port of the ephemeral range (RFC 6335 §6)
  Table t;
  const BindResult a = t.bind(ep(kA, kAnyPort), false);
  EXPECT_EQ(a.err, Err::None);
  EXPECT_EQ(a.port, 49152);
  EXPECT_EQ(t.slots[a.slot].tuple.local.port, 49152);
  EXPECT_EQ(t.bind(ep(kA, kAnyPort), false).port, 49153);
  EXPECT_EQ(t.bind(ep(kB, kAnyPort), false).port, 49152);  // free for another address
  EXPECT_EQ(t.bind(ep(kAnyAddr, kAnyPort), false).port, 49154);
}

TEST(Bind, PortZeroSkipsATimeWaitPortEvenWithReuseaddr) {
  // ports.hpp: the ephemeral search never relies on B2's exception
  Table t;
  connection(t, ep(kA, 49152), State::TimeWait);
  EXPECT_EQ(t.bind(ep(kA, kAnyPort), true).port, 49153);
}

TEST(Bind, PortZeroIsEaddrnotavailWhenTheRangeIsExhausted) {
  // B6 with the table's default (PortsExhausted::AddrNotAvail, FreeBSD in_pcb_lport_dest())
  Table t;
  t.ephemeral_lo = 60000;
  t.ephemeral_hi = 60001;
  EXPECT_EQ(t.bind(ep(kA, kAnyPort), false).port, 60000);
  EXPECT_EQ(t.bind(ep(kA, kAnyPort), false).port, 60001);
  const BindResult none = t.bind(ep(kA, kAnyPort), false);
  EXPECT_EQ(none.err, Err::AddrNotAvail);
  EXPECT_EQ(none.slot, 0xFF);
  EXPECT_EQ(t.bind(ep(kA, 60002), false).err, Err::None);  // outside the range: explicit OK
}

// B6 per profile: a range of two ports, both bound, then bind(0) once more. Linux was pinned on
// this machine's 6.18 kernel (`kernel-run --runs 5`: 5/5; the same script expecting EADDRNOTAVAIL
// fails) by a packetdrill script whose one line runs, in a fresh namespace,
//   sysctl -w net.ipv4.ip_local_port_range="40000 40001", then in Python: socket() and
//   bind(("0.0.0.0", 0)) until it fails; exit 0 iff the errno is EADDRINUSE after 2 binds.
// The replay cannot run it (a shell line, and packetdrill's bind() never asks for port 0).
Err exhausted_under(const Config& c) {
  Table t;
  t.reuse_rule = c.bind_reuse;
  t.ports_exhausted = c.ports_exhausted;
  t.ephemeral_lo = 40000;
  t.ephemeral_hi = 40001;
  EXPECT_EQ(t.bind(ep(kAnyAddr, kAnyPort), false).port, 40000);
  EXPECT_EQ(t.bind(ep(kAnyAddr, kAnyPort), false).port, 40001);
  const BindResult none = t.bind(ep(kAnyAddr, kAnyPort), false);
  EXPECT_EQ(none.slot, 0xFF);
  EXPECT_EQ(t.free_slot(), 2u);  // nothing was taken
  return none.err;
}

TEST(Bind, LinuxPortZeroIsEaddrinuseWhenTheRangeIsExhausted) {
  // Linux __inet_bind() -> inet_csk_get_port(): inet_csk_find_open_port() finds no port, -EADDRINUSE
  EXPECT_EQ(exhausted_under(linux_config()), Err::AddrInUse);
}

TEST(Bind, FreeBsdPortZeroIsEaddrnotavailWhenTheRangeIsExhausted) {
  // FreeBSD in_pcbbind_setup() -> in_pcb_lport() -> in_pcb_lport_dest(): "completely used?"
  EXPECT_EQ(exhausted_under(freebsd_config()), Err::AddrNotAvail);
}

TEST(Bind, ReferenceRfc9293AndSmoltcpKeepEaddrnotavailWhenTheRangeIsExhausted) {
  // No RFC names the errno (RFC 6335 §6, RFC 6056 §2 choose the port); smoltcp picks none
  // (port 0 is Unaddressable to its listen() and connect()): config.hpp keeps EADDRNOTAVAIL
  for (const Config& c : {reference_config(), rfc9293_config(), smoltcp_config()})
    EXPECT_EQ(exhausted_under(c), Err::AddrNotAvail);
}

TEST(Bind, TheExhaustedErrnoIsOnlyBind0s) {
  // An explicit port in use stays EADDRINUSE (B1) and a taken 4-tuple EADDRNOTAVAIL (B4), whatever
  // ports_exhausted says
  for (PortsExhausted p : {PortsExhausted::AddrNotAvail, PortsExhausted::AddrInUse}) {
    Table t;
    t.ports_exhausted = p;
    const BindResult a = t.bind(ep(kA, 5000), false);
    EXPECT_EQ(t.bind(ep(kA, 5000), false).err, Err::AddrInUse);
    ASSERT_EQ(t.connect(a.slot, ep(kR, 80)), Err::None);
    const BindResult b = t.bind(ep(kA, 5000), true);
    t.set_state(a.slot, State::TimeWait);
    const BindResult c = t.bind(ep(kA, 5000), true);
    EXPECT_EQ(b.err, Err::AddrInUse);
    ASSERT_EQ(c.err, Err::None);
    EXPECT_EQ(t.connect(c.slot, ep(kR, 80)), Err::AddrNotAvail);
  }
}

TEST(Bind, PortZeroReachesTheTopPortWithoutWrapping) {
  // RFC 6335 §6: 65535 is the last dynamic port; the search must not wrap to 0
  Table t;
  t.ephemeral_lo = 65535;
  t.ephemeral_hi = 65535;
  const BindResult top = t.bind(ep(kA, kAnyPort), false);
  EXPECT_EQ(top.err, Err::None);
  EXPECT_EQ(top.port, 65535);
  EXPECT_EQ(t.bind(ep(kA, kAnyPort), false).err, Err::AddrNotAvail);
}

TEST(Connect, B4AnExistingFourTupleIsEaddrnotavail) {
  // B4: connect() fails with EADDRNOTAVAIL if the 4-tuple is already a connection
  // (Linux __inet_check_established)
  Table t;
  connection(t, ep(kA, 5000), State::TimeWait, 80);
  const BindResult again = t.bind(ep(kA, 5000), true);
  ASSERT_EQ(again.err, Err::None);
  EXPECT_EQ(t.connect(again.slot, ep(kR, 80)), Err::AddrNotAvail);
  EXPECT_EQ(t.slots[again.slot].use, Use::Bound);
  EXPECT_EQ(t.connect(again.slot, ep(kR, 81)), Err::None);  // another remote port: a new tuple
  EXPECT_EQ(t.slots[again.slot].state, State::SynSent);
  EXPECT_TRUE(t.tuples_unique());
}

TEST(Connect, OnlyABoundSlotCanConnect) {
  // POSIX connect() on a listening socket: EINVAL here (EISCONN/EOPNOTSUPP in kernels)
  Table t;
  EXPECT_EQ(t.connect(0, ep(kR, 80)), Err::Inval);
  EXPECT_EQ(t.connect(99, ep(kR, 80)), Err::Inval);
  const BindResult b = t.bind(ep(kA, 80), false);
  ASSERT_EQ(t.listen(b.slot), Err::None);
  EXPECT_EQ(t.connect(b.slot, ep(kR, 80)), Err::Inval);
}

TEST(Accept, CreatesAConnectionOnTheListenersAddressOncePerTuple) {
  // B4 for passive opens: the same 4-tuple cannot be accepted twice
  Table t;
  const BindResult l = t.bind(ep(kA, 80), false);
  ASSERT_EQ(t.listen(l.slot), Err::None);
  const BindResult c = t.accept(l.slot, ep(kR, 1234));
  EXPECT_EQ(c.err, Err::None);
  EXPECT_EQ(c.port, 80);
  EXPECT_EQ(t.slots[c.slot].use, Use::Connection);
  EXPECT_EQ(t.slots[c.slot].state, State::SynReceived);
  EXPECT_TRUE((t.slots[c.slot].tuple == FourTuple{ep(kA, 80), ep(kR, 1234)}));
  EXPECT_EQ(t.accept(l.slot, ep(kR, 1234)).err, Err::AddrNotAvail);
  EXPECT_EQ(t.accept(l.slot, ep(kR, 1235)).err, Err::None);
  EXPECT_EQ(t.accept(c.slot, ep(kR, 9)).err, Err::Inval);  // not a listener
}

TEST(Demux, B5PrefersTheConnectionOverTheListener) {
  // B5: demux finds the connection for a 4-tuple, else the listener on the local address
  Table t;
  const BindResult l = t.bind(ep(kA, 80), false);
  ASSERT_EQ(t.listen(l.slot), Err::None);
  const BindResult c = t.accept(l.slot, ep(kR, 1234));
  const Demux conn = t.demux(FourTuple{ep(kA, 80), ep(kR, 1234)});
  EXPECT_EQ(conn.kind, Demux::Connection);
  EXPECT_EQ(conn.slot, c.slot);
  const Demux other = t.demux(FourTuple{ep(kA, 80), ep(kR, 1235)});
  EXPECT_EQ(other.kind, Demux::Listener);
  EXPECT_EQ(other.slot, l.slot);
  EXPECT_EQ(t.demux(FourTuple{ep(kB, 80), ep(kR, 1234)}).kind, Demux::None);  // other address
  EXPECT_EQ(t.demux(FourTuple{ep(kA, 81), ep(kR, 1234)}).kind, Demux::None);  // other port
}

TEST(Demux, B5AWildcardListenerTakesEveryLocalAddress) {
  // B5: a listener on INADDR_ANY matches any local address on its port
  Table t;
  const BindResult l = t.bind(ep(kAnyAddr, 80), false);
  ASSERT_EQ(t.listen(l.slot), Err::None);
  EXPECT_EQ(t.demux(FourTuple{ep(kA, 80), ep(kR, 1)}).kind, Demux::Listener);
  EXPECT_EQ(t.demux(FourTuple{ep(kB, 80), ep(kR, 1)}).kind, Demux::Listener);
  EXPECT_EQ(t.demux(FourTuple{ep(kB, 81), ep(kR, 1)}).kind, Demux::None);
}

TEST(Demux, ATimeWaitConnectionStillTakesItsTuple) {
  // B5 with RFC 9293 §3.10.7.4: segments for a TIME-WAIT tuple reach the TIME-WAIT TCB
  Table t;
  const std::uint8_t c = connection(t, ep(kA, 5000), State::TimeWait);
  const Demux d = t.demux(FourTuple{ep(kA, 5000), ep(kR, 80)});
  EXPECT_EQ(d.kind, Demux::Connection);
  EXPECT_EQ(d.slot, c);
  EXPECT_EQ(t.slots[c].state, State::TimeWait);
}

TEST(Release, FreesTheAddressAndTheTuple) {
  // ports.hpp release(): the slot becomes Free; B1 and B4 no longer see it
  Table t;
  const std::uint8_t c = connection(t, ep(kA, 5000), State::TimeWait);
  EXPECT_EQ(t.bind(ep(kA, 5000), false).err, Err::AddrInUse);
  t.release(c);
  EXPECT_EQ(t.slots[c].use, Use::Free);
  EXPECT_EQ(t.demux(FourTuple{ep(kA, 5000), ep(kR, 80)}).kind, Demux::None);
  const BindResult b = t.bind(ep(kA, 5000), false);
  EXPECT_EQ(b.err, Err::None);
  EXPECT_EQ(t.connect(b.slot, ep(kR, 80)), Err::None);
  t.release(200);  // out of range: ignored
  EXPECT_EQ(t.slots[b.slot].use, Use::Connection);
}

TEST(SetState, OnlyChangesConnections) {
  // ports.hpp set_state(): listeners and bound sockets carry no TCP state of their own
  Table t;
  const BindResult b = t.bind(ep(kA, 80), false);
  t.set_state(b.slot, State::TimeWait);
  EXPECT_EQ(t.slots[b.slot].state, State::Closed);
  const std::uint8_t c = connection(t, ep(kA, 81), State::Established);
  EXPECT_EQ(t.slots[c].state, State::Established);
}

TEST(TuplesUnique, HoldsForTheRulesAndCatchesADuplicate) {
  // unique-tcb: no two connections share a 4-tuple
  Table t;
  EXPECT_TRUE(t.tuples_unique());
  connection(t, ep(kA, 5000), State::TimeWait);
  const BindResult b = t.bind(ep(kA, 5000), true);
  EXPECT_EQ(t.connect(b.slot, ep(kR, 80)), Err::AddrNotAvail);
  EXPECT_TRUE(t.tuples_unique());
  t.slots[5] = t.slots[0];  // forced past the rules
  EXPECT_FALSE(t.tuples_unique());
  t.slots[5].use = Use::Bound;  // a bound socket with the same local part is not a tuple
  EXPECT_TRUE(t.tuples_unique());
}

TEST(ListenerClose, FreesARequestSockAndAbortsAFullSocket) {
  // ports.hpp listener_close_aborts(), decided by step()'s own TCBs: a child still in
  // SYN-RECEIVED is freed without a RST (Linux request sock, synrecv-listener-close.pkt); once
  // its handshake is done it is aborted (inet_child_forget, established-listener-close.pkt).
  using namespace test;
  const Output syn = deliver(tcb_listen(), seg_syn(kIrs));
  ASSERT_EQ(syn.tcb.state, State::SynReceived);
  EXPECT_FALSE(accept_queued(syn.tcb));
  EXPECT_FALSE(listener_close_aborts(syn.tcb));
  const Output est = deliver(syn.tcb, seg_ack(kIrs + 1, syn.tcb.iss + 1));
  ASSERT_EQ(est.tcb.state, State::Established);
  EXPECT_TRUE(listener_close_aborts(est.tcb));
  const Output fin = deliver(est.tcb, seg_fin(kIrs + 1, syn.tcb.iss + 1));
  ASSERT_EQ(fin.tcb.state, State::CloseWait);
  EXPECT_TRUE(listener_close_aborts(fin.tcb));
  EXPECT_FALSE(listener_close_aborts(tcb_closed()));
}

TEST(ListenerClose, AbortsAFastOpenChildThatKeptItsSynsText) {
  // Linux tcp_fastopen_create_child: a child that kept its SYN's text is a full socket, on the
  // accept queue while still in SYN-RECEIVED, so inet_child_forget resets it.
  using namespace test;
  Config c = reference_config();
  c.fast_open = true;
  Segment s = seg_syn(kIrs);
  s.len = 10;
  const Output syn = deliver(tcb_listen(c), s, c);
  ASSERT_EQ(syn.tcb.state, State::SynReceived);
  ASSERT_EQ(syn.tcb.rcv_nxt, kIrs + 11);
  EXPECT_TRUE(accept_queued(syn.tcb));
  EXPECT_TRUE(listener_close_aborts(syn.tcb));
}

}  // namespace
}  // namespace tcpclose
