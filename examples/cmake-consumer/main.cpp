// A C++ consumer of the installed package: runs the compile-time close scenarios of every
// profile (tcpclose::core, header-only), once as a static_assert and once at run time, and
// counts the first moves of the model's active close (tcpclose::model, a static library).
#include <cstdio>

#include <tcpclose/core.hpp>
#include <tcpclose/model/successors.hpp>

static_assert(tcpclose::scenario::retransmitted_fin_in_time_wait(tcpclose::reference_config()) == 0);

int main() {
  using namespace tcpclose;
  int failed = 0;
  for (Profile p : kAllProfiles) {
    const Config c = profile_config(p);
    const int a = scenario::active_close(c), s = scenario::simultaneous_close(c),
              r = scenario::retransmitted_fin_in_time_wait(c);
    std::printf("%-10s active close %s, simultaneous close %s, retransmitted FIN in TIME-WAIT %s\n", name(p),
                a ? "FAIL" : "ok", s ? "FAIL" : "ok", r ? "FAIL" : "ok");
    failed += (a != 0) + (s != 0) + (r != 0);
  }
  const model::World w = model::make_world(model::Scenario::ActiveClose, model::model_config(Profile::Reference));
  int moves = 0;
  model::for_each_successor(w, model::initial_state(w), [&](std::uint8_t, const auto&, const auto&) { ++moves; });
  std::printf("model: %s has %d first moves\n", model::name(w.scenario), moves);
  return failed == 0 && moves > 0 ? 0 : 1;
}
