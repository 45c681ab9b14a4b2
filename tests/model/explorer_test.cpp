// The explorer's own guarantees: results independent of --threads, counterexamples that
// replay, successors in a fixed order, and guards that are really reached.
// Rule: each test uses a small world (few faults) so that it runs in well under a second.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>

#include <unistd.h>

#include <tcpclose/model/explorer.hpp>
#include <tcpclose/model/hash.hpp>
#include <tcpclose/model/successors.hpp>
#include <tcpclose/model/trace.hpp>

namespace tcpclose::model {
namespace {

World small(Scenario s, Mutant m = Mutant::None) {
  Config c = model_config(Profile::Reference);
  c.mutant = m;
  World w = make_world(s, c);
  w.loss = 1;
  w.dup = 0;
  w.delay = 0;
  return w;
}

ExploreResult run(const World& w, unsigned threads, std::uint32_t props = kAllPropertyBits) {
  ExploreOptions o;
  o.threads = threads;
  o.properties = props;
  return explore(w, o);
}

TEST(Explorer, CountsDoNotDependOnTheNumberOfThreads) {
  const World w = small(Scenario::SimultaneousClose);
  const ExploreResult one = run(w, 1), two = run(w, 2), four = run(w, 4);
  EXPECT_EQ(one.outcome, Outcome::Holds);
  EXPECT_EQ(one.states, two.states);
  EXPECT_EQ(one.states, four.states);
  EXPECT_EQ(one.transitions, four.transitions);
  EXPECT_EQ(one.depth, four.depth);
  EXPECT_GT(one.states, 1000u);
}

TEST(Explorer, TheCounterexampleDoesNotDependOnTheNumberOfThreads) {
  const World w = small(Scenario::ActiveClose, Mutant::TimeWaitZero);
  const ExploreResult one = run(w, 1, bit(Property::ReliableTermination));
  const ExploreResult two = run(w, 2, bit(Property::ReliableTermination));
  ASSERT_EQ(one.violations.size(), 1u);
  ASSERT_EQ(two.violations.size(), 1u);
  ASSERT_EQ(one.violations[0].trace.size(), two.violations[0].trace.size());
  for (std::size_t i = 0; i < one.violations[0].trace.size(); ++i)
    EXPECT_EQ(one.violations[0].trace[i].ordinal, two.violations[0].trace[i].ordinal) << "step " << i;
  EXPECT_EQ(format_trace(w, one.violations[0]), format_trace(w, two.violations[0]));
}

TEST(Explorer, ACounterexampleReplaysToTheViolation) {
  const World w = small(Scenario::ActiveClose, Mutant::NoReackInTimeWait);
  const ExploreResult r = run(w, 1, bit(Property::ReliableTermination));
  ASSERT_EQ(r.outcome, Outcome::Violated);
  const Violation& v = r.violations.at(0);
  EXPECT_TRUE(v.replay_ok);
  // The last step is the reset of the passive closer: LAST-ACK (or CLOSE-WAIT) -> CLOSED.
  const Transition& last = v.trace.back().tr;
  EXPECT_TRUE(last.before.state == State::LastAck || last.before.state == State::CloseWait);
  EXPECT_EQ(last.out.tcb.state, State::Closed);
  // The violation needs the lost ACK: some step of the trace loses a segment.
  bool lost = false;
  for (const TraceStep& st : v.trace) lost = lost || st.tr.kind == MoveKind::Lose || st.tr.died > 0;
  EXPECT_TRUE(lost);
}

TEST(Explorer, SuccessorsComeInAFixedOrderAndReplayByOrdinal) {
  const World w = small(Scenario::ActiveClose);
  WorldState s = initial_state(w);
  std::vector<std::uint8_t> first, second;
  for_each_successor(w, s, [&](std::uint8_t k, const WorldState&, const Transition&) { first.push_back(k); });
  for_each_successor(w, s, [&](std::uint8_t k, const WorldState&, const Transition&) { second.push_back(k); });
  EXPECT_EQ(first, second);
  ASSERT_FALSE(first.empty());
  for (std::uint8_t k : first) {
    WorldState n;
    Transition tr;
    EXPECT_TRUE(successor(w, s, k, n, tr));
  }
  WorldState n;
  Transition tr;
  EXPECT_FALSE(successor(w, s, 250, n, tr));
}

TEST(Explorer, GuardsAreReachedOnlyWhereTheHazardHappens) {
  const ExploreResult sim = run(small(Scenario::SimultaneousClose), 2);
  EXPECT_TRUE(sim.guards & bit(Guard::ClosingReached));
  EXPECT_TRUE(sim.guards & bit(Guard::TimeWaitReached));
  const ExploreResult abort = run(small(Scenario::Abort), 2);
  EXPECT_FALSE(abort.guards & bit(Guard::TimeWaitReached));  // an abort never enters TIME-WAIT
}

// both-closed's liveness half: a zero receive window with unlimited retransmission (no
// persist timer is modelled) leaves a FIN that is never accepted and never given up on: no
// terminal state is wrong, yet no state with both TCBs CLOSED stays reachable.
World zero_window(bool backoff) {
  World w = small(Scenario::EarlyClose);
  w.cfg.rcv_wnd = 0;
  w.cfg.retries = w.cfg.fin_retries = kUnlimitedRetries;
  w.cfg.rto_backoff = backoff;
  w.loss = 0;
  return w;
}

TEST(Explorer, LivenessFindsAStateFromWhichNothingClosesAndShowsTheCycle) {
  const World w = zero_window(false);
  ExploreOptions o;
  o.properties = bit(Property::BothClosed);
  const ExploreResult without = explore(w, o);
  EXPECT_EQ(without.outcome, Outcome::Holds) << "the terminal check alone cannot see it";
  EXPECT_FALSE(without.liveness_checked);
  o.liveness = true;
  for (unsigned threads : {1u, 2u}) {
    o.threads = threads;
    const ExploreResult r = explore(w, o);
    ASSERT_EQ(r.outcome, Outcome::Violated);
    EXPECT_TRUE(r.liveness_checked);
    EXPECT_GT(r.doomed_states, 0u);
    const Violation& v = r.violations.at(0);
    EXPECT_TRUE(v.doomed);
    EXPECT_TRUE(v.replay_ok);
    ASSERT_NE(v.loop_from, Violation::kNoLoop);
    ASSERT_LT(v.loop_from, v.trace.size());
    // The cycle closes: the last state is the state after step loop_from.
    const WorldState& again = v.trace.back().after;
    const WorldState& at = v.loop_from == 0 ? initial_state(w) : v.trace[v.loop_from - 1].after;
    EXPECT_EQ(std::memcmp(&again, &at, sizeof(WorldState)), 0);
    const std::string text = format_trace(w, v);
    EXPECT_NE(text.find("repeat forever"), std::string::npos) << text;
  }
}

TEST(Explorer, LivenessHoldsOnTheReferenceModelAndCountsNoDoomedState) {
  ExploreOptions o;
  o.liveness = true;
  o.threads = 2;
  const ExploreResult r = explore(small(Scenario::SimultaneousClose), o);
  EXPECT_EQ(r.outcome, Outcome::Holds);
  EXPECT_TRUE(r.liveness_checked);
  EXPECT_EQ(r.doomed_states, 0u);
  EXPECT_GE(r.liveness_sweeps, 1u);
}

TEST(Explorer, LivenessIsNotDecidedOnAnIncompleteSearch) {
  ExploreOptions o;
  o.liveness = true;
  o.max_states = 500;
  const ExploreResult r = explore(zero_window(false), o);
  EXPECT_EQ(r.outcome, Outcome::Incomplete);
  EXPECT_FALSE(r.liveness_checked);
}

TEST(Explorer, MaxStatesEndsTheSearchAsIncomplete) {
  ExploreOptions o;
  o.max_states = 500;
  const ExploreResult r = explore(small(Scenario::HalfClose), o);
  EXPECT_EQ(r.outcome, Outcome::Incomplete);
  EXPECT_EQ(r.incomplete_reason, "--max-states reached");
  EXPECT_GE(r.states, 500u);
}

// Issue 18: tools read the checker's search through its visitor instead of writing their own.
// With one thread the visits come in (source, ordinal) order, every transition once, and the
// sources are numbered breadth-first: the first state met after the last numbered one gets the
// next number. Each visit's target is the source's successor of that ordinal. With no property
// asked for, a mutant's search runs to the end: the same graph as a search that judges them all.
TEST(Explorer, TheVisitorSeesEveryTransitionOnceInBreadthFirstOrder) {
  const World w = small(Scenario::ActiveClose, Mutant::TimeWaitZero);
  const ExploreResult judged = run(w, 1);
  ASSERT_EQ(judged.outcome, Outcome::Violated);
  for (std::uint64_t window : {std::uint64_t{0}, std::uint64_t{7}}) {
    ExploreOptions o;
    o.properties = 0;
    o.window_states = window;
    std::unordered_map<std::uint64_t, std::uint64_t> number;  // a state's fingerprint -> its breadth-first number
    const WorldState start = initial_state(w);
    number[fingerprint(&start, sizeof start)] = 0;
    std::uint64_t visits = 0, last = 0, bad_order = 0, bad_source = 0, bad_target = 0;
    int last_ordinal = -1;
    o.visit = [&](const Visit& v) {
      ++visits;
      if (v.source < last || (v.source == last && int{v.ordinal} <= last_ordinal)) ++bad_order;
      if (v.source != last) last_ordinal = -1;
      last = v.source;
      last_ordinal = v.ordinal;
      const auto from = number.find(fingerprint(v.from, sizeof(WorldState)));
      if (from == number.end() || from->second != v.source) ++bad_source;
      WorldState again{};
      Transition tr{};
      if (!successor(w, *v.from, v.ordinal, again, tr) || std::memcmp(&again, v.to, sizeof again) != 0) ++bad_target;
      number.emplace(fingerprint(v.to, sizeof(WorldState)), number.size());
    };
    const ExploreResult r = explore(w, o);
    EXPECT_EQ(r.outcome, Outcome::Holds) << "no property asked for, none violated";
    EXPECT_EQ(r.states, judged.states);
    EXPECT_EQ(r.transitions, judged.transitions);
    EXPECT_EQ(visits, r.transitions);
    EXPECT_EQ(number.size(), r.states);
    EXPECT_EQ(bad_order, 0u);
    EXPECT_EQ(bad_source, 0u);
    EXPECT_EQ(bad_target, 0u);
  }
  ExploreOptions two;
  two.threads = 2;
  std::atomic<std::uint64_t> visits{0};
  two.visit = [&](const Visit&) { visits.fetch_add(1, std::memory_order_relaxed); };
  const ExploreResult r2 = explore(w, two);
  EXPECT_EQ(r2.transitions, visits.load());
}

// Issue 16: a level is read from disk and expanded a window at a time. Windows of 7 states
// (hundreds per level, with liveness edges to states of earlier windows of the same level) and
// of 200 (several chunks each on 2 threads) give the counts, numbering and counterexamples of
// windows that hold each level whole, with 1 and 2 threads.
TEST(Explorer, TheFrontierWindowDoesNotChangeAnyResult) {
  for (const World& w : {small(Scenario::ActiveClose, Mutant::TimeWaitZero), zero_window(false)}) {
    ExploreOptions o;
    o.liveness = true;
    o.window_states = std::uint64_t{1} << 40;
    const ExploreResult whole = explore(w, o);
    ASSERT_EQ(whole.outcome, Outcome::Violated);
    for (auto [threads, window] : {std::pair{1u, 7u}, std::pair{2u, 7u}, std::pair{2u, 200u}}) {
      o.threads = threads;
      o.window_states = window;
      const ExploreResult r = explore(w, o);
      EXPECT_EQ(r.states, whole.states);
      EXPECT_EQ(r.transitions, whole.transitions);
      EXPECT_EQ(r.depth, whole.depth);
      EXPECT_EQ(r.violated, whole.violated);
      EXPECT_EQ(r.doomed_states, whole.doomed_states);
      EXPECT_EQ(r.liveness_checked, whole.liveness_checked);
      ASSERT_EQ(r.violations.size(), whole.violations.size());
      for (std::size_t i = 0; i < r.violations.size(); ++i) {
        EXPECT_TRUE(r.violations[i].replay_ok);
        EXPECT_EQ(format_trace(w, r.violations[i]), format_trace(w, whole.violations[i]));
      }
    }
  }
}

// Issue 16: a level whose parent level is wider than 2^26 states keeps its parents' high index
// bits in a second file. With 3 low bits every level past 8 states takes that path: the
// counterexamples rebuilt from the records (liveness's too) are those of the narrow records,
// with 1 and 2 threads, and with windows of 7 states.
TEST(Explorer, WideLevelRecordsRebuildTheSameCounterexamples) {
  for (const World& w : {small(Scenario::ActiveClose, Mutant::TimeWaitZero), zero_window(false)}) {
    ExploreOptions o;
    o.liveness = true;
    const ExploreResult narrow = explore(w, o);
    ASSERT_EQ(narrow.outcome, Outcome::Violated);
    ASSERT_FALSE(narrow.violations.empty());
    EXPECT_GT(narrow.depth, 4u);
    for (auto [threads, window] : {std::pair{1u, 0u}, std::pair{2u, 0u}, std::pair{1u, 7u}}) {
      o.threads = threads;
      o.window_states = window;
      o.record_low_bits = 3;
      const ExploreResult r = explore(w, o);
      EXPECT_EQ(r.states, narrow.states);
      EXPECT_EQ(r.violated, narrow.violated);
      EXPECT_EQ(r.doomed_states, narrow.doomed_states);
      EXPECT_GT(r.record_bytes, narrow.record_bytes) << "the high bits were written";
      ASSERT_EQ(r.violations.size(), narrow.violations.size());
      for (std::size_t i = 0; i < r.violations.size(); ++i) {
        EXPECT_TRUE(r.violations[i].replay_ok);
        EXPECT_EQ(format_trace(w, r.violations[i]), format_trace(w, narrow.violations[i]));
      }
    }
  }
}

// Liveness numbers states in 32 bits. A search that could number a state past that stops
// incomplete before it does, and says what to do; without liveness the same world runs on.
TEST(Explorer, ASearchWithLivenessStopsBeforeItsStateNumbersWrap) {
  const World w = small(Scenario::ActiveClose);
  ExploreOptions o;
  o.liveness = true;
  o.live_state_limit = 5000;
  const ExploreResult r = explore(w, o);
  EXPECT_EQ(r.outcome, Outcome::Incomplete);
  EXPECT_NE(r.incomplete_reason.find("--no-liveness"), std::string::npos) << r.incomplete_reason;
  EXPECT_FALSE(r.liveness_checked);
  EXPECT_LE(r.states, 5000u);
  EXPECT_GT(r.states, 100u) << "it searched until the limit came near";
  o.liveness = false;
  const ExploreResult without = explore(w, o);
  EXPECT_NE(without.outcome, Outcome::Incomplete);
  EXPECT_GT(without.states, 5000u);
}

// A full disk is an incomplete search that says where and why, never a crash or a silent loss.
TEST(Explorer, AFullWorkDirEndsTheSearchIncompleteNamingItAndTheError) {
  ExploreOptions o;
  o.liveness = true;
  o.disk_limit = 20000;  // a few levels' worth
  const ExploreResult r = explore(small(Scenario::SimultaneousClose), o);
  EXPECT_EQ(r.outcome, Outcome::Incomplete);
  EXPECT_FALSE(r.liveness_checked);
  EXPECT_NE(r.incomplete_reason.find("the work dir /tmp/tcpclose-"), std::string::npos) << r.incomplete_reason;
  EXPECT_NE(r.incomplete_reason.find("No space left on device"), std::string::npos) << r.incomplete_reason;
  EXPECT_GT(r.states, 1u);
}

TEST(Explorer, AWorkDirThatCannotBeMadeEndsTheSearchIncomplete) {
  ExploreOptions o;
  o.work_dir = "/nonexistent/tcpclose";
  const ExploreResult r = explore(small(Scenario::ActiveClose), o);
  EXPECT_EQ(r.outcome, Outcome::Incomplete);
  EXPECT_EQ(r.incomplete_reason,
            "the work dir /nonexistent/tcpclose: cannot create a private directory there: No such file or directory");
}

// The files are unlinked as soon as they are open and the private directory goes at once:
// nothing is left in the work dir, whatever ends the process.
TEST(Explorer, TheWorkDirIsLeftAsItWasFound) {
  char dir[] = "/tmp/tcpclose-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  ExploreOptions o;
  o.work_dir = dir;
  o.liveness = true;
  const ExploreResult r = explore(small(Scenario::ActiveClose), o);
  EXPECT_EQ(r.outcome, Outcome::Holds);
  EXPECT_GT(r.disk_bytes, r.states * 4) << "the parent records alone take 4 bytes a state";
  EXPECT_EQ(rmdir(dir), 0) << "the work dir is empty again";
}

// The ground on which tcpclose check shares reopen-connect's search with
// reopen-connect-reuseaddr: where SO_REUSEADDR decides no move, the two graphs are one.
TEST(Explorer, WhereSoReuseaddrDecidesNoMoveTheTwoWorldsHaveOneGraph) {
  const World plain = small(Scenario::ReopenConnect), reuse = small(Scenario::ReopenConnectReuse);
  ASSERT_TRUE(same_but_reuse(plain, reuse));
  const ExploreResult a = run(plain, 2), b = run(reuse, 2);
  EXPECT_FALSE(a.reuse_sensitive);
  EXPECT_FALSE(b.reuse_sensitive);
  EXPECT_EQ(a.states, b.states);
  EXPECT_EQ(a.transitions, b.transitions);
  EXPECT_EQ(a.depth, b.depth);
  EXPECT_EQ(a.guards, b.guards);
  EXPECT_EQ(a.violated, b.violated);
  EXPECT_GT(a.states, 1000u);
}

// The other side: after its active close, A listens on its port again. Without SO_REUSEADDR
// bind() fails while the old connection is in TIME-WAIT; with it, it succeeds at once. The
// search must see that the flag decides a move, and the graphs do differ.
TEST(Explorer, WhereSoReuseaddrDecidesAMoveTheSearchSaysSo) {
  World plain = small(Scenario::ActiveClose);
  Program& a = plain.prog[0];
  ASSERT_EQ(a.code[a.size - 1].op, Op::End);
  a.code[a.size - 1] = Instr{Op::Listen, 0};
  a.code[a.size++] = Instr{Op::End, 0};
  World reuse = plain;
  reuse.prog[0].code[reuse.prog[0].size - 2].arg = 1;
  ASSERT_TRUE(same_but_reuse(plain, reuse));
  const std::uint32_t safety = kAllPropertyBits & ~bit(Property::NoDeadlock) & ~bit(Property::BothClosed);
  const ExploreResult x = run(plain, 2, safety), y = run(reuse, 2, safety);
  EXPECT_TRUE(x.reuse_sensitive);
  EXPECT_TRUE(y.reuse_sensitive);
  EXPECT_NE(x.states, y.states);
  // Any other difference is not the flag's: the worlds are not the same up to it.
  World other = reuse;
  other.loss = 0;
  EXPECT_FALSE(same_but_reuse(plain, other));
  other = reuse;
  other.prog[1].code[0].op = Op::Connect;
  EXPECT_FALSE(same_but_reuse(plain, other));
  // So neither search decides the other's world.
  EXPECT_FALSE(decides_too(plain, x, reuse));
  EXPECT_FALSE(decides_too(reuse, y, plain));
}

// When one search stands for another world, and when a missing guard makes a pass vacuous:
// the rules check.cpp used to hold (issue 18), now the model's.
TEST(Explorer, ASearchDecidesAWorldOnlyWhenCompleteAndTheFlagDecidedNothing) {
  const World plain = small(Scenario::ReopenConnect);
  World reuse = plain;
  for (std::uint8_t i = 0; i < reuse.prog[0].size; ++i)
    if (reuse.prog[0].code[i].op == Op::Connect) reuse.prog[0].code[i].arg = 1;
  ASSERT_TRUE(same_but_reuse(plain, reuse));
  ExploreResult r;
  EXPECT_TRUE(decides_too(plain, r, reuse));
  r.reuse_sensitive = true;
  EXPECT_FALSE(decides_too(plain, r, reuse));
  r.reuse_sensitive = false;
  r.incomplete_reason = "interrupted";
  EXPECT_FALSE(decides_too(plain, r, reuse));
  World other = reuse;
  other.loss = plain.loss + 1;
  EXPECT_FALSE(decides_too(plain, ExploreResult{}, other));
}

TEST(Explorer, GuardsAreMissingOnlyAfterACompleteSearch) {
  ExploreResult r;  // complete, no guard reached
  const std::uint8_t need = required_guards(Scenario::ReopenConnect);
  ASSERT_NE(need, 0);
  EXPECT_EQ(missing_guards(Scenario::ReopenConnect, r), need);
  r.guards = need;
  EXPECT_EQ(missing_guards(Scenario::ReopenConnect, r), 0);
  r.guards = 0;
  r.stopped_at_violation = true;  // cut short: an unreached guard proves nothing
  EXPECT_EQ(missing_guards(Scenario::ReopenConnect, r), 0);
  r.stopped_at_violation = false;
  r.incomplete_reason = "--max-states reached";
  EXPECT_EQ(missing_guards(Scenario::ReopenConnect, r), 0);
}

TEST(Explorer, TheWorldStateHasNoPaddingAndUnusedSegmentSlotsStayZero) {
  const World w = small(Scenario::ActiveClose);
  const WorldState s0 = initial_state(w);
  std::size_t checked = 0;
  for_each_successor(w, s0, [&](std::uint8_t, const WorldState& n, const Transition&) {
    for (std::size_t i = n.n; i < kMaxPkts; ++i) EXPECT_TRUE(n.net[i] == Pkt{});
    ++checked;
  });
  EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace tcpclose::model
