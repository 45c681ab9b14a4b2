// core.allocation_free: replaces the global operator new with a counting one, drives a
// million random steps through every profile, and asserts that nothing was allocated.
// Rule: the counter is itself tested first (one deliberate allocation must be counted).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include <tcpclose/core.hpp>

namespace {
std::atomic<long> g_allocations{0};
}

// Replacing the global operator new with malloc makes g++ 12 see free() on "new" memory.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace tcpclose;

struct Rng {  // xorshift64*: deterministic, no <random> (which may allocate in some libraries)
  std::uint64_t s;
  std::uint32_t next() {
    s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
    return static_cast<std::uint32_t>((s * 2685821657736338717ull) >> 32);
  }
  std::uint32_t below(std::uint32_t n) { return next() % n; }
};

// A random input near the TCB: a class from the table with its numbers perturbed.
Input random_input(Rng& r, const Tcb& t, std::uint32_t now) {
  static constexpr auto all = classes::all_classes();
  Input in = classes::make_input(all[r.below(static_cast<std::uint32_t>(all.size()))], t);
  in.now = now;
  if (in.kind == InputKind::Segment) {
    if (r.below(4) == 0) in.seg.seq += r.next() % 3 - 1;
    if (r.below(4) == 0) in.seg.ack += r.next() % 3 - 1;
    if (r.below(8) == 0) in.seg.seq = r.next();
    if (r.below(8) == 0) in.seg.len = r.below(2000);
    if (r.below(8) == 0) in.seg.flags = static_cast<std::uint8_t>(r.below(32));
  } else if (in.kind == InputKind::Timeout && r.below(2) == 0) {
    in.now = now;  // possibly early: must be refused, never crash
  }
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  const long steps = argc > 1 ? std::atol(argv[1]) : 1000000;

  // The counter works: one deliberate allocation is seen.
  const long before = g_allocations.load();
  int* probe = new int(7);
  const long seen = g_allocations.load() - before;
  delete probe;
  if (seen != 1) {
    std::printf("FAIL: the counting operator new saw %ld allocations for one new\n", seen);
    return 1;
  }

  Rng rng{0x9E3779B97F4A7C15ull};
  const long start = g_allocations.load();
  std::uint64_t checksum = 0;
  Tcb t{};
  Config c = reference_config();
  std::uint32_t now = 0;
  for (long i = 0; i < steps; ++i) {
    if (i % 64 == 0) {  // a fresh walk: random profile, mutant and state
      c = profile_config(kAllProfiles[rng.below(kProfileCount)]);
      c.mutant = kAllMutants[rng.below(kMutantCount)];
      t = classes::canonical_tcb(kAllStates[rng.below(kStateCount)], c);
      now = 0;
    }
    now += rng.below(3) == 0 ? rng.below(c.rto + 1) : 0;
    const Output o = step(t, random_input(rng, t, now), c);
    checksum += static_cast<std::uint64_t>(o.tcb.state) + o.actions.size;
    t = o.tcb;
  }
  const long allocations = g_allocations.load() - start;
  std::printf("%ld random steps, %ld allocations (checksum %llu)\n", steps, allocations,
              static_cast<unsigned long long>(checksum));
  if (allocations != 0) {
    std::printf("FAIL: step() allocated\n");
    return 1;
  }
  std::printf("1 passed, 0 failed\n");
  return 0;
}
