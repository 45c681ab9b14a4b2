// proofs.matches_core: the Z3 relation T admits exactly step()'s output for every (state, input
// class) of every profile and mutant, shifted across 2^31 and 2^32, and for random values. And
// a change to step() alone (a mutant the encoding is not told about) is caught.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include <tcpclose/proofs/crosscheck.hpp>

namespace tcpclose::proofs {
namespace {

// 0: the canonical numbers; then just below 2^31 and 2^32, so windows and ACK ranges straddle
// the sign boundary of serial arithmetic and the wraparound of the sequence space.
const std::vector<std::uint32_t> kOffsets = {0, 0x7FFFFFFFu - 1500u, 0xFFFFFFFFu - 1500u};

void expect_matches(const Config& c, const char* what, std::uint32_t random) {
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
  Config step_cfg, encoding_cfg;
};
std::vector<Variant> sysctl_variants() {
  Config syn = freebsd_config(), synfin = freebsd_config();
  syn.syn_acceptance = SynAcceptance::WindowOrChallenge;
  synfin.drop_synfin = true;
  return {{"freebsd_insecure_syn", syn, syn}, {"freebsd_drop_synfin", synfin, synfin}};
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

class MatchesCoreSysctl : public ::testing::TestWithParam<Variant> {};

TEST_P(MatchesCoreSysctl, TheRelationFollowsTheKnobsOnlyTheReplaySets) {
  const Variant& v = GetParam();
  expect_matches(v.step_cfg, v.name.c_str(), 300);
  CrossCheck cc(v.step_cfg, v.step_cfg);
  const Tally t = synfin_cases(cc, v.step_cfg);
  EXPECT_GT(t.cases, 0u);
  EXPECT_EQ(t.mismatches, 0u);
}
INSTANTIATE_TEST_SUITE_P(FreeBsdSysctl, MatchesCoreSysctl, ::testing::ValuesIn(sysctl_variants()), variant_name);

// The negative control for each FreeBSD knob (config.hpp): step() has it, the encoding is built
// without it. If the encoding did not read the knob, the two would agree; they must not.
std::vector<Variant> freebsd_knobs() {
  const Config bsd = freebsd_config();
  Config no_trim = bsd, no_fin = bsd, syn = bsd, synfin = bsd, no_abort_rst = bsd;
  no_trim.trim_old_duplicates = false;
  no_abort_rst.abort_rst_any_synced = false;
  Config no_tw_ack = bsd;
  no_tw_ack.tw_ack_unless_duplicate = false;
  no_fin.ack_resends_fin = false;
  syn.syn_acceptance = SynAcceptance::WindowOrChallenge;
  synfin.drop_synfin = true;
  return {{"freebsd_trim_old_duplicates", bsd, no_trim}, {"freebsd_ack_resends_fin", bsd, no_fin},
          {"freebsd_window_or_challenge", syn, bsd}, {"freebsd_drop_synfin", synfin, bsd},
          {"freebsd_abort_rst_any_synced", bsd, no_abort_rst}, {"freebsd_tw_ack_unless_duplicate", bsd, no_tw_ack}};
}

class MatchesCoreKnobIgnored : public ::testing::TestWithParam<Variant> {};

TEST_P(MatchesCoreKnobIgnored, AnEncodingWithoutTheKnobIsCaught) {
  const Variant& v = GetParam();
  CrossCheck cc(v.step_cfg, v.encoding_cfg);
  const Tally t = cc.run_all({0}, 0, 1);
  const Tally f = synfin_cases(cc, v.step_cfg);
  std::printf("matches_core: step() with %s, encoding without: %llu of %llu cases differ\n", v.name.c_str(),
              static_cast<unsigned long long>(t.mismatches + f.mismatches),
              static_cast<unsigned long long>(t.cases + f.cases));
  EXPECT_GT(t.mismatches + f.mismatches, 0u);
}
INSTANTIATE_TEST_SUITE_P(FreeBsdKnobs, MatchesCoreKnobIgnored, ::testing::ValuesIn(freebsd_knobs()), variant_name);

// The same negative control for the linux profile's knobs of TIME-WAIT and the ACK check, on the
// one case each knob decides (the canonical classes carry no TSval other than TS.Recent's): the
// encoding with the knob agrees with step(), the encoding without it does not.
struct KnobCase {
  std::string name;
  Config without;
  State state;
  Segment seg;
};
Segment ts_seg(std::uint8_t flags, Seq seq, Seq ack, std::uint32_t ts_val) {
  Segment s;
  s.flags = flags; s.seq = seq; s.ack = ack; s.wnd = 1000; s.has_ts = true; s.ts_val = ts_val;
  return s;
}
std::vector<KnobCase> linux_knobs() {
  const Config lx = linux_config();
  Config no_ts = lx, no_old = lx, no_tw_ts = lx, no_tw_paws = lx;
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
          {"linux_tw_paws_rst", no_tw_paws, State::TimeWait, ts_seg(flag::RST, kIrs + 2, 0, kTsRecent - 1)}};
}

class MatchesCoreLinuxKnobIgnored : public ::testing::TestWithParam<KnobCase> {};

TEST_P(MatchesCoreLinuxKnobIgnored, AnEncodingWithoutTheKnobIsCaught) {
  const KnobCase& k = GetParam();
  const Config lx = linux_config();
  const Tcb t = classes::canonical_tcb(k.state, lx);
  const Input in = Input::segment(10, k.seg);
  EXPECT_TRUE(CrossCheck(lx, lx).check(t, in).ok()) << k.name;
  EXPECT_FALSE(CrossCheck(lx, k.without).check(t, in).ok()) << k.name;
}
INSTANTIATE_TEST_SUITE_P(LinuxKnobs, MatchesCoreLinuxKnobIgnored, ::testing::ValuesIn(linux_knobs()),
                         [](const auto& info) { return info.param.name; });

class MatchesCoreMutant : public ::testing::TestWithParam<Mutant> {};

TEST_P(MatchesCoreMutant, TheRelationFollowsEachMutantToo) {
  Config c = profile_config(Profile::Reference);
  c.mutant = GetParam();
  expect_matches(c, name(GetParam()), 200);
}

// The negative control: step() runs the mutant, the encoding does not know. Every mutant
// changes some output, so the cross-check must report mismatches.
TEST_P(MatchesCoreMutant, AChangeToStepAloneIsCaught) {
  // Under rfc9293 (RFC 1122 reopening by sequence number): under the reference profile every
  // bare SYN the classes send to TIME-WAIT carries a newer TSval, which RFC 6191 honours
  // anyway, so syn-reopens-any would change nothing there.
  Config mutated = profile_config(Profile::Rfc9293);
  mutated.mutant = GetParam();
  CrossCheck cc(mutated, profile_config(Profile::Rfc9293));
  const Tally t = cc.run_all({0}, 0, 1);
  std::printf("matches_core: step() with mutant %s, encoding without: %llu of %llu cases differ\n",
              name(GetParam()), static_cast<unsigned long long>(t.mismatches), static_cast<unsigned long long>(t.cases));
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
