// Config::oow_ack_interval, Linux tcp_invalid_ratelimit: answers outside the window, to PAWS
// rejects, and challenge ACKs go out at most once per interval on a connection; data and FIN are
// always answered. Pinned on the kernel by tests/packetdrill/linux/*oow-ack-rate-limit*.pkt.
#include <cstdint>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

#include "fixtures.hpp"

namespace tcpclose {
namespace {

using namespace tcpclose::test;

Config limited() {
  Config c = linux_config();
  c.timestamps = false;  // no PAWS in the way: only the rate limit decides
  c.paws = false;
  return c;
}

TEST(RateLimit, TimeWaitAnswersAnOutOfWindowAckOncePerInterval) {
  const Config c = limited();
  const Tcb tw = tcb_time_wait(c);
  const Segment old_ack = seg_ack(kIrs + 100000, tw.snd_nxt);
  const Output first = deliver(tw, old_ack, c, 1000);
  EXPECT_TRUE(sends(first, flag::ACK, tw.snd_nxt, tw.rcv_nxt));
  EXPECT_EQ(first.tcb.oow_ack_at, 1001u);
  const Output second = deliver(first.tcb, old_ack, c, 1100);
  EXPECT_TRUE(sends_nothing(second));
  EXPECT_EQ(second.verdict, Verdict::Dropped);
  // the retransmitted FIN is always answered, and moves no clock (tcp_oow_rate_limited)
  const Output fin = deliver(second.tcb, seg_fin(kIrs + 1, tw.snd_nxt), c, 1110);
  EXPECT_TRUE(sends(fin, flag::ACK, tw.snd_nxt, tw.rcv_nxt));
  EXPECT_EQ(fin.tcb.oow_ack_at, 1001u);
  EXPECT_TRUE(sends_nothing(deliver(fin.tcb, old_ack, c, 1499)));  // 499 ticks: still within
  const Output again = deliver(fin.tcb, old_ack, c, 1500);          // 500: answered
  EXPECT_TRUE(sends(again, flag::ACK, tw.snd_nxt, tw.rcv_nxt));
  EXPECT_EQ(again.tcb.oow_ack_at, 1501u);
}

TEST(RateLimit, ChallengeAcksAndDupAcksShareOneClockAndDataIsAlwaysAnswered) {
  const Config c = limited();
  const Tcb est = tcb_established(c);
  const Output challenge = deliver(est, seg_rst(kIrs + 11), c, 0);  // in the window, not RCV.NXT
  EXPECT_EQ(challenge.verdict, Verdict::ChallengeAcked);
  EXPECT_EQ(challenge.tcb.oow_ack_at, 1u);
  const Output dup = deliver(challenge.tcb, seg_ack(kIrs + 100000, est.snd_nxt), c, 100);
  EXPECT_TRUE(sends_nothing(dup));
  EXPECT_EQ(dup.verdict, Verdict::Dropped);
  const Output data = deliver(dup.tcb, seg_data(kIrs + 100000, est.snd_nxt, 10), c, 110);
  EXPECT_TRUE(sends(data, flag::ACK, est.snd_nxt, est.rcv_nxt));
  const Output syn = deliver(data.tcb, seg_syn(kIrs + 500), c, 120);  // RFC 5961 §4 challenge
  EXPECT_TRUE(sends_nothing(syn));
  EXPECT_EQ(syn.tcb.state, State::Established);
  const Output rst = deliver(syn.tcb, seg_rst(kIrs + 11), c, 130);
  EXPECT_TRUE(sends_nothing(rst));
  EXPECT_EQ(rst.tcb.state, State::Established);
  EXPECT_TRUE(sends(deliver(rst.tcb, seg_ack(kIrs + 100000, est.snd_nxt), c, 520), flag::ACK, est.snd_nxt,
                    est.rcv_nxt));
}

TEST(RateLimit, TimeWaitStartsWithAFreshClock) {
  // Linux tcp_time_wait(): tw_last_oow_ack_time = 0, whatever the full socket answered last
  const Config c = limited();
  Tcb fw2 = tcb_fin_wait_2(c);
  fw2.oow_ack_at = 991;
  const Output fin = deliver(fw2, seg_fin(kIrs + 1, fw2.snd_nxt), c, 1000);
  ASSERT_EQ(fin.tcb.state, State::TimeWait);
  EXPECT_EQ(fin.tcb.oow_ack_at, 0u);
  EXPECT_TRUE(sends(deliver(fin.tcb, seg_ack(kIrs + 100000, fw2.snd_nxt), c, 1001), flag::ACK, fw2.snd_nxt,
                    fin.tcb.rcv_nxt));
}

TEST(RateLimit, OffEveryAnswerGoesAndTheFieldStaysZero) {
  Config c = limited();
  c.oow_ack_interval = 0;
  Tcb t = tcb_time_wait(c);
  for (std::uint32_t now : {1000u, 1001u, 1002u}) {
    const Output o = deliver(t, seg_ack(kIrs + 100000, t.snd_nxt), c, now);
    EXPECT_TRUE(sends(o, flag::ACK, t.snd_nxt, t.rcv_nxt));
    EXPECT_EQ(o.tcb.oow_ack_at, 0u);
    t = o.tcb;
  }
  EXPECT_EQ(reference_config().oow_ack_interval, 0u);
  EXPECT_EQ(freebsd_config().oow_ack_interval, 0u);
  EXPECT_EQ(linux_config().oow_ack_interval, 500u);
}

}  // namespace
}  // namespace tcpclose
