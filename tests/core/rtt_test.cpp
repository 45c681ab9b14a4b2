// Retransmission timing from the measured RTT (Config::rtt_estimate, RFC 6298): the samples
// (Karn's rule), SRTT and RTTVAR, and each stack's RTO from them (Linux, FreeBSD).
// Rule: with the knob off (reference, the model) the estimation fields stay zero.
#include <cstdint>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

#include "fixtures.hpp"

namespace tcpclose {
namespace {

using namespace tcpclose::test;

// A passive open whose handshake takes `rtt` ticks: SYN at 0, our SYN,ACK, the ACK at `rtt`.
Tcb accepted_after(std::uint32_t rtt, const Config& c) {
  const Output syn = deliver(tcb_listen(c), seg_syn(5000), c, 0, 3000);
  const Output ack = deliver(syn.tcb, seg_ack(5001, 3001), c, rtt);
  EXPECT_EQ(ack.tcb.state, State::Established);
  return ack.tcb;
}

TEST(RttEstimate, LinuxResendsAFinAfterSrttPlusRtoMinThenDoubles) {
  // Linux tcp_rtt_estimator / __tcp_set_rto: first sample R: SRTT = R, mdev = 2R (4 RTTVAR),
  // RTO = SRTT + max(mdev, tcp_rto_min 200 ms): a 50 ms handshake gives 250 ms, then doubling
  // (pinned on the kernel by tests/packetdrill/linux/fin-rto-after-50ms-handshake.pkt)
  const Config c = linux_config();
  const Tcb t = accepted_after(50, c);
  EXPECT_EQ(t.srtt, 50u * 8);
  EXPECT_EQ(t.rttvar, 50u * 2);
  EXPECT_FALSE(t.rtt_timing);
  const Output fin = step(t, Input::close(60), c);
  EXPECT_TRUE(sends(fin, flag::FIN | flag::ACK, 3001, 5001));
  EXPECT_EQ(fin.tcb.at(Timer::Rexmit), 60u + 250);
  const Output r1 = step(fin.tcb, Input::timeout(310, Timer::Rexmit), c);
  EXPECT_TRUE(sends(r1, flag::FIN | flag::ACK, 3001, 5001));
  EXPECT_EQ(r1.tcb.at(Timer::Rexmit), 310u + 500);
  const Output r2 = step(r1.tcb, Input::timeout(810, Timer::Rexmit), c);
  EXPECT_EQ(r2.tcb.at(Timer::Rexmit), 810u + 1000);
}

TEST(RttEstimate, FreeBsdAddsTheSlopAfterTheBackoff) {
  // FreeBSD tcp_xmit_timer: TCP_REXMTVAL = max(t_rttmin 30, SRTT + 4 RTTVAR) = 3R for the first
  // sample; TCPT_RANGESET adds tcp_rexmit_slop 200; tcp_timer_rexmt: REXMTVAL * tcp_backoff[] + slop
  const Config c = freebsd_config();
  const Tcb t = accepted_after(50, c);
  const Output fin = step(t, Input::close(60), c);
  EXPECT_EQ(fin.tcb.at(Timer::Rexmit), 60u + 150 + 200);
  const Output r1 = step(fin.tcb, Input::timeout(410, Timer::Rexmit), c);
  EXPECT_EQ(r1.tcb.at(Timer::Rexmit), 410u + 300 + 200);
  // a fast handshake: REXMTVAL is t_rttmin (30), so the FIN waits 230 ms
  const Tcb fast = accepted_after(1, c);
  EXPECT_EQ(step(fast, Input::close(10), c).tcb.at(Timer::Rexmit), 10u + 30 + 200);
}

TEST(RttEstimate, Rfc6298SmoothsLaterSamples) {
  // RFC 6298 §2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|, SRTT = 7/8 SRTT + 1/8 R'
  const Config c = linux_config();
  const Tcb t = accepted_after(100, c);  // SRTT 100, RTTVAR 50
  const Output data = step(t, Input::send(200, 10), c);
  EXPECT_TRUE(data.tcb.rtt_timing);
  EXPECT_EQ(data.tcb.rtt_time, 200u);
  const Output acked = deliver(data.tcb, seg_ack(5001, 3011), c, 220);  // R' = 20
  EXPECT_EQ(acked.tcb.srtt, 800u - 100 + 20);          // SRTT 90
  EXPECT_EQ(acked.tcb.rttvar, 200u - 50 + 80);         // 4 RTTVAR: 4 (3/4 * 50 + 1/4 * 80)
  const Output fin = step(acked.tcb, Input::close(300), c);
  EXPECT_EQ(fin.tcb.at(Timer::Rexmit), 300u + 90 + 230);  // SRTT + max(200, 4 RTTVAR)
}

TEST(RttEstimate, KarnsRuleTakesNoSampleFromARetransmittedSegment) {
  // RFC 6298 §3: the SYN was resent, so its ACK is no sample, and the RTO stays the initial one
  const Config c = linux_config();
  const Output syn = step(tcb_closed(c), Input::connect(0, 1000), c);
  EXPECT_TRUE(syn.tcb.rtt_timing);
  const Output again = step(syn.tcb, Input::timeout(1000, Timer::Rexmit), c);
  EXPECT_FALSE(again.tcb.rtt_timing);
  const Output est = deliver(again.tcb, seg_syn_ack(5000, 1001), c, 1050);
  EXPECT_EQ(est.tcb.state, State::Established);
  EXPECT_EQ(est.tcb.srtt, 0u);
  EXPECT_EQ(step(est.tcb, Input::close(1100), c).tcb.at(Timer::Rexmit), 1100u + 1000);
}

TEST(RttEstimate, OnlyASegmentSentFromIdleIsTimed) {
  // one timed segment at a time: a FIN sent while data is in flight does not restart timing
  const Config c = linux_config();
  const Tcb t = accepted_after(50, c);
  const Output data = step(t, Input::send(100, 10), c);
  const Output fin = step(data.tcb, Input::close(130), c);
  EXPECT_TRUE(fin.tcb.rtt_timing);
  EXPECT_EQ(fin.tcb.rtt_time, 100u);
}

TEST(RttEstimate, TheBackoffStopsAtRtoMax) {
  // Linux inet_csk_rto_backoff: min(rto << backoff, TCP_RTO_MAX 120 s)
  Config c = linux_config();
  c.fin_retries = 15;
  Tcb t = step(accepted_after(50, c), Input::close(0), c).tcb;
  std::uint32_t waited = 0;
  for (int i = 0; i < 9; ++i) {
    const std::uint32_t at = t.at(Timer::Rexmit);
    t = step(t, Input::timeout(at, Timer::Rexmit), c).tcb;
    waited = t.at(Timer::Rexmit) - at;
    if (i == 7) { EXPECT_EQ(waited, 250u << 8); }
  }
  EXPECT_EQ(waited, 120000u);  // 250 << 9 would be 128 s
}

TEST(RttEstimate, WithTheKnobOffTheFieldsStayZero) {
  // the model and the reference profile: a fixed RTO, and the TCB does not change shape
  const Config c = reference_config();
  const Tcb t = accepted_after(50, c);
  const Output fin = step(step(t, Input::send(60, 10), c).tcb, Input::close(70), c);
  const Output r = step(fin.tcb, Input::timeout(1060, Timer::Rexmit), c);
  const Output done = deliver(r.tcb, seg_ack(5001, 3012), c, 1100);
  for (const Tcb& x : {t, fin.tcb, r.tcb, done.tcb}) {
    EXPECT_FALSE(x.rtt_timing);
    EXPECT_EQ(x.rtt_time, 0u);
    EXPECT_EQ(x.srtt, 0u);
    EXPECT_EQ(x.rttvar, 0u);
  }
  EXPECT_EQ(fin.tcb.at(Timer::Rexmit), 1060u);
}

// ----- Linux's tail loss probe (Config::tail_loss_probe) ----------------------------------------

Tcb accepted_with_sack_after(std::uint32_t rtt, const Config& c) {
  Segment syn = seg_syn(5000);
  syn.sack_perm = true;
  const Output o = deliver(tcb_listen(c), syn, c, 0, 3000);
  EXPECT_TRUE(o.tcb.sack_ok);
  return deliver(o.tcb, seg_ack(5001, 3001), c, rtt).tcb;
}

TEST(TailLossProbe, ALoneFinIsProbedAtTheRtoThenTheRtoRunsUnbackedOff) {
  // Linux tcp_schedule_loss_probe: PTO = 2 SRTT + tcp_rto_min with one packet out, at most the
  // RTO: min(300, 250); tcp_send_loss_probe resends the FIN, tcp_rearm_rto re-arms 250 ms; the RTO
  // then doubles (kernel: tests/packetdrill/linux/fin-tlp-after-50ms-handshake.pkt)
  const Config c = linux_config();
  const Output fin = step(accepted_with_sack_after(50, c), Input::close(60), c);
  EXPECT_EQ(fin.tcb.at(Timer::Rexmit), 310u);
  const Output probe = step(fin.tcb, Input::timeout(310, Timer::Rexmit), c);
  EXPECT_TRUE(sends(probe, flag::FIN | flag::ACK, 3001, 5001));
  EXPECT_TRUE(probe.tcb.tlp_sent);
  EXPECT_EQ(probe.tcb.retries, 0u);
  EXPECT_EQ(probe.tcb.at(Timer::Rexmit), 310u + 250);
  const Output rto = step(probe.tcb, Input::timeout(560, Timer::Rexmit), c);
  EXPECT_TRUE(sends(rto, flag::FIN | flag::ACK, 3001, 5001));
  EXPECT_EQ(rto.tcb.retries, 1u);
  EXPECT_EQ(rto.tcb.at(Timer::Rexmit), 560u + 500);
  // a slow handshake: RTO 300 + 600 = 900 ms, the probe earlier at 2 * 300 + 200 = 800 ms
  const Output slow = step(accepted_with_sack_after(300, c), Input::close(400), c);
  EXPECT_EQ(slow.tcb.at(Timer::Rexmit), 400u + 800);
  EXPECT_TRUE(step(slow.tcb, Input::timeout(1200, Timer::Rexmit), c).tcb.tlp_sent);
}

TEST(TailLossProbe, AFinBehindDataIsProbedAloneAfterTwoSrtt) {
  // google/packetdrill shutdown-rdwr-write-queue-close: 10 ms RTT, data then FIN in flight:
  // PTO = 2 SRTT + TCP_TIMEOUT_MIN; the probe is the last segment, the FIN alone
  const Config c = linux_config();
  const Output data = step(accepted_with_sack_after(10, c), Input::send(20, 10000), c);
  EXPECT_EQ(data.tcb.at(Timer::Rexmit), 20u + 210);
  const Output fin = step(data.tcb, Input::shutdown(30, Shut::RdWr), c);
  EXPECT_EQ(fin.tcb.at(Timer::Rexmit), 30u + 20 + kProbeMinTicks);
  const Output probe = step(fin.tcb, Input::timeout(52, Timer::Rexmit), c);
  EXPECT_TRUE(sends(probe, flag::FIN | flag::ACK, 13001, 5001));
}

TEST(TailLossProbe, NoProbeWithoutSack) {
  // tcp_schedule_loss_probe: !tcp_is_sack(tp) -> no probe; the first expiry is the RTO
  const Config c = linux_config();
  const Output fin = step(accepted_after(50, c), Input::close(60), c);
  const Output rto = step(fin.tcb, Input::timeout(310, Timer::Rexmit), c);
  EXPECT_EQ(rto.tcb.retries, 1u);
  EXPECT_FALSE(rto.tcb.tlp_sent);
  EXPECT_EQ(rto.tcb.at(Timer::Rexmit), 310u + 500);
}

}  // namespace
}  // namespace tcpclose
