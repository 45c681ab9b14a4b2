// TIME-WAIT in depth: the 2MSL timer, RST policy (RFC 1337 vs RFC 9293), SYN reopening (RFC 1122,
// RFC 6191, Linux) and the mutants that break TIME-WAIT.
// Rule: each knob is tested on both sides of its boundary; each mutant is shown to change
// exactly the behaviour it names, by comparing it with the real protocol over every class.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

#include "fixtures.hpp"

namespace tcpclose {
namespace {

using namespace tcpclose::test;

constexpr std::uint32_t kWnd = 65535;
constexpr std::uint32_t kTw = 240000;  // reference TIME-WAIT, 2 x 120 s MSL in 1 ms ticks
const Config kRef = reference_config();

// The reopening and mutant tests isolate one rule each, so they keep 2MSL still on an answer
// (RFC 9293's restart rule); the restart policies have their own tests below.
Config fin_restart(Config c = reference_config()) {
  c.time_wait_restart = TimeWaitRestart::OnFin;
  return c;
}
Config with_reopen(SynReopen p, Config c = fin_restart()) {
  c.syn_reopen = p;
  return c;
}
Config with_mutant(Mutant m, Config c = fin_restart()) {
  c.mutant = m;
  return c;
}

// The TIME-WAIT TCB at RCV.NXT 5002, TS.Recent 100, 2MSL due at 240000 (see classes.hpp).
Tcb tw(const Config& c = reference_config()) { return tcb_time_wait(c); }

// Asserts that the SYN reopened TIME-WAIT into SYN-RECEIVED with ISS `iss`.
::testing::AssertionResult reopened(const Output& o, Seq syn_seq, Seq iss) {
  if (o.tcb.state != State::SynReceived)
    return ::testing::AssertionFailure() << "state " << name(o.tcb.state);
  if ((o.effects & effect::Reopened) == 0) return ::testing::AssertionFailure() << "no Reopened";
  if (o.tcb.irs != syn_seq || o.tcb.rcv_nxt != syn_seq + 1 || o.tcb.iss != iss)
    return ::testing::AssertionFailure() << "irs " << o.tcb.irs << " iss " << o.tcb.iss;
  if (o.tcb.armed(Timer::TimeWait)) return ::testing::AssertionFailure() << "2MSL still armed";
  return sends(o, flag::SYN | flag::ACK, iss, syn_seq + 1);
}

// Asserts that TIME-WAIT refused the SYN and stayed as it was (challenge ACK or PAWS ACK).
::testing::AssertionResult refused(const Output& o) {
  if (o.tcb.state != State::TimeWait)
    return ::testing::AssertionFailure() << "state " << name(o.tcb.state);
  if ((o.effects & effect::Reopened) != 0) return ::testing::AssertionFailure() << "Reopened";
  if (o.tcb.at(Timer::TimeWait) != kTw) return ::testing::AssertionFailure() << "2MSL moved";
  return sends(o, flag::ACK, 1002, 5002);
}

// Asserts that TIME-WAIT dropped the SYN silently (RFC 6191 §2 "silently drop the incoming
// SYN segment, thus leaving the previous incarnation of the connection in the TIME-WAIT state").
::testing::AssertionResult dropped_silently(const Output& o) {
  if (o.tcb.state != State::TimeWait)
    return ::testing::AssertionFailure() << "state " << name(o.tcb.state);
  if (o.verdict != Verdict::Dropped) return ::testing::AssertionFailure() << "verdict " << name(o.verdict);
  if (!o.actions.empty()) return ::testing::AssertionFailure() << o.actions.size << " actions";
  if (o.tcb.at(Timer::TimeWait) != kTw) return ::testing::AssertionFailure() << "2MSL moved";
  return ::testing::AssertionSuccess();
}

// ----- the 2MSL timer --------------------------------------------------------------------

TEST(TimeWaitTimer, RetransmittedFinRestartsTwoMslAndIsReackedEachTime) {
  // RFC 9293 §3.10.7.4 eighth check: TIME-WAIT + FIN -> ACK it and restart the 2 MSL timeout
  const Output first = deliver(tw(), seg_fin(5001, 1002), kRef, 100000);
  EXPECT_TRUE(sends(first, flag::ACK, 1002, 5002));
  EXPECT_EQ(first.tcb.at(Timer::TimeWait), 100000u + kTw);
  const Output second = deliver(first.tcb, seg_fin(5001, 1002), kRef, 200000);
  EXPECT_TRUE(sends(second, flag::ACK, 1002, 5002));
  EXPECT_EQ(second.tcb.at(Timer::TimeWait), 200000u + kTw);
  EXPECT_EQ(second.tcb.state, State::TimeWait);
}

TEST(TimeWaitTimer, RetransmittedFinWithTimestampsIsReackedWithTimestamps) {
  // RFC 7323 §3.2: once negotiated, every segment carries TSval and echoes TS.Recent
  const Output o = deliver(tw(), with_ts(seg_fin(5001, 1002), 150), kRef, 700);
  ASSERT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_TRUE(sent_segment(o)->has_ts);
  EXPECT_EQ(sent_segment(o)->ts_val, 700u);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), 700u + kTw);
}

TEST(TimeWaitTimer, ExpiresToClosedAfterExactlyTheConfiguredLength) {
  // RFC 9293 §3.10.8: "If the time-wait timeout expires on a connection, delete the TCB, enter
  // the CLOSED state and return"
  for (std::uint32_t length : {kTw, 1u, 1234u, 60000u}) {
    Config c = kRef;
    c.time_wait = length;
    const Output entered = deliver(tcb_fin_wait_2(c), seg_fin(5001, 1002), c, 500);
    ASSERT_EQ(entered.tcb.state, State::TimeWait) << length;
    const std::uint32_t due = 500 + length;
    ASSERT_EQ(entered.tcb.at(Timer::TimeWait), due) << length;

    const Output early = step(entered.tcb, Input::timeout(due - 1, Timer::TimeWait), c);
    EXPECT_EQ(early.result, Err::Inval) << length;
    EXPECT_TRUE(early.tcb == entered.tcb) << length;
    EXPECT_TRUE(early.actions.empty()) << length;

    const Output on_time = step(entered.tcb, Input::timeout(due, Timer::TimeWait), c);
    EXPECT_EQ(on_time.result, Err::None) << length;
    EXPECT_EQ(on_time.tcb.state, State::Closed) << length;
    EXPECT_FALSE(on_time.tcb.armed(Timer::TimeWait)) << length;
    EXPECT_TRUE(sends_nothing(on_time)) << length;
  }
}

TEST(TimeWaitTimer, AZeroLengthSkipsTimeWait) {
  // config.hpp: time_wait = 0 means there is no TIME-WAIT; the 4-tuple is free at once
  Config c = kRef;
  c.time_wait = 0;
  const Output o = deliver(tcb_fin_wait_2(c), seg_fin(5001, 1002), c, 500);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_FALSE(o.tcb.armed(Timer::TimeWait));
}

TEST(TimeWaitTimer, OtherTimersAreRefusedInTimeWait) {
  // RFC 9293 §3.10.8: only the armed timer can fire; a disarmed one is an invalid input
  const Output rexmit = step(tw(), Input::timeout(kTw, Timer::Rexmit), kRef);
  EXPECT_EQ(rexmit.result, Err::Inval);
  EXPECT_EQ(rexmit.tcb.state, State::TimeWait);
  const Output fw2 = step(tw(), Input::timeout(kTw, Timer::FinWait2), kRef);
  EXPECT_EQ(fw2.result, Err::Inval);
  EXPECT_EQ(fw2.tcb.state, State::TimeWait);
}

// ----- RST ---------------------------------------------------------------------------------

TEST(TimeWaitRst, Rfc1337IgnoresEveryRst) {
  // RFC 1337 §3 TW1 (rst_in_time_wait=Ignore): "ignore RST segments in TIME-WAIT state"
  for (const Segment& r : {seg_rst(5002), seg_rst(5100), seg_rst_ack(5002, 1002),
                           seg_rst(5002 + kWnd), seg_rst(5001)}) {
    const Output o = deliver(tw(), r, kRef, 10);
    EXPECT_EQ(o.verdict, Verdict::Dropped) << r.seq;
    EXPECT_TRUE(o.tcb == tw()) << r.seq;
    EXPECT_TRUE(o.actions.empty()) << r.seq;
  }
}

TEST(TimeWaitRst, KillWithWindowAcceptanceClosesOnAnyInWindowRst) {
  // RFC 9293 §3.10.7.4 second check with RFC 793's window rule: an in-window RST closes
  Config c = kRef;
  c.rst_in_time_wait = RstInTimeWait::Kill;
  c.rst_acceptance = RstAcceptance::Window;
  for (Seq s : {Seq{5002}, Seq{5100}, Seq{5002 + kWnd - 1}}) {
    const Output o = deliver(tw(c), seg_rst(s), c, 10);
    EXPECT_EQ(o.tcb.state, State::Closed) << s;
    EXPECT_EQ(o.verdict, Verdict::Accepted) << s;
    EXPECT_EQ(o.effects, effect::RstAbort) << s;
    EXPECT_TRUE(cancelled(o, Timer::TimeWait)) << s;
    EXPECT_TRUE(sends_nothing(o)) << s;
  }
  for (Seq s : {Seq{5001}, Seq{5002 + kWnd}}) {  // just outside either edge
    const Output o = deliver(tw(c), seg_rst(s), c, 10);
    EXPECT_EQ(o.tcb.state, State::TimeWait) << s;
    EXPECT_EQ(o.verdict, Verdict::Dropped) << s;
  }
}

TEST(TimeWaitRst, KillWithExactAcceptanceClosesOnlyAtRcvNxt) {
  // RFC 5961 §3.2: only SEG.SEQ = RCV.NXT resets; elsewhere in the window, a challenge ACK
  Config c = kRef;
  c.rst_in_time_wait = RstInTimeWait::Kill;
  c.rst_acceptance = RstAcceptance::Exact;
  const Output exact = deliver(tw(c), seg_rst(5002), c, 10);
  EXPECT_EQ(exact.tcb.state, State::Closed);
  EXPECT_EQ(exact.effects, effect::RstAbort);

  c.tw_challenge_ack = true;
  const Output near = deliver(tw(c), seg_rst(5003), c, 10);
  EXPECT_EQ(near.tcb.state, State::TimeWait);
  EXPECT_EQ(near.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(near, flag::ACK, 1002, 5002));

  c.tw_challenge_ack = false;  // Linux: a non-exact RST is dropped without a word
  const Output quiet = deliver(tw(c), seg_rst(5003), c, 10);
  EXPECT_EQ(quiet.tcb.state, State::TimeWait);
  EXPECT_EQ(quiet.verdict, Verdict::Dropped);
  EXPECT_TRUE(quiet.actions.empty());
}

// ----- SYN reopening -----------------------------------------------------------------------

TEST(TimeWaitReopen, NeverRefusesEvenAHigherSynWithANewerTimestamp) {
  // RFC 9293 §3.10.7.4 fourth check (syn_reopen=Never): a SYN in TIME-WAIT is a SYN in a
  // synchronized state, answered by a challenge ACK
  const Config c = with_reopen(SynReopen::Never);
  EXPECT_TRUE(refused(deliver(tw(c), with_ts(seg_syn(9000), 500), c, 10)));
  EXPECT_TRUE(refused(deliver(tw(c), seg_syn(5003), c, 10)));
}

TEST(TimeWaitReopen, HigherSeqAcceptsOnlyASynAboveRcvNxt) {
  // RFC 1122 §4.2.2.13: a SYN may reopen TIME-WAIT if its sequence number is larger than the
  // largest sequence number used for the previous connection incarnation
  const Config c = with_reopen(SynReopen::HigherSeq);
  EXPECT_TRUE(reopened(deliver(tw(c), seg_syn(5003), c, 10, 3000), 5003, 3000));
  EXPECT_TRUE(refused(deliver(tw(c), seg_syn(5002), c, 10)));
  EXPECT_TRUE(refused(deliver(tw(c), seg_syn(5001), c, 10)));
  // the timestamp plays no part: a newer TSval does not rescue a lower sequence number
  EXPECT_TRUE(refused(deliver(tw(c), with_ts(seg_syn(5002), 500), c, 10)));
}

TEST(TimeWaitReopen, HigherSeqReopenArmsTheSynAckRetransmission) {
  // RFC 9293 §3.10.7.2: the new incarnation is in SYN-RECEIVED with its SYN,ACK outstanding
  const Config c = with_reopen(SynReopen::HigherSeq);
  const Output o = deliver(tw(c), seg_syn(7000), c, 1234, 3000);
  ASSERT_TRUE(reopened(o, 7000, 3000));
  EXPECT_EQ(o.tcb.at(Timer::Rexmit), 1234u + 1000u);
  EXPECT_TRUE(cancelled(o, Timer::TimeWait));
  EXPECT_TRUE(o.tcb.passive);
  EXPECT_FALSE(o.tcb.orphan);  // a new socket will accept() it
  EXPECT_EQ(o.tcb.snd_nxt, 3001u);
}

TEST(TimeWaitReopen, TimestampsAcceptsANewerTsvalWhateverTheSequence) {
  // RFC 6191 §2: timestamps in use and SYN TSval > last TSval seen -> honor the request
  const Config c = with_reopen(SynReopen::Timestamps);
  EXPECT_TRUE(reopened(deliver(tw(c), with_ts(seg_syn(5000), kTsRecent + 1), c, 10, 3000),
                       5000, 3000));
  const Output o = deliver(tw(c), with_ts(seg_syn(5000), kTsRecent + 1), c, 10, 3000);
  EXPECT_TRUE(o.tcb.ts_ok);
  EXPECT_EQ(o.tcb.ts_recent, kTsRecent + 1);
}

TEST(TimeWaitReopen, TimestampsSilentlyDropsAnOlderTsvalEvenWithAHigherSequence) {
  // RFC 6191 §2 "Otherwise, silently drop the incoming SYN segment": RFC 6191 decides a bare
  // SYN in TIME-WAIT before PAWS would ACK it
  const Config c = with_reopen(SynReopen::Timestamps);
  EXPECT_TRUE(dropped_silently(deliver(tw(c), with_ts(seg_syn(9000), kTsRecent - 1), c, 10)));
}

TEST(TimeWaitReopen, TimestampsRefusesAnEqualTsvalWithoutAHigherSequence) {
  // RFC 6191 §2: an equal TSval is honored only together with a higher sequence number
  const Config c = with_reopen(SynReopen::Timestamps);
  EXPECT_TRUE(dropped_silently(deliver(tw(c), with_ts(seg_syn(5002), kTsRecent), c, 10)));
  EXPECT_TRUE(dropped_silently(deliver(tw(c), with_ts(seg_syn(5001), kTsRecent), c, 10)));
}

TEST(TimeWaitReopen, TimestampsAcceptsAnySynThatEnablesTimestampsWhenTheOldConnectionHadNone) {
  // RFC 6191 §2: "If the previous incarnation of the connection did not use Timestamps ... If
  // TCP Timestamps would be enabled for the new incarnation of the connection, honor the
  // incoming connection request", whatever its sequence number
  const Config c = with_reopen(SynReopen::Timestamps);
  Tcb t = tw(c);
  t.ts_ok = false;
  t.ts_recent = 0;
  EXPECT_TRUE(reopened(deliver(t, with_ts(seg_syn(4000), 7), c, 10, 3000), 4000, 3000));
  EXPECT_TRUE(dropped_silently(deliver(t, seg_syn(4000), c, 10)));
}

TEST(TimeWaitReopen, TimestampsAcceptsAnEqualTsvalWithAHigherSequence) {
  // RFC 6191 §2: "the timestamp contained in the incoming SYN segment is equal to the last
  // timestamp seen ... and the Sequence Number of the incoming SYN segment is greater than the
  // last sequence number seen ... honor the connection request"
  const Config c = with_reopen(SynReopen::Timestamps);
  EXPECT_TRUE(reopened(deliver(tw(c), with_ts(seg_syn(5003), kTsRecent), c, 10, 3000), 5003,
                       3000));
}

TEST(TimeWaitReopen, TimestampsFallsBackToTheSequenceWhenTheSynHasNoTimestamp) {
  // RFC 6191 §2: timestamps not enabled for the new incarnation -> honor only a higher sequence
  const Config c = with_reopen(SynReopen::Timestamps);
  EXPECT_TRUE(reopened(deliver(tw(c), seg_syn(5003), c, 10, 3000), 5003, 3000));
  EXPECT_TRUE(dropped_silently(deliver(tw(c), seg_syn(5002), c, 10)));
}

TEST(TimeWaitReopen, SeqOrTimestampAcceptsEitherAHigherSequenceOrANewerTsval) {
  // Linux tcp_timewait_state_process: !paws_reject && (after(seq, rcv_nxt) ||
  // (saw_tstamp && ts_recent - rcv_tsval < 0))
  const Config c = with_reopen(SynReopen::SeqOrTimestamp);
  EXPECT_TRUE(reopened(deliver(tw(c), with_ts(seg_syn(5003), kTsRecent), c, 10, 3000), 5003,
                       3000));  // by sequence, TSval merely equal
  EXPECT_TRUE(reopened(deliver(tw(c), with_ts(seg_syn(5000), kTsRecent + 1), c, 10, 3000), 5000,
                       3000));  // by timestamp, sequence lower
  EXPECT_TRUE(reopened(deliver(tw(c), seg_syn(5003), c, 10, 3000), 5003, 3000));
}

TEST(TimeWaitReopen, SeqOrTimestampRefusesNeitherHigherNorNewerAndPawsRejects) {
  // Linux tcp_timewait_state_process: an equal TSval at RCV.NXT is neither; PAWS wins over seq
  const Config c = with_reopen(SynReopen::SeqOrTimestamp);
  EXPECT_TRUE(refused(deliver(tw(c), with_ts(seg_syn(5002), kTsRecent), c, 10)));
  EXPECT_TRUE(refused(deliver(tw(c), seg_syn(5002), c, 10)));
  EXPECT_TRUE(refused(deliver(tw(c), with_ts(seg_syn(9000), kTsRecent - 1), c, 10)));
}

TEST(TimeWaitReopen, ASynWithAckNeverReopens) {
  // RFC 1122 §4.2.2.13 speaks of a new connection request: a bare SYN; SYN,ACK is not one
  const Config c = with_reopen(SynReopen::HigherSeq);
  const Output o = deliver(tw(c), seg_syn_ack(6000, 1002), c, 10);
  EXPECT_EQ(o.tcb.state, State::TimeWait);
  EXPECT_EQ(o.effects & effect::Reopened, 0);
}

TEST(TimeWaitReopen, DropWithoutAckSilencesTheSynsThatCannotReopen) {
  // Config::tw_drop_without_ack (FreeBSD tcp_twcheck): each reopening policy still reopens what
  // it allows; what it refuses is dropped without the ACK it drew before
  for (SynReopen p : {SynReopen::Never, SynReopen::HigherSeq, SynReopen::SeqOrTimestamp}) {
    Config c = with_reopen(p);
    EXPECT_TRUE(refused(deliver(tw(c), seg_syn(5002), c, 10)));
    c.tw_drop_without_ack = true;
    const Output o = deliver(tw(c), seg_syn(5002), c, 10);
    EXPECT_EQ(o.verdict, Verdict::Dropped);
    EXPECT_TRUE(sends_nothing(o));
    EXPECT_EQ(o.tcb, tw(c));
    if (p != SynReopen::Never) { EXPECT_TRUE(reopened(deliver(tw(c), seg_syn(5003), c, 10, 3000), 5003, 3000)); }
  }
  // a segment with ACK is unaffected: an out-of-window ACK is still ACKed (RFC 9293 first check)
  Config c = with_reopen(SynReopen::HigherSeq);
  c.tw_drop_without_ack = true;
  EXPECT_EQ(deliver(tw(c), seg_ack(200000, 1002), c, 10).verdict, Verdict::DroppedAcked);
}

TEST(TimeWaitReopen, AboveSndNxtIssIsSndNxtPlus65537) {
  // Linux tcp_timewait_state_process: isn = tw_snd_nxt + 65535 + 2 (0 becomes 1)
  Config c = with_reopen(SynReopen::HigherSeq);
  c.reopen_iss = ReopenIss::AboveSndNxt;
  EXPECT_TRUE(reopened(deliver(tw(c), seg_syn(5003), c, 10, 3000), 5003, 1002u + 65537u));

  Tcb t = tw(c);
  t.snd_una = t.snd_nxt = 0u - 65537u;  // snd_nxt + 65537 wraps to exactly 0
  EXPECT_TRUE(reopened(deliver(t, seg_syn(5003), c, 10, 3000), 5003, 1));

  c.reopen_iss = ReopenIss::FromInput;
  EXPECT_TRUE(reopened(deliver(tw(c), seg_syn(5003), c, 10, 3000), 5003, 3000));
}

// ----- mutants -----------------------------------------------------------------------------

bool same(const Output& a, const Output& b) {
  if (!(a.tcb == b.tcb) || a.verdict != b.verdict || a.effects != b.effects ||
      a.result != b.result || a.result_n != b.result_n || a.actions.size != b.actions.size)
    return false;
  for (std::size_t i = 0; i < a.actions.size; ++i)
    if (!(a.actions.items[i] == b.actions.items[i])) return false;
  return true;
}

// Over every (state, input class), the mutant's output differs from the real protocol's
// exactly where `named` holds, and it holds somewhere.
void expect_differs_exactly_where(
    Mutant m, const Config& base,
    const std::function<bool(const Tcb&, const Input&, const Output& real)>& named) {
  const Config mutant = with_mutant(m, base);
  std::size_t differing = 0;
  for (State s : kAllStates) {
    const Tcb t = classes::canonical_tcb(s, base);
    for (const classes::InputClass& k : classes::all_classes()) {
      const Input in = classes::make_input(k, t);
      const Output real = step(t, in, base);
      const bool differs = !same(real, step(t, in, mutant));
      const bool expected = named(t, in, real);
      if (differs) ++differing;
      EXPECT_EQ(differs, expected)
          << name(m) << " in " << name(s) << " on "
          << (k.is_segment ? std::string(flag_text(k.flags).text) + " " + classes::name(k.seq) +
                                 " " + classes::name(k.ack)
                           : std::string(classes::name(k.other)));
    }
  }
  EXPECT_GT(differing, 0u) << name(m) << " changed nothing";
}

bool is_segment_with(const Input& in, std::uint8_t f) {
  return in.kind == InputKind::Segment && in.seg.has(f);
}

TEST(TimeWaitMutants, TimeWaitZeroClosesWhereTimeWaitIsDueAndStillAcks) {
  // Mutant TimeWaitZero: "enter CLOSED where TIME-WAIT is due" (RFC 9293 §3.10.7.4 violated)
  const Config c = with_mutant(Mutant::TimeWaitZero);
  const Output o = deliver(tcb_fin_wait_2(c), seg_fin(5001, 1002), c, 100);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_FALSE(o.tcb.armed(Timer::TimeWait));
  EXPECT_EQ(deliver(tcb_closing(c), seg_ack(5002, 1002), c, 100).tcb.state, State::Closed);
  EXPECT_EQ(deliver(tcb_fin_wait_1(c), seg_fin(5001, 1002), c, 100).tcb.state, State::Closed);
}

TEST(TimeWaitMutants, TimeWaitZeroChangesOnlyTheEntriesIntoTimeWait) {
  // Mutant TimeWaitZero names the entry into TIME-WAIT and nothing else
  expect_differs_exactly_where(Mutant::TimeWaitZero, kRef,
                               [](const Tcb& t, const Input&, const Output& real) {
                                 return t.state != State::TimeWait &&
                                        real.tcb.state == State::TimeWait;
                               });
}

TEST(TimeWaitMutants, TimeWaitOneMslArmsMslInsteadOfTwoMsl) {
  // Mutant TimeWaitOneMsl: TIME-WAIT lasts MSL (120 s) instead of 2MSL (240 s)
  const Config c = with_mutant(Mutant::TimeWaitOneMsl);
  const Output entered = deliver(tcb_fin_wait_2(c), seg_fin(5001, 1002), c, 100);
  EXPECT_EQ(entered.tcb.state, State::TimeWait);
  EXPECT_EQ(entered.tcb.at(Timer::TimeWait), 100u + 120000u);
  EXPECT_EQ(deliver(tcb_fin_wait_2(), seg_fin(5001, 1002), kRef, 100).tcb.at(Timer::TimeWait),
            100u + kTw);
  const Output restarted = deliver(tw(c), seg_fin(5001, 1002), c, 1000);
  EXPECT_EQ(restarted.tcb.at(Timer::TimeWait), 1000u + 120000u);
}

TEST(TimeWaitMutants, TimeWaitOneMslChangesOnlyTheLengthOfEveryTwoMslArming) {
  // Mutant TimeWaitOneMsl names the TIME-WAIT length: wherever 2MSL is armed, and only there
  expect_differs_exactly_where(Mutant::TimeWaitOneMsl, kRef,
                               [](const Tcb&, const Input&, const Output& real) {
                                 return armed_at(real, Timer::TimeWait).has_value();
                               });
}

TEST(TimeWaitMutants, RstKillsTimeWaitAcceptsEveryRstIncludingOutOfWindow) {
  // Mutant RstKillsTimeWait: the RFC 1337 §2 assassination, against rst_in_time_wait=Ignore
  const Config c = with_mutant(Mutant::RstKillsTimeWait);
  for (Seq s : {Seq{5002}, Seq{5100}, Seq{5002 + kWnd}}) {
    const Output o = deliver(tw(c), seg_rst(s), c, 10);
    EXPECT_EQ(o.tcb.state, State::Closed) << s;
    EXPECT_EQ(o.effects, effect::RstAbort) << s;
    EXPECT_EQ(deliver(tw(), seg_rst(s), kRef, 10).tcb.state, State::TimeWait) << s;
  }
}

TEST(TimeWaitMutants, RstKillsTimeWaitChangesOnlyRstInTimeWait) {
  // Mutant RstKillsTimeWait: RSTs in other states keep RFC 5961's rules
  expect_differs_exactly_where(Mutant::RstKillsTimeWait, kRef,
                               [](const Tcb& t, const Input& in, const Output&) {
                                 return t.state == State::TimeWait &&
                                        is_segment_with(in, flag::RST);
                               });
}

TEST(TimeWaitMutants, NoReackInTimeWaitIgnoresTheRetransmittedFin) {
  // Mutant NoReackInTimeWait: the retransmitted FIN is neither ACKed nor restarts 2MSL
  const Config c = with_mutant(Mutant::NoReackInTimeWait);
  const Output o = deliver(tw(c), seg_fin(5001, 1002), c, 1000);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(sends_nothing(o));
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), kTw);
  // an out-of-window segment is still ACKed
  EXPECT_TRUE(sends(deliver(tw(c), seg_ack(5002 + kWnd, 1002), c, 1000), flag::ACK, 1002, 5002));
}

bool retransmitted_fin_in_time_wait(const Tcb& t, const Input& in) {
  return t.state == State::TimeWait && is_segment_with(in, flag::FIN) &&
         !in.seg.has(flag::SYN) && !in.seg.has(flag::RST) &&
         in.seg.seq + in.seg.seg_len() == t.rcv_nxt;
}

TEST(TimeWaitMutants, NoReackInTimeWaitChangesOnlyTheRetransmittedFin) {
  // Mutant NoReackInTimeWait names the peer's FIN again in TIME-WAIT, nothing else
  expect_differs_exactly_where(Mutant::NoReackInTimeWait, kRef,
                               [](const Tcb& t, const Input& in, const Output&) {
                                 return retransmitted_fin_in_time_wait(t, in);
                               });
}

TEST(TimeWaitMutants, NoTimeWaitRestartAcksButKeepsTheOldDeadline) {
  // Mutant NoTimeWaitRestart: the FIN is ACKed, 2MSL is not restarted
  const Config c = with_mutant(Mutant::NoTimeWaitRestart);
  const Output o = deliver(tw(c), seg_fin(5001, 1002), c, 1000);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), kTw);
  EXPECT_FALSE(armed_at(o, Timer::TimeWait).has_value());
}

TEST(TimeWaitMutants, NoTimeWaitRestartChangesOnlyRestartsInTimeWait) {
  // Mutant NoTimeWaitRestart: entering TIME-WAIT still arms 2MSL; only restarts are lost
  expect_differs_exactly_where(Mutant::NoTimeWaitRestart, kRef,
                               [](const Tcb& t, const Input&, const Output& real) {
                                 return t.state == State::TimeWait &&
                                        armed_at(real, Timer::TimeWait).has_value();
                               });
  // under Linux's OnAck restart, ACK-bearing segments are restarts too
  expect_differs_exactly_where(Mutant::NoTimeWaitRestart, linux_config(),
                               [](const Tcb& t, const Input&, const Output& real) {
                                 return t.state == State::TimeWait &&
                                        armed_at(real, Timer::TimeWait).has_value();
                               });
}

TEST(TimeWaitMutants, SynReopensAnyReopensOnAnOldSyn) {
  // Mutant SynReopensAny: any bare SYN reopens, even one below RCV.NXT with syn_reopen=Never
  const Config base = with_reopen(SynReopen::Never);
  const Config c = with_mutant(Mutant::SynReopensAny, base);
  EXPECT_TRUE(reopened(deliver(tw(c), seg_syn(4000), c, 10, 3000), 4000, 3000));
  EXPECT_TRUE(refused(deliver(tw(base), seg_syn(4000), base, 10)));
}

TEST(TimeWaitMutants, SynReopensAnyChangesOnlyBareSynsInTimeWait) {
  // Mutant SynReopensAny names SYNs arriving in TIME-WAIT, nothing else
  expect_differs_exactly_where(Mutant::SynReopensAny, with_reopen(SynReopen::Never),
                               [](const Tcb& t, const Input& in, const Output&) {
                                 return t.state == State::TimeWait &&
                                        is_segment_with(in, flag::SYN) &&
                                        !in.seg.has(flag::ACK) && !in.seg.has(flag::RST);
                               });
}


// ----- what restarts 2MSL --------------------------------------------------------------------

TEST(TimeWaitRestart, ReferenceRestartsTwoMslOnEverySegmentItAnswers) {
  // docs/model.md: an answer from TIME-WAIT can provoke a RST from a closed peer; restarting
  // 2MSL on every answer lets nothing it provokes outlive TIME-WAIT (TimeWaitRestart::OnAnswer)
  const Output ooo = deliver(tw(), seg_ack(5002 + kWnd, 1002), kRef, 1000);
  EXPECT_EQ(ooo.verdict, Verdict::DroppedAcked);
  EXPECT_EQ(ooo.tcb.at(Timer::TimeWait), 1000u + kTw);
  const Output bare_ack = deliver(tw(), seg_ack(5002, 1002), kRef, 1000);  // nothing answered
  EXPECT_TRUE(bare_ack.actions.empty());
  EXPECT_EQ(bare_ack.tcb.at(Timer::TimeWait), kTw);
}

TEST(TimeWaitRestart, AnAcceptableFinRestartsTwoMslUnderEveryPolicy) {
  // RFC 9293 §3.10.7.4 eighth check, TIME-WAIT STATE: "Remain in the TIME-WAIT state. Restart
  // the 2 MSL time-wait timeout" -- for any FIN that passed the acceptability test, not only
  // the retransmission at RCV.NXT - 1 (found by tcpclose check --profile freebsd, reopen-syn)
  for (Profile p : kAllProfiles) {
    const Config c = profile_config(p);
    Segment fin = seg_fin(5002 + 10, 1002);  // in the window, beyond RCV.NXT
    if (c.timestamps) fin = with_ts(fin, kTsRecent);
    const Output o = deliver(tw(c), fin, c, 1000);
    EXPECT_EQ(o.tcb.state, State::TimeWait) << name(p);
    EXPECT_EQ(o.tcb.at(Timer::TimeWait), 1000u + c.time_wait) << name(p);
    EXPECT_TRUE(o.actions.sent() != nullptr) << name(p);
  }
}

TEST(TimeWaitRestart, Rfc9293RestartsOnlyOnAFin) {
  // RFC 9293 §3.10.7.4 eighth check: only the retransmitted FIN restarts the 2 MSL timeout
  const Config c = rfc9293_config();
  const Output ooo = deliver(tw(c), seg_ack(5002 + kWnd, 1002), c, 1000);
  EXPECT_TRUE(ooo.actions.sent() != nullptr);
  EXPECT_EQ(ooo.tcb.at(Timer::TimeWait), kTw);
  EXPECT_EQ(deliver(tw(c), seg_fin(5001, 1002), c, 1000).tcb.at(Timer::TimeWait), 1000u + kTw);
}

TEST(TimeWaitRestart, LinuxRestartsOnAnyAckEvenWithoutAnswering) {
  // Linux tcp_timewait_state_process: inet_twsk_reschedule(tw, TCP_TIMEWAIT_LEN) for an
  // in-window bare ACK, and for any out-of-window segment with ACK
  const Config c = linux_config();
  const Output bare_ack = deliver(tw(c), with_ts(seg_ack(5002, 1002), kTsRecent), c, 1000);
  EXPECT_TRUE(bare_ack.actions.sent() == nullptr);
  EXPECT_EQ(bare_ack.tcb.at(Timer::TimeWait), 1000u + 60000u);
}

}  // namespace
}  // namespace tcpclose
