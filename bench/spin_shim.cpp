// spin_shim.cpp: the C interface of spin_shim.h over model::for_each_successor and the Packer.
// Rule: the world is built as `tcpclose check` builds it with its defaults (tools/lib/check.cpp,
// run_check), and bench/vs-spin asserts that pan and check count the same states on it.
#include "spin_shim.h"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include <tcpclose/model/packed.hpp>
#include <tcpclose/model/successors.hpp>

namespace {

using namespace tcpclose;
using namespace tcpclose::model;

// An ordinal is below this (due timers, two applications with two ISN choices, a delivery with
// two ISN choices, a loss and a duplicate of each segment, the tick), as in explorer.cpp.
constexpr int kMaxMoves = static_cast<int>(2 * kTimerCount + 2 * 2 + kMaxPkts * (2 + 1 + 1) + 1);
static_assert(kMaxMoves <= 64, "an ordinal set fits in a 64-bit mask");

// The successors of one state on pan's depth-first stack: the state's bytes, then its
// successors' packed bytes in ordinal order, in the arena from `at`.
struct Frame {
  long depth = 0;
  std::size_t at = 0;
  std::uint64_t ordinals = 0;  // bit k: a successor with ordinal k
};

struct Shim {
  World world;
  Packer packer;
  std::size_t size;
  std::vector<Frame> stack;           // increasing depth, one frame per depth at most
  std::vector<std::uint8_t> arena;    // the frames' bytes, last in first out
  const Frame* last = nullptr;        // the frame tcs_ordinals answered last
  std::vector<std::uint8_t> scratch;  // one packed successor
  unsigned long long expansions = 0, made = 0;
  explicit Shim(const World& w) : world(w), packer(w), size(packer.size()), scratch(size) {}
};

std::optional<Shim> g;

World check_world(Scenario s) {
  // `tcpclose check` with no options: the reference profile, no knob changed, and the World
  // defaults for the bounds (adversarial ISNs, 2 incarnations, loss 1, dup 1, delay 1,
  // in-flight 2, data 1, server first), which are check's option defaults (check.hpp).
  return make_world(s, model_config(Profile::Reference));
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "spin_shim: %s\n", what);
  std::abort();
}

Shim& shim() {
  if (!g) die("tcs_select was not called");
  return *g;
}

WorldState unpack(const Shim& m, const unsigned char* s) {
  WorldState w;
  m.packer.unpack(s, w);
  return w;
}

// Calls f(ordinal, packed successor) for each successor of s, in ordinal order.
template <class F>
void each(Shim& m, const unsigned char* s, F&& f) {
  const WorldState st = unpack(m, s);
  for_each_successor(m.world, st, [&](std::uint8_t ordinal, const WorldState& n, const Transition&) {
    if (ordinal >= kMaxMoves) die("an ordinal beyond kMaxMoves");
    // pack() leaves the bytes of unused segment slots as they were (the explorer never reads
    // them); as pan's state vector they must be canonical, so they start at zero.
    std::memset(m.scratch.data(), 0, m.size);
    // pack_child: the explorer's own packing of a successor (an unchanged host copies s's bytes)
    if (!m.packer.pack_child(n, st.h, s, m.scratch.data())) die("a successor outside the packed bounds (docs/model.md)");
    f(ordinal, m.scratch.data());
  });
}

// The frame for state s at `depth`: the one already computed, or a new one on top.
const Frame& frame_for(Shim& m, const unsigned char* s, long depth) {
  while (!m.stack.empty() && m.stack.back().depth > depth) m.stack.pop_back();
  if (!m.stack.empty() && m.stack.back().depth == depth) {
    if (std::memcmp(m.arena.data() + m.stack.back().at, s, m.size) == 0) return m.stack.back();
    m.stack.pop_back();
  }
  Frame f;
  f.depth = depth;
  f.at = m.stack.empty() ? 0 : m.stack.back().at + m.size * (1 + static_cast<std::size_t>(std::popcount(m.stack.back().ordinals)));
  m.arena.resize(f.at + m.size);
  std::memcpy(m.arena.data() + f.at, s, m.size);
  each(m, s, [&](std::uint8_t ordinal, const std::uint8_t* bytes) {
    f.ordinals |= std::uint64_t{1} << ordinal;
    m.arena.insert(m.arena.end(), bytes, bytes + m.size);
    ++m.made;
  });
  ++m.expansions;
  m.stack.push_back(f);
  return m.stack.back();
}

// With TCS_REPORT set, the counts of tcs_ordinals' work go to stderr at exit: bench/vs-spin's
// fairness check that pan computes each state's successors once (expansions == states stored).
void report() {
  if (g) std::fprintf(stderr, "spin_shim: %llu expansions, %llu successors\n", g->expansions, g->made);
}

int select(Scenario s) {
  g.emplace(check_world(s));
  static bool registered = false;
  if (!registered && std::getenv("TCS_REPORT")) registered = std::atexit(report) == 0;
  return 0;
}

}  // namespace

extern "C" {

int tcs_scenario_index(const char* scenario) {
  for (std::size_t i = 0; i < kScenarioCount; ++i)
    if (std::string_view(scenario) == name(kAllScenarios[i])) return static_cast<int>(i);
  return -1;
}

int tcs_select(const char* scenario) { return tcs_select_index(tcs_scenario_index(scenario)); }

int tcs_select_index(int index) {
  if (index < 0 || index >= static_cast<int>(kScenarioCount)) return -1;
  return select(kAllScenarios[static_cast<std::size_t>(index)]);
}

size_t tcs_packed_size(void) { return shim().size; }

int tcs_max_ordinal(void) { return kMaxMoves; }

int tcs_initial(unsigned char* out) {
  Shim& m = shim();
  std::memset(out, 0, m.size);
  return m.packer.pack(initial_state(m.world), out) ? 0 : -1;
}

int tcs_count(const unsigned char* s) {
  int n = 0;
  each(shim(), s, [&](std::uint8_t, const std::uint8_t*) { ++n; });
  return n;
}

int tcs_successor(const unsigned char* s, int k, unsigned char* out) {
  Shim& m = shim();
  int i = 0, found = -1;
  each(m, s, [&](std::uint8_t ordinal, const std::uint8_t* bytes) {
    if (i++ == k) { std::memcpy(out, bytes, m.size); found = ordinal; }
  });
  return found;
}

unsigned long long tcs_ordinals(const unsigned char* s, long depth) {
  Shim& m = shim();
  const Frame& f = frame_for(m, s, depth);
  m.last = &f;
  return f.ordinals;
}

void tcs_take(unsigned char* s, int ordinal) {
  Shim& m = shim();
  const Frame* f = m.last;
  if (!f || ordinal < 0 || ordinal >= kMaxMoves || std::memcmp(m.arena.data() + f->at, s, m.size) != 0 ||
      !((f->ordinals >> ordinal) & 1))
    die("tcs_take without a matching tcs_ordinals");
  const std::uint64_t below = f->ordinals & ((std::uint64_t{1} << ordinal) - 1);
  const std::size_t index = 1 + static_cast<std::size_t>(std::popcount(below));
  std::memcpy(s, m.arena.data() + f->at + index * m.size, m.size);
}

unsigned long long tcs_expansions(void) { return g ? g->expansions : 0; }
unsigned long long tcs_successors_made(void) { return g ? g->made : 0; }

}  // extern "C"
