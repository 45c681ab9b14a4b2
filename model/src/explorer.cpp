// Level-synchronous breadth-first exploration (see explorer.hpp).
// Per level: (1) expand the frontier in parallel chunks, check every transition, keep the
// successors not seen in earlier levels; (2) insert them into the sharded fingerprint set,
// each shard owned by one thread, scanning candidates in frontier order, so the first
// occurrence wins exactly as in a sequential search; (3) number the new states in that order.
#include "tcpclose/model/explorer.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <limits>
#include <thread>

#include "tcpclose/model/hash.hpp"

namespace tcpclose::model {
namespace {

using Clock = std::chrono::steady_clock;

// The fingerprint covers the hosts, the segments in flight and the counters; unused segment
// slots are always zero, so leaving them out keeps equal states equal and hashes less.
std::uint64_t fp_of(const WorldState& s) {
  static_assert(offsetof(WorldState, net) == sizeof(WorldState::h));
  const std::uint64_t head = fingerprint(&s, offsetof(WorldState, net) + s.n * sizeof(Pkt));
  const std::uint64_t tail = fingerprint(&s.n, sizeof(WorldState) - offsetof(WorldState, n));
  return fold_mul(head ^ 0x9E3779B97F4A7C15ull, tail) | 1;
}

// Open addressing over 64-bit fingerprints, split into shards by the top bits.
class FpSet {
 public:
  static constexpr unsigned kShardBits = 6;
  static constexpr std::size_t kShards = std::size_t{1} << kShardBits;

  FpSet() {
    for (Shard& s : shards_) s.slots.assign(1024, 0);
  }
  static std::size_t shard_of(std::uint64_t fp) { return static_cast<std::size_t>(fp >> (64 - kShardBits)); }

  bool contains(std::uint64_t fp) const {
    const Shard& s = shards_[shard_of(fp)];
    const std::size_t mask = s.slots.size() - 1;
    for (std::size_t i = fp & mask;; i = (i + 1) & mask) {
      if (s.slots[i] == fp) return true;
      if (s.slots[i] == 0) return false;
    }
  }
  // Only the owner of the shard may call this.
  bool insert(std::uint64_t fp) {
    Shard& s = shards_[shard_of(fp)];
    if ((s.count + 1) * 4 > s.slots.size() * 3) grow(s);
    if (!place(s.slots, fp)) return false;
    ++s.count;
    return true;
  }
  void prefetch(std::uint64_t fp) const {
    const Shard& s = shards_[shard_of(fp)];
    __builtin_prefetch(&s.slots[fp & (s.slots.size() - 1)]);
  }
  std::uint64_t bytes() const {
    std::uint64_t b = 0;
    for (const Shard& s : shards_) b += s.slots.size() * sizeof(std::uint64_t);
    return b;
  }

 private:
  struct Shard {
    std::vector<std::uint64_t> slots;
    std::size_t count = 0;
  };
  static bool place(std::vector<std::uint64_t>& slots, std::uint64_t fp) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = fp & mask;; i = (i + 1) & mask) {
      if (slots[i] == fp) return false;
      if (slots[i] == 0) { slots[i] = fp; return true; }
    }
  }
  static void grow(Shard& s) {
    std::vector<std::uint64_t> bigger(s.slots.size() * 2, 0);
    for (std::uint64_t fp : s.slots)
      if (fp != 0) place(bigger, fp);
    s.slots.swap(bigger);
  }
  std::array<Shard, kShards> shards_;
};

struct Cand {
  std::uint64_t fp;
  std::uint32_t frontier;  // index of the parent in the current level
  std::uint8_t ordinal;
  std::uint8_t is_new;
  std::uint8_t pad_[2];
};

// The earliest violation of one property in a level: (frontier index, ordinal) order.
struct Found {
  bool any = false;
  std::uint64_t key = std::numeric_limits<std::uint64_t>::max();
  bool terminal = false;
  void offer(std::uint64_t k, bool term) {
    if (any && k >= key) return;
    any = true; key = k; terminal = term;
  }
};

struct Chunk {
  std::vector<Cand> cands;
  std::vector<WorldState> states;
  std::array<Found, kPropertyCount> found{};
  std::uint8_t guards = 0;
  std::uint64_t transitions = 0, terminals = 0, overflows = 0, pruned = 0;
};

template <class F>
void parallel_for(unsigned threads, std::size_t n, F&& f) {
  if (threads <= 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) f(i, 0u);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  const unsigned t = static_cast<unsigned>(std::min<std::size_t>(threads, n));
  for (unsigned k = 0; k < t; ++k)
    pool.emplace_back([&, k] {
      for (std::size_t i; (i = next.fetch_add(1)) < n;) f(i, k);
    });
  for (auto& th : pool) th.join();
}

void expand(const World& w, const ExploreOptions& opt, const FpSet& seen,
            const std::vector<WorldState>& cur, std::size_t lo, std::size_t hi, Chunk& out) {
  // The successors of one state go straight into the chunk's buffers, fingerprinted and their
  // table slots prefetched; once all are made, the ones already seen are dropped, so the cache
  // misses of the lookups overlap and each state is copied once.
  for (std::size_t idx = lo; idx < hi; ++idx) {
    const WorldState& s = cur[idx];
    const std::size_t first = out.cands.size();
    const std::uint8_t pruned = for_each_successor(w, s, [&](std::uint8_t ordinal, const WorldState& n, const Transition& tr) {
      ++out.transitions;
      if (tr.overflow) ++out.overflows;
      const std::uint32_t bad = check_transition(w, s, n, tr, out.guards) & opt.properties;
      if (bad)
        for (Property p : kAllProperties)
          if (bad & bit(p)) out.found[static_cast<std::size_t>(p)].offer((idx << 8) | ordinal, false);
      const std::uint64_t fp = fp_of(n);
      seen.prefetch(fp);
      out.cands.push_back(Cand{fp, static_cast<std::uint32_t>(idx), ordinal, 0, {0, 0}});
      out.states.push_back(n);
    });
    const std::size_t made = out.cands.size() - first;
    std::size_t keep = first;
    for (std::size_t i = first; i < out.cands.size(); ++i) {
      if (seen.contains(out.cands[i].fp)) continue;
      if (keep != i) { out.cands[keep] = out.cands[i]; out.states[keep] = out.states[i]; }
      ++keep;
    }
    out.cands.resize(keep);
    out.states.resize(keep);
    const bool any = made > 0;
    out.pruned += pruned;
    if (!any && pruned == 0) {
      ++out.terminals;
      const std::uint32_t bad = check_terminal(w, s) & opt.properties;
      if (bad)
        for (Property p : kAllProperties)
          if (bad & bit(p)) out.found[static_cast<std::size_t>(p)].offer((idx << 8) | 0xFF, true);
    }
  }
}

struct Record {  // per property: where its shortest violation was found
  bool any = false;
  std::uint64_t parent_id = 0;  // the state the violating step leaves, or the terminal state
  std::uint8_t ordinal = 0;
  bool terminal = false;
};

Violation rebuild(const World& w, const FpSet& seen, const std::vector<std::uint32_t>& parent,
                  const std::vector<std::uint8_t>& move, Property p, const Record& r) {
  Violation v;
  v.property = p;
  v.terminal = r.terminal;
  std::vector<std::uint8_t> path;
  for (std::uint64_t id = r.parent_id; id != 0; id = parent[id]) path.push_back(move[id]);
  std::reverse(path.begin(), path.end());
  if (!r.terminal) path.push_back(r.ordinal);
  WorldState s = initial_state(w);
  std::uint8_t guards = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    TraceStep st;
    st.ordinal = path[i];
    if (!successor(w, s, path[i], st.after, st.tr)) { v.replay_ok = false; break; }
    const bool last = i + 1 == path.size();
    if (last && !r.terminal) v.replay_ok = (check_transition(w, s, st.after, st.tr, guards) & bit(p)) != 0;
    else if (!seen.contains(fp_of(st.after))) v.replay_ok = false;  // the replay left the explored graph
    s = st.after;
    v.trace.push_back(st);
  }
  if (r.terminal) v.replay_ok = v.replay_ok && (check_terminal(w, s) & bit(p)) != 0;
  return v;
}

}  // namespace

ExploreResult explore(const World& w, const ExploreOptions& opt) {
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  const unsigned threads = std::max(1u, opt.threads);
  ExploreResult res;
  FpSet seen;
  std::vector<std::uint32_t> parent{0};
  std::vector<std::uint8_t> move{0};
  std::vector<WorldState> cur{initial_state(w)}, next;
  seen.insert(fp_of(cur[0]));
  std::array<Record, kPropertyCount> rec{};
  std::uint64_t level_start = 0;
  double last_progress = 0;
  std::vector<Chunk> chunks;

  auto memory = [&](std::size_t cands) {
    return seen.bytes() + parent.capacity() * 4 + move.capacity() +
           (cur.capacity() + next.capacity()) * sizeof(WorldState) + cands * (sizeof(Cand) + sizeof(WorldState));
  };

  while (!cur.empty()) {
    // (1) expand, in chunks whose results are merged in frontier order
    const std::size_t nchunks = threads == 1 ? 1 : std::min<std::size_t>(cur.size() / 64 + 1, threads * 16);
    if (chunks.size() < nchunks) chunks.resize(nchunks);
    for (std::size_t c = 0; c < nchunks; ++c) {  // buffers are kept across levels: no page churn
      chunks[c].cands.clear(); chunks[c].states.clear();
      chunks[c].found = {}; chunks[c].guards = 0;
      chunks[c].transitions = chunks[c].terminals = chunks[c].overflows = chunks[c].pruned = 0;
    }
    parallel_for(threads, nchunks, [&](std::size_t c, unsigned) {
      const std::size_t lo = cur.size() * c / nchunks, hi = cur.size() * (c + 1) / nchunks;
      expand(w, opt, seen, cur, lo, hi, chunks[c]);
    });
    std::size_t ncands = 0;
    std::array<Found, kPropertyCount> found{};
    for (std::size_t c = 0; c < nchunks; ++c) {
      const Chunk& ch = chunks[c];
      ncands += ch.cands.size();
      res.transitions += ch.transitions;
      res.terminal_states += ch.terminals;
      res.overflows += ch.overflows;
      res.pruned += ch.pruned;
      res.guards |= ch.guards;
      for (std::size_t p = 0; p < kPropertyCount; ++p)
        if (ch.found[p].any) found[p].offer(ch.found[p].key, ch.found[p].terminal);
    }
    std::uint32_t violated_so_far = 0;
    for (std::size_t p = 0; p < kPropertyCount; ++p) {
      if (found[p].any && !rec[p].any)
        rec[p] = Record{true, level_start + (found[p].key >> 8),
                        static_cast<std::uint8_t>(found[p].key & 0xFF), found[p].terminal};
      if (rec[p].any) violated_so_far |= 1u << p;
    }
    // Every property asked for is violated: nothing more can change the verdict.
    const bool all_violated = violated_so_far == opt.properties;
    res.peak_bytes = std::max<std::uint64_t>(res.peak_bytes, memory(ncands));
    // (2) insert: each thread owns the shards congruent to it, scanning in order
    const unsigned inserters = threads;
    parallel_for(inserters, inserters, [&](std::size_t t, unsigned) {
      for (std::size_t k = 0; k < nchunks; ++k)
        for (Cand& c : chunks[k].cands)
          if (FpSet::shard_of(c.fp) % inserters == t) c.is_new = seen.insert(c.fp) ? 1 : 0;
    });
    // (3) number the new states in frontier order: a prefix sum over chunks, then each chunk
    // copies its new states into its own range in parallel
    std::vector<std::size_t> offset(nchunks + 1, 0);
    for (std::size_t k = 0; k < nchunks; ++k) {
      std::size_t fresh = 0;
      for (const Cand& c : chunks[k].cands) fresh += c.is_new;
      offset[k + 1] = offset[k] + fresh;
    }
    const std::size_t base = parent.size();
    parent.resize(base + offset[nchunks]);
    move.resize(base + offset[nchunks]);
    next.resize(offset[nchunks]);
    parallel_for(threads, nchunks, [&](std::size_t k, unsigned) {
      std::size_t at = offset[k];
      const Chunk& ch = chunks[k];
      for (std::size_t i = 0; i < ch.cands.size(); ++i) {
        if (!ch.cands[i].is_new) continue;
        parent[base + at] = static_cast<std::uint32_t>(level_start + ch.cands[i].frontier);
        move[base + at] = ch.cands[i].ordinal;
        next[at] = ch.states[i];
        ++at;
      }
    });
    res.states = parent.size();
    level_start += cur.size();
    cur.swap(next);
    if (!cur.empty()) ++res.depth;

    const double now = elapsed();
    if (opt.progress && now - last_progress >= 2.0) {
      last_progress = now;
      opt.progress(Progress{res.states, res.transitions, cur.size(), res.depth, memory(0), now});
    }
    if (all_violated && !cur.empty()) { res.stopped_at_violation = true; break; }
    if (!cur.empty()) {
      if (opt.interrupt && opt.interrupt->load()) res.incomplete_reason = "interrupted";
      else if (opt.max_states && res.states >= opt.max_states) res.incomplete_reason = "--max-states reached";
      else if (opt.max_memory && memory(0) >= opt.max_memory) res.incomplete_reason = "--max-memory reached";
      if (!res.incomplete_reason.empty()) break;
    }
  }

  res.table_bytes = seen.bytes();
  res.record_bytes = parent.size() * sizeof(std::uint32_t) + move.size();
  for (Property p : kAllProperties) {
    const Record& r = rec[static_cast<std::size_t>(p)];
    if (!r.any) continue;
    res.violated |= bit(p);
    res.violations.push_back(rebuild(w, seen, parent, move, p, r));
  }
  res.outcome = res.violated ? Outcome::Violated
                : !res.incomplete_reason.empty() ? Outcome::Incomplete : Outcome::Holds;
  res.seconds = elapsed();
  return res;
}

}  // namespace tcpclose::model
