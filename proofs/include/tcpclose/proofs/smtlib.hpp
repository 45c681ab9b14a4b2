// The second solver: a Z3 query written as SMT-LIB2 and re-checked by the cvc5 program, so no
// proof rests on one solver. Rule: an answer counts only when both solvers give the same definite
// one; a disagreement, a cvc5 error or a missing cvc5 is an Error, never a silent pass.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <z3++.h>

namespace tcpclose::proofs {

// One solver's answer to one query.
enum class SmtAnswer : std::uint8_t { Sat, Unsat, Unknown, Error };
const char* name(SmtAnswer a);
SmtAnswer from_z3(z3::check_result r);

// The conjunction of `formulas` as an SMT-LIB2 script that cvc5 accepts:
//   (set-logic LOGIC) (set-info :status ...) declarations (assert ...) (check-sat)
// Enumeration sorts are written as SMT-LIB 2.6 (declare-datatypes ((S 0)) (((A) (B)))).
// "ALL" suits every query of tcpclose (bitvectors + datatypes; quantifiers for CHC checks).
std::string to_smtlib(const z3::expr_vector& formulas, const std::string& logic = "ALL");
// The solver's current assertions (after push/pop), same format.
std::string to_smtlib(z3::solver& s, const std::string& logic = "ALL");

struct Cvc5Options {
  double timeout_seconds = 60;  // passed as --tlimit; a timeout is Unknown, not Error
  std::string program;          // empty: `cvc5` found on PATH (or $TCPCLOSE_CVC5 if set)
  std::string keep_dir;         // non-empty: write the .smt2 there and keep it; else an unlinked temp file
  std::string label = "query";  // names the query in messages and in keep_dir's file names
  // Default options naming the query (designated initializers trip -Wmissing-field-initializers).
  static Cvc5Options labelled(std::string l) {
    Cvc5Options o;
    o.label = std::move(l);
    return o;
  }
};

// Where cvc5 is; empty when it is not installed (Debian package `cvc5`, see tools/dev).
std::string find_cvc5(const Cvc5Options& o = {});

struct Cvc5Run {
  SmtAnswer answer = SmtAnswer::Error;
  std::string output;   // cvc5's stdout and stderr, verbatim (the error text on Error)
  std::string file;     // the .smt2 cvc5 read (empty unless keep_dir or run_cvc5_file)
  double seconds = 0;   // wall time of the cvc5 process
};
// Runs cvc5 on an SMT-LIB2 script already written to `path`.
Cvc5Run run_cvc5_file(const std::string& path, const Cvc5Options& o = {});
// Runs cvc5 on `script`: written to keep_dir's file, or else to a temporary file unlinked at once
// and given as cvc5's stdin (nothing is left behind however the run ends).
Cvc5Run run_cvc5(const std::string& script, const Cvc5Options& o = {});

// Z3's answer against cvc5's on the same query.
struct Recheck {
  SmtAnswer z3 = SmtAnswer::Unknown;
  SmtAnswer cvc5 = SmtAnswer::Unknown;
  double cvc5_seconds = 0;
  std::string file;    // the .smt2 checked (exists only with keep_dir)
  std::string detail;  // why it is not confirmed: disagreement, cvc5's error text, missing cvc5, timeout
  // Both definite (sat or unsat) and equal.
  bool confirmed() const { return z3 == cvc5 && (z3 == SmtAnswer::Sat || z3 == SmtAnswer::Unsat); }
  // The two definite answers differ, or cvc5 failed: a defect somewhere, to be reported loudly.
  bool error() const;
  // Unsat by Z3 and by cvc5: what a proof may rest on.
  bool unsat_confirmed() const { return confirmed() && z3 == SmtAnswer::Unsat; }
};

// Re-checks the solver's current assertions with cvc5, given the answer Z3 gave to check() on
// them. Call it right after s.check() (before pop()); assumptions passed to check() are not
// assertions, so add them with the overload below.
Recheck recheck_with_cvc5(z3::solver& s, SmtAnswer z3_answer, const Cvc5Options& o = {});
// The same for an explicit set of formulas (e.g. Init & !Inv, or Inv & T & !Inv').
Recheck recheck_with_cvc5(const z3::expr_vector& formulas, SmtAnswer z3_answer, const Cvc5Options& o = {});

}  // namespace tcpclose::proofs
