// `tcpclose check` (see check.hpp).
#include "check.hpp"

#include "exit_codes.hpp"
#include "signals.hpp"

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

// Refuses a work dir where the search could not make its private directory, before a search
// that may take minutes: "" when one can be made there (it is removed again).
std::string check_work_dir(const std::string& dir) {
  std::string base = dir.empty() ? (std::getenv("TMPDIR") && *std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") : dir;
  std::string templ = base + "/tcpclose-XXXXXX";
  if (!mkdtemp(templ.data())) return fmt::format("{}: cannot create a private directory there: {}", base, std::strerror(errno));
  ::rmdir(templ.c_str());
  return {};
}

}  // namespace

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
  w->add_flag("--client-first", a.client_first, "Let a client connect before its server listens (exposes refused-connection hazards)");
  w->add_option("--data", a.data, "Bytes per application write")->check(CLI::Range(1u, 100u))->capture_default_str();
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
  e->add_option("--max-memory", a.max_memory,
                "Stop (exit 3) beyond this much memory, e.g. 512M, 4G (default: 3/4 of physical memory)")
      ->check([](const std::string& s) { return parse_size(s) ? std::string() : "expects a positive size up to 1 PiB, such as 512M or 4G"; });
  e->add_option("--work-dir", a.work_dir,
                "Directory for the parts of the search kept on disk: the BFS frontier, parent records and liveness "
                "edges, in a private subdirectory removed at once (default: $TMPDIR, else /tmp); a full disk ends "
                "the search incomplete (exit 3)");
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

int run_check(const CheckArgs& a) {
  if (a.list_properties) {
    for (model::Property p : model::kAllProperties) fmt::print("{:<22} {}\n", model::name(p), model::statement(p));
    return 0;
  }
  if (a.list_mutants) {
    for (Mutant m : kAllMutants)
      if (m != Mutant::None) fmt::print("{:<24} {}\n", name(m), describe(m));
    return 0;
  }
  if (a.list_scenarios) {
    for (model::Scenario s : model::kAllScenarios) fmt::print("{:<26} {}\n", model::name(s), model::describe(s));
    for (model::Scenario s : model::kExtraScenarios) fmt::print("{:<26} {}\n", model::name(s), model::describe(s));
    return 0;
  }
  const TraceFormat trace_format = trace_format_from_name(a.trace_format).value_or(TraceFormat::Text);
  if (trace_format == TraceFormat::Pcap && a.trace_out.empty()) {
    std::fprintf(stderr, "tcpclose check: --trace-format pcap: a capture is binary; name a file with --trace-out\n");
    return 2;
  }
  if (trace_format == TraceFormat::Packetdrill && a.trace_out.empty()) {
    std::fprintf(stderr, "tcpclose check: --trace-format packetdrill: a script is one host's side of the "
                         "counterexample, for packetdrill to run; name a file with --trace-out\n");
    return 2;
  }
  if (!a.view.empty() && trace_format != TraceFormat::Packetdrill) {
    std::fprintf(stderr, "tcpclose check: --view %s: only --trace-format packetdrill has a point of view\n", a.view.c_str());
    return 2;
  }
  // Refuse an unwritable report file, or two reports on one file, before a search that may take minutes.
  if (!a.trace_out.empty() && !a.junit.empty() && same_file(a.trace_out, a.junit)) {
    std::fprintf(stderr, "tcpclose check: --trace-out and --junit name the same file, %s: each would overwrite the other\n",
                 a.junit.c_str());
    return 2;
  }
  for (const auto& [flag, path] : {std::pair{"--trace-out", &a.trace_out}, std::pair{"--junit", &a.junit}}) {
    if (path->empty()) continue;
    if (const std::string e = check_writable(*path); !e.empty()) {
      std::fprintf(stderr, "tcpclose check: %s: %s\n", flag, e.c_str());
      return 2;
    }
  }
  if (const std::string e = check_work_dir(a.work_dir); !e.empty()) {
    std::fprintf(stderr, "tcpclose check: --work-dir: %s\n", e.c_str());
    return 2;
  }
  const Profile profile = profile_from_name(a.knobs.profile).value_or(Profile::Reference);
  // Timestamps only when asked for, with the profile's PAWS (model_timestamps; --paws then decides).
  const bool ts = a.knobs.timestamps && *a.knobs.timestamps == "on";
  const Config base = model::model_config(profile);
  const Config cfg = apply_knobs(a.knobs, ts ? model::model_timestamps(base, profile) : base);
  std::uint32_t props = 0;
  for (const std::string& p : a.properties)
    for (model::Property q : model::kAllProperties)
      if (p == model::name(q)) props |= model::bit(q);
  if (props == 0) props = model::kAllPropertyBits;

  std::vector<model::Scenario> scenarios;
  for (model::Scenario s : model::kAllScenarios) {
    bool want = a.scenarios.empty();
    for (const std::string& n : a.scenarios) want = want || n == "all" || n == model::name(s);
    if (want) scenarios.push_back(s);
  }
  for (model::Scenario s : model::kExtraScenarios)  // only by name: "all" keeps its pinned counts
    for (const std::string& n : a.scenarios)
      if (n == model::name(s)) { scenarios.push_back(s); break; }

  // Ctrl-C, SIGTERM and SIGHUP end the search within a level's check interval (LevelGuard):
  // the figures so far are printed, the reports written, and the exit code is 3.
  std::optional<StopSignals> stops(std::in_place);
  std::vector<ScenarioRun> runs;
  ProgressReporter reporter(stderr, ProgressReporter::stderr_is_terminal());
  for (model::Scenario s : scenarios) {
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
    // A world that differs from one already searched only in SO_REUSEADDR flags has the same
    // reachable graph if those flags decided no move there (model::reuse_sensitive): the
    // results are that search's, exactly, and are not recomputed.
    const ScenarioRun* same = nullptr;
    for (const ScenarioRun& done : runs)
      if (a.share && !same && done.shared_with == nullptr && done.result.incomplete_reason.empty() &&
          !done.result.reuse_sensitive && model::same_but_reuse(done.world, w))
        same = &done;
    if (same) {
      ScenarioRun r{s, w, same->result, 0, model::name(same->scenario)};
      r.result.seconds = 0;
      if (!r.result.stopped_at_violation)
        r.missing_guards = static_cast<std::uint8_t>(model::required_guards(s) & ~r.result.guards);
      runs.push_back(std::move(r));
      continue;
    }
    model::ExploreOptions opt;
    opt.threads = a.threads != 0 ? a.threads : std::max(1u, std::thread::hardware_concurrency());
    opt.max_states = a.max_states;
    opt.max_memory = a.max_memory.empty() ? default_memory_limit() : *parse_size(a.max_memory);
    opt.properties = props;
    opt.liveness = a.liveness;
    opt.work_dir = a.work_dir;
    opt.interrupt = &stops->flag();
    reporter.begin(model::name(s), runs.size() + 1, scenarios.size());
    if (a.progress) opt.progress = [&reporter](const model::Progress& p) { reporter.update(p); };
    opt.progress_seconds = a.progress_every;
    ScenarioRun r{s, w, model::explore(w, opt), 0, nullptr};
    reporter.end();
    if (a.max_memory.empty() && r.result.incomplete_reason == "--max-memory reached")
      r.result.incomplete_reason = fmt::format("the default memory limit, 3/4 of physical memory ({:.1f} GiB), was "
                                               "reached; raise it with --max-memory",
                                               static_cast<double>(opt.max_memory) / (1 << 30));
    // A guard is only meaningful if the properties it protects are checked in full.
    if (r.result.incomplete_reason.empty() && !r.result.stopped_at_violation)
      r.missing_guards = static_cast<std::uint8_t>(model::required_guards(s) & ~r.result.guards);
    runs.push_back(std::move(r));
    if (stops->stopped()) break;
  }
  const bool interrupted = stops->stopped();
  if (interrupted) std::fprintf(stderr, "tcpclose check: %s: stopped; the figures so far follow\n", stops->name());
  stops.reset();

  bool violated = false, vacuous = false, incomplete = interrupted && runs.size() < scenarios.size();
  for (const ScenarioRun& r : runs) {
    violated = violated || r.result.outcome == model::Outcome::Violated;
    incomplete = incomplete || r.result.outcome == model::Outcome::Incomplete;
    vacuous = vacuous || r.missing_guards != 0;
  }
  int code = violated || vacuous ? 1 : incomplete ? 3 : 0;
  std::vector<std::string> lost;  // reports that could not be written
  std::vector<std::string> untranslatable;  // counterexamples no packetdrill script can carry
  const char* verdict = violated ? "violated" : vacuous ? "vacuous" : incomplete ? "incomplete" : "holds";

  const ScenarioRun* first_bad = nullptr;
  for (const ScenarioRun& r : runs)
    if (!r.result.violations.empty()) { first_bad = &r; break; }

  // Every counterexample, in the order of the text output: scenarios, then properties.
  std::vector<Counterexample> found;
  for (const ScenarioRun& r : runs)
    for (const model::Violation& v : r.result.violations) found.push_back({&r, &v, {}});
  if (!a.trace_out.empty()) {
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (i == 0) found[i].files.push_back(a.trace_out);
      if (found.size() > 1)
        found[i].files.push_back(trace_path_for(a.trace_out, model::name(found[i].run->scenario),
                                                model::name(found[i].v->property)));
      if (trace_format == TraceFormat::Packetdrill) {
        // One host's side as a script, or the reason there is none (cex_script.hpp).
        const model::Violation& v = *found[i].v;
        const std::uint8_t view = a.view.empty() ? default_view(v) : a.view == "B" ? 1 : 0;
        const CexScript sc = cex_script(found[i].run->world, v, view, real_time_config(cfg, profile), a.knobs.profile,
                                        model::name(found[i].run->scenario));
        if (!sc.why_not.empty()) {
          untranslatable.push_back(fmt::format("--trace-format packetdrill: {} {}: no script from {}'s side: {}",
                                               model::name(found[i].run->scenario), model::name(v.property),
                                               view == 0 ? "A" : "B", sc.why_not));
          found[i].files.clear();
          continue;
        }
        for (const std::string& path : found[i].files)
          if (const std::string e = write_atomic(path, sc.text); !e.empty()) lost.push_back("--trace-out: " + e);
        continue;
      }
      for (const std::string& path : found[i].files)
        if (const std::string e = write_trace(path, trace_format, found[i].run->world, *found[i].v); !e.empty())
          lost.push_back("--trace-out: " + e);
    }
  }
  // A counterexample that no script can carry is named with its reason, never written wrong.
  for (const std::string& e : untranslatable) std::fprintf(stderr, "tcpclose check: %s\n", e.c_str());
  if (!untranslatable.empty() && code == 1) code = kExitUntranslatable;
  if (!a.junit.empty())
    if (const std::string e = junit::write(a.junit, junit_suites(runs, scenarios, props, interrupted));
        !e.empty())
      lost.push_back("--junit: " + e);
  // A report that could not be written loses nothing else: the verdict and the counterexample
  // are still printed, and a run that found nothing wrong ends with kExitReportLost, not 0.
  for (const std::string& e : lost) std::fprintf(stderr, "tcpclose check: %s\n", e.c_str());
  if (!lost.empty() && code == 0) code = kExitReportLost;

  if (a.json) {
    nlohmann::json j;
    j["version"] = 1;
    j["verdict"] = verdict;
    j["profile"] = a.knobs.profile;
    j["mutant"] = name(cfg.mutant);
    std::uint64_t states = 0, transitions = 0, depth = 0;
    double seconds = 0;
    for (const ScenarioRun& r : runs) {
      states += r.result.states; transitions += r.result.transitions;
      depth = std::max(depth, r.result.depth); seconds += r.result.seconds;
    }
    j["states"] = states; j["transitions"] = transitions; j["depth"] = depth; j["seconds"] = seconds;
    j["exit_code"] = code;
    if (!lost.empty()) j["report_errors"] = lost;
    j["config"] = {{"msl", cfg.msl}, {"time_wait", cfg.time_wait}, {"rto", cfg.rto}, {"loss", a.loss},
                   {"dup", a.dup}, {"delay", a.delay}, {"in_flight", a.in_flight},
                   {"incarnations", a.incarnations}, {"isn", a.isn}, {"data", a.data},
                   {"client_first", a.client_first}, {"liveness", a.liveness}, {"tw_reuse", a.tw_reuse},
                   {"tw_reuse_delay", a.tw_reuse_delay}};
    j["properties_checked"] = nlohmann::json::array();
    for (model::Property p : model::kAllProperties)
      if (props & model::bit(p)) j["properties_checked"].push_back(model::name(p));
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
    for (const Counterexample& c : found) {
      nlohmann::json v{{"scenario", model::name(c.run->scenario)}, {"property", model::name(c.v->property)},
                       {"statement", model::statement(c.v->property)}, {"steps", c.v->trace.size()},
                       {"terminal", c.v->terminal}, {"replay_ok", c.v->replay_ok}, {"files", c.files},
                       {"trace", nlohmann::json::array()}};
      for (std::size_t i = 0; i < c.v->trace.size(); ++i) v["trace"].push_back(step_json(c.run->world, i, c.v->trace[i]));
      j["violations"].push_back(std::move(v));
    }
    auto& arr = j["scenarios"] = nlohmann::json::array();
    for (const ScenarioRun& r : runs) {
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
                                           {"sweeps", r.result.liveness_sweeps}, {"cut_off_states", r.result.cut_off}}
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
      arr.push_back(s);
    }
    fmt::print("{}\n", j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace));
    return code;
  }

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
    if (props & model::bit(p)) head += fmt::format(" {:>8}", shortname[static_cast<int>(p)]);
  fmt::print("{}  guards\n", head);
  for (const ScenarioRun& r : runs) {
    const auto& x = r.result;
    std::string line =
        r.shared_with ? fmt::format("{:<26}{:>10}{:>12}{:>7}{:>8}{:>11}{:>9}", model::name(r.scenario), x.states,
                                    x.transitions, x.depth, "shared", "-", "-")
                      : fmt::format("{:<26}{:>10}{:>12}{:>7}{:>8.2f}{:>11.0f}{:>9.1f}", model::name(r.scenario),
                                    x.states, x.transitions, x.depth, x.seconds,
                                    x.seconds > 0 ? double(x.states) / x.seconds : 0.0, x.bytes_per_state());
    for (model::Property p : model::kAllProperties)
      if (props & model::bit(p))
        line += fmt::format(" {:>8}", (x.violated & model::bit(p)) ? "VIOLATED"
                                      : !x.incomplete_reason.empty() ? "?" : "holds");
    const int need = __builtin_popcount(model::required_guards(r.scenario));
    const int got = __builtin_popcount(model::required_guards(r.scenario) & x.guards);
    line += x.stopped_at_violation ? std::string("  -") : fmt::format("  {}/{}", got, need);
    fmt::print("{}\n", line);
  }
  for (const ScenarioRun& r : runs) {
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
      const bool mermaid = trace_format == TraceFormat::Mermaid && a.trace_out.empty();
      fmt::print("\n{}: {} violated, shortest counterexample ({} steps):\n{}", model::name(r.scenario),
                 model::name(v.property), v.trace.size(),
                 mermaid ? mermaid_trace(r.world, v) : model::format_trace(r.world, v));
      for (const Counterexample& c : found)
        if (c.v == &v)
          for (const std::string& f : c.files) fmt::print("({} written to {})\n", a.trace_format, f);
    }
  }
  fmt::print("\nverdict: {}\n", verdict);
  return code;
}

}  // namespace tcpclose::cli
