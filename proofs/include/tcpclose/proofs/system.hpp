// The composed system: endpoints A and B (each stepping with derive_step, step()'s own rules run
// on Z3 terms), a bounded network with ages and ghost incarnations, A's reopening application, and
// time, as a symbolic transition system I(s), T(s, c, s') shared by BMC, k-induction and CHC.
// Rule: the world's rules are written once over two value domains (system.cpp): on terms they are
// trans(), on plain values apply(), which runs the real step(); a witness counts only when apply()
// replays it state for state (STYLE.md principles 9, 11).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <z3++.h>

#include <tcpclose/core.hpp>
#include <tcpclose/model/properties.hpp>

#include "tcpclose/proofs/encoding.hpp"

namespace tcpclose::proofs {

// How a host picks the ISS of a new connection (RFC 9293 §3.4.1). Its first ISS is any 32-bit
// value (so every wraparound position is covered); each later one is the last plus:
enum class IsnPolicy : std::uint8_t {
  Adversarial,  // any increment in [1, 2^30]: the new space may overlap the old one
  Clock,        // exactly 2^24 (an ISN clock)
};
const char* name(IsnPolicy p);

struct SystemOptions {
  Config cfg = model::model_config(Profile::Reference);  // every core knob, in ticks
  unsigned slots = 3;          // network slots, shared by both directions
  unsigned incarnations = 2;   // connections A opens (connect, send, close; again)
  unsigned dup = 1;            // duplication budget (a delivery that leaves the segment in flight)
  std::uint32_t data = 0;      // bytes A sends per connection (0: A has no send step)
  IsnPolicy isn = IsnPolicy::Adversarial;
  // Timers may fire late: at any tick at or after their deadline (a busy host, timer slack).
  // false: exactly at the deadline, and time cannot pass it (the model checker's rule).
  bool late_timers = true;
  // Start with incarnation 1 established (the handshake at tick 0, ISSs symbolic); A's program
  // then begins with its close. false: start CLOSED, A begins with connect.
  bool start_established = true;
  // Which auxiliary invariant k-induction uses for no-stale-delivery: the one-slot world's
  // (Adversarial) or the ISN clock's (Clock, docs/proofs.md). Unset: the one for `isn`. Set
  // apart from `isn` only to show that the clock's invariant fails under adversarial ISNs.
  std::optional<IsnPolicy> invariant;
  // The model checker's budgets (docs/model.md "The network"; docs/proofs.md "The budget world").
  // loss: segments that die undelivered (an ordinary one older than the normal delay, a delayed
  // one older than MSL) or find no free slot; a move that would exceed it is not enabled, so the
  // network must deliver first. delay: segments that may wander up to MSL; the others live
  // kNormalDelay (1) tick. nullopt ("any"): unbounded loss, every segment may live up to MSL.
  std::optional<unsigned> loss;
  std::optional<unsigned> delay;
  bool budgeted() const { return loss.has_value() || delay.has_value(); }
  // Carry both-closed's ghosts (the tick since which both applications have closed with no
  // fault, and its monitor). Off: they are constants, and every other relation is as before.
  // On: needs both budgets (a fault is a budget spent) and strict timers (a late timer would hold
  // a TCB open with no fault at all): both_closed_world() says what is missing.
  bool both_closed = false;
};
// Empty when o can carry both-closed's ghosts; else what it lacks, as the flags that give it.
std::string both_closed_world(const SystemOptions& o);

// The properties the proofs decide, named as in the model (docs/properties.md), and the
// vacuity guards a BMC run must reach on the unmutated system.
inline constexpr std::array<model::Property, 2> kProvable = {model::Property::NoStaleDelivery,
                                                             model::Property::TimeWaitDuration};
// Provable too, but only when named (`prove --property both-closed`), in a world that counts
// faults (both_closed_world): both-closed as a bounded response (model/response.hpp).
inline constexpr std::array<model::Property, 1> kProvableWhenNamed = {model::Property::BothClosed};
bool provable(model::Property p);

// Moves: an application call, a delivery, a timer expiry. Each happens delta >= 0 ticks after
// the previous move: time passes with the moves, not as a move of its own.
enum class Move : std::uint8_t { App, Deliver, Timer };
inline constexpr std::uint32_t kMoveCount = 3;

// ----- symbolic state ----------------------------------------------------------------------

struct SymSlot {
  z3::expr valid, to_b, sent, inc;  // sent: the tick it was sent (age = now - sent)
  SymSegment seg;
  z3::expr late;  // budget world: flagged delayed when sent, so it may live up to MSL
};
struct SymHost {
  SymTcb tcb;
  z3::expr inc, pc, tw_start, last_iss, has_iss;  // inc and tw_start are ghosts
  // ghost: how many ISSs the host has taken, for the ISN-clock invariant only. Elsewhere it is
  // the constant 0, not a variable: a free counter made the one-slot proof's step case 10x slower.
  z3::expr n_iss;
};
struct SysState {
  std::array<SymHost, 2> h;  // [0] = A, [1] = B
  std::vector<SymSlot> net;
  z3::expr now, dups, next_inc;
  z3::expr bad_stale, bad_tw, saw_stale_rejected;  // monitors (ghosts)
  z3::expr losses, delays;  // budget world: budgets spent (8 bits; 0 when unbounded)
  // both-closed (SystemOptions::both_closed; else the constants 0 and false): the tick since
  // which both applications have closed and no budget was spent, and the monitor.
  z3::expr calm_since, bad_closed;
};
// The free choices of one step (the environment's and the scheduler's).
struct SysChoice {
  z3::expr move, host_b, slot, keep, timer, delta, isn;
  z3::expr late;  // budget world with a delay budget: the segment sent now is a wanderer
};

// ----- concrete state, for witnesses and their replay -----------------------------------------

struct CSlot {
  bool valid = false, to_b = false;
  std::uint32_t sent = 0;
  std::uint8_t inc = 0;
  Segment seg{};
  bool late = false;
  friend bool operator==(const CSlot&, const CSlot&) = default;
};
struct CHost {
  Tcb tcb{};
  std::uint8_t inc = 0, pc = 0;
  std::uint32_t tw_start = 0, last_iss = 0;
  bool has_iss = false;
  std::uint8_t n_iss = 0;
  friend bool operator==(const CHost&, const CHost&) = default;
};
struct CState {
  std::array<CHost, 2> h{};
  std::vector<CSlot> net;
  std::uint32_t now = 0;
  std::uint8_t dups = 0, next_inc = 1;
  bool bad_stale = false, bad_tw = false, saw_stale_rejected = false;
  std::uint8_t losses = 0, delays = 0;
  std::uint32_t calm_since = 0;
  bool bad_closed = false;
  friend bool operator==(const CState&, const CState&) = default;
};
struct CChoice {
  Move move = Move::App;
  bool host_b = false, keep = false;
  std::uint8_t slot = 0;
  Timer timer = Timer::Rexmit;
  std::uint32_t delta = 0, isn = 0;
  bool late = false;
};
// What one concrete step did, for the human trace.
struct CEvent {
  bool ran_core = false, spawned = false;
  Tcb before{};
  Input input{};
  Output out{};
  CSlot pkt{};
  int app_op = -1;  // model::Op of an application call
};

class System {
 public:
  System(z3::context& ctx, const SystemOptions& o);
  const Vocabulary& vocab() const { return v_; }
  const SystemOptions& options() const { return o_; }
  // A's program per incarnation: connect, send (when data > 0), close.
  std::uint32_t ops_per_conn() const { return o_.data != 0 ? 3 : 2; }
  z3::context& ctx() const { return v_.ctx(); }

  SysState fresh_state(const std::string& suffix) const;
  SysChoice fresh_choice(const std::string& suffix) const;
  z3::expr init(const SysState& s) const;
  z3::expr trans(const SysState& s, const SysChoice& c, const SysState& n) const;
  // The monitor of a property has fired (the property is violated in or before s).
  z3::expr bad(model::Property p, const SysState& s) const;
  // Auxiliary invariants that strengthen a property for k-induction (proved with it, never
  // assumed): for time-wait-duration, a TCB in TIME-WAIT has its 2MSL deadline at least
  // TIME-WAIT after the ghost's start, which is not in the future, and no other timer armed;
  // for no-stale-delivery, why the one-slot world never accepts a stale segment (24 clauses).
  z3::expr helper(model::Property p, const SysState& s) const;
  // The same invariant as named clauses (docs/proofs.md names each and the counterexample to
  // induction that called for it); helper() is their conjunction.
  struct Clause {
    std::string name;
    z3::expr holds;
  };
  std::vector<Clause> helper_clauses(model::Property p, const SysState& s) const;
  // Guards: some TCB is in TIME-WAIT; a stale segment reached a newer incarnation and was rejected.
  z3::expr guard(model::Guard g, const SysState& s) const;
  // Every state variable, in a fixed order (pono's unroller: timed copies of these).
  std::vector<z3::expr> vars(const SysState& s) const;

  CState decode(const z3::model& m, const SysState& s) const;
  CChoice decode(const z3::model& m, const SysChoice& c) const;
  // The initial state; x and y are A's and B's ISS when start_established.
  CState initial(Seq x, Seq y) const;
  // The concrete step, through the real step(); nullopt when the choice is not enabled.
  std::optional<CState> apply(const CState& s, const CChoice& c, CEvent* ev = nullptr) const;
  bool bad(model::Property p, const CState& s) const;
  // Every field of a concrete state, one host or slot per line: for reading a counterexample
  // to induction, whose first state is arbitrary and so has no trace from the start.
  std::string describe(const CState& s) const;

 private:
  // 8b. both-closed's ghost and monitor, both forms from model/response.hpp (the one definition).
  void trans_both_closed(const SysState& s, const SysState& n, z3::expr& e) const;
  void apply_both_closed(const CState& s, CState& n) const;
  // 1b: how long a segment lives in the budget world (kNormalDelay, or MSL when flagged delayed).
  z3::expr lifetime(const SymSlot& q) const;
  void time_wait_clauses(const SysState& s, std::vector<Clause>& r) const;
  // The one-slot world's clauses, in groups (stale_clauses adds them all, in their order).
  void stale_clauses(const SysState& s, std::vector<Clause>& r) const;
  void stale_segment_clauses(const SysState& s, std::vector<Clause>& r) const;
  void stale_number_clauses(const SysState& s, std::vector<Clause>& r) const;
  void stale_role_clauses(const SysState& s, std::vector<Clause>& r) const;
  void clock_clauses(const SysState& s, std::vector<Clause>& r) const;
  void clock_count_clauses(const SysState& s, std::vector<Clause>& r) const;
  // Whether states carry the n_iss ghost: only the ISN-clock invariant reads it.
  bool counts_iss() const { return o_.invariant.value_or(o_.isn) == IsnPolicy::Clock; }
  // Config::delayed_ack: the hosts may arm Timer::DelAck (else its deadline is the constant kNever).
  bool delack() const { return o_.cfg.delayed_ack != DelayedAck::Off; }
  // The budget world's clauses (docs/proofs.md "The budget world", "One loss"): why TIME-WAIT
  // outlives every old segment when at most one may be lost. budget_clauses adds them all, in
  // their order; BudgetTerms carries the terms its groups share.
  void budget_clauses(const SysState& s, std::vector<Clause>& r) const;
  struct BudgetTerms;
  void budget_tw_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const;
  void budget_last_ack_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const;
  void budget_open_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const;
  void budget_fin_wait_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const;
  z3::expr fins_accounted(const SysState& s, int h) const;
  z3::expr fin_send_times(const SysState& s, int h, const z3::expr& first) const;
  void budget_end_clauses(const SysState& s, const BudgetTerms& b, std::vector<Clause>& r) const;
  z3::expr fin_first_sent(const z3::expr& deadline, const z3::expr& retries, unsigned top) const;
  // The most retransmissions of host h's FIN the budget clauses allow before it is answered: 2,
  // and 3 for B's LAST-ACK with one loss (A's old FIN, answered by B and then by A's TIME-WAIT,
  // can keep A's answers coming after B's last FIN).
  unsigned fin_retries_bound(int h) const { return h == 1 && o_.loss && *o_.loss == 1 ? 3 : 2; }
  z3::expr fin_acked_by(const SymSlot& q, const z3::expr& from) const;
  SystemOptions o_;
  Vocabulary v_;
};

// pono core/unroller.h: timed copies of the state variables and of the step's choices.
class Unroller {
 public:
  explicit Unroller(const System& sys) : sys_(sys) {}
  const SysState& state(unsigned k);
  const SysChoice& choice(unsigned k);
  z3::expr trans(unsigned k);  // T(state(k), choice(k), state(k + 1))

 private:
  const System& sys_;
  std::vector<SysState> states_;
  std::vector<SysChoice> choices_;
};

// A violation found by an engine: the states and choices the solver picked, replayed through
// step(), and the human trace (model/trace.hpp's format).
struct Witness {
  std::vector<CState> states;   // states[0] initial, states[k + 1] after choices[k]
  std::vector<CChoice> choices;
  bool replay_ok = false;       // apply() reproduced every state and the violation
  std::string replay_problem;   // why not
  std::string trace;
};
// Replays the decoded path through apply() and formats it; `p` is the violated property.
Witness make_witness(const System& sys, std::vector<CState> states, std::vector<CChoice> choices,
                     model::Property p);

}  // namespace tcpclose::proofs
