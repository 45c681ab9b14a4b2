// `tcpclose diagram`, `vectors` and `gen`: the command-line side of the derived outputs
// (diagram.hpp, vectors.hpp, gen.hpp). Rule: parse and print here; derive in the libraries.
// Exit codes: 0 written, 1 an external step failed (Graphviz missing or failing, a file not
// writable), 2 bad usage.
#pragma once

#include <string>

#include "cli_fwd.hpp"

#include "knobs.hpp"

namespace tcpclose::cli {

struct DiagramArgs {
  KnobOptions knobs;
  std::string format = "dot";
  std::string self_loops = "restart";
  std::string out;
};
CLI::App* add_diagram_command(CLI::App& app, DiagramArgs& a);
int run_diagram(const DiagramArgs& a);

struct VectorsArgs {
  KnobOptions knobs;
  std::string format = "json";
  std::vector<std::string> scenarios;
  std::string out;
  std::uint64_t max_states = 0;
  std::string max_memory;  // as check's (check.hpp add_memory_options)
  std::string work_dir;
};
CLI::App* add_vectors_command(CLI::App& app, VectorsArgs& a);
int run_vectors(const VectorsArgs& a);

struct GenArgs {
  KnobOptions knobs;
  std::string out;
  std::vector<std::string> states, inputs;
  double max_timer_s = 10;
  std::string kernel_results;  // kernel-run output to judge the scripts by
  std::string grid;            // write the agreement grid here (.svg or .dot)
};
CLI::App* add_gen_command(CLI::App& app, GenArgs& a);
int run_gen(const GenArgs& a);

}  // namespace tcpclose::cli
