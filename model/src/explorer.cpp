// Level-synchronous breadth-first exploration (see explorer.hpp).
// Per level: (1) expand the frontier in parallel chunks, check every transition, keep the
// successors not seen in earlier levels; (2) insert them into the sharded fingerprint set,
// each shard owned by one thread, scanning candidates in frontier order, so the first
// occurrence wins exactly as in a sequential search; (3) number the new states in that order.
#include "tcpclose/model/explorer.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>

#include "tcpclose/model/hash.hpp"
#include "tcpclose/model/packed.hpp"
#include "work_dir.hpp"

#include <sys/mman.h>

namespace tcpclose::model {
namespace {

using Clock = std::chrono::steady_clock;

// The fingerprint covers the hosts, the segments in flight and the counters; unused segment
// slots are always zero and the count is hashed, so leaving them out keeps equal states equal
// and distinct ones distinct. The layout is fixed, so the loop is unrolled and runs two
// independent multiply-fold lanes (the same construction as hash.hpp's fingerprint(), which
// it replaced here: that one took 220 instructions a state, with a variable-length tail).
inline std::uint64_t word_at(const unsigned char* p, std::size_t off) {
  std::uint64_t v;
  std::memcpy(&v, p + off, 8);
  return v;
}
std::uint64_t fp_of(const WorldState& s) {
  constexpr std::size_t kHosts = offsetof(WorldState, net), kTail = offsetof(WorldState, n);
  static_assert(kHosts == sizeof(WorldState::h) && kHosts % 8 == 0);
  static_assert(kTail + 8 == sizeof(WorldState) && sizeof(Pkt) == 16);
  constexpr std::uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                          k2 = 0x8ebc6af09c88c6e3ull, k3 = 0x589965cc75374cc3ull,
                          k4 = 0x1d8e4e27c47d124full;
  const auto* p = reinterpret_cast<const unsigned char*>(&s);
  std::uint64_t a = k0, b = k3;
  std::size_t i = 0;
  for (; i + 32 <= kHosts; i += 32) {  // the host words, two lanes
    a = fold_mul(word_at(p, i) ^ a ^ k1, word_at(p, i + 8) ^ k2);
    b = fold_mul(word_at(p, i + 16) ^ b ^ k3, word_at(p, i + 24) ^ k4);
  }
  if constexpr (kHosts % 32 >= 16) {  // a tail, when the TCB is not a multiple of 16 bytes
    a = fold_mul(word_at(p, i) ^ a ^ k1, word_at(p, i + 8) ^ k2);
    i += 16;
  }
  if constexpr (kHosts % 16 == 8) b = fold_mul(word_at(p, i) ^ b ^ k3, k4);
  a = fold_mul(a ^ k1, word_at(p, kTail) ^ k2);  // the counters
  for (std::size_t i = 0; i < s.n; ++i)
    b = fold_mul(word_at(p, kHosts + 16 * i) ^ b ^ k3, word_at(p, kHosts + 16 * i + 8) ^ k4);
  return fold_mul(a ^ k0, b ^ k1) | 1;
}

// A growable array of packed states (packed.hpp), `stride` bytes each, that is never
// zero-filled: every record is written by pack() before it is read. The new states of a level
// wait here, at a third of a WorldState's size, until the next level unpacks each one once.
class PackedBuf {
 public:
  std::size_t size() const { return n_; }
  std::size_t capacity_bytes() const { return cap_ * stride_; }
  std::size_t stride() const { return stride_; }
  void set_stride(std::size_t stride) { if (stride != stride_) { *this = PackedBuf(); stride_ = stride; } }
  std::uint8_t* at(std::size_t i) { return p_.get() + i * stride_; }
  const std::uint8_t* at(std::size_t i) const { return p_.get() + i * stride_; }
  // A new record at the end, to be written by the caller.
  std::uint8_t* push() {
    if (n_ == cap_) grow();
    return at(n_++);
  }
  void clear() { n_ = 0; }

 private:
  void grow() {
    const std::size_t cap = cap_ ? cap_ * 2 : 64;
    std::unique_ptr<std::uint8_t[]> q(new std::uint8_t[cap * stride_]);
    if (n_) std::memcpy(q.get(), p_.get(), n_ * stride_);
    p_ = std::move(q);
    cap_ = cap;
  }
  std::unique_ptr<std::uint8_t[]> p_;
  std::size_t n_ = 0, cap_ = 0, stride_ = 0;
};

// A hint to load the cache line at p. GCC 12 drops __builtin_prefetch on these addresses
// (computed through the 128-bit multiply of FpSet's home slot): this file held no prefetch
// instruction at all, and every table lookup waited for memory (a quarter of a search's time
// in perf). The asm form is always emitted.
inline void prefetch_line(const void* p) {
#if defined(__x86_64__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

// A zero-filled array for the fingerprint shards. A small one comes from calloc; from 64 KiB
// up, an anonymous mapping made with MAP_POPULATE, so every page is faulted in writable, and
// zero, at once. Left to fault lazily (as calloc's mappings were), a page of a new shard was
// first read by a lookup, which mapped the shared zero page, then written by an insert: a
// second fault whose copy-on-write flushed the other thread's TLB with an IPI (perf:
// FpSet::grow -> do_wp_page -> flush_tlb_mm_range -> x2apic_send_IPI, 3% of a two-thread
// search). Populated, `check --scenario reopen-connect` took 1.8 s of system time instead of
// 2.6 s, 380 MB max RSS instead of 450 MB (no freed arrays left in the heap), and 13.7 s
// instead of 14.1-14.9 s (docs/model.md, "Two threads"). Transparent huge pages were tried here
// too: one thread ran 6% faster with every array in huge pages, two threads no faster, and a
// small run's RSS grew by 250 MB (a 2 MiB page for each of 128 small arrays).
template <class T>
class ZeroArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  ZeroArray() = default;
  explicit ZeroArray(std::size_t n) : n_(n) {
    const std::size_t bytes = std::max<std::size_t>(n, 1) * sizeof(T);
    if (bytes < kMapFrom) {
      p_ = static_cast<T*>(std::calloc(n ? n : 1, sizeof(T)));
      if (!p_) throw std::bad_alloc();
      return;
    }
    void* m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    p_ = static_cast<T*>(m);
    map_bytes_ = bytes;
  }
  ZeroArray(ZeroArray&& o) noexcept { swap(o); }
  ZeroArray& operator=(ZeroArray&& o) noexcept { ZeroArray(std::move(o)).swap(*this); return *this; }
  ZeroArray(const ZeroArray&) = delete;
  ZeroArray& operator=(const ZeroArray&) = delete;
  ~ZeroArray() {
    if (map_bytes_) ::munmap(p_, map_bytes_);
    else std::free(p_);
  }
  void swap(ZeroArray& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    std::swap(map_bytes_, o.map_bytes_);
  }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  T& operator[](std::size_t i) { return p_[i]; }
  const T& operator[](std::size_t i) const { return p_[i]; }

 private:
  static constexpr std::size_t kMapFrom = std::size_t{64} << 10;
  T* p_ = nullptr;
  std::size_t n_ = 0;
  std::size_t map_bytes_ = 0;  // the mapping's length, when the array is one
};

// Open addressing (linear probing) over 64-bit fingerprints, split into shards by the top
// bits. A shard grows by half when it would pass 85% full, so it stays 57-85% full: 9.4 to
// 14.1 bytes a state, where doubling at 75% left it 37-75% full (10.7 to 21 bytes); past 2^22
// slots a shard it grows by a quarter (68-85% full, 9.4 to 11.8 bytes), so the largest runs
// still fit (next_size). Growing by a quarter throughout rehashed five times a shard's final
// size in all, against three by half, and the rehashing is memory-bound and does not scale
// on two threads: by half, explorer_bench ran 2-10% faster (side by side, medians of 5) and
// the default check's peak RSS fell from 534-566 MB to 451-469 MB. Any size works because
// the home slot scales the fingerprint's low bits to the size (Lemire's "fastrange"
// multiply-shift, instead of a power-of-two mask).
class FpSet {
 public:
  static constexpr unsigned kShardBits = 6;
  static constexpr std::size_t kShards = std::size_t{1} << kShardBits;
  static constexpr std::size_t kMaxLoadPercent = 85;

  explicit FpSet(bool with_ids = false) : with_ids_(with_ids) {
    for (Shard& s : shards_) {
      s.slots = ZeroArray<std::uint64_t>(1024);
      if (with_ids_) s.ids = ZeroArray<std::uint32_t>(1024);
    }
  }
  static std::size_t shard_of(std::uint64_t fp) { return static_cast<std::size_t>(fp >> (64 - kShardBits)); }

  bool contains(std::uint64_t fp) const { return lookup(fp) != kAbsent; }
  // Only the owner of the shard may call this.
  bool insert(std::uint64_t fp) {
    std::uint32_t slot;
    return insert_at(fp, slot);
  }
  static constexpr std::uint32_t kAbsent = 0xFFFFFFFF;
  // The state number of a fingerprint (0 without ids), or kAbsent if it is not stored.
  std::uint32_t lookup(std::uint64_t fp) const {
    const Shard& s = shards_[shard_of(fp)];
    const std::size_t n = s.slots.size();
    for (std::size_t i = home(fp, n);; i = i + 1 == n ? 0 : i + 1) {
      if (s.slots[i] == fp) return s.ids.empty() ? 0 : s.ids[i];
      if (s.slots[i] == 0) return kAbsent;
    }
  }
  // Only the owner of the shard may call these two. reserve() grows a shard at once so that
  // `extra` more inserts cannot grow it; then the slots insert_at() reports stay valid.
  void reserve(std::size_t shard, std::size_t extra) {
    Shard& s = shards_[shard];
    while (too_full(s, extra)) grow(s);
  }
  // Inserts fp if absent; returns whether it was absent, and its slot either way.
  bool insert_at(std::uint64_t fp, std::uint32_t& slot) {
    Shard& s = shards_[shard_of(fp)];
    if (too_full(s, 1)) grow(s);
    const std::size_t n = s.slots.size();
    for (std::size_t i = home(fp, n);; i = i + 1 == n ? 0 : i + 1) {
      if (s.slots[i] == fp) { slot = static_cast<std::uint32_t>(i); return false; }
      if (s.slots[i] == 0) {
        s.slots[i] = fp;
        slot = static_cast<std::uint32_t>(i);
        ++s.count;
        return true;
      }
    }
  }
  // With ids: the state number of a stored fingerprint, by the slot insert_at() reported.
  // Distinct slots may be given their ids concurrently (no insert may run meanwhile).
  void set_id_at(std::uint64_t fp, std::uint32_t slot, std::uint32_t id) { shards_[shard_of(fp)].ids[slot] = id; }
  std::uint32_t id_at(std::uint64_t fp, std::uint32_t slot) const { return shards_[shard_of(fp)].ids[slot]; }
  void prefetch_id_at(std::uint64_t fp, std::uint32_t slot) const { prefetch_line(&shards_[shard_of(fp)].ids[slot]); }
  std::uint32_t id_of(std::uint64_t fp) const { return lookup(fp); }
  void prefetch_id(std::uint64_t fp) const {
    const Shard& s = shards_[shard_of(fp)];
    const std::size_t i = home(fp, s.slots.size());
    prefetch_line(&s.slots[i]);
    prefetch_line(&s.ids[i]);
  }
  void prefetch(std::uint64_t fp) const {
    const Shard& s = shards_[shard_of(fp)];
    prefetch_line(&s.slots[home(fp, s.slots.size())]);
  }
  std::uint64_t bytes() const {
    std::uint64_t b = 0;
    for (const Shard& s : shards_) b += s.slots.size() * sizeof(std::uint64_t) + s.ids.size() * sizeof(std::uint32_t);
    return b;
  }
  // The bytes after `extra` more inserts spread evenly over the shards. The shards fill alike
  // and grow by half at about the same time, so the table's size is a step function of
  // its count: --max-memory must see the next step coming, not only the states so far.
  std::uint64_t bytes_after(std::uint64_t extra) const {
    const std::size_t slot = sizeof(std::uint64_t) + (with_ids_ ? sizeof(std::uint32_t) : 0);
    std::uint64_t b = 0;
    for (const Shard& s : shards_) {
      std::size_t n = s.slots.size();
      while ((s.count + extra / kShards + 1) * 100 > n * kMaxLoadPercent) n = next_size(n);
      b += n * slot;
    }
    return b;
  }

 private:
  struct Shard {
    ZeroArray<std::uint64_t> slots;
    ZeroArray<std::uint32_t> ids;  // parallel to slots, only with ids
    std::size_t count = 0;
  };
  static std::size_t home(std::uint64_t fp, std::size_t n) {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::size_t>((static_cast<u128>(fp << kShardBits) * n) >> 64);
  }
  // A shard's size after growing: by half while the table is small (up to 2^22 slots a shard,
  // 2^28 in all: 2-3 GiB), then by a quarter, so that the largest runs (bench/billion: 1.77 G
  // states in an 18.8 GB table) keep the tighter bytes per state that lets them fit here.
  static constexpr std::size_t kHalfGrowthBelow = std::size_t{1} << 22;
  static std::size_t next_size(std::size_t n) { return n + (n < kHalfGrowthBelow ? n / 2 : n / 4); }
  static bool too_full(const Shard& s, std::size_t extra) {
    return (s.count + extra) * 100 > s.slots.size() * kMaxLoadPercent;
  }
  void grow(Shard& s) {
    const std::size_t n = next_size(s.slots.size());
    Shard bigger;
    bigger.slots = ZeroArray<std::uint64_t>(n);
    if (with_ids_) bigger.ids = ZeroArray<std::uint32_t>(n);
    // The old slots are nearly in order of home, so the new ones are written nearly in order.
    for (std::size_t j = 0; j < s.slots.size(); ++j) {
      const std::uint64_t fp = s.slots[j];
      if (fp == 0) continue;
      std::size_t i = home(fp, n);
      while (bigger.slots[i] != 0) i = i + 1 == n ? 0 : i + 1;
      bigger.slots[i] = fp;
      if (with_ids_) bigger.ids[i] = s.ids[j];
    }
    s.slots.swap(bigger.slots);
    s.ids.swap(bigger.ids);
  }
  bool with_ids_;
  std::array<Shard, kShards> shards_;
};

// A state has at most this many moves (due timers, two applications with two ISN choices,
// a delivery with two ISN choices, a loss and a duplicate of each segment, the tick): so an
// ordinal fits in 6 bits and a degree in a byte.
inline constexpr std::size_t kMaxMoves = 2 * kTimerCount + 2 * 2 + kMaxPkts * (2 + 1 + 1) + 1;
static_assert(kMaxMoves <= 64);

// Parent records, 4 bytes a state, on disk (issue 16): the parent's index within the level
// before (its low 26 bits) and the ordinal of the move from it (6 bits), appended in state
// order to one file, so state `id`'s record is at 4 * id. Breadth-first, the parent of a state
// of level L is in level L - 1, whose first number is kept in memory. A level whose parent
// level is wider than 2^26 states also keeps the index's high bits, 2 bytes a state, in a
// second file from the level's offset, so a level may be up to 2^42 states wide. Only a
// counterexample's rebuild reads them back, a record a step. The tests narrow the low part
// (ExploreOptions::record_low_bits), so that levels of a few states take the wide path.
class Records {
 public:
  static constexpr unsigned kOrdinalBits = 6, kLowBits = 32 - kOrdinalBits;
  static constexpr std::uint64_t kNoHigh = std::numeric_limits<std::uint64_t>::max();
  Records(disk::File& rec, disk::File& high, unsigned low_bits)
      : low_bits_(low_bits == 0 || low_bits > kLowBits ? kLowBits : low_bits), rec_(rec, kBuffer), high_(high, kBuffer),
        first_{0}, high_at_{kNoHigh} {
    const std::uint32_t root = 0;  // the initial state, number 0, has no parent
    rec_.put(&root, sizeof root);
    n_ = 1;
  }
  std::uint64_t size() const { return n_; }
  std::uint64_t bytes() const { return n_ * sizeof(std::uint32_t) + high_n_ * sizeof(std::uint16_t); }
  std::uint64_t memory_bytes() const {
    return rec_.capacity_bytes() + high_.capacity_bytes() + (first_.capacity() + high_at_.capacity()) * 8;
  }
  // The widest level whose parents' indexes fit: low bits and 16 high bits.
  unsigned max_width_bits() const { return low_bits_ + 16; }
  std::uint64_t max_width() const { return std::uint64_t{1} << max_width_bits(); }
  // A new level begins at number size(); its parents are a level `parents` wide.
  void begin_level(std::uint64_t parents) {
    first_.push_back(n_);
    high_at_.push_back(parents > (std::uint64_t{1} << low_bits_) ? high_n_ : kNoHigh);
  }
  // A state's record: its parent's index within the level before (low bits) and the move.
  std::uint32_t low(std::uint64_t parent_index, std::uint8_t ordinal) const {
    return static_cast<std::uint32_t>((parent_index & ((std::uint64_t{1} << low_bits_) - 1)) << kOrdinalBits) | ordinal;
  }
  std::uint16_t high(std::uint64_t parent_index) const { return static_cast<std::uint16_t>(parent_index >> low_bits_); }
  // Does the level begun last keep its parents' high bits (high() of each state)?
  bool wide() const { return high_at_.back() != kNoHigh; }
  // The next n states of the level begun last: low() of each, and high() of each if wide().
  void put(const std::uint32_t* lows, const std::uint16_t* highs, std::size_t n) {
    rec_.put(lows, n * sizeof *lows);
    if (wide()) {
      high_.put(highs, n * sizeof *highs);
      high_n_ += n;
    }
    n_ += n;
  }
  bool flush() { return rec_.flush() && high_.flush(); }
  // State id's parent and move (flush() first). False on a read error (the work dir says which).
  bool get(std::uint64_t id, std::uint64_t& parent, std::uint8_t& move) const {
    const std::size_t level = static_cast<std::size_t>(std::upper_bound(first_.begin(), first_.end(), id) - first_.begin()) - 1;
    std::uint32_t r = 0;
    if (!rec_.file().read(id * sizeof r, &r, sizeof r)) return false;
    move = static_cast<std::uint8_t>(r & ((1u << kOrdinalBits) - 1));
    std::uint64_t index = r >> kOrdinalBits;
    if (high_at_[level] != kNoHigh) {
      std::uint16_t h = 0;
      if (!high_.file().read((high_at_[level] + (id - first_[level])) * sizeof h, &h, sizeof h)) return false;
      index |= std::uint64_t{h} << low_bits_;
    }
    parent = first_[level - 1] + index;
    return true;
  }
  // The moves from the initial state to state id, in order; false on a read error.
  bool path_to(std::uint64_t id, std::vector<std::uint8_t>& path) {
    if (!flush()) return false;
    for (std::uint64_t parent = 0; id != 0; id = parent) {
      std::uint8_t move = 0;
      if (!get(id, parent, move)) return false;
      path.push_back(move);
    }
    std::reverse(path.begin(), path.end());
    return true;
  }

 private:
  static constexpr std::size_t kBuffer = std::size_t{1} << 18;
  unsigned low_bits_;
  disk::Appender rec_, high_;
  std::uint64_t n_ = 0, high_n_ = 0;
  std::vector<std::uint64_t> first_;    // the first number of each level
  std::vector<std::uint64_t> high_at_;  // per level: where its high bits start in the second file, or kNoHigh
};

struct Cand {
  std::uint64_t fp;
  std::uint32_t frontier;  // index of the parent in the current level (its low 32 bits)
  std::uint8_t ordinal;
  std::uint8_t is_new;
  std::uint16_t frontier_high;  // the index's bits above 32: a level may be wider than 2^32
  std::uint64_t parent() const { return std::uint64_t{frontier_high} << 32 | frontier; }
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

struct Edge {  // liveness: a transition from a frontier state to a candidate of its chunk
  std::uint32_t frontier;
  std::uint32_t cand;
};
struct LEdge {  // liveness: a transition by state numbers (src local to the level)
  std::uint32_t src, dst;
};

struct alignas(64) Chunk {  // its counters change per transition: no line shared with the next chunk
  std::vector<Cand> cands;
  std::vector<std::uint32_t> slot;  // liveness: each candidate's slot in the fingerprint table
  std::vector<Edge> edges;   // to states not seen before this level
  std::vector<LEdge> known;  // to states of earlier levels
  PackedBuf states;  // parallel to cands, packed; the new ones among them are the next frontier
  // With several threads: the kept candidates by the thread that owns their shard (in order),
  // and how many go to each shard. So each inserter reads only its own candidates: when every
  // inserter scanned all of them, two threads inserted no faster than one (half-close: 0.46 s
  // against 0.47 s a search, a sixth of the search's time with two threads).
  std::vector<std::vector<std::uint32_t>> by_owner;
  std::array<std::uint32_t, FpSet::kShards> per_shard{};
  // The successors of the last two states expanded, built in place before the lookups decide
  // which to keep (and pack): some 40 kilobytes that stay in cache.
  std::unique_ptr<WorldState[]> scratch = std::make_unique<WorldState[]>(2 * kMaxMoves);
  // The fingerprints this chunk kept last, direct-mapped (0: none; a fingerprint is odd), with
  // where each was kept among the window's candidates. A candidate found here repeats one kept
  // earlier in this window, in frontier order, so the insertion would find it not new: it is
  // dropped before it is packed, and with liveness its edge goes to the one kept (the same
  // state, numbered once the level is). An entry from an earlier window is in the fingerprint
  // set by now, so the lookup drops its repeats first. With liveness this halved the packing
  // (1.87 packs a new state on half-close, 1.01 without liveness). 96 KiB a chunk, allocated
  // on first use.
  static constexpr std::size_t kRecent = std::size_t{1} << 13;
  struct Recent {
    std::uint64_t fp[kRecent];
    std::uint32_t keep[kRecent];
  };
  std::unique_ptr<Recent> recent;
  std::array<Found, kPropertyCount> found{};
  std::uint8_t guards = 0;
  bool reuse_sensitive = false;  // some expanded state has a move that SO_REUSEADDR decides
  std::uint64_t transitions = 0, terminals = 0, overflows = 0, pruned = 0, cut_off = 0;
};

// The limits and stops of a search, watched inside a level (issue 15): a level of millions of
// states took 11 s to notice Ctrl-C and grew 1.4 GB past --max-memory when they were looked at
// only between levels. Every kCheckEvery frontier states each worker adds its chunk's growth
// here and asks whether to stop; the level then ends early, its expanded part kept.
struct LevelGuard {
  static constexpr std::size_t kCheckEvery = 128;
  // Set before the level.
  const std::atomic<bool>* interrupt = nullptr;
  std::uint64_t state_room = 0;      // new states still allowed (0: no limit)
  std::uint64_t byte_room = 0;       // bytes still allowed outside the table (0: no limit)
  double unique_ratio = 1.0;         // new states per candidate, from the window before
  const FpSet* table = nullptr;      // the fingerprint table, with its growth to come
  // Shared by the workers.
  std::atomic<std::uint64_t> cands{0}, bytes{0};
  std::atomic<int> reason{0};        // 0 none, 1 interrupted, 2 --max-states, 3 --max-memory,
                                     // 4 a state outside the packed encoding's bounds
  // Progress inside the level: one thread at a time, at most every `every` seconds.
  std::function<void(std::uint64_t fresh, std::uint64_t bytes)> progress;
  std::function<double()> now;
  double every = 0, next = 0;
  std::mutex progress_m;
  bool stopped() const { return reason.load(std::memory_order_relaxed) != 0; }
  void maybe_progress(std::uint64_t c, std::uint64_t b) {
    if (!progress || !progress_m.try_lock()) return;
    const double t = now();
    if (t >= next) {
      next = t + every;
      progress(static_cast<std::uint64_t>(static_cast<double>(c) * unique_ratio), b);
    }
    progress_m.unlock();
  }
  // A chunk grew by `dc` candidates and `db` buffer bytes since its last report.
  void add(std::uint64_t dc, std::uint64_t db) {
    const std::uint64_t c = cands.fetch_add(dc, std::memory_order_relaxed) + dc;
    const std::uint64_t b = bytes.fetch_add(db, std::memory_order_relaxed) + db;
    const double fresh = static_cast<double>(c) * unique_ratio;
    int why = 0;
    if (interrupt && interrupt->load(std::memory_order_relaxed)) why = 1;
    else if (state_room && fresh >= static_cast<double>(state_room)) why = 2;
    // The table is costed with twice the new states so far and 2^16 more: the states found
    // before the next look (every kCheckEvery per chunk) are inserted even after a stop, and
    // must not be the ones that make the table grow past the limit.
    else if (byte_room && b + table->bytes_after(2 * static_cast<std::uint64_t>(fresh) + (std::uint64_t{1} << 16)) >= byte_room)
      why = 3;
    if (why) {
      int none = 0;
      reason.compare_exchange_strong(none, why);
    }
    maybe_progress(c, b);
  }
};

// The room a window has under the limits: the table is costed as it will be once the new
// states are in (FpSet::bytes_after), the rest as it is now plus the chunks' growth.
void set_up_guard(LevelGuard& g, const ExploreOptions& opt, const ExploreResult& res, std::uint64_t memory_now,
                  const FpSet& table, double unique_ratio) {
  g.interrupt = opt.interrupt;
  if (opt.max_states) g.state_room = opt.max_states > res.states ? opt.max_states - res.states : 1;
  const std::uint64_t other = memory_now - table.bytes();
  if (opt.max_memory) g.byte_room = opt.max_memory > other ? opt.max_memory - other : 1;
  g.table = &table;
  g.unique_ratio = unique_ratio;
}

// The bytes a chunk's buffers hold now, which the next window's width follows. Not their
// capacities: the buffers are kept across windows, so a window narrower than the widest before
// it looked expensive, the next one was made narrower still, and windows ratcheted down to
// 256-300 states (17,688 windows on half-close instead of 176).
std::uint64_t chunk_used_bytes(const Chunk& c) {
  return c.cands.size() * sizeof(Cand) + c.states.size() * c.states.stride() + c.edges.size() * sizeof(Edge) +
         c.known.size() * sizeof(LEdge) + c.slot.size() * 4;
}

// The bytes of a chunk's growing buffers.
std::uint64_t chunk_bytes(const Chunk& c) {
  std::uint64_t b = c.cands.capacity() * sizeof(Cand) + c.states.capacity_bytes() +
                    c.edges.capacity() * sizeof(Edge) + c.known.capacity() * sizeof(LEdge);
  for (const std::vector<std::uint32_t>& v : c.by_owner) b += v.capacity() * sizeof(std::uint32_t);
  return b;
}

// The worker threads of one search, started once: a level runs four parallel phases, and
// starting threads for each phase of each small level cost more than the work on short runs.
// run(n, f) calls f(i) for i < n on the caller and the workers, and returns when all are done.
class Pool {
 public:
  explicit Pool(unsigned threads) {
    for (unsigned k = 1; k < threads; ++k) workers_.emplace_back([this] { work(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  template <class F>
  void run(std::size_t n, F&& f) {
    if (workers_.empty() || n <= 1) {
      for (std::size_t i = 0; i < n; ++i) f(i);
      return;
    }
    std::function<void(std::size_t)> job(std::ref(f));
    {
      std::lock_guard<std::mutex> lock(m_);
      job_ = &job;
      n_ = n;
      next_.store(0);
      busy_ = workers_.size();
      ++generation_;
    }
    wake_.notify_all();
    drain(job, n);
    std::unique_lock<std::mutex> lock(m_);
    done_.wait(lock, [&] { return busy_ == 0; });
    job_ = nullptr;
  }

 private:
  void drain(const std::function<void(std::size_t)>& f, std::size_t n) {
    for (std::size_t i; (i = next_.fetch_add(1)) < n;) f(i);
  }
  void work() {
    std::uint64_t seen = 0;
    for (;;) {
      const std::function<void(std::size_t)>* job;
      std::size_t n;
      {
        std::unique_lock<std::mutex> lock(m_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        job = job_;
        n = n_;
      }
      drain(*job, n);
      {
        std::lock_guard<std::mutex> lock(m_);
        if (--busy_ == 0) done_.notify_one();
      }
    }
  }
  std::vector<std::thread> workers_;
  std::mutex m_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t n_ = 0, busy_ = 0;
  std::uint64_t generation_ = 0;
  std::atomic<std::size_t> next_{0};
  bool stop_ = false;
};

// The candidates [first, end) of frontier state idx, built at `built`, waiting for their lookups.
struct Pending {
  std::size_t idx = 0, first = 0, end = 0;
  const WorldState* built = nullptr;
  bool edges = false;  // liveness: record this state's edges
  const WorldState* parent = nullptr;           // state idx, unpacked
  const std::uint8_t* parent_packed = nullptr;  // and as the frontier holds it
};

// Drops the pending candidates seen in an earlier level (liveness: recording the edges to them
// by number) and moves the rest down to `keep`, packing each one; this chunk's repeats of a
// candidate it keeps already are dropped (liveness: their edges go to the one kept).
void keep_new(const Packer& packer, const FpSet& seen, const Pending& pd, Chunk& out, std::size_t& keep,
              LevelGuard& guard) {
  for (std::size_t i = pd.first; i < pd.end; ++i) {
    const std::uint64_t fp = out.cands[i].fp;
    const std::uint32_t id = seen.lookup(fp);
    if (id != FpSet::kAbsent) {
      if (pd.edges) out.known.push_back(LEdge{static_cast<std::uint32_t>(pd.idx), id});
      continue;
    }
    if (!out.recent) out.recent = std::make_unique<Chunk::Recent>();
    const std::size_t at = (fp >> 1) & (Chunk::kRecent - 1);
    if (out.recent->fp[at] == fp) {
      if (pd.edges) out.edges.push_back(Edge{static_cast<std::uint32_t>(pd.idx), out.recent->keep[at]});
      continue;
    }
    out.recent->fp[at] = fp;
    out.recent->keep[at] = static_cast<std::uint32_t>(keep);
    const std::size_t shard = FpSet::shard_of(fp);
    ++out.per_shard[shard];
    if (!out.by_owner.empty()) out.by_owner[shard % out.by_owner.size()].push_back(static_cast<std::uint32_t>(keep));
    if (pd.edges) out.edges.push_back(Edge{static_cast<std::uint32_t>(pd.idx), static_cast<std::uint32_t>(keep)});
    if (keep != i) out.cands[keep] = out.cands[i];
    if (!packer.pack_child(pd.built[i - pd.first], pd.parent->h, pd.parent_packed, out.states.push())) {
      int none = 0;
      guard.reason.compare_exchange_strong(none, 4);
    }
    ++keep;
  }
}

// A chunk's growth since its last report to the level's guard, reported every kCheckEvery
// states: stops() tells the guard and returns whether the level is to stop.
struct GuardReport {
  std::uint64_t cands, bytes;
  bool stops(const Chunk& out, LevelGuard& guard) {
    const std::uint64_t c = out.cands.size(), b = chunk_bytes(out);
    guard.add(c - cands, b > bytes ? b - bytes : 0);
    cands = c;
    bytes = std::max(bytes, b);
    return guard.stopped();
  }
};

// The properties in `bad` violated at `key` (a state and its move, or 0xFF: the state is terminal).
inline void offer_found(Chunk& out, std::uint32_t bad, std::uint64_t key, bool terminal) {
  if (bad)
    for (Property p : kAllProperties)
      if (bad & bit(p)) out.found[static_cast<std::size_t>(p)].offer(key, terminal);
}

// The part of the current level read from its file: states [first, first + n) of the level.
struct Window {
  const std::uint8_t* data = nullptr;
  std::size_t stride = 0;
  std::uint64_t first = 0;
  std::uint64_t level_start = 0;  // the number of the level's first state (for the visitor)
  const std::uint8_t* at(std::uint64_t idx) const { return data + (idx - first) * stride; }
};

void expand(const World& w, const ExploreOptions& opt, const Packer& packer, const FpSet& seen,
            const Window& cur, std::size_t lo, std::size_t hi, Chunk& out,
            std::uint8_t* settled_out, LevelGuard& guard) {
  // The successors of one state are built in the chunk's scratch, fingerprinted and their table
  // slots prefetched; their lookups wait until the next state's successors are built (two
  // scratch halves), so that each miss has a whole expansion to land. The ones not seen in
  // earlier levels are then packed. Candidates keep frontier order throughout.
  GuardReport report{out.cands.size(), chunk_bytes(out)};
  std::size_t keep = out.cands.size();
  Pending pending{lo, keep, keep, nullptr, false, nullptr, nullptr};
  const bool visiting = static_cast<bool>(opt.visit);
  WorldState states[2];  // the state expanded and the one whose candidates are pending
  for (std::size_t idx = lo; idx < hi; ++idx) {
    if ((idx - lo) % LevelGuard::kCheckEvery == 0 && idx != lo && report.stops(out, guard)) {
      // The rest of this chunk's slice is not expanded: its sources record no edges.
      if (settled_out) std::fill(settled_out + (idx - cur.first), settled_out + (hi - cur.first), std::uint8_t{0});
      break;
    }
    WorldState& s = states[(idx - lo) & 1];
    packer.unpack(cur.at(idx), s);
    const std::size_t first = out.cands.size();
    if (!out.reuse_sensitive) out.reuse_sensitive = reuse_sensitive(w, s);
    // Liveness needs no edge out of a settled state: it can reach a settled state already.
    const bool is_settled = settled_out && settled(w, s);
    bool record_edges = settled_out && !is_settled;
    bool next_settled = false;  // a successor is settled: so, in effect, is this state
    WorldState* const built = out.scratch.get() + ((idx - lo) & 1) * kMaxMoves;
    auto slot = [&]() -> WorldState& { return built[out.cands.size() - first]; };
    const std::uint8_t pruned = for_each_successor_into(w, s, slot, [&](std::uint8_t ordinal, const WorldState& n, const Transition& tr) {
      ++out.transitions;
      if (tr.overflow) ++out.overflows;
      if (visiting) opt.visit(Visit{cur.level_start + idx, ordinal, &s, &tr, &n});
      offer_found(out, check_transition(w, s, n, tr, out.guards) & opt.properties, (idx << 8) | ordinal, false);
      const std::uint64_t fp = fp_of(n);
      if (record_edges) {
        seen.prefetch_id(fp);
        if (settled(w, n)) { next_settled = true; record_edges = false; }
      } else {
        seen.prefetch(fp);
      }
      out.cands.push_back(Cand{fp, static_cast<std::uint32_t>(idx), ordinal, 0, static_cast<std::uint16_t>(idx >> 32)});  // n stays in its slot
    });
    const std::size_t made = out.cands.size() - first;
    // A state whose every move the --in-flight bound pruned is where the bounded environment
    // stops the run, not the protocol: like a terminal state with pruned moves, it is exempt.
    if (made == 0 && pruned) ++out.cut_off;
    if (settled_out) settled_out[idx - cur.first] = is_settled || next_settled || (made == 0 && pruned) ? 1 : 0;
    // Liveness edges: to a state of an earlier level, by its number now; to one first seen in
    // this level, by fingerprint, numbered once the level is.
    keep_new(packer, seen, pending, out, keep, guard);
    pending = Pending{idx, first, out.cands.size(), built, record_edges, &s, cur.at(idx)};
    out.pruned += pruned;
    if (made == 0 && pruned == 0) {
      ++out.terminals;
      offer_found(out, check_terminal(w, s) & opt.properties, (idx << 8) | 0xFF, true);
    }
  }
  keep_new(packer, seen, pending, out, keep, guard);
  out.cands.resize(keep);
}

struct Record {  // per property: where its shortest violation was found
  bool any = false;
  std::uint64_t parent_id = 0;  // the state the violating step leaves, or the terminal state
  std::uint8_t ordinal = 0;
  bool terminal = false;
};

Violation rebuild(const World& w, const FpSet& seen, Records& records, Property p, const Record& r) {
  Violation v;
  v.property = p;
  v.terminal = r.terminal;
  std::vector<std::uint8_t> path;
  if (!records.path_to(r.parent_id, path)) { v.replay_ok = false; return v; }  // the work dir says why
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

// The edges of one window of a level in compressed rows, on disk (issue 16): for each state of
// the window in order, its number of recorded edges (deg, a byte), then their targets one
// after another (dst, 4 bytes each), appended to the edge file at `offset`. Only this index
// stays in memory, some 32 bytes per window.
struct EdgeBlock {
  std::uint64_t first = 0;     // the number of the window's first state
  std::uint64_t offset = 0;    // where its bytes start in the edge file
  std::size_t width = 0, n = 0;  // states, edges
};
static_assert(kMaxMoves < 256, "an edge is recorded per move: a degree fits in a byte");

// Liveness: the states from which no settled state is reachable. A state can reach a settled
// state if it is one or if some successor can. Most edges lead to a later state (breadth-first
// numbering), so sweeping the states from the last to the first settles every forward chain
// in one pass; sweeps repeat until nothing changes (the back edges of cycles): 10 on
// reopen-connect, whose first sweep leaves 13 M of 24 M states undecided, its fifth 1.4 M, its
// eighth 1,444. Each sweep reads the edge file block by block from its end, so only one block is
// in memory, and skips a block whose states are all decided without reading it (a count per
// block); a decided state is skipped by its degree alone. Sweeping in alternate directions was
// tried: 9 and 11 sweeps instead of 10 and 10. No reversed graph is built. `reach` comes in as
// the settled flags and leaves as the doomed ones; false on a read error.
bool doomed_states(std::vector<std::uint8_t>& reach, const std::vector<EdgeBlock>& edges, const disk::File& file,
                   std::uint64_t& sweeps) {
  std::vector<std::uint8_t> buf;
  std::vector<std::size_t> undecided(edges.size());
  for (std::size_t b = 0; b < edges.size(); ++b)
    for (std::size_t i = 0; i < edges[b].width; ++i) undecided[b] += !reach[edges[b].first + i];
  for (bool changed = true; changed;) {
    changed = false;
    ++sweeps;
    for (std::size_t b = edges.size(); b-- > 0;) {
      if (undecided[b] == 0) continue;
      const EdgeBlock& blk = edges[b];
      buf.resize(blk.width + blk.n * sizeof(std::uint32_t));
      if (!file.read(blk.offset, buf.data(), buf.size())) return false;
      const std::uint8_t* deg = buf.data();
      const unsigned char* dst = buf.data() + blk.width;
      auto target = [&](std::size_t k) {
        std::uint32_t t;
        std::memcpy(&t, dst + k * sizeof t, sizeof t);
        return t;
      };
      std::size_t pos = blk.n;
      for (std::size_t i = blk.width; i-- > 0;) {
        const std::size_t d = deg[i];
        pos -= d;
        std::uint8_t& r = reach[blk.first + i];
        if (r) continue;
        for (std::size_t k = pos; k < pos + d; ++k)
          if (reach[target(k)]) { r = 1; changed = true; --undecided[b]; break; }
      }
    }
  }
  for (std::uint8_t& r : reach) r = !r;
  return true;
}

constexpr std::size_t kMaxLasso = 400;

// The shortest path to the first doomed state (the lowest number is the shallowest), then a
// walk among doomed states (all successors of a doomed state are doomed) until it closes a
// cycle, preferring a successor that closes one at once.
Violation rebuild_doomed(const World& w, const FpSet& seen, Records& records, const std::vector<std::uint8_t>& doomed,
                         std::uint32_t first) {
  Violation v;
  v.property = Property::BothClosed;
  v.doomed = true;
  std::vector<std::uint8_t> path;
  if (!records.path_to(first, path)) { v.replay_ok = false; return v; }  // the work dir says why
  WorldState s = initial_state(w);
  for (std::uint8_t ordinal : path) {
    TraceStep st;
    st.ordinal = ordinal;
    if (!successor(w, s, ordinal, st.after, st.tr) || !seen.contains(fp_of(st.after))) { v.replay_ok = false; return v; }
    s = st.after;
    v.trace.push_back(st);
  }
  v.doomed_at = v.trace.size();
  v.replay_ok = doomed[seen.id_of(fp_of(s))] != 0;
  std::vector<std::uint64_t> walk{fp_of(s)};
  for (std::size_t guard = 0; guard < kMaxLasso; ++guard) {
    TraceStep pick;
    bool have = false, closes = false;
    for_each_successor(w, s, [&](std::uint8_t ordinal, const WorldState& n, const Transition& tr) {
      if (closes) return;
      const bool back = std::find(walk.begin(), walk.end(), fp_of(n)) != walk.end();
      if (!have || back) { pick = TraceStep{ordinal, tr, n}; have = true; closes = back; }
    });
    if (!have) { v.replay_ok = false; return v; }  // a doomed state always has a successor
    const std::uint64_t fp = fp_of(pick.after);
    if (!seen.contains(fp) || !doomed[seen.id_of(fp)]) { v.replay_ok = false; return v; }
    v.trace.push_back(pick);
    s = pick.after;
    if (closes) {
      v.loop_from = v.doomed_at + static_cast<std::size_t>(std::find(walk.begin(), walk.end(), fp) - walk.begin());
      return v;
    }
    walk.push_back(fp);
  }
  // No cycle within the bound (e.g. a backoff that takes thousands of ticks to repeat): show
  // the doomed state alone; that it is doomed was checked above.
  v.trace.resize(v.doomed_at);
  v.loop_from = Violation::kNoLoop;
  return v;
}

// Why a search stopped when a state does not fit the packed frontier (packed.hpp).
constexpr const char* kOutOfBounds = "a state outside the packed frontier's bounds (docs/model.md)";
// LevelGuard's reasons, and one more: an I/O error in the work dir.
constexpr int kStopInterrupt = 1, kStopStates = 2, kStopMemory = 3, kStopBounds = 4, kStopDisk = 5, kStopNumbers = 6;
// Liveness numbers states in 32 bits (the table's ids, the edges' ends; FpSet::kAbsent is the
// last value): a search with it stops before a window could number a state past this.
constexpr std::uint64_t kMaxLiveStates = FpSet::kAbsent - 1;
constexpr const char* kTooManyToNumber =
    "more states than liveness can number in 32 bits (4294967294): --no-liveness searches on without it";
// The bytes a window's buffers (its packed states, candidates and edges) aim at: the window's
// width in frontier states follows the bytes per frontier state of the window before, 200-300
// on the default world (so about 2^13 states), some 2,500 with --in-flight 4 and larger
// budgets. A fixed 2^14 held 4.6 MiB more at its peak on active-close: 2.9 bytes a state of its
// 1.67 M, against a budget of 32; a fixed 2^13 held 21 MB on the larger world.
constexpr std::uint64_t kWindowBytes = std::uint64_t{4} << 20;
constexpr std::uint64_t kMinWindow = 256, kMaxWindow = std::uint64_t{1} << 16, kFirstWindow = std::uint64_t{1} << 12;
// A window is cut into this many chunks per thread (fewer when it is small), taken in turn:
// enough to even out chunks that cost more than others, few enough that each thread's chunk
// buffers (a 96 KiB repeat table and 40 KiB of scratch each) stay in its L2. At 16 a thread,
// a window's 32 chunks cycled 4.4 MiB through two 2 MiB L2s and two threads ran at 0.8x one
// on half-close; at 2 to 8, 1.4-1.6x (docs/model.md, "Two threads").
constexpr std::size_t kChunksPerThread = 4;

// The on-disk files of one search, in a private work dir (work_dir.hpp).
struct Files {
  std::array<std::unique_ptr<disk::File>, 2> front;  // the current level and the next, packed
  std::unique_ptr<disk::File> rec, high, edges, settled;
  explicit Files(disk::WorkDir& dir)
      : front{dir.open("frontier-a"), dir.open("frontier-b")}, rec(dir.open("records")),
        high(dir.open("records-high")), edges(dir.open("edges")), settled(dir.open("settled")) {
    dir.seal();
  }
};

// One search. A level is read from its file a window at a time; each window runs the three
// phases (expand, insert, number) and appends its new states to the next level's file and its
// parent records (and, with liveness, its edges) to theirs. Windows go in frontier order and a
// later window's lookups see the states an earlier one inserted, exactly as the insertion phase
// of one whole level would find them: counts, numbers and counterexamples do not depend on the
// window size, any more than on --threads.
class Search {
 public:
  Search(const World& w, const ExploreOptions& opt, disk::WorkDir& dir, Files& files)
      : w_(w), opt_(opt), dir_(dir), files_(files), threads_(std::max(1u, opt.threads)), pool_(threads_),
        live_(opt.liveness && (opt.properties & bit(Property::BothClosed))), seen_(live_), packer_(w),
        records_(*files.rec, *files.high, opt.record_low_bits),
        window_(opt.window_states ? opt.window_states : kFirstWindow) {}
  ExploreResult run();

 private:
  struct LevelEnd {
    int stop = 0;
    std::array<Found, kPropertyCount> found{};
  };
  LevelEnd level();
  bool record_found(const LevelEnd& end);
  bool limit_reached();
  std::uint64_t live_limit() const {
    return opt_.live_state_limit ? std::min(opt_.live_state_limit, kMaxLiveStates) : kMaxLiveStates;
  }
  ExploreResult finish();
  std::size_t expand_window(std::uint64_t lo, std::uint64_t n, LevelEnd& end);
  void insert(std::size_t nchunks);
  void number(std::size_t nchunks);
  void record_edges(std::size_t nchunks, std::uint64_t lo, std::uint64_t n);
  void check_liveness();
  std::uint64_t memory() const;
  const char* stop_reason(int stop) const;

  const World& w_;
  const ExploreOptions& opt_;
  disk::WorkDir& dir_;
  Files& files_;
  const unsigned threads_;
  Pool pool_;
  const bool live_;
  FpSet seen_;
  const Packer packer_;
  Records records_;
  unsigned cur_ = 0;      // which of files_.front holds the current level
  std::uint64_t window_;  // frontier states a window holds, at most
  std::vector<std::uint8_t> frame_;  // the window's packed states, read from the level's file
  // The window's new states' parent records, until appended.
  std::vector<std::uint32_t> stage_low_;
  std::vector<std::uint16_t> stage_high_;
  std::vector<Chunk> chunks_;
  std::vector<EdgeBlock> edge_index_;  // liveness: where each window's edges are in the file
  std::vector<std::uint8_t> deg_;      // liveness: the window's edges, until appended
  std::vector<std::uint32_t> dst_;
  std::vector<std::uint8_t> settled_flag_;  // liveness: per state of the window, then appended to files_.settled
  ExploreResult res_;
  std::array<Record, kPropertyCount> rec_{};
  std::uint64_t cur_n_ = 0, next_n_ = 0, level_start_ = 0;
  double unique_ratio_ = 1.0;  // new states per candidate in the last window (LevelGuard's estimate)
  double fresh_per_state_ = 1.0;  // new states per frontier state in the last window
  double last_progress_ = 0;
  Clock::time_point t0_ = Clock::now();
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }
};

std::uint64_t Search::memory() const {
  std::uint64_t b = seen_.bytes() + records_.memory_bytes() + frame_.capacity() +
                    settled_flag_.capacity() + deg_.capacity() + dst_.capacity() * sizeof(std::uint32_t) +
                    stage_low_.capacity() * sizeof(std::uint32_t) + stage_high_.capacity() * sizeof(std::uint16_t) +
                    edge_index_.capacity() * sizeof(EdgeBlock);
  for (const Chunk& c : chunks_) b += chunk_bytes(c) + c.slot.capacity() * 4;
  return b;
}

const char* Search::stop_reason(int stop) const {
  switch (stop) {
    case kStopInterrupt: return "interrupted";
    case kStopStates: return "--max-states reached";
    case kStopMemory: return kMaxMemoryReached;
    case kStopBounds: return kOutOfBounds;
    case kStopNumbers: return kTooManyToNumber;
    default: return dir_.error().c_str();
  }
}

// (1) expand the window's states, in chunks whose results are merged in frontier order.
std::size_t Search::expand_window(std::uint64_t lo, std::uint64_t n, LevelEnd& end) {
  const std::size_t stride = packer_.size();
  frame_.resize(n * stride);
  if (!files_.front[cur_]->read(lo * stride, frame_.data(), frame_.size())) { end.stop = kStopDisk; return 0; }
  const Window win{frame_.data(), stride, lo, level_start_};
  const std::size_t nchunks = threads_ == 1 ? 1 : std::min<std::size_t>(n / 64 + 1, threads_ * kChunksPerThread);
  if (chunks_.size() < nchunks) chunks_.resize(nchunks);
  for (std::size_t c = 0; c < nchunks; ++c) {  // buffers are kept across windows: no page churn
    Chunk& ch = chunks_[c];
    ch.cands.clear(); ch.states.clear(); ch.edges.clear(); ch.known.clear();
    ch.by_owner.resize(threads_ == 1 ? 0 : threads_);
    for (std::vector<std::uint32_t>& v : ch.by_owner) v.clear();
    ch.per_shard.fill(0);
    ch.states.set_stride(stride);
    ch.found = {}; ch.guards = 0; ch.reuse_sensitive = false;
    ch.transitions = ch.terminals = ch.overflows = ch.pruned = ch.cut_off = 0;
  }
  const std::uint64_t memory_now = memory();
  LevelGuard guard;
  set_up_guard(guard, opt_, res_, memory_now, seen_, unique_ratio_);
  if (opt_.progress) {
    guard.every = std::max(opt_.progress_seconds, 0.5);
    guard.next = last_progress_ + guard.every;
    guard.now = [this] { return elapsed(); };
    guard.progress = [&](std::uint64_t fresh, std::uint64_t bytes) {
      last_progress_ = elapsed();
      opt_.progress(Progress{res_.states + fresh, res_.transitions, cur_n_, res_.depth, memory_now + bytes, last_progress_});
    };
  }
  if (live_) settled_flag_.resize(n);
  std::uint8_t* const settled = live_ ? settled_flag_.data() : nullptr;
  pool_.run(nchunks, [&](std::size_t c) {
    expand(w_, opt_, packer_, seen_, win, lo + n * c / nchunks, lo + n * (c + 1) / nchunks, chunks_[c], settled, guard);
  });
  end.stop = guard.reason.load();
  for (std::size_t c = 0; c < nchunks; ++c) {
    const Chunk& ch = chunks_[c];
    res_.transitions += ch.transitions;
    res_.terminal_states += ch.terminals;
    res_.overflows += ch.overflows;
    res_.pruned += ch.pruned;
    res_.cut_off += ch.cut_off;
    res_.guards |= ch.guards;
    res_.reuse_sensitive = res_.reuse_sensitive || ch.reuse_sensitive;
    for (std::size_t p = 0; p < kPropertyCount; ++p)
      if (ch.found[p].any) end.found[p].offer(ch.found[p].key, ch.found[p].terminal);
  }
  res_.peak_bytes = std::max<std::uint64_t>(res_.peak_bytes, memory());
  return nchunks;
}

// (2) insert: each thread owns the shards congruent to it, scanning in order. With liveness,
// each owner first grows its shards for all their candidates, so that the slot each candidate
// lands in stays valid: numbering and edges then need no search.
void Search::insert(std::size_t nchunks) {
  const unsigned inserters = threads_;
  if (live_)
    for (std::size_t k = 0; k < nchunks; ++k) chunks_[k].slot.resize(chunks_[k].cands.size());
  constexpr std::size_t kAhead = 24;  // prefetch distance: overlap the table misses
  auto insert_one = [&](std::size_t k, std::size_t i) {
    Cand& c = chunks_[k].cands[i];
    if (live_) c.is_new = seen_.insert_at(c.fp, chunks_[k].slot[i]) ? 1 : 0;
    else c.is_new = seen_.insert(c.fp) ? 1 : 0;
  };
  auto reserve = [&](std::size_t t) {  // grow t's shards for all their candidates at once
    if (!live_) return;
    for (std::size_t sh = t; sh < FpSet::kShards; sh += inserters) {
      std::size_t incoming = 0;
      for (std::size_t k = 0; k < nchunks; ++k) incoming += chunks_[k].per_shard[sh];
      seen_.reserve(sh, incoming);
    }
  };
  if (inserters == 1) {
    reserve(0);
    for (std::size_t k = 0; k < nchunks; ++k) {
      const std::vector<Cand>& cs = chunks_[k].cands;
      for (std::size_t i = 0; i < cs.size(); ++i) {
        if (i + kAhead < cs.size()) seen_.prefetch(cs[i + kAhead].fp);
        insert_one(k, i);
      }
    }
    return;
  }
  pool_.run(inserters, [&](std::size_t t) {
    reserve(t);
    for (std::size_t k = 0; k < nchunks; ++k) {
      const std::vector<std::uint32_t>& mine = chunks_[k].by_owner[t];
      const std::vector<Cand>& cs = chunks_[k].cands;
      for (std::size_t j = 0; j < mine.size(); ++j) {
        if (j + kAhead < mine.size()) seen_.prefetch(cs[mine[j + kAhead]].fp);
        insert_one(k, mine[j]);
      }
    }
  });
}

// (3) number the new states in frontier order: their parent records and packed states go to
// the files in that order; with liveness, each new state's number goes into the table and
// replaces its candidate's frontier index, which its edges read below. In parallel, each chunk
// writes its records at its offset in the window's staging buffer and moves its new packed
// states to the front of its buffer; then the buffers are appended in order. Done by one
// thread, numbering was a thirteenth of a two-thread search (half-close).
void Search::number(std::size_t nchunks) {
  const std::uint64_t base = records_.size();
  std::vector<std::uint64_t> offset(nchunks + 1, 0);
  std::uint64_t cands = 0;
  for (std::size_t k = 0; k < nchunks; ++k) {
    std::uint64_t fresh = 0;
    for (const Cand& c : chunks_[k].cands) fresh += c.is_new;
    cands += chunks_[k].cands.size();
    offset[k + 1] = offset[k] + fresh;
  }
  const std::uint64_t fresh = offset[nchunks];
  const std::size_t stride = packer_.size();
  const bool wide = records_.wide();
  stage_low_.resize(fresh);
  stage_high_.resize(wide ? fresh : 0);
  // The new packed states go to the next level's file from each chunk, at its offset: no copy
  // through one buffer on one thread (0.6 s of reopen-connect's 13 s was such serial appends).
  // Past the work dir's limit nothing is written, and the level stops on the directory's error.
  disk::File& next = *files_.front[cur_ ^ 1];
  std::uint64_t file_at = 0;
  const bool room = next.extend(fresh * stride, file_at);
  pool_.run(nchunks, [&](std::size_t k) {
    Chunk& ch = chunks_[k];
    std::uint64_t at = offset[k];
    for (std::size_t i = 0; i < ch.cands.size(); ++i) {
      Cand& c = ch.cands[i];
      if (!c.is_new) continue;
      stage_low_[at] = records_.low(c.parent(), c.ordinal);
      if (wide) stage_high_[at] = records_.high(c.parent());
      if (const std::uint64_t j = at - offset[k]; j != i) std::memcpy(ch.states.at(j), ch.states.at(i), stride);
      if (live_) {  // liveness numbers states in 32 bits (its table is 4 bytes a state)
        seen_.set_id_at(c.fp, ch.slot[i], static_cast<std::uint32_t>(base + at));
        c.frontier = static_cast<std::uint32_t>(base + at);
      }
      ++at;
    }
    if (room && at != offset[k]) next.write_at(file_at + offset[k] * stride, ch.states.at(0), (at - offset[k]) * stride);
  });
  records_.put(stage_low_.data(), stage_high_.data(), fresh);
  next_n_ += fresh;
  if (cands) unique_ratio_ = static_cast<double>(fresh) / static_cast<double>(cands);
}

// Liveness: every successor of the window now has a number: its edges by number, appended.
void Search::record_edges(std::size_t nchunks, std::uint64_t lo, std::uint64_t n) {
  std::vector<std::size_t> eoff(nchunks + 1, 0);
  for (std::size_t k = 0; k < nchunks; ++k) eoff[k + 1] = eoff[k] + chunks_[k].edges.size() + chunks_[k].known.size();
  deg_.resize(n);
  dst_.resize(eoff[nchunks]);
  pool_.run(nchunks, [&](std::size_t k) {
    // The chunk's sources are [from, to) of the level; its edges to earlier states (known)
    // and to this window's candidates (edges) are each in order of source: merge them.
    const std::uint64_t from = lo + n * k / nchunks, to = lo + n * (k + 1) / nchunks;
    const Chunk& ch = chunks_[k];
    const std::vector<LEdge>& kn = ch.known;
    const std::vector<Edge>& es = ch.edges;
    // A candidate seen twice in this window has the number of its first occurrence, in the
    // table: prefetch those ahead to overlap the misses.
    constexpr std::size_t kAhead = 16;
    auto prefetch = [&](std::size_t i) {
      if (i < es.size() && !ch.cands[es[i].cand].is_new) seen_.prefetch_id_at(ch.cands[es[i].cand].fp, ch.slot[es[i].cand]);
    };
    for (std::size_t i = 0; i < kAhead; ++i) prefetch(i);
    std::uint32_t* out = dst_.data() + eoff[k];
    std::size_t a = 0, e = 0;
    for (std::uint64_t src = from; src < to; ++src) {
      std::size_t d = 0;
      for (; a < kn.size() && kn[a].src == src; ++a, ++d) *out++ = kn[a].dst;
      for (; e < es.size() && es[e].frontier == src; ++e, ++d) {
        prefetch(e + kAhead);
        const Cand& c = ch.cands[es[e].cand];
        *out++ = c.is_new ? c.frontier : seen_.id_at(c.fp, ch.slot[es[e].cand]);
      }
      deg_[src - lo] = static_cast<std::uint8_t>(d);
    }
  });
  edge_index_.push_back(EdgeBlock{level_start_ + lo, files_.edges->size(), n, dst_.size()});
  files_.edges->append(deg_.data(), deg_.size());
  files_.edges->append(dst_.data(), dst_.size() * sizeof(std::uint32_t));
}

// One level, a window at a time; the next level's file is complete when it returns.
Search::LevelEnd Search::level() {
  LevelEnd end;
  records_.begin_level(cur_n_);
  next_n_ = 0;
  for (std::uint64_t lo = 0, n = 0; lo < cur_n_ && end.stop == 0; lo += n) {  // window_ changes as it goes
    n = std::min(window_, cur_n_ - lo);
    // The limits before each window too: a window of large states has chunks shorter than
    // LevelGuard's interval, whose looks would then never come.
    if (lo != 0) {
      const auto fresh = static_cast<std::uint64_t>(static_cast<double>(n) * fresh_per_state_);
      if (opt_.interrupt && opt_.interrupt->load()) end.stop = kStopInterrupt;
      else if (opt_.max_states && res_.states >= opt_.max_states) end.stop = kStopStates;

      else if (opt_.max_memory &&
               memory() - seen_.bytes() + seen_.bytes_after(2 * fresh + (std::uint64_t{1} << 16)) >= opt_.max_memory)
        end.stop = kStopMemory;
      if (end.stop != 0) break;
    }
    // A window of n states makes at most n * kMaxMoves new ones: stop before liveness would
    // number one past 32 bits, where an id would wrap and the verdict be wrong.
    if (live_ && records_.size() + n * kMaxMoves > live_limit()) {
      end.stop = kStopNumbers;
      break;
    }
    const std::uint64_t before = records_.size();
    const std::size_t nchunks = expand_window(lo, n, end);
    if (nchunks == 0) break;  // the window could not be read
    insert(nchunks);
    number(nchunks);
    if (live_ && end.stop == 0) {
      record_edges(nchunks, lo, n);
      files_.settled->append(settled_flag_.data(), n);
    }
    fresh_per_state_ = static_cast<double>(records_.size() - before) / static_cast<double>(n);
    if (!opt_.window_states) {  // the next window's width, by this one's bytes per state
      std::uint64_t bytes = 0;
      for (std::size_t k = 0; k < nchunks; ++k) bytes += chunk_used_bytes(chunks_[k]);
      window_ = std::clamp<std::uint64_t>(kWindowBytes * n / std::max<std::uint64_t>(bytes, 1), kMinWindow, kMaxWindow);
    }
    res_.states = records_.size();
    if (!dir_.ok() && end.stop == 0) end.stop = kStopDisk;
  }
  if (!dir_.ok() && end.stop == 0) end.stop = kStopDisk;
  return end;
}

ExploreResult Search::run() {
  const WorldState start = initial_state(w_);
  seen_.insert(fp_of(start));
  std::vector<std::uint8_t> initial(packer_.size());
  if (packer_.pack(start, initial.data()) && files_.front[0]->append(initial.data(), initial.size())) cur_n_ = 1;
  while (cur_n_ != 0) {
    const LevelEnd end = level();
    const bool all_violated = record_found(end);
    level_start_ += cur_n_;
    cur_n_ = next_n_;
    if (!files_.front[cur_]->clear() && end.stop == 0) cur_n_ = 0;  // reported below
    cur_ ^= 1;
    if (cur_n_ != 0) ++res_.depth;
    const double now = elapsed();
    if (opt_.progress && now - last_progress_ >= opt_.progress_seconds) {
      last_progress_ = now;
      opt_.progress(Progress{res_.states, res_.transitions, cur_n_, res_.depth, memory(), now});
    }
    if (all_violated && cur_n_ != 0) { res_.stopped_at_violation = true; break; }
    if (end.stop != 0 || !dir_.ok()) {  // the level ended early: its expanded part is in, the rest is not
      res_.incomplete_reason = stop_reason(end.stop != 0 ? end.stop : kStopDisk);
      break;
    }
    if (cur_n_ != 0 && limit_reached()) break;
  }
  return finish();
}

// The shortest violation of each property found in the level just done, kept if none was
// before; true when every property asked for is violated (nothing more can change the verdict).
bool Search::record_found(const LevelEnd& end) {
  std::uint32_t violated_so_far = 0;
  for (std::size_t p = 0; p < kPropertyCount; ++p) {
    const Found& f = end.found[p];
    if (f.any && !rec_[p].any)
      rec_[p] = Record{true, level_start_ + (f.key >> 8), static_cast<std::uint8_t>(f.key & 0xFF), f.terminal};
    if (rec_[p].any) violated_so_far |= 1u << p;
  }
  return opt_.properties != 0 && violated_so_far == opt_.properties;
}

// The limits looked at between levels; true (with the reason set) when one is reached.
bool Search::limit_reached() {
  if (opt_.interrupt && opt_.interrupt->load()) res_.incomplete_reason = "interrupted";
  else if (opt_.max_states && res_.states >= opt_.max_states) res_.incomplete_reason = "--max-states reached";
  else if (opt_.max_memory && memory() >= opt_.max_memory) res_.incomplete_reason = "--max-memory reached";
  else if (cur_n_ >= records_.max_width()) res_.incomplete_reason = "a level wider than 2^" + std::to_string(records_.max_width_bits()) + " states";
  return !res_.incomplete_reason.empty();
}

// After the last level: liveness, the counterexamples rebuilt, the outcome.
ExploreResult Search::finish() {
  if (res_.states == 0) {  // the initial state itself is outside the packed encoding's bounds
    res_.states = 1;
    res_.incomplete_reason = dir_.ok() ? kOutOfBounds : dir_.error();
  }
  if (live_ && res_.incomplete_reason.empty() && !res_.stopped_at_violation) check_liveness();
  res_.table_bytes = seen_.bytes();
  res_.record_bytes = records_.bytes();
  for (Property p : kAllProperties) {
    const Record& r = rec_[static_cast<std::size_t>(p)];
    if (!r.any) continue;
    res_.violated |= bit(p);
    res_.violations.push_back(rebuild(w_, seen_, records_, p, r));
  }
  if (!dir_.ok() && res_.incomplete_reason.empty()) res_.incomplete_reason = dir_.error();  // a rebuild could not read
  std::stable_sort(res_.violations.begin(), res_.violations.end(),
                   [](const Violation& x, const Violation& y) { return x.property < y.property; });
  res_.outcome = res_.violated ? Outcome::Violated
                 : !res_.incomplete_reason.empty() ? Outcome::Incomplete : Outcome::Holds;
  res_.disk_bytes = dir_.peak_bytes();
  res_.seconds = elapsed();
  return std::move(res_);
}

// The liveness half of both-closed, after a complete search: sweep the edges on disk.
void Search::check_liveness() {
  res_.edge_bytes = files_.edges->size();
  std::vector<Chunk>().swap(chunks_);  // the window buffers are not needed any more
  std::vector<std::uint8_t>().swap(frame_);
  std::vector<std::uint8_t>().swap(deg_);
  std::vector<std::uint32_t>().swap(dst_);
  std::vector<std::uint8_t>().swap(settled_flag_);
  // Whether each state is settled, 1 byte a state: the only per-state array of the sweep.
  std::vector<std::uint8_t> doomed(records_.size());
  if (files_.settled->size() != doomed.size() || !files_.settled->read(0, doomed.data(), doomed.size())) {
    res_.incomplete_reason = dir_.ok() ? "the liveness flags on disk do not cover every state" : dir_.error();
    return;
  }
  std::size_t block = 0;
  for (const EdgeBlock& b : edge_index_) block = std::max<std::size_t>(block, b.width + 4 * b.n);
  res_.peak_bytes = std::max<std::uint64_t>(res_.peak_bytes, memory() + doomed.capacity() + block);
  const double start = elapsed();
  const bool read = doomed_states(doomed, edge_index_, *files_.edges, res_.liveness_sweeps);
  res_.liveness_seconds = elapsed() - start;
  if (!read) {
    res_.incomplete_reason = dir_.error();
    return;
  }
  res_.liveness_checked = true;
  std::uint32_t first = 0;
  bool any = false;
  for (std::size_t i = 0; i < doomed.size(); ++i)
    if (doomed[i]) {
      if (!any) first = static_cast<std::uint32_t>(i);
      any = true;
      ++res_.doomed_states;
    }
  // A doomed terminal state is already a both-closed violation, and a shorter one.
  if (any && !rec_[static_cast<std::size_t>(Property::BothClosed)].any) {
    res_.violated |= bit(Property::BothClosed);
    res_.violations.push_back(rebuild_doomed(w_, seen_, records_, doomed, first));
  }
}

}  // namespace

ExploreResult explore(const World& w, const ExploreOptions& opt) {
  disk::WorkDir dir(opt.work_dir, opt.disk_limit);
  if (!dir.ok()) {
    ExploreResult res;
    res.outcome = Outcome::Incomplete;
    res.incomplete_reason = dir.error();
    return res;
  }
  Files files(dir);
  if (!dir.ok()) {
    ExploreResult res;
    res.outcome = Outcome::Incomplete;
    res.incomplete_reason = dir.error();
    return res;
  }
  Search search(w, opt, dir, files);
  return search.run();
}

bool decides_too(const World& searched, const ExploreResult& r, const World& w) {
  return r.incomplete_reason.empty() && !r.reuse_sensitive && same_but_reuse(searched, w);
}

std::uint8_t missing_guards(Scenario s, const ExploreResult& r) {
  if (!r.incomplete_reason.empty() || r.stopped_at_violation) return 0;
  return static_cast<std::uint8_t>(required_guards(s) & ~r.guards);
}

}  // namespace tcpclose::model
