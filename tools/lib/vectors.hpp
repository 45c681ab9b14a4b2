// Transition vectors: every distinct (TCB, input) -> output that step() produced while the
// model explored a scenario, for other stacks' test harnesses (schema: docs/vectors.md).
// Rule: vectors come from the checker's own search (model::explore) through its visitor:
// the graph they cover is the graph `tcpclose check` explores, by construction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <tcpclose/core.hpp>
#include <tcpclose/model/explorer.hpp>
#include <tcpclose/model/world.hpp>

namespace tcpclose::vectors {

inline constexpr int kSchemaVersion = 1;

struct Vector {
  Tcb tcb{};
  Input input{};
  Output out{};
};

struct Collection {
  std::vector<Vector> vectors;        // in the order the search first saw them
  std::uint64_t states = 0;           // world states visited
  std::uint64_t transitions = 0;      // moves explored
  std::uint64_t steps = 0;            // step() calls seen (before deduplication)
  std::uint64_t unexplained = 0;      // recorded outputs that no known TCB reproduces (must be 0)
  bool complete = true;               // false when a limit or a signal ended a search
  std::string incomplete_reason;      // the first such search's (the explorer's words)
};

// Explores `w` (model::explore with `opt`'s limits, interrupt and work dir; one thread, no
// property judged) and collects the core step of every move, in breadth-first order.
// Vectors already in `into` (by (TCB, input)) are not added again. A search that a limit or
// `opt.interrupt` ends early leaves `complete` false, with the explorer's reason (the first
// such search's). Returns this search's reason, "" when it was complete.
std::string collect(const model::World& w, model::ExploreOptions opt, Collection& into);

// The JSON document of docs/vectors.md. `meta` is copied into it (profile, scenarios, config).
nlohmann::json to_json(const Collection& c, const nlohmann::json& meta);

// Parses one vector of a document (the inverse of to_json); throws nlohmann::json::exception
// or std::invalid_argument on a malformed vector.
Vector from_json(const nlohmann::json& v);

// Replays a document through step() under `cfg`: returns how many vectors' outputs differ,
// and appends the indices of the first `limit` of them to `first_bad`.
std::size_t replay(const nlohmann::json& doc, const Config& cfg, std::vector<std::size_t>& first_bad,
                   std::size_t limit = 20);

// The document as text: the header fields one per line, then one vector per line.
std::string dump(const nlohmann::json& doc);

}  // namespace tcpclose::vectors
