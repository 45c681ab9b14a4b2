// BMC, k-induction and CHC over System::trans (see engines.hpp). Structure after pono's
// engines (one unroller, incremental solvers, push/pop per bound) and, for CHC, solidity's
// libsmtutil/Z3CHCInterface.cpp (rules as universally closed implications, a query relation).
#include "tcpclose/proofs/engines.hpp"

#include "tcpclose/proofs/together.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_set>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace tcpclose::proofs {

const char* name(Outcome o) {
  switch (o) {
    case Outcome::Proved: return "proved";
    case Outcome::Violated: return "violated";
    case Outcome::Unknown: return "unknown";
    case Outcome::Error: return "error";
  }
  return "?";
}

const char* name(Engine e) {
  switch (e) {
    case Engine::Bmc: return "bmc";
    case Engine::KInduction: return "kind";
    case Engine::Chc: return "chc";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

// The time budget of one engine run. Z3's own timeouts are not honoured everywhere (Spacer,
// preprocessing), so a watchdog interrupts the context when the budget is spent.
struct Budget {
  Clock::time_point start = Clock::now();
  double limit;
  z3::context* ctx;
  std::mutex m;
  std::condition_variable cv;
  bool done = false, fired = false;
  unsigned shields = 0;  // derivations in progress (Shield): the watchdog waits them out
  std::thread watchdog;
  Budget(double seconds, z3::context& c) : limit(seconds), ctx(&c) {
    watchdog = std::thread([this] {
      std::unique_lock<std::mutex> lock(m);
      const auto until = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit));
      cv.wait_until(lock, until, [this] { return done; });
      cv.wait(lock, [this] { return done || shields == 0; });
      if (done) return;
      fired = true;
      ctx->interrupt();
    });
  }
  ~Budget() {
    { std::lock_guard<std::mutex> lock(m); done = true; }
    cv.notify_all();
    watchdog.join();
  }
  Budget(const Budget&) = delete;
  Budget& operator=(const Budget&) = delete;
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start).count(); }
  unsigned left_ms() const {
    const double left = limit - elapsed();
    return left <= 0 ? 1u : static_cast<unsigned>(left * 1000.0) + 1u;
  }
  bool over() const { return elapsed() >= limit; }
  bool interrupted() { std::lock_guard<std::mutex> lock(m); return fired; }
  // Why a query came back unknown: the budget when the watchdog fired (Z3 itself says only
  // "canceled"), else Z3's own reason.
  std::string why_unknown(const std::string& z3_reason) {
    if (interrupted()) return fmt::format("timeout after {:.0f} s", limit);
    return z3_reason;
  }
};

// A derivation of the relation (System::trans runs step()'s noexcept rules on Z3 terms) while
// the budget's watchdog is live: a "canceled" thrown inside the rules would end the process
// (std::terminate; seen under ASan with --timeout 1, prove_junit.py). The watchdog waits until
// no Shield is left before it interrupts; a Shield asked for after it fired throws at once,
// outside the rules, and the engine ends Unknown ("timeout") as for any other interrupt.
class Shield {
 public:
  explicit Shield(Budget& b) : b_(b) {
    std::lock_guard<std::mutex> lock(b_.m);
    if (b_.fired) throw z3::exception("canceled");
    ++b_.shields;
  }
  ~Shield() {
    { std::lock_guard<std::mutex> lock(b_.m); --b_.shields; }
    b_.cv.notify_all();
  }
  Shield(const Shield&) = delete;
  Shield& operator=(const Shield&) = delete;

 private:
  Budget& b_;
};

// z3::exception at the engine boundary: a timeout when the watchdog interrupted, else an Error.
void caught(Result& r, Budget& b, const z3::exception& e) {
  if (b.interrupted() || b.over()) {
    r.outcome = Outcome::Unknown;
    r.detail = fmt::format("timeout after {:.0f} s", b.limit);
  } else {
    r.outcome = Outcome::Error;
    r.detail = e.msg();
  }
}

void set_timeout(BitBlasted& s, Budget& b) { s.set_timeout_ms(b.left_ms()); }

// The path 0..k of the model, decoded and replayed.
Witness witness_of(const System& sys, Unroller& u, const z3::model& m, unsigned k, model::Property p) {
  std::vector<CState> states;
  std::vector<CChoice> choices;
  for (unsigned i = 0; i <= k; ++i) states.push_back(sys.decode(m, u.state(i)));
  for (unsigned i = 0; i < k; ++i) choices.push_back(sys.decode(m, u.choice(i)));
  return make_witness(sys, std::move(states), std::move(choices), p);
}

// An UNSAT the result rests on, handed to the second solver when asked.
bool confirmed(const EngineOptions& o, Result& r, const std::string& label, z3::solver& s) {
  if (!o.recheck) return true;
  if (!o.recheck(label, s)) {
    r.outcome = Outcome::Error;
    r.detail = fmt::format("the second solver did not confirm {}", label);
    return false;
  }
  ++r.rechecked;
  return true;
}

// Shared by bmc() and reach(): for k = 0, 1, ..., depth, is there a path of exactly k steps to
// a state where `target` holds? One fresh solver per k (measured: much faster here than one
// query for all depths, or than push/pop). SAT: the first such k gives the shortest witness.
template <class Target>
Result search(const System& sys, const EngineOptions& o, Result r, Target target, model::Property shown_as) {
  Budget budget(o.timeout_seconds, sys.ctx());
  try {
    Unroller u(sys);
    for (unsigned k = 0; k <= o.depth; ++k) {
      if (o.on_depth) o.on_depth(k);
      BitBlasted s(sys.ctx());
      s.add(sys.init(u.state(0)));
      {
        const Shield derive(budget);
        for (unsigned i = 0; i < k; ++i) s.add(u.trans(i));
      }
      s.add(target(u.state(k)));
      set_timeout(s, budget);
      const z3::check_result cr = s.check();
      if (cr == z3::sat) {
        r.outcome = Outcome::Violated;
        r.depth = k;
        r.witness = witness_of(sys, u, s.get_model(), k, shown_as);
        r.seconds = budget.elapsed();
        return r;
      }
      if (cr == z3::unknown) {
        r.outcome = Outcome::Unknown;
        r.detail = fmt::format("depth {}: {}", k, budget.why_unknown(s.reason_unknown()));
        r.seconds = budget.elapsed();
        return r;
      }
      if (!confirmed(o, r, fmt::format("bmc-depth-{}", k), s.as_written())) { r.seconds = budget.elapsed(); return r; }
      r.depth = k;
    }
    r.outcome = Outcome::Proved;
    r.bounded = true;
  } catch (const z3::exception& e) {
    caught(r, budget, e);
  }
  r.seconds = budget.elapsed();
  return r;
}

// Two states differ in some variable (a simple path visits no state twice).
z3::expr distinct(const System& sys, const SysState& a, const SysState& b) {
  const std::vector<z3::expr> x = sys.vars(a), y = sys.vars(b);
  z3::expr_vector d(sys.ctx());
  for (std::size_t i = 0; i < x.size(); ++i) d.push_back(x[i] != y[i]);
  return z3::mk_or(d);
}

// A counterexample to induction for people: every field of states 0..k (the first is arbitrary,
// so there is no trace from the start), the move between them as apply() replays it, and the
// clauses of the strengthened property that fail at k.
std::string describe_cti(const System& sys, Unroller& u, const z3::model& m, unsigned k, model::Property p) {
  static constexpr const char* kMoves[kMoveCount] = {"app", "deliver", "timer"};
  std::string r;
  for (unsigned i = 0; i <= k; ++i) {
    const CState cs = sys.decode(m, u.state(i));
    r += fmt::format("state {}{}:\n{}", i, i == k ? " (fails the strengthened property)" : "", sys.describe(cs));
    if (i == k) break;
    const CChoice ch = sys.decode(m, u.choice(i));
    CEvent ev;
    const std::optional<CState> nx = sys.apply(cs, ch, &ev);
    std::string what = "  (apply(): not enabled)";
    if (nx && ev.ran_core)
      what = fmt::format("  -> {}, verdict {}, effects {:#x}{}", tcpclose::name(ev.out.tcb.state),
                         static_cast<int>(ev.out.verdict), ev.out.effects, ev.out.actions.sent() ? ", sends" : "");
    r += fmt::format("move {}: {} {} {} slot {} keep {} timer {} delta {} isn {}{}\n", i,
                     kMoves[static_cast<std::size_t>(ch.move)], ch.move == Move::Deliver ? "to" : "by",
                     ch.host_b ? 'B' : 'A', ch.slot, ch.keep,
                     tcpclose::name(ch.timer), ch.delta, ch.isn, what);
  }
  for (const System::Clause& cl : sys.helper_clauses(p, u.state(k)))
    if (!m.eval(cl.holds, true).is_true()) r += fmt::format("  fails: {}\n", cl.name);
  if (m.eval(sys.bad(p, u.state(k)), true).is_true()) r += "  fails: the property\n";
  return r;
}

// Q, the property strengthened by System::helper, at s (k-induction's step case assumes it).
z3::expr q_holds(const System& sys, model::Property p, const SysState& s) { return !sys.bad(p, s) && sys.helper(p, s); }

// k-induction's base case at k: true when it ends the run (r says how); notes a failing helper.
bool kind_base_case(const System& sys, model::Property p, Unroller& u, unsigned k, Budget& budget, Result& r,
                    std::string& helper_failed) {
  // Base: no path of exactly k steps from the initial states violates P, nor (while it is
  // in use) the auxiliary invariant.
  for (const bool on_helper : {false, true}) {
    if (on_helper && !helper_failed.empty()) break;
    BitBlasted base(sys.ctx());
    base.add(sys.init(u.state(0)));
    {
      const Shield derive(budget);
      for (unsigned i = 0; i < k; ++i) base.add(u.trans(i));
    }
    base.add(on_helper ? !sys.helper(p, u.state(k)) : sys.bad(p, u.state(k)));
    set_timeout(base, budget);
    const z3::check_result b = base.check();
    r.depth = k;
    if (b == z3::unknown) {
      r.outcome = Outcome::Unknown;
      r.detail = fmt::format("base case at k = {}: {}", k, budget.why_unknown(base.reason_unknown()));
      r.seconds = budget.elapsed();
      return true;
    }
    if (b == z3::unsat) continue;
    if (!on_helper) {
      r.outcome = Outcome::Violated;
      r.witness = witness_of(sys, u, base.get_model(), k, p);
      r.seconds = budget.elapsed();
      return true;
    }
    helper_failed = fmt::format("the auxiliary invariant fails at depth {}; no violation to depth ", k);
  }
  return false;
}

// The step case's goals at k, named: "not Q at k", whole or split (split_step, split_moves).
std::vector<std::pair<std::string, z3::expr>> kind_step_goals(const System& sys, model::Property p,
                                                              const EngineOptions& o, Unroller& u, unsigned k,
                                                              bool split) {
  std::vector<std::pair<std::string, z3::expr>> goals;
  if (split) {
    goals.emplace_back("property", sys.bad(p, u.state(k)));
    for (const System::Clause& cl : sys.helper_clauses(p, u.state(k))) goals.emplace_back(cl.name, !cl.holds);
  } else {
    goals.emplace_back("all", !q_holds(sys, p, u.state(k)));
  }
  // Only the goals named in TCPCLOSE_KIND_ONLY (comma-separated), for timing one clause while
  // finding clauses: a step case with goals left out proves nothing, so the run ends unknown.
  if (const char* only = std::getenv("TCPCLOSE_KIND_ONLY"); only != nullptr && k >= 1) {
    const std::string names = std::string(",") + only + ",";
    std::erase_if(goals, [&](const auto& g) { return names.find("," + g.first + ",") == std::string::npos; });
    goals.emplace_back("left out (TCPCLOSE_KIND_ONLY)", sys.ctx().bool_val(true));
  }
  // With split_moves, each goal is asked once per kind of last move (A's or B's call or
  // timer, a delivery from each slot): fixing the move lets the simplifier drop the rest of T.
  // Without it the goals stay as they are (conjoining `true` made the step case slower).
  if (k >= 1 && o.split_moves) {
    const SysChoice& c = u.choice(k - 1);
    z3::context& cx = sys.ctx();
    auto move_is = [&](Move m) { return c.move == cx.bv_val(static_cast<unsigned>(m), 8); };
    std::vector<std::pair<std::string, z3::expr>> cases;
    for (bool b : {false, true}) {
      const std::string h = b ? "B" : "A";
      const z3::expr hb = c.host_b == cx.bool_val(b);
      cases.emplace_back("app " + h, hb && move_is(Move::App));
      cases.emplace_back("timer " + h, hb && move_is(Move::Timer));
      for (unsigned j = 0; j < sys.options().slots; ++j)
        cases.emplace_back(fmt::format("deliver net{} to {}", j, h), hb && move_is(Move::Deliver) && c.slot == cx.bv_val(j, 8));
    }
    std::vector<std::pair<std::string, z3::expr>> split_goals;
    for (const auto& [gn, g] : goals)
      for (const auto& [cn, ce] : cases) split_goals.emplace_back(gn + ", " + cn, g && ce);
    goals = std::move(split_goals);
  }
  return goals;
}

// What the step case's queries answered: the first goal that is not UNSAT ends them.
struct StepAnswer {
  z3::check_result st = z3::unsat;
  std::optional<z3::model> cex;  // when st is sat
  std::string why;               // when st is unknown
  bool unconfirmed = false;      // the second solver did not confirm an UNSAT (r says so)
};

// Which of `goals` one bit-blasted solver answers UNSAT beside `common` (together.hpp), each
// within `goal_ms`, for CHC's split step check and k-induction's split step case alike: none when
// EngineOptions::together is off, with a second solver (it confirms each query on its own), or
// for a single goal.
std::vector<bool> together_if_on(const System& sys, const EngineOptions& o, Budget& budget, const z3::expr& common,
                                 const std::vector<z3::expr>& goals, unsigned goal_ms) {
  if (!o.together || o.recheck || goals.size() < 2) return std::vector<bool>(goals.size(), false);
  return unsat_together(sys.ctx(), common, goals, budget.left_ms(), goal_ms);
}

// How long k-induction's shared pass gives each step goal before asking it alone (BitBlasted).
// From two slots on, 1 s: the hard goals end alone anyway, and with the 10 s that CHC's checks
// get, the 3-slot one-loss proof of no-stale-delivery spent some 55 s a thread waiting them out
// (194 s against 153 s with 1 s and 162 s with every goal alone; 2 slots: 82 s against 51 s). In
// the one-slot world the slowest goals take 1 to 3 s shared and as long again alone, so the cap
// only wastes time there: 6.3 to 6.6 s with 3 or 10 s, 8.2 to 9.1 s with 1 s, one thread
// (docs/proofs.md, "Enumerations lowered for every query").
unsigned kind_goal_ms(const System& sys) { return sys.options().slots >= 2 ? 1000 : 10000; }
constexpr unsigned kChcCheckMs = 10000;

// The step case's frame at k: T between states 0..k, Q on the first k, and the simple path.
std::vector<z3::expr> step_frame(const System& sys, model::Property p, Unroller& u, unsigned k) {
  std::vector<z3::expr> f;
  for (unsigned i = 0; i < k; ++i) {
    f.push_back(u.trans(i));
    f.push_back(q_holds(sys, p, u.state(i)));
    // Simple path (pono adds it lazily too): useless at k = 1, where equal states cannot go
    // from Q to not Q, and it slowed that query down several times.
    if (k >= 2)
      for (unsigned j = i + 1; j <= k; ++j) f.push_back(distinct(sys, u.state(i), u.state(j)));
  }
  return f;
}

// The split goals one bit-blasted solver answers UNSAT together (together_if_on, as CHC's
// checks): those are not asked again.
std::vector<bool> goals_together(const System& sys, const EngineOptions& o, bool split, const std::vector<z3::expr>& frame,
                                 const std::vector<std::pair<std::string, z3::expr>>& goals, Budget& budget,
                                 Result& r) {
  if (!split) return std::vector<bool>(goals.size(), false);
  z3::expr common = sys.ctx().bool_val(true);
  for (const z3::expr& e : frame) common = common && e;
  std::vector<z3::expr> gs;
  for (const auto& g : goals) gs.push_back(g.second);
  const double t0 = budget.elapsed();
  const std::vector<bool> unsat = together_if_on(sys, o, budget, common, gs, kind_goal_ms(sys));
  const auto n = static_cast<unsigned>(std::count(unsat.begin(), unsat.end(), true));
  r.together += n;
  if (std::getenv("TCPCLOSE_KIND_TRACE") != nullptr)
    std::fprintf(stderr, "kind step goals together: %u of %zu unsat in %.1f s\n", n, goals.size(), budget.elapsed() - t0);
  return unsat;
}

// One step goal asked alone beside the frame on `stepper`, a fresh bit-blasting solver, within
// the budget. Finding clauses CTI by CTI: TCPCLOSE_KIND_TRACE prints which conjunct is slow, or
// fails (stderr; `who` names the thread that asked it, if any).
z3::check_result ask_alone(BitBlasted& stepper, const std::vector<z3::expr>& frame, const z3::expr& goal,
                           Budget& budget, unsigned k, const std::string& name, const std::string& who) {
  for (const z3::expr& e : frame) stepper.add(e);
  stepper.add(goal);
  set_timeout(stepper, budget);
  const double t0 = budget.elapsed();
  const z3::check_result st = stepper.check();
  if (std::getenv("TCPCLOSE_KIND_TRACE") != nullptr)
    std::fprintf(stderr, "kind step %u %-28s %s %.1f s%s\n", k, name.c_str(),
                 st == z3::unsat ? "unsat" : st == z3::sat ? "sat" : "unknown", budget.elapsed() - t0, who.c_str());
  return st;
}

// Which of the split step goals at k are UNSAT, asked on o.threads threads within `seconds`:
// thread w asks goals w, w + n, w + 2n, ... as ask_step_goals does (together, then each alone),
// in its own context with its own System (a Z3 context is not shared between threads; each
// derives the same relation, and the goals come in the same order). A thread stops at its first
// goal that is not UNSAT, and skips any goal after a failure another thread found. Only which
// goals are UNSAT comes back: the caller asks the others again in order, for the first failure's
// model or reason, so the answer is the serial one.
std::vector<bool> unsat_on_threads(const System& sys, model::Property p, const EngineOptions& o, unsigned k,
                                   std::size_t n, double seconds, Result& r) {
  std::vector<char> unsat(n, 0);
  std::atomic<std::size_t> first_failure{n};
  std::atomic<unsigned> together{0};
  auto work = [&](unsigned w) {
    try {
      z3::context c;
      Budget wb(seconds, c);
      std::optional<Shield> derive(std::in_place, wb);  // this thread derives its own relation
      const System ws(c, sys.options());
      Unroller wu(ws);
      const auto goals = kind_step_goals(ws, p, o, wu, k, true);
      const std::vector<z3::expr> frame = step_frame(ws, p, wu, k);
      derive.reset();
      if (goals.size() != n) return;
      std::vector<std::size_t> mine;
      for (std::size_t gi = w; gi < n; gi += o.threads) mine.push_back(gi);
      std::vector<std::pair<std::string, z3::expr>> my_goals;
      for (std::size_t gi : mine) my_goals.push_back(goals[gi]);
      Result wr;
      const std::vector<bool> tog = goals_together(ws, o, true, frame, my_goals, wb, wr);
      together += wr.together;
      for (std::size_t i = 0; i < mine.size(); ++i) {
        if (mine[i] > first_failure.load()) return;
        if (tog[i]) { unsat[mine[i]] = 1; continue; }
        BitBlasted stepper(c);
        const z3::check_result st =
            ask_alone(stepper, frame, my_goals[i].second, wb, k, my_goals[i].first, fmt::format(" (thread {})", w));
        if (st == z3::unsat) { unsat[mine[i]] = 1; continue; }
        std::size_t f = first_failure.load();
        while (mine[i] < f && !first_failure.compare_exchange_weak(f, mine[i])) {}
        return;
      }
    } catch (const z3::exception&) {
      // the goals left unmarked are asked again by the caller, which reports what it finds
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < o.threads; ++w) pool.emplace_back(work, w);
  for (std::thread& t : pool) t.join();
  r.together += together.load();
  return {unsat.begin(), unsat.end()};
}

// Asks the step case's goals at k in turn, each on a fresh solver, and re-checks each UNSAT.
StepAnswer ask_step_goals(const System& sys, model::Property p, const EngineOptions& o, Unroller& u, unsigned k,
                          bool split, const std::vector<std::pair<std::string, z3::expr>>& goals, Budget& budget,
                          Result& r) {
  z3::check_result st = z3::unsat;
  std::optional<z3::model> cex;
  std::string why;
  const std::vector<z3::expr> frame = [&] {
    const Shield derive(budget);
    return step_frame(sys, p, u, k);
  }();
  const bool threads = split && o.threads > 1 && !o.recheck && goals.size() > 1;
  const std::vector<bool> together = threads ? unsat_on_threads(sys, p, o, k, goals.size(), budget.limit - budget.elapsed(), r)
                                             : goals_together(sys, o, split, frame, goals, budget, r);
  for (std::size_t gi = 0; gi < goals.size(); ++gi) {
    if (together[gi]) continue;
    const auto& [goal_name, goal] = goals[gi];
    BitBlasted stepper(sys.ctx());
    st = ask_alone(stepper, frame, goal, budget, k, goal_name, "");
    if (st == z3::sat) cex = stepper.get_model();
    if (st == z3::unknown) why = budget.why_unknown(stepper.reason_unknown());
    if (st != z3::unsat) break;
    const std::string label = split ? fmt::format("kind-step-{}-{}", k, goal_name) : fmt::format("kind-step-{}", k);
    if (!confirmed(o, r, label, stepper.as_written())) return {st, std::move(cex), why, true};
  }
  return {st, std::move(cex), why, false};
}

// k-induction's step case at k: true when it ends the run (r says how), false to go on to k + 1.
bool kind_step_case(const System& sys, model::Property p, const EngineOptions& o, Unroller& u, unsigned k,
                    Budget& budget, Result& r) {
  // Step: Q on states 0..k-1, all distinct, T between them, and not Q at k (a fresh
  // non-incremental solver, as for BMC). With split_step, "not Q at k" is asked one
  // conjunct at a time (the property, then each clause of the auxiliary invariant): the
  // same question, as several smaller UNSAT queries.
  const bool split = o.split_step.value_or(p == model::Property::NoStaleDelivery);
  const std::vector<std::pair<std::string, z3::expr>> goals = [&] {
    const Shield derive(budget);
    return kind_step_goals(sys, p, o, u, k, split);
  }();
  const StepAnswer a = ask_step_goals(sys, p, o, u, k, split, goals, budget, r);
  if (a.unconfirmed) { r.seconds = budget.elapsed(); return true; }
  r.depth = k;
  if (a.st == z3::unsat) {
    r.outcome = Outcome::Proved;
    r.cti.clear();
    if (r.together != 0) r.detail = fmt::format("{} step goals on one bit-blasted solver", r.together);
    r.seconds = budget.elapsed();
    return true;
  }
  if (a.st == z3::sat) r.cti = describe_cti(sys, u, *a.cex, k, p);
  if (a.st == z3::unknown || budget.over()) {
    r.detail = fmt::format("step case at k = {}: {}", k, a.st == z3::unknown ? a.why : "timeout");
    r.outcome = Outcome::Unknown;
    r.seconds = budget.elapsed();
    return true;
  }
  return false;
}

}  // namespace

Result bmc(const System& sys, model::Property p, const EngineOptions& o) {
  Result r;
  r.engine = Engine::Bmc;
  r.property = p;
  return search(sys, o, r, [&](const SysState& s) { return sys.bad(p, s); }, p);
}

Result reach(const System& sys, model::Guard g, const EngineOptions& o) {
  Result r;
  r.engine = Engine::Bmc;
  Result out = search(sys, o, r, [&](const SysState& s) { return sys.guard(g, s); }, model::Property::NoStaleDelivery);
  if (out.witness) {
    // The replay's last check is about a property; a guard's witness is checked here instead.
    Witness& w = *out.witness;
    const std::string tail = fmt::format("violated: {}", model::name(model::Property::NoStaleDelivery));
    w.trace = w.trace.substr(0, w.trace.find(tail)) + fmt::format("reached: {}: {}\n", model::name(g), model::statement(g));
    if (w.replay_problem == "the replay does not violate the property") { w.replay_problem.clear(); w.replay_ok = true; }
  }
  return out;
}

Result reach(const System& sys, const std::function<z3::expr(const SysState&)>& target, const std::string& what,
             const EngineOptions& o) {
  Result r;
  r.engine = Engine::Bmc;
  Result out = search(sys, o, r, target, model::Property::NoStaleDelivery);
  if (out.witness) {
    Witness& w = *out.witness;
    const std::string tail = fmt::format("violated: {}", model::name(model::Property::NoStaleDelivery));
    w.trace = w.trace.substr(0, w.trace.find(tail)) + fmt::format("reached: {}\n", what);
    if (w.replay_problem == "the replay does not violate the property") { w.replay_problem.clear(); w.replay_ok = true; }
  }
  return out;
}

// pono engines/kinduction.cpp: the base case is BMC at k; the step case asks for a simple path
// of k + 1 states, Q holding on the first k and failing on the last; UNSAT: Q (hence P) is
// proved. Q is the property strengthened by System::helper, which the base case checks too.
Result kinduction(const System& sys, model::Property p, const EngineOptions& o) {
  Result r;
  r.engine = Engine::KInduction;
  r.property = p;
  Budget budget(o.timeout_seconds, sys.ctx());
  try {
    Unroller u(sys);
    // Once the auxiliary invariant fails on a reachable state it cannot strengthen anything: the
    // run goes on as BMC only, to find a violation of the property itself (e.g. on a mutant).
    std::string helper_failed;
    for (unsigned k = 0; k <= o.depth; ++k) {
      if (o.on_depth) o.on_depth(k);
      if (kind_base_case(sys, p, u, k, budget, r, helper_failed)) return r;
      if (!helper_failed.empty()) continue;
      if (kind_step_case(sys, p, o, u, k, budget, r)) return r;
    }
    r.outcome = Outcome::Unknown;
    r.detail = helper_failed.empty()
                   ? fmt::format("not {}-inductive (the step case has a counterexample at every k <= {})", o.depth, o.depth)
                   : helper_failed + std::to_string(o.depth);
  } catch (const z3::exception& e) {
    caught(r, budget, e);
  }
  r.seconds = budget.elapsed();
  return r;
}

namespace {

// The conjuncts of e, nested ANDs flattened, each once (by AST identity), `true` dropped.
std::vector<z3::expr> conjuncts(const z3::expr& e) {
  std::vector<z3::expr> r;
  std::unordered_set<unsigned> seen;
  std::vector<z3::expr> todo{e};
  while (!todo.empty()) {
    const z3::expr f = todo.back();
    todo.pop_back();
    if (f.is_app() && f.decl().decl_kind() == Z3_OP_AND) {
      for (unsigned i = f.num_args(); i-- > 0;) todo.push_back(f.arg(i));
    } else if (!f.is_true() && seen.insert(Z3_get_ast_id(f.ctx(), f)).second) {
      r.push_back(f);
    }
  }
  return r;
}

// The CHC encoding's variables: state x, next state xn, choice c, and Inv's argument lists.
struct ChcVars {
  SysState x, xn;
  SysChoice c;
  z3::sort_vector sorts;
  z3::expr_vector args, nargs, all;
};

// Fresh variables for the CHC encoding, and the sort and argument lists built from them.
ChcVars chc_vars(const System& sys) {
  z3::context& ctx = sys.ctx();
  const SysState x = sys.fresh_state("");
  const SysState xn = sys.fresh_state(".next");  // not a prime: cvc5 reads only SMT-LIB symbols
  const SysChoice c = sys.fresh_choice("");
  const std::vector<z3::expr> xv = sys.vars(x), xnv = sys.vars(xn);
  z3::sort_vector sorts(ctx);
  z3::expr_vector args(ctx), nargs(ctx), all(ctx);
  for (const z3::expr& e : xv) { sorts.push_back(e.get_sort()); args.push_back(e); all.push_back(e); }
  for (const z3::expr& e : xnv) { nargs.push_back(e); all.push_back(e); }
  for (const z3::expr& e : {c.move, c.host_b, c.slot, c.keep, c.timer, c.delta, c.isn}) all.push_back(e);
  if (sys.options().delay) all.push_back(c.late);  // a variable only in the budget world (fresh_choice)
  return {x, xn, c, sorts, args, nargs, all};
}

// Spacer's parameters (its timeout from the budget) and the relations Inv and Err.
void set_up_spacer(z3::fixedpoint& fp, const EngineOptions& o, Budget& budget, z3::func_decl& inv,
                   z3::func_decl& err) {
  z3::params ps(fp.ctx());
  ps.set("engine", "spacer");
  ps.set("timeout", budget.left_ms());
  if (o.chc_seed) ps.set("xform.slice", false);  // Spacer: covers need slicing off
  fp.set(ps);
  fp.register_relation(inv);
  fp.register_relation(err);
}

// Hands Spacer the conjuncts of System::helper as covers of Inv (EngineOptions::chc_seed).
void seed_spacer(const System& sys, model::Property p, const ChcVars& v, z3::func_decl& inv, z3::fixedpoint& fp) {
  // Seed Spacer with k-induction's auxiliary invariant (System::helper) as a lemma of Inv at
  // every level (Z3_fixedpoint_add_cover, de Bruijn index i = argument i). Spacer trusts a
  // cover without proving it, so nothing rests on the seed: the invariant Spacer returns is
  // re-checked below (init, step, safe) by a fresh solver, which is what makes it a proof.
  z3::context& ctx = sys.ctx();
  z3::expr_vector bound(ctx);
  for (unsigned i = 0; i < v.args.size(); ++i)
    bound.push_back(z3::expr(ctx, Z3_mk_bound(ctx, i, v.sorts[i])));
  // Each conjunct of the seed is its own cover, after simplification and without repeats.
  // Handed over as one conjunction, no-stale-delivery's clauses tripped an assertion in
  // Z3 4.8.12's Spacer (spacer_context.cpp:2194 "Failed to verify: found") that aborts the
  // process; one conjunct at a time, Spacer closes the one-slot proof in a second.
  for (z3::expr l : conjuncts(sys.helper(p, v.x).simplify())) {
    z3::expr lemma = l.substitute(v.args, bound);
    fp.add_cover(-1, inv, lemma);
  }
}

// Spacer's query Err: true when it ends the run (r says how), false when it found an invariant.
bool ask_spacer(const System& sys, model::Property p, const EngineOptions& o, Budget& budget, z3::fixedpoint& fp,
                z3::expr& goal, Result& r) {
  // If the watchdog fired while the rules and covers were built (about 1 s), the query is not
  // started at all: an interrupt does not reach a query that starts after it, so `--timeout 1`
  // took 2 s per property. (Setting the parameters again here instead made Spacer drop the
  // covers: the time-wait-duration CHC proof went from 90 s to past 8 min.)
  if (budget.over() || budget.interrupted()) {
    r.outcome = Outcome::Unknown;
    r.detail = fmt::format("timeout after {:.0f} s", budget.limit);
    r.seconds = budget.elapsed();
    return true;
  }
  const z3::check_result q = fp.query(goal);
  r.seconds = budget.elapsed();
  if (q == z3::sat) {
    // A reachable violation: Spacer found a counterexample; BMC gives the shortest witness.
    EngineOptions bo = o;
    bo.timeout_seconds = std::max(1.0, o.timeout_seconds - r.seconds);
    Result w = bmc(sys, p, bo);
    r.outcome = Outcome::Violated;
    r.witness = w.witness;
    r.depth = w.depth;
    if (!r.witness) r.detail = "Spacer found a counterexample; BMC found no witness within the depth";
    r.seconds = budget.elapsed();
    return true;
  }
  if (q == z3::unknown) {
    r.outcome = Outcome::Unknown;
    r.detail = budget.why_unknown(fp.reason_unknown());
    return true;
  }
  return false;
}

// One UNSAT query that Spacer's invariant must pass, named for the second solver. A small one
// (one conjunct of the step check) holds that conjunct, negated: it is asked together with the
// others beside the step first (together.hpp), and alone with a restart (ask_restarted).
struct Check {
  std::string label;
  z3::expr query;
  std::optional<z3::expr> negated;  // only a small one's
};

// A check asked on a fresh solver; a small one with a restart. Its time has a heavy tail over
// Z3's seeds (chc-step-44 of the one-slot proof: 0.2 s under three seeds of four, 50 s under the
// fourth, where the other checks take 0.1 to 2.6 s: docs/proofs.md, "Term order, grouping and
// enumerations"), so a first attempt that runs out of `first` seconds is asked once more, under
// the next seed, with the rest of the run's budget. The answer is the query's, whatever the
// seed; only the time depends on it. Returns the solver that answered; counts the restart.
BitBlasted ask_restarted(z3::context& ctx, const Check& k, const EngineOptions& o, double first, Budget& budget,
                         z3::check_result& cr, unsigned& restarts) {
  for (unsigned i = 0;; ++i) {
    BitBlasted s(ctx);
    const bool last = i > 0 || !k.negated || first <= 0 || first * 1000.0 >= budget.left_ms();
    s.set_timeout_ms(last ? budget.left_ms() : static_cast<unsigned>(first * 1000.0));
    s.set_seed(o.seed + i);
    s.add(k.query);
    cr = s.check();
    if (cr != z3::unknown || last || budget.interrupted() || budget.over()) return s;
    if (s.reason_unknown().find("timeout") == std::string::npos &&
        s.reason_unknown().find("canceled") == std::string::npos)
      return s;  // not a matter of time: another seed would not help
    ++restarts;
  }
}

// The UNSAT queries that make Spacer's invariant a proof: init, step (whole or per conjunct), safe.
std::vector<Check> invariant_checks(const System& sys, model::Property p, const EngineOptions& o, const ChcVars& v,
                                    const z3::expr& cover, const z3::expr& body, const z3::expr& nbody,
                                    const z3::expr& step) {
  std::vector<Check> checks = {{"chc-init", sys.init(v.x) && !body, std::nullopt}};
  // The step check can be asked whole or one conjunct of the invariant at a time, as
  // k-induction's step case (the same question; EngineOptions::split_step).
  if (o.split_step.value_or(p == model::Property::NoStaleDelivery)) {
    std::vector<z3::expr> parts = conjuncts(cover);
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const z3::expr negated = !parts[i].substitute(v.nargs);
      checks.push_back({fmt::format("chc-step-{}", i + 1), step && negated, negated});
    }
  } else {
    checks.push_back({"chc-step", step && !nbody, std::nullopt});
  }
  checks.push_back({"chc-safe", body && sys.bad(p, v.x), std::nullopt});
  return checks;
}

// Which checks one bit-blasted solver answers UNSAT together (EngineOptions::together). The
// split step check's 71 small queries in the one-slot world are the same invariant and transition
// with one conjunct negated each: asked one by one on fresh solvers, each pays its own
// preprocessing, and their times have a heavy tail over Z3's seeds (chc-step-44: 0.2 s or 50 s),
// because the enumeration sorts keep them off the SAT solver. Lowered to bit-vectors and asked
// on one incremental solver, the encoding's 71 took 10 to 12 s and the derived relation's 5.5 to
// 6 s, seeds 1 to 5 (docs/proofs.md, "Engines").
std::vector<bool> answered_together(const System& sys, const EngineOptions& o, Budget& budget,
                                    const std::vector<Check>& checks, const z3::expr& step) {
  std::vector<z3::expr> goals;
  for (const Check& k : checks)
    if (k.negated) goals.push_back(*k.negated);
  std::vector<bool> unsat(checks.size(), false);
  const std::vector<bool> g = together_if_on(sys, o, budget, step, goals, kChcCheckMs);
  for (std::size_t i = 0, j = 0; i < checks.size(); ++i)
    if (checks[i].negated) unsat[i] = g[j++];
  return unsat;
}

// Runs the checks on fresh solvers: true when one fails or is not confirmed (r says how).
bool check_invariant(const System& sys, model::Property p, const EngineOptions& o, Budget& budget,
                     const std::vector<Check>& checks, const z3::expr& step, Result& r) {
  double longest = 0;  // the longest check so far: twice it is never cut short (ask_restarted)
  const bool trace = std::getenv("TCPCLOSE_CHC_TRACE") != nullptr;
  const double t_together = budget.elapsed();
  const std::vector<bool> together = answered_together(sys, o, budget, checks, step);
  r.together = static_cast<unsigned>(std::count(together.begin(), together.end(), true));
  if (trace && r.together)
    std::fprintf(stderr, "chc checks together: %u unsat in %.1f s\n", r.together, budget.elapsed() - t_together);
  for (std::size_t ki = 0; ki < checks.size(); ++ki) {
    const Check& k = checks[ki];
    if (together[ki]) continue;
    const double t0 = budget.elapsed();
    z3::check_result cr = z3::unknown;
    const double first = o.restart_after <= 0 ? 0 : std::max(o.restart_after, o.restart_adaptive ? 2 * longest : 0.0);
    BitBlasted s = ask_restarted(sys.ctx(), k, o, first, budget, cr, r.restarts);
    longest = std::max(longest, budget.elapsed() - t0);
    // Which of the invariant's checks is slow (stderr, on request), as TCPCLOSE_KIND_TRACE does
    // for k-induction's step goals.
    if (trace)
      std::fprintf(stderr, "chc check %-14s %s %.1f s\n", k.label.c_str(),
                   cr == z3::unsat ? "unsat" : cr == z3::sat ? "sat" : "unknown", budget.elapsed() - t0);
    if (cr == z3::sat && o.chc_seed) {
      // Spacer trusted a seed that is not invariant here (on a mutant, System::helper can
      // fail on reachable states), so its "unsat" means nothing. BMC looks for the witness.
      EngineOptions bo = o;
      bo.timeout_seconds = std::max(1.0, o.timeout_seconds - budget.elapsed());
      Result w = bmc(sys, p, bo);
      r.outcome = w.witness ? Outcome::Violated : Outcome::Unknown;
      r.witness = w.witness;
      r.depth = w.depth;
      r.detail = fmt::format("the seeded lemma fails {} on this system; {}", k.label,
                             w.witness               ? std::string("BMC found the witness")
                             : w.detail.empty() ? fmt::format("BMC found no witness within {} moves", w.depth)
                                                : "BMC found no witness: " + w.detail);
      r.seconds = budget.elapsed();
      return true;
    }
    if (cr != z3::unsat) {
      r.outcome = cr == z3::sat ? Outcome::Error : Outcome::Unknown;
      r.detail = cr == z3::sat ? fmt::format("Spacer's invariant fails its own check {} (sat)", k.label)
                               : fmt::format("Spacer's invariant: its check {} is unknown ({})", k.label,
                                             budget.why_unknown(s.reason_unknown()));
      r.seconds = budget.elapsed();
      return true;
    }
    if (!confirmed(o, r, k.label, s.as_written())) { r.seconds = budget.elapsed(); return true; }
  }
  return false;
}

}  // namespace

// CHC: Inv(x) <= Init(x);  Inv(x') <= Inv(x) /\ T(x, c, x');  Err <= Inv(x) /\ Bad(x).
// Query Err with Spacer: unsat means an inductive invariant exists. The invariant is then
// checked on its own, by three UNSAT queries (and, when asked, by the second solver).
Result chc(const System& sys, model::Property p, const EngineOptions& o) {
  Result r;
  r.engine = Engine::Chc;
  r.property = p;
  Budget budget(o.timeout_seconds, sys.ctx());
  try {
    z3::context& ctx = sys.ctx();
    const ChcVars v = chc_vars(sys);
    z3::func_decl inv = ctx.function("Inv", v.sorts, ctx.bool_sort());
    z3::func_decl err = ctx.function("Err", 0, nullptr, ctx.bool_sort());
    z3::fixedpoint fp(ctx);
    set_up_spacer(fp, o, budget, inv, err);
    z3::symbol r_init = ctx.str_symbol("init"), r_step = ctx.str_symbol("step"), r_bad = ctx.str_symbol("bad");
    z3::expr rule_init = z3::forall(v.args, z3::implies(sys.init(v.x), inv(v.args)));
    const z3::expr t = [&] {
      const Shield derive(budget);
      return sys.trans(v.x, v.c, v.xn);
    }();
    z3::expr rule_step = z3::forall(v.all, z3::implies(inv(v.args) && t, inv(v.nargs)));
    z3::expr rule_bad = z3::forall(v.args, z3::implies(inv(v.args) && sys.bad(p, v.x), err()));
    z3::expr goal = err();
    fp.add_rule(rule_init, r_init);
    fp.add_rule(rule_step, r_step);
    fp.add_rule(rule_bad, r_bad);
    if (o.chc_seed) seed_spacer(sys, p, v, inv, fp);
    if (ask_spacer(sys, p, o, budget, fp, goal, r)) return r;
    // The invariant: Spacer's cover of Inv, over the arguments (de Bruijn index i = argument i).
    z3::expr cover = fp.get_cover_delta(-1, inv);
    const z3::expr body = cover.substitute(v.args), nbody = cover.substitute(v.nargs);
    r.detail = fmt::format("invariant of {} nodes", Z3_get_ast_id(ctx, body) ? body.to_string().size() : 0);
    const z3::expr step = body && t;
    const std::vector<Check> checks = invariant_checks(sys, p, o, v, cover, body, nbody, step);
    const double spacer_seconds = budget.elapsed();
    if (check_invariant(sys, p, o, budget, checks, step, r)) return r;
    r.outcome = Outcome::Proved;
    r.detail += fmt::format("; Spacer {:.0f} s, its {} checks {:.0f} s", spacer_seconds, checks.size(), budget.elapsed() - spacer_seconds);
    if (r.together != 0) r.detail += fmt::format(", {} of them on one bit-blasted solver", r.together);
    if (r.restarts != 0) r.detail += fmt::format(", {} asked again under another seed", r.restarts);
    z3::stats st = fp.statistics();
    for (unsigned i = 0; i < st.size(); ++i)
      if (st.key(i) == "SPACER max depth" && st.is_uint(i)) r.depth = st.uint_value(i);
  } catch (const z3::exception& e) {
    caught(r, budget, e);
  }
  r.seconds = budget.elapsed();
  return r;
}

Result run(Engine e, const System& sys, model::Property p, const EngineOptions& o) {
  switch (e) {
    case Engine::Bmc: return bmc(sys, p, o);
    case Engine::KInduction: return kinduction(sys, p, o);
    case Engine::Chc: return chc(sys, p, o);
  }
  Result r;
  r.outcome = Outcome::Error;
  r.detail = "no such engine";
  return r;
}

}  // namespace tcpclose::proofs
