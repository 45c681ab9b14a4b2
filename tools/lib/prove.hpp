// `tcpclose prove`: runs the SMT engines (BMC, k-induction, CHC) on the composed system and
// prints one line per (property, engine): property  engine  result  depth/frames  seconds.
// Exit codes: 0 proved (or, for one engine or all, no violation to the BMC depth), 1 violated, 2 usage,
// 3 unknown/timeout/error (the portfolio, the default: no engine proved or refuted a property).
#pragma once

#include <cstdint>
#include <string>

#include "cli_fwd.hpp"

#include "knobs.hpp"

namespace tcpclose::cli {

struct ProveArgs {
  KnobOptions knobs;
  std::string property = "all";
  std::string engine = "portfolio";
  unsigned depth = 0;          // 0: the engine's default
  // Seconds per engine run: enough for the default world's proofs (6 minutes on a quiet machine,
  // 2026-12-07) in an hour three times slower, with room to spare.
  double timeout = 1800;
  unsigned slots = 3, incarnations = 2, dup = 1, data = 0;
  std::string isn = "adversarial";
  std::string invariant;       // no-stale-delivery's auxiliary invariant: "" (the one for --isn), one-slot, clock
  // The world is `tcpclose check`'s by default: one loss, one delay, timers on time (issue 18).
  bool strict_timers = false, late_timers = false, from_closed = false, json = false;
  bool split_moves = false;    // k-induction: one step-case query per kind of last move
  unsigned threads = 0;        // k-induction: threads for the step case's goals (0: one per core)
  bool cti = false;            // print k-induction's counterexample to induction when it has one
  std::string recheck;         // "cvc5": re-check every UNSAT with the second solver
  std::string junit;           // --junit FILE: one testcase per property x engine
  bool progress = true;        // progress on stderr: a live line on a terminal, else plain lines
  double progress_every = 2;   // seconds between reports
  std::string loss = "1", delay = "1";  // the budget world: a number 0..8, or "any" (unbounded)
  std::uint32_t seed = 0;      // Z3's smt.random_seed and sat.random_seed (0: Z3's own default)
};

void add_prove_options(CLI::App& cmd, ProveArgs& a);
int run_prove(const ProveArgs& a);

}  // namespace tcpclose::cli
