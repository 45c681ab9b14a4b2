// The profiles differ exactly where the stacks differ: one test per difference, each citing
// the stack source given in config.hpp. All profiles use 1 tick = 1 ms.
// Rule: tests drive step() with a profile's Config, never branch on the profile's name.
#include <cstdint>

#include <gtest/gtest.h>
#include <tcpclose/core.hpp>

#include "fixtures.hpp"

namespace tcpclose {
namespace {

using namespace tcpclose::test;

const Config kRef = reference_config();
const Config kRfc = rfc9293_config();
const Config kLinux = linux_config();
const Config kBsd = freebsd_config();
const Config kSmol = smoltcp_config();

TEST(Profiles, AllUseOneMillisecondTicks) {
  // config.hpp: "the profiles below use 1 tick = 1 ms (tick_us = 1000)"
  for (Profile p : kAllProfiles) EXPECT_EQ(profile_config(p).tick_us, 1000u) << name(p);
  EXPECT_TRUE(profile_config(Profile::Linux) == kLinux);
  EXPECT_TRUE(profile_config(Profile::Smoltcp) == kSmol);
}

TEST(Profiles, LinuxKillsTimeWaitOnAnExactRst) {
  // Linux net/ipv4/tcp_minisocks.c tcp_timewait_state_process, tcp_rfc1337 = 0: a RST at
  // rcv_nxt kills TIME-WAIT ("TIME_WAIT assassination")
  const Output o = deliver(tcb_time_wait(kLinux), seg_rst(5002), kLinux, 10);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_EQ(o.effects, effect::RstAbort);
}

TEST(Profiles, LinuxDropsANonExactRstInTimeWaitSilently) {
  // Linux tcp_timewait_state_process: other RSTs are dropped, no challenge ACK
  const Output o = deliver(tcb_time_wait(kLinux), seg_rst(5003), kLinux, 10);
  EXPECT_EQ(o.tcb.state, State::TimeWait);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.actions.empty());
}

TEST(Profiles, FreeBsdIgnoresEveryRstInTimeWait) {
  // FreeBSD sys/netinet/tcp_timewait.c tcp_twcheck: every RST is dropped in TIME-WAIT
  for (Seq s : {Seq{5002}, Seq{5003}}) {
    const Output o = deliver(tcb_time_wait(kBsd), seg_rst(s), kBsd, 10);
    EXPECT_EQ(o.tcb.state, State::TimeWait) << s;
    EXPECT_EQ(o.verdict, Verdict::Dropped) << s;
  }
  EXPECT_EQ(deliver(tcb_time_wait(kRef), seg_rst(5002), kRef, 10).tcb.state, State::TimeWait);
}

TEST(Profiles, Rfc9293AndSmoltcpKillTimeWaitOnAnyInWindowRst) {
  // RFC 9293 §3.10.7.4 second check with RFC 793's window rule; smoltcp src/socket/tcp.rs
  // Socket::process: the (_, Rst) arm closes every state
  for (const Config& c : {kRfc, kSmol}) {
    const Output o = deliver(tcb_time_wait(c), seg_rst(5003), c, 10);
    EXPECT_EQ(o.tcb.state, State::Closed);
    EXPECT_EQ(o.effects, effect::RstAbort);
  }
  EXPECT_EQ(deliver(tcb_time_wait(kLinux), seg_rst(5003), kLinux, 10).tcb.state,
            State::TimeWait);
}

TEST(Profiles, LinuxFreeBsdReferenceChallengeAnInWindowRstInEstablished) {
  // Linux tcp_validate_incoming and FreeBSD insecure_rst = 0 (RFC 5961 §3.2): challenge ACK
  for (const Config& c : {kLinux, kBsd, kRef}) {
    const Output o = deliver(tcb_established(c), seg_rst(5100), c, 10);
    EXPECT_EQ(o.tcb.state, State::Established);
    EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
    EXPECT_TRUE(sends(o, flag::ACK, 1001, 5001));
  }
}

TEST(Profiles, Rfc9293AndSmoltcpResetOnAnInWindowRstInEstablished) {
  // RFC 793 §3.4 window rule (rfc9293 profile); smoltcp: "an in-window RST closes"
  for (const Config& c : {kRfc, kSmol}) {
    const Output o = deliver(tcb_established(c), seg_rst(5100), c, 10);
    EXPECT_EQ(o.tcb.state, State::Closed);
    EXPECT_EQ(error_told(o), Err::ConnReset);
    EXPECT_TRUE(sends_nothing(o));
  }
}

TEST(Profiles, SmoltcpDropsASynInEstablished) {
  // smoltcp Socket::process: the "expecting an ACK" arm drops a bare SYN without a reply
  const Output o = deliver(tcb_established(kSmol), seg_syn(5100), kSmol, 10);
  EXPECT_EQ(o.verdict, Verdict::Dropped);
  EXPECT_TRUE(o.actions.empty());
  EXPECT_EQ(o.tcb.state, State::Established);
}

TEST(Profiles, LinuxFreeBsdReferenceChallengeASynInEstablished) {
  // Linux tcp_validate_incoming / FreeBSD insecure_syn = 0 (RFC 5961 §4.2): challenge ACK
  for (const Config& c : {kLinux, kBsd, kRef}) {
    const Output o = deliver(tcb_established(c), seg_syn(5100), c, 10);
    EXPECT_EQ(o.verdict, Verdict::ChallengeAcked);
    EXPECT_TRUE(sends(o, flag::ACK, 1001, 5001));
    EXPECT_EQ(o.tcb.state, State::Established);
  }
}

TEST(Profiles, Rfc9293ResetsOnAnInWindowSynInEstablished) {
  // RFC 793 §3.9 (rfc9293 profile, syn_acceptance=Window): an in-window SYN is an error:
  // send a reset, tell the user, CLOSED
  const Output o = deliver(tcb_established(kRfc), seg_syn(5100), kRfc, 10);
  EXPECT_EQ(o.verdict, Verdict::Reset);
  EXPECT_EQ(o.tcb.state, State::Closed);
  EXPECT_TRUE(sends(o, flag::RST | flag::ACK, 0, 5101));
  EXPECT_EQ(error_told(o), Err::ConnReset);
  // out of the window it is only ACKed
  const Output far = deliver(tcb_established(kRfc), seg_syn(5001 + 65535), kRfc, 10);
  EXPECT_EQ(far.verdict, Verdict::DroppedAcked);
  EXPECT_EQ(far.tcb.state, State::Established);
}

TEST(Profiles, TimeWaitLengthsPerStack) {
  // Linux include/net/tcp.h TCP_TIMEWAIT_LEN 60 s; FreeBSD 2 * TCPTV_MSL = 60 s; smoltcp
  // CLOSE_DELAY 10 s; reference and rfc9293: 2 MSL = 240 s (RFC 9293 §3.4.2)
  const struct { Config c; std::uint32_t ms; } cases[] = {
      {kLinux, 60000}, {kBsd, 60000}, {kSmol, 10000}, {kRef, 240000}, {kRfc, 240000}};
  for (const auto& k : cases) {
    const Output o = deliver(tcb_fin_wait_2(k.c), seg_fin(5001, 1002), k.c, 0);
    EXPECT_EQ(o.tcb.state, State::TimeWait) << k.ms;
    EXPECT_EQ(o.tcb.at(Timer::TimeWait), k.ms);
    EXPECT_EQ(k.c.time_wait * k.c.tick_us / 1000u, k.ms);
  }
}

TEST(Profiles, LinuxRestartsTimeWaitOnAnyAckWhileReferenceRestartsOnlyOnFin) {
  // Linux tcp_timewait_state_process: inet_twsk_reschedule on th->ack; RFC 9293 §3.10.7.4
  // eighth check restarts only on the retransmitted FIN
  const Output linux_ack = deliver(tcb_time_wait(kLinux), seg_ack(5002, 1002), kLinux, 5000);
  EXPECT_EQ(linux_ack.tcb.at(Timer::TimeWait), 5000u + 60000u);
  const Output ref_ack = deliver(tcb_time_wait(kRef), seg_ack(5002, 1002), kRef, 5000);
  EXPECT_EQ(ref_ack.tcb.at(Timer::TimeWait), 240000u);
  const Output ref_fin = deliver(tcb_time_wait(kRef), seg_fin(5001, 1002), kRef, 5000);
  EXPECT_EQ(ref_fin.tcb.at(Timer::TimeWait), 5000u + 240000u);
  // Linux also reschedules on an out-of-window ACK
  const Output linux_far = deliver(tcb_time_wait(kLinux), seg_ack(9000 + 65535, 1002), kLinux, 5000);
  EXPECT_EQ(linux_far.tcb.at(Timer::TimeWait), 5000u + 60000u);
}

TEST(Profiles, ReopeningPoliciesPerStack) {
  // RFC 1122 §4.2.2.13 (FreeBSD tcp_twcheck SEQ_GT(th_seq, rcv_nxt)); Linux TCP_TW_SYN with
  // isn = tw_snd_nxt + 65535 + 2; RFC 6191 (reference); none in rfc9293 and smoltcp
  const Segment higher = seg_syn(5003);  // no timestamp option
  const Output ref = deliver(tcb_time_wait(kRef), higher, kRef, 10, 3000);
  EXPECT_EQ(ref.tcb.state, State::SynReceived);
  EXPECT_EQ(ref.tcb.iss, 3000u);
  const Output bsd = deliver(tcb_time_wait(kBsd), higher, kBsd, 10, 3000);
  EXPECT_EQ(bsd.tcb.state, State::SynReceived);
  EXPECT_EQ(bsd.tcb.iss, 3000u);
  const Output lnx = deliver(tcb_time_wait(kLinux), higher, kLinux, 10, 3000);
  EXPECT_EQ(lnx.tcb.state, State::SynReceived);
  EXPECT_EQ(lnx.tcb.iss, 1002u + 65537u);
  const Output smol = deliver(tcb_time_wait(kSmol), higher, kSmol, 10, 3000);
  EXPECT_EQ(smol.tcb.state, State::TimeWait);
  EXPECT_EQ(smol.verdict, Verdict::Dropped);
  // rfc9293: no reopening; the in-window SYN is an error that resets TIME-WAIT (RFC 793 §3.9)
  const Output rfc = deliver(tcb_time_wait(kRfc), higher, kRfc, 10, 3000);
  EXPECT_EQ(rfc.effects & effect::Reopened, 0);
  EXPECT_EQ(rfc.verdict, Verdict::Reset);
  EXPECT_EQ(rfc.tcb.state, State::Closed);
}

TEST(Profiles, LinuxReopensOnANewerTimestampWhereFreeBsdWantsAHigherSequence) {
  // Linux tcp_timewait_state_process: (s32)(tw_ts_recent - rcv_tsval) < 0 suffices;
  // FreeBSD tcp_twcheck looks only at SEQ_GT(th_seq, rcv_nxt)
  const Segment old_seq_new_ts = with_ts(seg_syn(5000), kTsRecent + 1);
  const Output lnx = deliver(tcb_time_wait(kLinux), old_seq_new_ts, kLinux, 10, 3000);
  EXPECT_EQ(lnx.tcb.state, State::SynReceived);
  const Output bsd = deliver(tcb_time_wait(kBsd), old_seq_new_ts, kBsd, 10, 3000);
  EXPECT_EQ(bsd.tcb.state, State::TimeWait);
  EXPECT_EQ(bsd.verdict, Verdict::Dropped);  // tcp_twcheck: no ACK flag, so no answer
  EXPECT_TRUE(sends_nothing(bsd));
}

TEST(Profiles, FreeBsdDropsASynThatCannotReopenTimeWaitWhereOthersAckIt) {
  // FreeBSD tcp_twcheck: after the SEQ_GT(th_seq, rcv_nxt) reopen test, "Drop the segment if
  // it does not contain an ACK": no tcp_twrespond. Linux answers TCP_TW_ACK; reference and
  // rfc9293's Never/Window rules answer per RFC 5961 or RFC 793
  for (Seq seq : {Seq{5002}, Seq{5001}, Seq{4000}}) {  // at RCV.NXT (5002), below it, far below
    const Output bsd = deliver(tcb_time_wait(kBsd), seg_syn(seq), kBsd, 10, 3000);
    EXPECT_EQ(bsd.tcb.state, State::TimeWait) << seq;
    EXPECT_EQ(bsd.verdict, Verdict::Dropped) << seq;
    EXPECT_TRUE(sends_nothing(bsd)) << seq;
    EXPECT_EQ(bsd.tcb, tcb_time_wait(kBsd)) << seq;  // 2MSL not restarted either
    const Output lnx = deliver(tcb_time_wait(kLinux), seg_syn(seq), kLinux, 10, 3000);
    EXPECT_EQ(lnx.tcb.state, State::TimeWait) << seq;
    EXPECT_TRUE(sent_segment(lnx).has_value()) << seq;
  }
  // one above RCV.NXT still reopens, and a SYN,ACK has an ACK: answered as before
  EXPECT_EQ(deliver(tcb_time_wait(kBsd), seg_syn(5003), kBsd, 10, 3000).tcb.state, State::SynReceived);
  const Output syn_ack = deliver(tcb_time_wait(kBsd), seg_syn_ack(5002, 1002), kBsd, 10);
  EXPECT_EQ(syn_ack.tcb.state, State::TimeWait);
  EXPECT_TRUE(sent_segment(syn_ack).has_value());
}

TEST(Profiles, FreeBsdDropsAFinWithoutAckInTimeWait) {
  // tcp_twcheck tests TH_ACK before the duplicate-FIN 2MSL reset: a FIN without ACK is dropped
  const Output bsd = deliver(tcb_time_wait(kBsd), seg(flag::FIN, 5001), kBsd, 10);
  EXPECT_EQ(bsd.verdict, Verdict::Dropped);
  EXPECT_TRUE(sends_nothing(bsd));
  // with the ACK it is the retransmitted FIN: ACKed, 2MSL restarted
  const Output fin = deliver(tcb_time_wait(kBsd), seg_fin(5001, 1002), kBsd, 10);
  EXPECT_EQ(fin.verdict, Verdict::Accepted);
  EXPECT_TRUE(sent_segment(fin).has_value());
}

TEST(Profiles, OnlyFreeBsdDropsSegmentsWithoutAckInTimeWait) {
  for (Profile p : kAllProfiles) EXPECT_EQ(profile_config(p).tw_drop_without_ack, p == Profile::FreeBsd) << name(p);
}

TEST(Profiles, FinWait2TimeoutsPerStack) {
  // Linux tcp_fin_timeout (TCP_FIN_TIMEOUT 60 s, orphans only); FreeBSD TP_MAXIDLE 600 s once
  // SBS_CANTRCVMORE; RFC 9293 and smoltcp: none
  const struct { Config c; std::uint32_t deadline; } cases[] = {
      {kLinux, 60000}, {kBsd, 600000}, {kRef, kNever}, {kRfc, kNever}, {kSmol, kNever}};
  for (const auto& k : cases) {
    const Output o = deliver(tcb_fin_wait_1(k.c), seg_ack(5001, 1002), k.c, 0);
    EXPECT_EQ(o.tcb.state, State::FinWait2);
    EXPECT_EQ(o.tcb.at(Timer::FinWait2), k.deadline);
  }
}

TEST(Profiles, FinRetryLimitsPerStack) {
  // Linux tcp_orphan_retries() = 8; FreeBSD TCP_MAXRXTSHIFT = 12; smoltcp never aborts
  const struct { Config c; std::uint8_t limit; } cases[] = {{kLinux, 8}, {kBsd, 12}};
  for (const auto& k : cases) {
    Tcb t = tcb_fin_wait_1(k.c);
    t.retries = static_cast<std::uint8_t>(k.limit - 1);
    const Output last = step(t, Input::timeout(t.at(Timer::Rexmit), Timer::Rexmit), k.c);
    EXPECT_EQ(last.tcb.state, State::FinWait1) << int{k.limit};
    t.retries = k.limit;
    const Output gave_up = step(t, Input::timeout(t.at(Timer::Rexmit), Timer::Rexmit), k.c);
    EXPECT_EQ(gave_up.tcb.state, State::Closed) << int{k.limit};
  }
  Tcb t = tcb_fin_wait_1(kSmol);
  t.retries = 250;
  const Output o = step(t, Input::timeout(t.at(Timer::Rexmit), Timer::Rexmit), kSmol);
  EXPECT_EQ(o.tcb.state, State::FinWait1);
  EXPECT_TRUE(sends(o, flag::FIN | flag::ACK, 1001, 5001));
}

TEST(Profiles, TimestampsAreOfferedByLinuxFreeBsdAndReferenceOnly) {
  // Linux sysctl tcp_timestamps = 1; smoltcp tsval_generator None by default; rfc9293 letter
  for (const Config& c : {kLinux, kBsd, kRef})
    EXPECT_TRUE(sent_segment(step(tcb_closed(c), Input::connect(0, 1000), c))->has_ts);
  for (const Config& c : {kRfc, kSmol})
    EXPECT_FALSE(sent_segment(step(tcb_closed(c), Input::connect(0, 1000), c))->has_ts);
}

TEST(Profiles, CloseWithUnreadDataResetsExceptInRfc9293AndSmoltcp) {
  // RFC 2525 §2.17 (Linux tcp_close, FreeBSD); smoltcp close() only moves to FIN-WAIT-1
  Tcb base = tcb_established();
  base.rcv_unread = 5;
  for (const Config& c : {kLinux, kBsd, kRef}) {
    const Output o = step(base, Input::close(0), c);
    EXPECT_EQ(o.tcb.state, State::Closed);
    EXPECT_TRUE(sends(o, flag::RST | flag::ACK, 1001, 5001));
  }
  for (const Config& c : {kRfc, kSmol}) {
    const Output o = step(base, Input::close(0), c);
    EXPECT_EQ(o.tcb.state, State::FinWait1);
    EXPECT_TRUE(sends(o, flag::FIN | flag::ACK, 1001, 5001));
  }
}

TEST(Profiles, DataAfterCloseIsAcceptedBySmoltcp) {
  // smoltcp: may_recv() stays true in FIN-WAIT-1/2; Linux tcp_rcv_state_process resets
  const Output smol = deliver(tcb_fin_wait_2(kSmol), seg_data(5001, 1002, 10), kSmol, 0);
  EXPECT_EQ(smol.tcb.state, State::FinWait2);
  EXPECT_EQ(find_action(smol, ActionKind::Readable)->n, 10u);
  const Output lnx = deliver(tcb_fin_wait_2(kLinux), seg_data(5001, 1002, 10), kLinux, 0);
  EXPECT_EQ(lnx.tcb.state, State::Closed);
  EXPECT_TRUE(sends(lnx, flag::RST, 1002, 0));
}

TEST(Profiles, FreeBsdProcessesTheAckOfAnOldDuplicateAndEndsLastAck) {
  // FreeBSD tcp_do_segment "todrop": a segment wholly below RCV.NXT is trimmed, "Send an ACK to
  // resynchronize and drop any data. But keep on processing for RST or ACK"; LAST-ACK then
  // closes on the ACK of our FIN (tcp_close, goto drop: nothing sent). RFC 9293 ACKs and drops.
  // tcp-testsuite snippets/last-ack: "< . 1:1(0) ack 2" after the peer's FIN at 1.
  const Output bsd = deliver(tcb_last_ack(kBsd), seg_ack(5001, 1002), kBsd, 10);
  EXPECT_EQ(bsd.tcb.state, State::Closed);
  EXPECT_EQ(bsd.verdict, Verdict::Accepted);
  EXPECT_TRUE(sends_nothing(bsd));
  const Output ref = deliver(tcb_last_ack(kRef), seg_ack(5001, 1002), kRef, 10);
  EXPECT_EQ(ref.tcb.state, State::LastAck);
  EXPECT_EQ(ref.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(ref, flag::ACK, 1002, 5002));
}

TEST(Profiles, FreeBsdTrimsARetransmittedFinInClosingAndEntersTimeWait) {
  // The peer's FIN again, acking ours: trimmed (FIN cleared, TF_ACKNOW), its ACK ends CLOSING;
  // tcp_twstart() sends the pending ACK. The reference ACKs it and stays in CLOSING.
  const Output bsd = deliver(tcb_closing(kBsd), seg_fin(5001, 1002), kBsd, 10);
  EXPECT_EQ(bsd.tcb.state, State::TimeWait);
  EXPECT_TRUE(sends(bsd, flag::ACK, 1002, 5002));
  const Output ref = deliver(tcb_closing(kRef), seg_fin(5001, 1002), kRef, 10);
  EXPECT_EQ(ref.tcb.state, State::Closing);
  EXPECT_TRUE(sends(ref, flag::ACK, 1002, 5002));
}

TEST(Profiles, FreeBsdAnswersAnOldDuplicateThatLeavesOurFinOutstandingWithTheFin) {
  // Trimmed, its ACK (of nothing new) processed, then tcp_output() with TF_ACKNOW: in LAST-ACK
  // that segment carries the FIN again (tcp_outflags, "be sure not to use a new sequence number")
  const Output bsd = deliver(tcb_last_ack(kBsd), seg_ack(5001, 1001), kBsd, 10);
  EXPECT_EQ(bsd.tcb.state, State::LastAck);
  EXPECT_TRUE(sends(bsd, flag::FIN | flag::ACK, 1001, 5002));
  // without an ACK bit: "if (tp->t_flags & TF_ACKNOW) goto dropafterack"
  const Output bare = deliver(tcb_last_ack(kBsd), seg(flag::FIN, 5001), kBsd, 10);
  EXPECT_EQ(bare.verdict, Verdict::DroppedAcked);
  EXPECT_TRUE(sends(bare, flag::FIN | flag::ACK, 1001, 5002));
}

TEST(Profiles, FreeBsdResendsItsFinWithTheAckOfThePeersFinInClosing) {
  // FreeBSD tcp_do_segment FIN processing: FIN-WAIT-1 -> CLOSING, TF_ACKNOW, tcp_output(): the
  // ACK is "F. 1:1(0) ack 2" (tcp-testsuite snippets/closing); the others send a bare ACK
  const Output bsd = deliver(tcb_fin_wait_1(kBsd), seg_fin(5001, 1001), kBsd, 10);
  EXPECT_EQ(bsd.tcb.state, State::Closing);
  EXPECT_TRUE(sends(bsd, flag::FIN | flag::ACK, 1001, 5002));
  EXPECT_EQ(bsd.tcb.snd_nxt, 1002u);  // the FIN keeps its sequence number
  for (const Config& c : {kRef, kLinux}) {
    const Output o = deliver(tcb_fin_wait_1(c), seg_fin(5001, 1001), c, 10);
    EXPECT_TRUE(sends(o, flag::ACK, 1002, 5002));
  }
  // a challenge ACK is tcp_respond()'s, not tcp_output()'s: bare
  const Output rst = deliver(tcb_fin_wait_1(kBsd), seg_rst(5100), kBsd, 10);
  EXPECT_EQ(rst.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(rst, flag::ACK, 1002, 5001));
}

TEST(Profiles, FreeBsdInsecureSynResetsFromSndNxtOrIsChallenged) {
  // FreeBSD tcp_do_segment with insecure_syn = 1: an in-window SYN -> tcp_drop(tp, ECONNRESET),
  // whose tcp_output() in CLOSED sends <SEQ=SND.NXT><ACK=RCV.NXT><RST,ACK>; any other SYN draws
  // the challenge ACK, before the sequence check. rfc9293 (RFC 793) answers <SEQ=0><ACK=SEQ+1>.
  Config c = kBsd;
  c.syn_acceptance = SynAcceptance::WindowOrChallenge;
  const Output in = deliver(half_closed(tcb_last_ack(c)), seg_syn(5002), c, 10);
  EXPECT_EQ(in.tcb.state, State::Closed);
  EXPECT_EQ(in.verdict, Verdict::Reset);
  EXPECT_TRUE(sends(in, flag::RST | flag::ACK, 1002, 5002));
  EXPECT_EQ(error_told(in), Err::ConnReset);
  const Output below = deliver(tcb_last_ack(c), seg_syn(5001), c, 10);
  EXPECT_EQ(below.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(below, flag::ACK, 1002, 5002));  // tcp_respond(): bare, FIN or not
  const Output rfc = deliver(tcb_established(kRfc), seg_syn(5001), kRfc, 10);
  EXPECT_TRUE(sends(rfc, flag::RST | flag::ACK, 0, 5002));
  // tcp_twcheck does not read insecure_syn: a SYN,ACK in TIME-WAIT is ACKed
  const Output tw = deliver(tcb_time_wait(c), seg_syn_ack(5002, 1002), c, 10);
  EXPECT_EQ(tw.tcb.state, State::TimeWait);
  EXPECT_TRUE(sends(tw, flag::ACK, 1002, 5002));
}

TEST(Profiles, DropSynFinDropsASynFinInEveryStateWithATcb) {
  // FreeBSD net.inet.tcp.drop_synfin = 1: tcp_input (LISTEN), tcp_do_segment (first thing) and
  // tcp_twcheck ("Honor the drop_synfin sysctl variable") drop SYN|FIN without an answer
  Config c = kBsd;
  c.drop_synfin = true;
  const struct { State st; Seq seq; } cases[] = {
      {State::Listen, 17}, {State::SynSent, 0}, {State::Established, 5001}, {State::LastAck, 5002},
      {State::TimeWait, 6000}};
  for (const auto& k : cases) {
    const Tcb t = tcb_in(k.st, c);
    const Output o = deliver(t, seg(flag::SYN | flag::FIN, k.seq), c, 10);
    EXPECT_EQ(o.verdict, Verdict::Dropped) << name(k.st);
    EXPECT_TRUE(sends_nothing(o)) << name(k.st);
    EXPECT_EQ(o.tcb, t) << name(k.st);
  }
  // the default (drop_synfin = 0): LISTEN takes a SYN|FIN as a SYN
  EXPECT_EQ(deliver(tcb_listen(kBsd), seg(flag::SYN | flag::FIN, 17), kBsd, 10).tcb.state, State::SynReceived);
}

TEST(Profiles, LinuxDropsASegmentWithoutAckBeforeTheSequenceCheck) {
  // Linux tcp_rcv_state_process / tcp_rcv_established: "!th->ack && !th->rst && !th->syn" ->
  // discard, before tcp_validate_incoming (linux/no-ack-segment-dropped-first.pkt). A FIN
  // without ACK far above the window: silently dropped in the full-socket states...
  for (State st : {State::Established, State::FinWait1, State::CloseWait, State::Closing, State::LastAck}) {
    const Tcb t = tcb_in(st, kLinux);
    const Output o = deliver(t, seg(flag::FIN, t.rcv_nxt + 70000), kLinux, 10);
    EXPECT_EQ(o.verdict, Verdict::Dropped) << name(st);
    EXPECT_TRUE(sends_nothing(o)) << name(st);
    EXPECT_EQ(o.tcb, t) << name(st);
  }
  // ...a non-orphaned FIN-WAIT-2 is a full socket too; an orphaned one is a timewait socket in
  // Linux, which ACKs a segment outside the window, as RFC 9293 does; so is SYN-RECEIVED (a
  // request socket); and without the knob every unacceptable one is ACKed.
  Tcb fw2 = tcb_in(State::FinWait2, kLinux);
  fw2.orphan = false;
  EXPECT_TRUE(sends_nothing(deliver(fw2, seg(flag::FIN, fw2.rcv_nxt + 70000), kLinux, 10)));
  fw2.orphan = true;
  EXPECT_EQ(deliver(fw2, seg(flag::FIN, fw2.rcv_nxt + 70000), kLinux, 10).verdict, Verdict::DroppedAcked);
  const Tcb sr = tcb_in(State::SynReceived, kLinux);
  EXPECT_EQ(deliver(sr, seg(flag::FIN, sr.rcv_nxt + 70000), kLinux, 10).verdict, Verdict::DroppedAcked);
  Config rfc = kLinux;
  rfc.no_ack_dropped_first = false;
  const Tcb est = tcb_in(State::Established, rfc);
  EXPECT_EQ(deliver(est, seg(flag::FIN, est.rcv_nxt + 70000), rfc, 10).verdict, Verdict::DroppedAcked);
  for (Profile p : {Profile::Reference, Profile::Rfc9293, Profile::FreeBsd, Profile::Smoltcp})
    EXPECT_FALSE(profile_config(p).no_ack_dropped_first) << name(p);
}

TEST(Profiles, LinuxOrphanedFinWait2IsATimeWaitSubstate) {
  // Linux tcp_time_wait(sk, TCP_FIN_WAIT2, tmo) and tcp_timewait_state_process()
  // (linux/fin-wait-2-orphan-timewait-sock-*.pkt). RCV.NXT 5001, SND.NXT 1002, window 65535.
  const Tcb fw2 = tcb_fin_wait_2(kLinux);
  ASSERT_TRUE(fw2.orphan);
  // An ACK of data never sent, or an old ACK, brings nothing new: dropped silently.
  for (Seq ack : {Seq{kIss + 1000}, Seq{kIss}}) {
    const Output o = deliver(fw2, seg_ack(kIrs + 1, ack), kLinux, 10);
    EXPECT_EQ(o.verdict, Verdict::Dropped) << ack;
    EXPECT_TRUE(o.actions.empty()) << ack;
    EXPECT_EQ(o.tcb, fw2) << ack;
  }
  // Outside the window: ACKed, still FIN-WAIT-2.
  const Output oow = deliver(fw2, seg_ack(kIrs + 1 + 100000, kIss + 2), kLinux, 10);
  EXPECT_EQ(oow.verdict, Verdict::DroppedAcked);
  EXPECT_EQ(oow.tcb.state, State::FinWait2);
  ASSERT_TRUE(sent_segment(oow));
  EXPECT_EQ(sent_segment(oow)->flags, flag::ACK);
  // A RST in the window, not at RCV.NXT: the connection ends, nothing is sent (no challenge ACK).
  const Output rst = deliver(fw2, seg_rst(kIrs + 101), kLinux, 10);
  EXPECT_EQ(rst.tcb.state, State::Closed);
  EXPECT_FALSE(sent_segment(rst));
  EXPECT_EQ(rst.effects, effect::RstAbort);
  // New data in the window, and a SYN,ACK at RCV.NXT: <SEQ=SEG.ACK><RST>, CLOSED.
  for (const Segment& s : {seg_data(kIrs + 101, kIss + 2, 10), seg_syn_ack(kIrs + 1, kIss + 2),
                           seg_data(kIrs + 1, kIss + 2, 10), seg_fin(kIrs + 101, kIss + 2)}) {
    const Output o = deliver(fw2, s, kLinux, 10);
    EXPECT_EQ(o.verdict, Verdict::Reset) << int{s.flags} << " " << s.seq;
    EXPECT_EQ(o.tcb.state, State::Closed) << int{s.flags} << " " << s.seq;
    ASSERT_TRUE(sent_segment(o)) << int{s.flags} << " " << s.seq;
    EXPECT_EQ(sent_segment(o)->flags, flag::RST) << int{s.flags} << " " << s.seq;
    EXPECT_EQ(sent_segment(o)->seq, kIss + 2) << int{s.flags} << " " << s.seq;
  }
  // The FIN at RCV.NXT that acks data never sent: TIME-WAIT, and its ACK.
  const Output fin = deliver(fw2, seg_fin(kIrs + 1, kIss + 1000), kLinux, 10);
  EXPECT_EQ(fin.verdict, Verdict::Accepted);
  EXPECT_EQ(fin.tcb.state, State::TimeWait);
  ASSERT_TRUE(sent_segment(fin));
  EXPECT_EQ(sent_segment(fin)->ack, kIrs + 2);
  EXPECT_EQ(sent_segment(fin)->seq, kIss + 2);
  EXPECT_EQ(armed_at(fin, Timer::TimeWait), 10 + kLinux.time_wait);
  // Not orphaned (shutdown(SHUT_WR)), a timeout above TIME-WAIT's (TCP_LINGER2 61 s), or the knob
  // off: a full socket, which ACKs the ACK of data never sent (RFC 9293 §3.10.7.4).
  Config linger61 = kLinux, off = kLinux;
  linger61.fin_wait2_timeout = 61000;
  off.fin_wait2_timewait = false;
  for (const auto& [t, c] : {std::pair{half_closed(fw2), kLinux}, std::pair{fw2, linger61}, std::pair{fw2, off}}) {
    const Output o = deliver(t, seg_fin(kIrs + 1, kIss + 1000), c, 10);
    EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
    EXPECT_EQ(o.tcb.state, State::FinWait2);
  }
  for (Profile p : {Profile::Reference, Profile::Rfc9293, Profile::FreeBsd, Profile::Smoltcp})
    EXPECT_FALSE(profile_config(p).fin_wait2_timewait) << name(p);
}

TEST(Profiles, LinuxIgnoresAFinAgainAfterThePeersFin) {
  // Linux tcp_rcv_state_process() step 7 (linux/after-fin-ignored-*.pkt): CLOSE-WAIT, CLOSING and
  // LAST-ACK skip a segment at or above RCV.NXT (5002) without an ACK; its ACK is still processed.
  for (State st : {State::CloseWait, State::Closing, State::LastAck}) {
    const Tcb t = tcb_in(st, kLinux);
    for (Seq seq : {Seq{kIrs + 2}, Seq{kIrs + 1002}}) {
      const Output o = deliver(t, seg_fin(seq, t.snd_una), kLinux, 10);
      EXPECT_FALSE(sent_segment(o)) << name(st) << " " << seq;
      EXPECT_EQ(o.tcb.state, st) << name(st) << " " << seq;
    }
    // The same FIN acking our FIN in LAST-ACK still ends it (the ACK is processed first).
    if (st == State::LastAck) {
      EXPECT_EQ(deliver(t, seg_fin(kIrs + 2, kIss + 2), kLinux, 10).tcb.state, State::Closed);
    }
  }
  // Without the knob, and in the other profiles, the FIN again is ACKed.
  Config off = kLinux;
  off.after_fin_ignored = false;
  for (const Config& c : {off, kRef}) {
    const Output o = deliver(tcb_close_wait(c), seg_fin(kIrs + 2, kIss + 1), c, 10);
    ASSERT_TRUE(sent_segment(o));
    EXPECT_EQ(sent_segment(o)->flags, flag::ACK);
  }
  for (Profile p : {Profile::Reference, Profile::Rfc9293, Profile::FreeBsd, Profile::Smoltcp})
    EXPECT_FALSE(profile_config(p).after_fin_ignored) << name(p);
}

TEST(Profiles, LinuxResetsOnDataPastRcvNxtOnceTheReadSideIsShut) {
  // Linux tcp_rcv_state_process() step 7 with RCV_SHUTDOWN (linux/*-beyond-rcv-nxt-after-close-resets.pkt,
  // linux/close-wait-overlapping-data-resets.pkt): data or a FIN ending past RCV.NXT resets.
  const Tcb fw1 = tcb_fin_wait_1(kLinux);  // orphaned by close(), RCV.NXT 5001
  for (const Segment& s : {seg_data(kIrs + 101, kIss + 1, 10), seg_fin(kIrs + 101, kIss + 1)}) {
    const Output o = deliver(fw1, s, kLinux, 10);
    EXPECT_EQ(o.verdict, Verdict::Reset) << int{s.flags};
    EXPECT_EQ(o.tcb.state, State::Closed) << int{s.flags};
    ASSERT_TRUE(sent_segment(o));
    EXPECT_EQ(sent_segment(o)->flags, flag::RST);
    EXPECT_EQ(sent_segment(o)->seq, kIss + 1);
  }
  // The FIN at RCV.NXT is the peer's close, not a reason to reset: CLOSING.
  EXPECT_EQ(deliver(fw1, seg_fin(kIrs + 1, kIss + 1), kLinux, 10).tcb.state, State::Closing);
  // CLOSE-WAIT, socket held: data from below RCV.NXT (5002) past it resets, EPIPE for the socket.
  const Tcb cw = half_closed(tcb_close_wait(kLinux));
  const Output o = deliver(cw, seg_data(kIrs + 1, kIss + 1, 10), kLinux, 10);
  EXPECT_EQ(o.verdict, Verdict::Reset);
  EXPECT_EQ(error_told(o), Err::Pipe);
  // Without the knob: data above RCV.NXT in FIN-WAIT-1 is out of order, ACKed.
  Config off = kLinux;
  off.rst_on_data_past_rcv_nxt = false;
  EXPECT_EQ(deliver(fw1, seg_data(kIrs + 101, kIss + 1, 10), off, 10).tcb.state, State::FinWait1);
  for (Profile p : {Profile::Reference, Profile::Rfc9293, Profile::FreeBsd, Profile::Smoltcp})
    EXPECT_FALSE(profile_config(p).rst_on_data_past_rcv_nxt) << name(p);
}

TEST(Profiles, LinuxTakesASegmentPastTheWindowWhileNothingIsUnread) {
  // Linux 6.18 tcp_sequence() and tcp_data_queue() (linux/rcvbuf-window-past-the-edge.pkt).
  Tcb t = tcb_established(kLinux);
  t.rcv_wnd = 1000;
  Output o = deliver(t, seg_data(kIrs + 1, kIss + 1, 3000), kLinux, 10);  // nothing unread: taken whole
  EXPECT_EQ(o.tcb.rcv_nxt, kIrs + 1 + 3000);
  EXPECT_EQ(o.tcb.rcv_unread, 3000u);
  Tcb busy = t;
  busy.rcv_unread = 10;  // "Only accept this packet if receive queue is empty": a duplicate ACK
  o = deliver(busy, seg_data(kIrs + 1, kIss + 1, 3000), kLinux, 10);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_EQ(o.tcb.rcv_nxt, kIrs + 1);
  ASSERT_TRUE(sent_segment(o));
  EXPECT_EQ(sent_segment(o)->ack, kIrs + 1);
  // Data that fits is taken as RFC 9293 takes it, whatever is unread.
  EXPECT_EQ(deliver(busy, seg_data(kIrs + 1, kIss + 1, 1000), kLinux, 10).tcb.rcv_nxt, kIrs + 1 + 1000);
  Tcb zero = busy;
  zero.rcv_wnd = 0;  // a bare FIN may extend past a zero window
  o = deliver(zero, seg_fin(kIrs + 1, kIss + 1), kLinux, 10);
  EXPECT_EQ(o.tcb.state, State::CloseWait);
  EXPECT_EQ(o.tcb.rcv_nxt, kIrs + 2);
  ASSERT_TRUE(sent_segment(o));  // the buffer is full: ICSK_ACK_NOW, no delayed ACK
  EXPECT_EQ(sent_segment(o)->ack, kIrs + 2);
  EXPECT_EQ(deliver(zero, seg_data(kIrs + 1, kIss + 1, 10), kLinux, 10).verdict, Verdict::DroppedAcked);
  Tcb empty = zero;
  empty.rcv_unread = 0;  // accepted into a zero window with nothing unread, but no byte taken: ACKed
  o = deliver(empty, seg_data(kIrs + 1, kIss + 1, 10), kLinux, 10);
  EXPECT_EQ(o.tcb.rcv_nxt, kIrs + 1);
  EXPECT_EQ(o.tcb.rcv_unread, 0u);
  ASSERT_TRUE(sent_segment(o));
  EXPECT_EQ(sent_segment(o)->ack, kIrs + 1);
  // Text that starts at the edge itself: a full socket's tcp_sequence() accepts it (its ACK moves
  // SYN-RECEIVED on), a passive SYN-RECEIVED's tcp_check_req() refuses it with an ACK.
  Tcb req = tcb_syn_received(kLinux);
  req.rcv_wnd = 1000;
  req.passive = true;
  o = deliver(req, seg_data(kIrs + 1 + 1000, kIss + 1, 10), kLinux, 10);
  EXPECT_EQ(o.tcb.state, State::SynReceived);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  Tcb active = req;
  active.passive = false;
  EXPECT_EQ(deliver(active, seg_data(kIrs + 1 + 1000, kIss + 1, 10), kLinux, 10).tcb.state, State::Established);
  // Without the knob: RFC 9293 trims to the window, and nothing but an ACK fits a zero window.
  Config off = kLinux;
  off.past_window_accepted = false;
  EXPECT_EQ(deliver(t, seg_data(kIrs + 1, kIss + 1, 3000), off, 10).tcb.rcv_nxt, kIrs + 1 + 1000);
  o = deliver(zero, seg_fin(kIrs + 1, kIss + 1), off, 10);
  EXPECT_EQ(o.tcb.state, State::Established);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  for (Profile p : {Profile::Reference, Profile::Rfc9293, Profile::FreeBsd, Profile::Smoltcp})
    EXPECT_FALSE(profile_config(p).past_window_accepted) << name(p);
}

TEST(Profiles, LinuxShutdownInTimeWaitFindsAClosedSocket) {
  // Linux tcp_time_wait() -> tcp_done(): inet_shutdown() sees TCP_CLOSE
  // (linux/time-wait-shutdown-enotconn.pkt); write() EPIPE and read() 0 as before.
  const Tcb tw = half_closed(tcb_time_wait(kLinux));
  for (Shut h : {Shut::Rd, Shut::Wr, Shut::RdWr}) {
    const Output o = step(tw, Input::shutdown(10, h), kLinux);
    EXPECT_EQ(o.result, Err::NotConn) << name(h);
    EXPECT_EQ(o.tcb, tw) << name(h);
  }
  EXPECT_EQ(step(tw, Input::send(10, 100), kLinux).result, Err::Pipe);
  EXPECT_EQ(step(tw, Input::receive(10, 100), kLinux).result, Err::None);
  for (Profile p : {Profile::Reference, Profile::Rfc9293, Profile::FreeBsd, Profile::Smoltcp}) {
    const Config c = profile_config(p);
    EXPECT_EQ(step(half_closed(tcb_time_wait(c)), Input::shutdown(10, Shut::Wr), c).result, Err::None) << name(p);
  }
}

TEST(Profiles, LinuxAnswersCallsWithoutAConnectionAsItsSocketLayer) {
  // inet_listen, __inet_stream_connect, sk_stream_wait_connect, inet_shutdown
  // (linux/socket-calls-listener.pkt)
  const Tcb l = tcb_listen(kLinux);
  const Output again = step(l, Input::listen(0), kLinux);
  EXPECT_EQ(again.result, Err::None);
  EXPECT_EQ(again.tcb, l);
  EXPECT_EQ(step(l, Input::connect(0, 7), kLinux).result, Err::IsConn);
  EXPECT_EQ(step(l, Input::send(0, 100), kLinux).result, Err::Pipe);
  EXPECT_EQ(step(tcb_closed(kLinux), Input::send(0, 100), kLinux).result, Err::Pipe);
  const Output wr = step(l, Input::shutdown(0, Shut::Wr), kLinux);
  EXPECT_EQ(wr.result, Err::None);
  EXPECT_EQ(wr.tcb.state, State::Listen);
  for (Shut h : {Shut::Rd, Shut::RdWr}) {
    const Output o = step(l, Input::shutdown(0, h), kLinux);
    EXPECT_EQ(o.result, Err::None) << name(h);
    EXPECT_EQ(o.tcb.state, State::Closed) << name(h);
  }
  EXPECT_EQ(step(tcb_closed(kLinux), Input::shutdown(0, Shut::RdWr), kLinux).result, Err::NotConn);
  // The other profiles: EINVAL, EINVAL, ENOTCONN, ENOTCONN.
  for (Profile p : {Profile::Reference, Profile::Rfc9293, Profile::FreeBsd, Profile::Smoltcp}) {
    const Config c = profile_config(p);
    EXPECT_EQ(step(tcb_listen(c), Input::listen(0), c).result, Err::Inval) << name(p);
    EXPECT_EQ(step(tcb_listen(c), Input::connect(0, 7), c).result, Err::Inval) << name(p);
    EXPECT_EQ(step(tcb_listen(c), Input::send(0, 100), c).result, Err::NotConn) << name(p);
    EXPECT_EQ(step(tcb_listen(c), Input::shutdown(0, Shut::Rd), c).result, Err::NotConn) << name(p);
  }
}

TEST(Profiles, FreeBsdDeliversTheTextOfASynAckAndLinuxDiscardsIt) {
  // FreeBSD tcp_do_segment SYN_SENT: ESTABLISHED, then trimthenstep6 -> dodata deliver the text
  // (RFC 9293 §3.10.7.3 "continue processing at the sixth step"); Linux
  // tcp_rcv_synsent_state_process keeps it only after a Fast Open SYN (tcp_rcv_fastopen_synack).
  const Segment sa = seg(flag::SYN | flag::ACK, kIrs, kIss + 1, 3);
  const Output bsd = deliver(tcb_syn_sent(kBsd), sa, kBsd, 10);
  EXPECT_EQ(bsd.tcb.state, State::Established);
  EXPECT_TRUE(sends(bsd, flag::ACK, kIss + 1, kIrs + 4));
  EXPECT_EQ(bsd.tcb.rcv_unread, 3u);
  EXPECT_EQ(find_action(bsd, ActionKind::Readable)->n, 3u);
  EXPECT_EQ(bsd.effects, effect::AckedNew | effect::Data);
  const Output lnx = deliver(tcb_syn_sent(kLinux), sa, kLinux, 10);
  EXPECT_EQ(lnx.tcb.state, State::Established);
  EXPECT_TRUE(sends(lnx, flag::ACK, kIss + 1, kIrs + 1));
  EXPECT_EQ(lnx.tcb.rcv_unread, 0u);
  // a simultaneous open's SYN text is discarded under both (FreeBSD would queue it in tcp_reass)
  const Output simul = deliver(tcb_syn_sent(kBsd), seg(flag::SYN, kIrs, 0, 3), kBsd, 10);
  EXPECT_EQ(simul.tcb.state, State::SynReceived);
  EXPECT_TRUE(sends(simul, flag::SYN | flag::ACK, kIss, kIrs + 1));
  EXPECT_EQ(simul.tcb.rcv_unread, 0u);
}

TEST(Profiles, FastOpenKeepsTheTextOfASynAndItsChildIsResetNotReturnedToListen) {
  // Linux tcp_try_fastopen with net.ipv4.tcp_fastopen=0x602 (server, no cookie required):
  // tcp_fastopen_add_skb queues the text and the SYN,ACK acks it (RFC 7413 §4.2.2)
  Config fo = kLinux;
  fo.fast_open = true;
  const Segment syn = seg(flag::SYN, 17, 0, 10);
  const Output child = deliver(tcb_listen(fo), syn, fo, 10);
  EXPECT_EQ(child.tcb.state, State::SynReceived);
  EXPECT_TRUE(sends(child, flag::SYN | flag::ACK, classes::kNewIss, 28));
  EXPECT_EQ(child.tcb.rcv_unread, 10u);
  EXPECT_EQ(find_action(child, ActionKind::Readable)->n, 10u);
  // without it (every profile) the SYN,ACK acks the SYN alone
  const Output plain = deliver(tcb_listen(kLinux), syn, kLinux, 10);
  EXPECT_TRUE(sends(plain, flag::SYN | flag::ACK, classes::kNewIss, 18));
  EXPECT_EQ(plain.tcb.rcv_unread, 0u);
  // tcp_reset() in SYN_RECV: the child is a full socket, closed with ECONNRESET, data kept
  const Output rst = deliver(child.tcb, seg_rst(28), fo, 20);
  EXPECT_EQ(rst.tcb.state, State::Closed);
  EXPECT_EQ(error_told(rst), Err::ConnReset);
  EXPECT_EQ(rst.tcb.rcv_unread, 10u);
  // a request without text still goes back to LISTEN (RFC 9293 §3.10.7.4)
  EXPECT_EQ(deliver(deliver(tcb_listen(fo), seg_syn(17), fo, 10).tcb, seg_rst(18), fo, 20).tcb.state, State::Listen);
}

TEST(Profiles, OnlyLinuxAndFreeBsdEstimateTheRttAndOnlyLinuxProbesTheTail) {
  // Linux tcp_rtt_estimator, FreeBSD tcp_xmit_timer; the others keep RFC 6298's initial 1 s
  for (Profile p : kAllProfiles) {
    EXPECT_EQ(profile_config(p).rtt_estimate, p == Profile::Linux || p == Profile::FreeBsd) << name(p);
    EXPECT_EQ(profile_config(p).tail_loss_probe, p == Profile::Linux) << name(p);
  }
}

TEST(Profiles, OnlyLinuxSaysEaddrinuseWhenBind0FindsNoEphemeralPort) {
  // Linux inet_csk_get_port() -EADDRINUSE (kernel-checked); FreeBSD in_pcb_lport_dest()
  // EADDRNOTAVAIL; reference, rfc9293, smoltcp keep it (no RFC or smoltcp rule). tests/core/
  // ports_test.cpp runs each profile's BindTable into an exhausted range.
  for (Profile p : kAllProfiles)
    EXPECT_EQ(profile_config(p).ports_exhausted,
              p == Profile::Linux ? PortsExhausted::AddrInUse : PortsExhausted::AddrNotAvail) << name(p);
}

TEST(Profiles, OnlyFreeBsdTrimsOldDuplicatesAndResendsItsFinAndNoneDropsSynFin) {
  for (Profile p : kAllProfiles) {
    EXPECT_EQ(profile_config(p).trim_old_duplicates, p == Profile::FreeBsd) << name(p);
    EXPECT_EQ(profile_config(p).ack_resends_fin, p == Profile::FreeBsd) << name(p);
    EXPECT_FALSE(profile_config(p).drop_synfin) << name(p);
    EXPECT_EQ(profile_config(p).syn_sent_text, p == Profile::FreeBsd) << name(p);
    EXPECT_FALSE(profile_config(p).fast_open) << name(p);
  }
}

TEST(Profiles, FreeBsdAbortResetsFromEveryStateThatHasTheSynTimeWaitIncluded) {
  // FreeBSD tcp_subr.c tcp_drop(): "if (TCPS_HAVERCVDSYN(tp->t_state))" it enters CLOSED and
  // calls tcp_output(), which sends RST|ACK from SND.NXT acking RCV.NXT; RFC 9293 §3.10.5 ABORT
  // only resets SYN-RECEIVED through CLOSE-WAIT ("respond with ok and delete the TCB")
  for (State st : {State::Closing, State::LastAck, State::TimeWait}) {
    const Tcb t = tcb_in(st, kBsd);
    const Output bsd = step(t, Input::abort(10), kBsd);
    EXPECT_TRUE(sends(bsd, flag::RST | flag::ACK, t.snd_nxt, t.rcv_nxt)) << name(st);
    EXPECT_EQ(bsd.tcb.state, State::Closed) << name(st);
    for (const Config& c : {kRef, kRfc, kLinux, kSmol}) {
      const Output o = step(tcb_in(st, c), Input::abort(10), c);
      EXPECT_TRUE(sends_nothing(o)) << name(st);
      EXPECT_EQ(o.tcb.state, State::Closed) << name(st);
    }
  }
  for (Profile p : kAllProfiles) EXPECT_EQ(profile_config(p).abort_rst_any_synced, p == Profile::FreeBsd) << name(p);
  // before the SYN, nothing to reset: tcp_drop() counts a conndrop and sends nothing
  EXPECT_TRUE(sends_nothing(step(tcb_in(State::SynSent, kBsd), Input::abort(10), kBsd)));
}

TEST(Profiles, LinuxChallengesAnAckOlderThanTheBytesItAcknowledged) {
  // RFC 5961 §5.2, Linux tcp_ack(): before(ack, prior_snd_una - min(max_window, bytes_acked)) ->
  // tcp_send_challenge_ack() and the segment (its data too) is dropped; an older ACK inside that
  // range is ignored. Active open: the SYN's ACK counts one byte, so ISS is in range, ISS - 1 not.
  const Tcb t = tcb_established(kLinux);
  const Output old = deliver(t, seg_data(kIrs + 1, kIss - 1, 10), kLinux, 10);
  EXPECT_EQ(old.verdict, Verdict::ChallengeAcked);
  EXPECT_TRUE(sends(old, flag::ACK, kIss + 1, kIrs + 1));
  EXPECT_EQ(old.tcb.rcv_nxt, kIrs + 1);
  const Output in_range = deliver(t, seg_data(kIrs + 1, kIss, 10), kLinux, 10);
  EXPECT_EQ(in_range.verdict, Verdict::Accepted);
  EXPECT_EQ(in_range.tcb.rcv_nxt, kIrs + 11);
  // passive open: no byte acknowledged yet, so any ACK below SND.UNA is too old
  Tcb p = t;
  p.passive = true;
  EXPECT_EQ(deliver(p, seg_data(kIrs + 1, kIss, 10), kLinux, 10).verdict, Verdict::ChallengeAcked);
  for (const Config& c : {kRef, kRfc, kBsd, kSmol})
    EXPECT_EQ(deliver(tcb_established(c), seg_data(kIrs + 1, kIss - 1, 10), c, 10).tcb.rcv_nxt, kIrs + 11);
}

TEST(Profiles, LinuxTakesNoTsRecentFromAnAckOutsideSndUnaToSndNxt) {
  // Linux tcp_ack(): tcp_replace_ts_recent() comes after the "beyond SND.NXT" and "too old"
  // returns (linux/ack-beyond-snd-nxt-challenge-no-ts-recent.pkt); RFC 7323 §5.3 R3 takes it before
  const Tcb t = tcb_established(kLinux);
  const Output beyond = deliver(t, with_ts(seg_ack(kIrs + 1, kIss + 100), kTsRecent + 50), kLinux, 10);
  EXPECT_EQ(beyond.verdict, Verdict::DroppedAcked);
  EXPECT_EQ(beyond.tcb.ts_recent, kTsRecent);
  ASSERT_TRUE(sent_segment(beyond));
  EXPECT_EQ(sent_segment(beyond)->ts_ecr, kTsRecent);
  EXPECT_EQ(deliver(t, with_ts(seg_ack(kIrs + 1, kIss + 1), kTsRecent + 50), kLinux, 10).tcb.ts_recent, kTsRecent + 50);
  EXPECT_EQ(deliver(tcb_established(kRef), with_ts(seg_ack(kIrs + 1, kIss + 100), kTsRecent + 50), kRef, 10).tcb.ts_recent,
            kTsRecent + 50);
}

TEST(Profiles, LinuxUpdatesTsRecentInTimeWaitFromABareSegmentAtRcvNxt) {
  // Linux tcp_timewait_state_process(): "In window segment, it may be only reset or bare ack"
  // -> tw_ts_recent = rcv_tsval (linux/time-wait-ts-recent-bare-ack.pkt); not from the FIN again
  const Tcb t = tcb_time_wait(kLinux);
  const Output bare = deliver(t, with_ts(seg_ack(t.rcv_nxt, t.snd_nxt), kTsRecent + 7), kLinux, 10);
  EXPECT_EQ(bare.tcb.ts_recent, kTsRecent + 7);
  EXPECT_TRUE(sends_nothing(bare));
  EXPECT_EQ(deliver(t, with_ts(seg_fin(t.rcv_nxt - 1, t.snd_nxt), kTsRecent + 7), kLinux, 10).tcb.ts_recent, kTsRecent);
  EXPECT_EQ(deliver(t, with_ts(seg_ack(t.rcv_nxt, t.snd_nxt), kTsRecent - 7), kLinux, 10).tcb.ts_recent, kTsRecent);
  for (const Config& c : {kRef, kBsd})
    EXPECT_EQ(deliver(tcb_time_wait(c), with_ts(seg_ack(t.rcv_nxt, t.snd_nxt), kTsRecent + 7), c, 10).tcb.ts_recent,
              kTsRecent);
}

TEST(Profiles, LinuxAppliesPawsToARstInTimeWait) {
  // Linux tcp_timewait_state_process(): tcp_paws_reject(&tmp_opt, th->rst) rejects an older RST
  // too, which is dropped; a newer one at RCV.NXT kills TIME-WAIT (linux/time-wait-paws-rejects-rst.pkt)
  const Tcb t = tcb_time_wait(kLinux);
  const Output old = deliver(t, with_ts(seg_rst(t.rcv_nxt), kTsRecent - 1), kLinux, 10);
  EXPECT_EQ(old.tcb.state, State::TimeWait);
  EXPECT_EQ(old.verdict, Verdict::Dropped);
  EXPECT_EQ(deliver(t, with_ts(seg_rst(t.rcv_nxt), kTsRecent + 1), kLinux, 10).tcb.state, State::Closed);
  // RFC 7323 §5.2 exempts RSTs from PAWS: rfc9293 kills TIME-WAIT on the older RST
  Config c = kLinux;
  c.tw_paws_rst = false;
  EXPECT_EQ(deliver(t, with_ts(seg_rst(t.rcv_nxt), kTsRecent - 1), c, 10).tcb.state, State::Closed);
}

TEST(Profiles, FreeBsdTimeWaitAcksEverySegmentButAnExactDuplicateAck) {
  // FreeBSD tcp_twcheck(): "Acknowledge the segment if it has data or is not a duplicate ACK"
  const Tcb t = tcb_time_wait(kBsd);
  EXPECT_TRUE(sends(deliver(t, seg_ack(t.rcv_nxt + 1, t.snd_nxt), kBsd, 10), flag::ACK, t.snd_nxt, t.rcv_nxt));
  EXPECT_TRUE(sends(deliver(t, seg(flag::ACK | flag::PSH, t.rcv_nxt, t.snd_nxt), kBsd, 10), flag::ACK, t.snd_nxt,
                    t.rcv_nxt));
  EXPECT_TRUE(sends_nothing(deliver(t, seg_ack(t.rcv_nxt, t.snd_nxt), kBsd, 10)));
  for (const Config& c : {kRef, kLinux})
    EXPECT_TRUE(sends_nothing(deliver(tcb_time_wait(c), seg_ack(t.rcv_nxt + 1, t.snd_nxt), c, 10)));
}

// What an accepted RST tells the application (Config::rst_errors), in each synchronized state
// where a socket is held (half_closed: reached by shutdown(SHUT_WR), so errors are reported).
std::optional<Err> told_on_rst(State st, const Config& c) {
  const Tcb t = half_closed(tcb_in(st, c));
  const Output o = deliver(t, seg_rst(t.rcv_nxt), c, 10);
  EXPECT_EQ(o.tcb.state, State::Closed) << name(st);
  return error_told(o);
}

TEST(Profiles, LinuxTellsEpipeInCloseWaitAndEconnresetInLastAckAndClosing) {
  // Linux net/ipv4/tcp_input.c tcp_reset(): EPIPE in TCP_CLOSE_WAIT, ECONNRESET by default;
  // pinned on the kernel by tests/packetdrill/linux/rst-close-wait-epipe.pkt and
  // rst-last-ack-econnreset.pkt
  EXPECT_EQ(told_on_rst(State::CloseWait, kLinux), Err::Pipe);
  for (State st : {State::Established, State::FinWait1, State::FinWait2, State::Closing, State::LastAck})
    EXPECT_EQ(told_on_rst(st, kLinux), Err::ConnReset) << name(st);
}

TEST(Profiles, FreeBsdTellsEconnresetFromEstablishedThroughLastAck) {
  // FreeBSD sys/netinet/tcp_input.c RST processing (r308745): so_error = ECONNRESET in
  // ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT, CLOSING and LAST-ACK
  for (State st : {State::Established, State::FinWait1, State::FinWait2, State::CloseWait, State::Closing,
                   State::LastAck})
    EXPECT_EQ(told_on_rst(st, kBsd), Err::ConnReset) << name(st);
}

TEST(Profiles, Rfc9293TellsNothingWhenARstEndsClosingOrLastAck) {
  // RFC 9293 §3.10.7.4 second check: CLOSING, LAST-ACK, TIME-WAIT "enter the CLOSED state,
  // delete the TCB, and return"; "connection reset" in ESTABLISHED .. CLOSE-WAIT
  for (const Config& c : {kRef, kRfc}) {
    EXPECT_EQ(told_on_rst(State::Closing, c), std::nullopt);
    EXPECT_EQ(told_on_rst(State::LastAck, c), std::nullopt);
    EXPECT_EQ(told_on_rst(State::CloseWait, c), Err::ConnReset);
  }
}

TEST(Profiles, LinuxReadsEndOfStreamBeforeTheErrorOnceThePeersFinIsIn) {
  // Linux tcp_recvmsg: SOCK_DONE (set by tcp_fin) is tested before sk_err, so read() after a
  // RST in CLOSE-WAIT returns 0 and SO_ERROR keeps EPIPE; FreeBSD soreceive reports so_error
  // first (rst-close-wait-epipe.pkt pins Linux)
  for (const Config& c : {kLinux, kBsd}) {
    const Tcb t = half_closed(tcb_close_wait(c));
    const Output rst = deliver(t, seg_rst(t.rcv_nxt), c, 10);
    const Output rd = step(rst.tcb, Input::receive(11, 1000), c);
    if (c.read_eof_before_error) {
      EXPECT_EQ(rd.result, Err::None);
      EXPECT_EQ(rd.tcb.so_error, Err::Pipe);
    } else {
      EXPECT_EQ(rd.result, Err::ConnReset);
      EXPECT_EQ(rd.tcb.so_error, Err::None);
    }
  }
  EXPECT_TRUE(kLinux.read_eof_before_error);
  EXPECT_FALSE(kBsd.read_eof_before_error);
}

}  // namespace
}  // namespace tcpclose
