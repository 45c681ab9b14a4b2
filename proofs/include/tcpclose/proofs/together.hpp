// Queries answered by Z3's SAT solver: the enumeration sorts (State, InputKind, Timer, ...)
// lowered to bit-vectors, then bit-blasted. One query alone (BitBlasted), or many UNSAT queries
// that share most of their terms together on one incremental solver, each behind an assumption.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <z3++.h>

namespace tcpclose::proofs {

// Rewrites a quantifier-free term so that no enumeration sort is left: a constant of such a sort
// becomes a bit-vector constant of the same name (suffixed "!bv") kept below the sort's size by
// ranges(), a constructor its index, a tester an equality. Throws std::runtime_error on a term
// it cannot lower (a quantifier, a function over an enumeration).
class EnumLowering {
 public:
  explicit EnumLowering(z3::context& ctx) : ctx_(ctx) {}
  z3::expr operator()(const z3::expr& e);
  // The constraints that keep each lowered constant within its sort: assert them with the terms.
  const std::vector<z3::expr>& ranges() const { return ranges_; }
  // Each lowered constant: (the constant as written, its bit-vector).
  const std::vector<std::pair<z3::expr, z3::expr>>& constants() const { return constants_; }

 private:
  z3::expr rewrite(const z3::expr& e);
  z3::expr rebuilt(const z3::expr& e);
  unsigned index_of(const z3::func_decl& d, const z3::sort& s, bool tester) const;
  z3::context& ctx_;
  std::unordered_map<unsigned, std::pair<z3::expr, z3::expr>> memo_;  // by id: the term (kept alive), its lowering
  std::vector<z3::expr> ranges_;
  std::vector<std::pair<z3::expr, z3::expr>> constants_;
};

// One query on a fresh, non-incremental solver that bit-blasts: its terms lowered (EnumLowering)
// for Z3's qfbv tactic, which then hands them to the SAT solver. On the same terms with their
// enumeration sorts qfbv's probe fails and its SMT core answers instead, up to several times
// slower here (docs/proofs.md, "Enumerations lowered for every query"). A term that cannot be
// lowered sends the whole query to qfbv as written. The model speaks of the constants as
// written, enumerations included. Fresh for each query: Z3's incremental mode (push/pop) runs
// the SMT core on bit-vectors, many times slower here.
class BitBlasted {
 public:
  explicit BitBlasted(z3::context& ctx);
  void add(const z3::expr& e);
  void set_timeout_ms(unsigned ms);
  void set_seed(unsigned seed);
  z3::check_result check();
  z3::model get_model();  // after sat
  std::string reason_unknown();
  // A plain solver holding the terms as written, for a second solver to confirm (recheck).
  z3::solver& as_written() { return written_; }

 private:
  z3::context& ctx_;
  EnumLowering lower_;
  z3::solver written_;
  z3::solver blasted_;  // the lowered terms, or all of them as written once one cannot be lowered
  z3::params params_;
  bool lowered_ = true;
};

// Which of `goals` are UNSAT together with `common`, asked in order on one solver within
// `timeout_ms` in all, each within `goal_ms` (the solver then goes on to the next goal). A goal
// that is SAT, unknown or past its time reads false, as does every goal when a term cannot be
// lowered: the caller asks those again on their own. The first SAT goal ends the asking (the
// goals after it read false): a caller that stops at its first failure would not ask them, and
// asking them cost a failing k-induction 50 s where the goals up to the failure took 10 s.
std::vector<bool> unsat_together(z3::context& ctx, const z3::expr& common, const std::vector<z3::expr>& goals,
                                 unsigned timeout_ms, unsigned goal_ms = 10000);

}  // namespace tcpclose::proofs
