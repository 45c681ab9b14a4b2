// The packed frontier state (packed.hpp): every reachable state packs and unpacks to itself, byte
// for byte, in every scenario and ISN policy; a value outside the bounds is refused, not wrapped.
// Rule: each test walks a bounded prefix of the graph so that it runs in well under a second.
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <memory>
#include <unordered_set>
#include <vector>

#include <tcpclose/model/packed.hpp>
#include <tcpclose/model/successors.hpp>

namespace tcpclose::model {
namespace {

bool same_bytes(const WorldState& a, const WorldState& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// pack_child(n) from the parent's hosts and record writes what pack(n) writes (the explorer's
// frontier and pan's state vector take the first).
void expect_child_packs_alike(const Packer& pk, const WorldState& parent, const std::uint8_t* rec, const WorldState& n) {
  std::vector<std::uint8_t> whole(pk.size(), 0), child(pk.size(), 0);
  const bool ok = pk.pack(n, whole.data());
  EXPECT_EQ(pk.pack_child(n, parent.h, rec, child.data()), ok);
  if (ok) {
    EXPECT_EQ(whole, child) << "pack_child wrote other bytes than pack";
  }
}

// Breadth-first over the first `limit` states, by equality of the packed records: each state
// must pack, and unpack to exactly itself; each successor packs alike from its parent.
std::size_t walk(const World& w, std::size_t limit) {
  const Packer pk(w);
  std::vector<std::uint8_t> rec(pk.size());
  std::unordered_set<std::string> seen;
  std::deque<WorldState> todo{initial_state(w)};
  std::size_t checked = 0;
  while (!todo.empty() && checked < limit) {
    const WorldState s = todo.front();
    todo.pop_front();
    EXPECT_TRUE(pk.pack(s, rec.data())) << "a reachable state is outside the bounds";
    WorldState back;
    std::memset(static_cast<void*>(&back), 0xA5, sizeof back);  // every byte must be written
    pk.unpack(rec.data(), back);
    if (!same_bytes(s, back)) {
      std::size_t at = 0;
      while (reinterpret_cast<const unsigned char*>(&s)[at] == reinterpret_cast<const unsigned char*>(&back)[at]) ++at;
      ADD_FAILURE() << "unpack(pack(s)) != s at state " << checked << ", first at byte " << at << " ("
                    << int(reinterpret_cast<const unsigned char*>(&s)[at]) << " != "
                    << int(reinterpret_cast<const unsigned char*>(&back)[at]) << ")";
      return checked;
    }
    ++checked;
    if (!seen.emplace(reinterpret_cast<const char*>(rec.data()), rec.size()).second) continue;
    for_each_successor(w, s, [&](std::uint8_t, const WorldState& n, const Transition&) {
      expect_child_packs_alike(pk, s, rec.data(), n);
      todo.push_back(n);
    });
  }
  return checked;
}

TEST(Packed, ReachableStatesOfEveryScenarioPackAndUnpackToThemselves) {
  for (Scenario sc : kAllScenarios)
    for (IsnPolicy isn : {IsnPolicy::Adversarial, IsnPolicy::Clock}) {
      World w = make_world(sc, model_config(Profile::Reference));
      w.isn = isn;
      EXPECT_EQ(walk(w, 20000), 20000u) << name(sc);
    }
}

TEST(Packed, OtherProfilesAndWideBoundsRoundTripToo) {
  for (Profile p : kAllProfiles) {
    World w = make_world(Scenario::ReopenSyn, model_config(p));
    EXPECT_EQ(walk(w, 5000), 5000u);
  }
  World w = make_world(Scenario::HalfClose, model_config(Profile::Reference));
  w.cfg.time_wait = 400;  // wide deadlines
  w.data = 100;           // wide offsets from ISS and IRS
  w.in_flight = 4;
  EXPECT_EQ(walk(w, 5000), 5000u);
}

TEST(Packed, TheDefaultWorldPacksInAtMost88Bytes) {
  const Packer pk(make_world(Scenario::ActiveClose, model_config(Profile::Reference)));
  EXPECT_LE(pk.size(), 88u);
  EXPECT_GE(pk.size(), 64u);
}

// A value that does not fit is an error, never a silent wrap.
TEST(Packed, AValueOutsideTheBoundsIsRefused) {
  const World w = make_world(Scenario::ActiveClose, model_config(Profile::Reference));
  const Packer pk(w);
  std::vector<std::uint8_t> rec(pk.size());
  WorldState s = initial_state(w);
  ASSERT_TRUE(pk.pack(s, rec.data()));
  auto refused = [&](auto&& change) {
    WorldState t = s;
    change(t);
    return !pk.pack(t, rec.data());
  };
  EXPECT_TRUE(refused([](WorldState& t) { t.h[0].tcb.deadline[0] = 255; }));   // narrow deadline
  EXPECT_TRUE(refused([&](WorldState& t) { t.h[0].tcb.iss = w.isn_base[0] + 0x20000000u; }));
  EXPECT_TRUE(refused([&](WorldState& t) { t.h[0].tcb.iss = w.isn_base[0]; t.h[0].tcb.snd_nxt = w.isn_base[0] + 200; }));
  EXPECT_TRUE(refused([](WorldState& t) { t.h[1].tcb.rcv_wnd = 7; }));          // neither 0 nor RCV.WND
  EXPECT_TRUE(refused([](WorldState& t) { t.h[1].tcb.ts_recent = 1; }));        // timestamps off in this world
  EXPECT_TRUE(refused([](WorldState& t) { t.net[0].has_ts = 1; t.n = 1; }));
  EXPECT_TRUE(refused([](WorldState& t) { t.h[0].pc = 16; }));
  EXPECT_TRUE(refused([](WorldState& t) { t.n = static_cast<std::uint8_t>(kMaxPkts); }));
  EXPECT_TRUE(refused([](WorldState& t) { t.h[0].pad_[1] = 1; }));
  EXPECT_FALSE(refused([&](WorldState& t) { t.h[0].tcb.iss = w.isn_base[0] + 0x40000001u; t.h[0].tcb.snd_nxt = t.h[0].tcb.iss + 2; }));
}

// A timestamped state of world w: A ESTABLISHED with TS.Recent `recent`, one segment of age 2 with
// has_ts `stamp` in flight. It must round-trip; the result says whether a changed copy is refused.
auto timestamped_bounds(const World& w, std::uint32_t recent, std::uint8_t stamp) {
  auto pk = std::make_shared<Packer>(w);
  WorldState s = initial_state(w);
  s.h[0].tcb.state = State::Established;
  s.h[0].tcb.ts_ok = true;
  s.h[0].tcb.ts_recent = recent;
  s.net[0].has_ts = stamp;
  s.net[0].age = 2;
  s.n = 1;
  std::vector<std::uint8_t> rec(pk->size());
  EXPECT_TRUE(pk->pack(s, rec.data()));
  WorldState back;
  pk->unpack(rec.data(), back);
  EXPECT_TRUE(same_bytes(s, back));
  return [pk, s](auto&& change) {
    WorldState t = s;
    change(t);
    std::vector<std::uint8_t> out(pk->size());
    return !pk->pack(t, out.data());
  };
}

// With timestamps (docs/model.md, "Timestamps"): every reachable state round-trips, TS.Recent
// included; an age beyond MSL + 1, TS.Recent without ts_ok, or an unpackable segment is refused.
TEST(Packed, TimestampedWorldsRoundTripAndKeepTheirBounds) {
  for (Profile p : {Profile::Reference, Profile::Linux}) {
    for (Scenario sc : {Scenario::ReopenConnect, Scenario::ReopenSyn}) {
      World w = make_world(sc, model_timestamps(model_config(p), p));
      EXPECT_EQ(walk(w, 5000), 5000u) << name(sc);
    }
  }
  const World w = make_world(Scenario::ActiveClose, model_timestamps(model_config(Profile::Reference), Profile::Reference));
  const auto refused = timestamped_bounds(w, 0u - ts_age_cap(w.cfg), 1);
  EXPECT_TRUE(refused([](WorldState& t) { --t.h[0].tcb.ts_recent; }));           // older than the cap
  EXPECT_TRUE(refused([](WorldState& t) { t.h[0].tcb.ts_ok = false; }));         // TS.Recent without timestamps
  EXPECT_TRUE(refused([](WorldState& t) { t.net[0].has_ts = kPktOutOfBounds; }));  // > 255 bytes, or TSval != now
  EXPECT_TRUE(refused([](WorldState& t) { t.net[0].age = 0x80; }));
}

// With the fine TSval clock (--ts-clock fine: World::ts_steps = kFineTsSteps) a segment's step
// rides above a 4-bit age, and each host's clock step takes a byte: reachable states round-trip,
// and a step above the clock's, or an age that no longer fits, is refused.
TEST(Packed, FineClockWorldsRoundTripAndKeepTheirBounds) {
  for (Scenario sc : {Scenario::ReopenConnect, Scenario::ReopenSyn}) {
    World w = make_world(sc, model_timestamps(model_config(Profile::Reference), Profile::Reference));
    w.ts_steps = kFineTsSteps;
    EXPECT_EQ(walk(w, 20000), 20000u) << name(sc);
  }
  World w = make_world(Scenario::ActiveClose, model_timestamps(model_config(Profile::Reference), Profile::Reference));
  w.ts_steps = kFineTsSteps;
  // TS.Recent sent at step 3 of this tick; the segment at the tick's last step; B's clock at step 4
  const auto refused = timestamped_bounds(w, 3, kFineTsSteps);
  EXPECT_FALSE(refused([](WorldState& t) { t.h[1].ts_step = 4; }));
  EXPECT_FALSE(refused([&](WorldState& t) { t.h[0].tcb.ts_recent = 0u - ts_age_cap(w.cfg) * kFineTsSteps; }));
  EXPECT_TRUE(refused([&](WorldState& t) { t.h[0].tcb.ts_recent = 0u - (ts_age_cap(w.cfg) + 2) * kFineTsSteps; }));
  EXPECT_TRUE(refused([](WorldState& t) { t.net[0].has_ts = kFineTsSteps + 1; }));  // beyond the clock's steps
  EXPECT_TRUE(refused([](WorldState& t) { t.h[1].ts_step = kFineTsSteps; }));
  EXPECT_TRUE(refused([](WorldState& t) { t.net[0].age = 16; }));  // four bits of age
}

// Linux reopens TIME-WAIT at SND.NXT + 65537 (tcp_timewait_state_process): its worlds take
// 24-bit sequence codes; the reference's 16-bit ones refuse such an ISS.
TEST(Packed, ALinuxReopenedIssFarAboveTheBaseRoundTrips) {
  for (Profile p : {Profile::Linux, Profile::Reference}) {
    const World w = make_world(Scenario::ReopenSyn, model_config(p));
    const Packer pk(w);
    std::vector<std::uint8_t> rec(pk.size());
    WorldState s = initial_state(w);
    s.h[1].tcb.iss = w.isn_base[1] + 2 * 65537u + 5;
    s.h[1].tcb.snd_nxt = s.h[1].tcb.iss + 1;
    s.h[1].last_iss = s.h[1].tcb.iss;
    const bool linux_like = w.cfg.reopen_iss == ReopenIss::AboveSndNxt;
    ASSERT_EQ(pk.pack(s, rec.data()), linux_like);
    if (!linux_like) continue;
    WorldState back;
    pk.unpack(rec.data(), back);
    EXPECT_TRUE(same_bytes(s, back));
  }
}

}  // namespace
}  // namespace tcpclose::model
