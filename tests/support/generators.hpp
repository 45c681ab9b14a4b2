// RapidCheck generators for the core's vocabulary (the rc::Arbitrary layout of NixOS/nix
// src/libstore-test-support: declarations here, definitions in generators.cpp) and showValue for
// each type, so that a shrunk case reads like a line of a trace.
// Rule: every generated TCB is well-formed (proofs::tcb_wellformed holds; the properties assert
// it), every state is generated, and sequence numbers are drawn near and far from the window,
// near 2^31 and across 2^32.
#pragma once

#include <cstdint>
#include <ostream>
#include <sstream>
#include <string>

#include <rapidcheck.h>
#include <tcpclose/core.hpp>

namespace tcpclose {
void showValue(State s, std::ostream& os);
void showValue(Profile p, std::ostream& os);
void showValue(Mutant m, std::ostream& os);
void showValue(const Config& c, std::ostream& os);
void showValue(const Segment& s, std::ostream& os);
void showValue(const Input& in, std::ostream& os);
void showValue(const Tcb& t, std::ostream& os);
void showValue(const Output& o, std::ostream& os);
}  // namespace tcpclose

namespace tcpclose::test {

// The mutant every generated Config carries: TCPCLOSE_MUTANT=<name> in the environment (the
// mutation score tests set it), else Mutant::None. An unknown name stops the program (exit 2).
Mutant suite_mutant();

// One step to judge: the knobs (and the profile they came from), the TCB, the input.
struct StepCase {
  Profile profile = Profile::Reference;
  Config cfg{};
  Tcb tcb{};
  Input in{};
};
void showValue(const StepCase& k, std::ostream& os);

// Text of a value, through showValue (for failure messages).
template <typename T>
std::string shown(const T& v) {
  std::ostringstream os;
  showValue(v, os);
  return os.str();
}

namespace gens {
// A profile with some knobs varied (TIME-WAIT and MSL short or as profiled, RTO, window), and
// suite_mutant().
rc::Gen<Config> config_of(Profile p);
// A well-formed TCB in a random state (closing states weighted up), shifted in both sequence
// spaces, with data outstanding or unread, half-closed or orphaned, timers near expiry; `now`
// is the tick the deadlines are relative to.
struct TcbAt { Tcb tcb; std::uint32_t now; };
rc::Gen<TcbAt> tcb_for(const Config& c);
// A segment aimed at the TCB: every flag combination, seq at, inside, before and beyond the
// window, a retransmission of what was received, far (2^31) or random; ack below, at or beyond
// the valid range; timestamps older, equal and newer than TS.Recent.
rc::Gen<Segment> segment_for(const Tcb& t);
// A segment (mostly), an application call or a timer expiry, early or due.
rc::Gen<Input> input_for(const Tcb& t, std::uint32_t now);
rc::Gen<StepCase> step_case();
}  // namespace gens

}  // namespace tcpclose::test

namespace rc {
template <> struct Arbitrary<tcpclose::State> { static Gen<tcpclose::State> arbitrary(); };
template <> struct Arbitrary<tcpclose::Profile> { static Gen<tcpclose::Profile> arbitrary(); };
template <> struct Arbitrary<tcpclose::Mutant> { static Gen<tcpclose::Mutant> arbitrary(); };
template <> struct Arbitrary<tcpclose::Config> { static Gen<tcpclose::Config> arbitrary(); };
template <> struct Arbitrary<tcpclose::Tcb> { static Gen<tcpclose::Tcb> arbitrary(); };
template <> struct Arbitrary<tcpclose::Segment> { static Gen<tcpclose::Segment> arbitrary(); };
template <> struct Arbitrary<tcpclose::Input> { static Gen<tcpclose::Input> arbitrary(); };
template <> struct Arbitrary<tcpclose::test::StepCase> { static Gen<tcpclose::test::StepCase> arbitrary(); };
}  // namespace rc
