// The connect loop (model/connect_loop.hpp): E ephemeral ports and a TIME-WAIT of T ticks give
// the first failure at the (E+1)th attempt and a steady rate of E / (hold + T); tcp_tw_reuse
// lifts the limit; a stack that frees the port when TIME-WAIT begins is caught.
#include <cmath>

#include <gtest/gtest.h>
#include <tcpclose/model/connect_loop.hpp>

namespace tcpclose::model {
namespace {

LoopConfig loop(std::uint16_t e, std::uint32_t tw, PortPick pick = PortPick::Autobind) {
  LoopConfig c;
  c.ephemeral = e;
  c.time_wait = tw;
  c.pick = pick;
  c.ticks = 240;
  c.warmup = 40;
  return c;
}

// Window edges may cut at most E connections off a window's count.
bool rate_agrees(const LoopConfig& c, const LoopResult& r) {
  return std::fabs(r.rate() - predicted_rate(c, r.hold)) * r.window <= c.ephemeral;
}

TEST(ConnectLoop, HandshakeAndActiveCloseHoldThePortFourTicks) {
  const LoopResult r = run_connect_loop(loop(1, 5));
  EXPECT_EQ(r.hold, 4u);  // SYN, SYN-ACK, ACK+FIN, the server's FIN: one tick each
  EXPECT_FALSE(r.stuck);
  EXPECT_EQ(r.completed, r.successes);
}

TEST(ConnectLoop, FirstFailureIsTheAttemptAfterTheRangeRunsOut) {
  for (PortPick pick : {PortPick::Bind0, PortPick::Autobind})
    for (std::uint16_t e : {1, 2, 4})
      for (std::uint32_t tw : {1u, 3u, 8u}) {
        const LoopConfig c = loop(e, tw, pick);
        const LoopResult r = run_connect_loop(c);
        SCOPED_TRACE(testing::Message() << name(pick) << " E=" << e << " T=" << tw);
        EXPECT_EQ(r.first_failure, static_cast<std::int64_t>(e));
        EXPECT_EQ(r.first_failure, predicted_first_failure(c, r.hold));
        EXPECT_TRUE(rate_agrees(c, r)) << r.rate() << " against " << predicted_rate(c, r.hold);
        EXPECT_EQ(r.attempts, r.successes + r.addr_not_avail + r.addr_in_use);
      }
}

TEST(ConnectLoop, RateIsRangeOverTimeHeld) {
  LoopConfig c = loop(3, 8);
  c.ticks = 40 + 12 * 10;  // ten whole cycles of hold 4 + TIME-WAIT 8
  const LoopResult r = run_connect_loop(c);
  EXPECT_EQ(r.window_successes, 30u);  // 3 ports x 10 cycles
  EXPECT_DOUBLE_EQ(predicted_rate(c, r.hold), 3.0 / 12);
}

TEST(ConnectLoop, WithEnoughPortsNothingFails) {
  const LoopConfig c = loop(8, 3);  // 8 ports, each busy 7 ticks: one attempt a tick always finds one
  const LoopResult r = run_connect_loop(c);
  EXPECT_EQ(r.first_failure, -1);
  EXPECT_EQ(r.successes, r.attempts);
  EXPECT_EQ(predicted_first_failure(c, r.hold), -1);
}

TEST(ConnectLoop, Bind0RunsOutWithTheProfilesErrno) {
  // The loop's client is Linux's: bind(0) fails with EADDRINUSE (inet_csk_get_port), as the
  // linux profile's ports_exhausted says; with FreeBSD's EADDRNOTAVAIL the same attempts fail.
  const LoopResult lin = run_connect_loop(loop(2, 6, PortPick::Bind0));
  EXPECT_GT(lin.addr_in_use, 0u);
  EXPECT_EQ(lin.addr_not_avail, 0u);
  LoopConfig c = loop(2, 6, PortPick::Bind0);
  c.ports_exhausted = freebsd_config().ports_exhausted;
  const LoopResult bsd = run_connect_loop(c);
  EXPECT_EQ(bsd.addr_not_avail, lin.addr_in_use);
  EXPECT_EQ(bsd.addr_in_use, 0u);
  EXPECT_EQ(bsd.successes, lin.successes);  // the errno moves no port
  // connect() without bind() is __inet_hash_connect's EADDRNOTAVAIL whatever the knob
  const LoopResult autobind = run_connect_loop(loop(2, 6));
  EXPECT_GT(autobind.addr_not_avail, 0u);
  EXPECT_EQ(autobind.addr_in_use, 0u);
}

TEST(ConnectLoop, TwReuseTakesOverTheTimeWaitAfterItsDelay) {
  LoopConfig c = loop(2, 8);
  c.tw_reuse = true;
  const LoopResult r = run_connect_loop(c);
  EXPECT_GT(r.taken_over, 0u);
  EXPECT_TRUE(rate_agrees(c, r));
  EXPECT_DOUBLE_EQ(predicted_rate(c, r.hold), 2.0 / 5);  // hold 4 + the 1-tick delay
  EXPECT_GT(r.rate(), run_connect_loop(loop(2, 8)).rate());
}

// A broken stack that frees the binding when TIME-WAIT begins: the range never runs out at
// this rate, so the first-failure check above would fail on it.
TEST(ConnectLoop, ReleasingThePortAtTimeWaitIsCaught) {
  LoopConfig c = loop(4, 8);
  c.release_at_time_wait = true;
  const LoopResult r = run_connect_loop(c);
  EXPECT_EQ(r.first_failure, -1);
  EXPECT_NE(r.first_failure, predicted_first_failure(c, r.hold));
  EXPECT_FALSE(rate_agrees(c, r));
}

TEST(ConnectLoop, ValidateNamesTheFlag) {
  LoopConfig c = loop(0, 1);
  EXPECT_NE(validate(c).find("--ephemeral"), std::string::npos);
  c = loop(2, 1, PortPick::Bind0);
  c.tw_reuse = true;
  EXPECT_NE(validate(c).find("--tw-reuse"), std::string::npos);
  c = loop(2, 1);
  c.warmup = c.ticks;
  EXPECT_NE(validate(c).find("--warmup"), std::string::npos);
  EXPECT_EQ(validate(loop(2, 1)), "");
}

TEST(BindCases, ReuseaddrPassesATimeWaitOnlyAsEachRuleSays) {
  int rows = 0;
  for (const BindCase& b : bind_cases()) {
    if (b.port == kAnyPort || b.occupant == "nothing") continue;
    ++rows;
    const bool old_reuse = b.occupant.find("with SO_REUSEADDR") != std::string::npos &&
                           b.occupant.find("without") == std::string::npos;
    const bool ok = b.reuseaddr && (b.rule != "both (linux)" || old_reuse);
    EXPECT_EQ(b.result.rfind("ok", 0) == 0, ok) << b.port_class << " " << b.rule << " " << b.occupant;
  }
  EXPECT_EQ(rows, 3 * 2 * 3 * 2);
}

// The only port of the range is held, so port 0 finds none: the errno is that of the profile
// the rule comes from (EADDRINUSE for Linux's, inet_csk_get_port; EADDRNOTAVAIL otherwise).
TEST(BindCases, PortZeroNeverTakesATimeWaitPort) {
  int rows = 0;
  for (const BindCase& b : bind_cases())
    if (b.port == kAnyPort && b.occupant != "nothing") {
      ++rows;
      EXPECT_EQ(b.result, b.rule == "both (linux)" ? "EADDRINUSE" : "EADDRNOTAVAIL") << b.rule << " " << b.occupant;
    } else if (b.port == kAnyPort) {
      EXPECT_EQ(b.result, "ok (50000)") << b.rule;
    }
  EXPECT_EQ(rows, 3 * 2 * 2);
}

}  // namespace
}  // namespace tcpclose::model
