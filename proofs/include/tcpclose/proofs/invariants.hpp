// The single-step invariants of step() as named Z3 formulas over (pre TCB, input, output): the
// oracle of the property tests (tests/properties/) and available to the engines.
// Rule: a formula states what the RFCs require, never how step() computes it; it may read the
// knobs of the Config (the profile's policy), never its mutant.
#pragma once

#include <array>
#include <cstddef>
#include <memory>

#include <z3++.h>

#include <tcpclose/core.hpp>

#include "tcpclose/proofs/encoding.hpp"

namespace tcpclose::proofs {

enum class InvariantId : std::uint8_t {
  SndUnaLeSndNxt,       // SND.UNA <= SND.NXT, and the FIN is the last sequence number sent
  RcvNxtStopsAtFin,     // RCV.NXT never passes the peer's FIN
  TimeWaitEntry,        // TIME-WAIT is entered exactly when our FIN is ACKed and theirs is in
  TimeWaitHeld,         // TIME-WAIT ends only by its timer or a RST/SYN the profile permits
  NoRstForRst,          // a RST is never answered with a RST
  ActionsMatchState,    // what a step emits fits the state it leaves and the input it got
  TimersMatchState,     // timers are armed exactly when the state needs them, for the right time
  UnacceptableIgnored,  // a segment outside the receive window changes nothing but an ACK
};
inline constexpr std::size_t kInvariantCount = 8;
inline constexpr std::array<InvariantId, kInvariantCount> kAllInvariants = {
    InvariantId::SndUnaLeSndNxt,   InvariantId::RcvNxtStopsAtFin,  InvariantId::TimeWaitEntry,
    InvariantId::TimeWaitHeld,     InvariantId::NoRstForRst,       InvariantId::ActionsMatchState,
    InvariantId::TimersMatchState, InvariantId::UnacceptableIgnored};

const char* name(InvariantId id);       // "snd-una-le-snd-nxt"
const char* statement(InvariantId id);  // one sentence

// The state predicates a well-formed TCB satisfies: sequence order (part of SndUnaLeSndNxt),
// FIN flags per state (part of TimeWaitEntry), timers per state (part of TimersMatchState).
// Those invariants assert their part on the output TCB; generators must meet all of them.
z3::expr tcb_wellformed(const Vocabulary& v, const Config& c, const SymTcb& t);

// The invariant as one formula; true iff the step (pre, in) -> out keeps it.
z3::expr invariant(const Vocabulary& v, const Config& c, InvariantId id, const SymTcb& pre, const SymInput& in,
                   const SymOutput& out);

// Asks Z3 about concrete values: lift them, build the formula, and decide it (simplification
// first, the solver when simplification leaves a term). One context, reused across calls.
class Oracle {
 public:
  Oracle();
  ~Oracle();
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;
  bool holds(InvariantId id, const Config& c, const Tcb& pre, const Input& in, const Output& out);
  bool wellformed(const Config& c, const Tcb& t);
  std::uint64_t solver_calls() const;  // how often simplification did not decide (normally 0)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tcpclose::proofs
