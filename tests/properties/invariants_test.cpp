// property.Invariants.*: random (profile, TCB, input) steps of the real step(), each judged by
// the Z3 formula of one single-step invariant (proofs/invariants.hpp) on the lifted values.
// Rule: the C++ here never judges a step; it only runs step() and asks the oracle. A case is a
// batch of steps, so the default 100 cases try thousands; shrinking reduces it to one step.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include <tcpclose/proofs/invariants.hpp>

#include "generators.hpp"

namespace tcpclose::test {
namespace {

using proofs::InvariantId;

proofs::Oracle& oracle() {
  static proofs::Oracle o;  // one Z3 context for the whole run: terms are cheap, contexts are not
  return o;
}

void check_all(InvariantId id, const std::vector<StepCase>& cases) {
  for (const StepCase& k : cases) {
    // The generator's promise: every TCB it builds is well-formed by the same formulas.
    RC_ASSERT(oracle().wellformed(k.cfg, k.tcb));
    const Output out = step(k.tcb, k.in, k.cfg);
    if (!oracle().holds(id, k.cfg, k.tcb, k.in, out))
      RC_FAIL(std::string("violated: ") + proofs::name(id) + ": " + proofs::statement(id) + shown(k) + "  output: " +
              shown(out));
  }
  RC_TAG(cases.size() >= 50 ? "50+ steps" : cases.size() >= 10 ? "10-49 steps" : "<10 steps");
}

// Catches no catalogued mutant (none breaks sequence order). The real defect it guards, an
// unbounded send() (before Config::snd_buf) putting SND.NXT over 2^31 past SND.UNA, is found by
// the fuzzer (186 executions with the cap removed from the core), not here: this property passed its 100
// default cases (a huge send in ESTABLISHED is about 1 step in 2000). The generators send up to
// 2^32 - 1 bytes anyway; core SendBuffer.SndUnaLeSndNxtAfterSendsOf2To31AndMore and
// Oracle.JudgesTheUnboundedSendBroken below are the checks that pin this defect.
RC_GTEST_PROP(Invariants, SndUnaLeSndNxt, (const std::vector<StepCase>& cases)) {
  check_all(InvariantId::SndUnaLeSndNxt, cases);
}
// Catches no catalogued mutant: no mutant touches the receive side's FIN processing. It guards
// the eighth check (a FIN beyond a gap, data after a FIN) against regressions.
RC_GTEST_PROP(Invariants, RcvNxtStopsAtFin, (const std::vector<StepCase>& cases)) {
  check_all(InvariantId::RcvNxtStopsAtFin, cases);
}
RC_GTEST_PROP(Invariants, TimeWaitEntry, (const std::vector<StepCase>& cases)) {
  check_all(InvariantId::TimeWaitEntry, cases);
}
RC_GTEST_PROP(Invariants, TimeWaitHeld, (const std::vector<StepCase>& cases)) {
  check_all(InvariantId::TimeWaitHeld, cases);
}
// Catches no catalogued mutant: none makes a RST answer a RST. It guards the one rule whose
// failure makes two stacks exchange RSTs for ever (RFC 9293 §3.10.7.1: "an incoming segment
// containing a RST is discarded").
RC_GTEST_PROP(Invariants, NoRstForRst, (const std::vector<StepCase>& cases)) {
  check_all(InvariantId::NoRstForRst, cases);
}
RC_GTEST_PROP(Invariants, ActionsMatchState, (const std::vector<StepCase>& cases)) {
  check_all(InvariantId::ActionsMatchState, cases);
}
RC_GTEST_PROP(Invariants, TimersMatchState, (const std::vector<StepCase>& cases)) {
  check_all(InvariantId::TimersMatchState, cases);
}
RC_GTEST_PROP(Invariants, UnacceptableIgnored, (const std::vector<StepCase>& cases)) {
  check_all(InvariantId::UnacceptableIgnored, cases);
}

// The oracle is not blind: a step that breaks an invariant by hand is judged broken. (The
// mutation tests show the same against real broken cores.)
TEST(Oracle, JudgesAHandBrokenStepBroken) {
  const Config c = reference_config();
  const Tcb pre = classes::canonical_tcb(State::TimeWait, c);
  const Input in = Input::segment(classes::kNow, Segment{});
  Output out = step(pre, in, c);
  ASSERT_TRUE(oracle().holds(InvariantId::TimeWaitHeld, c, pre, in, out));
  out.tcb.state = State::Closed;  // TIME-WAIT left on a plain segment
  EXPECT_FALSE(oracle().holds(InvariantId::TimeWaitHeld, c, pre, in, out));
  out = step(pre, in, c);
  out.tcb.snd_una = out.tcb.snd_nxt + 1;
  EXPECT_FALSE(oracle().holds(InvariantId::SndUnaLeSndNxt, c, pre, in, out));
  EXPECT_FALSE(oracle().wellformed(c, out.tcb));
}

// The defect the send buffer fixed, rebuilt by hand: the old on_send took all of n = 2^31 + 1,
// so SND.NXT ended more than 2^31 past SND.UNA (serial a <= b is a - b <= 0 as int32, still true
// at exactly 2^31). The oracle must judge that step broken.
TEST(Oracle, JudgesTheUnboundedSendBroken) {
  const Config c = reference_config();
  const Tcb pre = classes::canonical_tcb(State::Established, c);
  const Input in = Input::send(classes::kNow, 0x80000001u);
  Output out = step(pre, in, c);
  ASSERT_TRUE(oracle().holds(InvariantId::SndUnaLeSndNxt, c, pre, in, out));
  ASSERT_EQ(pre.snd_una, pre.snd_nxt);
  out.tcb.snd_nxt = pre.snd_nxt + 0x80000001u;  // what the unbounded send did
  out.result_n = 0x80000001u;
  EXPECT_FALSE(oracle().holds(InvariantId::SndUnaLeSndNxt, c, pre, in, out));
}

// Two cases the step fuzzer found once the ASan preset ran it with the estimated RTO: each is a
// legal step the invariant's first wording judged broken. They stay judged right here, where
// the fuzzer's sampling cannot skip them.
TEST(Oracle, AnEstimatedRtoMayBeShorterThanTheFixedOne) {
  // linux: once SRTT is measured the retransmission timer follows it (RFC 6298, rto_var_min
  // 200 ms), shorter than the fixed 1 s RTO that timers-match-state first bounded it by.
  const Config c = linux_config();
  Tcb pre = classes::canonical_tcb(State::Established, c);
  pre.srtt = 8 * 50;   // 50 ms
  pre.rttvar = 4 * 5;
  const Input in = Input::send(classes::kNow, 10);
  const Output out = step(pre, in, c);
  ASSERT_TRUE(out.tcb.armed(Timer::Rexmit));
  EXPECT_LT(out.tcb.at(Timer::Rexmit) - classes::kNow, c.rto - 1);
  EXPECT_TRUE(oracle().holds(InvariantId::TimersMatchState, c, pre, in, out));
  Output wrong = out;  // the bound is still a bound: past rto_max is broken
  wrong.tcb.deadline[static_cast<std::size_t>(Timer::Rexmit)] = classes::kNow + c.rto_max + 1;
  EXPECT_FALSE(oracle().holds(InvariantId::TimersMatchState, c, pre, in, wrong));
}

TEST(Oracle, WithoutTimeWaitTheLastAckLeavesForClosed) {
  // time_wait = 0: the peer's FIN in FIN-WAIT-2 is ACKed and the connection is CLOSED at once,
  // so "CLOSED sends only RSTs" holds for segments that arrive in CLOSED, not for this ACK.
  Config c = reference_config();
  c.time_wait = 0;
  const Tcb pre = classes::canonical_tcb(State::FinWait2, c);
  Segment fin;
  fin.flags = flag::FIN | flag::ACK;
  fin.seq = pre.rcv_nxt;
  fin.ack = pre.snd_nxt;
  fin.wnd = 1000;
  const Input in = Input::segment(classes::kNow, fin);
  const Output out = step(pre, in, c);
  ASSERT_EQ(out.tcb.state, State::Closed);
  ASSERT_NE(out.actions.sent(), nullptr);
  EXPECT_TRUE(oracle().holds(InvariantId::ActionsMatchState, c, pre, in, out));
  // From CLOSED itself an ACK is still broken.
  const Tcb closed = classes::canonical_tcb(State::Closed, c);
  Output wrong = step(closed, in, c);
  Segment ack = fin;
  ack.flags = flag::ACK;
  wrong.actions = Output{}.actions;
  wrong.actions.push_send(ack);
  EXPECT_FALSE(oracle().holds(InvariantId::ActionsMatchState, c, closed, in, wrong));
}

// Found by the step fuzzer under ASan after the fin_wait2_timewait knob: Linux's orphaned
// FIN-WAIT-2 is a timewait socket, which judges a RST by tcp_in_window over the whole segment, so
// a RST from below RCV.NXT whose data reaches into the window ends it ("goto kill"). Legal under
// linux; the same step in a FIN-WAIT-2 with an open descriptor (RFC 9293's RST test) is broken.
TEST(Oracle, LinuxOrphanedFinWait2JudgesARstByTheWholeSegment) {
  const Config c = linux_config();
  Tcb pre = classes::canonical_tcb(State::FinWait2, c);
  pre.orphan = true;
  Segment rst;
  rst.flags = flag::RST | flag::ACK;
  rst.seq = pre.rcv_nxt - 27;
  rst.len = 229;
  rst.ack = pre.snd_nxt;
  const Input in = Input::segment(classes::kNow, rst);
  const Output out = step(pre, in, c);
  ASSERT_EQ(out.tcb.state, State::Closed);
  EXPECT_TRUE(oracle().holds(InvariantId::UnacceptableIgnored, c, pre, in, out));
  Tcb held = pre;
  held.orphan = false;
  Output wrong = out;  // the same ending, where RFC 9293's test says the RST is outside the window
  EXPECT_FALSE(oracle().holds(InvariantId::UnacceptableIgnored, c, held, in, wrong));
}

}  // namespace
}  // namespace tcpclose::test
