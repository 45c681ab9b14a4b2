// proofs.Lemma*: each arithmetic lemma holds for all 2^32 values (Z3, re-checked by cvc5), its
// deliberately wrong variant is refuted with a counter-model (so the lemma can fail), and its term
// computes what the core's C++ function computes on that counter-model and on boundary values.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include <tcpclose/core.hpp>
#include <tcpclose/proofs/lemmas.hpp>

namespace tcpclose::proofs {
namespace {

std::vector<std::string> names() {
  std::vector<std::string> n;
  for (const Lemma& l : lemmas()) n.push_back(l.name);
  return n;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
}

LemmaOptions with_cvc5() {
  LemmaOptions o;
  o.recheck_cvc5 = true;
  return o;
}

// The values where serial arithmetic turns over: 0, 1, just below, at and above 2^31, the top.
const std::vector<std::uint32_t> kEdges = {0u, 1u, 1000u, 0x7FFFFFFFu, 0x80000000u, 0x80000001u, 0xFFFFFFFFu};
const std::vector<std::uint32_t> kFewEdges = {0u, 1u, 0x80000000u, 0xFFFFFFFFu};

// Every combination of edge values for the lemma's variables; segment-acceptable-table6's
// `last` is the real last octet, seq + len - 1.
std::vector<std::vector<std::uint32_t>> edge_assignments(const Lemma& l) {
  const std::vector<std::uint32_t>& e = l.vars.size() > 3 ? kFewEdges : kEdges;
  std::vector<std::vector<std::uint32_t>> out{{}};
  for (std::size_t i = 0; i < l.vars.size(); ++i) {
    std::vector<std::vector<std::uint32_t>> next;
    for (const auto& prefix : out)
      for (std::uint32_t x : e) {
        auto p = prefix;
        p.push_back(x);
        next.push_back(p);
      }
    out = std::move(next);
  }
  if (l.name == "segment-acceptable-table6") {
    std::vector<std::vector<std::uint32_t>> real;
    for (auto& a : out)
      if (a[4] == 0) { a[4] = a[0] + a[1] - 1; real.push_back(a); }
    out = std::move(real);
  }
  return out;
}

class Lemmas : public ::testing::TestWithParam<std::string> {
 protected:
  const Lemma& lemma() const { return *find_lemma(GetParam()); }
};

TEST_P(Lemmas, HoldsForAllValuesAndCvc5Agrees) {
  const Lemma& l = lemma();
  const LemmaResult r = check_lemma(l, false, with_cvc5());
  std::printf("lemma %s: %s (z3 %.2f s; cvc5 %s, %.2f s)\n  %s\n", l.name.c_str(), r.holds() ? "holds" : "FAILS",
              r.seconds, name(r.cvc5.cvc5), r.cvc5.cvc5_seconds, l.statement.c_str());
  EXPECT_TRUE(r.holds()) << l.name << ": z3 says " << name(r.answer) << "; counter-model "
                         << describe_values(l, r.counter_model);
  EXPECT_TRUE(r.cvc5.unsat_confirmed()) << r.cvc5.detail;
  EXPECT_FALSE(r.cvc5.error()) << r.cvc5.detail;
}

TEST_P(Lemmas, ItsWrongVariantIsRefutedWithACounterModelThatSpeaksAboutTheCode) {
  const Lemma& l = lemma();
  const LemmaResult r = check_lemma(l, true, with_cvc5());
  std::printf("lemma %s, wrong variant \"%s\": %s, counter-model %s\n", l.name.c_str(), l.control_statement.c_str(),
              name(r.answer), describe_values(l, r.counter_model).c_str());
  ASSERT_TRUE(r.refuted()) << name(r.answer);
  ASSERT_EQ(r.counter_model.size(), l.vars.size());
  EXPECT_EQ(r.cvc5.cvc5, SmtAnswer::Sat) << r.cvc5.detail;
  EXPECT_FALSE(r.cvc5.error()) << r.cvc5.detail;
  // The counter-model really separates the two: the wrong variant is false there, the lemma true.
  EXPECT_FALSE(claim_at(l, true, {r.counter_model}).front());
  EXPECT_TRUE(claim_at(l, false, {r.counter_model}).front());
  // And the encoding's term computes what the core's C++ function computes there.
  EXPECT_EQ(subject_at(l, {r.counter_model}).front(), l.code(r.counter_model))
      << describe_values(l, r.counter_model);
}

TEST_P(Lemmas, ItsTermIsTheCoresFunctionOnEveryEdgeValue) {
  const Lemma& l = lemma();
  const auto assignments = edge_assignments(l);
  const std::vector<bool> term = subject_at(l, assignments);
  const std::vector<bool> claim = claim_at(l, false, assignments);
  std::size_t differ = 0, false_claims = 0;
  for (std::size_t i = 0; i < assignments.size(); ++i) {
    if (term[i] != l.code(assignments[i])) {
      if (differ++ == 0) ADD_FAILURE() << "term and code differ at " << describe_values(l, assignments[i]);
    }
    if (!claim[i] && false_claims++ == 0) ADD_FAILURE() << "claim false at " << describe_values(l, assignments[i]);
  }
  std::printf("lemma %s: term = core function on %zu edge assignments\n", l.name.c_str(), assignments.size());
  EXPECT_EQ(differ, 0u);
  EXPECT_EQ(false_claims, 0u);
  EXPECT_GT(assignments.size(), 10u);
}

INSTANTIATE_TEST_SUITE_P(Every, Lemmas, ::testing::ValuesIn(names()), test_name);

TEST(LemmaCatalogue, NamesTheLemmasTheIssueAsksFor) {
  for (const char* n : {"serial-lt-antisymmetric", "serial-lt-transitive", "segment-acceptable-table6", "paws-r1",
                        "ack-acceptable"})
    EXPECT_NE(find_lemma(n), nullptr) << n;
}

// The point ack-acceptable excepts: nothing in flight (SND.UNA = SND.NXT) and SEG.ACK = SND.UNA +
// 2^31. The core's ack_acceptable() says yes there, RFC 1982 cannot order the two. step() is not
// exposed: in synchronized states it asks "SEG.ACK > SND.NXT" first (lemma ack-fifth-check), so
// the ACK is answered and dropped, SND.UNA stays; ack_acceptable() serves only SYN-RECEIVED, where
// one octet (the SYN) is always in flight.
TEST(AckAcceptable, TheUndefinedPointIsHarmlessInStep) {
  const Seq una = 0x12345678u, ack = una + 0x80000000u;
  EXPECT_TRUE(tcpclose::ack_acceptable(ack, una, una));
  const Config c = profile_config(Profile::Reference);
  Tcb t = classes::canonical_tcb(State::Established, c);
  ASSERT_EQ(t.snd_una, t.snd_nxt);
  Segment s;
  s.seq = t.rcv_nxt;
  s.ack = t.snd_nxt + 0x80000000u;
  s.flags = flag::ACK;
  s.wnd = 1000;
  if (t.ts_ok) { s.has_ts = true; s.ts_val = t.ts_recent + 1; }
  const Output o = step(t, Input::segment(classes::kNow, s), c);
  EXPECT_EQ(o.verdict, Verdict::DroppedAcked);
  EXPECT_EQ(o.tcb.snd_una, t.snd_una);
  EXPECT_EQ(o.effects & effect::AckedNew, 0);
  // Whereas an ACK one below that point, 2^31 - 1 ahead, is the same "not yet sent" case.
  s.ack = t.snd_nxt + 0x7FFFFFFFu;
  EXPECT_EQ(step(t, Input::segment(classes::kNow, s), c).verdict, Verdict::DroppedAcked);
}

}  // namespace
}  // namespace tcpclose::proofs
