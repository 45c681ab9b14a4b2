// Named experiments of `tcpclose sweep --experiment NAME`: each is a grid, a claim from the
// literature it tests (cited), and a derived table that states the tool's own verdict on it.
#pragma once

#include <string>
#include <vector>

#include "sweep.hpp"

namespace tcpclose::cli {

struct Derived {
  std::string markdown;  // a table and the verdict it supports, for NAME.md
  std::string plot;      // gnuplot commands drawing it (the output file is set by the caller), or ""
  std::string data;      // the data file the plot reads ($DATA in `plot`)
};

struct Experiment {
  const char* name;
  const char* claim;                   // the claim tested, with its source
  std::vector<std::string> args;       // its grid, as check options (the user's options override these)
  bool (*keep)(const Grid&, const Point&);  // which cartesian points it runs (nullptr: all)
  Derived (*derive)(const SweepResult&);    // its own table, or nullptr
  const char* program;                 // what each point runs: "check", or "ports" (a simulation, ports.hpp)
  const char* runs = nullptr;          // with `keep`: which points it runs, in words (--list-experiments)
  bool per_scenario = false;           // its --scenario values are an axis (sweep --per-scenario)
};

const std::vector<Experiment>& experiments();
const Experiment* find_experiment(const std::string& name);

}  // namespace tcpclose::cli
