// `tcpclose check` (see check.hpp).
#include "check.hpp"

#include "exit_codes.hpp"
#include "signals.hpp"

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <csignal>
#include <cstdio>
#include <optional>

#include <unistd.h>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <tcpclose/model/explorer.hpp>
#include <tcpclose/model/temp_dir.hpp>
#include <tcpclose/model/trace.hpp>

#include "atomic_file.hpp"
#include "cex_script.hpp"
#include "counterexample.hpp"
#include "junit.hpp"
#include "progress.hpp"

namespace tcpclose::cli {
namespace {


std::vector<std::string> scenario_names() {
  std::vector<std::string> v{"all"};
  for (model::Scenario s : model::kAllScenarios) v.emplace_back(model::name(s));
  for (model::Scenario s : model::kExtraScenarios) v.emplace_back(model::name(s));
  return v;
}
std::vector<std::string> property_names() {
  std::vector<std::string> v;
  for (model::Property p : model::kAllProperties) v.emplace_back(model::name(p));
  return v;
}

const char* outcome_name(model::Outcome o) {
  switch (o) {
    case model::Outcome::Holds: return "holds";
    case model::Outcome::Violated: return "violated";
    case model::Outcome::Incomplete: return "incomplete";
  }
  return "?";
}

nlohmann::json step_json(const model::World& w, std::size_t i, const model::TraceStep& st) {
  const model::Transition& tr = st.tr;
  nlohmann::json j{{"step", i + 1}, {"text", model::describe_step(w, i, st)}};
  static const char* kinds[] = {"timer", "app", "deliver", "lose", "duplicate", "tick"};
  j["kind"] = kinds[static_cast<int>(tr.kind)];
  if (tr.host != 0xFF) j["host"] = tr.host == 0 ? "A" : "B";
  if (tr.kind == model::MoveKind::Deliver || tr.kind == model::MoveKind::Lose || tr.kind == model::MoveKind::Dup)
    j["segment"] = {{"flags", flag_text(tr.pkt.flags).text}, {"seq", tr.pkt.seq}, {"ack", tr.pkt.ack},
                    {"len", tr.pkt.len}, {"incarnation", tr.pkt.inc}, {"age", tr.pkt.age},
                    {"delayed", tr.pkt.late != 0}};
  // With --timestamps on: the TSval, relative to the sender's clock now (a segment sent now
  // carries 0; the model keeps no absolute clock, docs/model.md "Timestamps").
  if (w.cfg.timestamps && j.contains("segment")) {
    j["segment"]["timestamps"] = tr.pkt.has_ts != 0;
    if (tr.pkt.has_ts) j["segment"]["ts_val"] = static_cast<std::int32_t>(model::pkt_ts_val(tr.pkt, w.ts_steps));
  }
  if (tr.kind == model::MoveKind::Tick) j["died"] = tr.died;
  if (tr.ran_core) {
    j["from"] = name(tr.spawned ? State::Listen : tr.before.state);
    j["to"] = name(tr.out.tcb.state);
  }
  return j;
}

struct ScenarioRun {
  model::Scenario scenario;
  model::World world;
  model::ExploreResult result;
  std::uint8_t missing_guards = 0;
  const char* shared_with = nullptr;  // not searched again: the graph of this earlier scenario
};

struct Counterexample {
  const ScenarioRun* run;
  const model::Violation* v;
  std::vector<std::string> files;  // where --trace-out wrote it
};

// One suite per scenario; one case per property checked, plus one per vacuity guard, so that a
// vacuous pass is as visible in CI as a violation. One exploration decides every property of
// a scenario at once, so each case is given an equal share of the scenario's time.
std::vector<junit::Suite> junit_suites(const std::vector<ScenarioRun>& runs, const std::vector<model::Scenario>& all,
                                       std::uint32_t props, bool interrupted) {
  std::vector<junit::Suite> suites;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::string cls = fmt::format("tcpclose.check.{}", model::name(all[i]));
    junit::Suite s{cls, 0, {}};
    const ScenarioRun* r = i < runs.size() ? &runs[i] : nullptr;
    for (model::Property p : model::kAllProperties) {
      if (!(props & model::bit(p))) continue;
      junit::Case c{model::name(p), cls, 0, junit::Result::Passed, {}, {}, {}};
      if (!r) {
        c.result = junit::Result::Error; c.type = "not-run";
        c.message = interrupted ? "not run: the run was interrupted" : "not run";
      } else if (r->result.violated & model::bit(p)) {
        c.result = junit::Result::Failed; c.type = "violated";
        c.message = fmt::format("{} violated: {}", model::name(p), model::statement(p));
        for (const model::Violation& v : r->result.violations)
          if (v.property == p)
            c.body = fmt::format("shortest counterexample ({} steps):\n{}", v.trace.size(), model::format_trace(r->world, v));
      } else if (!r->result.incomplete_reason.empty()) {
        c.result = junit::Result::Error; c.type = "incomplete";
        c.message = fmt::format("unknown: the search was incomplete ({})", r->result.incomplete_reason);
      }
      s.cases.push_back(std::move(c));
    }
    for (model::Guard g : model::kAllGuards) {
      if (!(model::required_guards(all[i]) & model::bit(g))) continue;
      junit::Case c{fmt::format("guard {}", model::name(g)), cls, 0, junit::Result::Passed, {}, {}, {}};
      if (!r || r->result.stopped_at_violation || !r->result.incomplete_reason.empty()) {
        c.result = junit::Result::Skipped; c.type = "not-evaluated";
        c.message = "not evaluated: the search did not complete";
      } else if (!(r->result.guards & model::bit(g))) {
        c.result = junit::Result::Failed; c.type = "vacuous";
        c.message = fmt::format("VACUOUS: never reached: {}", model::statement(g));
      }
      s.cases.push_back(std::move(c));
    }
    if (r) {
      s.seconds = r->result.seconds;
      for (junit::Case& c : s.cases) c.seconds = s.seconds / static_cast<double>(s.cases.size());
    }
    suites.push_back(std::move(s));
  }
  return suites;
}

}  // namespace

std::string check_work_dir(const std::string& dir) {
  std::string base = dir.empty() ? model::temp_parent() : dir;
  std::string templ = base + "/tcpclose-XXXXXX";
  if (!mkdtemp(templ.data())) return fmt::format("{}: cannot create a private directory there: {}", base, std::strerror(errno));
  ::rmdir(templ.c_str());
  return {};
}

// "512M", "4G", "1000000": bytes. Returns nullopt when malformed.
// A positive size such as 512M or 4G, at most 2^50 bytes (1 PiB); nullopt for 0, a bad unit or
// a value that would wrap (18446744073709551617 was one byte before this check).
std::optional<std::uint64_t> parse_size(const std::string& s) {
  constexpr std::uint64_t kMax = std::uint64_t{1} << 50;
  if (s.empty()) return std::nullopt;
  std::size_t i = 0;
  std::uint64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
    if (v > kMax) return std::nullopt;
  }
  if (i == 0 || v == 0) return std::nullopt;
  const std::string unit = s.substr(i);
  unsigned shift = 0;
  if (unit == "K" || unit == "KiB") shift = 10;
  else if (unit == "M" || unit == "MiB") shift = 20;
  else if (unit == "G" || unit == "GiB") shift = 30;
  else if (!unit.empty()) return std::nullopt;
  if (v > (kMax >> shift)) return std::nullopt;
  return v << shift;
}

// Without --max-memory a search stops at 3/4 of the machine's physical memory (issue 15: a plain
// `check --profile rfc9293` grew to 21 GB of 24 with no limit), so the kernel never kills it.
std::uint64_t default_memory_limit() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::uint64_t{16} << 30;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 4 * 3;
}

// The world's bounds and knobs (model::World), one option group.
static void add_world_options(CLI::App& cmd, CheckArgs& a) {
  auto* w = cmd.add_option_group("World", "Bounds of the world around the two cores");
  w->add_option("--isn", a.isn, "ISN choice: adversarial (any of a set that replays old sequence numbers) or clock")
      ->check(CLI::IsMember({"adversarial", "clock"}))->capture_default_str();
  w->add_option("--incarnations", a.incarnations, "Connections per application in the reopen scenarios (K)")
      ->check(CLI::Range(1u, 5u))->capture_default_str();
  w->add_option("--loss", a.loss, "Segments the network may lose")->check(CLI::Range(0u, 8u))->capture_default_str();
  w->add_option("--dup", a.dup, "Segments the network may duplicate")->check(CLI::Range(0u, 8u))->capture_default_str();
  w->add_option("--delay", a.delay, "Segments that may outlive the normal 1-tick delay, up to MSL")
      ->check(CLI::Range(0u, 8u))->capture_default_str();
  w->add_option("--in-flight", a.in_flight, "Segments in flight per direction")
      ->check(CLI::Range(1u, static_cast<unsigned>(model::kMaxInFlight)))->capture_default_str();
  w->add_option("--tw-reuse", a.tw_reuse,
                "A connect() taking over its own TIME-WAIT 4-tuple, as Linux tcp_twsk_unique does when the old connection "
                "had timestamps (ISS = old SND.NXT + 65537; with --timestamps off they are assumed and no TSval is checked): "
                "off, delay (tcp_tw_reuse=1: after --tw-reuse-delay ticks) or bound (bind() before connect(): at once)")
      ->check(CLI::IsMember({"off", "delay", "bound"}))->capture_default_str();
  w->add_option("--tw-reuse-delay", a.tw_reuse_delay, "Ticks since TIME-WAIT began or last ACKed a FIN before --tw-reuse delay takes it over")
      ->check(CLI::Range(0u, 254u))->capture_default_str();
  w->add_option("--ts-clock", a.ts_clock,
                "With --timestamps on, each host's TSval clock: tick (it ticks with the model: segments a host sends "
                "within one tick share a TSval) or fine (every segment a host sends has a newer TSval than the last)")
      ->check(CLI::IsMember({"tick", "fine"}))->capture_default_str();
  w->add_flag("--client-first", a.client_first, "Let a client connect before its server listens (exposes refused-connection hazards)");
  w->add_option("--data", a.data, "Bytes per application write")->check(CLI::Range(1u, 100u))->capture_default_str();
}

void add_memory_options(CLI::Option_group& g, std::string& max_memory, std::string& work_dir) {
  g.add_option("--max-memory", max_memory,
               "Stop (exit 3) beyond this much memory, e.g. 512M, 4G (default: 3/4 of physical memory)")
      ->check([](const std::string& s) { return parse_size(s) ? std::string() : "expects a positive size up to 1 PiB, such as 512M or 4G"; });
  g.add_option("--work-dir", work_dir,
               "Directory for the parts of the search kept on disk: the BFS frontier, parent records and liveness "
               "edges, in a private subdirectory removed at once (default: $TMPDIR, else /tmp); a full disk ends "
               "the search incomplete (exit 3)");
}

std::uint64_t memory_limit(const std::string& max_memory) {
  return max_memory.empty() ? default_memory_limit() : *parse_size(max_memory);
}

std::string explain_stop(const std::string& reason, const std::string& max_memory) {
  if (!max_memory.empty() || reason != model::kMaxMemoryReached) return reason;
  return fmt::format("the default memory limit, 3/4 of physical memory ({:.1f} GiB), was reached; raise it with --max-memory",
                     static_cast<double>(default_memory_limit()) / (1 << 30));
}

void add_check_options(CLI::App& cmd, CheckArgs& a) {
  add_knob_options(cmd, a.knobs, true);
  cmd.add_option("--scenario", a.scenarios, "Scenario to check (repeatable; default all)")
      ->check(CLI::IsMember(scenario_names()));
  cmd.add_option("--property", a.properties, "Check only this property (repeatable)")
      ->check(CLI::IsMember(property_names()));
  add_world_options(cmd, a);
  auto* e = cmd.add_option_group("Search", "How the explorer runs");
  e->add_option("--threads", a.threads, "Worker threads; 0: one per core (results do not depend on it)")
      ->check(CLI::Range(0u, 256u))->capture_default_str();
  e->add_option("--max-states", a.max_states, "Stop (exit 3) after this many states")->check(CLI::Range(1ull, 4000000000ull));
  add_memory_options(*e, a.max_memory, a.work_dir);
  e->add_flag("!--no-share", a.share,
              "Search every scenario, even one whose graph is provably an earlier one's (reopen-connect-reuseaddr "
              "when SO_REUSEADDR decides no move of reopen-connect; docs/model.md)");
  e->add_flag("!--no-liveness", a.liveness,
              "Skip both-closed's liveness half (from every state a settled state is reachable); saves 4 bytes per transition");
  cmd.add_flag("--json", a.json, "Print one JSON object instead of text (docs/json.md)");
  auto* r = cmd.add_option_group("Reports", "Counterexamples and CI reports (docs/ci.md)");
  r->add_option("--trace-format", a.trace_format,
                "Form of the counterexample: text, mermaid (a sequenceDiagram), pcap (a capture; needs --trace-out) "
                "or packetdrill (a script from one host's side, --view; needs --trace-out)")
      ->check(CLI::IsMember({"text", "mermaid", "pcap", "packetdrill"}))->capture_default_str();
  r->add_option("--view", a.view,
                "With --trace-format packetdrill: the host that is the stack under test, A or B (default: the host "
                "whose step violates the property, else A)")
      ->check(CLI::IsMember({"A", "B"}));
  r->add_option("--trace-out", a.trace_out,
                "Write the shortest counterexample to FILE; with several, FILE holds the first and "
                "FILE's stem.SCENARIO.PROPERTY.ext each one")->check(output_path());
  r->add_option("--junit", a.junit, "Write a JUnit XML report to FILE: one testcase per scenario x property")
      ->check(output_path());
  cmd.add_flag("!--no-progress", a.progress,
               "No progress on stderr (by default: a live line on a terminal, plain lines otherwise)");
  cmd.add_option("--progress-every", a.progress_every, "Seconds between progress reports (0: after every BFS level)")
      ->check(finite_range(0.0, 3600.0))->capture_default_str();
  cmd.add_flag("--list-properties", a.list_properties, "Print each property with its statement and exit");
  cmd.add_flag("--list-mutants", a.list_mutants, "Print each mutant with what it breaks and exit");
  cmd.add_flag("--list-scenarios", a.list_scenarios, "Print each scenario and exit");
}

namespace {

// --list-properties, --list-mutants, --list-scenarios: true when one of them was asked for and
// printed (the first in that order).
bool print_lists(const CheckArgs& a) {
  if (a.list_properties) {
    for (model::Property p : model::kAllProperties) fmt::print("{:<22} {}\n", model::name(p), model::statement(p));
    return true;
  }
  if (a.list_mutants) {
    for (Mutant m : kAllMutants)
      if (m != Mutant::None) fmt::print("{:<24} {}\n", name(m), describe(m));
    return true;
  }
  if (a.list_scenarios) {
    for (model::Scenario s : model::kAllScenarios) fmt::print("{:<26} {}\n", model::name(s), model::describe(s));
    for (model::Scenario s : model::kExtraScenarios) fmt::print("{:<26} {}\n", model::name(s), model::describe(s));
    return true;
  }
  return false;
}

// The arguments no search can honour, refused with a message naming the flag: false after the
// message (exit 2). Report files and the work dir are tried here too, before a search that may
// take minutes.
bool check_arguments(const CheckArgs& a, TraceFormat trace_format) {
  if (trace_format == TraceFormat::Pcap && a.trace_out.empty()) {
    std::fprintf(stderr, "tcpclose check: --trace-format pcap: a capture is binary; name a file with --trace-out\n");
    return false;
  }
  if (trace_format == TraceFormat::Packetdrill && a.trace_out.empty()) {
    std::fprintf(stderr, "tcpclose check: --trace-format packetdrill: a script is one host's side of the "
                         "counterexample, for packetdrill to run; name a file with --trace-out\n");
    return false;
  }
  if (!a.view.empty() && trace_format != TraceFormat::Packetdrill) {
    std::fprintf(stderr, "tcpclose check: --view %s: only --trace-format packetdrill has a point of view\n", a.view.c_str());
    return false;
  }
  // Refuse an unwritable report file, or two reports on one file, before a search that may take minutes.
  if (!a.trace_out.empty() && !a.junit.empty() && same_file(a.trace_out, a.junit)) {
    std::fprintf(stderr, "tcpclose check: --trace-out and --junit name the same file, %s: each would overwrite the other\n",
                 a.junit.c_str());
    return false;
  }
  for (const auto& [flag, path] : {std::pair{"--trace-out", &a.trace_out}, std::pair{"--junit", &a.junit}}) {
    if (path->empty()) continue;
    if (const std::string e = check_writable(*path); !e.empty()) {
      std::fprintf(stderr, "tcpclose check: %s: %s\n", flag, e.c_str());
      return false;
    }
  }
  if (a.ts_clock != "tick" && !(a.knobs.timestamps && *a.knobs.timestamps == "on")) {
    std::fprintf(stderr, "tcpclose check: --ts-clock %s: a TSval clock needs --timestamps on\n", a.ts_clock.c_str());
    return false;
  }
  if (a.ts_clock == "fine" && a.knobs.msl && *a.knobs.msl > model::kFineTsMaxMsl) {
    std::fprintf(stderr, "tcpclose check: --ts-clock fine: --msl %u is above %u, the largest age the fine clock's "
                         "packed segments hold (docs/model.md)\n", *a.knobs.msl, model::kFineTsMaxMsl);
    return false;
  }
  if (const std::string e = check_work_dir(a.work_dir); !e.empty()) {
    std::fprintf(stderr, "tcpclose check: --work-dir: %s\n", e.c_str());
    return false;
  }
  return true;
}

// What a check asks for, read from the arguments once they are known to be good.
struct Plan {
  const CheckArgs& a;
  TraceFormat trace_format;
  Profile profile;
  Config cfg;
  std::uint32_t props;                      // the properties checked (all when none is named)
  std::vector<model::Scenario> scenarios;   // in the order they are searched
};

Plan make_plan(const CheckArgs& a, TraceFormat trace_format) {
  const Profile profile = profile_from_name(a.knobs.profile).value_or(Profile::Reference);
  Plan plan{a, trace_format, profile, world_config(a.knobs), 0, {}};
  for (const std::string& p : a.properties)
    for (model::Property q : model::kAllProperties)
      if (p == model::name(q)) plan.props |= model::bit(q);
  if (plan.props == 0) plan.props = model::kAllPropertyBits;
  for (model::Scenario s : model::kAllScenarios) {
    bool want = a.scenarios.empty();
    for (const std::string& n : a.scenarios) want = want || n == "all" || n == model::name(s);
    if (want) plan.scenarios.push_back(s);
  }
  for (model::Scenario s : model::kExtraScenarios)  // only by name: "all" keeps its pinned counts
    for (const std::string& n : a.scenarios)
      if (n == model::name(s)) { plan.scenarios.push_back(s); break; }
  return plan;
}

// The world of scenario s with the World option group's bounds.
model::World make_check_world(model::Scenario s, const Config& cfg, const CheckArgs& a) {
  model::World w = model::make_world(s, cfg);
  w.isn = a.isn == "clock" ? model::IsnPolicy::Clock : model::IsnPolicy::Adversarial;
  w.incarnations = static_cast<std::uint8_t>(a.incarnations);
  w.loss = static_cast<std::uint8_t>(a.loss);
  w.dup = static_cast<std::uint8_t>(a.dup);
  w.delay = static_cast<std::uint8_t>(a.delay);
  w.in_flight = static_cast<std::uint8_t>(a.in_flight);
  w.data = static_cast<std::uint8_t>(a.data);
  w.server_first = !a.client_first;
  w.tw_reuse = a.tw_reuse == "delay" ? model::TwReuse::Delay : a.tw_reuse == "bound" ? model::TwReuse::Bound : model::TwReuse::Off;
  w.tw_reuse_delay = static_cast<std::uint8_t>(a.tw_reuse_delay);
  w.ts_steps = a.ts_clock == "fine" ? model::kFineTsSteps : 1;
  return w;
}

}  // namespace

Config world_config(const KnobOptions& k) {
  const Profile profile = profile_from_name(k.profile).value_or(Profile::Reference);
  // Timestamps only when asked for, with the profile's PAWS (model_timestamps; --paws then decides).
  const bool ts = k.timestamps && *k.timestamps == "on";
  const Config base = model::model_config(profile);
  return apply_knobs(k, ts ? model::model_timestamps(base, profile) : base);
}

namespace {

// The earlier run whose search decides world w too (model::decides_too), or null: its results
// are w's, exactly, and are not recomputed.
const ScenarioRun* shared_run(const std::vector<ScenarioRun>& runs, const model::World& w, bool share) {
  const ScenarioRun* same = nullptr;
  for (const ScenarioRun& done : runs)
    if (share && !same && done.shared_with == nullptr && model::decides_too(done.world, done.result, w))
      same = &done;
  return same;
}

// One scenario's search, with the Search option group and the progress line.
ScenarioRun search_scenario(const Plan& plan, model::Scenario s, const model::World& w, const StopSignals& stops,
                            ProgressReporter& reporter, std::size_t index) {
  const CheckArgs& a = plan.a;
  model::ExploreOptions opt;
  opt.threads = a.threads != 0 ? a.threads : std::max(1u, std::thread::hardware_concurrency());
  opt.max_states = a.max_states;
  opt.max_memory = memory_limit(a.max_memory);
  opt.properties = plan.props;
  opt.liveness = a.liveness;
  opt.work_dir = a.work_dir;
  opt.interrupt = &stops.flag();
  reporter.begin(model::name(s), index, plan.scenarios.size());
  if (a.progress) opt.progress = [&reporter](const model::Progress& p) { reporter.update(p); };
  opt.progress_seconds = a.progress_every;
  ScenarioRun r{s, w, model::explore(w, opt), 0, nullptr};
  reporter.end();
  r.result.incomplete_reason = explain_stop(r.result.incomplete_reason, a.max_memory);
  r.missing_guards = model::missing_guards(s, r.result);
  return r;
}

// What the searches found, and what became of the reports. `found` points into `runs`, which
// must not grow once it is filled.
struct Results {
  std::vector<ScenarioRun> runs;
  bool interrupted = false;
  std::vector<Counterexample> found;  // every counterexample, in the order of the text output
  std::vector<std::string> lost;      // reports that could not be written
  int code = 0;
  const char* verdict = "holds";
};

// Every scenario of the plan in turn, until a stop signal.
void run_scenarios(const Plan& plan, Results& res) {
  // Ctrl-C, SIGTERM and SIGHUP end the search within a level's check interval (LevelGuard):
  // the figures so far are printed, the reports written, and the exit code is 3.
  std::optional<StopSignals> stops(std::in_place);
  ProgressReporter reporter(stderr, ProgressReporter::stderr_is_terminal());
  for (model::Scenario s : plan.scenarios) {
    const model::World w = make_check_world(s, plan.cfg, plan.a);
    if (const ScenarioRun* same = shared_run(res.runs, w, plan.a.share)) {
      ScenarioRun r{s, w, same->result, 0, model::name(same->scenario)};
      r.result.seconds = 0;
      r.missing_guards = model::missing_guards(s, r.result);
      res.runs.push_back(std::move(r));
      continue;
    }
    res.runs.push_back(search_scenario(plan, s, w, *stops, reporter, res.runs.size() + 1));
    if (stops->stopped()) break;
  }
  res.interrupted = stops->stopped();
  if (res.interrupted) std::fprintf(stderr, "tcpclose check: %s: stopped; the figures so far follow\n", stops->name());
  stops.reset();
}

// The verdict and the exit code before the reports are written: 1 violated or vacuous,
// 3 incomplete, 0 all hold.
void decide(const Plan& plan, Results& res) {
  bool violated = false, vacuous = false, incomplete = res.interrupted && res.runs.size() < plan.scenarios.size();
  for (const ScenarioRun& r : res.runs) {
    violated = violated || r.result.outcome == model::Outcome::Violated;
    incomplete = incomplete || r.result.outcome == model::Outcome::Incomplete;
    vacuous = vacuous || r.missing_guards != 0;
  }
  res.code = violated || vacuous ? 1 : incomplete ? 3 : 0;
  res.verdict = violated ? "violated" : vacuous ? "vacuous" : incomplete ? "incomplete" : "holds";
}

// Writes counterexample c as a packetdrill script from one host's side, or says why there is
// none (cex_script.hpp): the reason is added to `untranslatable` and the files are not written.
void write_script(const Plan& plan, Counterexample& c, std::vector<std::string>& lost,
                  std::vector<std::string>& untranslatable) {
  const model::Violation& v = *c.v;
  const std::uint8_t view = plan.a.view.empty() ? default_view(v) : plan.a.view == "B" ? 1 : 0;
  const CexScript sc = cex_script(c.run->world, v, view, real_time_config(plan.cfg, plan.profile), plan.a.knobs.profile,
                                  model::name(c.run->scenario));
  if (!sc.why_not.empty()) {
    untranslatable.push_back(fmt::format("--trace-format packetdrill: {} {}: no script from {}'s side: {}",
                                         model::name(c.run->scenario), model::name(v.property),
                                         view == 0 ? "A" : "B", sc.why_not));
    c.files.clear();
    return;
  }
  for (const std::string& path : c.files)
    if (const std::string e = write_atomic(path, sc.text); !e.empty()) lost.push_back("--trace-out: " + e);
}

// Collects every counterexample and writes --trace-out and --junit. A counterexample that no
// script can carry is named with its reason, never written wrong (exit 6 instead of 1); a report
// that could not be written loses nothing else: the verdict and the counterexample are still
// printed, and a run that found nothing wrong ends with kExitReportLost, not 0.
void write_reports(const Plan& plan, Results& res) {
  const CheckArgs& a = plan.a;
  std::vector<std::string> untranslatable;  // counterexamples no packetdrill script can carry
  for (const ScenarioRun& r : res.runs)
    for (const model::Violation& v : r.result.violations) res.found.push_back({&r, &v, {}});
  if (!a.trace_out.empty()) {
    std::vector<Counterexample>& found = res.found;
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (i == 0) found[i].files.push_back(a.trace_out);
      if (found.size() > 1)
        found[i].files.push_back(trace_path_for(a.trace_out, model::name(found[i].run->scenario),
                                                model::name(found[i].v->property)));
      if (plan.trace_format == TraceFormat::Packetdrill) {
        write_script(plan, found[i], res.lost, untranslatable);
        continue;
      }
      for (const std::string& path : found[i].files)
        if (const std::string e = write_trace(path, plan.trace_format, found[i].run->world, *found[i].v); !e.empty())
          res.lost.push_back("--trace-out: " + e);
    }
  }
  for (const std::string& e : untranslatable) std::fprintf(stderr, "tcpclose check: %s\n", e.c_str());
  if (!untranslatable.empty() && res.code == 1) res.code = kExitUntranslatable;
  if (!a.junit.empty())
    if (const std::string e = junit::write(a.junit, junit_suites(res.runs, plan.scenarios, plan.props, res.interrupted));
        !e.empty())
      res.lost.push_back("--junit: " + e);
  for (const std::string& e : res.lost) std::fprintf(stderr, "tcpclose check: %s\n", e.c_str());
  if (!res.lost.empty() && res.code == 0) res.code = kExitReportLost;
}

// One scenario's entry in --json's "scenarios" (docs/json.md).
nlohmann::json scenario_json(const ScenarioRun& r, std::uint32_t props) {
  nlohmann::json s{{"scenario", model::name(r.scenario)}, {"verdict", outcome_name(r.result.outcome)},
                   {"states", r.result.states}, {"transitions", r.result.transitions},
                   {"depth", r.result.depth}, {"seconds", r.result.seconds},
                   {"bytes_per_state", r.result.bytes_per_state()},
                   {"memory", {{"peak_bytes", r.result.peak_bytes}, {"table_bytes", r.result.table_bytes},
                               {"disk_bytes", r.result.disk_bytes}}}};
  if (!r.result.incomplete_reason.empty()) s["incomplete_reason"] = r.result.incomplete_reason;
  s["shared_with"] = r.shared_with ? nlohmann::json(r.shared_with) : nlohmann::json(nullptr);
  s["liveness"] = r.result.liveness_checked
                      ? nlohmann::json{{"checked", true}, {"doomed_states", r.result.doomed_states},
                                       {"sweeps", r.result.liveness_sweeps}, {"seconds", r.result.liveness_seconds},
                                       {"cut_off_states", r.result.cut_off}}
                      : nlohmann::json{{"checked", false}};
  for (model::Property p : model::kAllProperties)
    if (props & model::bit(p))
      s["properties"][model::name(p)] = (r.result.violated & model::bit(p)) ? "violated"
                                        : !r.result.incomplete_reason.empty() ? "unknown" : "holds";
  for (model::Guard g : model::kAllGuards)
    if (model::required_guards(r.scenario) & model::bit(g))
      s["guards"][model::name(g)] = (r.result.guards & model::bit(g)) ? "reached"
                                    : r.result.stopped_at_violation || !r.result.incomplete_reason.empty()
                                        ? "not evaluated" : "not reached";
  return s;
}

// --json's counterexamples: the first one as "property", "scenario" and "trace", and every one
// under "violations".
void violations_json(const Results& res, nlohmann::json& j) {
  const ScenarioRun* first_bad = nullptr;
  for (const ScenarioRun& r : res.runs)
    if (!r.result.violations.empty()) { first_bad = &r; break; }
  j["property"] = nullptr;
  j["scenario"] = nullptr;
  j["trace"] = nlohmann::json::array();
  if (first_bad) {
    const model::Violation& v = first_bad->result.violations.front();
    j["property"] = model::name(v.property);
    j["scenario"] = model::name(first_bad->scenario);
    for (std::size_t i = 0; i < v.trace.size(); ++i) j["trace"].push_back(step_json(first_bad->world, i, v.trace[i]));
  }
  j["violations"] = nlohmann::json::array();
  for (const Counterexample& c : res.found) {
    nlohmann::json v{{"scenario", model::name(c.run->scenario)}, {"property", model::name(c.v->property)},
                     {"statement", model::statement(c.v->property)}, {"steps", c.v->trace.size()},
                     {"terminal", c.v->terminal}, {"replay_ok", c.v->replay_ok}, {"files", c.files},
                     {"trace", nlohmann::json::array()}};
    for (std::size_t i = 0; i < c.v->trace.size(); ++i) v["trace"].push_back(step_json(c.run->world, i, c.v->trace[i]));
    j["violations"].push_back(std::move(v));
  }
}

// --json: one object (docs/json.md).
void print_json(const Plan& plan, const Results& res) {
  const CheckArgs& a = plan.a;
  const Config& cfg = plan.cfg;
  nlohmann::json j;
  j["version"] = 1;
  j["verdict"] = res.verdict;
  j["profile"] = a.knobs.profile;
  j["mutant"] = name(cfg.mutant);
  std::uint64_t states = 0, transitions = 0, depth = 0;
  double seconds = 0;
  for (const ScenarioRun& r : res.runs) {
    states += r.result.states; transitions += r.result.transitions;
    depth = std::max(depth, r.result.depth); seconds += r.result.seconds;
  }
  j["states"] = states; j["transitions"] = transitions; j["depth"] = depth; j["seconds"] = seconds;
  j["exit_code"] = res.code;
  if (!res.lost.empty()) j["report_errors"] = res.lost;
  j["config"] = {{"msl", cfg.msl}, {"time_wait", cfg.time_wait}, {"rto", cfg.rto}, {"loss", a.loss},
                 {"dup", a.dup}, {"delay", a.delay}, {"in_flight", a.in_flight},
                 {"incarnations", a.incarnations}, {"isn", a.isn}, {"data", a.data},
                 {"client_first", a.client_first}, {"liveness", a.liveness}, {"tw_reuse", a.tw_reuse},
                 {"tw_reuse_delay", a.tw_reuse_delay}, {"ts_clock", a.ts_clock}};
  j["properties_checked"] = nlohmann::json::array();
  for (model::Property p : model::kAllProperties)
    if (plan.props & model::bit(p)) j["properties_checked"].push_back(model::name(p));
  violations_json(res, j);
  auto& arr = j["scenarios"] = nlohmann::json::array();
  for (const ScenarioRun& r : res.runs) arr.push_back(scenario_json(r, plan.props));
  fmt::print("{}\n", j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// The text report's table: the world's bounds, then one line per scenario with a column per
// property checked and the guards reached.
void print_table(const Plan& plan, const Results& res) {
  const CheckArgs& a = plan.a;
  const Config& cfg = plan.cfg;
  fmt::print("tcpclose check: profile {}{}; MSL {}, TIME-WAIT {}, RTO {} ticks; loss {}, dup {}, delay {}, "
             "in-flight {}, incarnations {}, ISN {}\n\n",
             a.knobs.profile, cfg.mutant == Mutant::None ? "" : fmt::format(" (mutant {})", name(cfg.mutant)),
             cfg.msl, cfg.time_wait, cfg.rto, a.loss, a.dup, a.delay, a.in_flight, a.incarnations, a.isn);
  std::string head = fmt::format("{:<26}{:>10}{:>12}{:>7}{:>8}{:>11}{:>9}", "scenario", "states", "transitions",
                                 "depth", "seconds", "states/s", "B/state");
  static const char* shortname[] = {"stale", "tw-dur", "reliable", "stream", "unique", "closed", "deadlock",
                                    "h1-data", "h2-desync", "h3-dies", "half-open"};
  static_assert(std::size(shortname) == model::kPropertyCount);
  for (model::Property p : model::kAllProperties)
    if (plan.props & model::bit(p)) head += fmt::format(" {:>8}", shortname[static_cast<int>(p)]);
  fmt::print("{}  guards\n", head);
  for (const ScenarioRun& r : res.runs) {
    const auto& x = r.result;
    std::string line =
        r.shared_with ? fmt::format("{:<26}{:>10}{:>12}{:>7}{:>8}{:>11}{:>9}", model::name(r.scenario), x.states,
                                    x.transitions, x.depth, "shared", "-", "-")
                      : fmt::format("{:<26}{:>10}{:>12}{:>7}{:>8.2f}{:>11.0f}{:>9.1f}", model::name(r.scenario),
                                    x.states, x.transitions, x.depth, x.seconds,
                                    x.seconds > 0 ? double(x.states) / x.seconds : 0.0, x.bytes_per_state());
    for (model::Property p : model::kAllProperties)
      if (plan.props & model::bit(p))
        line += fmt::format(" {:>8}", (x.violated & model::bit(p)) ? "VIOLATED"
                                      : !x.incomplete_reason.empty() ? "?" : "holds");
    const int need = __builtin_popcount(model::required_guards(r.scenario));
    const int got = __builtin_popcount(model::required_guards(r.scenario) & x.guards);
    line += x.stopped_at_violation ? std::string("  -") : fmt::format("  {}/{}", got, need);
    fmt::print("{}\n", line);
  }
}

// The text report's notes under the table, per scenario: incomplete, vacuous, shared, pruned,
// then each counterexample and the files it was written to.
void print_notes(const Plan& plan, const Results& res) {
  const CheckArgs& a = plan.a;
  for (const ScenarioRun& r : res.runs) {
    if (!r.result.incomplete_reason.empty())
      fmt::print("\n{}: incomplete ({}); the figures are those reached so far\n", model::name(r.scenario),
                 r.result.incomplete_reason);
    for (model::Guard g : model::kAllGuards)
      if (r.missing_guards & model::bit(g))
        fmt::print("\n{}: VACUOUS: guard {} was never reached ({}): the properties may pass only because the "
                   "hazard never happens\n", model::name(r.scenario), model::name(g), model::statement(g));
    if (r.shared_with)
      fmt::print("\n{}: note: not searched again: its world differs from {}'s only in SO_REUSEADDR, which "
                 "decides no move in any of that search's {} states, so both have the same graph and results "
                 "(--no-share searches it anyway)\n", model::name(r.scenario), r.shared_with, r.result.states);
    if (r.result.pruned)
      fmt::print("\n{}: note: {} moves were not explored because they would overflow --in-flight {} beyond "
                 "the loss budget\n", model::name(r.scenario), r.result.pruned, a.in_flight);
    for (const model::Violation& v : r.result.violations) {
      const bool mermaid = plan.trace_format == TraceFormat::Mermaid && a.trace_out.empty();
      fmt::print("\n{}: {} violated, shortest counterexample ({} steps):\n{}", model::name(r.scenario),
                 model::name(v.property), v.trace.size(),
                 mermaid ? mermaid_trace(r.world, v) : model::format_trace(r.world, v));
      for (const Counterexample& c : res.found)
        if (c.v == &v)
          for (const std::string& f : c.files) fmt::print("({} written to {})\n", a.trace_format, f);
    }
  }
  fmt::print("\nverdict: {}\n", res.verdict);
}

}  // namespace

int run_check(const CheckArgs& a) {
  if (print_lists(a)) return 0;
  const TraceFormat trace_format = trace_format_from_name(a.trace_format).value_or(TraceFormat::Text);
  if (!check_arguments(a, trace_format)) return 2;
  const Plan plan = make_plan(a, trace_format);
  Results res;
  run_scenarios(plan, res);
  decide(plan, res);
  write_reports(plan, res);
  if (a.json) print_json(plan, res);
  else {
    print_table(plan, res);
    print_notes(plan, res);
  }
  return res.code;
}

}  // namespace tcpclose::cli
