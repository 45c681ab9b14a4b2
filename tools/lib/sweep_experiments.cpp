// The named experiments of `tcpclose sweep --experiment NAME` (docs/experiments.md). Each
// derived table is computed from the sweep's own rows; nothing in it is written by hand.
#include "sweep_experiments.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

namespace tcpclose::cli {
namespace {

std::optional<std::size_t> axis_index(const Grid& g, const std::string& flag) {
  for (std::size_t k = 0; k < g.axes.size(); ++k)
    if (g.axes[k].flag == flag) return k;
  return std::nullopt;
}

// The value of `flag` at point i: its axis value, or its fixed value, or "".
std::string value_at(const Grid& g, std::size_t i, const std::string& flag) {
  if (auto k = axis_index(g, flag)) return g.points[i][*k];
  for (std::size_t f = 0; f + 1 < g.fixed.size(); ++f)
    if (g.fixed[f] == flag) return g.fixed[f + 1];
  return {};
}

bool both_hold(const PointResult& r) {
  if (r.status != PointStatus::Done || r.properties.empty()) return false;
  for (const auto& [p, v] : r.properties)
    if (v != "holds") return false;
  return true;
}

std::string violated_list(const PointResult& r) {
  std::string s;
  for (const auto& [p, v] : r.properties)
    if (v == "violated") {
      const auto st = r.shortest.find(p);
      s += fmt::format("{}{}{}", s.empty() ? "" : ", ", p, st == r.shortest.end() ? "" : fmt::format(" ({} steps)", st->second));
    }
  return s.empty() ? "-" : s;
}

// minimal-time-wait: the sweep runs TIME-WAIT from 0 to 2 MSL + 2 for each MSL (within the axis's values).
bool keep_minimal(const Grid& g, const Point& p) {
  const auto tw = axis_index(g, "--time-wait"), msl_axis = axis_index(g, "--msl");
  std::string msl = msl_axis ? p[*msl_axis] : std::string();
  for (std::size_t f = 0; !msl_axis && f + 1 < g.fixed.size(); ++f)
    if (g.fixed[f] == "--msl") msl = g.fixed[f + 1];
  if (!tw || msl.empty()) return true;
  return std::stoul(p[*tw]) <= 2 * std::stoul(msl) + 2;
}

struct Group {
  std::string key;                 // the other axes' values
  std::string msl;
  std::vector<std::pair<unsigned long, std::size_t>> by_tw;  // TIME-WAIT, row
};

std::vector<Group> groups_by_time_wait(const SweepResult& r, std::size_t tw) {
  std::map<std::string, Group> m;
  std::vector<std::string> order;
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    std::string key;
    for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
      if (k != tw) key += fmt::format(" {} |", r.grid.points[i][k]);
    if (!m.count(key)) order.push_back(key);
    Group& g = m[key];
    g.key = key;
    g.msl = value_at(r.grid, i, "--msl");
    g.by_tw.push_back({std::stoul(r.grid.points[i][tw]), i});
  }
  std::vector<Group> out;
  for (const std::string& k : order) {
    out.push_back(m[k]);
    std::sort(out.back().by_tw.begin(), out.back().by_tw.end());
  }
  return out;
}

// One row of the derived table: the least TIME-WAIT from which every larger one in the grid is safe.
std::string minimal_row(const SweepResult& r, const Group& g, std::string& plot_point, std::map<std::string, int>& tally) {
  std::optional<std::size_t> least;  // index into by_tw
  bool complete = true;
  for (std::size_t k = g.by_tw.size(); k-- > 0;) {
    const PointResult& x = r.rows[g.by_tw[k].second];
    complete = complete && x.status == PointStatus::Done;
    if (!both_hold(x)) break;
    least = k;
  }
  const std::string twice = g.msl.empty() ? "?" : std::to_string(2 * std::stoul(g.msl));
  if (!complete && !least) { ++tally["not complete"]; return fmt::format("|{} not complete | {} | - | - |", g.key, twice); }
  if (!least) {
    ++tally["none in the grid"];
    return fmt::format("|{} none up to {} | {} | no TIME-WAIT in the grid is enough | {} |", g.key, g.by_tw.back().first,
                       twice, violated_list(r.rows[g.by_tw.back().second]));
  }
  const unsigned long tw = g.by_tw[*least].first;
  std::string versus = "-";
  if (!g.msl.empty()) {
    const unsigned long two = 2 * std::stoul(g.msl);
    versus = tw == two ? "exactly 2 MSL" : tw < two ? "less than 2 MSL is enough" : "more than 2 MSL is needed";
    ++tally[versus];
    plot_point = fmt::format("{} {}\n", g.msl, tw);
  }
  const std::string below = *least > 0 ? violated_list(r.rows[g.by_tw[*least - 1].second])
                                        : "- (TIME-WAIT 0 is safe)";
  return fmt::format("|{} {} | {} | {} | {} |", g.key, tw, twice, versus, below);
}

Derived derive_minimal(const SweepResult& r) {
  Derived d;
  const auto tw = axis_index(r.grid, "--time-wait");
  if (!tw) { d.markdown = "(the derived table needs --time-wait as an axis)\n"; return d; }
  std::string head = "|", rule = "|";
  for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
    if (k != *tw) { head += fmt::format(" {} |", r.grid.axes[k].flag.substr(2)); rule += " --- |"; }
  d.markdown = "## Minimal safe TIME-WAIT\n\nThe least TIME-WAIT (ticks) from which no-stale-delivery and "
               "reliable-termination hold at every larger TIME-WAIT of the grid, and what is violated one tick "
               "below it (shortest counterexample).\n\n";
  d.markdown += head + " minimal safe TIME-WAIT | 2 MSL | against 2 MSL | one tick below |\n" + rule + " ---: | ---: | --- | --- |\n";
  std::map<std::string, std::string> series;  // the axes other than MSL and TIME-WAIT -> "msl tw" lines
  std::map<std::string, int> tally;
  const auto msl = axis_index(r.grid, "--msl");
  for (const Group& g : groups_by_time_wait(r, *tw)) {
    std::string point;
    d.markdown += minimal_row(r, g, point, tally) + "\n";
    std::string key;
    const std::size_t i = g.by_tw.front().second;
    for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
      if (k != *tw && (!msl || k != *msl))
        key += fmt::format("{}{}={}", key.empty() ? "" : " ", r.grid.axes[k].flag.substr(2), r.grid.points[i][k]);
    series[key.empty() ? "minimal safe TIME-WAIT" : key] += point;
  }
  d.markdown += "\nGroups by their minimal safe TIME-WAIT against 2 MSL:";
  for (const auto& [k, n] : tally) d.markdown += fmt::format(" {}: {};", k, n);
  d.markdown.back() = '.';
  d.markdown += "\n";
  std::string plot;
  int index = 0;
  for (const auto& [key, lines] : series) {
    if (lines.empty()) continue;
    d.data += fmt::format("# {}\n{}\n\n", key, lines);
    // Series often coincide: each is shifted a little to the side, with its own point type.
    const double shift = 0.04 * (index - static_cast<double>(series.size() - 1) / 2);
    plot += fmt::format("{}$DATA index {} using ($1 + {:.2f}):2 with linespoints pt {} ps 1.5 title '{}'",
                        index ? ", " : "plot ", index, shift, index + 1, key);
    ++index;
  }
  if (index > 0)
    d.plot = fmt::format("set title 'Minimal safe TIME-WAIT against MSL (tcpclose sweep {})'\nset xlabel 'MSL (ticks)'\n"
                         "set ylabel 'minimal safe TIME-WAIT (ticks)'\nset key outside right\nset xtics 1\nset ytics 1\n"
                         "set xrange [0.5:*]\nset offsets 0.3, 0.3, 0.5, 0.5\n{}, 2*x with lines dashtype 2 lc rgb 'gray' title '2 MSL'\n",
                         r.name, plot);
  return d;
}

}  // namespace

const std::vector<Experiment>& experiments() {
  static const std::vector<Experiment> all = {
      {"minimal-time-wait",
       "TIME-WAIT must last 2 MSL: one MSL for the old incarnation's segments to die, one for the "
       "peer's retransmitted FIN and its answer (RFC 9293 section 3.6.1, RFC 1337)",
       {"--msl", "1,2", "--time-wait", "0..5", "--loss", "0,1", "--time-wait-restart", "fin,ack,answer", "--scenario",
        "half-close", "--scenario", "reopen-connect", "--property", "no-stale-delivery", "--property",
        "reliable-termination"},
       keep_minimal, derive_minimal},
  };
  return all;
}

const Experiment* find_experiment(const std::string& name) {
  for (const Experiment& e : experiments())
    if (name == e.name) return &e;
  return nullptr;
}

}  // namespace tcpclose::cli
