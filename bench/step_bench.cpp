// step_bench: the cost of one step() over a mixed teardown workload (handshake, data, active
// and passive close, a lost last ACK with a retransmitted FIN re-ACKed from TIME-WAIT,
// TIME-WAIT expiry). items_per_second is steps per second.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <benchmark/benchmark.h>

#include <tcpclose/core.hpp>

namespace {

using namespace tcpclose;

struct Sample { Tcb tcb; Input in; };

// Records every (TCB, input) a two-endpoint exchange feeds to step().
struct Recorder {
  Config cfg;
  Tcb a{}, b{};
  std::vector<Segment> to_a, to_b;
  std::vector<Sample> samples;
  std::uint32_t now = 0;

  void on(Tcb& t, const Input& in, std::vector<Segment>& out) {
    samples.push_back({t, in});
    const Output o = step(t, in, cfg);
    t = o.tcb;
    if (const Segment* s = o.actions.sent()) out.push_back(*s);
  }
  void a_in(const Input& in) { on(a, in, to_b); }
  void b_in(const Input& in) { on(b, in, to_a); }
  // A delayed ACK (Config::delayed_ack: linux, freebsd) is not in the queue yet: the sender's
  // DelAck timer fires first and sends it. Any other empty queue is a workload bug.
  void flush(Tcb& from, std::vector<Segment>& q) {
    if (!q.empty()) return;
    if (!from.armed(Timer::DelAck)) { std::fputs("step_bench: nothing to deliver\n", stderr); std::abort(); }
    now = from.at(Timer::DelAck);
    on(from, Input::timeout(now, Timer::DelAck), q);
  }
  void deliver_to_b() { flush(a, to_b); const Segment s = to_b.front(); to_b.erase(to_b.begin()); b_in(Input::segment(now, s, 2000)); }
  void deliver_to_a() { flush(b, to_a); const Segment s = to_a.front(); to_a.erase(to_a.begin()); a_in(Input::segment(now, s, 1000)); }
};

std::vector<Sample> workload(const Config& cfg) {
  Recorder r;
  r.cfg = cfg;
  for (int round = 0; round < 4; ++round) {
    r.a = Tcb{}; r.b = Tcb{}; r.to_a.clear(); r.to_b.clear();
    r.b_in(Input::listen(r.now));
    r.a_in(Input::connect(r.now, 1000 + static_cast<std::uint32_t>(round) * 7919));
    r.deliver_to_b(); r.deliver_to_a(); r.deliver_to_b();           // handshake
    r.a_in(Input::send(r.now, 500)); r.deliver_to_b(); r.deliver_to_a();
    r.b_in(Input::receive(r.now, 1000));
    const bool a_first = round % 2 == 0;
    if (a_first) { r.a_in(Input::close(r.now)); r.deliver_to_b(); r.deliver_to_a(); r.b_in(Input::close(r.now)); r.deliver_to_a(); }
    else { r.b_in(Input::close(r.now)); r.deliver_to_a(); r.deliver_to_b(); r.a_in(Input::close(r.now)); r.deliver_to_b(); }
    // the last ACK is lost; the passive closer retransmits its FIN; TIME-WAIT re-ACKs it
    if (a_first) {
      r.to_b.clear(); r.now += cfg.rto; r.b_in(Input::timeout(r.now, Timer::Rexmit));
      r.deliver_to_a(); r.deliver_to_b();
      r.now = r.a.at(Timer::TimeWait); r.a_in(Input::timeout(r.now, Timer::TimeWait));
    } else {
      r.to_a.clear(); r.now += cfg.rto; r.a_in(Input::timeout(r.now, Timer::Rexmit));
      r.deliver_to_b(); r.deliver_to_a();
      r.now = r.b.at(Timer::TimeWait); r.b_in(Input::timeout(r.now, Timer::TimeWait));
    }
  }
  return r.samples;
}

void BM_StepMixed(benchmark::State& state) {
  const Config cfg = profile_config(kAllProfiles[static_cast<std::size_t>(state.range(0))]);
  const std::vector<Sample> w = workload(cfg);
  for (auto _ : state) {
    for (const Sample& s : w) {
      Output o = step(s.tcb, s.in, cfg);
      benchmark::DoNotOptimize(o);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.size()));
  state.SetLabel(name(kAllProfiles[static_cast<std::size_t>(state.range(0))]));
  state.counters["steps_per_round"] = static_cast<double>(w.size());
}
BENCHMARK(BM_StepMixed)->DenseRange(0, static_cast<int>(kProfileCount) - 1);

}  // namespace
