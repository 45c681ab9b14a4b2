// `tcpclose ports`: one run of the connect loop (model/connect_loop.hpp) with its outputs and the
// claim's prediction, or (--bind-cases) the bind() outcomes per RFC 6335 port class. A
// deterministic simulation of the core's rules, not a model-checking result. Exit codes: 0 the
// run agrees with the prediction, 1 it does not, 2 usage, 5 standard output could not be written.
#pragma once

#include <optional>
#include <string>

#include "cli_fwd.hpp"

#include "sweep_run.hpp"

namespace tcpclose::cli {

struct PortsArgs {
  unsigned ephemeral = 4, time_wait = 3, every = 1, ticks = 200, warmup = 40, tw_reuse_delay = 1;
  std::string pick = "autobind", tw_reuse = "off";
  std::string variant = "none";  // release-at-time-wait: a broken stack, for controls
  std::optional<std::string> ports_exhausted;  // unset: LoopConfig's (the linux profile's)
  bool json = false, bind_cases = false;
};

// The options of `ports`: the sweep parses a point with them too (sweep --experiment ephemeral-ports).
void add_ports_options(CLI::App& cmd, PortsArgs& a);
CLI::App* add_ports_command(CLI::App& app, PortsArgs& a);
int run_ports(const PortsArgs& a);

// Reads one `tcpclose ports --json` object into a sweep row: its outputs go to r.values, the
// verdict (agrees / disagrees) to r.verdict. Returns "" or why not.
std::string read_ports_json(const std::string& text, int exit_code, PointResult& r);

// The outputs of a run, in the order the sweep's reports show them.
const std::vector<std::string>& ports_value_columns();

// The bind() outcomes per RFC 6335 class, port 0 and BindReuse rule, as one Markdown table.
std::string bind_cases_markdown();

}  // namespace tcpclose::cli
