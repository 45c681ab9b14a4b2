// The arithmetic lemmas: the serial-number terms of the encoding (encoding.hpp), each proved equal
// to its RFC definition for all 2^32 values, with a deliberately wrong variant refuted beside it.
// Rule: a lemma is a claim over named 32-bit variables; it holds iff its negation is UNSAT.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <z3++.h>

#include "tcpclose/proofs/smtlib.hpp"

namespace tcpclose::proofs {

struct Lemma {
  using Build = std::function<z3::expr(const std::vector<z3::expr>&)>;
  std::string name;       // e.g. "segment-acceptable-table6"
  std::string statement;  // the claim, for people
  std::string source;     // the RFC text it states
  std::vector<std::string> vars;  // its 32-bit variables, in order
  Build claim;            // true for every value of vars
  std::string control_statement;  // a deliberately wrong variant...
  Build control;                  // ...that the solver must refute with a counter-model
  // The encoding's term the lemma speaks about, and the core's C++ function of the same
  // arguments (seq.hpp), so a counter-model can be replayed against the code.
  Build subject;
  std::function<bool(const std::vector<std::uint32_t>&)> code;
};

// Every lemma, in the order docs/proofs.md lists them.
const std::vector<Lemma>& lemmas();
const Lemma* find_lemma(std::string_view name);

struct LemmaResult {
  std::string name;
  bool control = false;        // the wrong variant was checked
  SmtAnswer answer = SmtAnswer::Unknown;  // of the negated claim: Unsat = holds for all values
  std::vector<std::uint32_t> counter_model;  // values of vars, when Sat
  double seconds = 0;          // Z3's time
  Recheck cvc5;                // filled when re-checked
  bool holds() const { return answer == SmtAnswer::Unsat; }
  bool refuted() const { return answer == SmtAnswer::Sat; }
};

struct LemmaOptions {
  bool recheck_cvc5 = false;   // re-check the query with the cvc5 program
  double timeout_seconds = 60; // per solver
};

// Decides lemma l (or its wrong variant) for all values of its variables.
LemmaResult check_lemma(const Lemma& l, bool control, const LemmaOptions& o = {});

// The subject term evaluated by Z3 at each concrete assignment (for comparing with l.code).
std::vector<bool> subject_at(const Lemma& l, const std::vector<std::vector<std::uint32_t>>& values);
// The claim (or the wrong variant) evaluated at each concrete assignment.
std::vector<bool> claim_at(const Lemma& l, bool control, const std::vector<std::vector<std::uint32_t>>& values);

// "a=0x80000000 b=0x00000000", the counter-model in the lemma's variable names.
std::string describe_values(const Lemma& l, const std::vector<std::uint32_t>& values);

}  // namespace tcpclose::proofs
