// Timestamps in the model (docs/model.md, "Timestamps"): TSvals relative to now, TS.Recent aged
// one tick at a time and capped at MSL + 1. Rule: off (the default) changes nothing; on, PAWS
// drops an old FIN that would reach the next incarnation, and without PAWS it gets in again.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <unordered_set>

#include <tcpclose/model/explorer.hpp>
#include <tcpclose/model/successors.hpp>

namespace tcpclose::model {
namespace {

World small(Scenario s, bool timestamps) {
  Config c = model_config(Profile::Reference);
  if (timestamps) c = model_timestamps(c, Profile::Reference);
  World w = make_world(s, c);
  w.loss = 1;
  w.dup = 0;
  w.delay = 0;
  return w;
}

ExploreResult run(const World& w, std::uint32_t props) {
  ExploreOptions o;
  o.threads = 2;
  o.properties = props;
  return explore(w, o);
}

// small(SimultaneousClose)'s states, timestamps off: as before timestamps were modelled.
constexpr std::uint64_t kSimultaneousCloseSmall = 200562;  // 210698 before the listener-close rule

// With timestamps off no segment carries a TSval and no TCB keeps one, so the graph is the one
// the pinned counts describe (tests/model/CMakeLists.txt pins the full worlds).
TEST(Timestamps, OffIsTheDefaultInEveryProfileAndChangesNoCount) {
  for (Profile p : kAllProfiles) {
    EXPECT_FALSE(model_config(p).timestamps);
    EXPECT_FALSE(model_config(p).paws);
  }
  EXPECT_TRUE(model_timestamps(model_config(Profile::Linux), Profile::Linux).paws);
  EXPECT_FALSE(model_timestamps(model_config(Profile::Smoltcp), Profile::Smoltcp).paws);
  const ExploreResult off = run(small(Scenario::SimultaneousClose, false), kAllPropertyBits);
  EXPECT_EQ(off.outcome, Outcome::Holds);
  EXPECT_EQ(off.states, kSimultaneousCloseSmall);
  const ExploreResult on = run(small(Scenario::SimultaneousClose, true), kAllPropertyBits);
  EXPECT_EQ(on.outcome, Outcome::Holds);
  EXPECT_GT(on.states, off.states);  // TS.Recent ages: states that were equal now differ
}

// Every reachable state of a small timestamped world: TSvals only on segments whose age is their
// TSval's, TS.Recent never older than MSL + 1, and some TS.Recent older than a tick (it ages).
TEST(Timestamps, TsRecentAgesAndStaysWithinItsCap) {
  const World w = small(Scenario::ActiveClose, true);
  std::deque<WorldState> todo{initial_state(w)};
  std::unordered_set<std::string> seen;
  std::uint32_t oldest = 0;
  std::size_t stamped = 0;
  while (!todo.empty() && seen.size() < 50000) {
    const WorldState s = todo.front();
    todo.pop_front();
    if (!seen.emplace(reinterpret_cast<const char*>(&s), sizeof s).second) continue;
    for (const HostState& h : s.h) {
      if (!h.tcb.ts_ok) { EXPECT_EQ(h.tcb.ts_recent, 0u); continue; }
      EXPECT_LE(ts_age(h.tcb.ts_recent), ts_age_cap(w.cfg));
      oldest = std::max(oldest, ts_age(h.tcb.ts_recent));
    }
    for (std::size_t i = 0; i < s.n; ++i) {
      EXPECT_LE(s.net[i].has_ts, 1);
      stamped += s.net[i].has_ts;
    }
    for_each_successor(w, s, [&](std::uint8_t, const WorldState& n, const Transition&) { todo.push_back(n); });
  }
  EXPECT_GT(stamped, 0u);
  EXPECT_EQ(oldest, ts_age_cap(w.cfg));
}

// TIME-WAIT of one MSL, no loss, no duplicate, one delayed segment: without timestamps the old
// incarnation's delayed FIN is accepted by the next one (RFC 1337 H1). With them the same moves
// bring the same FIN, now with a TSval older than the TS.Recent the new connection took from its
// SYN, and PAWS drops it (the full search, 6.4 M states, is the slow CLI test
// model.with_timestamps_paws_keeps_old_data_out); without PAWS it is accepted again.
World one_msl_reopen(bool timestamps) {
  World w = small(Scenario::ReopenConnect, timestamps);
  w.cfg.time_wait = w.cfg.msl;
  w.loss = 0;
  w.dup = 0;
  w.delay = 1;
  return w;
}

// Replays the ordinals of `v` in world w; returns the last transition (the run stops if a move is missing).
Transition replay(const World& w, const Violation& v, bool& complete) {
  WorldState s = initial_state(w);
  Transition tr;
  complete = true;
  for (const TraceStep& st : v.trace) {
    WorldState n;
    if (!successor(w, s, st.ordinal, n, tr)) { complete = false; break; }
    s = n;
  }
  return tr;
}

TEST(Timestamps, PawsDropsTheOldFinThatReachesTheNextIncarnationWithoutThem) {
  const ExploreResult without = run(one_msl_reopen(false), bit(Property::NoStaleData));
  ASSERT_EQ(without.outcome, Outcome::Violated);
  const Violation& v = without.violations.at(0);
  const Transition& bad = v.trace.back().tr;
  ASSERT_LT(bad.pkt.inc, bad.tcb_inc);
  EXPECT_FALSE(bad.pkt.has_ts);
  EXPECT_TRUE(bad.out.effects & (effect::Data | effect::Fin));
  // The same moves with timestamps: the same old segment, stamped `age` ticks ago, is dropped.
  bool complete = false;
  const Transition same = replay(one_msl_reopen(true), v, complete);
  ASSERT_TRUE(complete);
  EXPECT_EQ(same.kind, MoveKind::Deliver);
  EXPECT_EQ(same.pkt.seq, bad.pkt.seq);
  EXPECT_EQ(same.pkt.inc, bad.pkt.inc);
  EXPECT_TRUE(same.pkt.has_ts);
  EXPECT_GT(ts_age(same.input.seg.ts_val), ts_age(same.before.ts_recent));  // older than TS.Recent
  EXPECT_EQ(same.out.verdict, Verdict::DroppedAcked);
  EXPECT_FALSE(same.out.effects & (effect::Data | effect::Fin));
}

TEST(Timestamps, WithoutPawsTheOldFinGetsInAgain) {
  World w = one_msl_reopen(true);
  w.cfg.paws = false;
  const ExploreResult r = run(w, bit(Property::NoStaleData));
  ASSERT_EQ(r.outcome, Outcome::Violated);
  const Transition& last = r.violations.at(0).trace.back().tr;
  EXPECT_TRUE(last.pkt.has_ts);  // it had a TSval, older than TS.Recent: only PAWS reads it
  EXPECT_GT(ts_age(last.input.seg.ts_val), ts_age(last.before.ts_recent));
  EXPECT_LT(last.pkt.inc, last.tcb_inc);
}

}  // namespace
}  // namespace tcpclose::model
