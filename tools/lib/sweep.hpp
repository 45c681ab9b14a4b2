// `tcpclose sweep`: runs `tcpclose check` over a grid of configurations (or a named experiment;
// ephemeral-ports runs `tcpclose ports` instead; `--run prove` runs the SMT engines) and writes
// one table for the whole grid: NAME.csv, NAME.md, NAME.json and a gnuplot NAME.svg.
// Exit codes: 0 every point ran, 1 a point could not run, 2 usage, 3 stopped or a point hit a
// limit (finished rows kept; --resume completes them), 5 a report could not be written.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "cli_fwd.hpp"

#include "sweep_grid.hpp"
#include "sweep_run.hpp"

namespace tcpclose::cli {

struct SweepArgs {
  std::string experiment;      // a named experiment (sweep_experiments.hpp), or "" for the grid alone
  std::string out_dir;         // write NAME.csv, NAME.md, NAME.json, NAME.svg here
  std::string name;            // default: the experiment's name, or "sweep"
  std::string resume;          // a NAME.json of an earlier run of the same grid
  std::string max_memory;      // for all runs together
  std::string run;             // what each point runs: check or prove ("": the experiment's, else check)
  unsigned jobs = 1, threads = 0;
  bool json = false, progress = true, list_experiments = false, plot = true;
  bool per_scenario = false;   // --scenario is an axis: one check run, and one row, per scenario
  std::vector<std::string> grid_args;  // the check options: axes and fixed ones
};

// One sweep's results, as the reports show them.
struct SweepResult {
  std::string name, experiment;
  Grid grid;
  std::vector<std::string> properties;  // columns, in the checker's order
  std::vector<PointResult> rows;        // one per grid point
  std::string program = "check";        // what each point runs: check, prove, or ports (a simulation)
  std::vector<std::string> values;      // ports: the output columns, in order
  bool interrupted = false;
  std::string command;                  // the command line, for the reports
};

CLI::App* add_sweep_command(CLI::App& app, SweepArgs& a);
int run_sweep(const SweepArgs& a, const std::atomic<bool>* stop);

}  // namespace tcpclose::cli
