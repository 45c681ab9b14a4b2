// proofs.matches_core, the test of the derivation: the Z3 relation T, derived from core/'s code
// (derive.cpp), admits exactly step()'s output for every (state, input class) of every profile
// and mutant, shifted across 2^31 and 2^32, and for random values. And a relation derived for
// another config (a mutant or a knob step() has and the relation is not told about) is caught.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <tcpclose/proofs/crosscheck.hpp>

namespace tcpclose::proofs {
namespace {

// 0: the canonical numbers; then just below 2^31 and 2^32, so windows and ACK ranges straddle
// the sign boundary of serial arithmetic and the wraparound of the sequence space. Under
// ASan+UBSan (TCPCLOSE_SANITIZED, tests/proofs/CMakeLists.txt) the canonical numbers and a
// third of the random cases: every path of the derivation and of step() still runs, at a third
// of the solver's time (the default build checks every offset).
#ifdef TCPCLOSE_SANITIZED
const std::vector<std::uint32_t> kOffsets = {0};
constexpr std::uint32_t kRandomShare = 3;
#else
const std::vector<std::uint32_t> kOffsets = {0, 0x7FFFFFFFu - 1500u, 0xFFFFFFFFu - 1500u};
constexpr std::uint32_t kRandomShare = 1;
#endif

void expect_matches(const Config& c, const char* what, std::uint32_t random) {
  random /= kRandomShare;
  CrossCheck cc(c, c);
  const Tally t = cc.run_all(kOffsets, random, 0x7C9C1053u);
  std::printf("matches_core: %s: %llu cases, %llu mismatches\n", what, static_cast<unsigned long long>(t.cases),
              static_cast<unsigned long long>(t.mismatches));
  ::testing::Test::RecordProperty(std::string(what) + ".cases", static_cast<int>(t.cases));
  EXPECT_EQ(t.mismatches, 0u) << (t.first.empty() ? "" : t.first.front());
  EXPECT_EQ(t.cases, kStateCount * classes::kClassCount * kOffsets.size() + random);
}

class MatchesCore : public ::testing::TestWithParam<Profile> {};

TEST_P(MatchesCore, TheRelationAdmitsExactlyStepsOutputForEveryCase) {
  expect_matches(profile_config(GetParam()), name(GetParam()), 300);
}
INSTANTIATE_TEST_SUITE_P(EveryProfile, MatchesCore, ::testing::ValuesIn(kAllProfiles),
                         [](const auto& info) { return std::string(name(info.param)); });

// Knobs that no profile sets but the replay's FreeBSD sysctls do (tools/replay/sysctl.cpp):
// insecure_syn=1 -> SynAcceptance::WindowOrChallenge, drop_synfin=1 -> drop_synfin. Names are
// lowercase "freebsd_..." so that '*MatchesCore*freebsd*' selects them with the profile.
struct Variant {
  std::string name;
  Config step_cfg, relation_cfg;
};
// Linux's net.ipv4.tcp_fastopen=0x602 -> fast_open (the "linux_..." variants). The profiles
// themselves come again with the SYN-text cases below (freebsd sets syn_sent_text).
std::vector<Variant> sysctl_variants() {
  Config syn = freebsd_config(), synfin = freebsd_config(), fo = linux_config();
  syn.syn_acceptance = SynAcceptance::WindowOrChallenge;
  synfin.drop_synfin = true;
  fo.fast_open = true;
  return {{"freebsd_insecure_syn", syn, syn}, {"freebsd_drop_synfin", synfin, synfin},
          {"freebsd_syn_text", freebsd_config(), freebsd_config()}, {"linux_fast_open", fo, fo},
          {"linux_syn_text", linux_config(), linux_config()}};
}
std::string variant_name(const ::testing::TestParamInfo<Variant>& info) { return info.param.name; }

// Every (state, class with SYN and without RST) with FIN added: the segments drop_synfin is
// about, which the classes themselves never send.
Tally synfin_cases(CrossCheck& cc, const Config& c) {
  Tally t;
  for (State st : kAllStates)
    for (const classes::InputClass& k : classes::all_classes()) {
      if (!k.is_segment || (k.flags & flag::SYN) == 0 || (k.flags & flag::RST) != 0) continue;
      const Tcb tcb = classes::canonical_tcb(st, c);
      Input in = classes::make_input(k, tcb);
      in.seg.flags = static_cast<std::uint8_t>(in.seg.flags | flag::FIN);
      ++t.cases;
      if (!cc.check(tcb, in).ok()) ++t.mismatches;
    }
  return t;
}

// The segments syn_sent_text and fast_open are about, which the classes never send: every
// (state, class with SYN and without RST) with 10 bytes of text; and every segment class sent to
// a Fast Open child (a passive SYN-RECEIVED whose RCV.NXT is 10 past IRS + 1).
Tally syn_text_cases(CrossCheck& cc, const Config& c) {
  Tally t;
  auto check = [&](const Tcb& tcb, const Input& in) {
    ++t.cases;
    if (!cc.check(tcb, in).ok()) ++t.mismatches;
  };
  for (State st : kAllStates)
    for (const classes::InputClass& k : classes::all_classes()) {
      if (!k.is_segment || (k.flags & flag::SYN) == 0 || (k.flags & flag::RST) != 0) continue;
      const Tcb tcb = classes::canonical_tcb(st, c);
      Input in = classes::make_input(k, tcb);
      in.seg.len = 10;
      check(tcb, in);
    }
  Tcb child = classes::canonical_tcb(State::SynReceived, c);
  child.passive = true;
  child.rcv_nxt = child.irs + 11;
  child.rcv_unread = 10;
  for (const classes::InputClass& k : classes::all_classes())
    if (k.is_segment) check(child, classes::make_input(k, child));
  return t;
}

class MatchesCoreSysctl : public ::testing::TestWithParam<Variant> {};

TEST_P(MatchesCoreSysctl, TheRelationFollowsTheKnobsOnlyTheReplaySets) {
  const Variant& v = GetParam();
  expect_matches(v.step_cfg, v.name.c_str(), 300);
  CrossCheck cc(v.step_cfg, v.step_cfg);
  const Tally t = synfin_cases(cc, v.step_cfg);
  EXPECT_GT(t.cases, 0u);
  EXPECT_EQ(t.mismatches, 0u);
  const Tally s = syn_text_cases(cc, v.step_cfg);
  EXPECT_GT(s.cases, 0u);
  EXPECT_EQ(s.mismatches, 0u);
}
INSTANTIATE_TEST_SUITE_P(FreeBsdSysctl, MatchesCoreSysctl, ::testing::ValuesIn(sysctl_variants()), variant_name);

// The negative control for each FreeBSD knob (config.hpp): step() has it, the relation is derived
// without it. If the knob changed nothing on these cases (or the derivation did not pass it to
// the rules), the two would agree; they must not.
std::vector<Variant> freebsd_knobs() {
  const Config bsd = freebsd_config();
  Config no_trim = bsd, no_fin = bsd, syn = bsd, synfin = bsd, no_text = bsd, fo = linux_config(), no_abort_rst = bsd;
  no_trim.trim_old_duplicates = false;
  no_abort_rst.abort_rst_any_synced = false;
  Config no_tw_ack = bsd;
  no_tw_ack.tw_ack_unless_duplicate = false;
  no_fin.ack_resends_fin = false;
  syn.syn_acceptance = SynAcceptance::WindowOrChallenge;
  synfin.drop_synfin = true;
  no_text.syn_sent_text = false;
  fo.fast_open = true;
  return {{"freebsd_trim_old_duplicates", bsd, no_trim}, {"freebsd_ack_resends_fin", bsd, no_fin},
          {"freebsd_window_or_challenge", syn, bsd}, {"freebsd_drop_synfin", synfin, bsd},
          {"freebsd_syn_sent_text", bsd, no_text}, {"linux_fast_open", fo, linux_config()},
          {"freebsd_abort_rst_any_synced", bsd, no_abort_rst}, {"freebsd_tw_ack_unless_duplicate", bsd, no_tw_ack}};
}

class MatchesCoreKnobIgnored : public ::testing::TestWithParam<Variant> {};

TEST_P(MatchesCoreKnobIgnored, ARelationWithoutTheKnobIsCaught) {
  const Variant& v = GetParam();
  CrossCheck cc(v.step_cfg, v.relation_cfg);
  const Tally t = cc.run_all({0}, 0, 1);
  const Tally f = synfin_cases(cc, v.step_cfg);
  const Tally s = syn_text_cases(cc, v.step_cfg);
  std::printf("matches_core: step() with %s, relation without: %llu of %llu cases differ\n", v.name.c_str(),
              static_cast<unsigned long long>(t.mismatches + f.mismatches + s.mismatches),
              static_cast<unsigned long long>(t.cases + f.cases + s.cases));
  EXPECT_GT(t.mismatches + f.mismatches + s.mismatches, 0u);
}
INSTANTIATE_TEST_SUITE_P(FreeBsdKnobs, MatchesCoreKnobIgnored, ::testing::ValuesIn(freebsd_knobs()), variant_name);

// The RFC 6298 knobs (config.hpp rtt_estimate ...) act only once an RTT sample is in, which no
// canonical TCB has: these cases give each sending state an SRTT and RTTVAR (small, where
// rto_floor and rto_var_min bite; large with retries, where the backoff meets rto_max), a peer
// that offered SACK (tail_loss_probe), and the inputs that arm the timer.
Tally rtt_cases(CrossCheck& cc, const Config& c) {
  Tally t;
  const struct { std::uint16_t srtt, rttvar; std::uint8_t retries; } est[] = {
      {0, 0, 0}, {8, 2, 0}, {400, 100, 0}, {400, 100, 2}, {32000, 8000, 7}};
  for (State st : {State::Established, State::FinWait1, State::CloseWait, State::Closing, State::LastAck})
    for (const auto& e : est) {
      Tcb tcb = classes::canonical_tcb(st, c);
      tcb.srtt = e.srtt; tcb.rttvar = e.rttvar; tcb.retries = e.retries; tcb.sack_ok = true;
      std::vector<std::pair<Tcb, Input>> cases = {{tcb, Input::close(5)}, {tcb, Input::send(5, 10)}};
      if (tcb.armed(Timer::Rexmit)) cases.push_back({tcb, Input::timeout(tcb.at(Timer::Rexmit), Timer::Rexmit)});
      // a sample: the timed segment (data in flight where there is no FIN) is ACKed 40 ticks on
      Tcb timed = tcb;
      timed.rtt_timing = true;
      timed.rtt_time = 1;
      if (timed.snd_una == timed.snd_nxt) timed.snd_nxt += 10;
      Segment ack;
      ack.flags = flag::ACK; ack.seq = timed.rcv_nxt; ack.ack = timed.snd_nxt; ack.wnd = 65535;
      cases.push_back({timed, Input::segment(41, ack)});
      for (const auto& [t0, in] : cases) {
        ++t.cases;
        if (!cc.check(t0, in).ok()) ++t.mismatches;
      }
    }
  return t;
}

class MatchesCoreRtt : public ::testing::TestWithParam<Profile> {};

TEST_P(MatchesCoreRtt, TheRelationFollowsTheRtoFromAnRttSample) {
  const Config c = profile_config(GetParam());
  CrossCheck cc(c, c);
  const Tally t = rtt_cases(cc, c);
  EXPECT_GT(t.cases, 0u);
  EXPECT_EQ(t.mismatches, 0u);
}
INSTANTIATE_TEST_SUITE_P(EstimatingProfiles, MatchesCoreRtt, ::testing::Values(Profile::Linux, Profile::FreeBsd),
                         [](const auto& info) { return std::string(name(info.param)); });

// The negative control for each of them: step() has the knob, the relation is derived without.
std::vector<Variant> rtt_knobs() {
  const Config lx = linux_config(), bsd = freebsd_config();
  Config off = lx, var = lx, max = lx, slop = bsd, floor = bsd, tlp = lx;
  off.rtt_estimate = false;
  tlp.tail_loss_probe = false;
  var.rto_var_min = 1;
  max.rto_max = 60000;
  slop.rto_slop = 0;
  floor.rto_floor = 1;
  return {{"linux_rtt_estimate", lx, off}, {"linux_rto_var_min", lx, var}, {"linux_rto_max", lx, max},
          {"freebsd_rto_slop", bsd, slop}, {"freebsd_rto_floor", bsd, floor}, {"linux_tail_loss_probe", lx, tlp}};
}

class MatchesCoreRttKnobIgnored : public ::testing::TestWithParam<Variant> {};

TEST_P(MatchesCoreRttKnobIgnored, ARelationWithoutTheKnobIsCaught) {
  const Variant& v = GetParam();
  CrossCheck cc(v.step_cfg, v.relation_cfg);
  const Tally t = rtt_cases(cc, v.step_cfg);
  std::printf("matches_core: step() with %s, relation without: %llu of %llu cases differ\n", v.name.c_str(),
              static_cast<unsigned long long>(t.mismatches), static_cast<unsigned long long>(t.cases));
  EXPECT_GT(t.mismatches, 0u);
}
INSTANTIATE_TEST_SUITE_P(RttKnobs, MatchesCoreRttKnobIgnored, ::testing::ValuesIn(rtt_knobs()), variant_name);
// Delayed ACKs (config.hpp delayed_ack, Timer::DelAck): the canonical TCBs never have the timer
// armed, so these cases arm it (and give some TCBs received data), then fire it early and on time,
// and send what arms or cancels it: a FIN at RCV.NXT, data, close(), a RST.
Tally delack_cases(CrossCheck& cc, const Config& c) {
  Tally t;
  using classes::kIrs;
  using classes::kIss;
  auto one = [&](const Tcb& t0, const Input& in) {
    ++t.cases;
    if (!cc.check(t0, in).ok()) ++t.mismatches;
  };
  for (State st : kAllStates)
    for (std::uint32_t data : {0u, 100u}) {
      Tcb tcb = classes::canonical_tcb(st, c);
      if (is_synchronized(st) && st != State::TimeWait) {
        tcb.rcv_nxt += data; tcb.last_ack_sent = tcb.rcv_nxt;
        tcb.data_rcvd = data != 0 && c.delayed_ack == DelayedAck::LinuxFin;
      }
      Segment fin;
      fin.flags = flag::FIN | flag::ACK; fin.seq = tcb.rcv_nxt; fin.ack = tcb.snd_nxt; fin.wnd = 65535;
      Segment bytes = fin;
      bytes.flags = flag::ACK | flag::PSH; bytes.len = 10;
      Segment rst = fin;
      rst.flags = flag::RST;
      for (bool armed : {false, true}) {
        Tcb x = tcb;
        if (armed) x.deadline[static_cast<std::size_t>(Timer::DelAck)] = 7;
        one(x, Input::segment(5, fin));
        one(x, Input::segment(5, bytes));
        one(x, Input::segment(5, rst));
        one(x, Input::close(5));
        one(x, Input::timeout(6, Timer::DelAck));
        one(x, Input::timeout(7, Timer::DelAck));
      }
    }
  return t;
}

Config freebsd_delack() {
  Config c = freebsd_config();
  c.delayed_ack = DelayedAck::FreeBsdData;
  return c;
}

class MatchesCoreDelayedAck : public ::testing::TestWithParam<Variant> {};

TEST_P(MatchesCoreDelayedAck, TheRelationFollowsTheDelayedAckTimer) {
  const Variant& v = GetParam();
  CrossCheck cc(v.step_cfg, v.step_cfg);
  const Tally t = delack_cases(cc, v.step_cfg);
  EXPECT_GT(t.cases, 0u);
  EXPECT_EQ(t.mismatches, 0u) << (t.first.empty() ? "" : t.first.front());
}
INSTANTIATE_TEST_SUITE_P(DelayedAck, MatchesCoreDelayedAck,
                         ::testing::Values(Variant{"linux", linux_config(), linux_config()},
                                           Variant{"freebsd_data", freebsd_delack(), freebsd_delack()},
                                           Variant{"reference", reference_config(), reference_config()}),
                         variant_name);

// The negative control: step() has the knob (or its delays), the relation is derived without.
std::vector<Variant> delack_knobs() {
  const Config lx = linux_config();
  Config off = lx, min = lx, ato = lx, bsd_ato = freebsd_delack(), bsd_off = freebsd_delack();
  off.delayed_ack = DelayedAck::Off;
  bsd_off.delayed_ack = DelayedAck::Off;
  min.delack_min = 5;
  ato.delack_ato = 41;
  bsd_ato.delack_ato = 41;
  return {{"linux_delayed_ack", lx, off}, {"linux_delack_min", lx, min}, {"linux_delack_ato", lx, ato},
          {"freebsd_delayed_ack", freebsd_delack(), bsd_off},
          {"freebsd_delack_ato", freebsd_delack(), bsd_ato}};
}

class MatchesCoreDelayedAckKnobIgnored : public ::testing::TestWithParam<Variant> {};

TEST_P(MatchesCoreDelayedAckKnobIgnored, ARelationWithoutTheKnobIsCaught) {
  const Variant& v = GetParam();
  CrossCheck cc(v.step_cfg, v.relation_cfg);
  const Tally t = delack_cases(cc, v.step_cfg);
  std::printf("matches_core: step() with %s, relation without: %llu of %llu cases differ\n", v.name.c_str(),
              static_cast<unsigned long long>(t.mismatches), static_cast<unsigned long long>(t.cases));
  EXPECT_GT(t.mismatches, 0u);
}
INSTANTIATE_TEST_SUITE_P(DelayedAckKnobs, MatchesCoreDelayedAckKnobIgnored, ::testing::ValuesIn(delack_knobs()),
                         variant_name);

// The same negative control for the linux profile's knobs of TIME-WAIT and the ACK check, on the
// one case each knob decides (the canonical classes carry no TSval other than TS.Recent's): the
// relation derived with the knob agrees with step(), the one derived without it does not.
struct KnobCase {
  std::string name;
  Config without;
  State state;
  Segment seg;
  std::optional<Input> call = std::nullopt;  // a call instead of the segment
};
Segment ts_seg(std::uint8_t flags, Seq seq, Seq ack, std::uint32_t ts_val) {
  Segment s;
  s.flags = flags; s.seq = seq; s.ack = ack; s.wnd = 1000; s.has_ts = true; s.ts_val = ts_val;
  return s;
}
Segment past_window_seg() {
  Segment s = ts_seg(flag::ACK | flag::PSH, classes::kIrs + 1, classes::kIss + 1, classes::kTsRecent);
  s.len = 70000;
  return s;
}
std::vector<KnobCase> linux_knobs() {
  const Config lx = linux_config();
  Config no_ts = lx, no_old = lx, no_tw_ts = lx, no_tw_paws = lx, no_bare = lx, no_fw2_tw = lx, no_calls = lx, no_after_fin = lx, no_past = lx, no_tw_closed = lx;
  no_tw_closed.tw_socket_closed = false;
  Config no_oow = lx, no_window = lx;
  no_oow.oow_ack_interval = 0;
  no_window.past_window_accepted = false;
  no_past.rst_on_data_past_rcv_nxt = false;
  no_after_fin.after_fin_ignored = false;
  no_bare.no_ack_dropped_first = false;
  no_fw2_tw.fin_wait2_timewait = false;
  no_calls.call_errors = CallErrors::Rfc9293;
  no_ts.ts_recent_needs_valid_ack = false;
  no_old.old_ack_challenge = false;
  no_tw_ts.tw_ts_recent_update = false;
  no_tw_paws.tw_paws_rst = false;
  using classes::kIrs;
  using classes::kIss;
  using classes::kTsRecent;
  return {{"linux_ts_recent_needs_valid_ack", no_ts, State::Established,
           ts_seg(flag::ACK, kIrs + 1, kIss + 100, kTsRecent + 50)},
          {"linux_old_ack_challenge", no_old, State::Established, ts_seg(flag::ACK, kIrs + 1, kIss - 1, kTsRecent)},
          {"linux_tw_ts_recent_update", no_tw_ts, State::TimeWait, ts_seg(flag::ACK, kIrs + 2, kIss + 2, kTsRecent + 7)},
          {"linux_tw_paws_rst", no_tw_paws, State::TimeWait, ts_seg(flag::RST, kIrs + 2, 0, kTsRecent - 1)},
          // A FIN without ACK above the window: dropped unanswered with the knob, ACKed without it.
          {"linux_no_ack_dropped_first", no_bare, State::Established, ts_seg(flag::FIN, kIrs + 1 + 70000, 0, kTsRecent)},
          // The orphaned FIN-WAIT-2's FIN that acks data never sent: TIME-WAIT with the knob, ACKed and dropped without.
          {"linux_fin_wait2_timewait", no_fw2_tw, State::FinWait2, ts_seg(flag::FIN | flag::ACK, kIrs + 1, kIss + 1000, kTsRecent)},
          // listen() on a listener: 0 with the knob, EINVAL without; shutdown(SHUT_RD) closes it, or ENOTCONN.
          // A FIN again at RCV.NXT in CLOSE-WAIT: no answer with the knob, ACKed without it.
          {"linux_after_fin_ignored", no_after_fin, State::CloseWait, ts_seg(flag::FIN | flag::ACK, kIrs + 2, kIss + 1, kTsRecent)},
          // A FIN above RCV.NXT in FIN-WAIT-1 after close(): RST with the knob, ACKed without it.
          {"linux_rst_on_data_past_rcv_nxt", no_past, State::FinWait1, ts_seg(flag::FIN | flag::ACK, kIrs + 101, kIss + 1, kTsRecent)},
          {"linux_call_errors_listen", no_calls, State::Listen, Segment{}, Input::listen(10)},
          // shutdown() in TIME-WAIT: ENOTCONN with the knob, 0 without.
          {"linux_tw_socket_closed_shutdown", no_tw_closed, State::TimeWait, Segment{}, Input::shutdown(10, Shut::Wr)},
          {"linux_call_errors_shutdown", no_calls, State::Listen, Segment{}, Input::shutdown(10, Shut::Rd)},
          // An ACK above TIME-WAIT's window: answered either way, but only the rate limit keeps its tick.
          {"linux_oow_ack_interval", no_oow, State::TimeWait, ts_seg(flag::ACK, kIrs + 2 + 100000, kIss + 2, kTsRecent)},
          // 70000 bytes at RCV.NXT, past the 65535-byte window, nothing unread: taken whole with the knob, 65535 without.
          {"linux_past_window_accepted", no_window, State::Established, past_window_seg()}};
}

class MatchesCoreLinuxKnobIgnored : public ::testing::TestWithParam<KnobCase> {};

TEST_P(MatchesCoreLinuxKnobIgnored, ARelationWithoutTheKnobIsCaught) {
  const KnobCase& k = GetParam();
  const Config lx = linux_config();
  const Tcb t = classes::canonical_tcb(k.state, lx);
  const Input in = k.call ? *k.call : Input::segment(10, k.seg);
  EXPECT_TRUE(CrossCheck(lx, lx).check(t, in).ok()) << k.name;
  EXPECT_FALSE(CrossCheck(lx, k.without).check(t, in).ok()) << k.name;
}
INSTANTIATE_TEST_SUITE_P(LinuxKnobs, MatchesCoreLinuxKnobIgnored, ::testing::ValuesIn(linux_knobs()),
                         [](const auto& info) { return info.param.name; });

class MatchesCoreMutant : public ::testing::TestWithParam<Mutant> {};

// The relation follows each mutant with no copy of it: the mutant is in step()'s code.
TEST_P(MatchesCoreMutant, TheRelationFollowsEachMutantToo) {
  Config c = profile_config(Profile::Reference);
  c.mutant = GetParam();
  expect_matches(c, name(GetParam()), 100);
}

// The negative control: step() runs the mutant, the relation is derived without it. Every
// mutant changes some output, so the cross-check must report mismatches.
TEST_P(MatchesCoreMutant, AChangeToStepAloneIsCaught) {
  // Under rfc9293 (RFC 1122 reopening by sequence number): under the reference profile every
  // bare SYN the classes send to TIME-WAIT carries a newer TSval, which RFC 6191 honours
  // anyway, so syn-reopens-any would change nothing there.
  Config mutated = profile_config(Profile::Rfc9293);
  mutated.mutant = GetParam();
  CrossCheck cc(mutated, profile_config(Profile::Rfc9293));
  const Tally t = cc.run_all({0}, 0, 1);
  std::printf("matches_core: step() with mutant %s, relation without: %llu of %llu cases differ\n", name(GetParam()),
              static_cast<unsigned long long>(t.mismatches), static_cast<unsigned long long>(t.cases));
  EXPECT_GT(t.mismatches, 0u);
}

std::vector<Mutant> mutants() {
  std::vector<Mutant> v;
  for (Mutant m : kAllMutants)
    if (m != Mutant::None) v.push_back(m);
  return v;
}
INSTANTIATE_TEST_SUITE_P(EveryMutant, MatchesCoreMutant, ::testing::ValuesIn(mutants()), [](const auto& info) {
  std::string n = name(info.param);
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
});

}  // namespace
}  // namespace tcpclose::proofs
