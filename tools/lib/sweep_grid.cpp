// The grid of `tcpclose sweep`: axes and fixed options read from the command line, checked
// against the option table of what each point runs (check, prove or ports), so a sweep accepts
// exactly what that command accepts.
#include "sweep_grid.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "check.hpp"
#include "ports.hpp"
#include "prove.hpp"

namespace tcpclose::cli {
namespace {

// Options a sweep sets itself for every run, or that make no sense per point.
const std::set<std::string>& refused_options() {
  static const std::set<std::string> s = {
      "--json", "--no-progress", "--progress-every", "--trace-format", "--trace-out", "--view", "--junit", "--threads",
      "--max-memory", "--list-properties", "--list-mutants", "--list-scenarios", "--help", "-h"};
  return s;
}

// A throwaway `check` (or `prove`, or `ports`) command, to look options up and to parse a point
// as it would.
struct CheckParser {
  CheckArgs args;
  ProveArgs prove_args;
  PortsArgs ports_args;
  std::string program;
  CLI::App app;
  explicit CheckParser(const std::string& prog) : program(prog), app(prog) {
    if (prog == "ports") add_ports_options(app, ports_args);
    else if (prog == "prove") add_prove_options(app, prove_args);
    else add_check_options(app, args);
  }
};

constexpr std::size_t kMaxValuesPerAxis = 10000;

std::string expand_one(const std::string& item, std::vector<std::string>& out) {
  const std::size_t dots = item.find("..");
  if (dots == std::string::npos) {
    if (item.empty()) return "an empty value";
    out.push_back(item);
    return {};
  }
  const std::string a = item.substr(0, dots), b = item.substr(dots + 2);
  unsigned long lo = 0, hi = 0;
  const auto pa = std::from_chars(a.data(), a.data() + a.size(), lo);
  const auto pb = std::from_chars(b.data(), b.data() + b.size(), hi);
  if (a.empty() || b.empty() || pa.ec != std::errc{} || pb.ec != std::errc{} || pa.ptr != a.data() + a.size() ||
      pb.ptr != b.data() + b.size())
    return fmt::format("'{}' is not a range of non-negative integers such as 0..8", item);
  if (lo > hi) return fmt::format("the range '{}' is empty (its first value is above its last)", item);
  if (hi - lo >= kMaxValuesPerAxis) return fmt::format("the range '{}' has more than {} values", item, kMaxValuesPerAxis);
  for (unsigned long v = lo; v <= hi; ++v) out.push_back(std::to_string(v));
  return {};
}

std::string add_option(const CheckParser& p, const std::string& flag, const std::string* value, Grid& g) {
  if (refused_options().count(flag))
    return fmt::format("{}: the sweep sets this for every run itself (see tcpclose sweep --help)", flag);
  const CLI::Option* o = p.app.get_option_no_throw(flag);
  if (o == nullptr) return fmt::format("{}: not an option of tcpclose {} (see tcpclose {} --help)", flag, p.program, p.program);
  if (o->get_expected_max() == 0) {
    if (value) return fmt::format("{}: a flag takes no value", flag);
    g.fixed.push_back(flag);
    return {};
  }
  if (!value) return fmt::format("{}: needs a value, a list (1,2,3) or a range (0..8)", flag);
  std::vector<std::string> values;
  if (std::string e = expand_values(*value, values); !e.empty()) return fmt::format("{} {}: {}", flag, *value, e);
  // check's --scenario and --property are lists (one run checks them all); prove's --property
  // and --engine are single values, so several of them are an axis like any other.
  if (p.program == "check" && (flag == "--scenario" || flag == "--property")) {
    for (const std::string& v : values) g.fixed.insert(g.fixed.end(), {flag, v});
    return {};
  }
  for (const Axis& a : g.axes)
    if (a.flag == flag) return fmt::format("{}: given twice; give its values as one list", flag);
  for (std::size_t i = 0; i + 1 < g.fixed.size(); ++i)
    if (g.fixed[i] == flag) return fmt::format("{}: given twice; give its values as one list", flag);
  if (values.size() == 1) g.fixed.insert(g.fixed.end(), {flag, values[0]});
  else g.axes.push_back({flag, values});
  return {};
}

}  // namespace

std::string expand_values(const std::string& spec, std::vector<std::string>& out) {
  std::size_t start = 0;
  std::vector<std::string> all;
  while (true) {
    const std::size_t comma = spec.find(',', start);
    const std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (std::string e = expand_one(item, all); !e.empty()) return e;
    if (all.size() > kMaxValuesPerAxis) return fmt::format("more than {} values", kMaxValuesPerAxis);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (const std::string& v : all)
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  return {};
}

std::string parse_grid(const std::vector<std::string>& args, Grid& g, const std::string& program) {
  const CheckParser p(program);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a.size() < 3) return fmt::format("'{}': expected an option such as --msl 1,2,3", a);
    const std::size_t eq = a.find('=');
    std::string e;
    if (eq != std::string::npos) {
      const std::string value = a.substr(eq + 1);
      e = add_option(p, a.substr(0, eq), &value, g);
    } else {
      const CLI::Option* o = p.app.get_option_no_throw(a);
      const bool takes_value = o != nullptr && o->get_expected_max() != 0;
      if (takes_value && i + 1 >= args.size()) return fmt::format("{}: needs a value, a list (1,2,3) or a range (0..8)", a);
      e = add_option(p, a, takes_value ? &args[++i] : nullptr, g);
    }
    if (!e.empty()) return e;
  }
  return {};
}

std::vector<Point> cartesian(const std::vector<Axis>& axes) {
  std::vector<Point> out(1);
  for (const Axis& a : axes) {
    std::vector<Point> next;
    for (const Point& p : out)
      for (const std::string& v : a.values) {
        next.push_back(p);
        next.back().push_back(v);
      }
    out = std::move(next);
  }
  return out;
}

std::vector<std::string> point_args(const Grid& g, const Point& p) {
  std::vector<std::string> out = g.fixed;
  for (std::size_t i = 0; i < g.axes.size() && i < p.size(); ++i) out.insert(out.end(), {g.axes[i].flag, p[i]});
  return out;
}

std::string validate_point(const std::vector<std::string>& args, const std::string& program) {
  CheckParser p(program);
  std::vector<std::string> rev(args.rbegin(), args.rend());  // CLI11 takes the arguments reversed
  try {
    p.app.parse(rev);
  } catch (const CLI::ParseError& e) {
    return parse_error_text(e);
  }
  return {};
}

std::string describe_point(const Grid& g, const Point& p) {
  std::string s;
  for (std::size_t i = 0; i < g.axes.size() && i < p.size(); ++i)
    s += fmt::format("{}{}={}", s.empty() ? "" : " ", g.axes[i].flag.substr(2), p[i]);
  return s.empty() ? "(the one point)" : s;
}

}  // namespace tcpclose::cli
