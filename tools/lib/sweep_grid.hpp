// The grid of `tcpclose sweep`: which `check` options vary (axes), which stay fixed, and the
// list of points, each the argument list of one `tcpclose check` run. Any option of `check`
// that takes a value may be an axis; values are lists ("1,2,3"), integer ranges ("0..8") or both.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tcpclose::cli {

struct Axis {
  std::string flag;                 // "--msl"
  std::vector<std::string> values;  // in the order given, duplicates removed
};

// One grid point: a value for each axis, in the grid's axis order.
using Point = std::vector<std::string>;

struct Grid {
  std::vector<Axis> axes;           // options given more than one value
  std::vector<std::string> fixed;   // passed to every run as given: "--scenario", "reopen-syn", "--client-first", ...
  std::vector<Point> points;        // the runs, in order
};

// "0..3" -> 0 1 2 3; "adversarial,clock" -> two values; "0..2,5" -> 0 1 2 5. Returns "" or why not.
std::string expand_values(const std::string& spec, std::vector<std::string>& out);

// Reads the options the sweep does not know itself (`args`, CLI11's leftovers) into a grid:
// `--flag VALUES` or `--flag=VALUES` for a check option with a value, `--flag` for a check
// flag. --scenario and --property are fixed lists (repeatable, or comma-separated). Options
// that only concern one run's reports or search (--json, --trace-out, --threads, ...) are
// refused, as the sweep sets them. Returns "" or a message naming the argument. `program` is
// the subcommand each point runs: check, prove or ports (whose options are then the ones accepted).
std::string parse_grid(const std::vector<std::string>& args, Grid& g, const std::string& program = "check");

// Every combination of the axes' values, the first axis varying slowest.
std::vector<Point> cartesian(const std::vector<Axis>& axes);

// The `check` arguments of one point: the fixed ones, then each axis's flag and value.
std::vector<std::string> point_args(const Grid& g, const Point& p);

// Parses a point's arguments as `tcpclose check` would, without running it: "" or CLI11's
// message naming the flag and value (so a bad value fails the sweep before any run).
std::string validate_point(const std::vector<std::string>& args, const std::string& program = "check");

// "msl=2 time-wait=3": a point for progress lines and messages.
std::string describe_point(const Grid& g, const Point& p);

}  // namespace tcpclose::cli
