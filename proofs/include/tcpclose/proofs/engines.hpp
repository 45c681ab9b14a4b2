// The engines over the composed system: BMC to depth k, k-induction with simple-path
// constraints, and CHC with Z3's Spacer. They share System::trans through the Unroller.
// Rule: each returns Proved | Violated(witness) | Unknown | Error, and z3::exception never
// crosses this boundary (pono engines/kinduction.cpp, tests/test_engines.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <z3++.h>

#include "tcpclose/proofs/system.hpp"

namespace tcpclose::proofs {

enum class Outcome : std::uint8_t { Proved, Violated, Unknown, Error };
const char* name(Outcome o);

enum class Engine : std::uint8_t { Bmc, KInduction, Chc };
inline constexpr std::array<Engine, 3> kAllEngines = {Engine::Bmc, Engine::KInduction, Engine::Chc};
const char* name(Engine e);

struct EngineOptions {
  unsigned depth = 12;          // BMC's bound; k-induction's largest k
  double timeout_seconds = 60;  // for the whole run of one engine
  bool chc_seed = true;
  // k-induction: ask the step case one conjunct of the strengthened property at a time (the
  // same question as several smaller UNSAT queries). Unset: per property, as measured fastest
  // (docs/proofs.md): split for no-stale-delivery (its many clauses), whole for time-wait-duration.
  std::optional<bool> split_step;
  // k-induction: ask each step-case query once per kind of last move (docs/proofs.md: the ISN
  // clock proof's slowest clauses need it).
  bool split_moves = false;         // CHC: hand Spacer System::helper as a lemma (re-checked after)
  // Z3's random seed (prove --seed; the process's global smt.random_seed and sat.random_seed are
  // set to it too). CHC's restarted checks take the next seeds.
  unsigned seed = 0;
  // CHC: the split step check's small queries are asked again, once, under the next seed when
  // the first attempt runs out of this many seconds, or of twice the longest check so far if that
  // is more (0: one attempt, the whole budget).
  double restart_after = 3.0;
  // false: the cutoff is restart_after alone, never twice the longest check (for a test that must
  // see a restart whatever the checks' times).
  bool restart_adaptive = true;
  // CHC's split step check and k-induction's split step case: ask the small queries together
  // first, on one bit-blasted solver (together.hpp); those it does not answer UNSAT are asked one
  // by one as before. Not with a second solver (recheck), which confirms each query on its own.
  bool together = true;
  // k-induction's split step case: its goals asked on this many threads, each with its own
  // context (the answer and the counterexample are those of one thread).
  unsigned threads = 1;
  // Called with a solver holding one UNSAT query the result rests on (BMC: no violation at
  // depth k; k-induction: the step case; CHC: each of the invariant's three conditions).
  // Returns false when the query is not confirmed (the second solver, smtlib.hpp): the result
  // then becomes Error. Empty: no re-check.
  std::function<bool(const std::string& label, z3::solver& s)> recheck;
  // Called when BMC or k-induction starts on depth k (CHC has no depths: it is never called),
  // for progress reports. It runs on the engine's thread and must be cheap.
  std::function<void(unsigned k)> on_depth;
  // There is no cancel flag: Z3's interrupt is not safe everywhere, so `tcpclose prove` stops
  // on a signal by reporting from another thread and ending the process (tools/lib/prove.cpp).
};

struct Result {
  Engine engine = Engine::Bmc;
  model::Property property = model::Property::NoStaleDelivery;
  Outcome outcome = Outcome::Unknown;
  bool bounded = false;   // Proved only up to `depth` steps (BMC)
  unsigned depth = 0;     // BMC: steps checked or the witness's length; kind: k; CHC: Spacer's frames
  double seconds = 0;
  std::string detail;     // why Unknown or Error; CHC: the invariant's size
  std::optional<Witness> witness;
  unsigned rechecked = 0; // UNSAT queries the second solver confirmed
  unsigned restarts = 0;  // CHC: checks asked again under another seed (EngineOptions::restart_after)
  unsigned together = 0;  // CHC's checks, kind's step goals answered UNSAT together (EngineOptions::together)
  // k-induction, when its last step case was SAT: the counterexample to induction (states
  // 0..k, each with the move that leaves it), for finding the auxiliary invariant it lacks.
  std::string cti;
};

Result bmc(const System& sys, model::Property p, const EngineOptions& o);
Result kinduction(const System& sys, model::Property p, const EngineOptions& o);
Result chc(const System& sys, model::Property p, const EngineOptions& o);
Result run(Engine e, const System& sys, model::Property p, const EngineOptions& o);

// Vacuity (STYLE.md principle 10): the shortest path within `depth` steps to a state where the
// guard holds. Violated here means "reached" (the witness shows how), Proved means unreachable.
Result reach(const System& sys, model::Guard g, const EngineOptions& o);
// The same for any state predicate (e.g. "incarnation 2 has reached B"), named `what` in the
// trace; the caller checks the witness's last state, since apply() knows no such predicate.
Result reach(const System& sys, const std::function<z3::expr(const SysState&)>& target, const std::string& what,
             const EngineOptions& o);

}  // namespace tcpclose::proofs
