// `tcpclose check`: runs the explorer over scenarios and prints the verdicts, the table of
// scenario x property, and the shortest counterexample of each violated property.
// Exit codes: 0 all hold, 1 violated (or a vacuity guard unreached), 2 usage, 3 incomplete,
// 6 violated but --trace-format packetdrill cannot carry the counterexample (cex_script.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli_fwd.hpp"

#include "knobs.hpp"

namespace tcpclose::cli {

struct CheckArgs {
  KnobOptions knobs;
  std::vector<std::string> scenarios;   // empty or "all": every scenario
  std::vector<std::string> properties;  // empty: every property
  std::string isn = "adversarial";
  std::string tw_reuse = "off";
  unsigned tw_reuse_delay = 1;
  std::string ts_clock = "tick";  // the TSval clock: tick (one step a model tick) or fine (World::ts_steps)
  unsigned incarnations = 2, loss = 1, dup = 1, delay = 1, in_flight = 2, data = 1, threads = 0;
  std::uint64_t max_states = 0;
  std::string max_memory;
  std::string work_dir;  // where the frontier, parent records and edges go (empty: $TMPDIR or /tmp)
  bool json = false, list_properties = false, list_mutants = false, list_scenarios = false;
  bool progress = true;
  double progress_every = 2.0;  // seconds between progress reports
  bool client_first = false;
  bool liveness = true;  // decide both-closed's "a settled state stays reachable" half
  bool share = true;     // reuse a search for a world that provably has the same graph
  std::string trace_format = "text";  // text, mermaid, pcap or packetdrill (counterexample.hpp)
  std::string view;                   // packetdrill: "A" or "B"; empty: the violating step's host
  std::string trace_out;              // write the counterexample(s) here
  std::string junit;                  // write a JUnit XML report here
};

void add_check_options(CLI::App& cmd, CheckArgs& a);
// "512M", "4G", "1000000": a positive size in bytes, at most 1 PiB; nullopt when malformed.
std::optional<std::uint64_t> parse_size(const std::string& s);
// The memory a search may use without --max-memory: 3/4 of physical memory.
std::uint64_t default_memory_limit();
// --max-memory and --work-dir, as every command that runs the explorer has them (check, vectors).
void add_memory_options(CLI::Option_group& g, std::string& max_memory, std::string& work_dir);
// Refuses a work dir where the search could not make its private directory, before a search
// that may take minutes: "" when one can be made there (it is removed again).
std::string check_work_dir(const std::string& dir);
// --max-memory's value (validated by add_memory_options) or the default limit.
std::uint64_t memory_limit(const std::string& max_memory);
// The explorer's incomplete_reason, saying which limit it was when --max-memory was not given.
std::string explain_stop(const std::string& reason, const std::string& max_memory);
int run_check(const CheckArgs& a);
// The model's Config for the knobs (model_config of --profile; with --timestamps on,
// model_timestamps with the profile's PAWS, which --paws then overrides): one rule for every
// command that builds a world (check, vectors).
Config world_config(const KnobOptions& k);

}  // namespace tcpclose::cli
