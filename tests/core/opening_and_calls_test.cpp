// Opening (LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED) and the application's calls, with the
// errno a socket would give; retransmission and the FIN-WAIT-2 orphan timer; action capacity.
// Rule: errors are values in Output::result (h11's split of local vs remote errors).
#include <cstddef>
#include <cstdint>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

#include "fixtures.hpp"

namespace tcpclose {
namespace {

using namespace tcpclose::test;

const Config kRef = reference_config();

// ----- opening -----------------------------------------------------------------------------

TEST(Listen, SynIsAnsweredWithSynAckAndEntersSynReceived) {
  // RFC 9293 §3.10.7.2: LISTEN + SYN -> <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED
  const Output o = deliver(tcb_listen(), seg_syn(5000), kRef, 7, 3000);
  EXPECT_EQ(o.tcb.state, State::SynReceived);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_TRUE(sends(o, flag::SYN | flag::ACK, 3000, 5001));
  EXPECT_EQ(o.tcb.irs, 5000u);
  EXPECT_EQ(o.tcb.rcv_nxt, 5001u);
  EXPECT_EQ(o.tcb.snd_nxt, 3001u);
  EXPECT_TRUE(o.tcb.passive);
  EXPECT_EQ(o.tcb.at(Timer::Rexmit), 1007u);
}

TEST(Listen, AckIsAnsweredWithRst) {
  // RFC 9293 §3.10.7.2: LISTEN + ACK -> <SEQ=SEG.ACK><CTL=RST>
  const Output o = deliver(tcb_listen(), seg_ack(5000, 777), kRef);
  EXPECT_EQ(o.verdict, Verdict::Reset);
  EXPECT_TRUE(sends(o, flag::RST, 777, 0));
  EXPECT_EQ(o.tcb.state, State::Listen);
}

TEST(Listen, RstIsIgnored) {
  // RFC 9293 §3.10.7.2: LISTEN, "An incoming RST segment could not be valid ... ignored"
  const Output o = deliver(tcb_listen(), seg_rst(5000), kRef);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.actions.empty());
  EXPECT_EQ(o.tcb.state, State::Listen);
}

TEST(Closed, EverySegmentButRstDrawsRst) {
  // RFC 9293 §3.10.7.1: CLOSED, ACK off -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>;
  // ACK on -> <SEQ=SEG.ACK><CTL=RST>; a RST is discarded
  const Output syn = deliver(tcb_closed(), seg_syn(5000), kRef);
  EXPECT_TRUE(sends(syn, flag::RST | flag::ACK, 0, 5001));
  EXPECT_EQ(syn.verdict, Verdict::Reset);
  const Output data = deliver(tcb_closed(), seg_data(5000, 1234, 10), kRef);
  EXPECT_TRUE(sends(data, flag::RST, 1234, 0));
  const Output rst = deliver(tcb_closed(), seg_rst(5000), kRef);
  EXPECT_EQ(rst.verdict, Verdict::Dropped);
  EXPECT_TRUE(rst.actions.empty());
}

TEST(SynSent, ConnectSendsSynWithTimestampAndArmsRto) {
  // RFC 9293 §3.10.1 OPEN active: send <SEQ=ISS><CTL=SYN>, SYN-SENT; RFC 7323 §3.2 TS offered
  const Output o = step(tcb_closed(), Input::connect(25, 1000), kRef);
  EXPECT_EQ(o.tcb.state, State::SynSent);
  ASSERT_TRUE(sends(o, flag::SYN, 1000, 0));
  EXPECT_TRUE(sent_segment(o)->has_ts);
  EXPECT_EQ(sent_segment(o)->ts_val, 25u);
  EXPECT_EQ(o.tcb.snd_nxt, 1001u);
  EXPECT_EQ(o.tcb.at(Timer::Rexmit), 1025u);
}

TEST(SynSent, SynAckCompletesTheHandshake) {
  // RFC 9293 §3.10.7.3: SYN-SENT + acceptable SYN,ACK -> ESTABLISHED, send <ACK=RCV.NXT>
  const Output o = deliver(tcb_syn_sent(), seg_syn_ack(5000, 1001), kRef, 40);
  EXPECT_EQ(o.tcb.state, State::Established);
  EXPECT_TRUE(has_action(o, ActionKind::Connected));
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5001));
  EXPECT_EQ(o.tcb.snd_una, 1001u);
  EXPECT_TRUE(cancelled(o, Timer::Rexmit));
  EXPECT_TRUE(o.tcb.was_synced);
}

TEST(SynSent, UnacceptableAckIsAnsweredWithRst) {
  // RFC 9293 §3.10.7.3: SEG.ACK =< ISS or SEG.ACK > SND.NXT -> <SEQ=SEG.ACK><CTL=RST>
  for (Seq ack : {Seq{1000}, Seq{1002}}) {
    const Output o = deliver(tcb_syn_sent(), seg_syn_ack(5000, ack), kRef);
    EXPECT_EQ(o.verdict, Verdict::Reset) << ack;
    EXPECT_TRUE(sends(o, flag::RST, ack, 0)) << ack;
    EXPECT_EQ(o.tcb.state, State::SynSent) << ack;
  }
}

TEST(SynSent, RstWithAcceptableAckRefusesTheConnection) {
  // RFC 9293 §3.10.7.3: RST with acceptable ACK -> "error: connection reset", CLOSED
  const Output o = deliver(tcb_syn_sent(), seg_rst_ack(0, 1001), kRef);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(error_told(o), Err::ConnRefused);
  const Output bare = deliver(tcb_syn_sent(), seg_rst(0), kRef);  // no ACK: drop
  EXPECT_EQ(bare.tcb.state, State::SynSent);
  EXPECT_EQ(bare.verdict, Verdict::Dropped);
}

TEST(SynSent, SimultaneousOpenReachesEstablishedOnBothSides) {
  // RFC 9293 §3.5 Figure 8: both send SYN, both enter SYN-RECEIVED, then ESTABLISHED
  const Output a0 = step(tcb_closed(), Input::connect(0, 100), kRef);
  const Output b0 = step(tcb_closed(), Input::connect(0, 300), kRef);
  const Output a1 = deliver(a0.tcb, *sent_segment(b0), kRef, 1);
  const Output b1 = deliver(b0.tcb, *sent_segment(a0), kRef, 1);
  EXPECT_EQ(a1.tcb.state, State::SynReceived);
  EXPECT_EQ(b1.tcb.state, State::SynReceived);
  EXPECT_TRUE(sends(a1, flag::SYN | flag::ACK, 100, 301));
  EXPECT_TRUE(sends(b1, flag::SYN | flag::ACK, 300, 101));
  EXPECT_FALSE(a1.tcb.passive);
  // each SYN,ACK repeats an old SYN: it is answered by <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
  const Output a2 = deliver(a1.tcb, *sent_segment(b1), kRef, 2);
  const Output b2 = deliver(b1.tcb, *sent_segment(a1), kRef, 2);
  EXPECT_TRUE(sends(a2, flag::ACK, 101, 301));
  EXPECT_TRUE(sends(b2, flag::ACK, 301, 101));
  const Output a3 = deliver(a2.tcb, *sent_segment(b2), kRef, 3);
  const Output b3 = deliver(b2.tcb, *sent_segment(a2), kRef, 3);
  EXPECT_EQ(a3.tcb.state, State::Established);
  EXPECT_EQ(b3.tcb.state, State::Established);
  EXPECT_EQ(a3.tcb.snd_una, 101u);
  EXPECT_EQ(b3.tcb.snd_una, 301u);
  EXPECT_FALSE(a3.tcb.armed(Timer::Rexmit));
}

TEST(SynReceived, AcceptableAckEstablishes) {
  // RFC 9293 §3.10.7.4 fifth check: SYN-RECEIVED, SND.UNA < SEG.ACK =< SND.NXT -> ESTABLISHED
  const Output o = deliver(tcb_syn_received(), seg_ack(5001, 1001), kRef, 5);
  EXPECT_EQ(o.tcb.state, State::Established);
  EXPECT_TRUE(has_action(o, ActionKind::Connected));
  EXPECT_EQ(o.tcb.snd_una, 1001u);
  EXPECT_TRUE(cancelled(o, Timer::Rexmit));
  EXPECT_TRUE(sends_nothing(o));
}

TEST(SynReceived, UnacceptableAckIsAnsweredWithRst) {
  // RFC 9293 §3.10.7.4 fifth check: SYN-RECEIVED, unacceptable ACK -> <SEQ=SEG.ACK><CTL=RST>
  const Output o = deliver(tcb_syn_received(), seg_ack(5001, 1005), kRef, 5);
  EXPECT_EQ(o.verdict, Verdict::Reset);
  EXPECT_TRUE(sends(o, flag::RST, 1005, 0));
  EXPECT_EQ(o.tcb.state, State::SynReceived);
}

TEST(SynReceived, ExactRstReturnsAPassiveOpenToListen) {
  // RFC 9293 §3.10.7.4 second check: SYN-RECEIVED from a passive OPEN + RST -> LISTEN
  const Output o = deliver(tcb_syn_received(), seg_rst(5001), kRef, 5);
  EXPECT_EQ(o.tcb.state, State::Listen);
  EXPECT_FALSE(o.tcb.armed(Timer::Rexmit));
  EXPECT_FALSE(has_action(o, ActionKind::Error));
}

TEST(SynReceived, RetransmittedSynIsAnsweredWithTheSameSynAck) {
  // RFC 9293 §3.10.7.4 first check: the peer's SYN again (our SYN,ACK was lost): resend it
  const Output o = deliver(tcb_syn_received(), seg_syn(5000), kRef, 5);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(o, flag::SYN | flag::ACK, 1000, 5001));
  EXPECT_EQ(o.tcb.state, State::SynReceived);
}

TEST(Established, DataIsDeliveredAndAcked) {
  // RFC 9293 §3.10.7.4 seventh check: deliver text, advance RCV.NXT, send <ACK=RCV.NXT>
  const Output o = deliver(tcb_established(), seg_data(5001, 1001, 100), kRef, 5);
  EXPECT_EQ(o.tcb.rcv_nxt, 5101u);
  EXPECT_EQ(o.tcb.rcv_unread, 100u);
  EXPECT_EQ(find_action(o, ActionKind::Readable)->n, 100u);
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5101));
  EXPECT_EQ(o.effects, effect::Data);
}

TEST(Established, OutOfOrderDataIsNotDeliveredButAcked) {
  // RFC 9293 §3.10.7.4 seventh check: no reassembly queue here; ACK what we have
  const Output o = deliver(tcb_established(), seg_data(5101, 1001, 100), kRef, 5);
  EXPECT_EQ(o.tcb.rcv_nxt, 5001u);
  EXPECT_FALSE(has_action(o, ActionKind::Readable));
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5001));
}

TEST(Established, FinEntersCloseWaitAndSignalsEof) {
  // RFC 9293 §3.10.7.4 eighth check: ESTABLISHED + FIN -> CLOSE-WAIT, "signal connection closing"
  const Output o = deliver(tcb_established(), seg_fin(5001, 1001), kRef, 5);
  EXPECT_EQ(o.tcb.state, State::CloseWait);
  EXPECT_TRUE(has_action(o, ActionKind::Eof));
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5002));
}

TEST(Established, DataWithFinIsDeliveredThenEof) {
  // RFC 9293 §3.10.7.4 seventh and eighth checks in order: text first, then the FIN
  const Output o = deliver(tcb_established(), seg(flag::FIN | flag::PSH | flag::ACK, 5001, 1001, 10),
                           kRef, 5);
  EXPECT_EQ(o.tcb.state, State::CloseWait);
  EXPECT_EQ(o.tcb.rcv_nxt, 5012u);
  EXPECT_EQ(find_action(o, ActionKind::Readable)->n, 10u);
  EXPECT_TRUE(has_action(o, ActionKind::Eof));
  EXPECT_EQ(count_actions(o, ActionKind::Send), 1u);  // one coalesced ACK
  EXPECT_TRUE(sends(o, flag::ACK, 1001, 5012));
}

// ----- connect / listen errors -------------------------------------------------------------

TEST(Calls, ConnectAndListenErrorsFollowTheSocketApi) {
  // POSIX connect(): EALREADY while connecting, EISCONN once connected; listen() needs CLOSED
  EXPECT_EQ(step(tcb_syn_sent(), Input::connect(0, 1), kRef).result, Err::Already);
  EXPECT_EQ(step(tcb_syn_received(), Input::connect(0, 1), kRef).result, Err::Already);
  EXPECT_EQ(step(tcb_established(), Input::connect(0, 1), kRef).result, Err::IsConn);
  EXPECT_EQ(step(tcb_time_wait(), Input::connect(0, 1), kRef).result, Err::IsConn);
  EXPECT_EQ(step(tcb_listen(), Input::connect(0, 1), kRef).result, Err::Inval);
  EXPECT_EQ(step(tcb_established(), Input::listen(0), kRef).result, Err::Inval);
  const Output l = step(tcb_closed(), Input::listen(0), kRef);
  EXPECT_EQ(l.result, Err::None);
  EXPECT_EQ(l.tcb.state, State::Listen);
}

// ----- send --------------------------------------------------------------------------------

TEST(Send, InEstablishedSendsOneSegmentAndArmsRto) {
  // RFC 9293 §3.10.2 SEND: segmentize and send; RFC 6298 §5.1: start the timer if not running
  const Output o = step(tcb_established(), Input::send(50, 100), kRef);
  EXPECT_EQ(o.result, Err::None);
  EXPECT_EQ(o.result_n, 100u);
  EXPECT_TRUE(sends(o, flag::PSH | flag::ACK, 1001, 5001, 100));
  EXPECT_EQ(o.tcb.snd_nxt, 1101u);
  EXPECT_EQ(o.tcb.at(Timer::Rexmit), 1050u);
}

TEST(Send, ErrnoPerState) {
  // RFC 9293 §3.10.2 SEND per state, with socket errno: EAGAIN before ESTABLISHED ("queue"),
  // EPIPE once closing ("connection closing"), ENOTCONN when never connected
  EXPECT_EQ(step(tcb_syn_sent(), Input::send(0, 10), kRef).result, Err::Again);
  EXPECT_EQ(step(tcb_syn_received(), Input::send(0, 10), kRef).result, Err::Again);
  EXPECT_EQ(step(tcb_close_wait(), Input::send(0, 10), kRef).result, Err::None);
  for (State s : {State::FinWait1, State::FinWait2, State::Closing, State::LastAck,
                  State::TimeWait})
    EXPECT_EQ(step(tcb_in(s), Input::send(0, 10), kRef).result, Err::Pipe) << name(s);
  EXPECT_EQ(step(tcb_listen(), Input::send(0, 10), kRef).result, Err::NotConn);
  EXPECT_EQ(step(tcb_closed(), Input::send(0, 10), kRef).result, Err::NotConn);
}

TEST(Send, AfterShutWrIsEpipe) {
  // POSIX send(): EPIPE once the write half is shut down
  const Output shut = step(tcb_established(), Input::shutdown(0, Shut::Wr), kRef);
  const Output o = step(shut.tcb, Input::send(1, 10), kRef);
  EXPECT_EQ(o.result, Err::Pipe);
  EXPECT_TRUE(sends_nothing(o));
  const Output cw = step(step(tcb_close_wait(), Input::shutdown(0, Shut::Wr), kRef).tcb,
                         Input::send(1, 10), kRef);
  EXPECT_EQ(cw.result, Err::Pipe);
}

TEST(Send, ConnResetIsReportedOnceThenEpipe) {
  // SO_ERROR semantics: the pending ECONNRESET is returned by the next call, then EPIPE
  const Output reset = deliver(tcb_established(), seg_rst(5001), kRef, 5);
  ASSERT_EQ(reset.tcb.state, State::Closed);
  ASSERT_EQ(error_told(reset), Err::ConnReset);
  const Output first = step(reset.tcb, Input::send(6, 10), kRef);
  EXPECT_EQ(first.result, Err::ConnReset);
  EXPECT_EQ(first.tcb.so_error, Err::None);
  const Output second = step(first.tcb, Input::send(7, 10), kRef);
  EXPECT_EQ(second.result, Err::Pipe);
}

// ----- send buffer (Config::snd_buf) -------------------------------------------------------

TEST(SendBuffer, TakesWhatFitsThenEagainThenRoomAfterAck) {
  // SO_SNDBUF on a non-blocking socket: write() takes min(n, room) and returns it; a full
  // buffer is EAGAIN with nothing sent; an ACK frees the acknowledged bytes
  Config c = kRef;
  c.snd_buf = 1000;
  const Output first = step(tcb_established(c), Input::send(1, 1500), c);
  EXPECT_EQ(first.result, Err::None);
  EXPECT_EQ(first.result_n, 1000u);
  EXPECT_TRUE(sends(first, flag::PSH | flag::ACK, 1001, 5001, 1000));
  EXPECT_EQ(first.tcb.snd_nxt, 2001u);
  const Output full = step(first.tcb, Input::send(2, 1), c);
  EXPECT_EQ(full.result, Err::Again);
  EXPECT_EQ(full.result_n, 0u);
  EXPECT_TRUE(sends_nothing(full));
  EXPECT_EQ(full.tcb, first.tcb);
  const Output zero = step(first.tcb, Input::send(2, 0), c);  // write(fd, p, 0) = 0, even when full
  EXPECT_EQ(zero.result, Err::None);
  EXPECT_EQ(zero.result_n, 0u);
  const Output acked = deliver(first.tcb, seg_ack(5001, 1501), c, 3);
  ASSERT_EQ(acked.tcb.snd_una, 1501u);
  const Output more = step(acked.tcb, Input::send(4, 600), c);
  EXPECT_EQ(more.result_n, 500u);
  EXPECT_EQ(more.tcb.snd_nxt, 2501u);
}

TEST(SendBuffer, BoundaryOneByteShortAndExact) {
  Config c = kRef;
  c.snd_buf = 1000;
  const Output a = step(tcb_established(c), Input::send(1, 999), c);
  EXPECT_EQ(a.result_n, 999u);
  const Output b = step(a.tcb, Input::send(2, 2), c);  // one byte of room left
  EXPECT_EQ(b.result, Err::None);
  EXPECT_EQ(b.result_n, 1u);
  EXPECT_EQ(step(b.tcb, Input::send(3, 1), c).result, Err::Again);
  const Output exact = step(tcb_established(c), Input::send(1, 1000), c);
  EXPECT_EQ(exact.result_n, 1000u);
  EXPECT_EQ(step(exact.tcb, Input::send(2, 1), c).result, Err::Again);
  // CLOSE-WAIT may still send, under the same buffer
  EXPECT_EQ(step(tcb_close_wait(c), Input::send(1, 5000), c).result_n, 1000u);
}

TEST(SendBuffer, AboveTheMaximumActsAsTheMaximum) {
  // RFC 7323 §2.3: at most 2^30 bytes outstanding, so the knob is capped at kMaxSndBuf
  Config c = kRef;
  c.snd_buf = 0xFFFFFFFFu;
  const Output o = step(tcb_established(c), Input::send(1, 0xFFFFFFFFu), c);
  EXPECT_EQ(o.result_n, kMaxSndBuf);
  EXPECT_EQ(o.tcb.snd_nxt - o.tcb.snd_una, kMaxSndBuf);
  EXPECT_TRUE(seq_le(o.tcb.snd_una, o.tcb.snd_nxt));
  EXPECT_EQ(step(o.tcb, Input::send(2, 1), c).result, Err::Again);
}

TEST(SendBuffer, SndUnaLeSndNxtAfterSendsOf2To31AndMore) {
  // The defect the fuzzer found: with no send buffer, send(2^31) put SND.NXT 2^31 ahead of
  // SND.UNA and serial order inverted. Now any sequence of huge sends, partly ACKed, keeps it,
  // in every profile, at the largest buffer and across the 2^32 wrap.
  for (Profile p : kAllProfiles) {
    Config c = profile_config(p);
    c.snd_buf = kMaxSndBuf;
    Tcb t = tcb_established(c);
    std::uint32_t now = 1;
    for (int round = 0; round < 16; ++round) {
      for (std::uint32_t n : {0x80000000u, 0xFFFFFFFFu, 0x80000001u}) {
        const Output o = step(t, Input::send(now++, n), c);
        t = o.tcb;
        ASSERT_TRUE(seq_le(t.snd_una, t.snd_nxt)) << name(p) << " round " << round << " n " << n;
        ASSERT_LE(t.snd_nxt - t.snd_una, kMaxSndBuf) << name(p);
      }
      // the peer ACKs three quarters of what is outstanding
      const Seq ack = t.snd_una + (t.snd_nxt - t.snd_una) / 4 * 3;
      t = deliver(t, seg_ack(t.rcv_nxt, ack), c, now++).tcb;
      ASSERT_EQ(t.snd_una, ack) << name(p);
    }
    EXPECT_NE(t.snd_nxt, tcb_established(c).snd_nxt + 0u);  // it moved, and wrapped 2^32 on the way
  }
}

TEST(SendBuffer, ProfilesUseTheirStacksDefaults) {
  // Linux net.ipv4.tcp_wmem[1] = 16384; FreeBSD net.inet.tcp.sendspace = 32768
  EXPECT_EQ(step(tcb_established(linux_config()), Input::send(1, 20000), linux_config()).result_n, 16384u);
  EXPECT_EQ(step(tcb_established(freebsd_config()), Input::send(1, 40000), freebsd_config()).result_n, 32768u);
  EXPECT_EQ(step(tcb_established(kRef), Input::send(1, 40000), kRef).result_n, 40000u);
}

TEST(Receive, ConnResetIsReportedOnceThenEndOfStream) {
  // SO_ERROR semantics: recv() returns ECONNRESET once, then 0
  const Output reset = deliver(tcb_established(), seg_rst(5001), kRef, 5);
  const Output first = step(reset.tcb, Input::receive(6, 10), kRef);
  EXPECT_EQ(first.result, Err::ConnReset);
  const Output second = step(first.tcb, Input::receive(7, 10), kRef);
  EXPECT_EQ(second.result, Err::None);
  EXPECT_EQ(second.result_n, 0u);
}

// ----- receive -----------------------------------------------------------------------------

TEST(Receive, ReturnsQueuedBytesThenWouldBlock) {
  // RFC 9293 §3.10.3 RECEIVE: return queued data; with none, a non-blocking read is EAGAIN
  Tcb t = tcb_established();
  t.rcv_unread = 150;
  const Output a = step(t, Input::receive(0, 100), kRef);
  EXPECT_EQ(a.result_n, 100u);
  EXPECT_EQ(a.tcb.rcv_unread, 50u);
  const Output b = step(a.tcb, Input::receive(0, 100), kRef);
  EXPECT_EQ(b.result_n, 50u);
  const Output c = step(b.tcb, Input::receive(0, 100), kRef);
  EXPECT_EQ(c.result, Err::Again);
  EXPECT_EQ(c.result_n, 0u);
}

TEST(Receive, EndOfStreamAfterFinAndErrnoPerState) {
  // RFC 9293 §3.10.3: CLOSE-WAIT with nothing queued -> "connection closing" (read() = 0)
  const Output cw = step(tcb_close_wait(), Input::receive(0, 100), kRef);
  EXPECT_EQ(cw.result, Err::None);
  EXPECT_EQ(cw.result_n, 0u);
  EXPECT_EQ(step(tcb_syn_sent(), Input::receive(0, 10), kRef).result, Err::Again);
  EXPECT_EQ(step(tcb_listen(), Input::receive(0, 10), kRef).result, Err::NotConn);
  EXPECT_EQ(step(tcb_closed(), Input::receive(0, 10), kRef).result, Err::NotConn);
  EXPECT_EQ(step(half_closed(tcb_fin_wait_2()), Input::receive(0, 10), kRef).result, Err::Again);
}

// ----- shutdown ----------------------------------------------------------------------------

TEST(Shutdown, ShutRdOnlyStopsReading) {
  // POSIX shutdown(SHUT_RD): no segment, the connection stays ESTABLISHED
  const Output o = step(tcb_established(), Input::shutdown(0, Shut::Rd), kRef);
  EXPECT_EQ(o.tcb.state, State::Established);
  EXPECT_TRUE(o.tcb.rd_shut);
  EXPECT_FALSE(o.tcb.wr_shut);
  EXPECT_TRUE(o.actions.empty());
  EXPECT_EQ(step(o.tcb, Input::receive(1, 10), kRef).result_n, 0u);  // reads return 0
  EXPECT_EQ(step(o.tcb, Input::receive(1, 10), kRef).result, Err::None);
}

TEST(Shutdown, ShutWrSendsFinAndEntersFinWait1) {
  // RFC 9293 §3.10.4 CLOSE, ESTABLISHED: "form a FIN segment and send it, enter FIN-WAIT-1"
  const Output o = step(tcb_established(), Input::shutdown(20, Shut::Wr), kRef);
  EXPECT_EQ(o.tcb.state, State::FinWait1);
  EXPECT_TRUE(sends(o, flag::FIN | flag::ACK, 1001, 5001));
  EXPECT_EQ(o.tcb.fin_seq, 1001u);
  EXPECT_EQ(o.tcb.snd_nxt, 1002u);
  EXPECT_EQ(o.tcb.at(Timer::Rexmit), 1020u);
  EXPECT_FALSE(o.tcb.orphan);
  EXPECT_FALSE(o.tcb.rd_shut);
  // a second SHUT_WR does nothing
  const Output again = step(o.tcb, Input::shutdown(21, Shut::Wr), kRef);
  EXPECT_TRUE(again.actions.empty());
  EXPECT_EQ(again.tcb.snd_nxt, 1002u);
}

TEST(Shutdown, ShutRdWrSendsFinAndShutsBothHalves) {
  // POSIX shutdown(SHUT_RDWR) = SHUT_RD + SHUT_WR; the socket is not released
  const Output o = step(tcb_established(), Input::shutdown(0, Shut::RdWr), kRef);
  EXPECT_EQ(o.tcb.state, State::FinWait1);
  EXPECT_TRUE(o.tcb.rd_shut);
  EXPECT_TRUE(o.tcb.wr_shut);
  EXPECT_FALSE(o.tcb.orphan);
  EXPECT_TRUE(sends(o, flag::FIN | flag::ACK, 1001, 5001));
}

TEST(Shutdown, ShutWrInCloseWaitEntersLastAck) {
  // RFC 9293 §3.10.4 CLOSE, CLOSE-WAIT: "send a FIN segment, enter LAST-ACK"
  const Output o = step(tcb_close_wait(), Input::shutdown(0, Shut::Wr), kRef);
  EXPECT_EQ(o.tcb.state, State::LastAck);
  EXPECT_TRUE(sends(o, flag::FIN | flag::ACK, 1001, 5002));
}

TEST(Shutdown, WithoutAConnectionIsEnotconn) {
  // POSIX shutdown(): ENOTCONN on a socket that is not connected
  for (Shut h : {Shut::Rd, Shut::Wr, Shut::RdWr}) {
    EXPECT_EQ(step(tcb_closed(), Input::shutdown(0, h), kRef).result, Err::NotConn) << name(h);
    EXPECT_EQ(step(tcb_listen(), Input::shutdown(0, h), kRef).result, Err::NotConn) << name(h);
  }
}

TEST(Shutdown, ShutWrInSynSentDeletesTheTcb) {
  // RFC 9293 §3.10.4 CLOSE, SYN-SENT: "Delete the TCB"
  const Output o = step(tcb_syn_sent(), Input::shutdown(0, Shut::Wr), kRef);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_TRUE(sends_nothing(o));
  EXPECT_FALSE(o.tcb.armed(Timer::Rexmit));
}

// ----- close -------------------------------------------------------------------------------

TEST(Close, PerStateFollowsRfc9293Close) {
  // RFC 9293 §3.10.4 CLOSE: LISTEN/SYN-SENT delete the TCB; ESTABLISHED -> FIN-WAIT-1;
  // CLOSE-WAIT -> LAST-ACK; the closing states "error: connection closing" (nothing to send)
  const Output l = step(tcb_listen(), Input::close(0), kRef);
  EXPECT_EQ(l.tcb.state, State::Closed);
  const Output ss = step(tcb_syn_sent(), Input::close(0), kRef);
  EXPECT_EQ(ss.tcb.state, State::Closed);
  EXPECT_TRUE(sends_nothing(ss));
  const Output sr = step(tcb_syn_received(), Input::close(0), kRef);
  EXPECT_EQ(sr.tcb.state, State::FinWait1);
  EXPECT_TRUE(sends(sr, flag::FIN | flag::ACK, 1001, 5001));
  const Output e = step(tcb_established(), Input::close(0), kRef);
  EXPECT_EQ(e.tcb.state, State::FinWait1);
  EXPECT_TRUE(e.tcb.orphan);
  EXPECT_TRUE(sends(e, flag::FIN | flag::ACK, 1001, 5001));
  const Output cw = step(tcb_close_wait(), Input::close(0), kRef);
  EXPECT_EQ(cw.tcb.state, State::LastAck);
  EXPECT_TRUE(sends(cw, flag::FIN | flag::ACK, 1001, 5002));
  for (State s : {State::FinWait1, State::FinWait2, State::Closing, State::LastAck,
                  State::TimeWait}) {
    const Output o = step(tcb_in(s), Input::close(0), kRef);
    EXPECT_EQ(o.tcb.state, s) << name(s);
    EXPECT_TRUE(sends_nothing(o)) << name(s);
  }
}

TEST(Close, WithUnreadDataSendsRst) {
  // RFC 2525 §2.17 (rst_on_close_unread): close() with unread data -> RST, not FIN
  Tcb t = tcb_established();
  t.rcv_unread = 10;
  const Output o = step(t, Input::close(3), kRef);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_TRUE(sends(o, flag::RST | flag::ACK, 1001, 5001));
  EXPECT_EQ(o.tcb.rcv_unread, 0u);

  Config quiet = kRef;
  quiet.rst_on_close_unread = false;
  const Output f = step(t, Input::close(3), quiet);
  EXPECT_EQ(f.tcb.state, State::FinWait1);
  EXPECT_TRUE(sends(f, flag::FIN | flag::ACK, 1001, 5001));
}

TEST(Close, DataAfterCloseInFinWait2DrawsRst) {
  // RFC 1122 §4.2.2.13 (rst_on_data_after_close): new data for a closed socket -> RST
  const Output o = deliver(tcb_fin_wait_2(), seg_data(5001, 1002, 10), kRef, 3);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(o.verdict, Verdict::Reset);
  EXPECT_TRUE(sends(o, flag::RST, 1002, 0));

  Config quiet = kRef;
  quiet.rst_on_data_after_close = false;
  const Output d = deliver(tcb_fin_wait_2(quiet), seg_data(5001, 1002, 10), quiet, 3);
  EXPECT_EQ(d.tcb.state, State::FinWait2);
  EXPECT_TRUE(sends(d, flag::ACK, 1002, 5011));
}

// ----- abort -------------------------------------------------------------------------------

TEST(Abort, SendsRstWhereThePeerIsSynchronized) {
  // RFC 9293 §3.10.5 ABORT: ESTABLISHED..CLOSE-WAIT "send a reset segment <SEQ=SND.NXT><CTL=RST>"
  for (State s : {State::SynReceived, State::Established, State::FinWait1, State::FinWait2,
                  State::CloseWait}) {
    const Tcb t = tcb_in(s);
    const Output o = step(t, Input::abort(0), kRef);
    EXPECT_EQ(o.tcb.state, State::Closed) << name(s);
    EXPECT_TRUE(sends(o, flag::RST | flag::ACK, t.snd_nxt, t.rcv_nxt)) << name(s);
    for (Timer tm : {Timer::Rexmit, Timer::TimeWait, Timer::FinWait2})
      EXPECT_FALSE(o.tcb.armed(tm)) << name(s);
  }
}

TEST(Abort, OtherStatesCloseSilently) {
  // RFC 9293 §3.10.5 ABORT: LISTEN, SYN-SENT, CLOSING, LAST-ACK, TIME-WAIT: "respond with ok
  // and delete the TCB"
  for (State s : {State::Closed, State::Listen, State::SynSent, State::Closing, State::LastAck,
                  State::TimeWait}) {
    const Output o = step(tcb_in(s), Input::abort(0), kRef);
    EXPECT_EQ(o.tcb.state, State::Closed) << name(s);
    EXPECT_TRUE(sends_nothing(o)) << name(s);
    EXPECT_FALSE(o.tcb.armed(Timer::TimeWait)) << name(s);
  }
}

// ----- retransmission ----------------------------------------------------------------------

TEST(Retransmit, FinIsResentWithExponentialBackoffThenEtimedout) {
  // RFC 9293 §3.10.8 / RFC 6298 §5.4-5.5: resend the oldest unACKed segment and double the RTO;
  // after fin_retries retransmissions the user is told ETIMEDOUT
  Tcb t = step(tcb_established(), Input::shutdown(0, Shut::Wr), kRef).tcb;
  ASSERT_EQ(t.at(Timer::Rexmit), 1000u);
  const std::uint32_t expected_deadlines[8] = {3000,  7000,   15000,  31000,
                                               63000, 127000, 191000, 255000};
  for (int i = 0; i < 8; ++i) {
    const std::uint32_t now = t.at(Timer::Rexmit);
    const Output o = step(t, Input::timeout(now, Timer::Rexmit), kRef);
    EXPECT_TRUE(sends(o, flag::FIN | flag::ACK, 1001, 5001)) << i;
    EXPECT_EQ(o.tcb.retries, i + 1) << i;
    EXPECT_EQ(o.tcb.at(Timer::Rexmit), expected_deadlines[i]) << i;
    EXPECT_EQ(o.tcb.state, State::FinWait1) << i;
    t = o.tcb;
  }
  const Output gave_up = step(t, Input::timeout(t.at(Timer::Rexmit), Timer::Rexmit), kRef);
  EXPECT_EQ(gave_up.tcb.state, State::Closed);
  EXPECT_TRUE(sends_nothing(gave_up));
  EXPECT_EQ(error_told(gave_up), Err::TimedOut);
  EXPECT_EQ(step(gave_up.tcb, Input::send(1, 1), kRef).result, Err::TimedOut);
}

TEST(Retransmit, EarlyTimeoutIsRefused) {
  // RFC 6298 §5: the timer fires at its deadline, not before
  const Tcb t = tcb_fin_wait_1();
  const Output o = step(t, Input::timeout(999, Timer::Rexmit), kRef);
  EXPECT_EQ(o.result, Err::Inval);
  EXPECT_TRUE(o.tcb == t);
}

TEST(Retransmit, WithoutBackoffTheRtoStaysConstant) {
  // config rto_backoff=false: every retransmission waits one RTO
  Config c = kRef;
  c.rto_backoff = false;
  const Output o1 = step(tcb_fin_wait_1(c), Input::timeout(1000, Timer::Rexmit), c);
  EXPECT_EQ(o1.tcb.at(Timer::Rexmit), 2000u);
  const Output o2 = step(o1.tcb, Input::timeout(2000, Timer::Rexmit), c);
  EXPECT_EQ(o2.tcb.at(Timer::Rexmit), 3000u);
}

TEST(Retransmit, UnackedDataAndFinAreResentTogether) {
  // RFC 6298 §5.4: retransmit the earliest segment not yet acknowledged (data, then the FIN)
  const Output sent = step(tcb_established(), Input::send(0, 100), kRef);
  const Output closed = step(sent.tcb, Input::shutdown(0, Shut::Wr), kRef);
  ASSERT_EQ(closed.tcb.fin_seq, 1101u);
  const Output o = step(closed.tcb, Input::timeout(1000, Timer::Rexmit), kRef);
  EXPECT_TRUE(sends(o, flag::FIN | flag::PSH | flag::ACK, 1001, 5001, 100));
}

TEST(Retransmit, SynSentGivesUpAfterRetriesWithEtimedout) {
  // RFC 9293 §3.8.3 R2 for SYN: give up after `retries` retransmissions
  Config c = kRef;
  c.retries = 2;
  Tcb t = step(tcb_closed(), Input::connect(0, 1000), c).tcb;
  for (int i = 0; i < 2; ++i) {
    const Output o = step(t, Input::timeout(t.at(Timer::Rexmit), Timer::Rexmit), c);
    EXPECT_TRUE(sends(o, flag::SYN, 1000, 0)) << i;
    t = o.tcb;
  }
  const Output o = step(t, Input::timeout(t.at(Timer::Rexmit), Timer::Rexmit), c);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(error_told(o), Err::TimedOut);
}

// ----- FIN-WAIT-2 orphan timer -------------------------------------------------------------

TEST(FinWait2Timer, OrphanOnlyArmsWhenAnOrphanEntersFinWait2AndThenCloses) {
  // Linux tcp_fin_timeout (fin_wait2=OrphanOnly): an orphaned FIN-WAIT-2 is freed after the
  // timeout, silently
  Config c = kRef;
  c.fin_wait2 = FinWait2Timeout::OrphanOnly;
  c.fin_wait2_timeout = 60000;
  const Output entered = deliver(tcb_fin_wait_1(c), seg_ack(5001, 1002), c, 500);
  ASSERT_EQ(entered.tcb.state, State::FinWait2);
  EXPECT_EQ(entered.tcb.at(Timer::FinWait2), 60500u);
  EXPECT_EQ(armed_at(entered, Timer::FinWait2), 60500u);
  const Output early = step(entered.tcb, Input::timeout(60499, Timer::FinWait2), c);
  EXPECT_EQ(early.result, Err::Inval);
  EXPECT_EQ(early.tcb.state, State::FinWait2);
  const Output fired = step(entered.tcb, Input::timeout(60500, Timer::FinWait2), c);
  EXPECT_EQ(fired.tcb.state, State::Closed);
  EXPECT_TRUE(sends_nothing(fired));
  EXPECT_FALSE(has_action(fired, ActionKind::Error));
}

TEST(FinWait2Timer, OrphanOnlyWaitsForCloseWhenTheSocketIsHeld) {
  // Linux tcp_fin_timeout applies only after close(): shutdown(SHUT_WR) alone waits for ever
  Config c = kRef;
  c.fin_wait2 = FinWait2Timeout::OrphanOnly;
  const Output entered = deliver(half_closed(tcb_fin_wait_1(c)), seg_ack(5001, 1002), c, 500);
  ASSERT_EQ(entered.tcb.state, State::FinWait2);
  EXPECT_FALSE(entered.tcb.armed(Timer::FinWait2));
  const Output closed = step(entered.tcb, Input::close(700), c);
  EXPECT_EQ(closed.tcb.state, State::FinWait2);
  EXPECT_EQ(closed.tcb.at(Timer::FinWait2), 60700u);
}

TEST(FinWait2Timer, NoneWaitsForTheFinForEver) {
  // RFC 9293 (fin_wait2=None): FIN-WAIT-2 has no timer of its own
  const Output entered = deliver(tcb_fin_wait_1(), seg_ack(5001, 1002), kRef, 500);
  ASSERT_EQ(entered.tcb.state, State::FinWait2);
  EXPECT_FALSE(entered.tcb.armed(Timer::FinWait2));
  const Output t = step(entered.tcb, Input::timeout(1000000, Timer::FinWait2), kRef);
  EXPECT_EQ(t.result, Err::Inval);
  EXPECT_EQ(t.tcb.state, State::FinWait2);
}

// ----- capacity ----------------------------------------------------------------------------

TEST(Capacity, NoStepEmitsMoreThanKMaxActionsMinusOneOrMoreThanOneSegment) {
  // types.hpp: Actions has fixed capacity kMaxActions and push() silently drops beyond it, so
  // every step must stay strictly below it; and "the core never sends two in one step"
  std::size_t most = 0;
  for (Profile p : kAllProfiles) {
    for (Mutant m : kAllMutants) {
      Config c = profile_config(p);
      c.mutant = m;
      for (State s : kAllStates) {
        const Tcb t = classes::canonical_tcb(s, c);
        for (const classes::InputClass& k : classes::all_classes()) {
          const Output o = step(t, classes::make_input(k, t), c);
          if (o.actions.size > most) most = o.actions.size;
          EXPECT_LE(o.actions.size, kMaxActions - 1)
              << name(p) << "/" << name(m) << " " << name(s);
          EXPECT_LE(count_actions(o, ActionKind::Send), 1u)
              << name(p) << "/" << name(m) << " " << name(s);
        }
      }
    }
  }
  EXPECT_GE(most, 3u);  // the sweep did reach multi-action steps
}

}  // namespace
}  // namespace tcpclose
