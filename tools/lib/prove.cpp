// `tcpclose prove` (see prove.hpp): parse, build the System, run the engines, print.
#include "prove.hpp"

#include "exit_codes.hpp"
#include "signals.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <tcpclose/model/world.hpp>
#include <tcpclose/proofs/engines.hpp>
#include <tcpclose/proofs/process.hpp>
#include <tcpclose/proofs/recheck.hpp>

#include "check.hpp"
#include "counterexample.hpp"
#include "junit.hpp"
#include "progress.hpp"

namespace tcpclose::cli {
namespace {

constexpr int kExitProved = kExitOk, kExitViolated = kExitFailed, kExitUnknown = kExitIncomplete;

std::vector<std::string> provable_names() {
  std::vector<std::string> v{"all"};
  for (model::Property p : proofs::kProvable) v.emplace_back(model::name(p));
  for (model::Property p : proofs::kProvableWhenNamed) v.emplace_back(model::name(p));
  return v;
}

// The default depth of each engine (docs/proofs.md "Measured").
unsigned default_depth(proofs::Engine e) {
  switch (e) {
    case proofs::Engine::Bmc: return 6;
    case proofs::Engine::KInduction: return 3;
    case proofs::Engine::Chc: return 6;  // only the depth of the BMC that looks for its witness
  }
  return 0;
}

// --loss/--delay: a budget 0..8 (as `tcpclose check`'s) or "any" (unbounded, nullopt).
std::optional<unsigned> budget_value(const std::string& s) {
  if (s == "any") return std::nullopt;
  return static_cast<unsigned>(std::stoul(s));
}
const CLI::Validator kBudget(
    [](std::string& s) -> std::string {
      if (s == "any") return {};
      if (s.empty() || s.size() > 1 || s[0] < '0' || s[0] > '8') return "expected a number 0..8 or 'any', got '" + s + "'";
      return {};
    },
    "N|any");

std::string result_text(const proofs::Result& r) {
  if (r.outcome == proofs::Outcome::Proved && r.bounded) return "bounded";
  return proofs::name(r.outcome);
}

}  // namespace

void add_prove_options(CLI::App& cmd, ProveArgs& a) {
  add_knob_options(cmd, a.knobs, true);
  cmd.add_option("--property", a.property, "Property to prove: all (no-stale-delivery and time-wait-duration), one of them, or both-closed (only when "
                 "named; not with --loss any, --delay any or --late-timers)")
      ->check(CLI::IsMember(provable_names()))->capture_default_str();
  cmd.add_option("--engine", a.engine,
                 "portfolio (bmc, kind, chc in turn, each property until one proves or refutes it), all (every "
                 "engine), bmc (bounded), kind (k-induction) or chc (Spacer, unbounded)")
      ->check(CLI::IsMember({"portfolio", "all", "bmc", "kind", "chc"}))->capture_default_str();
  cmd.add_option("--depth", a.depth, "BMC's bound / k-induction's largest k / CHC's witness search (default: bmc 6, kind 3, chc 6)")
      ->check(CLI::Range(1u, 64u));
  cmd.add_option("--timeout", a.timeout,
                 "Seconds per engine run; running out leaves that engine unknown: exit 3, unless (portfolio) a later "
                 "engine decides the property")
      ->check(finite_range(1.0, 86400.0))->capture_default_str();
  cmd.add_option("--seed", a.seed,
                 "Z3's random seed (smt.random_seed and sat.random_seed). Answers do not depend on it; a query's time "
                 "does (2.5x for one BMC query, 0.2 s or 50 s for one CHC check), and a witness may differ (docs/proofs.md)")
      ->capture_default_str();
  auto* w = cmd.add_option_group("World", "Bounds of the composed system (docs/proofs.md)");
  w->add_option("--slots", a.slots, "Network slots, shared by both directions")->check(CLI::Range(1u, 8u))->capture_default_str();
  w->add_option("--incarnations", a.incarnations, "Connections A opens")->check(CLI::Range(1u, 4u))->capture_default_str();
  w->add_option("--dup", a.dup, "Segments the network may duplicate")->check(CLI::Range(0u, 8u))->capture_default_str();
  w->add_option("--data", a.data, "Bytes A sends per connection (0: no send step)")->check(CLI::Range(0u, 100u))->capture_default_str();
  w->add_option("--isn", a.isn, "ISN policy after the first (any) ISS: adversarial (+1..2^30) or clock (+2^24)")
      ->check(CLI::IsMember({"adversarial", "clock"}))->capture_default_str();
  w->add_option("--invariant", a.invariant,
                "no-stale-delivery's auxiliary invariant (k-induction's strengthening, CHC's seed): one-slot or clock (default: the one for --isn; "
                "the other only to show it does not prove)")
      ->check(CLI::IsMember({"one-slot", "clock"}));
  auto* strict = w->add_flag("--strict-timers", a.strict_timers,
                             "Timers fire exactly at their deadline, as in `tcpclose check` (the default; kept for old commands)");
  w->add_flag("--late-timers", a.late_timers, "Timers fire at or after their deadline (a busy host, timer slack)")
      ->excludes(strict);
  w->add_flag("--from-closed", a.from_closed, "Start with both TCBs CLOSED instead of incarnation 1 established");
  w->add_option("--loss", a.loss,
                "Loss budget, as `tcpclose check`'s: segments that die undelivered or find the network full (any: unbounded)")
      ->check(kBudget)->capture_default_str();
  w->add_option("--delay", a.delay,
                "Delay budget, as `tcpclose check`'s: segments that may live up to MSL; the others are delivered (or "
                "lost) within 1 tick (any: every segment may live up to MSL)")
      ->check(kBudget)->capture_default_str();
  cmd.add_option("--recheck", a.recheck, "Re-check every UNSAT a result rests on with a second solver: cvc5")
      ->check(CLI::IsMember({"cvc5"}));
  cmd.add_flag("--split-moves", a.split_moves,
               "k-induction: ask each step-case query once per kind of last move (slower on small worlds, "
               "needed by the ISN-clock proof's slowest clauses)");
  cmd.add_option("--threads", a.threads,
                 "k-induction: threads that ask the step case's goals, each with its own solver; 0: one per core "
                 "(answers do not depend on it; a counterexample to induction may)")
      ->check(CLI::Range(0u, 64u))->capture_default_str();
  cmd.add_flag("--cti", a.cti,
               "k-induction: print the counterexample to induction (the states of the failing step case), for "
               "finding a missing auxiliary invariant");
  cmd.add_flag("--json", a.json, "Print one JSON object instead of text");
  cmd.add_option("--junit", a.junit, "Write a JUnit XML report to FILE: one testcase per property x engine")
      ->check(output_path());
  cmd.add_flag("!--no-progress", a.progress,
               "No progress on stderr (by default: a live line on a terminal, plain lines otherwise)");
  cmd.add_option("--progress-every", a.progress_every, "Seconds between progress reports")
      ->check(finite_range(0.1, 3600.0))->capture_default_str();
}

namespace {

// Reports a running engine every `every` seconds from its own thread: the depth (or k) the engine
// last started, the process's memory and the elapsed time. The engines block inside Z3 for long
// stretches, so the report cannot come from them; they only publish the depth (on_depth).
class ProveTicker {
 public:
  ProveTicker(ProgressReporter& out, double every) : out_(out), every_(every) {}
  void start(std::string what, std::size_t index, std::size_t count, bool has_depths) {
    out_.begin(what, index, count);
    depth_ = 0;
    has_depths_ = has_depths;
    t0_ = std::chrono::steady_clock::now();
    stop_ = false;
    thread_ = std::thread([this] { loop(); });
  }
  void finish() {
    {
      std::lock_guard<std::mutex> l(m_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    out_.end();
  }
  void depth(unsigned k) { depth_ = k; }
  ~ProveTicker() { finish(); }

 private:
  void loop() {
    std::unique_lock<std::mutex> l(m_);
    while (!cv_.wait_for(l, std::chrono::duration<double>(every_), [this] { return stop_; })) {
      const auto secs = static_cast<unsigned long long>(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count());
      const std::string depth = has_depths_ ? fmt::format("depth {}  ", depth_.load()) : "";
      out_.update(fmt::format("{}mem {:.1f} GiB  {}:{:02}", depth,
                              static_cast<double>(resident_bytes()) / (1ull << 30), secs / 60, secs % 60));
    }
  }
  ProgressReporter& out_;
  double every_;
  std::atomic<unsigned> depth_{0};
  bool has_depths_ = true;
  std::chrono::steady_clock::time_point t0_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

namespace {

// The world of the proofs from the flags; false (usage) after printing why.
bool system_options(const ProveArgs& a, proofs::SystemOptions& so) {
  so.cfg = world_config(a.knobs);  // check's Config for the same flags (--timestamps on brings the profile's PAWS)
  so.slots = a.slots;
  so.incarnations = a.incarnations;
  so.dup = a.dup;
  so.data = a.data;
  so.isn = a.isn == "clock" ? proofs::IsnPolicy::Clock : proofs::IsnPolicy::Adversarial;
  if (!a.invariant.empty())
    so.invariant = a.invariant == "clock" ? proofs::IsnPolicy::Clock : proofs::IsnPolicy::Adversarial;
  so.late_timers = a.late_timers;
  so.start_established = !a.from_closed;
  so.loss = budget_value(a.loss);
  so.delay = budget_value(a.delay);
  if (so.cfg.msl == 0 || so.cfg.time_wait == 0) {
    std::fprintf(stderr, "tcpclose prove: --msl and --time-wait must be positive\n");
    return false;
  }
  so.both_closed = a.property == model::name(model::Property::BothClosed);
  if (so.both_closed)
    if (const std::string e = proofs::both_closed_world(so); !e.empty()) {
      std::fprintf(stderr, "tcpclose prove: --property %s\n", e.c_str());
      return false;
    }
  // Refuse an unwritable report file before proofs that may take minutes.
  if (!a.junit.empty())
    if (const std::string e = check_writable(a.junit); !e.empty()) {
      std::fprintf(stderr, "tcpclose prove: --junit: %s\n", e.c_str());
      return false;
    }
  return true;
}

// The JSON object's header, and the text header line.
nlohmann::json prove_header(const ProveArgs& a, const proofs::SystemOptions& so) {
  nlohmann::json out{{"version", 1}, {"profile", a.knobs.profile}, {"mutant", name(so.cfg.mutant)}, {"msl", so.cfg.msl},
                     {"time_wait", so.cfg.time_wait}, {"slots", so.slots}, {"incarnations", so.incarnations},
                     {"dup", so.dup}, {"isn", proofs::name(so.isn)}, {"results", nlohmann::json::array()}};
  out["loss"] = a.loss == "any" ? nlohmann::json("any") : nlohmann::json(*so.loss);
  out["delay"] = a.delay == "any" ? nlohmann::json("any") : nlohmann::json(*so.delay);
  out["strict_timers"] = !so.late_timers;
  out["timestamps"] = so.cfg.timestamps;
  out["paws"] = so.cfg.paws;
  out["seed"] = a.seed;
  if (!a.json)
    fmt::print("tcpclose prove: profile {}{}; MSL {}, TIME-WAIT {} ticks; {} slots, {} incarnations, dup {}, ISN {}{}{}{}\n",
               a.knobs.profile, so.cfg.mutant == Mutant::None ? "" : fmt::format(" (mutant {})", name(so.cfg.mutant)),
               so.cfg.msl, so.cfg.time_wait, so.slots, so.incarnations, so.dup, proofs::name(so.isn),
               so.budgeted() ? fmt::format(", loss {}, delay {}", a.loss, a.delay) : "",
               so.late_timers ? ", late timers" : "",
               a.seed != 0 ? fmt::format("; Z3 seed {}", a.seed) : "");
  return out;
}

// A property's verdict from its engines' results: violated when one found a violation; proved
// when one proved it; otherwise unknown while an engine did not finish (or, in the portfolio,
// while none decided: a bounded BMC decides nothing there), else bounded. An error (a second
// solver that did not confirm an UNSAT, say) is never outweighed: the verdict is unknown.
enum class Verdict { Proved, Bounded, Violated, Unknown };
const char* name(Verdict v) {
  switch (v) {
    case Verdict::Proved: return "proved";
    case Verdict::Bounded: return "bounded";
    case Verdict::Violated: return "violated";
    case Verdict::Unknown: return "unknown";
  }
  return "?";
}
bool decides(const proofs::Result& r) {
  return r.outcome == proofs::Outcome::Violated || (r.outcome == proofs::Outcome::Proved && !r.bounded);
}
Verdict verdict_of(const std::vector<proofs::Result>& rs, bool portfolio) {
  bool proved = false, unknown = false, error = false;
  for (const proofs::Result& r : rs) {
    if (r.outcome == proofs::Outcome::Violated) return Verdict::Violated;
    proved = proved || decides(r);
    unknown = unknown || r.outcome == proofs::Outcome::Unknown || r.outcome == proofs::Outcome::Error;
    error = error || r.outcome == proofs::Outcome::Error;
  }
  if (portfolio) return proved && !error ? Verdict::Proved : Verdict::Unknown;
  return unknown ? Verdict::Unknown : proved ? Verdict::Proved : Verdict::Bounded;
}

// What a run of the engines has found so far.
struct ProveRun {
  nlohmann::json out;
  bool violated = false, unknown = false;
  std::string traces;
  std::vector<proofs::Result> current;  // the results of the property being proved
  // One suite per property, one case per engine: proved and bounded pass, violated fails with
  // the trace, unknown and error are errors (a CI must not read them as a pass).
  std::vector<junit::Suite> suites;
};

junit::Case junit_case(const proofs::Result& r, model::Property p, proofs::Engine e, const std::string& suite) {
  junit::Case c{proofs::name(e), suite, r.seconds, junit::Result::Passed, {}, {}, {}};
  if (r.outcome == proofs::Outcome::Violated) {
    c.result = junit::Result::Failed;
    c.type = "violated";
    c.message = fmt::format("{} violated ({} steps)", model::name(p), r.depth);
    if (r.witness) c.body = r.witness->trace;
  } else if (r.outcome != proofs::Outcome::Proved) {
    c.result = junit::Result::Error;
    c.type = result_text(r);
    c.message = r.detail.empty() ? result_text(r) : r.detail;
  }
  return c;
}

// One engine's result: into the JSON, the suite, and (as text) the table and the traces.
void record_result(const ProveArgs& a, const proofs::Result& r, model::Property p, proofs::Engine e, ProveRun& run) {
  run.current.push_back(r);
  nlohmann::json j{{"property", model::name(p)}, {"engine", proofs::name(e)}, {"result", result_text(r)},
                   {"depth", r.depth}, {"seconds", r.seconds}, {"rechecked", r.rechecked}};
  if (!r.detail.empty()) j["detail"] = r.detail;
  if (r.witness) {
    j["trace"] = r.witness->trace;
    j["replayed"] = r.witness->replay_ok;
  }
  run.out["results"].push_back(j);
  junit::Suite& suite = run.suites.back();
  suite.seconds += r.seconds;
  suite.cases.push_back(junit_case(r, p, e, suite.name));
  if (a.json) return;
  std::string note = r.detail.empty() ? "" : "  (" + r.detail + ")";
  if (!a.recheck.empty()) note += fmt::format("  ({} confirmed {} UNSAT)", a.recheck, r.rechecked);
  fmt::print("{:<20}  {:<4}  {:<8}  {:>3}  {:>7.2f}{}\n", model::name(p), proofs::name(e), result_text(r), r.depth,
             r.seconds, note);
  std::fflush(stdout);
  if (a.cti && !r.cti.empty())
    run.traces += fmt::format("\n{} ({}): counterexample to induction at k = {}:\n{}", model::name(p), proofs::name(e),
                              r.depth, r.cti);
  if (r.witness)
    run.traces += fmt::format("\n{} ({}): counterexample of {} steps{}:\n{}", model::name(p), proofs::name(e), r.depth,
                              r.witness->replay_ok ? ", replayed through step()" : "", r.witness->trace);
}

// The property's verdict once its engines are done (or stopped): into the JSON and the exit
// code; in the portfolio, the engines it did not need are named (text).
void settle_property(const ProveArgs& a, model::Property p, const std::vector<proofs::Engine>& not_run, ProveRun& run) {
  const bool portfolio = a.engine == "portfolio";
  const Verdict v = verdict_of(run.current, portfolio);
  run.violated = run.violated || v == Verdict::Violated;
  run.unknown = run.unknown || v == Verdict::Unknown;
  run.out["verdicts"][model::name(p)] = name(v);
  if (!a.json && portfolio && !not_run.empty() && !run.current.empty()) {
    std::string names;
    for (proofs::Engine e : not_run) names += (names.empty() ? "" : ", ") + std::string(proofs::name(e));
    const proofs::Result& last = run.current.back();
    fmt::print("{:<20}  {}: not run ({} {})\n", model::name(p), names, proofs::name(last.engine),
               last.outcome == proofs::Outcome::Error ? "ended in an error" : "decided it");
  }
  run.current.clear();
}

// The run shared by the main thread, which records each engine's result, and the thread a stop
// signal starts, which reports what is done and ends the process (stop() below). A stop never
// interrupts Z3: its interrupt is not safe everywhere (a stopped `prove` once died of SIGABRT in
// CI, 40 ms after SIGTERM), so the engine running is abandoned and reported as interrupted.
// Whoever holds `m` with `ended` false writes the report; stop() keeps it until the process ends.
struct ProveState {
  explicit ProveState(const ProveArgs& args) : a(args) {}
  const ProveArgs a;
  ProveRun run;
  std::mutex m;
  bool ended = false;
  bool running = false;  // the engine running, and its progress so far
  model::Property property{};
  proofs::Engine engine{};
  std::chrono::steady_clock::time_point started;
  std::atomic<unsigned> depth{0}, rechecked{0};
  std::atomic<bool> has_depth{false};
  void stop(const char* signal);
};

int finish_prove(const ProveArgs& a, ProveRun& run);

// On the stop signal's own thread: the results so far, the engine running as interrupted, the
// report and the output, then the end of the process (no unwinding: the main thread is in Z3),
// with no cvc5 left behind.
void ProveState::stop(const char* signal) {
  std::unique_lock<std::mutex> lock(m);
  if (ended) return;
  ended = true;
  if (running) {
    proofs::Result r;
    r.engine = engine;
    r.property = property;
    r.outcome = proofs::Outcome::Unknown;
    r.depth = depth.load();
    r.rechecked = rechecked.load();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    r.detail = has_depth.load() ? fmt::format("interrupted at depth {}", r.depth) : "interrupted";
    record_result(a, r, property, engine, run);
  }
  if (running || !run.current.empty()) settle_property(a, property, {}, run);
  run.unknown = true;
  run.out["interrupted"] = signal;
  std::fprintf(stderr, "tcpclose prove: %s: stopped; %s\n", signal,
               running ? "the engine running is reported as interrupted" : "no further engine was started");
  const int code = finish_prove(a, run);
  std::fflush(stdout);
  std::fflush(stderr);
  // Held until the end: the main thread, woken by its cvc5's death, must not print after this.
  flockfile(stdout);
  flockfile(stderr);
  proofs::kill_listed_children();
  std::_Exit(code);
}

// Runs each engine on each property until done or stopped.
void run_engines(const proofs::System& sys, const std::vector<model::Property>& props,
                 const std::vector<proofs::Engine>& engines, const StopSignals& stops, ProveState& st) {
  const ProveArgs& a = st.a;
  ProgressReporter reporter(stderr, ProgressReporter::stderr_is_terminal());
  const std::size_t runs = props.size() * engines.size();
  std::size_t run_index = 0;
  for (model::Property p : props) {
    if (stops.stopped()) break;
    for (std::size_t ei = 0; ei < engines.size(); ++ei) {
      const proofs::Engine e = engines[ei];
      if (stops.stopped()) {
        const std::lock_guard<std::mutex> lock(st.m);
        if (!st.run.current.empty()) settle_property(a, p, {}, st.run);
        break;
      }
      proofs::EngineOptions eo;
      eo.depth = a.depth ? a.depth : default_depth(e);
      eo.timeout_seconds = a.timeout;
      if (a.recheck == "cvc5")
        eo.recheck = [&st, inner = proofs::cvc5_recheck(120, {})](const std::string& l, z3::solver& s) {
          const bool ok = inner(l, s);
          if (ok) ++st.rechecked;
          return ok;
        };
      eo.split_moves = a.split_moves;
      eo.threads = a.threads != 0 ? a.threads : std::max(1u, std::thread::hardware_concurrency());
      eo.seed = a.seed;
      std::optional<ProveTicker> ticker;
      if (a.progress) {
        ticker.emplace(reporter, a.progress_every);
        ticker->start(fmt::format("{} {}", model::name(p), proofs::name(e)), ++run_index, runs,
                      e != proofs::Engine::Chc);
      }
      eo.on_depth = [&st, &ticker](unsigned k) {
        st.depth = k;
        st.has_depth = true;
        if (ticker) ticker->depth(k);
      };
      {
        const std::lock_guard<std::mutex> lock(st.m);
        if (e == engines.front())
          st.run.suites.push_back(junit::Suite{fmt::format("tcpclose.prove.{}", model::name(p)), 0, {}});
        st.running = true;
        st.property = p;
        st.engine = e;
        st.started = std::chrono::steady_clock::now();
        st.depth = 0;
        st.rechecked = 0;
        st.has_depth = false;
      }
      const proofs::Result r = proofs::run(e, sys, p, eo);
      if (ticker) ticker->finish();
      const std::lock_guard<std::mutex> lock(st.m);
      st.running = false;
      record_result(a, r, p, e, st.run);
      // The portfolio stops at the first engine that proves or refutes the property, or errs.
      if (a.engine == "portfolio" && (decides(r) || r.outcome == proofs::Outcome::Error)) {
        run_index += engines.size() - ei - 1;
        settle_property(a, p, {engines.begin() + static_cast<std::ptrdiff_t>(ei) + 1, engines.end()}, st.run);
        break;
      }
      if (ei + 1 == engines.size()) settle_property(a, p, {}, st.run);
    }
  }
}

// The exit code, the JUnit report and the output. The report first, so that the printed exit
// code is the one the process returns; a report that cannot be written loses nothing else
// (cli::kExitReportLost when all was proved).
int finish_prove(const ProveArgs& a, ProveRun& run) {
  int code = run.violated ? kExitViolated : run.unknown ? kExitUnknown : kExitProved;
  std::string lost;
  if (!a.junit.empty())
    if (const std::string e = junit::write(a.junit, run.suites); !e.empty()) {
      lost = "--junit: " + e;
      std::fprintf(stderr, "tcpclose prove: %s\n", lost.c_str());
      if (code == kExitProved) code = kExitReportLost;
    }
  run.out["exit_code"] = code;
  if (!lost.empty()) run.out["report_errors"] = {lost};
  if (a.json) fmt::print("{}\n", run.out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  else fmt::print("{}", run.traces);
  return code;
}

}  // namespace

int run_prove(const ProveArgs& a) {
  proofs::SystemOptions so;
  if (!system_options(a, so)) return kExitUsage;
  std::vector<model::Property> props;
  for (model::Property p : proofs::kProvable)
    if (a.property == "all" || a.property == model::name(p)) props.push_back(p);
  for (model::Property p : proofs::kProvableWhenNamed)
    if (a.property == model::name(p)) props.push_back(p);
  std::vector<proofs::Engine> engines;
  for (proofs::Engine e : proofs::kAllEngines)
    if (a.engine == "all" || a.engine == "portfolio" || a.engine == proofs::name(e)) engines.push_back(e);

  // Ctrl-C, SIGTERM and SIGHUP stop the whole run at once: the results so far are reported,
  // the engine running as interrupted, and no further engine starts (ProveState::stop).
  const auto st = std::make_shared<ProveState>(a);
  st->run.out = prove_header(a, so);
  std::optional<StopSignals> stops(std::in_place, [st](int sig) { st->stop(StopSignals::name_of(sig)); });
  // Global parameters, read when each solver is made: every query of this run uses the seed.
  z3::set_param("smt.random_seed", std::to_string(a.seed).c_str());
  z3::set_param("sat.random_seed", std::to_string(a.seed).c_str());
  z3::context ctx;
  const proofs::System sys(ctx, so);
  run_engines(sys, props, engines, *stops, *st);
  std::unique_lock<std::mutex> lock(st->m);  // a stop that came first ends the process here
  st->ended = true;
  if (stops->stopped()) {
    st->run.unknown = true;
    st->run.out["interrupted"] = stops->name();
    std::fprintf(stderr, "tcpclose prove: %s: stopped; no further engine was started\n", stops->name());
  }
  lock.unlock();
  stops.reset();
  return finish_prove(a, st->run);
}

}  // namespace tcpclose::cli
