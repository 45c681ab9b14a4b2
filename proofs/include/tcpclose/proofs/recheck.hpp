// The engines' hook for the second solver: each UNSAT a result rests on is written as SMT-LIB2
// and re-checked by cvc5 (smtlib.hpp). Rule: only cvc5's own "unsat" confirms; anything else
// (sat, unknown, a timeout, a missing cvc5) makes the engine's result an Error.
#pragma once

#include <functional>
#include <string>

#include <z3++.h>

namespace tcpclose::proofs {

// For EngineOptions::recheck. keep_dir: where to keep the .smt2 files (empty: removed). A stop
// signal does not reach in here: `tcpclose prove` kills the listed cvc5 children and ends the
// process (process.hpp, kill_listed_children).
std::function<bool(const std::string& label, z3::solver& s)> cvc5_recheck(double timeout_seconds = 120,
                                                                          std::string keep_dir = {});

}  // namespace tcpclose::proofs
