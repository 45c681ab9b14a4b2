// `tcpclose diagram` and `tcpclose vectors` (see outputs_cli.hpp).
#include "outputs_cli.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <optional>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "atomic_file.hpp"
#include "check.hpp"
#include "counterexample.hpp"
#include "exit_codes.hpp"
#include "signals.hpp"
#include "diagram.hpp"
#include "gen.hpp"
#include "table.hpp"
#include "vectors.hpp"

namespace tcpclose::cli {
namespace {

// Writes `text` to `path`, or to stdout when path is empty or "-" (whose failure main() reports).
// Returns 0, or kExitReportLost when the file could not be written.
int write_out(const std::string& text, const std::string& path, const char* cmd) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  if (const std::string e = write_atomic(path, text); !e.empty()) {
    std::fprintf(stderr, "tcpclose %s: --out: %s\n", cmd, e.c_str());
    return kExitReportLost;
  }
  return 0;
}

}  // namespace

CLI::App* add_diagram_command(CLI::App& app, DiagramArgs& a) {
  auto* cmd = app.add_subcommand("diagram", "Print the state diagram, derived from step(), as Graphviz DOT or SVG");
  add_knob_options(*cmd, a.knobs, true);
  cmd->add_option("--format", a.format, "dot (text) or svg (rendered by Graphviz's dot program)")
      ->check(CLI::IsMember({"dot", "svg"}))->capture_default_str();
  cmd->add_option("--self-loops", a.self_loops,
                  "Inputs that leave the state unchanged: none, restart (only those arming 2MSL or the FIN-WAIT-2 "
                  "timer) or all (all with an output)")
      ->check(CLI::IsMember({"none", "restart", "all"}))->capture_default_str();
  cmd->add_option("--out", a.out, "Write to this file instead of stdout");
  cmd->footer("Exit codes: 0 written, 1 Graphviz's dot is missing or failed, 2 bad usage, 5 --out could not be written.");
  return cmd;
}

int run_diagram(const DiagramArgs& a) {
  const Config c = make_config(a.knobs);
  const std::string title = fmt::format("tcpclose state diagram, profile {}{}", a.knobs.profile,
                                        c.mutant == Mutant::None ? "" : fmt::format(", mutant {}", name(c.mutant)));
  const diagram::SelfLoops loops = a.self_loops == "none"  ? diagram::SelfLoops::None
                                   : a.self_loops == "all" ? diagram::SelfLoops::All
                                                           : diagram::SelfLoops::Restart;
  const std::string text = diagram::dot(c, title, loops);
  if (a.format == "dot") return write_out(text, a.out, "diagram");
  std::string error;
  const auto svg = diagram::render_svg(text, error);
  if (!svg) {
    std::fprintf(stderr, "tcpclose diagram: --format svg: %s\n", error.c_str());
    return 1;
  }
  return write_out(*svg, a.out, "diagram");
}

CLI::App* add_vectors_command(CLI::App& app, VectorsArgs& a) {
  auto* cmd = app.add_subcommand("vectors", "Export every distinct (TCB, input) -> output the model checker's "
                                            "exploration ran through step(), as test vectors (docs/vectors.md)");
  add_knob_options(*cmd, a.knobs, true);
  cmd->add_option("--format", a.format, "json (the only format so far)")->check(CLI::IsMember({"json"}))->capture_default_str();
  std::vector<std::string> names{"all"};
  for (model::Scenario s : model::kAllScenarios) names.emplace_back(model::name(s));
  cmd->add_option("--scenario", a.scenarios, "Scenario to explore (repeatable; default: active-close and "
                                             "simultaneous-close; all: every scenario, ~80 M states)")
      ->check(CLI::IsMember(names));
  cmd->add_option("--out", a.out, "Write to this file instead of stdout");
  auto* e = cmd->add_option_group("Search", "The checker's explorer, which the vectors come from");
  e->add_option("--max-states", a.max_states, "Stop each scenario's search after this many states (0: no limit); "
                                              "the document then says \"complete\": false (exit 0)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{4000000000}));
  add_memory_options(*e, a.max_memory, a.work_dir);
  cmd->footer("Exit codes: 0 written, 1 a recorded step is not reproducible, 2 bad usage (also an --out that cannot be "
              "written or a --work-dir where no directory can be made, refused before the search), 3 a signal, --max-memory or a full --work-dir stopped a search (the document, "
              "still written, says \"complete\": false and why), 5 the document could not be written after the search.");
  return cmd;
}

int run_vectors(const VectorsArgs& a) {
  // Refuse an unwritable --out before a search that may take minutes.
  if (!a.out.empty() && a.out != "-")
    if (const std::string e = check_writable(a.out); !e.empty()) {
      std::fprintf(stderr, "tcpclose vectors: --out: %s\n", e.c_str());
      return 2;
    }
  if (const std::string e = check_work_dir(a.work_dir); !e.empty()) {
    std::fprintf(stderr, "tcpclose vectors: --work-dir: %s\n", e.c_str());
    return 2;
  }
  const Config cfg = world_config(a.knobs);
  std::vector<model::Scenario> scenarios;
  for (model::Scenario s : model::kAllScenarios) {
    bool want = a.scenarios.empty() && (s == model::Scenario::ActiveClose || s == model::Scenario::SimultaneousClose);
    for (const std::string& n : a.scenarios) want = want || n == "all" || n == model::name(s);
    if (want) scenarios.push_back(s);
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<StopSignals> stops(std::in_place);  // a signal ends the search, not the document
  vectors::Collection col;
  bool limit_stopped = false;  // a search ended by --max-memory or the work dir
  nlohmann::json meta;
  meta["generator"] = "tcpclose 0.1.0";
  meta["profile"] = a.knobs.profile;
  meta["mutant"] = name(cfg.mutant);
  nlohmann::json knobs = nlohmann::json::object();
  for (const auto& [k, v] : describe(cfg)) knobs[k] = v;
  meta["config"] = knobs;
  meta["scenarios"] = nlohmann::json::array();
  for (model::Scenario s : scenarios) {
    const model::World w = model::make_world(s, cfg);
    meta["scenarios"].push_back(model::name(s));
    meta["bounds"] = {{"loss", w.loss}, {"dup", w.dup}, {"delay", w.delay}, {"in_flight", w.in_flight},
                      {"incarnations", w.incarnations}, {"data", w.data}, {"isn", "adversarial"}};
    model::ExploreOptions opt;
    opt.max_states = a.max_states;
    opt.max_memory = memory_limit(a.max_memory);
    opt.work_dir = a.work_dir;
    opt.interrupt = &stops->flag();
    const std::string why = vectors::collect(w, opt, col);
    // A cut the user asked for (--max-states) is a document as asked; any other is a stop (3).
    limit_stopped = limit_stopped || (!why.empty() && why != "--max-states reached");
    if (!col.complete) col.incomplete_reason = explain_stop(col.incomplete_reason, a.max_memory);
    if (stops->stopped()) break;
  }
  const bool interrupted = stops->stopped();
  if (interrupted) std::fprintf(stderr, "tcpclose vectors: %s: stopped; writing what was collected\n", stops->name());
  stops.reset();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (col.unexplained != 0) {
    std::fprintf(stderr, "tcpclose vectors: %llu recorded steps are not reproduced by step() (a model bug)\n",
                 static_cast<unsigned long long>(col.unexplained));
    return 1;
  }
  const std::string text = vectors::dump(vectors::to_json(col, meta));
  std::fprintf(stderr, "tcpclose vectors: %zu vectors from %llu steps, %llu states, %.1f s, %zu bytes%s\n",
               col.vectors.size(), static_cast<unsigned long long>(col.steps), static_cast<unsigned long long>(col.states),
               secs, text.size(), col.complete ? "" : fmt::format(" (incomplete: {})", col.incomplete_reason).c_str());
  const bool stopped = interrupted || limit_stopped;
  const int written = write_out(text, a.out, "vectors");
  return written != 0 ? written : stopped ? kExitIncomplete : 0;
}

CLI::App* add_gen_command(CLI::App& app, GenArgs& a) {
  auto* cmd = app.add_subcommand("gen", "Write packetdrill scripts derived from step(), one per (state, input "
                                        "class) of the table that a script can reach (docs/conformance.md)");
  add_knob_options(*cmd, a.knobs, true);
  cmd->add_option("--out", a.out, "Directory for the scripts and index.csv (created if absent)")->required();
  std::vector<std::string> states;
  for (State s : kAllStates) states.emplace_back(name(s));
  cmd->add_option("--state", a.states, "Only this state, as the RFC spells it (repeatable)")->check(CLI::IsMember(states));
  const CLI::Validator input_class(
      [](std::string& v) -> std::string {
        for (const auto& k : classes::all_classes())
          if (table::input_name(k) == v) return {};
        return "unknown input class '" + v + "' (the names are the input column of `tcpclose table`, e.g. 'F. seq=nxt ack=nxt')";
      },
      "CLASS");
  cmd->add_option("--input", a.inputs, "Only this input class, as `tcpclose table` names it (repeatable)")
      ->check(input_class);
  cmd->add_option("--max-timer", a.max_timer_s, "Do not script a timer that fires later than this, in seconds")
      ->check(finite_range(0.0, 86400.0))->capture_default_str();
  cmd->add_option("--kernel-results", a.kernel_results,
                  "Judge the scripts by this output of ../shared/tools/kernel-run (PASS/FAIL lines): print the "
                  "agreement per state and per input class")->check(CLI::ExistingFile);
  cmd->add_option("--grid", a.grid, "With --kernel-results: write the state x input-class agreement grid to this "
                                    "file (.svg through Graphviz, else DOT)")->needs("--kernel-results");
  cmd->footer("Exit codes: 0 written, 1 the --out directory cannot be made (or Graphviz failed), 2 bad usage, "
              "5 a script, index.csv or --grid could not be written.\n"
              "index.csv lists every selected pair: its script, or why there is none.");
  return cmd;
}

int run_gen(const GenArgs& a) {
  gen::Options o;
  o.config = make_config(a.knobs);
  o.profile = a.knobs.profile;
  o.freebsd_buffers = profile_from_name(a.knobs.profile) == Profile::FreeBsd;
  for (const std::string& n : a.states)
    for (State s : kAllStates)
      if (n == name(s)) o.states.push_back(s);
  o.inputs = a.inputs;
  o.max_timer_us = static_cast<std::int64_t>(std::llround(a.max_timer_s * 1e6));
  const auto items = gen::generate(o);
  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  if (ec) {
    std::fprintf(stderr, "tcpclose gen: --out %s: cannot create the directory: %s\n", a.out.c_str(), ec.message().c_str());
    return 1;
  }
  std::size_t written = 0;
  for (const gen::Item& it : items) {
    if (it.file.empty()) continue;
    if (const int rc = write_out(it.text, (std::filesystem::path(a.out) / it.file).string(), "gen"); rc != 0) return rc;
    ++written;
  }
  if (const int rc = write_out(gen::index_csv(items), (std::filesystem::path(a.out) / "index.csv").string(), "gen"); rc != 0)
    return rc;
  std::size_t others = 0;  // scripts of an earlier run, which a glob would mix with these
  for (const auto& e : std::filesystem::directory_iterator(a.out, ec)) {
    const std::string f = e.path().filename().string();
    if (e.path().extension() == ".pkt" &&
        std::none_of(items.begin(), items.end(), [&](const gen::Item& it) { return it.file == f; }))
      ++others;
  }
  if (others > 0)
    std::fprintf(stderr, "tcpclose gen: note: %s also holds %zu .pkt files that this run did not write\n", a.out.c_str(), others);
  std::printf("%zu pairs: %zu scripts, %zu not scriptable (reasons in %s/index.csv)\n", items.size(), written,
              items.size() - written, a.out.c_str());
  if (a.kernel_results.empty()) return 0;
  std::ifstream f(a.kernel_results, std::ios::binary);
  const std::string results((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto verdicts = gen::judge(items, results);
  std::printf("\n%s", gen::agreement_report(items, verdicts).c_str());
  if (a.grid.empty()) return 0;
  const std::string dot = gen::agreement_dot(items, verdicts, fmt::format("profile {} against {}", a.knobs.profile, a.kernel_results));
  if (a.grid.size() < 4 || a.grid.substr(a.grid.size() - 4) != ".svg") return write_out(dot, a.grid, "gen");
  std::string error;
  const auto svg = diagram::render_svg(dot, error);
  if (!svg) {
    std::fprintf(stderr, "tcpclose gen: --grid %s: %s\n", a.grid.c_str(), error.c_str());
    return 1;
  }
  return write_out(*svg, a.grid, "gen");
}

}  // namespace tcpclose::cli
