// A C++ consumer of the installed header-only core: runs the compile-time close scenarios of
// every profile, once at compile time (static_assert) and once at run time, and prints them.
#include <cstdio>

#include <tcpclose/core.hpp>

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
  return failed == 0 ? 0 : 1;
}
