// Complete close handshakes evaluated by the compiler: if step() allocated, threw, or broke
// a handshake, this file would not compile. The negative static_asserts show the scenarios
// can fail: each named mutant breaks the scenario that exercises it.
#include <gtest/gtest.h>

#include <tcpclose/core.hpp>

namespace {

using namespace tcpclose;

constexpr Config with(Config c, Mutant m) { c.mutant = m; return c; }

template <Profile P>
constexpr bool all_scenarios_hold() {
  constexpr Config c = profile_config(P);
  return scenario::active_close(c) == 0 && scenario::passive_close(c) == 0 &&
         scenario::simultaneous_close(c) == 0 && scenario::retransmitted_fin_in_time_wait(c) == 0;
}

static_assert(all_scenarios_hold<Profile::Reference>());
static_assert(all_scenarios_hold<Profile::Rfc9293>());
static_assert(all_scenarios_hold<Profile::Linux>());
static_assert(all_scenarios_hold<Profile::FreeBsd>());
static_assert(all_scenarios_hold<Profile::Smoltcp>());

static_assert(scenario::active_close(with(reference_config(), Mutant::TimeWaitZero)) != 0);
static_assert(scenario::active_close(with(reference_config(), Mutant::TimeWaitOneMsl)) != 0);
static_assert(scenario::retransmitted_fin_in_time_wait(with(reference_config(), Mutant::NoReackInTimeWait)) != 0);
static_assert(scenario::retransmitted_fin_in_time_wait(with(reference_config(), Mutant::NoTimeWaitRestart)) != 0);
static_assert(scenario::retransmitted_fin_in_time_wait(with(reference_config(), Mutant::NoFinRetransmit)) != 0);

// The same scenarios at run time, so a failure names the expectation that broke.
TEST(Scenarios, EveryProfileClosesActivelyPassivelySimultaneouslyAndReAcksARetransmittedFin) {
  for (Profile p : kAllProfiles) {
    const Config c = profile_config(p);
    EXPECT_EQ(scenario::active_close(c), 0) << name(p);
    EXPECT_EQ(scenario::passive_close(c), 0) << name(p);
    EXPECT_EQ(scenario::simultaneous_close(c), 0) << name(p);
    EXPECT_EQ(scenario::retransmitted_fin_in_time_wait(c), 0) << name(p);
  }
}

}  // namespace
