// The explicit-state explorer: breadth-first, level by level, over fingerprints, with
// parent + move records so that a counterexample is rebuilt by replay.
// Rule: results (counts and counterexamples) are the same for any number of threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tcpclose/model/properties.hpp"

namespace tcpclose::model {

struct Progress {
  std::uint64_t states = 0, transitions = 0, frontier = 0, depth = 0, bytes = 0;
  double seconds = 0;
};

// One transition of the search, as a visitor sees it (ExploreOptions::visit).
struct Visit {
  std::uint64_t source = 0;  // the source state's number: 0 the initial state, then breadth-first,
                             // the same for any --threads (the order counterexamples are rebuilt in)
  std::uint8_t ordinal = 0;  // the move's ordinal among the source's successors (successors.hpp)
  const WorldState* from = nullptr;
  const Transition* tr = nullptr;
  const WorldState* to = nullptr;
};

struct ExploreOptions {
  unsigned threads = 1;
  // The limits and `interrupt` are watched inside a level too (every 128 expanded states per
  // thread); a stop keeps the expanded part of the level and ends the search incomplete.
  std::uint64_t max_states = 0;   // 0: unlimited
  std::uint64_t max_memory = 0;   // bytes; 0: unlimited
  std::uint32_t properties = kAllPropertyBits;  // 0: none; the search then runs to its end
  // Also decide both-closed's liveness half (from every reachable state a settled state is
  // reachable) by storing every edge and searching backwards from the settled states.
  // Costs 4 bytes per fingerprint and 1 per state in memory, and 4 per transition and 1 per
  // state on disk; only meaningful when the search completes.
  bool liveness = false;
  const std::atomic<bool>* interrupt = nullptr;
  // Where the parts of the search that are not needed at every step go (issue 16): the
  // frontier levels, the parent records and the liveness edges, in a private directory made
  // with mkdtemp under it (empty: $TMPDIR, else /tmp) whose files are unlinked as soon as they
  // are open, so nothing is left behind, even by SIGKILL. An I/O error there (a full disk)
  // ends the search incomplete with a reason that names the directory and errno's text.
  std::string work_dir;
  // For the tests: frontier states expanded at once (0: as many as
  // fill about 4 MiB of buffers), and the bytes the work dir may
  // hold (0: no limit), past which a write fails as a full disk (ENOSPC) would.
  std::uint64_t window_states = 0;
  std::uint64_t disk_limit = 0;
  // For the tests: the bits of a parent record that hold the parent's index within its level
  // (0: 26, the most). A level whose parent level is wider keeps the index's high bits in a
  // second file; a few bits make small worlds take that path.
  unsigned record_low_bits = 0;
  // For the tests: the most states a search with liveness may number (0: 2^32 - 2, what its
  // 32-bit state numbers hold). A search that could pass it stops incomplete, saying so.
  std::uint64_t live_state_limit = 0;
  // Called between levels from the calling thread, and inside a long level from one worker at
  // a time (never two calls at once; the states then are an estimate), at most every
  // progress_seconds (0: after every level; inside a level at most every 0.5 s).
  std::function<void(const Progress&)> progress;
  double progress_seconds = 2.0;
  // Called for every transition the search takes, by the thread that expands its source, so
  // that tools read the search instead of writing their own (tcpclose vectors). With one thread
  // the calls come in (source, ordinal) order; with more, from several threads at once. A limit
  // or a violation that ends the search ends the calls too: states not expanded are not visited.
  std::function<void(const Visit&)> visit;
};

struct TraceStep {
  std::uint8_t ordinal = 0;
  Transition tr{};
  WorldState after{};
};

struct Violation {
  Property property{};
  std::vector<TraceStep> trace;   // from the initial state; the last step violates
  bool terminal = false;          // violated in the last state (no successor), not by a step
  bool replay_ok = true;          // the replay reproduced the violation
  // Liveness: the trace reaches a state from which no settled state is reachable (step
  // doomed_at, 1-based; 0 for the initial state), then runs round a cycle that starts after
  // step loop_from and never leaves the doomed states.
  // A cycle longer than the explorer's bound is not shown: loop_from is then kNoLoop.
  static constexpr std::size_t kNoLoop = static_cast<std::size_t>(-1);
  bool doomed = false;
  std::size_t doomed_at = 0, loop_from = 0;
};

enum class Outcome : std::uint8_t { Holds, Violated, Incomplete };

struct ExploreResult {
  Outcome outcome = Outcome::Holds;
  std::vector<Violation> violations;  // the shortest one for each violated property
  std::uint32_t violated = 0;         // Property bits
  std::uint8_t guards = 0;            // Guard bits reached
  std::uint64_t states = 0, transitions = 0, depth = 0, terminal_states = 0, overflows = 0;
  std::uint64_t pruned = 0;           // moves not explored because of the --in-flight bound
  std::uint64_t cut_off = 0;          // states whose every move was pruned: the bound ends the run
  // In memory: the fingerprint table at the end, and the most the search held (the table,
  // the window's buffers, per-state liveness flags). On disk: the parent records (record_bytes)
  // and the most the work dir held (disk_bytes: records, two frontier levels, liveness edges).
  std::uint64_t table_bytes = 0, record_bytes = 0, peak_bytes = 0, disk_bytes = 0;
  double seconds = 0;
  std::string incomplete_reason;
  bool stopped_at_violation = false;  // every requested property was violated: search cut short
  bool liveness_checked = false;      // the liveness half of both-closed was decided
  std::uint64_t doomed_states = 0;    // states from which no settled state is reachable
  std::uint64_t liveness_sweeps = 0;  // passes over the edges until the fixpoint
  double liveness_seconds = 0;        // wall time of those passes (included in `seconds`)
  std::uint64_t edge_bytes = 0;       // bytes of liveness edges, on disk
  // Some expanded state has a Listen or Connect that SO_REUSEADDR decides (reuse_sensitive in
  // successors.hpp). When false on a complete search, every world that differs only in those
  // flags (same_but_reuse) has exactly this reachable graph, and so these results.
  bool reuse_sensitive = false;
  // Peak bytes in memory per state (the explorer's own count; the disk part is not in it).
  double bytes_per_state() const { return states ? double(peak_bytes) / double(states) : 0; }
};

ExploreResult explore(const World& w, const ExploreOptions& opt);
// ExploreResult::incomplete_reason of a search that stopped at ExploreOptions::max_memory.
inline constexpr const char* kMaxMemoryReached = "--max-memory reached";

// Whether the search of `searched`, with result r, also decides world w without searching it:
// r is complete, and w differs from `searched` only in SO_REUSEADDR flags that decided no move
// of the search (docs/model.md, "One search for two worlds").
bool decides_too(const World& searched, const ExploreResult& r, const World& w);

// The vacuity guards of scenario s that the search did not reach (a pass without them is
// vacuous). Only a complete search that went on to the end can say a guard is unreachable:
// 0 for an incomplete one or one cut short at a violation.
std::uint8_t missing_guards(Scenario s, const ExploreResult& r);

}  // namespace tcpclose::model
