// property.Pair.*: stateful RapidCheck runs (rc::state, as rapidcheck examples/counter and
// doc/state.md) of two real cores joined by a random network that loses, duplicates, reorders
// and ages segments (they die at MSL). The model is a simple reference: the bytes each
// application offered and which applications have shut down or closed. After every command the
// harness checks stream-integrity, unique-tcb and no-stale-delivery from ghost incarnation tags;
// at the end it stops the faults, lets both applications close, drains, and requires both CLOSED.
// Rule: the harness only moves segments, time and calls between the two step()s and keeps
// ghosts; every protocol decision is the core's. ISNs start just below 2^32 and follow
// RFC 9293's ISN clock (2^24 per connection), so runs cross the wrap; tcpclose check covers the
// adversarial ISN choice.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <array>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <tcpclose/model/response.hpp>
#include <tcpclose/model/successors.hpp>
#include <tcpclose/model/world.hpp>

#include "generators.hpp"

namespace tcpclose::test {
namespace {

// ----- the system under test: two hosts, a network, a clock, and ghosts ---------------------

struct Flight {
  Segment seg;
  std::uint8_t to = 0;     // receiving host
  std::uint32_t conn = 0;  // ghost: the incarnation that sent it
  std::uint32_t born = 0;  // tick it was sent
};

struct Host {
  Tcb tcb{};
  std::uint32_t conn = 0;  // ghost: incarnation of tcb (0: none yet)
  bool app = false;        // the application holds a socket ...
  std::uint32_t app_conn = 0;  // ... on this incarnation (its calls reach tcb only if conn matches)
  bool eof = false;        // the application has read end of stream in `conn`
  Seq last_iss = 0;        // the host's ISN clock
};

struct Ghost {  // per incarnation: bytes each side's application wrote and read
  std::array<std::uint64_t, 2> wrote{}, read{};
};

constexpr std::uint32_t kMsl = 8;
constexpr std::uint32_t kNormalDelay = 1;
constexpr Seq kIsnStep = 0x01000000u;  // RFC 9293 §3.4.1: the ISN clock ticks 2^24 between connections

struct Pair {
  Config cfg;
  std::array<Host, 2> h{};  // [0] = A, the client; [1] = B, the server
  std::vector<Flight> net;
  std::uint32_t now = 0;
  std::uint32_t next_conn = 1;
  std::map<std::uint32_t, Ghost> ghost;
  std::uint64_t steps = 0;
  bool wrapped = false;  // a sequence number crossed 2^32
  std::array<std::uint64_t, 2> wrote_epoch{};  // bytes each application wrote since the last reopening
  struct Move { int x; Input in; State pre; Output out; };
  std::array<Move, 32> log{};  // the last moves (a ring), printed only on failure
  std::uint64_t logged = 0;
  bool pending_shut = false;  // B's application shut down before it accepted: applied on accept
  // reliable-termination's premise (docs/properties.md): at most one ACK or FIN lost, nothing
  // else lost and no RST from a synchronized TCB (abort, close with unread data...).
  std::uint32_t ackfin_losses = 0;
  bool other_fault = false;
  std::uint64_t rt_checked = 0;  // closings of LAST-ACK/CLOSING judged under the premise

  Pair(const Config& c, Seq iss_a, Seq iss_b) : cfg(c) {
    h[0].last_iss = iss_a - kIsnStep;
    h[1].last_iss = iss_b - kIsnStep;
    run(1, Input::listen(now), 0);
    h[1].app = true;
    open();
  }

  std::string trace() const {
    std::string s = "\n  the last moves:";
    for (std::uint64_t i = logged > log.size() ? logged - log.size() : 0; i < logged; ++i) {
      const Move& m = log[i % log.size()];
      s += std::string("\n    ") + (m.x == 0 ? "A " : "B ") + name(m.pre) + " " + shown(m.in) + " " + shown(m.out);
    }
    return s;
  }

  // One step() of host x, then the harness's bookkeeping and the per-step checks.
  Output run(int x, const Input& in, std::uint32_t tag) {
    Host& me = h[x];
    const Tcb pre = me.tcb;
    const Output out = step(pre, in, cfg);
    ++steps;
    log[logged++ % log.size()] = Move{x, in, pre.state, out};
    if (out.tcb.snd_nxt < out.tcb.iss || out.tcb.rcv_nxt < out.tcb.irs) wrapped = true;
    const bool seg = in.kind == InputKind::Segment;
    const bool live = pre.state != State::Closed && pre.state != State::Listen;
    const Segment* sent = out.actions.sent();
    if (sent != nullptr && sent->has(flag::RST) && is_synchronized(pre.state)) other_fault = true;
    // The FIN-WAIT-2 timeout (forced on below) gives up on a slow peer application: outside the premise.
    if (in.kind == InputKind::Timeout && in.timer == Timer::FinWait2 && out.tcb.state == State::Closed)
      other_fault = true;
    // reliable-termination: "if only ACKs or FINs are lost, the passive closer's connection ends
    // by the ACK of its FIN, never by a reset" (the first reason for TIME-WAIT, RFC 9293 §3.6).
    if ((pre.state == State::LastAck || pre.state == State::Closing) && out.tcb.state == State::Closed &&
        !other_fault && ackfin_losses <= 1) {
      ++rt_checked;
      if ((out.effects & effect::RstAbort) != 0)
        RC_FAIL(std::string("reliable-termination: ") + name(pre.state) + " ended by a RST" + trace());
    }
    // no-stale-delivery: a segment of another incarnation may not deliver data, a FIN, a useful
    // ACK or an aborting RST (docs/properties.md).
    constexpr std::uint8_t kHarm = effect::Data | effect::Fin | effect::AckedNew | effect::RstAbort;
    if (seg && live && tag != me.conn && (out.effects & kHarm) != 0)
      RC_FAIL("no-stale-delivery: a segment of incarnation " + std::to_string(tag) + " acted on incarnation " +
              std::to_string(me.conn) + trace());
    // unique-tcb: a new sequence space replaces a TCB only from CLOSED or LISTEN, or from
    // TIME-WAIT by a SYN the core declares a reopening; anything else needed a second TCB.
    const bool fresh = out.tcb.iss != pre.iss && (out.tcb.state == State::SynSent || out.tcb.state == State::SynReceived);
    if (fresh && live && !(pre.state == State::TimeWait && (out.effects & effect::Reopened) != 0))
      RC_FAIL(std::string("unique-tcb: a new connection replaced a live TCB in ") + name(pre.state) + trace());
    if (seg && (pre.state == State::Listen || (out.effects & effect::Reopened) != 0) &&
        out.tcb.state == State::SynReceived) {
      // The SYN's incarnation is the TCB's from now on. A listening application accepts it; a
      // TIME-WAIT reopened is accepted only by the next reopening (Reopen::run).
      if (pre.state == State::Listen && me.app && me.app_conn == me.conn) me.app_conn = tag;
      me.conn = tag;
      me.eof = false;
    }
    if (fresh) me.last_iss = out.tcb.iss;
    // stream-integrity, as the application sees it.
    Ghost& g = ghost[me.conn];
    if (in.kind == InputKind::Send) { g.wrote[x] += out.result_n; wrote_epoch[x] += out.result_n; }
    if (in.kind == InputKind::Receive) {
      g.read[x] += out.result_n;
      if (me.eof && out.result_n != 0) RC_FAIL("stream-integrity: bytes after end of stream" + trace());
      if (g.read[x] > g.wrote[1 - x])
        RC_FAIL("stream-integrity: read " + std::to_string(g.read[x]) + " bytes of " + std::to_string(g.wrote[1 - x]) +
                " written" + trace());
      if (out.result_n == 0 && out.result == Err::None && in.n != 0 && out.tcb.fin_rcvd && out.tcb.rcv_unread == 0) {
        me.eof = true;  // read() returned 0: end of stream, so everything written must be read
        if (g.read[x] != g.wrote[1 - x])
          RC_FAIL("stream-integrity: end of stream after " + std::to_string(g.read[x]) + " of " +
                  std::to_string(g.wrote[1 - x]) + " bytes" + trace());
      }
    }
    if (const Segment* s = sent) {
      // A RST that answers a segment (RFC 9293 §3.10.7.1) belongs to that segment's incarnation.
      const std::uint32_t t = seg && out.verdict == Verdict::Reset ? tag : me.conn;
      net.push_back(Flight{*s, static_cast<std::uint8_t>(1 - x), t, now});
    }
    me.tcb = out.tcb;
    return out;
  }

  // A opens a new connection (the reopening of the same 4-tuple after the first).
  void open() {
    Host& a = h[0];
    const Seq iss = a.last_iss + kIsnStep;
    const Tcb pre = a.tcb;
    const Output o = run(0, Input::connect(now, iss), next_conn);
    a.app = false;  // a new socket; it holds the 4-tuple only if connect() succeeds
    if (pre.state != State::Closed) {
      // unique-tcb: connect() on a 4-tuple whose TCB lives must fail and leave it alone.
      if (o.result == Err::None || o.tcb.state != pre.state)
        RC_FAIL(std::string("unique-tcb: connect() succeeded over a TCB in ") + name(pre.state) + trace());
      return;
    }
    a.conn = next_conn++;
    a.app = true;
    a.app_conn = a.conn;
    a.eof = false;
    // Segments sent by the connect belong to the new incarnation.
    if (!net.empty() && net.back().to == 1 && o.actions.sent() != nullptr) net.back().conn = a.conn;
  }

  // A segment lost (dropped, or dead at MSL): as the model counts it (model/successors.hpp).
  void lost(const Flight& f) {
    const bool ack_or_fin = !f.seg.has(flag::SYN) && !f.seg.has(flag::RST) && (f.seg.len == 0 || f.seg.has(flag::FIN));
    if (ack_or_fin) ++ackfin_losses;
    else other_fault = true;
  }

  std::uint32_t b_iss() const { return h[1].last_iss + kIsnStep; }

  void deliver(std::size_t i, bool keep) {
    const Flight f = net[i];
    if (!keep) net.erase(net.begin() + static_cast<std::ptrdiff_t>(i));
    if (now - f.born > kMsl) { lost(f); return; }  // dead at MSL (bounded age)
    // Beyond the normal delay: reliable-termination assumes ordinary segments arrive well
    // within MSL (docs/model.md: a late ACK can push a FIN retransmission past 2 MSL).
    if (now - f.born > kNormalDelay) other_fault = true;
    run(f.to, Input::segment(now, f.seg, f.to == 1 ? b_iss() : h[0].last_iss + kIsnStep), f.conn);
    if (f.to == 1 && pending_shut && held(1) && h[1].tcb.state != State::Listen) {
      pending_shut = false;  // accept(), then the shutdown the application asked for
      app(1, Input::shutdown(now, Shut::Wr));
    }
  }

  // Time passes: segments older than MSL die, and every due timer fires, in deadline order.
  void tick(std::uint32_t k) {
    for (std::uint32_t i = 0; i < k; ++i) {  // one tick at a time: no timer fires late
      ++now;
      std::erase_if(net, [this](const Flight& f) {
        if (now - f.born <= kMsl) return false;
        lost(f);
        return true;
      });
      fire_due();
    }
  }
  void fire_due() {
    for (int rounds = 0; rounds < 16; ++rounds) {
      bool fired = false;
      for (int x = 0; x < 2; ++x)
        for (Timer tm : {Timer::Rexmit, Timer::TimeWait, Timer::FinWait2, Timer::DelAck})
          if (h[x].tcb.armed(tm) && seq_le(h[x].tcb.at(tm), now)) {
            run(x, Input::timeout(now, tm), h[x].conn);
            fired = true;
          }
      if (!fired) return;
    }
  }

  // The application calls, on a socket the application still holds.
  bool held(int x) const { return h[x].app && h[x].app_conn == h[x].conn; }
  void app(int x, const Input& in) {
    if (!held(x)) return;  // no socket on this TCB: EBADF or ENOTCONN before any TCP
    if (in.kind == InputKind::Shutdown && h[x].tcb.state == State::Listen) { pending_shut = true; return; }
    if (in.kind == InputKind::Close || in.kind == InputKind::Abort) pending_shut = false;
    run(x, in, h[x].conn);
    if (in.kind == InputKind::Close || in.kind == InputKind::Abort) h[x].app = false;
  }

  bool quiet() const {
    if (!net.empty()) return false;
    for (const Host& x : h)
      for (Timer tm : {Timer::Rexmit, Timer::TimeWait, Timer::FinWait2, Timer::DelAck})
        if (x.tcb.armed(tm)) return false;
    return true;
  }

  // No more faults: both applications read what is left and close, everything in flight is
  // delivered in order, timers fire when due, until nothing moves. Judged on the way by
  // both-closed's bounded response (model/response.hpp, the proofs' monitor too): from the
  // first round's closes, both TCBs must be CLOSED within `bound` ticks, and nothing may stay
  // live once nothing is pending. This harness closes every socket and listener, so no TCB may
  // stay half-open: settled is "neither live". Returns the ticks taken, or the violation.
  struct Drained { std::uint32_t ticks = 0; std::string violation; };
  Drained drain(std::uint32_t bound) {
    const std::uint32_t calm = now;
    for (int round = 0; round < 100000; ++round) {
      for (int x = 0; x < 2; ++x) {
        if (held(x)) {
          app(x, Input::receive(now, 1u << 20));
          app(x, Input::close(now));
        } else if (h[x].tcb.state == State::Listen || (h[x].tcb.state != State::Closed && !h[x].tcb.orphan)) {
          run(x, Input::close(now), h[x].conn);  // a listener closed with its unaccepted connections
        }
      }
      const bool settled = !model::detail::live(h[0].tcb) && !model::detail::live(h[1].tcb);
      if (model::both_closed_overdue(model::Plain{}, true, settled, quiet(), now - calm, bound))
        return {now - calm, std::string("both-closed: ") + (quiet() ? "drained" : "still open") + " after " +
                                std::to_string(now - calm) + " fault-free ticks (bound " + std::to_string(bound) +
                                "), A is " + name(h[0].tcb.state) + " and B is " + name(h[1].tcb.state) + trace()};
      if (quiet()) return {now - calm, {}};
      if (!net.empty()) { deliver(0, false); continue; }
      std::uint32_t next = kNever;  // jump to the next deadline
      for (const Host& x : h)
        for (Timer tm : {Timer::Rexmit, Timer::TimeWait, Timer::FinWait2, Timer::DelAck})
          if (x.tcb.armed(tm) && x.tcb.at(tm) - now < next - now) next = x.tcb.at(tm);
      if (next == now) { fire_due(); continue; }
      tick(next - now - 1);  // nothing is due before `next`
      ++now;  // at the deadline, judged by the next round before its timer fires
    }
    return {now - calm, "both-closed: the drain did not end" + trace()};
  }
};

// ----- the reference model and the commands --------------------------------------------------

struct Ref {
  std::array<std::uint64_t, 2> offered{};  // bytes each application asked to send in this connection
  std::array<bool, 2> shut{};              // the application shut its write half (or closed)
  std::array<bool, 2> closed{};            // the application closed or aborted its socket
  std::uint32_t connections = 1;
};

using Cmd = rc::state::Command<Ref, Pair>;

int host_arg() { return *rc::gen::inRange(0, 2); }

// The reference after a command (rc::state passes run() the model before it): bytes accepted
// never exceed what the application offered, and a shut write half lets no more bytes through.
void check_against_model(const Ref& after, const Pair& p) {
  RC_ASSERT(p.wrote_epoch[0] <= after.offered[0]);
  RC_ASSERT(p.wrote_epoch[1] <= after.offered[1]);
}

struct AppSend : Cmd {
  int x = host_arg();
  std::uint32_t n = *rc::gen::element<std::uint32_t>(1u, 100u, 1460u, 5000u);
  void checkPreconditions(const Ref& m) const override { RC_PRE(!m.closed[static_cast<std::size_t>(x)]); }
  void apply(Ref& m) const override { m.offered[static_cast<std::size_t>(x)] += n; }
  void run(const Ref& m, Pair& p) const override {
    const std::uint64_t before = p.ghost[p.h[x].conn].wrote[static_cast<std::size_t>(x)];
    p.app(x, Input::send(p.now, n));
    const std::uint64_t after = p.ghost[p.h[x].conn].wrote[static_cast<std::size_t>(x)];
    if (m.shut[static_cast<std::size_t>(x)]) RC_ASSERT(after == before);  // EPIPE after shutdown
    check_against_model(nextState(m), p);
  }
  void show(std::ostream& os) const override { os << (x == 0 ? "A" : "B") << " send(" << n << ")"; }
};

struct AppRecv : Cmd {
  int x = host_arg();
  std::uint32_t n = *rc::gen::element<std::uint32_t>(1u, 100u, 1u << 20);
  void run(const Ref&, Pair& p) const override { p.app(x, Input::receive(p.now, n)); }
  void show(std::ostream& os) const override { os << (x == 0 ? "A" : "B") << " recv(" << n << ")"; }
};

struct AppShutdown : Cmd {
  int x = host_arg();
  void checkPreconditions(const Ref& m) const override { RC_PRE(!m.closed[static_cast<std::size_t>(x)]); }
  void apply(Ref& m) const override { m.shut[static_cast<std::size_t>(x)] = true; }
  void run(const Ref&, Pair& p) const override { p.app(x, Input::shutdown(p.now, Shut::Wr)); }
  void show(std::ostream& os) const override { os << (x == 0 ? "A" : "B") << " shutdown(SHUT_WR)"; }
};

struct AppClose : Cmd {
  int x = host_arg();
  bool abort = *rc::gen::weightedElement<bool>({{4, false}, {1, true}});
  void checkPreconditions(const Ref& m) const override { RC_PRE(!m.closed[static_cast<std::size_t>(x)]); }
  void apply(Ref& m) const override {
    m.shut[static_cast<std::size_t>(x)] = true;
    m.closed[static_cast<std::size_t>(x)] = true;
  }
  void run(const Ref&, Pair& p) const override { p.app(x, abort ? Input::abort(p.now) : Input::close(p.now)); }
  void show(std::ostream& os) const override { os << (x == 0 ? "A" : "B") << (abort ? " abort" : " close()"); }
};

struct Deliver : Cmd {
  std::uint32_t pick = *rc::gen::inRange<std::uint32_t>(0, 64);
  bool dup = *rc::gen::weightedElement<bool>({{9, false}, {1, true}});  // deliver a copy, keep the original
  void run(const Ref&, Pair& p) const override {
    if (p.net.empty()) return;
    // Mostly the oldest segment (a network that mostly keeps order), sometimes any (reordering).
    const std::size_t i = pick < 40 ? 0 : pick % p.net.size();
    p.deliver(i, dup);
  }
  void show(std::ostream& os) const override { os << "deliver #" << pick << (dup ? " (duplicate)" : ""); }
};

struct Drop : Cmd {
  std::uint32_t pick = *rc::gen::inRange<std::uint32_t>(0, 64);
  void run(const Ref&, Pair& p) const override {
    if (p.net.empty()) return;
    const std::size_t i = pick % p.net.size();
    p.lost(p.net[i]);
    p.net.erase(p.net.begin() + static_cast<std::ptrdiff_t>(i));
  }
  void show(std::ostream& os) const override { os << "drop #" << pick; }
};

struct Tick : Cmd {
  std::uint32_t k = *rc::gen::element<std::uint32_t>(1u, 1u, 2u, 5u, 20u);
  void run(const Ref&, Pair& p) const override { p.tick(k); }
  void show(std::ostream& os) const override { os << "tick " << k; }
};

// Both applications are done with the connection: B listens again (if its 4-tuple is free) and
// A connects again on the same 4-tuple.
struct Reopen : Cmd {
  void checkPreconditions(const Ref& m) const override { RC_PRE(m.closed[0] && m.closed[1]); }
  void apply(Ref& m) const override {
    m = Ref{{}, {}, {}, m.connections + 1};
  }
  void run(const Ref&, Pair& p) const override {
    p.wrote_epoch = {};
    p.pending_shut = false;
    auto idle = [](const Tcb& t) { return t.state == State::Closed || t.state == State::Listen; };
    if (idle(p.h[0].tcb) && idle(p.h[1].tcb) && p.net.empty()) { p.ackfin_losses = 0; p.other_fault = false; }
    Host& b = p.h[1];
    if (b.tcb.state == State::Closed) {
      p.run(1, Input::listen(p.now), b.conn);
      b.app = true;
      b.app_conn = b.conn;
    } else if (b.tcb.state != State::Listen && !b.tcb.orphan) {
      b.app = true;  // accept the incarnation a SYN opened from TIME-WAIT
      b.app_conn = b.conn;
    }
    p.open();
  }
  void show(std::ostream& os) const override { os << "reopen the 4-tuple"; }
};

// One run: a profile with short times, ISNs just below 2^32, up to 1000 + 30 commands per unit
// of RapidCheck's size (4000 at the default max_size of 100).
void pair_run() {
  const int length = 1000 + 30 * *rc::gen::withSize([](int size) { return rc::gen::just(size); });
  const Profile prof = *rc::gen::arbitrary<Profile>();
  Config c = profile_config(prof);
  c.msl = kMsl; c.time_wait = 2 * kMsl; c.rto = 3; c.rto_backoff = false;
  // A fixed RTO in these short ticks, as the model checker keeps (model_config): estimated from
  // an RTT, FreeBSD's 200-tick slop alone would outlast TIME-WAIT many times over.
  c.rtt_estimate = false; c.tail_loss_probe = false;
  // Linux's delayed ACK of a FIN (delayed_ack) in these short ticks too: within the fixed RTO.
  c.delack_min = 1; c.delack_ato = 2;
  // The applications always close in the end, so an orphaned FIN-WAIT-2 whose peer is gone must
  // time out (Linux tcp_fin_timeout) for "both CLOSED" to be a fair end.
  c.fin_wait2 = FinWait2Timeout::OrphanOnly; c.fin_wait2_timeout = 4 * kMsl;
  c.mutant = suite_mutant();
  const Seq iss_a = 0xFFFFFFFFu - *rc::gen::inRange<std::uint32_t>(0, 3000);
  const Seq iss_b = 0xFFFFFFFFu - *rc::gen::inRange<std::uint32_t>(0, 3000);
  Pair p(c, iss_a, iss_b);
  const auto cmds = *rc::gen::resize(
      length, rc::state::gen::commands(Ref{}, rc::state::gen::execOneOfWithArgs<
                                                  AppSend, AppSend, AppRecv, AppShutdown, AppClose, Deliver, Deliver,
                                                  Deliver, Deliver, Deliver, Drop, Tick, Tick, Reopen, Reopen>()));
  rc::state::runAll(cmds, Ref{}, p);
  const std::uint32_t bound = model::both_closed_within(c);
  const Pair::Drained d = p.drain(bound);
  if (!d.violation.empty()) RC_FAIL(d.violation);
  RC_ASSERT(p.quiet());
  if (p.h[0].tcb.state != State::Closed || p.h[1].tcb.state != State::Closed)
    RC_FAIL(std::string("both-closed: drained, but A is ") + name(p.h[0].tcb.state) + " and B is " +
            name(p.h[1].tcb.state) + p.trace());
  RC_TAG(name(prof));
  // How much of the bound the drain used: the check is not vacuous where some runs come close.
  RC_TAG(d.ticks * 4 <= bound ? "closed within T/4" : d.ticks * 2 <= bound ? "closed within T/2" : "closed within T");
  RC_TAG(p.steps >= 1000 ? "1000+ steps" : p.steps >= 100 ? "100-999 steps" : "<100 steps");
  RC_TAG(p.next_conn > 2 ? "reopened" : "one connection");
  RC_TAG(p.wrapped ? "crossed 2^32" : "no wrap");
  RC_TAG(p.rt_checked > 0 ? "reliable-termination judged" : "reliable-termination premise broken");
}

// Mutants caught here (tests/properties/CMakeLists.txt): time-wait-zero (reliable-termination),
// no-fin-retransmit (both-closed), no-window-check (no-stale-delivery; stream-integrity on other
// seeds). unique-tcb catches no catalogued mutant, since none touches connect() or the
// demultiplexing rules; it stays as the guard of the one-TCB-per-4-tuple rule of ports.hpp.
RC_GTEST_PROP(Pair, TwoCoresOverALossyNetworkKeepStreamsAndIncarnationsApart, ()) { pair_run(); }

// both-closed's bound can fail: one connection closed by A with nothing lost takes TIME-WAIT's
// length to end, so a bound one tick shorter is a violation, and TIME-WAIT's length is not.
TEST(PairBothClosed, ABoundShorterThanTimeWaitIsAViolation) {
  Config c = profile_config(Profile::Reference);
  c.msl = kMsl; c.time_wait = 2 * kMsl; c.rto = 3; c.rto_backoff = false;
  for (const std::uint32_t bound : {c.time_wait - 1, c.time_wait + 2 * kNormalDelay}) {
    Pair p(c, 1000, 5000);
    while (!p.net.empty()) p.deliver(0, false);  // the handshake
    ASSERT_EQ(p.h[0].tcb.state, State::Established);
    p.app(0, Input::close(p.now));
    const Pair::Drained d = p.drain(bound);
    if (bound < c.time_wait) {
      EXPECT_NE(d.violation.find("both-closed: still open after 16 fault-free ticks (bound 15), A is TIME-WAIT"),
                std::string::npos) << d.violation;
    } else {
      EXPECT_EQ(d.violation, "");
      EXPECT_EQ(d.ticks, c.time_wait);
    }
  }
  EXPECT_GE(model::both_closed_within(c), c.time_wait + c.msl);  // the bound the pair runs use
}

// T as docs/properties.md states it, for the model's reference ticks and the pair runs' config.
TEST(PairBothClosed, TheBoundIsTheSumOfTheProfilesTimers) {
  const Config m = model::model_config(Profile::Reference);  // MSL 2, RTO 1 backed off 64x, TIME-WAIT 4
  EXPECT_EQ(model::both_closed_within(m), 2u + 64u + 4u + 4u);
  Config p = profile_config(Profile::Linux);
  p.msl = kMsl; p.time_wait = 2 * kMsl; p.rto = 3; p.rto_backoff = false; p.rtt_estimate = false;
  p.fin_wait2 = FinWait2Timeout::OrphanOnly; p.fin_wait2_timeout = 4 * kMsl; p.delack_min = 1; p.delack_ato = 2;
  EXPECT_EQ(model::both_closed_within(p), 8u + 3u + 32u + 16u + (p.delayed_ack != DelayedAck::Off ? 2u : 0u) + 4u);
  p.rtt_estimate = true;  // an estimated RTO may grow to rto_max
  EXPECT_EQ(model::both_closed_within(p), 8u + p.rto_max + 32u + 16u + (p.delayed_ack != DelayedAck::Off ? 2u : 0u) + 4u);
}

}  // namespace
}  // namespace tcpclose::test
