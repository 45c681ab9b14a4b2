// proofs.Relation.*: T(s, i, o) is total and deterministic on every (state, input class) of
// classes.hpp, for every profile: each (s, i) of the class has an output T admits, and no two.
// Issue 18 asks this of the relation derived from step() (derive.cpp), and a relation with a
// free choice or a gap in it is caught (the negative control).
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include <tcpclose/core.hpp>
#include <tcpclose/proofs/encoding.hpp>

namespace tcpclose::proofs {
namespace {

// The uninterpreted constants a formula reads (enumeration values and literals aside).
void constants(const z3::expr& e, std::set<std::string>& out, std::unordered_set<unsigned>& seen) {
  if (!seen.insert(e.id()).second) return;
  if (e.is_const() && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
    out.insert(e.decl().name().str());
    return;
  }
  if (e.is_app())
    for (unsigned k = 0; k < e.num_args(); ++k) constants(e.arg(k), out, seen);
}
std::set<std::string> constants(const z3::expr& e) {
  std::set<std::string> out;
  std::unordered_set<unsigned> seen;
  constants(e, out, seen);
  return out;
}

// (s, i) in the class: the state, the input's kind, and for a segment its flags and where its
// numbers fall against the TCB's (the positions make_input picks one point of).
z3::expr in_class(const Vocabulary& v, const SymTcb& s, const SymInput& i, State st, const classes::InputClass& k) {
  z3::expr e = s.state == v.state(st);
  if (!k.is_segment) {
    switch (k.other) {
      case classes::CallOrTimer::PawsOld:
        return e && i.kind == v.kind(InputKind::Segment) && i.seg.flags == v.bv8(flag::ACK) && i.seg.has_ts &&
               seq_lt(i.seg.ts_val, s.ts_recent);
      case classes::CallOrTimer::Listen: return e && i.kind == v.kind(InputKind::Listen);
      case classes::CallOrTimer::Connect: return e && i.kind == v.kind(InputKind::Connect);
      case classes::CallOrTimer::Send: return e && i.kind == v.kind(InputKind::Send);
      case classes::CallOrTimer::Receive: return e && i.kind == v.kind(InputKind::Receive);
      case classes::CallOrTimer::ShutRd: return e && i.kind == v.kind(InputKind::Shutdown) && i.how == v.bv8(static_cast<std::uint32_t>(Shut::Rd));
      case classes::CallOrTimer::ShutWr: return e && i.kind == v.kind(InputKind::Shutdown) && i.how == v.bv8(static_cast<std::uint32_t>(Shut::Wr));
      case classes::CallOrTimer::ShutRdWr:
        return e && i.kind == v.kind(InputKind::Shutdown) && i.how == v.bv8(static_cast<std::uint32_t>(Shut::RdWr));
      case classes::CallOrTimer::Close: return e && i.kind == v.kind(InputKind::Close);
      case classes::CallOrTimer::Abort: return e && i.kind == v.kind(InputKind::Abort);
      case classes::CallOrTimer::TimerRexmit: return e && i.kind == v.kind(InputKind::Timeout) && i.timer == v.timer(Timer::Rexmit);
      case classes::CallOrTimer::Timer2Msl: return e && i.kind == v.kind(InputKind::Timeout) && i.timer == v.timer(Timer::TimeWait);
      case classes::CallOrTimer::TimerFinWait2:
        return e && i.kind == v.kind(InputKind::Timeout) && i.timer == v.timer(Timer::FinWait2);
    }
  }
  e = e && i.kind == v.kind(InputKind::Segment) && i.seg.flags == v.bv8(k.flags);
  const z3::expr d = i.seg.seq - s.rcv_nxt;
  switch (k.seq) {
    case classes::SeqPos::Below: e = e && seq_lt(i.seg.seq, s.rcv_nxt); break;
    case classes::SeqPos::At: e = e && d == v.bv32(0); break;
    case classes::SeqPos::Inside: e = e && d != v.bv32(0) && z3::ult(d, s.rcv_wnd); break;
    case classes::SeqPos::Beyond: e = e && z3::uge(d, s.rcv_wnd) && !seq_lt(i.seg.seq, s.rcv_nxt); break;
  }
  switch (k.ack) {
    case classes::AckPos::Below: e = e && seq_le(i.seg.ack, s.snd_una); break;
    case classes::AckPos::At: e = e && i.seg.ack == s.snd_nxt; break;
    case classes::AckPos::Beyond: e = e && seq_lt(s.snd_nxt, i.seg.ack); break;
  }
  return e;
}

// The relation under test: T itself, or T with a free choice (the negative control: it may
// also answer with any output whatever). f is the derived output at (s, i), built once by
// shape(): T = (o == f), what transition() builds, and deriving f is most of its cost.
using RelationFn = z3::expr (*)(const Vocabulary&, const SymTcb&, const SymInput&, const SymOutput& o,
                                const SymOutput& f);
z3::expr real(const Vocabulary&, const SymTcb&, const SymInput&, const SymOutput& o, const SymOutput& f) {
  return equal(f, o);
}
z3::expr with_a_free_choice(const Vocabulary& v, const SymTcb&, const SymInput&, const SymOutput& o,
                            const SymOutput& f) {
  return equal(f, o) || (v.ctx().bool_const("coin") && equal(o, fresh_output(v, "junk")));
}
// And one that admits no output for a close() in ESTABLISHED.
z3::expr with_a_gap(const Vocabulary& v, const SymTcb& s, const SymInput& i, const SymOutput& o, const SymOutput& f) {
  return equal(f, o) && !(s.state == v.state(State::Established) && i.kind == v.kind(InputKind::Close));
}

struct Shape {
  std::set<std::string> extra;  // constants T reads beyond s, i and o
  unsigned classes = 0, inhabited = 0, not_total = 0, not_deterministic = 0;
  std::string first;
};

Shape shape(const Config& c, RelationFn rel, const std::vector<State>& states = {kAllStates.begin(), kAllStates.end()}) {
  z3::context ctx;
  const Vocabulary v(ctx);
  const SymTcb s = fresh_tcb(v, "s");
  const SymInput i = fresh_input(v, "i");
  const SymOutput o1 = fresh_output(v, "o1"), o2 = fresh_output(v, "o2");
  const SymOutput f = derive_step(v, c, s, i);
  Shape r;
  // Deterministic and total for every (s, i) at once, as far as the terms go: T reads nothing
  // but s, i and o (no free choice), and admits f(s, i), the output the derivation computes.
  // (equal() leaves out a field that is one term on both sides: compared with constants here.)
  const std::set<std::string> own =
      constants(equal(s, lift(v, Tcb{})) && equal(i, lift(v, Input{})) && equal(o1, lift(v, Output{})));
  for (const std::string& n : constants(rel(v, s, i, o1, f)))
    if (own.count(n) == 0) r.extra.insert(n);
  z3::solver solver(ctx);
  const z3::expr total = rel(v, s, i, f, f), det = rel(v, s, i, o1, f) && rel(v, s, i, o2, f) && !equal(o1, o2);
  for (State st : states)
    for (const classes::InputClass& k : classes::all_classes()) {
      ++r.classes;
      solver.push();
      solver.add(in_class(v, s, i, st, k));
      const bool inhabited = solver.check() == z3::sat;
      r.inhabited += inhabited ? 1 : 0;
      solver.push();
      solver.add(!total);  // some (s, i) of the class for which T admits no output
      if (solver.check() != z3::unsat) ++r.not_total;
      solver.pop();
      solver.add(det);  // some (s, i) of the class with two outputs
      if (solver.check() != z3::unsat) {
        ++r.not_deterministic;
        if (r.first.empty()) r.first = std::string(name(st)) + ", class " + std::to_string(r.classes);
      }
      solver.pop();
    }
  return r;
}

class Relation : public ::testing::TestWithParam<Profile> {};

TEST_P(Relation, IsTotalAndDeterministicOnEveryInputClass) {
  const Shape r = shape(profile_config(GetParam()), real);
  std::printf("relation %s: %u (state, class) pairs, %u inhabited, %u not total, %u not deterministic\n",
              name(GetParam()), r.classes, r.inhabited, r.not_total, r.not_deterministic);
  EXPECT_TRUE(r.extra.empty()) << "T reads " << *r.extra.begin() << ", which is neither s, i nor o";
  EXPECT_EQ(r.classes, kStateCount * classes::kClassCount);
  EXPECT_EQ(r.inhabited, r.classes);  // no class is empty: each check speaks of some (s, i)
  EXPECT_EQ(r.not_total, 0u);
  EXPECT_EQ(r.not_deterministic, 0u) << r.first;
}
INSTANTIATE_TEST_SUITE_P(EveryProfile, Relation, ::testing::ValuesIn(kAllProfiles),
                         [](const auto& info) { return std::string(name(info.param)); });

// Under the sanitizers the reference profile alone: the join's code is the same for every profile.
#ifdef TCPCLOSE_SANITIZED
const std::vector<Profile> kDerivedProfiles = {Profile::Reference};
#else
const std::vector<Profile> kDerivedProfiles = {kAllProfiles.begin(), kAllProfiles.end()};
#endif
class DerivedRelation : public ::testing::TestWithParam<Profile> {};
// Derived again, with the heap laid out differently, f is the same terms: the join does not
// depend on where its path tree's nodes were allocated. A join that walked a map keyed by their
// addresses and ordered values by how common they were fails this for every profile.
TEST_P(DerivedRelation, IsTheSameTermsEachTimeItIsDerived) {
  z3::context ctx;
  const Vocabulary v(ctx);
  const Config c = profile_config(GetParam());
  const SymTcb s = fresh_tcb(v, "s");
  const SymInput i = fresh_input(v, "i");
  const SymOutput o = fresh_output(v, "o");
  const z3::expr first = equal(derive_step(v, c, s, i), o);
  std::vector<std::vector<char>> shift;  // live blocks of assorted sizes: the next tree lies elsewhere
  for (std::size_t k = 1; k <= 4; ++k) {
    shift.emplace_back(k * 24 + 8);
    const z3::expr again = equal(derive_step(v, c, s, i), o);
    ASSERT_TRUE(z3::eq(first, again)) << "derivation " << k + 1 << " made other terms";
  }
}
INSTANTIATE_TEST_SUITE_P(EveryProfile, DerivedRelation, ::testing::ValuesIn(kDerivedProfiles),
                         [](const auto& info) { return std::string(name(info.param)); });

TEST(RelationNegativeControl, AFreeChoiceAndAGapAreCaught) {
  // Two states' classes are enough to see each fail (and take a fifth of the time of all).
  const std::vector<State> two = {State::Established, State::TimeWait};
  const Shape r = shape(profile_config(Profile::Reference), with_a_free_choice, two);
  EXPECT_EQ(r.extra.count("coin"), 1u);
  EXPECT_EQ(r.not_deterministic, r.classes);
  EXPECT_EQ(r.not_total, 0u);  // it still admits f(s, i)
  const Shape g = shape(profile_config(Profile::Reference), with_a_gap, two);
  EXPECT_EQ(g.not_total, 1u);  // exactly the one (state, class)
  EXPECT_EQ(g.not_deterministic, 0u);
}

}  // namespace
}  // namespace tcpclose::proofs
