// The six closing states, one suite each, against the reference profile: FIN, ACK, RST, SYN,
// data and an out-of-window segment arriving in each (RFC 9293 §3.10.7.4).
// Rule: each test builds its TCB directly (fixtures.hpp) and asserts exact segments and states.
#include <cstdint>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

#include "fixtures.hpp"

namespace tcpclose {
namespace {

using namespace tcpclose::test;

constexpr std::uint32_t kWnd = 65535;  // the reference receive window
const Config kRef = reference_config();

// ===== FIN-WAIT-1: SND.UNA 1001 (our FIN), SND.NXT 1002, RCV.NXT 5001, orphaned ===============

TEST(FinWait1, FinEntersClosingAndAcksIt) {
  // RFC 9293 §3.10.7.4 eighth check: FIN-WAIT-1 + FIN, our FIN not ACKed -> CLOSING
  const Output o = deliver(tcb_fin_wait_1(), seg_fin(5001, 1001), kRef, 20);
  EXPECT_EQ(o.tcb.state, State::Closing);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.tcb.rcv_nxt, 5002u);
  EXPECT_TRUE(o.tcb.fin_rcvd);
  EXPECT_TRUE(has_action(o, ActionKind::Eof));
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.at(Timer::Rexmit), 1000u);  // our FIN is still outstanding
  EXPECT_FALSE(o.tcb.armed(Timer::TimeWait));
}

TEST(FinWait1, FinThatAcksOurFinEntersTimeWait) {
  // RFC 9293 §3.10.7.4 eighth check: FIN-WAIT-1 + FIN whose ACK covers our FIN -> TIME-WAIT
  const Output o = deliver(tcb_fin_wait_1(), seg_fin(5001, 1002), kRef, 50);
  EXPECT_EQ(o.tcb.state, State::TimeWait);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), 50u + 240000u);
  EXPECT_EQ(armed_at(o, Timer::TimeWait), 50u + 240000u);
  EXPECT_FALSE(o.tcb.armed(Timer::Rexmit));
  EXPECT_TRUE(cancelled(o, Timer::Rexmit));
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.effects, effect::Fin | effect::AckedNew);
}

TEST(FinWait1, AckOfOurFinEntersFinWait2) {
  // RFC 9293 §3.10.7.4 fifth check: FIN-WAIT-1, "if the FIN segment is now acknowledged, then
  // enter FIN-WAIT-2"
  const Output o = deliver(tcb_fin_wait_1(), seg_ack(5001, 1002), kRef, 30);
  EXPECT_EQ(o.tcb.state, State::FinWait2);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.tcb.snd_una, 1002u);
  EXPECT_TRUE(o.tcb.fin_acked);
  EXPECT_TRUE(cancelled(o, Timer::Rexmit));
  EXPECT_FALSE(o.tcb.armed(Timer::FinWait2));  // reference: FIN-WAIT-2 waits for ever
  EXPECT_TRUE(sends_nothing(o));
}

TEST(FinWait1, DuplicateAckChangesNothing) {
  // RFC 9293 §3.10.7.4 fifth check: "If the ACK is a duplicate (SEG.ACK =< SND.UNA), it can be
  // ignored"
  const Tcb t = tcb_fin_wait_1();
  const Output o = deliver(t, seg_ack(5001, 1001), kRef, 30);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_EQ(o.effects, 0);
  EXPECT_TRUE(o.actions.empty());
}

TEST(FinWait1, AckOfUnsentDataIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 fifth check: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT),
  // then send an ACK, drop the segment, and return"
  const Tcb t = tcb_fin_wait_1();
  const Output o = deliver(t, seg_ack(5001, 1003), kRef, 30);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5001));
  EXPECT_EQ(o.tcb.state, State::FinWait1);
  EXPECT_EQ(o.tcb.snd_una, 1001u);
}

TEST(FinWait1, ExactRstClosesWithoutTellingTheOrphan) {
  // RFC 9293 §3.10.7.4 second check: SEG.SEQ = RCV.NXT resets; FIN-WAIT-1 -> CLOSED
  const Output o = deliver(tcb_fin_wait_1(), seg_rst(5001), kRef, 30);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.effects, effect::RstAbort);
  EXPECT_FALSE(has_action(o, ActionKind::Error));  // close() was called: nobody to tell
  EXPECT_TRUE(cancelled(o, Timer::Rexmit));
  EXPECT_TRUE(sends_nothing(o));
}

TEST(FinWait1, ExactRstReportsConnResetAfterShutdown) {
  // RFC 9293 §3.10.7.4 second check: "any outstanding RECEIVEs and SEND should receive reset
  // responses ... signal connection reset"
  const Output o = deliver(half_closed(tcb_fin_wait_1()), seg_rst(5001), kRef, 30);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(error_told(o), Err::ConnReset);
  EXPECT_EQ(o.tcb.so_error, Err::ConnReset);
}

TEST(FinWait1, InWindowRstDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 second check (RFC 5961 §3.2): in window but not RCV.NXT -> challenge ACK
  const Output o = deliver(tcb_fin_wait_1(), seg_rst(5101), kRef, 30);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5001));
  EXPECT_EQ(o.tcb.state, State::FinWait1);
}

TEST(FinWait1, OutOfWindowRstIsSilentlyDropped) {
  // RFC 9293 §3.10.7.4 second check: a RST outside the window is silently dropped
  const Tcb t = tcb_fin_wait_1();
  for (Seq s : {Seq{5000}, Seq{5001 + kWnd}}) {
    const Output o = deliver(t, seg_rst(s), kRef, 30);
    EXPECT_EQ(o.verdict, Verdict::Dropped) << s;
    EXPECT_TRUE(o.actions.empty()) << s;
    EXPECT_TRUE(o.tcb == t) << s;
  }
}

TEST(FinWait1, SynDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 fourth check: a SYN, "irrespective of the sequence number", draws a
  // challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
  const Output o = deliver(tcb_fin_wait_1(), seg_syn(5101), kRef, 30);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5001));
  EXPECT_EQ(o.tcb.state, State::FinWait1);
}

TEST(FinWait1, DataAfterCloseDrawsRst) {
  // RFC 1122 §4.2.2.13 (rst_on_data_after_close): new data for a closed socket draws RST;
  // RFC 9293 §3.10.7.1 form <SEQ=SEG.ACK><CTL=RST>
  const Output o = deliver(tcb_fin_wait_1(), seg_data(5001, 1001, 100), kRef, 30);
  EXPECT_EQ(o.verdict, Verdict::Reset);
  EXPECT_TRUE(sends(o, flag::RST, 1001, 0));
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_FALSE(has_action(o, ActionKind::Readable));
}

TEST(FinWait1, DataOnAHalfClosedConnectionIsDelivered) {
  // RFC 9293 §3.10.7.4 seventh check: FIN-WAIT-1 processes text like ESTABLISHED
  const Output o = deliver(half_closed(tcb_fin_wait_1()), seg_data(5001, 1001, 100), kRef, 30);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.tcb.rcv_nxt, 5101u);
  EXPECT_EQ(o.tcb.rcv_unread, 100u);
  EXPECT_EQ(find_action(o, ActionKind::Readable)->n, 100u);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5101));
  EXPECT_EQ(o.tcb.state, State::FinWait1);
}

TEST(FinWait1, OutOfWindowSegmentIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 first check: an unacceptable segment draws <SEQ=SND.NXT><ACK=RCV.NXT>
  // and is dropped, even if it carries an ACK of our FIN
  const Output o = deliver(tcb_fin_wait_1(), seg_ack(5001 + kWnd, 1002), kRef, 30);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5001));
  EXPECT_EQ(o.tcb.state, State::FinWait1);
  EXPECT_FALSE(o.tcb.fin_acked);
}

// ===== FIN-WAIT-2: SND.UNA = SND.NXT = 1002, RCV.NXT 5001, orphaned ==========================

TEST(FinWait2, FinEntersTimeWaitAndArmsTwoMsl) {
  // RFC 9293 §3.10.7.4 eighth check: FIN-WAIT-2 + FIN -> TIME-WAIT, start the time-wait timer
  const Output o = deliver(tcb_fin_wait_2(), seg_fin(5001, 1002), kRef, 100);
  EXPECT_EQ(o.tcb.state, State::TimeWait);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), 240100u);
  EXPECT_EQ(armed_at(o, Timer::TimeWait), 240100u);
  EXPECT_EQ(o.tcb.rcv_nxt, 5002u);
  EXPECT_TRUE(has_action(o, ActionKind::Eof));
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
}

TEST(FinWait2, AcceptableAckChangesNothing) {
  // RFC 9293 §3.10.7.4 fifth check: SEG.ACK = SND.NXT with nothing outstanding is just noted
  const Tcb t = tcb_fin_wait_2();
  const Output o = deliver(t, seg_ack(5001, 1002), kRef, 100);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(FinWait2, DuplicateAckChangesNothing) {
  // RFC 9293 §3.10.7.4 fifth check: a duplicate ACK (SEG.ACK < SND.UNA) can be ignored
  const Tcb t = tcb_fin_wait_2();
  const Output o = deliver(t, seg_ack(5001, 1001), kRef, 100);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(FinWait2, AckOfUnsentDataIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 fifth check: SEG.ACK > SND.NXT -> send an ACK, drop the segment
  const Output o = deliver(tcb_fin_wait_2(), seg_ack(5001, 1003), kRef, 100);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5001));
  EXPECT_EQ(o.tcb.state, State::FinWait2);
}

TEST(FinWait2, ExactRstCloses) {
  // RFC 9293 §3.10.7.4 second check: FIN-WAIT-2 + RST at RCV.NXT -> CLOSED
  const Output o = deliver(tcb_fin_wait_2(), seg_rst(5001), kRef, 100);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.effects, effect::RstAbort);
  EXPECT_TRUE(sends_nothing(o));
}

TEST(FinWait2, InWindowRstDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 second check (RFC 5961 §3.2): in window, not exact -> challenge ACK
  const Output o = deliver(tcb_fin_wait_2(), seg_rst(5001 + kWnd - 1), kRef, 100);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5001));
  EXPECT_EQ(o.tcb.state, State::FinWait2);
}

TEST(FinWait2, OutOfWindowRstIsSilentlyDropped) {
  // RFC 9293 §3.10.7.4 second check: outside the window -> silently drop
  const Tcb t = tcb_fin_wait_2();
  const Output o = deliver(t, seg_rst(5001 + kWnd), kRef, 100);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.actions.empty());
  EXPECT_TRUE(o.tcb == t);
}

TEST(FinWait2, SynDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 fourth check: any SYN in a synchronized state -> challenge ACK
  const Output o = deliver(tcb_fin_wait_2(), seg_syn(5001 + kWnd + 7), kRef, 100);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5001));
  EXPECT_EQ(o.tcb.state, State::FinWait2);
}

TEST(FinWait2, DataAfterCloseDrawsRst) {
  // RFC 1122 §4.2.2.13: data arriving after close() draws RST <SEQ=SEG.ACK><CTL=RST>
  const Output o = deliver(tcb_fin_wait_2(), seg_data(5001, 1002, 100), kRef, 100);
  EXPECT_EQ(o.verdict, Verdict::Reset);
  EXPECT_TRUE(sends(o, flag::RST, 1002, 0));
  EXPECT_EQ(o.tcb.state, State::Closed);
}

TEST(FinWait2, DataOnAHalfClosedConnectionIsDelivered) {
  // RFC 9293 §3.10.7.4 seventh check: FIN-WAIT-2 processes text like ESTABLISHED
  const Output o = deliver(half_closed(tcb_fin_wait_2()), seg_data(5001, 1002, 100), kRef, 100);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.tcb.rcv_nxt, 5101u);
  EXPECT_EQ(find_action(o, ActionKind::Readable)->n, 100u);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5101));
  EXPECT_EQ(o.tcb.state, State::FinWait2);
}

TEST(FinWait2, OutOfWindowSegmentIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 first check: unacceptable -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop
  const Output o = deliver(tcb_fin_wait_2(), seg_fin(5000, 1002), kRef, 100);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5001));
  EXPECT_EQ(o.tcb.state, State::FinWait2);
  EXPECT_FALSE(o.tcb.fin_rcvd);
}

// ===== CLOSING: SND.UNA 1001 (our FIN), SND.NXT 1002, RCV.NXT 5002 (their FIN in) ===========

TEST(Closing, RetransmittedFinIsAckedAndClosingStays) {
  // RFC 9293 §3.10.7.4 first check and eighth check: an old FIN is ACKed; "CLOSING STATE:
  // Remain in the CLOSING state"
  const Output o = deliver(tcb_closing(), seg_fin(5001, 1001), kRef, 40);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::Closing);
  EXPECT_EQ(o.tcb.rcv_nxt, 5002u);
}

TEST(Closing, AckOfOurFinEntersTimeWait) {
  // RFC 9293 §3.10.7.4 fifth check: CLOSING, "if the ACK acknowledges our FIN, then enter the
  // TIME-WAIT state"
  const Output o = deliver(tcb_closing(), seg_ack(5002, 1002), kRef, 40);
  EXPECT_EQ(o.tcb.state, State::TimeWait);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), 240040u);
  EXPECT_FALSE(o.tcb.armed(Timer::Rexmit));
  EXPECT_TRUE(sends_nothing(o));
}

TEST(Closing, DuplicateAckKeepsClosing) {
  // RFC 9293 §3.10.7.4 fifth check: "otherwise ignore the segment"
  const Tcb t = tcb_closing();
  const Output o = deliver(t, seg_ack(5002, 1001), kRef, 40);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(Closing, AckOfUnsentDataIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 fifth check: SEG.ACK > SND.NXT -> send an ACK, drop the segment
  const Output o = deliver(tcb_closing(), seg_ack(5002, 1003), kRef, 40);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::Closing);
}

TEST(Closing, ExactRstClosesWithoutAnError) {
  // RFC 9293 §3.10.7.4 second check: CLOSING + RST -> "enter the CLOSED state, delete the TCB,
  // and return" (no error to the user)
  const Output o = deliver(half_closed(tcb_closing()), seg_rst(5002), kRef, 40);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(o.effects, effect::RstAbort);
  EXPECT_FALSE(has_action(o, ActionKind::Error));
  EXPECT_TRUE(cancelled(o, Timer::Rexmit));
}

TEST(Closing, InWindowRstDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 second check (RFC 5961 §3.2): in window, not exact -> challenge ACK
  const Output o = deliver(tcb_closing(), seg_rst(5003), kRef, 40);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::Closing);
}

TEST(Closing, OutOfWindowRstIsSilentlyDropped) {
  // RFC 9293 §3.10.7.4 second check: outside the window -> silently drop
  const Output o = deliver(tcb_closing(), seg_rst(5001), kRef, 40);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.actions.empty());
  EXPECT_EQ(o.tcb.state, State::Closing);
}

TEST(Closing, SynDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 fourth check: any SYN in a synchronized state -> challenge ACK
  const Output o = deliver(tcb_closing(), seg_syn(5002), kRef, 40);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::Closing);
}

TEST(Closing, DataIsIgnored) {
  // RFC 9293 §3.10.7.4 seventh check: CLOSING, "This should not occur since a FIN has been
  // received from the remote side. Ignore the segment text."
  const Output o = deliver(tcb_closing(), seg_data(5002, 1001, 100), kRef, 40);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_FALSE(has_action(o, ActionKind::Readable));
  EXPECT_EQ(o.tcb.rcv_nxt, 5002u);
  EXPECT_EQ(o.tcb.rcv_unread, 0u);
  EXPECT_EQ(o.tcb.state, State::Closing);
}

TEST(Closing, OutOfWindowSegmentIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 first check: unacceptable -> ACK and drop, even an ACK of our FIN
  const Output o = deliver(tcb_closing(), seg_ack(5002 + kWnd, 1002), kRef, 40);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::Closing);
}

// ===== TIME-WAIT: SND.UNA = SND.NXT = 1002, RCV.NXT 5002, 2MSL due at 240000 ================

TEST(TimeWait, RetransmittedFinIsReackedAndRestartsTwoMsl) {
  // RFC 9293 §3.10.7.4 eighth check: TIME-WAIT + FIN -> "Acknowledge it, and restart the
  // 2 MSL timeout"
  const Output o = deliver(tcb_time_wait(), seg_fin(5001, 1002), kRef, 1000);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::TimeWait);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), 241000u);
  EXPECT_EQ(armed_at(o, Timer::TimeWait), 241000u);
}

TEST(TimeWait, AcceptableAckIsAbsorbed) {
  // RFC 9293 §3.10.7.4 fifth check: TIME-WAIT, "The only thing that can arrive in this state is
  // a retransmission of the remote FIN"; an ACK changes nothing and does not restart 2MSL
  const Tcb t = tcb_time_wait();
  const Output o = deliver(t, seg_ack(5002, 1002), kRef, 1000);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(TimeWait, DuplicateAckIsAbsorbed) {
  // RFC 9293 §3.10.7.4 fifth check: a duplicate ACK in TIME-WAIT changes nothing
  const Tcb t = tcb_time_wait();
  const Output o = deliver(t, seg_ack(5002, 1001), kRef, 1000);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(TimeWait, AckOfUnsentDataNeitherChangesStateNorRestartsTwoMsl) {
  // RFC 9293 §3.10.7.4 fifth check: TIME-WAIT names only the retransmitted FIN; anything else
  // leaves the state and the 2MSL deadline alone
  const Tcb t = tcb_time_wait();
  const Output o = deliver(t, seg_ack(5002, 1003), kRef, 1000);
  EXPECT_EQ(o.tcb.state, State::TimeWait);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), 240000u);
  EXPECT_EQ(o.tcb.snd_una, 1002u);
  EXPECT_FALSE(armed_at(o, Timer::TimeWait).has_value());
}

TEST(TimeWait, ExactRstIsIgnored) {
  // RFC 1337 §3 (TW1, rst_in_time_wait=Ignore): "ignore RST segments in TIME-WAIT state"
  const Tcb t = tcb_time_wait();
  const Output o = deliver(t, seg_rst(5002), kRef, 1000);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(TimeWait, InWindowRstIsIgnored) {
  // RFC 1337 §3: every RST in TIME-WAIT is dropped, in window or not
  const Tcb t = tcb_time_wait();
  const Output o = deliver(t, seg_rst(5100), kRef, 1000);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(TimeWait, OutOfWindowRstIsIgnored) {
  // RFC 9293 §3.10.7.4 second check: outside the window -> silently drop
  const Tcb t = tcb_time_wait();
  const Output o = deliver(t, seg_rst(5002 + kWnd), kRef, 1000);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(TimeWait, OldSynIsSilentlyDroppedUnderRfc6191) {
  // RFC 6191 §2: a SYN that may not reopen TIME-WAIT is "silently dropped"
  const Output o = deliver(tcb_time_wait(), seg_syn(5002), kRef, 1000);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.actions.empty());
  EXPECT_EQ(o.tcb.state, State::TimeWait);
}

TEST(TimeWait, OldSynDrawsChallengeAckUnderRfc1122Reopening) {
  // RFC 1122 §4.2.2.13: a SYN not above RCV.NXT may not reopen; RFC 9293 §3.10.7.4 fourth
  // check (RFC 5961 §4.2) then sends a challenge ACK
  Config c = kRef;
  c.syn_reopen = SynReopen::HigherSeq;
  const Output o = deliver(tcb_time_wait(), seg_syn(5002), c, 1000);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::TimeWait);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), 1000u + 240000u);  // reference: an answer restarts 2MSL
  EXPECT_EQ(o.effects & effect::Reopened, 0);
}

TEST(TimeWait, DataIsAckedButNotDelivered) {
  // RFC 9293 §3.10.7.4 seventh check: TIME-WAIT, "Ignore the segment text"; the ACK it asks for
  // is sent; the letter (rfc9293) leaves 2MSL alone, the reference restarts it on any answer
  const Output o = deliver(tcb_time_wait(), seg_data(5002, 1002, 100), kRef, 1000);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_FALSE(has_action(o, ActionKind::Readable));
  EXPECT_EQ(o.tcb.rcv_nxt, 5002u);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), 1000u + 240000u);
  const Config rfc = rfc9293_config();
  EXPECT_EQ(deliver(tcb_time_wait(rfc), seg_data(5002, 1002, 100), rfc, 1000).tcb.at(Timer::TimeWait), 240000u);
}

TEST(TimeWait, OutOfWindowSegmentIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 first check: unacceptable -> ACK and drop; the letter (rfc9293) leaves
  // 2MSL alone, the reference restarts it because it answered
  const Output o = deliver(tcb_time_wait(), seg_ack(5002 + kWnd, 1002), kRef, 1000);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::TimeWait);
  EXPECT_EQ(o.tcb.at(Timer::TimeWait), 1000u + 240000u);
  const Config rfc = rfc9293_config();
  EXPECT_EQ(deliver(tcb_time_wait(rfc), seg_ack(5002 + kWnd, 1002), rfc, 1000).tcb.at(Timer::TimeWait), 240000u);
}

// ===== CLOSE-WAIT: SND.UNA = SND.NXT = 1001, RCV.NXT 5002, the application holds the socket =

TEST(CloseWait, RetransmittedFinIsAckedAndCloseWaitStays) {
  // RFC 9293 §3.10.7.4 eighth check: CLOSE-WAIT + FIN -> "Remain in the CLOSE-WAIT state"
  const Output o = deliver(tcb_close_wait(), seg_fin(5001, 1001), kRef, 60);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5002));
  EXPECT_EQ(o.tcb.state, State::CloseWait);
  EXPECT_FALSE(has_action(o, ActionKind::Eof));  // end of stream is reported once
}

TEST(CloseWait, AckOfSentDataAdvancesSndUnaAndStopsTheTimer) {
  // RFC 9293 §3.10.7.4 fifth check: SND.UNA < SEG.ACK =< SND.NXT -> SND.UNA = SEG.ACK;
  // RFC 6298 §5.2: all data ACKed -> turn off the retransmission timer
  const Output sent = step(tcb_close_wait(), Input::send(0, 100), kRef);
  ASSERT_EQ(sent.tcb.snd_nxt, 1101u);
  ASSERT_EQ(sent.tcb.at(Timer::Rexmit), 1000u);
  const Output o = deliver(sent.tcb, seg_ack(5002, 1101), kRef, 60);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_EQ(o.tcb.snd_una, 1101u);
  EXPECT_EQ(o.effects, effect::AckedNew);
  EXPECT_TRUE(cancelled(o, Timer::Rexmit));
  EXPECT_FALSE(o.tcb.armed(Timer::Rexmit));
  EXPECT_TRUE(sends_nothing(o));
  EXPECT_EQ(o.tcb.state, State::CloseWait);
}

TEST(CloseWait, PartialAckRestartsTheRetransmissionTimer) {
  // RFC 6298 §5.3: when an ACK acknowledges new data, restart the timer (RTO from now)
  const Output sent = step(tcb_close_wait(), Input::send(0, 100), kRef);
  const Output o = deliver(sent.tcb, seg_ack(5002, 1051), kRef, 60);
  EXPECT_EQ(o.tcb.snd_una, 1051u);
  EXPECT_EQ(o.tcb.at(Timer::Rexmit), 1060u);
  EXPECT_EQ(armed_at(o, Timer::Rexmit), 1060u);
}

TEST(CloseWait, DuplicateAckChangesNothing) {
  // RFC 9293 §3.10.7.4 fifth check: a duplicate ACK can be ignored
  const Tcb t = tcb_close_wait();
  const Output o = deliver(t, seg_ack(5002, 1001), kRef, 60);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(CloseWait, AckOfUnsentDataIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 fifth check: SEG.ACK > SND.NXT -> send an ACK, drop the segment
  const Output o = deliver(tcb_close_wait(), seg_ack(5002, 1002), kRef, 60);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5002));
  EXPECT_EQ(o.tcb.snd_una, 1001u);
}

TEST(CloseWait, ExactRstClosesAndReportsConnReset) {
  // RFC 9293 §3.10.7.4 second check: CLOSE-WAIT + RST -> "signal connection reset", CLOSED
  const Output o = deliver(tcb_close_wait(), seg_rst(5002), kRef, 60);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(o.effects, effect::RstAbort);
  EXPECT_EQ(error_told(o), Err::ConnReset);
  EXPECT_EQ(o.tcb.so_error, Err::ConnReset);
}

TEST(CloseWait, InWindowRstDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 second check (RFC 5961 §3.2): in window, not exact -> challenge ACK
  const Output o = deliver(tcb_close_wait(), seg_rst(5003), kRef, 60);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5002));
  EXPECT_EQ(o.tcb.state, State::CloseWait);
  EXPECT_FALSE(has_action(o, ActionKind::Error));
}

TEST(CloseWait, OutOfWindowRstIsSilentlyDropped) {
  // RFC 9293 §3.10.7.4 second check: outside the window -> silently drop
  const Tcb t = tcb_close_wait();
  const Output o = deliver(t, seg_rst(5002 + kWnd), kRef, 60);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(CloseWait, SynDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 fourth check: any SYN in a synchronized state -> challenge ACK
  const Output o = deliver(tcb_close_wait(), seg_syn(5010), kRef, 60);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5002));
  EXPECT_EQ(o.tcb.state, State::CloseWait);
}

TEST(CloseWait, DataIsIgnored) {
  // RFC 9293 §3.10.7.4 seventh check: CLOSE-WAIT, "Ignore the segment text"
  const Output o = deliver(tcb_close_wait(), seg_data(5002, 1001, 100), kRef, 60);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_FALSE(has_action(o, ActionKind::Readable));
  EXPECT_EQ(o.tcb.rcv_nxt, 5002u);
  EXPECT_EQ(o.tcb.rcv_unread, 0u);
  EXPECT_EQ(o.tcb.state, State::CloseWait);
}

TEST(CloseWait, OutOfWindowSegmentIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 first check: unacceptable -> ACK and drop
  const Output o = deliver(tcb_close_wait(), seg_data(5002 + kWnd, 1001, 10), kRef, 60);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5002));
  EXPECT_EQ(o.tcb.state, State::CloseWait);
}

// ===== LAST-ACK: SND.UNA 1001 (our FIN), SND.NXT 1002, RCV.NXT 5002, orphaned ==============

TEST(LastAck, RetransmittedFinIsAckedAndLastAckStays) {
  // RFC 9293 §3.10.7.4 eighth check: LAST-ACK + FIN -> "Remain in the LAST-ACK state"
  const Output o = deliver(tcb_last_ack(), seg_fin(5001, 1001), kRef, 70);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::LastAck);
}

TEST(LastAck, AckOfOurFinCloses) {
  // RFC 9293 §3.10.7.4 fifth check: LAST-ACK, "If our FIN is now acknowledged, delete the TCB,
  // enter the CLOSED state, and return"
  const Output o = deliver(tcb_last_ack(), seg_ack(5002, 1002), kRef, 70);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(cancelled(o, Timer::Rexmit));
  EXPECT_FALSE(o.tcb.armed(Timer::Rexmit));
  EXPECT_FALSE(o.tcb.armed(Timer::TimeWait));  // the passive closer has no TIME-WAIT
  EXPECT_TRUE(sends_nothing(o));
}

TEST(LastAck, DuplicateAckKeepsLastAck) {
  // RFC 9293 §3.10.7.4 fifth check: our FIN not acknowledged -> stay
  const Tcb t = tcb_last_ack();
  const Output o = deliver(t, seg_ack(5002, 1001), kRef, 70);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(LastAck, AckOfUnsentDataIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 fifth check: SEG.ACK > SND.NXT -> send an ACK, drop the segment
  const Output o = deliver(tcb_last_ack(), seg_ack(5002, 1003), kRef, 70);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::LastAck);
}

TEST(LastAck, ExactRstClosesWithoutAnError) {
  // RFC 9293 §3.10.7.4 second check: LAST-ACK + RST -> "enter the CLOSED state, delete the
  // TCB, and return"
  const Output o = deliver(half_closed(tcb_last_ack()), seg_rst(5002), kRef, 70);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(o.effects, effect::RstAbort);
  EXPECT_FALSE(has_action(o, ActionKind::Error));
}

TEST(LastAck, InWindowRstDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 second check (RFC 5961 §3.2): in window, not exact -> challenge ACK
  const Output o = deliver(tcb_last_ack(), seg_rst(6000), kRef, 70);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::LastAck);
}

TEST(LastAck, OutOfWindowRstIsSilentlyDropped) {
  // RFC 9293 §3.10.7.4 second check: outside the window -> silently drop
  const Tcb t = tcb_last_ack();
  const Output o = deliver(t, seg_rst(5001), kRef, 70);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.tcb == t);
  EXPECT_TRUE(o.actions.empty());
}

TEST(LastAck, SynDrawsChallengeAck) {
  // RFC 9293 §3.10.7.4 fourth check: any SYN in a synchronized state -> challenge ACK
  const Output o = deliver(tcb_last_ack(), seg_syn(5002), kRef, 70);
  EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::LastAck);
}

TEST(LastAck, DataIsIgnored) {
  // RFC 9293 §3.10.7.4 seventh check: LAST-ACK, "Ignore the segment text"
  const Output o = deliver(tcb_last_ack(), seg_data(5002, 1001, 100), kRef, 70);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_FALSE(has_action(o, ActionKind::Readable));
  EXPECT_EQ(o.tcb.rcv_nxt, 5002u);
  EXPECT_EQ(o.tcb.state, State::LastAck);
  EXPECT_TRUE(sends_nothing(o));
}

TEST(LastAck, OutOfWindowSegmentIsAckedAndDropped) {
  // RFC 9293 §3.10.7.4 first check: unacceptable -> ACK and drop, even an ACK of our FIN
  const Output o = deliver(tcb_last_ack(), seg_ack(4000, 1002), kRef, 70);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  EXPECT_EQ(o.tcb.state, State::LastAck);
}

}  // namespace
}  // namespace tcpclose
