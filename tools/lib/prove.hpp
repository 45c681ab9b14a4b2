// `tcpclose prove`: runs the SMT engines (BMC, k-induction, CHC) on the composed system and
// prints one line per (property, engine): property  engine  result  depth/frames  seconds.
// Exit codes: 0 proved (or no violation to the BMC depth), 1 violated, 2 usage, 3 unknown/timeout/error.
#pragma once

#include <cstdint>
#include <string>

#include "cli_fwd.hpp"

#include "knobs.hpp"

namespace tcpclose::cli {

struct ProveArgs {
  KnobOptions knobs;
  std::string property = "all";
  std::string engine = "all";
  unsigned depth = 0;          // 0: the engine's default
  double timeout = 60;         // seconds per engine run
  unsigned slots = 3, incarnations = 2, dup = 1, data = 0;
  std::string isn = "adversarial";
  std::string invariant;       // no-stale-delivery's auxiliary invariant: "" (the one for --isn), one-slot, clock
  bool strict_timers = false, from_closed = false, json = false;
  bool split_moves = false;    // k-induction: one step-case query per kind of last move
  bool cti = false;            // print k-induction's counterexample to induction when it has one
  std::string recheck;         // "cvc5": re-check every UNSAT with the second solver
  std::string junit;           // --junit FILE: one testcase per property x engine
  bool progress = true;        // progress on stderr: a live line on a terminal, else plain lines
  double progress_every = 2;   // seconds between reports
  std::string loss = "any", delay = "any";  // the budget world: a number 0..8, or "any" (unbounded)
  std::uint32_t seed = 0;      // Z3's smt.random_seed and sat.random_seed (0: Z3's own default)
};

void add_prove_options(CLI::App& cmd, ProveArgs& a);
int run_prove(const ProveArgs& a);

}  // namespace tcpclose::cli
