// The tie between the formulas and the code: for a concrete (TCB, input), T admits the output
// step() computed (SAT) and admits no other (UNSAT). Used by proofs.matches_core.
// Rule: the two configs may differ only to show that a change to step() alone is caught.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tcpclose/core.hpp>

#include "tcpclose/proofs/encoding.hpp"

namespace tcpclose::proofs {

struct CaseResult {
  bool admits_step = false;   // T(s, i, step(s, i)) is satisfiable
  bool admits_other = false;  // T(s, i, o) with o != step(s, i) is satisfiable
  bool ok() const { return admits_step && !admits_other; }
  std::string detail;         // on a mismatch: the relation's output, field by field
};

struct Tally {
  std::uint64_t cases = 0, mismatches = 0;
  std::vector<std::string> first;  // descriptions of the first few mismatches
};

class CrossCheck {
 public:
  // step() runs under step_config, the relation is derived for relation_config.
  CrossCheck(const Config& step_config, const Config& relation_config);
  ~CrossCheck();
  CrossCheck(const CrossCheck&) = delete;
  CrossCheck& operator=(const CrossCheck&) = delete;
  // symbolic: ask the one symbolic T with s and i fixed by equalities, rather than T
  // instantiated at (t, in) (see crosscheck.cpp).
  CaseResult check(const Tcb& t, const Input& in, bool symbolic = false);
  // Every (state, input class) of classes.hpp, its TCB and input shifted by each offset in
  // sequence space (wraparound included), plus `random` random TCBs and inputs from `seed`.
  Tally run_all(const std::vector<std::uint32_t>& offsets, std::uint32_t random, std::uint64_t seed);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A TCB and input moved by `delta` in both sequence spaces: the canonical cases replayed near
// 2^31 and across 2^32.
Tcb shifted(const Tcb& t, std::uint32_t delta);
Input shifted(const Input& in, const Tcb& t, std::uint32_t delta);

}  // namespace tcpclose::proofs
