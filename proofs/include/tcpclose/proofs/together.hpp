// Many UNSAT queries that share most of their terms, asked together on one incremental,
// bit-blasted solver: the enumeration sorts (State, InputKind, Timer, ...) lowered to
// bit-vectors so that Z3 answers with its SAT solver, each query behind an assumption literal.
#pragma once

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

 private:
  z3::expr rewrite(const z3::expr& e);
  z3::expr rebuilt(const z3::expr& e);
  unsigned index_of(const z3::func_decl& d, const z3::sort& s, bool tester) const;
  z3::context& ctx_;
  std::unordered_map<unsigned, std::pair<z3::expr, z3::expr>> memo_;  // by id: the term (kept alive), its lowering
  std::vector<z3::expr> ranges_;
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
