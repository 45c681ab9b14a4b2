// The named experiments of `tcpclose sweep --experiment NAME` (docs/experiments.md). Each
// derived table is computed from the sweep's own rows; nothing in it is written by hand.
#include "sweep_experiments.hpp"
#include "sweep_report.hpp"
#include "ports.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <tcpclose/config.hpp>

namespace tcpclose::cli {
namespace {

std::optional<std::size_t> axis_index(const Grid& g, const std::string& flag) {
  for (std::size_t k = 0; k < g.axes.size(); ++k)
    if (g.axes[k].flag == flag) return k;
  return std::nullopt;
}

// The value of `flag` at point i: its axis value, or its fixed value, or "".
std::string point_value(const Grid& g, const Point& p, const std::string& flag);
std::string value_at(const Grid& g, std::size_t i, const std::string& flag) { return point_value(g, g.points[i], flag); }

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

// The value of `flag` at point p (before the grid's points are chosen): its axis value, or its fixed value, or "".
std::string point_value(const Grid& g, const Point& p, const std::string& flag) {
  if (auto k = axis_index(g, flag)) return p[*k];
  for (std::size_t f = 0; f + 1 < g.fixed.size(); ++f)
    if (g.fixed[f] == flag) return g.fixed[f + 1];
  return {};
}

// minimal-time-wait: the sweep runs TIME-WAIT from 0 to MSL + 3 for each MSL (within the axis's
// values): the minimum the factors experiment found with RTO 1, backoff and adversarial ISNs,
// max(MSL + 2, G + 2), is MSL + 2 at loss 0 and 1, and restart on FIN needs one tick more. From MSL
// 3 on, loss 0 only: a loss-1 point there is a search of 40-50 M states, and
// minimal-time-wait-restart has that group (issue 17's 15 minutes for this grid).
bool keep_minimal(const Grid& g, const Point& p) {
  const auto tw = axis_index(g, "--time-wait");
  const std::string msl = point_value(g, p, "--msl"), loss = point_value(g, p, "--loss");
  if (!tw || msl.empty()) return true;
  const unsigned long m = std::stoul(msl);
  return std::stoul(p[*tw]) <= m + 3 && (m < 3 || loss.empty() || loss == "0");
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

// The least TIME-WAIT of a group from which every larger one in the grid is safe (an index into
// by_tw), and whether every row of the group ran to its end.
struct Least {
  std::optional<std::size_t> at;
  bool complete = true;
};

Least least_safe(const SweepResult& r, const Group& g) {
  Least l;
  for (std::size_t k = g.by_tw.size(); k-- > 0;) {
    const PointResult& x = r.rows[g.by_tw[k].second];
    l.complete = l.complete && x.status == PointStatus::Done;
    if (!both_hold(x)) break;
    l.at = k;
  }
  return l;
}

// One row of the derived table: the least TIME-WAIT from which every larger one in the grid is
// safe; `least` is set to it when the group has one.
std::string minimal_row(const SweepResult& r, const Group& g, std::optional<unsigned long>& least,
                        std::map<std::string, int>& tally) {
  const Least l = least_safe(r, g);
  const std::string twice = g.msl.empty() ? "?" : std::to_string(2 * std::stoul(g.msl));
  if (!l.complete && !l.at) { ++tally["not complete"]; return fmt::format("|{} not complete | {} | - | - |", g.key, twice); }
  if (!l.at) {
    ++tally["none in the grid"];
    return fmt::format("|{} none up to {} | {} | no TIME-WAIT in the grid is enough | {} |", g.key, g.by_tw.back().first,
                       twice, violated_list(r.rows[g.by_tw.back().second]));
  }
  const unsigned long tw = g.by_tw[*l.at].first;
  std::string versus = "-";
  if (!g.msl.empty()) {
    const unsigned long two = 2 * std::stoul(g.msl);
    versus = tw == two ? "exactly 2 MSL" : tw < two ? "less than 2 MSL is enough" : "more than 2 MSL is needed";
    ++tally[versus];
  }
  least = tw;
  // The grid's least TIME-WAIT safe: the minimum is at most that (unless it is 0).
  const std::string below = *l.at > 0 ? violated_list(r.rows[g.by_tw[*l.at - 1].second])
                            : tw == 0 ? "- (TIME-WAIT 0 is safe)"
                                      : fmt::format("- (the grid's least, {}, is safe: the minimum may be lower)", tw);
  return fmt::format("|{} {} | {} | {} | {} |", g.key, tw, twice, versus, below);
}

// The minimal-TIME-WAIT table of a sweep (one row per group of the axes other than TIME-WAIT),
// the tally of its groups against 2 MSL, and its plot: the minimum against axis `x` (--msl in
// minimal-time-wait), one line per setting of the other axes.
Derived minimal_table(const SweepResult& r, std::size_t tw, const std::string& x, const std::string& xlabel) {
  Derived d;
  std::string head = "|", rule = "|";
  for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
    if (k != tw) { head += fmt::format(" {} |", r.grid.axes[k].flag.substr(2)); rule += " --- |"; }
  d.markdown = head + " minimal safe TIME-WAIT | 2 MSL | against 2 MSL | one tick below |\n" + rule + " ---: | ---: | --- | --- |\n";
  std::map<std::string, std::string> series;  // the axes other than x and TIME-WAIT -> "x tw" lines
  std::map<std::string, int> tally;
  const auto xa = axis_index(r.grid, x);
  for (const Group& g : groups_by_time_wait(r, tw)) {
    const std::size_t i = g.by_tw.front().second;
    std::optional<unsigned long> least;
    d.markdown += minimal_row(r, g, least, tally) + "\n";
    std::string key;
    for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
      if (k != tw && (!xa || k != *xa))
        key += fmt::format("{}{}={}", key.empty() ? "" : " ", r.grid.axes[k].flag.substr(2), r.grid.points[i][k]);
    // The plot's point: the x value (the MSL, or another axis; 0 where the grid does not set it)
    // and the minimum, for the groups that have one.
    const std::string xv = value_at(r.grid, i, x);
    std::string& line = series[key.empty() ? "minimal safe TIME-WAIT" : key];
    if (least) line += fmt::format("{} {}\n", xv.empty() ? "0" : xv, *least);
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
                        index ? ", " : "plot ", index, shift, index + 1, gp_text(key));
    ++index;
  }
  if (index > 0)
    d.plot = fmt::format("set title 'Minimal safe TIME-WAIT against {} (tcpclose sweep {})'\nset xlabel '{}'\n"
                         "set ylabel 'minimal safe TIME-WAIT (ticks)'\nset key outside right\nset xtics 1\nset ytics 1\n"
                         "set xrange [{}:*]\nset offsets 0.3, 0.3, 0.5, 0.5\n{}{}\n",
                         x.substr(2) == "msl" ? "MSL" : x.substr(2), gp_text(r.name), gp_text(xlabel),
                         x == "--msl" ? "0.5" : "-0.5", plot,
                         x == "--msl" ? ", 2*x with lines dashtype 2 lc rgb 'gray' title '2 MSL'" : "");
  return d;
}

// The check command that prints point i's counterexamples: the sweep's fixed options and the
// point's value of each axis.
std::string check_command(const SweepResult& r, std::size_t i) {
  std::string c = "tcpclose check";
  for (const std::string& f : r.grid.fixed) c += " " + f;
  for (std::size_t k = 0; k < r.grid.axes.size(); ++k) c += fmt::format(" {} {}", r.grid.axes[k].flag, r.grid.points[i][k]);
  return c;
}

// How to see a row's counterexample one tick below its minimum: the first such row's command.
std::string one_below_example(const SweepResult& r, std::size_t tw) {
  for (const Group& g : groups_by_time_wait(r, tw)) {
    const Least l = least_safe(r, g);
    if (l.at && *l.at > 0)
      return fmt::format("Each row's counterexamples one tick below are printed by `tcpclose check` with the row's "
                         "values, TIME-WAIT one less and the sweep's fixed options; for the first row:\n\n"
                         "```sh\n{}\n```\n",
                         check_command(r, g.by_tw[*l.at - 1].second));
  }
  return {};
}

Derived derive_minimal(const SweepResult& r) {
  const auto tw = axis_index(r.grid, "--time-wait");
  if (!tw) return Derived{"(the derived table needs --time-wait as an axis)\n", "", ""};
  Derived d = minimal_table(r, *tw, "--msl", "MSL (ticks)");
  d.markdown = "## Minimal safe TIME-WAIT\n\nThe least TIME-WAIT (ticks) from which no-stale-delivery and "
               "reliable-termination hold at every larger TIME-WAIT of the grid, and what is violated one tick "
               "below it (shortest counterexample).\n\n" + d.markdown;
  if (const std::string e = one_below_example(r, *tw); !e.empty()) d.markdown += "\n" + e;
  return d;
}


// --- minimal-time-wait-factors: the minimum against RTO, backoff, loss and the ISN policy ------

// A group's values of the axes other than TIME-WAIT and `skip`, as "flag=value ..."; groups that
// differ only in `skip` share it.
std::string group_label(const SweepResult& r, const Group& g, std::size_t tw, std::optional<std::size_t> skip) {
  const std::size_t i = g.by_tw.front().second;
  std::string s;
  for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
    if (k != tw && (!skip || k != *skip))
      s += fmt::format("{}{}={}", s.empty() ? "" : " ", r.grid.axes[k].flag.substr(2), r.grid.points[i][k]);
  return s.empty() ? std::string("the grid") : s;
}

std::optional<unsigned long> minimum(const SweepResult& r, const Group& g) {
  const Least l = least_safe(r, g);
  return l.at ? std::optional<unsigned long>(g.by_tw[*l.at].first) : std::nullopt;
}

// "4", "4 (vacuous: ...)" when check found a guard never reached, "none up to 10 (no-stale-delivery
// (32 steps))" or "not complete".
std::string minimum_text(const SweepResult& r, const Group& g) {
  const Least l = least_safe(r, g);
  if (!l.at && !l.complete) return "not complete";
  if (!l.at)
    return fmt::format("none up to {} ({})", g.by_tw.back().first, violated_list(r.rows[g.by_tw.back().second]));
  const PointResult& x = r.rows[g.by_tw[*l.at].second];
  return fmt::format("{}{}", g.by_tw[*l.at].first, x.verdict == "vacuous" ? " (vacuous: a guard was never reached)" : "");
}

// For axis `ax`: the groups that differ only in it, each list in the order of the axis's values.
std::vector<std::vector<const Group*>> pairs_along(const SweepResult& r, const std::vector<Group>& gs, std::size_t tw,
                                                   std::size_t ax) {
  std::map<std::string, std::vector<const Group*>> by;
  std::vector<std::string> order;
  for (const Group& g : gs) {
    const std::string k = group_label(r, g, tw, ax);
    if (!by.count(k)) order.push_back(k);
    by[k].push_back(&g);
  }
  std::vector<std::vector<const Group*>> out;
  for (const std::string& k : order) {
    auto v = by[k];
    const auto& vals = r.grid.axes[ax].values;
    auto pos = [&](const Group* g) {
      return std::find(vals.begin(), vals.end(), r.grid.points[g->by_tw.front().second][ax]) - vals.begin();
    };
    std::sort(v.begin(), v.end(), [&](const Group* a, const Group* b) { return pos(a) < pos(b); });
    out.push_back(v);
  }
  return out;
}

// Per axis: in how many pairs of groups that differ only in it (neighbouring values) the minimum
// moves, and by how much; a pair where one side has no minimum in the grid is counted apart.
std::string axis_effects(const SweepResult& r, const std::vector<Group>& gs, std::size_t tw) {
  std::string md = "\nWhat each axis does to the minimum (pairs of groups that differ only in it, neighbouring values):\n";
  for (std::size_t ax = 0; ax < r.grid.axes.size(); ++ax) {
    if (ax == tw) continue;
    int same = 0, moved = 0, open = 0;
    std::map<std::string, int> moves;  // "0->1: +1" -> count
    for (const auto& list : pairs_along(r, gs, tw, ax))
      for (std::size_t n = 0; n + 1 < list.size(); ++n) {
        const auto a = minimum(r, *list[n]), b = minimum(r, *list[n + 1]);
        if (!a || !b) { open += (a.has_value() != b.has_value()); continue; }
        if (*a == *b) { ++same; continue; }
        ++moved;
        const std::string& va = r.grid.points[list[n]->by_tw.front().second][ax];
        const std::string& vb = r.grid.points[list[n + 1]->by_tw.front().second][ax];
        ++moves[fmt::format("{} -> {}: {:+}", va, vb, static_cast<long>(*b) - static_cast<long>(*a))];
      }
    std::string how;
    for (const auto& [m, n] : moves) how += fmt::format("{}{} ({}x)", how.empty() ? "" : ", ", m, n);
    md += fmt::format("- `{}`: moves it in {} of {} pairs{}{}.\n", r.grid.axes[ax].flag, moved, moved + same,
                      how.empty() ? "" : ": " + how,
                      open ? fmt::format("; in {} more pairs one side has no minimum in the grid", open) : "");
  }
  return md;
}

// Per group with adversarial ISNs: its minimum against the same group's with an ISN clock.
std::string isn_protects(const SweepResult& r, const std::vector<Group>& gs, std::size_t tw) {
  const auto isn = axis_index(r.grid, "--isn");
  if (!isn) return {};
  std::string md = "\nWhere the ISN policy matters (the minimum with adversarial ISNs against the same group with an "
                   "ISN clock; groups where both agree are not listed):\n";
  int agree = 0;
  for (const auto& list : pairs_along(r, gs, tw, *isn)) {
    if (list.size() < 2) continue;
    const std::string a = minimum_text(r, *list.front()), c = minimum_text(r, *list.back());
    if (a == c) { ++agree; continue; }
    md += fmt::format("- {}: adversarial {}; clock **{}**.\n", group_label(r, *list.front(), tw, isn), a, c);
  }
  return md + fmt::format("- {} groups give the same minimum under both.\n", agree);
}

// The value of `flag` at point p as a number, or `dflt` when the grid does not set it (the model's default).
unsigned long number_of(const Grid& g, const Point& p, const char* flag, unsigned long dflt) {
  const std::string v = point_value(g, p, flag);
  return v.empty() ? dflt : std::stoul(v);
}

// G: how long the peer keeps retransmitting its FIN within the loss budget L, from its first
// retransmission to its (L+1)th: each loss of its FIN or of TIME-WAIT's answer costs one more
// expiry. With backoff each expiry doubles the RTO (RFC 6298 section 5.5): RTO x (2^(L+1) - 2);
// without it, L x RTO.
unsigned long peer_span(const Grid& g, const Point& p) {
  const unsigned long rto = number_of(g, p, "--rto", 1), loss = std::min<unsigned long>(number_of(g, p, "--loss", 1), 6);
  return point_value(g, p, "--rto-backoff") != "off" ? rto * ((2ul << loss) - 2) : loss * rto;
}

// The formula the table supports, fitted to its own rows: minimal = max(a MSL + c, G + b), or G + b
// alone, for a = 1 or 2 and every integer b and c from -3 to 6, per ISN policy, backoff and restart
// policy (where they are axes). A fit must give every group its minimum exactly (at most it, where the grid's least
// TIME-WAIT is safe), and more than the grid's largest TIME-WAIT where none was enough.
std::string fits_of(const SweepResult& r, const std::vector<const Group*>& mine) {
  std::vector<std::string> fits;
  for (int b = -3; b <= 6; ++b)
    for (int a = 0; a <= 2; ++a)
      for (int c = -3; c <= 6 && (a > 0 || c == -3); ++c) {  // a = 0: no MSL term
        bool ok = true;
        for (const Group* g : mine) {
          const Point& p = r.grid.points[g->by_tw.front().second];
          const long msl = static_cast<long>(number_of(r.grid, p, "--msl", 2));
          const long gb = static_cast<long>(peer_span(r.grid, p)) + b;
          const long want = a == 0 ? gb : std::max(a * msl + c, gb);
          const auto m = minimum(r, *g);
          const Least l = least_safe(r, *g);
          const bool floor = m && *l.at == 0 && g->by_tw.front().first > 0;  // only an upper bound
          if (m) ok = ok && (floor ? want <= static_cast<long>(*m) : want == static_cast<long>(*m));
          else if (l.complete) ok = ok && want > static_cast<long>(g->by_tw.back().first);
        }
        const std::string gt = b ? fmt::format("G {} {}", b < 0 ? '-' : '+', std::abs(b)) : "G";
        const std::string mt = fmt::format("{}MSL {} {}", a == 2 ? "2 " : "", c < 0 ? '-' : '+', std::abs(c));
        if (ok) fits.push_back(a == 0 ? gt : fmt::format("max({}, {})", mt, gt));
      }
  if (fits.empty()) return "**no formula of this form fits**";
  std::string list;
  for (const std::string& f : fits) list += fmt::format("{}{}", list.empty() ? "" : "; ", f);
  return fits.size() == 1 ? "**" + list + "**, and no other" : fmt::format("{} fit: {}", fits.size(), list);
}

std::string formula_fit(const SweepResult& r, const std::vector<Group>& gs) {
  std::map<std::string, std::vector<const Group*>> parts;  // "isn=clock rto-backoff=on" -> its groups
  for (const Group& g : gs) {
    const Point& p = r.grid.points[g.by_tw.front().second];
    std::string k;
    for (const char* f : {"--isn", "--rto-backoff", "--time-wait-restart"})
      if (axis_index(r.grid, f)) k += fmt::format("{}{}={}", k.empty() ? "" : " ", f + 2, point_value(r.grid, p, f));
    parts[k.empty() ? "the grid" : k].push_back(&g);
  }
  std::string md = "\nThe formula the table supports, fitted to its rows: minimal safe TIME-WAIT = max(a MSL + c, G + b) "
                   "or G + b alone, G = RTO x (2^(L+1) - 2) with backoff and L x RTO without (L the loss budget: how "
                   "long the peer retransmits its FIN, from its first retransmission to its (L+1)th), for a = 1 or 2 and "
                   "integers b and c from -3 to 6; a fit gives every group exactly its minimum (at most it where the "
                   "grid's least TIME-WAIT is safe; more than the grid's largest where none is enough):\n";
  for (const auto& [k, mine] : parts) {
    std::set<std::pair<unsigned long, unsigned long>> distinct;  // the (MSL, G) of groups with a minimum
    for (const Group* g : mine)
      if (minimum(r, *g)) {
        const Point& p = r.grid.points[g->by_tw.front().second];
        distinct.insert({number_of(r.grid, p, "--msl", 2), peer_span(r.grid, p)});
      }
    md += fmt::format("- {} ({} groups; {} distinct (MSL, G) with a minimum): {}.\n", k, mine.size(), distinct.size(),
                      fits_of(r, mine));
  }
  return md;
}

// minimal-time-wait-factors runs each group at four TIME-WAITs around its expected minimum P (the
// ISN clock: G + 2; adversarial ISNs: max(2 MSL, G + 2)), from P - 2 to P + 1: a minimum outside
// shows as "at most" or "none up to", and no fit survives it. Adversarial ISNs (each safe point a
// search of up to 68 M states) run with backoff only, with RTO 2 only at MSL 2 and loss 0 or 1, and
// at loss 2 only with MSL 2 and RTO 1. `above` widens the window upwards by that many ticks.
bool in_factors_window(const Grid& g, const Point& p, unsigned long above) {
  const auto tw = axis_index(g, "--time-wait");
  if (!tw) return true;
  const bool adversarial = point_value(g, p, "--isn") != "clock";
  const unsigned long msl = number_of(g, p, "--msl", 2), rto = number_of(g, p, "--rto", 1), loss = number_of(g, p, "--loss", 1);
  if (adversarial && (point_value(g, p, "--rto-backoff") == "off" || (rto != 1 && (msl != 2 || loss >= 2)) ||
                      (loss >= 2 && msl != 2)))
    return false;
  Point on = p;  // the window of backoff's span, with or without it
  if (const auto b = axis_index(g, "--rto-backoff")) on[*b] = "on";
  const unsigned long span = peer_span(g, on) + 2, expected = adversarial ? std::max(2 * msl, span) : span;
  const unsigned long t = std::stoul(p[*tw]);
  return t + 2 >= expected && t <= expected + 1 + above;
}

bool keep_factors(const Grid& g, const Point& p) { return in_factors_window(g, p, 0); }

// minimal-time-wait-restart: the factors' windows, one tick wider upwards where TIME-WAIT restarts
// only on a FIN (minimal-time-wait found it a tick longer there at MSL 2); MSL 3 with adversarial
// ISNs only (where the MSL term of the minimum shows; with the ISN clock it has none).
bool keep_restart(const Grid& g, const Point& p) {
  if (number_of(g, p, "--msl", 2) != 2 && point_value(g, p, "--isn") == "clock") return false;
  return in_factors_window(g, p, point_value(g, p, "--time-wait-restart") == "fin" ? 1 : 0);
}

// The factors' derived page: the minimal table against the loss budget, where the ISN policy
// matters, what each axis does, and the formula fitted to the rows; `title` names the axes.
Derived derive_minimum_against(const SweepResult& r, const std::string& title, const std::string& window) {
  const auto tw = axis_index(r.grid, "--time-wait");
  if (!tw) return Derived{"(the derived table needs --time-wait as an axis)\n", "", ""};
  const bool by_loss = axis_index(r.grid, "--loss").has_value();
  Derived d = minimal_table(r, *tw, by_loss ? "--loss" : "--msl", by_loss ? "loss budget (segments)" : "MSL (ticks)");
  const std::vector<Group> gs = groups_by_time_wait(r, *tw);
  d.markdown = "## Minimal safe TIME-WAIT against " + title + "\n\nThe least TIME-WAIT (ticks) "
               "from which no-stale-delivery and reliable-termination hold at every larger TIME-WAIT of the grid, and "
               "what is violated one tick below it (shortest counterexample). Each group runs " + window + " around its "
               "expected minimum (docs/experiments.md); \"none up to N\": no TIME-WAIT of the grid is enough.\n\n" +
               d.markdown + isn_protects(r, gs, *tw) + axis_effects(r, gs, *tw) + formula_fit(r, gs);
  if (const std::string e = one_below_example(r, *tw); !e.empty()) d.markdown += "\n" + e;
  return d;
}

Derived derive_factors(const SweepResult& r) {
  return derive_minimum_against(r, "RTO, backoff, loss and the ISN policy", "four TIME-WAITs");
}

Derived derive_restart(const SweepResult& r) {
  return derive_minimum_against(r, "the restart policy, RTO, backoff, loss and the ISN policy",
                                "four TIME-WAITs (five where TIME-WAIT restarts only on a FIN)");
}

// --- Verdict matrices: the experiments that ask which property holds where ---------------------

// "profile=rfc9293 rfc1337=off": a row's axes (all of them), for tables and plot labels.
std::string row_label(const SweepResult& r, std::size_t i) {
  std::string s;
  for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
    s += fmt::format("{}{}={}", s.empty() ? "" : " ", r.grid.axes[k].flag.substr(2), r.grid.points[i][k]);
  return s.empty() ? std::string("the grid's one point") : s;
}

std::string verdict_cell(const PointResult& x, const std::string& p) {
  if (x.status == PointStatus::NotRun) return "not run";
  if (x.status == PointStatus::Failed) return "failed";
  const auto v = x.properties.find(p);
  if (v == x.properties.end()) return "-";
  if (v->second != "violated")
    return v->second != "holds" ? "? (" + v->second + ")" : x.verdict == "vacuous" ? "holds (vacuous)" : "holds";
  const auto st = x.shortest.find(p);
  return st == x.shortest.end() ? "**violated**" : fmt::format("**violated** ({} steps)", st->second);
}

// The table: one row per point, one column per property, each cell the verdict with the
// shortest counterexample's length; then, per property, where it is violated.
std::string verdict_table(const SweepResult& r, const std::vector<std::pair<std::string, std::string>>& cols) {
  std::string md = "| point |", rule = "| --- |";
  for (const auto& [p, head] : cols) { md += fmt::format(" {} |", head); rule += " --- |"; }
  md += " states |\n" + rule + " ---: |\n";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    md += "| " + row_label(r, i) + " |";
    for (const auto& [p, head] : cols) md += " " + verdict_cell(r.rows[i], p) + " |";
    md += fmt::format(" {} |\n", r.rows[i].states);
  }
  md += "\n";
  for (const auto& [p, head] : cols) {
    std::string where;
    for (std::size_t i = 0; i < r.rows.size(); ++i)
      if (auto v = r.rows[i].properties.find(p); v != r.rows[i].properties.end() && v->second == "violated")
        where += fmt::format("{}{}", where.empty() ? "" : "; ", row_label(r, i));
    md += fmt::format("- {} (`{}`): {}.\n", head, p, where.empty() ? "holds at every point that ran" : "violated at " + where);
  }
  return md;
}

// A clustered bar chart: for each point, one bar per property, as tall as its shortest
// counterexample; no bar where the property holds (a short bar is a near hazard, none is safe).
std::string verdict_plot(const SweepResult& r, const std::vector<std::pair<std::string, std::string>>& cols,
                         const std::string& title, std::string& data) {
  std::string axes;  // the x label: the axes' names; each tic: their values
  for (const Axis& a : r.grid.axes) axes += fmt::format("{}{}", axes.empty() ? "" : " / ", a.flag.substr(2));
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    std::string values;
    for (const std::string& v : r.grid.points[i]) values += fmt::format("{}{}", values.empty() ? "" : " / ", v);
    data += fmt::format("\"{}\"", values);
    for (const auto& [p, head] : cols) {
      const auto st = r.rows[i].shortest.find(p);
      const auto v = r.rows[i].properties.find(p);
      const bool bad = v != r.rows[i].properties.end() && v->second == "violated";
      data += bad && st != r.rows[i].shortest.end() ? fmt::format(" {}", st->second) : std::string(" 0");
    }
    data += "\n";
  }
  std::string plot;
  for (std::size_t c = 0; c < cols.size(); ++c)
    plot += fmt::format("{}$DATA using {}{} title '{}'", c ? ", " : "plot ", c + 2, c ? "" : ":xtic(1)", gp_text(cols[c].second));
  return fmt::format("set title '{}'\nset xlabel '{}'\nset ylabel 'shortest counterexample (steps); no bar: holds'\n"
                     "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
                     "set key outside right\nset xtics noenhanced\nset yrange [0:*]\nset grid ytics\n{}\n",
                     gp_text(title), gp_text(axes), plot);
}

bool violated_at(const PointResult& x, const std::string& p) {
  const auto v = x.properties.find(p);
  return x.status == PointStatus::Done && v != x.properties.end() && v->second == "violated";
}

// The row that differs from row i only in axis `ax`, where it has `value` (and, when `ax2` is
// given, in that axis too, where it has `value2`).
std::optional<std::size_t> same_but(const SweepResult& r, std::size_t i, std::size_t ax, const std::string& value,
                                    std::optional<std::size_t> ax2 = std::nullopt, const std::string& value2 = {}) {
  for (std::size_t j = 0; j < r.rows.size(); ++j) {
    bool same = r.grid.points[j][ax] == value && (!ax2 || r.grid.points[j][*ax2] == value2);
    for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
      same = same && (k == ax || (ax2 && k == *ax2) || r.grid.points[j][k] == r.grid.points[i][k]);
    if (same) return j;
  }
  return std::nullopt;
}

// Row i's values of the axes other than `ax` (and `ax2`), as "flag=value ...", or "the grid" when there are none.
std::string other_axes(const SweepResult& r, std::size_t i, std::size_t ax, std::optional<std::size_t> ax2 = std::nullopt) {
  std::string label;
  for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
    if (k != ax && (!ax2 || k != *ax2)) label += fmt::format("{}{}={}", label.empty() ? "" : " ", r.grid.axes[k].flag.substr(2), r.grid.points[i][k]);
  return label.empty() ? "the grid" : label;
}

// rfc1337: RFC 1337's hazards H1-H3, with an RST that kills TIME-WAIT and with fix F1.
const std::vector<std::pair<std::string, std::string>>& rfc1337_columns() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"no-stale-data", "H1 old data accepted"},
      {"no-desync", "H2 desynchronised (ACK loop)"},
      {"new-connection-survives", "H3 new connection dies"},
      {"no-stale-delivery", "no-stale-delivery"}};
  return c;
}

// One fix's line: the hazards of row i (no fix) against those of row `with` (the fix), where the
// fix is the value `value` of axis `ax` (and `ax2` differs too: the label leaves both out). The
// verdict names what the fix removes when it removes some and leaves others.
std::string fix_line(const SweepResult& r, std::size_t i, std::size_t with, std::size_t ax,
                     const std::string& fix, const std::string& value, std::optional<std::size_t> ax2 = std::nullopt) {
  std::string off_bad, on_bad, removed;
  const auto add = [](std::string& list, const std::string& h) { list += (list.empty() ? "" : ", ") + h; };
  for (const auto& [p, head] : rfc1337_columns()) {
    if (p == "no-stale-delivery") continue;
    const bool off = violated_at(r.rows[i], p), on = violated_at(r.rows[with], p);
    if (off) add(off_bad, head.substr(0, 2));
    if (on) add(on_bad, head.substr(0, 2));
    if (off && !on) add(removed, head.substr(0, 2));
  }
  const std::string flag = r.grid.axes[ax].flag.substr(2);
  const bool done = r.rows[i].status == PointStatus::Done && r.rows[with].status == PointStatus::Done;
  const std::string verdict = !done ? "not complete"
                              : off_bad.empty() ? "nothing to remove"
                              : on_bad.empty() ? "**" + fix + " removes them all**"
                              : removed.empty() ? "**" + fix + " does not remove " + on_bad + "**"
                                                : "**" + fix + " removes " + removed + ", not " + on_bad + "**";
  return fmt::format("- {}: with {} {} {}; with it {} {} -> {}.\n", other_axes(r, i, ax, ax2), flag, r.grid.points[i][ax],
                     off_bad.empty() ? "no hazard" : "hazards " + off_bad, value, on_bad.empty() ? "none" : on_bad, verdict);
}

// F1's verdict per group of the other axes: does --rfc1337 on remove every hazard that off shows?
// With --timestamps as an axis, F2's too: does --timestamps on? Each fix is judged both alone and
// on top of the other (RFC 1337 section 3 weighs them one at a time). With --ts-clock as an axis,
// F2 is judged again against its fine-clock row: the tick clock gives every segment of one tick
// the same TSval, and PAWS (RFC 7323 section 5.3, R1) drops only an older one. A row whose
// counterpart the keep rule did not run (a fine clock with F1) has no line.
std::string rfc1337_verdict(const SweepResult& r) {
  const auto ax = axis_index(r.grid, "--rfc1337");
  const auto ts = axis_index(r.grid, "--timestamps");
  const auto clk = axis_index(r.grid, "--ts-clock");
  if (!ax && !ts) return "(the verdicts on F1 and F2 need --rfc1337 or --timestamps as an axis)\n";
  std::string md;
  if (ax) {
    md += "\nFix F1 (`--rfc1337 on`: ignore RST in TIME-WAIT), per setting of the other axes:\n";
    for (std::size_t i = 0; i < r.rows.size(); ++i)
      if (const auto with = r.grid.points[i][*ax] == "off" ? same_but(r, i, *ax, "on") : std::nullopt)
        md += fix_line(r, i, *with, *ax, "F1", "on");
  }
  if (!ts) return md;
  md += "\nFix F2 (`--timestamps on`: PAWS; with rfc1337 off an acceptable RST still kills TIME-WAIT), per "
        "setting of the other axes:\n";
  for (std::size_t i = 0; i < r.rows.size(); ++i)
    if (const auto with = r.grid.points[i][*ts] == "off" ? same_but(r, i, *ts, "on") : std::nullopt)
      md += fix_line(r, i, *with, *ts, "F2", "on");
  if (!clk) return md;
  md += "\nFix F2 with the fine TSval clock (`--timestamps on --ts-clock fine`: every segment a host sends carries a "
        "newer TSval than its last), per setting of the other axes:\n";
  for (std::size_t i = 0; i < r.rows.size(); ++i)
    if (r.grid.points[i][*ts] == "off" && r.grid.points[i][*clk] == "tick")
      if (const auto fine = same_but(r, i, *ts, "on", *clk, "fine"))
        md += fix_line(r, i, *fine, *ts, "F2", "on (fine clock)", *clk);
  return md;
}

// rfc1337: the fine TSval clock only for F2 alone (timestamps on, rfc1337 off), where it can change
// a verdict: with timestamps off a TSval clock means nothing (check refuses it), and under F1 no
// hazard is left for PAWS to stop. Each fine point is an exhaustive search of about 260 M states.
bool keep_rfc1337(const Grid& g, const Point& p) {
  return point_value(g, p, "--ts-clock") != "fine" ||
         (point_value(g, p, "--timestamps") == "on" && point_value(g, p, "--rfc1337") != "on");
}

// A verdict experiment's page: its introduction, one column per property, and the plot of the same cells.
// `verdict`, when given, adds the experiment's own conclusion below the table.
Derived verdict_page(const SweepResult& r, const std::string& intro,
                     const std::vector<std::pair<std::string, std::string>>& cols, const std::string& title,
                     std::string (*verdict)(const SweepResult&) = nullptr) {
  Derived d;
  d.markdown = intro + verdict_table(r, cols) + (verdict ? verdict(r) : std::string());
  d.plot = verdict_plot(r, cols, fmt::format("{} (tcpclose sweep {})", title, r.name), d.data);
  return d;
}

Derived derive_rfc1337(const SweepResult& r) {
  return verdict_page(r,
                      "## RFC 1337's hazards\n\nEach hazard is its own property (docs/properties.md), checked in "
                      "the scenario(s) of the grid; a cell gives the verdict and the shortest counterexample's "
                      "length.\n\n",
                      rfc1337_columns(), "RFC 1337 hazards", rfc1337_verdict);
}

// abort-instead-of-close: SO_LINGER 0, then the same 4-tuple again (scenario reopen-abort).
const std::vector<std::pair<std::string, std::string>>& abort_columns() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"no-stale-delivery", "old segment reaches the next incarnation"},
      {"new-connection-survives", "next connection killed by it"},
      {"no-half-open", "peer keeps its TCB (lost RST)"}};
  return c;
}

Derived derive_abort(const SweepResult& r) {
  return verdict_page(r,
                      "## Abort instead of close\n\nA aborts (SO_LINGER 0: a RST, no TIME-WAIT) and connects again "
                      "from the same port (scenario reopen-abort); a cell gives the verdict and the shortest "
                      "counterexample's length.\n\n",
                      abort_columns(), "Abort instead of close");
}

// fin-wait-2-slow-peer: the orphaned FIN-WAIT-2 timeout (--fin-wait2 orphan) against a peer that
// closes late, then a new SYN on the same 4-tuple (reopen-connect). Without the timeout its length
// means nothing: that control runs once, at the first length of the axis.
bool keep_fin_wait2(const Grid& g, const Point& p) {
  const auto mode = axis_index(g, "--fin-wait2"), len = axis_index(g, "--fin-wait2-timeout");
  if (!mode || !len || p[*mode] != "none") return true;
  return p[*len] == g.axes[*len].values.front();
}

const std::vector<std::pair<std::string, std::string>>& fin_wait2_columns() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"reliable-termination", "slow peer reset"},
      {"no-stale-delivery", "old segment reaches the next incarnation"},
      {"new-connection-survives", "next connection killed"}};
  return c;
}

Derived derive_fin_wait2(const SweepResult& r) {
  return verdict_page(r,
                      "## The orphaned FIN-WAIT-2 timeout against a slow peer\n\nA closes and connects again from the "
                      "same port (reopen-connect); B's application may close at any time. A cell gives the verdict and "
                      "the shortest counterexample's length.\n\n",
                      fin_wait2_columns(), "FIN-WAIT-2 timeout against a slow peer");
}

// linux-time-wait: Linux's 60 s TIME-WAIT (TCP_TIMEWAIT_LEN) against RFC 793's 2 MSL of 240 s, at
// 60 s a tick (--msl 2): --time-wait 1 is Linux's, 4 the RFC's. Timestamps (Linux's default) are
// run with adversarial ISNs only: with the ISN clock no-stale-delivery holds without them, and
// each of those points takes over a minute with them (CI's budget). The TSval clock matters only
// with timestamps: the fine clock (Linux's is 1 ms, a 60 s tick holds 60,000 of its steps) is run
// only then.
bool keep_linux_tw(const Grid& g, const Point& p) {
  const auto ts = axis_index(g, "--timestamps"), isn = axis_index(g, "--isn");
  const bool clock_isn_with_ts = ts && isn && p[*ts] == "on" && p[*isn] == "clock";
  return !clock_isn_with_ts && (point_value(g, p, "--ts-clock") != "fine" || point_value(g, p, "--timestamps") == "on");
}
const std::vector<std::pair<std::string, std::string>>& linux_tw_columns() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"no-stale-delivery", "old segment reaches the next incarnation"},
      {"reliable-termination", "peer's close ends by reset or timeout"}};
  return c;
}

// Per setting of the other axes: what each property says at the shortest and the longest TIME-WAIT.
std::string linux_tw_verdict(const SweepResult& r) {
  const auto ax = axis_index(r.grid, "--time-wait");
  if (!ax || r.grid.axes[*ax].values.size() < 2) return "(the verdict needs --time-wait as an axis of two values or more)\n";
  const std::string& lo = r.grid.axes[*ax].values.front();
  const std::string& hi = r.grid.axes[*ax].values.back();
  std::string md = fmt::format("\nFrom TIME-WAIT {} to {} ticks, per setting of the other axes:\n", lo, hi);
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (r.grid.points[i][*ax] != lo) continue;
    const std::optional<std::size_t> at_hi = same_but(r, i, *ax, hi);
    std::string says;
    for (const auto& [p, head] : linux_tw_columns()) {
      const bool done = at_hi && r.rows[i].status == PointStatus::Done && r.rows[*at_hi].status == PointStatus::Done;
      const bool a = violated_at(r.rows[i], p), b = at_hi && violated_at(r.rows[*at_hi], p);
      says += fmt::format("{}{} {}", says.empty() ? "" : "; ", p,
                          !done ? "not complete" : a && !b ? "**fixed by the longer TIME-WAIT**"
                                                   : a && b ? "**violated at both**"
                                                   : !a && !b ? "holds at both" : "**violated only at the longer one**");
    }
    md += fmt::format("- {}: {}.\n", other_axes(r, i, *ax), says);
  }
  return md;
}

// The claim's second half, per profile and TIME-WAIT: does PAWS keep the old segments out
// (no-stale-delivery) where they get in without timestamps? Judged per TSval clock when
// --ts-clock is an axis (the tick clock gives one tick's segments the same TSval, which PAWS
// accepts; RFC 7323 section 5.3, R1).
std::string linux_tw_ts_verdict(const SweepResult& r) {
  const auto ts = axis_index(r.grid, "--timestamps");
  const auto clk = axis_index(r.grid, "--ts-clock");
  if (!ts) return {};
  const std::string p = "no-stale-delivery";
  const std::vector<std::string> clocks = clk ? r.grid.axes[*clk].values : std::vector<std::string>{""};
  std::string md = "\nWith timestamps (`--timestamps on`: RFC 7323 with PAWS), per setting of the other axes, "
                   "does PAWS keep the old segments out (no-stale-delivery)?\n";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (r.grid.points[i][*ts] != "off" || (clk && r.grid.points[i][*clk] != "tick")) continue;
    std::vector<std::pair<std::string, std::size_t>> with;  // (the clock's label, its row)
    for (const std::string& c : clocks)
      if (const auto j = clk ? same_but(r, i, *ts, "on", *clk, c) : same_but(r, i, *ts, "on"))
        with.push_back({clk ? fmt::format(" ({} clock)", c) : std::string(), *j});
    if (with.empty()) continue;
    bool done = r.rows[i].status == PointStatus::Done, any_holds = false, all_hold = true;
    std::string says = fmt::format("{} without timestamps", violated_at(r.rows[i], p) ? "violated" : "holds");
    for (const auto& [label, j] : with) {
      done = done && r.rows[j].status == PointStatus::Done;
      says += fmt::format(", {} with them{}", violated_at(r.rows[j], p) ? "violated" : "holds", label);
      any_holds = any_holds || !violated_at(r.rows[j], p);
      all_hold = all_hold && !violated_at(r.rows[j], p);
    }
    const std::string verdict = !done ? "not complete"
                                : !violated_at(r.rows[i], p) ? "nothing to keep out"
                                : all_hold ? "**PAWS keeps them out**"
                                : any_holds ? "**PAWS keeps them out with some clocks only**"
                                            : "**timestamps do not keep them out**";
    md += fmt::format("- {}: {} -> {}.\n", other_axes(r, i, *ts, clk), says, verdict);
  }
  return md;
}

std::string linux_tw_verdicts(const SweepResult& r) { return linux_tw_verdict(r) + linux_tw_ts_verdict(r); }

Derived derive_linux_tw(const SweepResult& r) {
  return verdict_page(r,
                      "## Linux's 60 s TIME-WAIT against an MSL of 120 s\n\nOne tick is 60 s (`--msl 2`): "
                      "`--time-wait 1` is Linux's TCP_TIMEWAIT_LEN, 4 is RFC 793's 2 MSL. A closes and connects "
                      "again from the same port (reopen-connect); a cell gives the verdict and the shortest "
                      "counterexample's length. `timestamps=on` is RFC 7323 timestamps with PAWS (docs/model.md, "
                      "\"Timestamps\"); `ts-clock=tick`: the segments a host sends within one tick share a TSval, "
                      "`fine`: each carries a newer one than the last, as Linux's 1 ms clock does within a 60 s "
                      "tick.\n\n",
                      linux_tw_columns(), "Linux's 60 s TIME-WAIT against MSL 120 s", linux_tw_verdicts);
}

// tw-reuse: a connect() that takes over its own TIME-WAIT (Linux tcp_twsk_unique), by tcp_tw_reuse
// after a delay or at once when the port was bound first, against TIME-WAIT kept to its end.
const std::vector<std::pair<std::string, std::string>>& tw_reuse_columns() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"no-stale-delivery", "old segment reaches the next incarnation"},
      {"new-connection-survives", "next connection killed by it"},
      {"reliable-termination", "peer's close ends by reset or timeout"}};
  return c;
}

// tw-reuse runs timestamps (the takeover then inherits a TIME-WAIT that had them) for the takeovers
// only: TIME-WAIT kept to its end without timestamps is the baseline each is compared with.
bool keep_tw_reuse(const Grid& g, const Point& p) {
  const auto ts = axis_index(g, "--timestamps"), reuse = axis_index(g, "--tw-reuse");
  return !ts || !reuse || p[*ts] != "on" || p[*reuse] != "off";
}

// Per setting of the other axes: the properties that each takeover (with and without timestamps,
// when --timestamps is an axis) breaks where off, without timestamps, keeps them.
std::string tw_reuse_verdict(const SweepResult& r) {
  const auto ax = axis_index(r.grid, "--tw-reuse");
  if (!ax) return "(the verdict needs --tw-reuse as an axis)\n";
  const auto ts = axis_index(r.grid, "--timestamps");
  std::string md = "\nWhat each takeover breaks that TIME-WAIT kept (`--tw-reuse off`), per setting of the other axes:\n";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (r.grid.points[i][*ax] != "off" || (ts && r.grid.points[i][*ts] != "off")) continue;
    std::string says;
    const std::vector<std::string> stamps = ts ? r.grid.axes[*ts].values : std::vector<std::string>{""};
    for (std::size_t n = 0; n < stamps.size() * r.grid.axes[*ax].values.size(); ++n) {
      const std::string& t = stamps[n / r.grid.axes[*ax].values.size()];
      const std::string& v = r.grid.axes[*ax].values[n % r.grid.axes[*ax].values.size()];
      const std::optional<std::size_t> j = ts ? same_but(r, i, *ax, v, ts, t) : same_but(r, i, *ax, v);
      if (v == "off" || !j) continue;
      std::string broken;
      for (const auto& [p, head] : tw_reuse_columns())
        if (violated_at(r.rows[*j], p) && !violated_at(r.rows[i], p)) broken += fmt::format("{}{}", broken.empty() ? "" : ", ", p);
      const bool done = r.rows[i].status == PointStatus::Done && r.rows[*j].status == PointStatus::Done;
      says += fmt::format("{}{}{}: {}", says.empty() ? "" : "; ", v, t == "on" ? " with timestamps" : "",
                          !done ? "not complete" : broken.empty() ? "nothing" : "**breaks " + broken + "**");
    }
    md += fmt::format("- {}: {}.\n", other_axes(r, i, *ax), says.empty() ? "no takeover in the grid" : says);
  }
  return md;
}

Derived derive_tw_reuse(const SweepResult& r) {
  return verdict_page(r,
                      "## Reusing a TIME-WAIT 4-tuple early\n\nA closes and connects again from the same port "
                      "(reopen-connect). `--tw-reuse delay` is `tcp_tw_reuse=1` (the takeover one tick after TIME-WAIT "
                      "began or last ACKed a FIN), `bound` is bind() before connect() (at once); both start the new "
                      "connection at the old SND.NXT + 65537. Without timestamps the model assumes the old connection "
                      "had them and checks no TSval; `timestamps=on` gives both incarnations TSvals and PAWS (docs/model.md, "
                      "\"Timestamps\"). A cell gives the verdict and the shortest counterexample's length.\n\n",
                      tw_reuse_columns(), "Reusing a TIME-WAIT 4-tuple early", tw_reuse_verdict);
}


// two-losses: reopen-connect's no-stale-delivery against the loss budget, with adversarial ISNs and
// an ISN clock, with TIME-WAIT of 2 MSL and without it (time-wait-zero): the loss budget is what
// keeps the default check true with adversarial ISNs (README, "What the checker found").
const std::vector<std::pair<std::string, std::string>>& two_losses_columns() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"no-stale-delivery", "old segment reaches the next incarnation"}};
  return c;
}

// Per setting of the axes other than `ax`, the values of `ax` at which property p is violated
// ("- isn=adversarial: **at loss 2, 3**; holds at loss 1."); `word` names the axis's values.
std::string where_violated(const SweepResult& r, std::size_t ax, const std::string& p, const std::string& word) {
  std::string md;
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const std::string key = other_axes(r, i, ax);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    std::string holds, violated, open;
    for (const std::string& v : r.grid.axes[ax].values) {
      const std::optional<std::size_t> j =
          r.grid.points[i][ax] == v ? std::optional<std::size_t>(i) : same_but(r, i, ax, v);
      if (!j) continue;
      const PointResult& x = r.rows[*j];
      std::string& into = x.status != PointStatus::Done ? open : violated_at(x, p) ? violated : holds;
      into += fmt::format("{}{}", into.empty() ? "" : ", ", v);
    }
    md += fmt::format("- {}: {}{}{}.\n", key,
                      violated.empty() ? "**never** (holds at " + word + holds + ")" : "**at " + word + violated + "**",
                      !violated.empty() && !holds.empty() ? "; holds at " + word + holds : "",
                      open.empty() ? "" : "; not complete at " + word + open);
  }
  return md;
}

std::string two_losses_verdict(const SweepResult& r) {
  const auto loss = axis_index(r.grid, "--loss");
  if (!loss) return "\n(the verdict needs --loss as an axis)\n";
  return "\nPer setting of the other axes, the loss budgets where an old segment reaches the next incarnation:\n" +
         where_violated(r, *loss, "no-stale-delivery", "loss ");
}

Derived derive_two_losses(const SweepResult& r) {
  return verdict_page(r,
                      "## TIME-WAIT, the loss budget and the ISN policy\n\nA closes and connects again from the same "
                      "port (reopen-connect); `mutant=time-wait-zero` leaves no TIME-WAIT. A cell gives the verdict and "
                      "the shortest counterexample's length; \"vacuous\": the property holds, but a guard of the "
                      "scenario was never reached (with no TIME-WAIT, TIME-WAIT's own two cannot be), and states are "
                      "counted when the search ended (at the violation, for a violated point).\n\n",
                      two_losses_columns(), "TIME-WAIT against the loss budget", two_losses_verdict);
}

// three-incarnations: K = 3 connections on one 4-tuple (reopen-syn), where the adversary's two far
// ISN jumps (+2^30 each) bring incarnation 3's sequence space within 2 of 2^31 above incarnation 1's:
// what serial arithmetic then confuses, and whether an ISN clock keeps it apart (timestamps are not
// in the grid: K = 3 with them did not finish in 5 minutes and 5.4 GB).
const std::vector<std::pair<std::string, std::string>>& incarnations_columns() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"no-stale-delivery", "old segment reaches a newer incarnation"},
      {"time-wait-duration", "TIME-WAIT cut short"},
      {"reliable-termination", "a close ends by reset or timeout"},
      {"stream-integrity", "bytes read differ from bytes written"},
      {"unique-tcb", "two live TCBs on one 4-tuple"},
      {"both-closed", "a run does not end closed"},
      {"no-deadlock", "an application never finishes"}};
  return c;
}

Derived derive_incarnations(const SweepResult& r) {
  return verdict_page(r,
                      "## Three incarnations: sequence-number wraparound\n\nB listens; A connects, closes and "
                      "connects again from the same port, K connections in all, B's TIME-WAIT reopened by each new SYN "
                      "(reopen-syn). The whole run may happen within one tick, so an old SYN is still alive when the "
                      "third connection runs. A cell gives the verdict and the shortest counterexample's length, for "
                      "every property of the default check.\n\n",
                      incarnations_columns(), "Three incarnations");
}

// syn-reopen: which SYN may reopen B's TIME-WAIT (--syn-reopen), with timestamps on both hosts, under
// adversarial ISNs and the ISN clock (reopen-syn, no-stale-delivery).
const std::vector<std::pair<std::string, std::string>>& syn_reopen_columns() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"no-stale-delivery", "old segment reaches the next incarnation"}};
  return c;
}

// Per reopening rule (and TSval clock, when --ts-clock is an axis): under which ISN policies the
// old segments get in. The fine clock gives every segment a newer TSval than the host's last, so
// a SYN sent in TIME-WAIT's own tick may reopen it by timestamps (RFC 6191), which the tick clock
// forbids; the verdict says whether that changes anything.
std::string syn_reopen_verdict(const SweepResult& r) {
  const auto isn = axis_index(r.grid, "--isn");
  const auto clk = axis_index(r.grid, "--ts-clock");
  if (!isn) return {};
  const std::string p = "no-stale-delivery";
  std::string md = "\nPer reopening rule, the ISN policies under which an old segment reaches the next incarnation:\n" +
                   where_violated(r, *isn, p, "isn ");
  if (!clk) return md;
  std::string changed;
  for (std::size_t i = 0; i < r.rows.size(); ++i)
    if (r.grid.points[i][*clk] == "tick")
      if (const auto f = same_but(r, i, *clk, "fine"); f && r.rows[i].status == PointStatus::Done &&
                                                        r.rows[*f].status == PointStatus::Done &&
                                                        violated_at(r.rows[i], p) != violated_at(r.rows[*f], p))
        changed += fmt::format("{}{}", changed.empty() ? "" : "; ", other_axes(r, i, *clk));
  return md + fmt::format("\nThe fine TSval clock against the tick clock: {}.\n",
                          changed.empty() ? "**no verdict changes**" : "**the verdict changes** at " + changed);
}

Derived derive_syn_reopen(const SweepResult& r) {
  return verdict_page(r,
                      "## Reopening TIME-WAIT with a SYN, with timestamps\n\nB closes first; A's new SYN from the "
                      "same port meets B's TIME-WAIT (reopen-syn), with RFC 7323 timestamps and PAWS on both hosts. "
                      "`seq`: the SYN reopens only above RCV.NXT (RFC 1122); `timestamps`: only with a newer TSval "
                      "(RFC 6191); `seq-or-ts`: either (Linux). `ts-clock=tick`: the segments a host sends within "
                      "one tick share a TSval; `fine`: each carries a newer one than the last (docs/model.md, "
                      "\"Timestamps\"). A cell gives the verdict and the shortest counterexample's length.\n\n",
                      syn_reopen_columns(), "Reopening TIME-WAIT with a SYN", syn_reopen_verdict);
}

// profiles: each profile's knobs (docs/core.md) in every scenario of the default check, every
// property, one run and one row per scenario (--per-scenario): which profile keeps which property.
const std::vector<std::pair<std::string, std::string>>& profiles_columns() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"no-stale-delivery", "stale"},        {"time-wait-duration", "tw-dur"}, {"reliable-termination", "reliable"},
      {"stream-integrity", "stream"},        {"unique-tcb", "unique"},         {"both-closed", "closed"},
      {"no-deadlock", "deadlock"}};
  return c;
}

// Per profile: the properties violated, grouped by the scenarios (or other points) where they are,
// then those that hold everywhere.
std::string profiles_verdict(const SweepResult& r) {
  const auto prof = axis_index(r.grid, "--profile");
  if (!prof) return "\n(the verdict needs --profile as an axis)\n";
  auto label = [&](std::size_t i) {  // "reopen-syn" when the scenario is the only other axis
    const std::string l = other_axes(r, i, *prof);
    return l.rfind("scenario=", 0) == 0 && l.find(' ') == std::string::npos ? l.substr(9) : l;
  };
  std::string md = "\nPer profile, where each property is violated:\n";
  for (const std::string& v : r.grid.axes[*prof].values) {
    std::vector<std::pair<std::string, std::string>> groups;  // (where, properties)
    std::string holds, open;
    for (const auto& [p, head] : profiles_columns()) {
      std::string where;
      for (std::size_t i = 0; i < r.rows.size(); ++i)
        if (r.grid.points[i][*prof] == v && violated_at(r.rows[i], p))
          where += fmt::format("{}{}", where.empty() ? "" : ", ", label(i));
      if (where.empty()) { holds += fmt::format("{}{}", holds.empty() ? "" : ", ", p); continue; }
      auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.first == where; });
      if (g == groups.end()) groups.emplace_back(where, p);
      else g->second += ", " + p;
    }
    for (std::size_t i = 0; i < r.rows.size(); ++i)
      if (r.grid.points[i][*prof] == v && r.rows[i].status != PointStatus::Done)
        open += fmt::format("{}{}", open.empty() ? "" : ", ", label(i));
    std::string line;
    for (const auto& [where, props] : groups) line += fmt::format("{}**{}** in {}", line.empty() ? "" : "; ", props, where);
    md += fmt::format("- {}: {}{}{}.\n", v, line.empty() ? "**every property holds**" : line,
                      line.empty() || holds.empty() ? "" : "; holds everywhere: " + holds,
                      open.empty() ? "" : "; not complete: " + open);
  }
  return md;
}

Derived derive_profiles(const SweepResult& r) {
  return verdict_page(r,
                      "## Which profile keeps which property\n\nEach profile's knobs (docs/core.md) in each scenario of "
                      "the default check, with the model's defaults (MSL 2, TIME-WAIT 4, RTO 1 tick; loss 1, dup 1, "
                      "delay 1, in-flight 2; K = 2, adversarial ISNs), one search per row, cut at the grid's "
                      "`--max-states` (a cut row is named below as not complete). A cell gives the verdict and the "
                      "shortest counterexample's length.\n\n",
                      profiles_columns(), "Which profile keeps which property", profiles_verdict);
}

// ephemeral-ports: the connect loop (`tcpclose ports`, a simulation over the core's BindTable and
// step()), E ports against TIME-WAIT. tcp_tw_reuse needs connect() without bind(): the bind0
// points with it on are not run.
bool keep_ports(const Grid& g, const Point& p) {
  const auto pick = axis_index(g, "--pick"), reuse = axis_index(g, "--tw-reuse");
  return !pick || !reuse || p[*pick] != "bind0" || p[*reuse] != "on";
}

std::string value_of(const PointResult& x, const char* k) {
  const auto it = x.values.find(k);
  return x.status == PointStatus::Done && it != x.values.end() ? it->second : "-";
}

// One row per setting of the axes other than --time-wait; a cell per TIME-WAIT: the measured rate,
// bold where the run disagrees with the prediction.
std::string ports_matrix(const SweepResult& r, std::size_t tw, int& agree, int& ran) {
  const auto groups = groups_by_time_wait(r, tw);
  if (groups.empty()) return {};
  std::string head = "|", rule = "|";
  for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
    if (k != tw) { head += fmt::format(" {} |", r.grid.axes[k].flag.substr(2)); rule += " --- |"; }
  for (const auto& [t, i] : groups.front().by_tw) { head += fmt::format(" TW {} |", t); rule += " ---: |"; }
  std::string md = head + " first failure (predicted) at the longest TIME-WAIT |\n" + rule + " ---: |\n";
  for (const Group& g : groups) {
    md += "|" + g.key;
    for (const auto& [t, i] : g.by_tw) {
      const PointResult& x = r.rows[i];
      ran += x.status == PointStatus::Done;
      agree += x.verdict == "agrees";
      const std::string cell = value_of(x, "rate");
      md += x.status == PointStatus::Done && x.verdict != "agrees" ? fmt::format(" **{}** |", cell) : fmt::format(" {} |", cell);
    }
    const PointResult& last = r.rows[g.by_tw.back().second];
    // A tick of -1 means no attempt failed (connect_loop.hpp).
    auto tick = [&](const char* k) { const std::string v = value_of(last, k); return v == "-1" ? std::string("none") : v; };
    md += fmt::format(" {} ({}) |\n", tick("first_failure"), tick("predicted_first_failure"));
  }
  return md;
}

// Measured rates as points and predicted ones as dashed lines, one colour per setting.
std::string ports_plot(const SweepResult& r, std::size_t tw, std::string& data) {
  std::string plot;
  int index = 0;
  for (const Group& g : groups_by_time_wait(r, tw)) {
    std::string lines;
    for (const auto& [t, i] : g.by_tw)
      if (r.rows[i].status == PointStatus::Done)
        lines += fmt::format("{} {} {}\n", t, value_of(r.rows[i], "rate"), value_of(r.rows[i], "predicted_rate"));
    if (lines.empty()) continue;
    std::string label = other_axes(r, g.by_tw.front().second, tw);
    data += fmt::format("# {}\n{}\n\n", label, lines);
    plot += fmt::format("{}$DATA index {} using 1:2 with points pt {} ps 1.3 lc {} title '{}', "
                        "$DATA index {} using 1:3 with lines dashtype 2 lc {} notitle",
                        index ? ", " : "plot ", index, index % 12 + 1, index + 1, gp_text(label), index, index + 1);
    ++index;
  }
  if (index == 0) return {};
  return fmt::format("set title 'Connections per tick against TIME-WAIT (tcpclose sweep {}; dashed: E / (hold + TIME-WAIT))'\n"
                     "set xlabel 'TIME-WAIT (ticks)'\nset ylabel 'successful connect() per tick (steady state)'\n"
                     "set key outside right\nset xtics 1\nset yrange [0:1.05]\nset grid ytics\n{}\n",
                     gp_text(r.name), plot);
}

Derived derive_ports(const SweepResult& r) {
  Derived d;
  const auto tw = axis_index(r.grid, "--time-wait");
  if (!tw) { d.markdown = "(the derived table needs --time-wait as an axis)\n"; return d; }
  int agree = 0, ran = 0;
  const std::string matrix = ports_matrix(r, *tw, agree, ran);
  std::string hold = "-";
  for (const PointResult& x : r.rows)
    if (x.status == PointStatus::Done && value_of(x, "hold") != "0") { hold = value_of(x, "hold"); break; }
  d.markdown = fmt::format(
      "## Ephemeral ports against TIME-WAIT\n\nA deterministic simulation of the core's rules (`tcpclose ports`), not a "
      "model check: a client connects to one server endpoint once a tick from E ephemeral ports; each connection is a "
      "pair of TCBs driven by step() over a lossless one-tick network, closed by the client at once, its port held in "
      "the core's BindTable until TIME-WAIT ends. A cell is the steady rate (successful connect() per tick); bold where "
      "the run disagrees with the prediction E / (hold + TIME-WAIT) (hold + 1 tick with tcp_tw_reuse), capped at one "
      "attempt a tick, or with the first failure at the (E+1)th attempt.\n\n{}\n"
      "{} of {} points agree with the prediction. A connection holds its port {} ticks before TIME-WAIT begins (the "
      "handshake and the active close), so the rate is E / (hold + TIME-WAIT), which the folklore E / TIME-WAIT "
      "approaches only when TIME-WAIT is much longer than a connection.\n",
      matrix, agree, ran, hold);
  d.markdown += "\n## bind() per RFC 6335 port class\n\nbind() run on the core's BindTable while nothing or a TIME-WAIT "
                "holds the port (the ephemeral range is the one port 50000, so port 0 meets the TIME-WAIT too), per "
                "BindReuse rule and SO_REUSEADDR; port 0 with no port left fails with the errno of the profile each "
                "rule comes from (Config::ports_exhausted). The core has no privilege rule: ports below 1024 need "
                "CAP_NET_BIND_SERVICE on Linux, an OS permission and not TCP, so system ports behave as the others.\n\n" +
                bind_cases_markdown();
  d.plot = ports_plot(r, *tw, d.data);
  return d;
}

// The experiments on TIME-WAIT's length, whose tables derive a minimum.
std::vector<Experiment> minimum_experiments() {
  return {
      {"minimal-time-wait",
       "TIME-WAIT must last 2 MSL: one MSL for the old incarnation's segments to die, one for the "
       "peer's retransmitted FIN and its answer (RFC 9293 section 3.6.1, RFC 1337)",
       {"--msl", "1,2,3", "--time-wait", "0..6", "--loss", "0,1", "--time-wait-restart", "fin,ack,answer", "--scenario",
        "half-close", "--scenario", "reopen-connect", "--property", "no-stale-delivery", "--property",
        "reliable-termination"},
       keep_minimal, derive_minimal, "check", "TIME-WAIT up to MSL + 3 at each MSL; from MSL 3 on, loss 0 only"},
      {"minimal-time-wait-factors",
       "TIME-WAIT of 2 MSL is enough whatever the peer's retransmission timer: one MSL for the old incarnation's "
       "segments to die, one for the peer's retransmitted FIN and its answer (RFC 9293 sections 3.6 and 3.10.7.4, "
       "RFC 1337), though the peer's RTO doubles at each expiry (RFC 6298 section 5.5) and an old segment is kept from "
       "the next incarnation by TIME-WAIT or by the ISN clock (RFC 9293 section 3.4.1)",
       {"--msl", "2,3", "--rto", "1,2", "--rto-backoff", "on,off", "--loss", "0..2", "--isn", "adversarial,clock",
        "--time-wait", "0..16", "--scenario", "half-close", "--scenario", "reopen-connect", "--property",
        "no-stale-delivery", "--property", "reliable-termination"},
       keep_factors, derive_factors, "check",
       "TIME-WAIT from 2 below to 1 above the expected minimum (ISN clock: G + 2; adversarial ISNs: max(2 MSL, G + 2), with backoff only, RTO 2 only at MSL 2 and loss 0 or 1, loss 2 only at MSL 2 and RTO 1)"},
      {"minimal-time-wait-restart",
       "2 MSL of TIME-WAIT is enough whichever segment restarts its timer: a retransmitted FIN (RFC 9293 section "
       "3.10.7.4, eighth check: \"restart the 2 MSL timeout\"), any segment with ACK (Linux "
       "tcp_timewait_state_process, inet_twsk_reschedule) or any segment TIME-WAIT answers (the reference profile), "
       "whatever the peer's RTO, its backoff (RFC 6298 section 5.5), the losses and the ISN policy (RFC 9293 "
       "section 3.4.1)",
       {"--msl", "2,3", "--time-wait-restart", "fin,ack,answer", "--rto", "1,2", "--rto-backoff", "on,off", "--loss", "0..2",
        "--isn", "adversarial,clock", "--time-wait", "0..16", "--scenario", "half-close", "--scenario", "reopen-connect",
        "--property", "no-stale-delivery", "--property", "reliable-termination"},
       keep_restart, derive_restart, "check",
       "the factors' TIME-WAIT windows, one tick wider upwards for fin; MSL 3 with adversarial ISNs only"},
  };
}

// The experiments on one claim each, in docs/experiments.md's order.
std::vector<Experiment> claim_experiments() {
  return {
      {"two-losses",
       "TIME-WAIT of 2 MSL keeps an old incarnation's segments from the next one on the same 4-tuple (RFC 9293 "
       "section 3.6.1, RFC 1337); where the peer's retransmissions outlast it, the ISN clock (RFC 9293 section "
       "3.4.1, RFC 6528) is what keeps them apart",
       {"--loss", "1..3", "--isn", "adversarial,clock", "--mutant", "none,time-wait-zero", "--scenario", "reopen-connect",
        "--property", "no-stale-delivery"},
       nullptr, derive_two_losses, "check"},
      {"three-incarnations",
       "serial arithmetic orders two sequence numbers rightly only when they are less than 2^31 apart (RFC 1982), "
       "so an old segment is seen as old only while incarnations' sequence spaces stay that close: PAWS (RFC 7323 "
       "section 5) protects against wrapped sequence numbers, and an ISN clock (RFC 9293 section 3.4.1, RFC 6528) "
       "bounds how far apart successive ISNs are",
       {"--incarnations", "2,3", "--isn", "adversarial,clock", "--scenario", "reopen-syn"},
       nullptr, derive_incarnations, "check"},
      {"syn-reopen",
       "with timestamps, a SYN whose TSval is newer than TS.Recent may reopen TIME-WAIT whatever its sequence "
       "number (RFC 6191 section 2; Linux tcp_timewait_state_process), the timestamps telling the new incarnation's "
       "segments from the old one's; RFC 1122 section 4.2.2.13 reopens only on a sequence number above RCV.NXT",
       {"--syn-reopen", "seq,timestamps,seq-or-ts", "--isn", "adversarial,clock", "--timestamps", "on", "--ts-clock",
        "tick,fine", "--scenario", "reopen-syn", "--property", "no-stale-delivery"},
       nullptr, derive_syn_reopen, "check"},
      {"rfc1337",
       "an RST that kills TIME-WAIT exposes the next incarnation to H1 (old data accepted), H2 (the two "
       "ends desynchronised: an endless ACK loop) and H3 (the new connection dies); fix F1, ignoring RST in "
       "TIME-WAIT, avoids all three if MSL is enforced; fix F2, PAWS alone, stops H1 but not H2 or H3 (RFC 1337 "
       "sections 2 and 3)",
       {"--profile", "reference,rfc9293", "--rfc1337", "off,on", "--timestamps", "off,on", "--ts-clock", "tick,fine",
        "--paws", "on", "--scenario", "reopen-connect", "--property", "no-stale-data", "--property", "no-desync", "--property",
        "new-connection-survives", "--property", "no-stale-delivery"},
       keep_rfc1337, derive_rfc1337, "check", "the fine TSval clock only with timestamps on and rfc1337 off (F2 alone)"},
      {"abort-instead-of-close",
       "closing with SO_LINGER 0 sends a RST and leaves no TIME-WAIT, so nothing keeps the old "
       "incarnation's segments from the next one on the same 4-tuple; and a lost RST leaves the peer "
       "with its TCB (RFC 9293 section 3.10.5 ABORT; RFC 1122 4.2.2.13; socket(7) SO_LINGER)",
       {"--isn", "adversarial,clock", "--loss", "0,1", "--dup", "0", "--scenario", "reopen-abort", "--property",
        "no-stale-delivery", "--property", "new-connection-survives", "--property", "no-half-open"},
       nullptr, derive_abort, "check"},
      {"fin-wait-2-slow-peer",
       "an orphaned FIN-WAIT-2 is freed after a timeout (Linux tcp_fin_timeout, FreeBSD tcp_finwait2_timeout; "
       "RFC 9293 section 3.6.1 has none): a peer still in CLOSE-WAIT then has nobody to ACK its FIN, and a new "
       "SYN on the same 4-tuple meets its old TCB",
       {"--fin-wait2", "none,orphan", "--fin-wait2-timeout", "1..8", "--loss", "0", "--scenario", "reopen-connect",
        "--property", "reliable-termination", "--property", "no-stale-delivery", "--property", "new-connection-survives"},
       keep_fin_wait2, derive_fin_wait2, "check",
       "without the timeout (--fin-wait2 none), the first --fin-wait2-timeout only"},
      {"linux-time-wait",
       "Linux holds TIME-WAIT for TCP_TIMEWAIT_LEN, 60 s (include/net/tcp.h: \"how long to wait to destroy "
       "TIME-WAIT state, about 60 seconds\"), where RFC 793 takes MSL = 2 minutes and 2 MSL = 240 s (RFC 9293 "
       "section 3.4.2); without timestamps an old duplicate of the closed incarnation may then reach the next one "
       "(RFC 1323 appendix B, RFC 7323 section 5: PAWS is what protects it)",
       {"--profile", "reference,linux", "--msl", "2", "--time-wait", "1,4", "--isn", "adversarial,clock", "--timestamps",
        "off,on", "--ts-clock", "tick,fine", "--scenario", "reopen-connect", "--property", "no-stale-delivery", "--property",
        "reliable-termination"},
       keep_linux_tw, derive_linux_tw, "check",
       "with --timestamps on, adversarial ISNs only; the fine TSval clock only with --timestamps on"},
      {"tw-reuse",
       "Linux's tcp_tw_reuse lets a connect() take over a TIME-WAIT 4-tuple a second after its last timestamp, "
       "starting at the old SND.NXT + 65537; a port bound before connect() is taken over at once whatever the sysctl "
       "(tcp_twsk_unique, called without twp). Its comment: \"With PAWS, it is safe from the viewpoint of data "
       "integrity. Even without PAWS it is safe provided sequence spaces do not overlap\" (net/ipv4/tcp_ipv4.c)",
       {"--tw-reuse", "off,delay,bound", "--isn", "adversarial,clock", "--timestamps", "off,on", "--loss", "0", "--scenario",
        "reopen-connect", "--property", "no-stale-delivery", "--property", "new-connection-survives", "--property",
        "reliable-termination"},
       keep_tw_reuse, derive_tw_reuse, "check", "--timestamps on only with a takeover (not with --tw-reuse off)"},
      {"profiles",
       "a profile named after a stack keeps a property only where that stack's rules do: RFC 9293 lets a RST end "
       "TIME-WAIT (RFC 1337's TIME-WAIT assassination, section 3.10.7.4's second check), smoltcp has no SYN "
       "reopening, Linux and FreeBSD free an orphaned FIN-WAIT-2 after a timeout (tcp_fin_timeout, TP_MAXIDLE) and "
       "FreeBSD restarts 2 MSL only on a FIN (tcp_twcheck)",
       {"--profile", "reference,rfc9293,linux,freebsd,smoltcp", "--scenario", "all", "--max-states", "200000000"},
       nullptr, derive_profiles, "check", nullptr, true},
      {"ephemeral-ports",
       "a client that connects in a loop to one destination runs out of ephemeral ports while its closed connections "
       "sit in TIME-WAIT: the sustained rate is the range over the TIME-WAIT length, 28232 ports (Linux ip_local_port_range "
       "32768-60999, ip-sysctl.rst) over 60 s (TCP_TIMEWAIT_LEN), about 470 connections a second, unless tcp_tw_reuse "
       "lets connect() take a TIME-WAIT over; port 0 picks a free ephemeral port (RFC 6335 section 6, RFC 6056 section 2)",
       {"--ephemeral", "1,2,4,8", "--time-wait", "0..12", "--pick", "bind0,autobind", "--tw-reuse", "off,on"},
       keep_ports, derive_ports, "ports", "no --pick bind0 point with --tw-reuse on"},
  };
}

}  // namespace

const std::vector<Experiment>& experiments() {
  static const std::vector<Experiment> all = [] {
    std::vector<Experiment> v = minimum_experiments();
    for (Experiment& e : claim_experiments()) v.push_back(std::move(e));
    return v;
  }();
  return all;
}

const Experiment* find_experiment(const std::string& name) {
  for (const Experiment& e : experiments())
    if (name == e.name) return &e;
  return nullptr;
}

}  // namespace tcpclose::cli
