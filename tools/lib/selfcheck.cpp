// tcpclose selfcheck (selfcheck.hpp): scenarios and table rows, judged by proofs::Oracle.
#include "selfcheck.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>

#include <tcpclose/core.hpp>
#include <tcpclose/proofs/invariants.hpp>

#include "exit_codes.hpp"
#include "table.hpp"

namespace tcpclose::cli {
namespace {

// A row's problems: the single-step invariants it breaks, each judged by its one definition
// (proofs/invariants.hpp, the SMT formula the property tests and the engines use, decided on the
// row's lifted values), and the core's own bound on what one step may emit. The pre-state is the
// table's canonical TCB for the row's state.
std::vector<std::string> row_problems(proofs::Oracle& oracle, const Config& c, const table::Row& r) {
  std::vector<std::string> why;
  if (r.out.actions.overflow) why.push_back("more actions than kMaxActions, or two segments in one step");
  const Tcb pre = classes::canonical_tcb(r.state, c);
  for (proofs::InvariantId id : proofs::kAllInvariants)
    if (!oracle.holds(id, c, pre, r.concrete, r.out))
      why.push_back(fmt::format("{}: {}", proofs::name(id), proofs::statement(id)));
  return why;
}

}  // namespace

int run_selfcheck(const KnobOptions& k, bool all_profiles) {
  int failures = 0;
  proofs::Oracle oracle;
  for (Profile p : kAllProfiles) {
    KnobOptions kp = k;
    if (all_profiles) kp.profile = name(p);
    else if (name(p) != k.profile) continue;
    const Config c = make_config(kp);
    const struct { const char* name; int failed_at; } scenarios[] = {
        {"active close", scenario::active_close(c)},
        {"passive close", scenario::passive_close(c)},
        {"simultaneous close", scenario::simultaneous_close(c)},
        {"retransmitted FIN in TIME-WAIT", scenario::retransmitted_fin_in_time_wait(c)},
    };
    fmt::print("profile {}{}\n", kp.profile, c.mutant == Mutant::None ? "" : fmt::format(" (mutant {})", name(c.mutant)));
    for (const auto& s : scenarios) {
      if (s.failed_at == 0) fmt::print("  ok    scenario {}\n", s.name);
      else fmt::print("  FAIL  scenario {}: expectation #{} does not hold\n", s.name, s.failed_at);
      failures += s.failed_at != 0;
    }
    const auto rows = table::derive(c);
    int bad = 0;
    for (const auto& r : rows) {
      const std::vector<std::string> why = row_problems(oracle, c, r);
      if (why.empty()) continue;
      if (++bad <= 5)
        for (const std::string& w : why) fmt::print("  FAIL  table {} / {}: {}\n", name(r.state), r.input, w);
    }
    fmt::print("  {}  table: {} rows ({} states x {} input classes), {} violate a single-step fact\n",
               bad == 0 ? "ok  " : "FAIL", rows.size(), kStateCount, classes::kClassCount, bad);
    failures += bad;
  }
  return failures == 0 ? kExitOk : kExitFailed;
}


}  // namespace tcpclose::cli
