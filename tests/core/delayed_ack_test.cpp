// Delayed ACKs (Config::delayed_ack, Timer::DelAck): which ACKs wait, for how long, what sends
// them, and what cancels them. Rule: with the knob off (reference, the model) every ACK goes at
// once and the timer is never armed.
#include <cstdint>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

#include "fixtures.hpp"

namespace tcpclose {
namespace {

using namespace tcpclose::test;

Config freebsd_delack() { return freebsd_config(); }  // the profile's own value

TEST(DelayedAck, ReferenceAcksAFinInEstablishedAtOnce) {
  // RFC 9293 §3.10.7.4 eighth check: "send an acknowledgment", the knob off
  const Config c = reference_config();
  const Output o = deliver(tcb_established(c), seg_fin(kIrs + 1, kIss + 1), c, 10);
  EXPECT_EQ(o.tcb.state, State::CloseWait);
  EXPECT_TRUE(sends(o, flag::ACK, kIss + 1, kIrs + 2));
  EXPECT_FALSE(o.tcb.armed(Timer::DelAck));
}

TEST(DelayedAck, LinuxDelaysTheAckOfAFinToTheNextTickBeforeAnyData) {
  // Linux tcp_fin(): ESTABLISHED -> CLOSE-WAIT, inet_csk_enter_pingpong_mode(); __tcp_ack_snd_check()
  // -> tcp_send_delayed_ack() with ato 0: the next jiffy (linux/close-wait-fin-ack-delayed-next-tick.pkt)
  const Config c = linux_config();
  const Output o = deliver(tcb_established(c), seg_fin(kIrs + 1, kIss + 1), c, 10);
  EXPECT_EQ(o.tcb.state, State::CloseWait);
  EXPECT_TRUE(has_action(o, ActionKind::Eof));
  EXPECT_TRUE(sends_nothing(o));
  EXPECT_EQ(armed_at(o, Timer::DelAck), 10u + c.delack_min);
  EXPECT_EQ(c.delack_min, 4u);
  const Output early = step(o.tcb, Input::timeout(13, Timer::DelAck), c);
  EXPECT_EQ(early.result, Err::Inval);
  // tcp_delack_timer_handler() -> tcp_send_ack(): with the then-current timestamps
  const Output fired = step(o.tcb, Input::timeout(14, Timer::DelAck), c);
  EXPECT_TRUE(sends(fired, flag::ACK, kIss + 1, kIrs + 2));
  EXPECT_EQ(fired.actions.seg.ts_val, 14u);
  EXPECT_FALSE(fired.tcb.armed(Timer::DelAck));
  EXPECT_EQ(fired.tcb.last_ack_sent, kIrs + 2);
  EXPECT_EQ(fired.tcb.state, State::CloseWait);
}

TEST(DelayedAck, LinuxAcksDataAtOnceThenDelaysTheFinByAtoMin) {
  // quickack mode: the data is ACKed at once; tcp_event_data_recv() set ato = TCP_ATO_MIN, so the
  // FIN's delayed ACK comes 40 ms later (linux/close-wait-fin-ack-delayed-after-data.pkt)
  const Config c = linux_config();
  const Output data = deliver(tcb_established(c), seg_data(kIrs + 1, kIss + 1, 100), c, 10);
  EXPECT_TRUE(sends(data, flag::ACK, kIss + 1, kIrs + 101));
  EXPECT_FALSE(data.tcb.armed(Timer::DelAck));
  const Output fin = deliver(data.tcb, seg_fin(kIrs + 101, kIss + 1), c, 20);
  EXPECT_TRUE(sends_nothing(fin));
  EXPECT_EQ(armed_at(fin, Timer::DelAck), 20u + 40);
  const Output fired = step(fin.tcb, Input::timeout(60, Timer::DelAck), c);
  EXPECT_TRUE(sends(fired, flag::ACK, kIss + 1, kIrs + 102));
}

TEST(DelayedAck, LinuxDelaysDataWithFinInOneSegmentByAtoMin) {
  // tcp_data_queue(): tcp_event_data_recv() (ato = TCP_ATO_MIN), then tcp_fin() (pingpong)
  const Config c = linux_config();
  Segment s = seg_data(kIrs + 1, kIss + 1, 100);
  s.flags |= flag::FIN;
  const Output o = deliver(tcb_established(c), s, c, 10);
  EXPECT_EQ(o.tcb.state, State::CloseWait);
  EXPECT_TRUE(sends_nothing(o));
  EXPECT_EQ(armed_at(o, Timer::DelAck), 50u);
}

TEST(DelayedAck, OurFinCarriesThePendingAckAndCancelsTheTimer) {
  // tcp_event_ack_sent() -> inet_csk_clear_xmit_timer(ICSK_TIME_DACK)
  // (linux/close-wait-close-before-delayed-ack.pkt)
  const Config c = linux_config();
  const Output fin = deliver(tcb_established(c), seg_fin(kIrs + 1, kIss + 1), c, 10);
  const Output closed = step(fin.tcb, Input::close(12), c);
  EXPECT_EQ(closed.tcb.state, State::LastAck);
  EXPECT_TRUE(sends(closed, flag::FIN | flag::ACK, kIss + 1, kIrs + 2));
  EXPECT_TRUE(cancelled(closed, Timer::DelAck));
  EXPECT_FALSE(closed.tcb.armed(Timer::DelAck));
}

TEST(DelayedAck, EndingTheConnectionCancelsTheTimer) {
  // a RST at RCV.NXT: tcp_reset() -> tcp_done() clears the timers (to_closed)
  const Config c = linux_config();
  const Output fin = deliver(tcb_established(c), seg_fin(kIrs + 1, kIss + 1), c, 10);
  const Output rst = deliver(fin.tcb, seg_rst(kIrs + 2), c, 11);
  EXPECT_EQ(rst.tcb.state, State::Closed);
  EXPECT_TRUE(cancelled(rst, Timer::DelAck));
  EXPECT_FALSE(rst.tcb.armed(Timer::DelAck));
}

TEST(DelayedAck, LinuxAcksAFinInFinWait1And2AtOnce) {
  // tcp_fin(): FIN_WAIT1 and FIN_WAIT2 call tcp_send_ack() themselves
  const Config c = linux_config();
  const Output closing = deliver(tcb_fin_wait_1(c), seg_fin(kIrs + 1, kIss + 1), c, 10);
  EXPECT_EQ(closing.tcb.state, State::Closing);
  EXPECT_TRUE(sends(closing, flag::ACK, kIss + 2, kIrs + 2));
  EXPECT_FALSE(closing.tcb.armed(Timer::DelAck));
  const Output tw = deliver(tcb_fin_wait_2(c), seg_fin(kIrs + 1, kIss + 2), c, 10);
  EXPECT_EQ(tw.tcb.state, State::TimeWait);
  EXPECT_TRUE(sends(tw, flag::ACK, kIss + 2, kIrs + 2));
  EXPECT_FALSE(tw.tcb.armed(Timer::DelAck));
}

TEST(DelayedAck, FreeBsdDelaysDataAndAcksEverySecondSegmentAtOnce) {
  // tcp_do_segment dodata: DELAY_ACK() -> TF_DELACK, TT_DELACK in tcp_delacktime (40 ms); with the
  // timer running DELAY_ACK() is false: TF_ACKNOW
  const Config c = freebsd_delack();
  const Output first = deliver(tcb_established(c), seg_data(kIrs + 1, kIss + 1, 100), c, 10);
  EXPECT_TRUE(sends_nothing(first));
  EXPECT_TRUE(has_action(first, ActionKind::Readable));
  EXPECT_EQ(armed_at(first, Timer::DelAck), 50u);
  const Output second = deliver(first.tcb, seg_data(kIrs + 101, kIss + 1, 100), c, 20);
  EXPECT_TRUE(sends(second, flag::ACK, kIss + 1, kIrs + 201));
  EXPECT_TRUE(cancelled(second, Timer::DelAck));
  // tcp_timer_delack(): TF_ACKNOW, tcp_output()
  const Output fired = step(first.tcb, Input::timeout(50, Timer::DelAck), c);
  EXPECT_TRUE(sends(fired, flag::ACK, kIss + 1, kIrs + 101));
}

TEST(DelayedAck, FreeBsdAcksAFinAtOnce) {
  // "since we received a FIN then no more input can be expected, send ACK now"
  const Config c = freebsd_delack();
  const Output o = deliver(tcb_established(c), seg_fin(kIrs + 1, kIss + 1), c, 10);
  EXPECT_TRUE(sends(o, flag::ACK, kIss + 1, kIrs + 2));
  Segment s = seg_data(kIrs + 1, kIss + 1, 100);
  s.flags |= flag::FIN;
  const Output both = deliver(tcb_established(c), s, c, 10);
  EXPECT_TRUE(sends(both, flag::ACK, kIss + 1, kIrs + 102));
  EXPECT_FALSE(both.tcb.armed(Timer::DelAck));
}

TEST(DelayedAck, TimeWaitCancelsAPendingDelayedAck) {
  // FreeBSD: data delays its ACK in FIN-WAIT-1 (after shutdown(SHUT_WR)); our FIN's ACK and the peer's FIN then end it in
  // TIME-WAIT, whose ACK goes at once and leaves no delayed-ACK timer (tcp_twstart)
  const Config c = freebsd_delack();
  const Output data = deliver(half_closed(tcb_fin_wait_1(c)), seg_data(kIrs + 1, kIss + 1, 100), c, 10);
  EXPECT_TRUE(data.tcb.armed(Timer::DelAck));
  const Output tw = deliver(data.tcb, seg_fin(kIrs + 101, kIss + 2), c, 20);
  EXPECT_EQ(tw.tcb.state, State::TimeWait);
  EXPECT_TRUE(sends(tw, flag::ACK, kIss + 2, kIrs + 102));
  EXPECT_FALSE(tw.tcb.armed(Timer::DelAck));
}

TEST(DelayedAck, OnlyLinuxAndFreeBsdDelayByDefault) {
  for (Profile p : kAllProfiles)
    EXPECT_EQ(profile_config(p).delayed_ack, p == Profile::Linux     ? DelayedAck::LinuxFin
                                             : p == Profile::FreeBsd ? DelayedAck::FreeBsdData
                                                                     : DelayedAck::Off)
        << name(p);
}

}  // namespace
}  // namespace tcpclose
