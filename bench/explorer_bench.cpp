// explorer_bench: the model checker's throughput and memory. items_per_second is new states
// per second; counters report bytes per stored state (fingerprint table + parent records)
// and the thread count. Compare threads=1 and threads=2 for the parallel speedup.
#include <benchmark/benchmark.h>

#include <tcpclose/model/explorer.hpp>

namespace {

using namespace tcpclose;
using namespace tcpclose::model;

void BM_Explore(benchmark::State& state) {
  const auto scenario = static_cast<Scenario>(state.range(0));
  const unsigned threads = static_cast<unsigned>(state.range(1));
  const World w = make_world(scenario, model_config(Profile::Reference));
  ExploreOptions opt;
  opt.threads = threads;
  ExploreResult last;
  std::uint64_t states = 0;
  for (auto _ : state) {
    last = explore(w, opt);
    states += last.states;
    benchmark::DoNotOptimize(last.states);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(states));
  state.counters["states"] = static_cast<double>(last.states);
  state.counters["bytes_per_state"] = last.bytes_per_state();
  state.counters["peak_MiB"] = static_cast<double>(last.peak_bytes) / (1 << 20);
  state.counters["threads"] = threads;
  state.SetLabel(name(scenario));
}
BENCHMARK(BM_Explore)
    ->Args({static_cast<int>(Scenario::ActiveClose), 1})
    ->Args({static_cast<int>(Scenario::ActiveClose), 2})
    ->Args({static_cast<int>(Scenario::HalfClose), 1})
    ->Args({static_cast<int>(Scenario::HalfClose), 2})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// The largest default configuration: reopen-syn, K = 2, 21 M states.
void BM_ExploreLargest(benchmark::State& state) {
  World w = make_world(Scenario::ReopenSyn, model_config(Profile::Reference));
  ExploreOptions opt;
  opt.threads = static_cast<unsigned>(state.range(0));
  ExploreResult last;
  for (auto _ : state) last = explore(w, opt);
  state.SetItemsProcessed(static_cast<std::int64_t>(last.states) * state.iterations());
  state.counters["states"] = static_cast<double>(last.states);
  state.counters["bytes_per_state"] = last.bytes_per_state();
  state.counters["peak_MiB"] = static_cast<double>(last.peak_bytes) / (1 << 20);
}
BENCHMARK(BM_ExploreLargest)->Arg(2)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
