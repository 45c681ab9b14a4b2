// `tcpclose sweep`: the command line, the grid (with a named experiment's defaults), the runs
// with their progress line, and the reports. Each point is one `tcpclose check --json` run (or
// `prove --json`, `ports --json`).
#include "sweep.hpp"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "atomic_file.hpp"
#include "check.hpp"
#include "exit_codes.hpp"
#include "knobs.hpp"
#include "ports.hpp"
#include "progress.hpp"
#include "sweep_experiments.hpp"
#include "sweep_report.hpp"

#include <tcpclose/model/properties.hpp>
#include <tcpclose/proofs/engines.hpp>
#include <tcpclose/proofs/system.hpp>

namespace tcpclose::cli {
namespace {

// The fixed options as (flag, value-or-empty) items.
std::vector<std::vector<std::string>> fixed_items(const std::vector<std::string>& fixed) {
  std::vector<std::vector<std::string>> items;
  for (const std::string& t : fixed) {
    if (t.rfind("--", 0) == 0 || items.empty()) items.push_back({t});
    else items.back().push_back(t);
  }
  return items;
}

// The experiment's grid with the user's options in place of its own for every flag the user gave.
Grid merge(const Grid& exp, const Grid& user) {
  std::vector<std::string> given;
  for (const Axis& a : user.axes) given.push_back(a.flag);
  for (const auto& item : fixed_items(user.fixed)) given.push_back(item[0]);
  auto is_given = [&](const std::string& f) { return std::find(given.begin(), given.end(), f) != given.end(); };
  Grid g;
  for (const Axis& a : exp.axes)
    if (!is_given(a.flag)) g.axes.push_back(a);
  for (const auto& item : fixed_items(exp.fixed))
    if (!is_given(item[0])) g.fixed.insert(g.fixed.end(), item.begin(), item.end());
  g.axes.insert(g.axes.end(), user.axes.begin(), user.axes.end());
  g.fixed.insert(g.fixed.end(), user.fixed.begin(), user.fixed.end());
  return g;
}

// --per-scenario: check's --scenario values, fixed until now (one run checks them all), become the
// grid's last axis, "all" standing for the scenarios it means (model::kAllScenarios), so that each
// point checks one scenario and has a row of its own.
void scenario_axis(Grid& g) {
  std::vector<std::string> fixed, names;
  for (const auto& item : fixed_items(g.fixed)) {
    if (item[0] != "--scenario" || item.size() < 2) {
      fixed.insert(fixed.end(), item.begin(), item.end());
      continue;
    }
    std::vector<std::string> these;
    if (item[1] == "all")
      for (model::Scenario s : model::kAllScenarios) these.emplace_back(model::name(s));
    else
      these.push_back(item[1]);
    for (const std::string& n : these)
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  if (names.size() < 2) return;  // one scenario (or none: check's default, all in one run) stays as it was
  g.fixed = fixed;
  g.axes.push_back({"--scenario", names});
}

// The grid to run: the user's options, over the experiment's if one is named. Returns "" or why not.
std::string build_grid(const SweepArgs& a, const Experiment* exp, const std::string& program, Grid& g) {
  Grid user;
  if (std::string e = parse_grid(a.grid_args, user, program); !e.empty()) return e;
  if (exp) {
    Grid base;
    if (std::string e = parse_grid(exp->args, base, program); !e.empty()) return fmt::format("experiment {}: {}", exp->name, e);
    g = merge(base, user);
  } else {
    g = user;
  }
  if (a.per_scenario || (exp && exp->per_scenario)) {
    if (program != "check") return fmt::format("--per-scenario: only for points that run check; these run tcpclose {}", program);
    scenario_axis(g);
  }
  // The size first: a product of long ranges must be refused before it is built.
  constexpr std::size_t kMaxPoints = 100000;
  std::size_t size = 1;
  for (const Axis& ax : g.axes) {
    size *= ax.values.size();
    if (size > kMaxPoints) return fmt::format("the grid has more than {} points (the product of the axes' lengths)", kMaxPoints);
  }
  const std::vector<Point> all = cartesian(g.axes);
  for (const Point& p : all)
    if (std::string e = validate_point(point_args(g, p), program); !e.empty())
      return fmt::format("grid point {}: {}", describe_point(g, p), e);
  for (const Point& p : all)
    if (!exp || !exp->keep || exp->keep(g, p)) g.points.push_back(p);
  return {};
}

// The values of `flag` in the grid: its fixed value or its axis's values; empty if not given.
std::vector<std::string> grid_values(const Grid& g, const std::string& flag) {
  std::vector<std::string> out;
  for (const auto& item : fixed_items(g.fixed))
    if (item[0] == flag && item.size() > 1) out.push_back(item[1]);
  for (const Axis& a : g.axes)
    if (a.flag == flag) out.insert(out.end(), a.values.begin(), a.values.end());
  return out;
}

// prove's columns: "property/engine" for each property and engine some point runs, in prove's order.
std::vector<std::string> prove_columns(const Grid& g) {
  std::vector<std::string> props = grid_values(g, "--property"), engines = grid_values(g, "--engine"), out;
  auto runs = [](const std::vector<std::string>& given, const char* v) {
    return given.empty() || std::find(given.begin(), given.end(), "all") != given.end() ||
           std::find(given.begin(), given.end(), v) != given.end();
  };
  for (model::Property p : proofs::kProvable)
    for (proofs::Engine e : proofs::kAllEngines)
      if (runs(props, model::name(p)) && runs(engines, proofs::name(e)))
        out.push_back(fmt::format("{}/{}", model::name(p), proofs::name(e)));
  // both-closed runs only when named, as in prove itself ("all" leaves it out).
  for (model::Property p : proofs::kProvableWhenNamed)
    for (proofs::Engine e : proofs::kAllEngines)
      if (std::find(props.begin(), props.end(), model::name(p)) != props.end() && runs(engines, proofs::name(e)))
        out.push_back(fmt::format("{}/{}", model::name(p), proofs::name(e)));
  return out;
}

std::vector<std::string> property_columns(const Grid& g) {
  const std::vector<std::string> chosen = grid_values(g, "--property");
  std::vector<std::string> out;
  // Without --property, check decides the default set: the hazard observations are left out.
  for (model::Property p : model::kAllProperties)
    if (chosen.empty() ? (model::kAllPropertyBits & model::bit(p)) != 0
                       : std::find(chosen.begin(), chosen.end(), model::name(p)) != chosen.end())
      out.push_back(model::name(p));
  return out;
}

std::string command_line(const SweepArgs& a) {
  std::string s = "tcpclose sweep";
  if (!a.experiment.empty()) s += " --experiment " + a.experiment;
  if (!a.run.empty()) s += " --run " + a.run;
  if (a.per_scenario) s += " --per-scenario";
  for (const std::string& t : a.grid_args) s += " " + t;
  if (a.jobs != 1) s += fmt::format(" --jobs {}", a.jobs);
  return s;
}

// "[12/40] 11 done, 29 left, 3:05 so far, about 7:40 left"
std::string progress_fields(std::size_t done, std::size_t total, double seconds, std::size_t done_here) {
  const auto clock = [](double s) { return fmt::format("{}:{:02}", static_cast<long>(s) / 60, static_cast<long>(s) % 60); };
  std::string eta = done_here > 0 && done < total
                        ? fmt::format(", about {} left", clock(seconds / static_cast<double>(done_here) * static_cast<double>(total - done)))
                        : "";
  return fmt::format("{} done, {} left, {} so far{}", done, total - done, clock(seconds), eta);
}

int exit_code_of(const SweepResult& r) {
  bool failed = false, incomplete = r.interrupted;
  for (const PointResult& x : r.rows) {
    failed = failed || x.status == PointStatus::Failed;
    incomplete = incomplete || x.status == PointStatus::Incomplete || x.status == PointStatus::NotRun;
  }
  return failed ? kExitFailed : incomplete ? kExitIncomplete : kExitOk;
}

// Runs the points not yet done, with a progress line; returns false when stopped by a signal.
bool run_grid(const SweepArgs& a, SweepResult& r, const std::atomic<bool>* stop) {
  std::vector<std::vector<std::string>> args;
  std::vector<bool> todo;
  std::size_t done = 0;
  for (std::size_t i = 0; i < r.grid.points.size(); ++i) {
    args.push_back(point_args(r.grid, r.grid.points[i]));
    todo.push_back(r.rows[i].status != PointStatus::Done);
    done += !todo.back();
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  RunOptions o;
  o.program = self_program();
  o.name = self_name();
  o.subcommand = r.program;
  o.jobs = a.jobs;
  o.threads = a.threads != 0 ? a.threads : std::max(1u, cores / std::max(1u, a.jobs));
  o.max_memory = memory_limit(a.max_memory) / std::max(1u, a.jobs);
  o.stop = stop;
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t before = done;
  ProgressReporter reporter(stderr, ProgressReporter::stderr_is_terminal());
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  if (a.progress) reporter.begin(r.name == "sweep" ? r.name : "sweep " + r.name, done, r.grid.points.size());
  o.on_done = [&](std::size_t i, const PointResult& x) {
    ++done;
    if (!a.progress) return;
    reporter.begin(describe_point(r.grid, r.grid.points[i]), done, r.grid.points.size());
    reporter.update(fmt::format("{}{}  {}", name(x.status), x.verdict.empty() ? "" : " " + x.verdict,
                                progress_fields(done, r.grid.points.size(), seconds(), done - before)));
  };
  if (a.progress && ProgressReporter::stderr_is_terminal())
    o.on_tick = [&] { reporter.update(progress_fields(done, r.grid.points.size(), seconds(), done - before)); };
  return run_points(args, todo, r.rows, o);
}

// Writes the reports into --out; returns the messages of those that could not be written.
std::vector<std::string> write_reports(const SweepArgs& a, const SweepResult& r, const Derived* d, int code) {
  namespace fs = std::filesystem;
  std::vector<std::string> lost;
  std::error_code ec;
  fs::create_directories(a.out_dir, ec);
  if (ec) return {fmt::format("--out {}: cannot create it: {}", a.out_dir, ec.message())};
  const std::string base = (fs::path(a.out_dir) / r.name).string();
  for (const auto& [ext, text] : {std::pair{".csv", sweep_csv(r)}, std::pair{".md", sweep_markdown(r, d)},
                                  std::pair{".json", sweep_json(r, d, code).dump(1) + "\n"}})
    if (std::string e = write_atomic(base + ext, text); !e.empty()) lost.push_back(e);
  if (a.plot) {
    const Derived picture = d && !d->plot.empty() ? *d : default_plot(r);
    if (std::string e = draw_svg(picture, base + ".svg"); !e.empty()) lost.push_back(e);
  }
  return lost;
}

}  // namespace

CLI::App* add_sweep_command(CLI::App& app, SweepArgs& a) {
  auto* cmd = app.add_subcommand(
      "sweep", "Run check (or prove) over a grid of configurations (--msl 1,2 --time-wait 0..8 ...) or a named experiment");
  cmd->allow_extras();
  cmd->footer("Every other option is a check option (tcpclose check --help; with --run prove, a prove option: "
              "tcpclose prove --help; with --experiment ephemeral-ports, a ports option: tcpclose ports --help): a "
              "value, a list (1,2,3), a range (0..8) or both (0..2,5); options with several values are the grid's "
              "axes, for example --time-wait 0..8, --msl 1,2,3, --loss 0..2, --isn adversarial,clock, "
              "--time-wait-restart fin,ack,answer, --profile reference,linux. Exit codes: 0 every point ran, 1 a point could not run, 2 usage, 3 stopped or a point hit a "
              "limit (--resume finishes), 5 a report was lost.");
  cmd->add_option("--experiment", a.experiment, "A named experiment (--list-experiments); your options override its own");
  cmd->add_option("--run", a.run,
                  "What each point runs: check (the default) or prove (the SMT engines: the grid's options are then "
                  "prove's; a point whose engine says unknown is incomplete, exit 3)")
      ->check(CLI::IsMember({"check", "prove"}));
  cmd->add_flag("--per-scenario", a.per_scenario,
               "Make --scenario an axis: one check run, and one row, per scenario (\"all\": each of the default "
               "check's); without it, each point checks all its scenarios in one run");
  cmd->add_flag("--list-experiments", a.list_experiments, "Print each named experiment with its claim and grid, and exit");
  cmd->add_option("--out", a.out_dir, "Write NAME.csv, NAME.md, NAME.json and NAME.svg into this directory");
  cmd->add_option("--name", a.name, "Base name of the reports (default: the experiment's name, or sweep)");
  cmd->add_option("--jobs", a.jobs, "Grid points run side by side (results do not depend on it)")
      ->check(CLI::Range(1u, 64u))->capture_default_str();
  cmd->add_option("--threads", a.threads,
                  "Explorer threads per point (check's points only); 0: the cores shared among the jobs")
      ->check(CLI::Range(0u, 256u))->capture_default_str();
  cmd->add_option("--max-memory", a.max_memory,
                  "Memory for all running points together, e.g. 8G (check's points only; default: 3/4 of physical "
                  "memory)")
      ->check([](const std::string& s) { return parse_size(s) ? std::string() : "expects a positive size up to 1 PiB, such as 512M or 4G"; });
  cmd->add_option("--resume", a.resume, "Reuse the finished rows of this earlier NAME.json and run only the rest")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--json", a.json, "Print one JSON object (docs/json.md, sweep) instead of the Markdown table");
  cmd->add_flag("!--no-progress", a.progress, "No progress on stderr");
  cmd->add_flag("!--no-plot", a.plot, "With --out: do not draw NAME.svg (no gnuplot needed)");
  return cmd;
}

int run_sweep(const SweepArgs& a, const std::atomic<bool>* stop) {
  if (a.list_experiments) {
    for (const Experiment& e : experiments()) {
      std::string grid;
      for (const std::string& t : e.args) grid += " " + t;
      fmt::print("{}\n  claim: {}\n  grid:{}{}\n", e.name, e.claim, grid, e.per_scenario ? " (--per-scenario)" : "");
      if (e.runs) fmt::print("  runs only: {}\n", e.runs);
    }
    return kExitOk;
  }
  const Experiment* exp = a.experiment.empty() ? nullptr : find_experiment(a.experiment);
  if (!a.experiment.empty() && !exp) {
    std::fprintf(stderr, "tcpclose sweep: --experiment %s: no such experiment (--list-experiments)\n", a.experiment.c_str());
    return kExitUsage;
  }
  SweepResult r;
  r.experiment = a.experiment;
  r.name = !a.name.empty() ? a.name : exp ? exp->name : "sweep";
  r.command = command_line(a);
  if (exp && !a.run.empty() && a.run != exp->program) {
    std::fprintf(stderr, "tcpclose sweep: --run %s: the experiment %s runs %s; leave --run out\n", a.run.c_str(),
                 exp->name, exp->program);
    return kExitUsage;
  }
  r.program = exp ? exp->program : a.run.empty() ? "check" : a.run;
  // Only check searches: a limit given for prove's or ports' points would be silently ignored.
  if (r.program != "check" && (a.threads != 0 || !a.max_memory.empty())) {
    std::fprintf(stderr, "tcpclose sweep: %s: only for points that run check; these run tcpclose %s\n",
                 a.threads != 0 ? "--threads" : "--max-memory", r.program.c_str());
    return kExitUsage;
  }
  if (std::string e = build_grid(a, exp, r.program, r.grid); !e.empty()) {
    std::fprintf(stderr, "tcpclose sweep: %s\n", e.c_str());
    return kExitUsage;
  }
  if (r.name.find('/') != std::string::npos || r.name == "." || r.name == "..") {
    std::fprintf(stderr, "tcpclose sweep: --name %s: a base name, without '/'\n", r.name.c_str());
    return kExitUsage;
  }
  if (r.program == "ports") r.values = ports_value_columns();
  else if (r.program == "prove") r.properties = prove_columns(r.grid);
  else r.properties = property_columns(r.grid);
  r.rows.assign(r.grid.points.size(), PointResult{});
  if (!a.resume.empty()) {
    std::size_t reused = 0;
    if (std::string e = load_resume(a.resume, r, reused); !e.empty()) {
      std::fprintf(stderr, "tcpclose sweep: %s\n", e.c_str());
      return kExitUsage;
    }
    std::fprintf(stderr, "tcpclose sweep: --resume %s: %zu of %zu points already done\n", a.resume.c_str(), reused,
                 r.grid.points.size());
    const std::string build = self_build_id();
    std::size_t other = 0;
    for (const PointResult& x : r.rows) other += x.status == PointStatus::Done && x.build != build;
    if (other)  // kept, so that a report's text can be derived again, but never silently
      std::fprintf(stderr,
                   "tcpclose sweep: --resume %s: %zu of them were run by another build of tcpclose than this one "
                   "(%s); their rows are kept as they were (each row's \"build\" says which); without --resume "
                   "every point runs again\n",
                   a.resume.c_str(), other, build.c_str());
  }
  r.interrupted = !run_grid(a, r, stop);
  if (r.interrupted) std::fprintf(stderr, "tcpclose sweep: stopped; finished rows are kept, the rest are marked not run\n");
  int code = exit_code_of(r);
  const Derived derived = exp && exp->derive ? exp->derive(r) : Derived{};
  const Derived* d = exp && exp->derive ? &derived : nullptr;
  const std::vector<std::string> lost = a.out_dir.empty() ? std::vector<std::string>{} : write_reports(a, r, d, code);
  for (const std::string& e : lost) std::fprintf(stderr, "tcpclose sweep: %s\n", e.c_str());
  if (!lost.empty() && code == kExitOk) code = kExitReportLost;
  if (a.json) fmt::print("{}\n", sweep_json(r, d, code).dump(1, ' ', false, nlohmann::json::error_handler_t::replace));
  else fmt::print("{}", sweep_markdown(r, d));
  return code;
}

}  // namespace tcpclose::cli
