// Timestamps in the model (docs/model.md, "Timestamps"): TSvals relative to now, TS.Recent aged
// one tick at a time and capped at MSL + 1. Rule: off (the default) changes nothing; on, PAWS
// drops an old FIN that would reach the next incarnation, and without PAWS it gets in again.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

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


// The fine clock's renumbering (detail::canonical_ts) keeps every order between the values of one
// clock: A's segments in flight, B's TS.Recent (A's TSval) and A's next step. A TS.Recent past its
// cap only has to stay older than all of them. Renumbering again changes nothing, and the steps
// stay within the clock's.
TEST(Timestamps, FineClockRenumberingKeepsEveryOrderOfOneClock) {
  World w = small(Scenario::ActiveClose, true);
  w.ts_steps = kFineTsSteps;
  const std::int32_t steps = kFineTsSteps, cap = static_cast<std::int32_t>(ts_age_cap(w.cfg));
  std::mt19937 rng(20261206);
  auto val = [&](const Pkt& p) { return static_cast<std::int32_t>(pkt_ts_val(p, steps)); };
  int renumbered = 0, capped = 0;
  for (int round = 0; round < 20000; ++round) {
    WorldState s{};
    const auto count = static_cast<std::uint8_t>(rng() % (kMaxInFlight + 1));
    std::int32_t top = -1;  // the largest step used in this tick
    for (std::uint8_t i = 0; i < count; ++i) {  // insert_pkt counts them into s.n
      Pkt p;
      p.seq = i + 1u;  // names the segment across the re-sort
      p.to_b = 1;
      p.age = static_cast<std::uint8_t>(rng() % (w.cfg.msl + 1));
      p.has_ts = static_cast<std::uint8_t>(1 + rng() % 6);
      if (p.age == 0) top = std::max(top, p.has_ts - 1);
      detail::insert_pkt(s, p);
    }
    Tcb& recent = s.h[1].tcb;
    recent.ts_ok = rng() % 4 != 0;
    if (recent.ts_ok) {
      const auto a = static_cast<std::int32_t>(rng() % (cap + 2)), j = static_cast<std::int32_t>(rng() % 6);
      recent.ts_recent = static_cast<std::uint32_t>(j - a * steps);
      if (a == 0) top = std::max(top, j);
    }
    s.h[0].ts_step = static_cast<std::uint8_t>(top + 1);  // the next step is newer than all of this tick's
    WorldState t = s;
    detail::canonical_ts(w, t);
    auto find = [](const WorldState& x, std::uint32_t seq) { for (std::size_t i = 0;; ++i) if (x.net[i].seq == seq) return x.net[i]; };
    std::vector<std::int32_t> before, after;  // the segments by seq, then A's next step
    for (std::uint8_t i = 0; i < s.n; ++i) { before.push_back(val(find(s, i + 1u))); after.push_back(val(find(t, i + 1u))); }
    before.push_back(s.h[0].ts_step);
    after.push_back(t.h[0].ts_step);
    for (std::size_t i = 0; i < before.size(); ++i)
      for (std::size_t j = 0; j < before.size(); ++j)
        ASSERT_EQ(before[i] < before[j], after[i] < after[j]) << "round " << round;
    if (recent.ts_ok) {
      const auto r0 = static_cast<std::int32_t>(s.h[1].tcb.ts_recent), r1 = static_cast<std::int32_t>(t.h[1].tcb.ts_recent);
      const bool past_cap = -r0 >= cap * steps;
      capped += past_cap;
      for (std::size_t i = 0; i < before.size(); ++i) {
        if (past_cap) { ASSERT_EQ(r1, -cap * steps) << "round " << round; ASSERT_LT(r1, after[i]); continue; }
        ASSERT_EQ(r0 < before[i], r1 < after[i]) << "round " << round;
        ASSERT_EQ(r0 == before[i], r1 == after[i]) << "round " << round;
      }
    }
    // Canonical: the steps in use in each tick are 0, 1, ... with no gap.
    std::vector<std::uint32_t> used(cap + 1);
    for (std::size_t i = 0; i < t.n; ++i) used[t.net[i].age] |= 1u << (t.net[i].has_ts - 1);
    used[0] |= 1u << t.h[0].ts_step;
    if (t.h[1].tcb.ts_ok) {
      const auto r = static_cast<std::int32_t>(t.h[1].tcb.ts_recent), a = (steps - 1 - r) / steps;
      used[a] |= 1u << (r + a * steps);
    }
    for (std::uint32_t u : used) ASSERT_EQ(u & (u + 1), 0u) << "round " << round;
    for (std::size_t i = 0; i < t.n; ++i) ASSERT_LE(t.net[i].has_ts, kFineTsSteps);
    ASSERT_LT(t.h[0].ts_step, kFineTsSteps);
    for (std::size_t i = 1; i < t.n; ++i) ASSERT_FALSE(detail::pkt_less(t.net[i], t.net[i - 1]));
    WorldState u = t;
    detail::canonical_ts(w, u);
    ASSERT_EQ(std::memcmp(&u, &t, sizeof u), 0) << "round " << round;
    renumbered += std::memcmp(&s, &t, sizeof s) != 0;
  }
  EXPECT_GT(renumbered, 1000);  // the test reaches the renumbering
  EXPECT_GT(capped, 100);
}

// RFC 1337's F2: with PAWS, an old duplicate is dropped because its TSval is older than TS.Recent.
// With a clock that ticks with the model, a whole run may take one tick, and the old FIN carries
// the same TSval as the new connection's segments: PAWS lets it in (H1). With the fine clock,
// every segment a host sends is newer than the last, and H1 holds in the same world; without PAWS
// it does not (the clock alone keeps nothing out).
World rst_kills_time_wait(std::uint8_t ts_steps, bool paws) {
  World w = small(Scenario::ReopenConnect, true);
  w.cfg.rst_in_time_wait = RstInTimeWait::Kill;
  w.cfg.paws = paws;
  w.loss = 0;
  w.ts_steps = ts_steps;
  return w;
}

TEST(Timestamps, TheFineClockLetsPawsStopRfc1337sFirstHazard) {
  const ExploreResult tick = run(rst_kills_time_wait(1, true), bit(Property::NoStaleData));
  ASSERT_EQ(tick.outcome, Outcome::Violated);
  const Transition& bad = tick.violations.at(0).trace.back().tr;
  ASSERT_TRUE(bad.pkt.has_ts);
  EXPECT_EQ(bad.input.seg.ts_val, bad.before.ts_recent);  // the same tick's TSval: not older
  EXPECT_LT(bad.pkt.inc, bad.tcb_inc);
  const ExploreResult fine = run(rst_kills_time_wait(kFineTsSteps, true), bit(Property::NoStaleData));
  EXPECT_EQ(fine.outcome, Outcome::Holds);
  EXPECT_EQ(fine.states, 3258636u);
  EXPECT_EQ(run(rst_kills_time_wait(kFineTsSteps, false), bit(Property::NoStaleData)).outcome, Outcome::Violated);
}

}  // namespace
}  // namespace tcpclose::model
