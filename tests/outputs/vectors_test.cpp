// Transition vectors: exported from the model's exploration, written as JSON, read back and
// replayed through step(); every one must match, under every profile. Negative controls: a
// mutant core, and a tampered vector, must each be caught by the same replay.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "vectors.hpp"

namespace {

using namespace tcpclose;

// A bounded search keeps the test fast (under ASan too); `tcpclose vectors` runs the full one.
constexpr std::uint64_t kStates = 30000;

// `full`: a complete search of a smaller world (one loss, no duplication or delay), which
// still reaches TIME-WAIT and a retransmitted FIN there; otherwise a bounded default search.
nlohmann::json exported(Profile p, model::Scenario s, bool full = false) {
  model::World w = model::make_world(s, model::model_config(p));
  if (full) { w.dup = 0; w.delay = 0; }
  vectors::Collection col;
  model::ExploreOptions o;
  o.max_states = full ? 0 : kStates;
  vectors::collect(w, o, col);
  EXPECT_EQ(col.unexplained, 0u);
  EXPECT_EQ(col.complete, full);
  EXPECT_GT(col.vectors.size(), 100u);
  EXPECT_LT(col.vectors.size(), col.steps);  // deduplicated
  return nlohmann::json::parse(vectors::dump(vectors::to_json(col, {{"profile", name(p)}})));
}

TEST(Vectors, ExportedVectorsReplayThroughStepUnderEveryProfile) {
  for (Profile p : kAllProfiles) {
    const nlohmann::json doc = exported(p, model::Scenario::SimultaneousClose);
    EXPECT_EQ(doc.at("version"), vectors::kSchemaVersion);
    std::vector<std::size_t> bad;
    EXPECT_EQ(vectors::replay(doc, model::model_config(p), bad), 0u) << name(p) << ": first bad vector "
                                                                     << (bad.empty() ? 0 : bad[0]);
  }
}

// With --timestamps on (model_timestamps): segments carry TSvals relative to now (docs/model.md),
// concrete uint32 values that replay through step() like any other; the same vectors replayed
// with timestamps off do not all match, so the option is really in them.
TEST(Vectors, TimestampedVectorsReplayThroughStep) {
  for (Profile p : {Profile::Reference, Profile::Linux}) {
    const Config cfg = model::model_timestamps(model::model_config(p), p);
    const model::World w = model::make_world(model::Scenario::ActiveClose, cfg);
    vectors::Collection col;
    model::ExploreOptions o;
    o.max_states = kStates;
    vectors::collect(w, o, col);
    EXPECT_EQ(col.unexplained, 0u);
    const nlohmann::json doc = nlohmann::json::parse(vectors::dump(vectors::to_json(col, {{"profile", name(p)}})));
    std::size_t with_ts = 0;
    for (const auto& v : doc.at("vectors")) with_ts += v.at("input").contains("seg") && v.at("input").at("seg").contains("ts_val");
    EXPECT_GT(with_ts, 50u) << name(p);
    std::vector<std::size_t> bad;
    EXPECT_EQ(vectors::replay(doc, cfg, bad), 0u) << name(p) << ": first bad vector " << (bad.empty() ? 0 : bad[0]);
    EXPECT_GT(vectors::replay(doc, model::model_config(p), bad), 0u) << name(p);
  }
}

// Issue 18: the vectors come from the checker's own search (its visitor), not a second one:
// the graph they cover is the one `tcpclose check` explores, state for state, move for move.
TEST(Vectors, TheyCoverTheGraphTheCheckerExplores) {
  model::World w = model::make_world(model::Scenario::ActiveClose, model::model_config(Profile::Reference));
  w.dup = 0;
  w.delay = 0;
  vectors::Collection col;
  vectors::collect(w, model::ExploreOptions{}, col);
  const model::ExploreResult checked = model::explore(w, model::ExploreOptions{});
  EXPECT_TRUE(col.complete);
  EXPECT_EQ(col.states, checked.states);
  EXPECT_EQ(col.transitions, checked.transitions);
  EXPECT_GT(col.steps, 0u);
}

// A limit that ends a search leaves the document incomplete with the explorer's reason.
TEST(Vectors, AnIncompleteSearchSaysWhy) {
  const model::World w = model::make_world(model::Scenario::ActiveClose, model::model_config(Profile::Reference));
  vectors::Collection col;
  model::ExploreOptions o;
  o.max_states = 1000;
  vectors::collect(w, o, col);
  EXPECT_FALSE(col.complete);
  EXPECT_EQ(col.incomplete_reason, "--max-states reached");
  const nlohmann::json doc = vectors::to_json(col, nlohmann::json::object());
  EXPECT_EQ(doc.at("complete"), false);
  EXPECT_EQ(doc.at("incomplete_reason"), "--max-states reached");
}

TEST(Vectors, EveryVectorIsDistinct) {
  const nlohmann::json doc = exported(Profile::Reference, model::Scenario::ActiveClose);
  std::set<std::string> keys;
  for (const auto& v : doc.at("vectors")) EXPECT_TRUE(keys.insert(v.at("tcb").dump() + v.at("input").dump()).second);
}

TEST(Vectors, ReplayCatchesAMutantCore) {
  const nlohmann::json doc = exported(Profile::Reference, model::Scenario::ActiveClose, true);
  std::size_t time_wait = 0;
  for (const auto& v : doc.at("vectors")) time_wait += v.at("tcb").at("state") == "TIME-WAIT";
  EXPECT_GT(time_wait, 10u);
  std::vector<std::size_t> bad;
  ASSERT_EQ(vectors::replay(doc, model::model_config(Profile::Reference), bad), 0u);
  for (Mutant m : {Mutant::NoReackInTimeWait, Mutant::NoFinRetransmit, Mutant::TimeWaitZero}) {
    Config broken = model::model_config(Profile::Reference);
    broken.mutant = m;
    EXPECT_GT(vectors::replay(doc, broken, bad), 0u) << name(m);
  }
}

TEST(Vectors, ReplayCatchesATamperedVector) {
  nlohmann::json doc = exported(Profile::Reference, model::Scenario::ActiveClose);
  std::vector<std::size_t> bad;
  ASSERT_EQ(vectors::replay(doc, model::model_config(Profile::Reference), bad), 0u);
  doc["vectors"][0]["next"]["snd_nxt"] = doc["vectors"][0]["next"]["snd_nxt"].get<std::uint32_t>() + 1;
  EXPECT_EQ(vectors::replay(doc, model::model_config(Profile::Reference), bad), 1u);
  EXPECT_EQ(bad.at(0), 0u);
}

TEST(Vectors, MalformedVectorIsAnErrorNotAMatch) {
  nlohmann::json doc = exported(Profile::Reference, model::Scenario::ActiveClose);
  doc["vectors"][0]["tcb"]["state"] = "HALF-OPEN";
  std::vector<std::size_t> bad;
  EXPECT_THROW(vectors::replay(doc, model::model_config(Profile::Reference), bad), std::invalid_argument);
}

}  // namespace
