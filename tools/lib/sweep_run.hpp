// Runs the points of a sweep, `jobs` at a time, each as its own `tcpclose check --json` (or
// `prove --json`, or `ports --json`) process: a point's result is exactly what that command says
// for it, whatever runs beside it, and a stop signal ends the running points and keeps the
// finished ones.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace tcpclose::cli {

enum class PointStatus { NotRun, Done, Incomplete, Failed };
const char* name(PointStatus s);

struct PointResult {
  PointStatus status = PointStatus::NotRun;
  int exit_code = -1;
  std::string verdict;                          // check's: holds, violated, vacuous, incomplete;
                                                // prove's: proved, bounded, violated, unknown
  // check: property -> holds | violated | unknown; prove: "property/engine" -> proved | bounded
  // | violated | unknown | error.
  std::map<std::string, std::string> properties;
  std::map<std::string, unsigned> shortest;     // the same key -> steps of its shortest counterexample
  std::uint64_t states = 0;
  double seconds = 0;
  std::string error;                            // Failed or Incomplete: why
  std::map<std::string, std::string> values;    // a `tcpclose ports` run's outputs (ports.hpp)
  std::string build;                            // the build id of the tcpclose that ran it ("": not known)
};

struct RunOptions {
  std::string program;            // the tcpclose executable
  std::string name;               // the points' argv[0], as ps shows them ("": program)
  std::string subcommand = "check";  // or "prove", or "ports": what each point runs
  unsigned jobs = 1;
  unsigned threads = 1;           // --threads of each run
  std::uint64_t max_memory = 0;   // --max-memory of each run, bytes
  const std::atomic<bool>* stop = nullptr;
  // Called after each point ends (index, result), from the calling thread.
  std::function<void(std::size_t, const PointResult&)> on_done;
  // Called about every 200 ms while points run, for a progress line.
  std::function<void()> on_tick;
};

// Runs check with `args[i]` for every i where `todo[i]`; results go to `out[i]`.
// Returns false if a stop signal ended the run early.
bool run_points(const std::vector<std::vector<std::string>>& args, const std::vector<bool>& todo,
                std::vector<PointResult>& out, const RunOptions& o);

// Reads one `tcpclose check --json` object (docs/json.md) into a result; "" or why not.
std::string read_check_json(const std::string& text, int exit_code, PointResult& r);
// Reads one `tcpclose prove --json` object (docs/json.md) into a result; "" or why not. Exit 3
// (an engine unknown, out of time or in error) makes the point incomplete, with that engine's
// detail as the reason; its row keeps every result.
std::string read_prove_json(const std::string& text, int exit_code, PointResult& r);

// The path of the running executable (/proc/self/exe), for running check.
std::string self_program();
// Its name for a point's argv[0]: the file it was started from ("tcpclose" if not known).
std::string self_name();
// This binary's GNU build id (hex; "unknown" without one): which build ran a sweep's points.
std::string self_build_id();

}  // namespace tcpclose::cli
