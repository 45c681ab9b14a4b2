// The reports of `tcpclose sweep`: CSV, Markdown and JSON rows, the gnuplot picture, and
// reading an earlier JSON report back for --resume.
#include "sweep_report.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include <tcpclose/proofs/process.hpp>

#include "atomic_file.hpp"

namespace tcpclose::cli {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string property_cell(const PointResult& p, const std::string& prop) {
  const auto it = p.properties.find(prop);
  if (p.status == PointStatus::NotRun || p.status == PointStatus::Failed || it == p.properties.end()) return "-";
  const auto st = p.shortest.find(prop);
  return st == p.shortest.end() ? it->second : fmt::format("{} ({} steps)", it->second, st->second);
}

bool is_integer(const std::string& s) {
  unsigned long v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool all_hold(const PointResult& p) {  // check: holds; prove: proved, or bounded (BMC)
  for (const auto& [k, v] : p.properties)
    if (v != "holds" && v != "proved" && v != "bounded") return false;
  return p.status == PointStatus::Done;
}

}  // namespace

std::string sweep_csv(const SweepResult& r) {
  std::string out;
  for (const Axis& a : r.grid.axes) out += a.flag.substr(2) + ",";
  out += "status,verdict,exit_code,states,seconds";
  for (const std::string& p : r.properties) out += fmt::format(",{},{}_steps", p, p);
  for (const std::string& v : r.values) out += "," + v;
  out += ",error\n";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const PointResult& x = r.rows[i];
    for (const std::string& v : r.grid.points[i]) out += csv_field(v) + ",";
    // prove explores no states: its rows leave the column empty.
    const std::string states = r.program == "prove" ? "" : std::to_string(x.states);
    out += fmt::format("{},{},{},{},{:.2f}", name(x.status), x.verdict, x.exit_code, states, x.seconds);
    for (const std::string& p : r.properties) {
      const auto it = x.properties.find(p);
      const auto st = x.shortest.find(p);
      out += fmt::format(",{},{}", it == x.properties.end() ? "" : it->second,
                         st == x.shortest.end() ? "" : std::to_string(st->second));
    }
    for (const std::string& v : r.values) out += "," + csv_field(x.values.count(v) ? x.values.at(v) : "");
    out += "," + csv_field(x.error) + "\n";
  }
  return out;
}

std::string sweep_markdown(const SweepResult& r, const Derived* d) {
  std::string out = fmt::format("# tcpclose sweep: {}\n\n```sh\n{}\n```\n\n", r.name, r.command);
  if (d && !d->markdown.empty()) out += d->markdown + "\n";
  std::string head = "|", rule = "|";
  for (const Axis& a : r.grid.axes) { head += fmt::format(" {} |", a.flag.substr(2)); rule += " --- |"; }
  // check explores states; prove takes time but explores none; ports is a simulation: neither column.
  const bool searched = r.program == "check", timed = r.program != "ports";
  head += searched ? " status | states | seconds |" : timed ? " status | verdict | seconds |" : " status |";
  rule += searched ? " --- | ---: | ---: |" : timed ? " --- | --- | ---: |" : " --- |";
  for (const std::string& p : r.properties) { head += fmt::format(" {} |", p); rule += " --- |"; }
  if (!r.values.empty()) { head += " verdict |"; rule += " --- |"; }
  for (const std::string& v : r.values) { head += fmt::format(" {} |", v); rule += " ---: |"; }
  out += head + "\n" + rule + "\n";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const PointResult& x = r.rows[i];
    std::string line = "|";
    for (const std::string& v : r.grid.points[i]) line += fmt::format(" {} |", v);
    line += fmt::format(" {}{} |", name(x.status), x.error.empty() ? "" : ": " + x.error);
    if (searched) line += fmt::format(" {} | {:.1f} |", x.states, x.seconds);
    else if (timed) line += fmt::format(" {} | {:.1f} |", x.verdict.empty() ? "-" : x.verdict, x.seconds);
    for (const std::string& p : r.properties) line += fmt::format(" {} |", property_cell(x, p));
    if (!r.values.empty()) line += fmt::format(" {} |", x.verdict.empty() ? "-" : x.verdict);
    for (const std::string& v : r.values) line += fmt::format(" {} |", x.values.count(v) ? x.values.at(v) : "-");
    out += line + "\n";
  }
  if (r.interrupted) out += "\nStopped by a signal: the rows marked \"not run\" were not run; `--resume` finishes them.\n";
  return out;
}

nlohmann::json sweep_json(const SweepResult& r, const Derived* d, int exit_code) {
  nlohmann::json j{{"version", 1}, {"name", r.name}, {"command", r.command}, {"interrupted", r.interrupted},
                   {"exit_code", exit_code}, {"fixed", r.grid.fixed}, {"properties", r.properties},
                   {"program", r.program}, {"build", self_build_id()}};
  j["experiment"] = r.experiment.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.experiment);
  j["axes"] = nlohmann::json::array();
  for (const Axis& a : r.grid.axes) j["axes"].push_back({{"flag", a.flag}, {"values", a.values}});
  j["rows"] = nlohmann::json::array();
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const PointResult& x = r.rows[i];
    nlohmann::json point = nlohmann::json::object();
    for (std::size_t k = 0; k < r.grid.axes.size(); ++k) point[r.grid.axes[k].flag] = r.grid.points[i][k];
    j["rows"].push_back({{"point", point}, {"status", name(x.status)}, {"exit_code", x.exit_code},
                         {"verdict", x.verdict}, {"properties", x.properties}, {"shortest", x.shortest},
                         {"states", x.states}, {"seconds", x.seconds}, {"error", x.error}, {"build", x.build}});
    if (!r.values.empty()) j["rows"].back()["values"] = x.values;  // a `ports` sweep's outputs only
  }
  if (d) j["derived"] = d->markdown;
  return j;
}

Derived default_plot(const SweepResult& r) {
  Derived d;
  std::size_t x = r.grid.axes.size();
  for (std::size_t k = 0; k < r.grid.axes.size() && x == r.grid.axes.size(); ++k) {
    bool ints = true;
    for (const std::string& v : r.grid.axes[k].values) ints = ints && is_integer(v);
    if (ints) x = k;
  }
  std::map<std::string, std::string> series;  // the other axes' values -> data lines
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (r.rows[i].status != PointStatus::Done) continue;
    std::string key;
    for (std::size_t k = 0; k < r.grid.axes.size(); ++k)
      if (k != x) key += fmt::format("{}{}={}", key.empty() ? "" : " ", r.grid.axes[k].flag.substr(2), r.grid.points[i][k]);
    const std::string xv = x < r.grid.axes.size() ? r.grid.points[i][x] : std::to_string(i + 1);
    const std::string y = r.program == "prove" ? fmt::format("{:.3f}", std::max(r.rows[i].seconds, 0.001))
                                               : std::to_string(r.rows[i].states);
    series[key] += fmt::format("{} {} {}\n", xv, y, all_hold(r.rows[i]) ? 1 : 0);
  }
  std::string plot;
  int index = 0;
  for (const auto& [key, lines] : series) {
    d.data += fmt::format("# {}\n{}\n\n", key, lines);
    const std::string title = key.empty() ? std::string(r.program == "prove" ? "seconds" : "states") : key;
    plot += fmt::format("{}$DATA index {} using 1:2 with linespoints title '{}', '' index {} using 1:($3 == 0 ? $2 : 1/0) "
                        "with points pt 2 ps 2 lc rgb 'red' notitle",
                        index ? ", " : "plot ", index, gp_text(title), index);
    ++index;
  }
  if (index == 0) return d;
  const std::string xlabel = x < r.grid.axes.size() ? r.grid.axes[x].flag.substr(2) : "grid point";
  const bool prove = r.program == "prove";
  const char* y = prove ? "seconds" : "states";
  d.plot = fmt::format("set title 'tcpclose sweep {}: {} (a red cross: a property is {})'\n"
                       "set xlabel '{}'\nset ylabel '{}'\nset logscale y\nset key outside right\n{}\n",
                       gp_text(r.name), y, prove ? "not proved" : "violated", gp_text(xlabel), y, plot);
  return d;
}

std::string gp_text(const std::string& s) {
  std::string out;
  for (const char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out;
}

std::string draw_svg(const Derived& d, const std::string& svg) {
  if (d.plot.empty()) return {};
  const std::string tmp = temp_path_for(svg), script = tmp + ".gp", data = tmp + ".dat", log = tmp + ".log";
  if (std::string e = write_atomic(data, d.data); !e.empty()) return e;
  std::string text = fmt::format("set terminal svg size 900,560 dynamic enhanced font 'sans,11'\nset output '{}'\n", gp_text(tmp));
  std::string plot = d.plot;
  for (std::size_t at = plot.find("$DATA"); at != std::string::npos; at = plot.find("$DATA", at + 1))
    plot.replace(at, 5, fmt::format("'{}'", gp_text(data)));
  text += plot;
  if (std::string e = write_atomic(script, text); !e.empty()) { ::unlink(data.c_str()); return e; }
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  std::string error;
  const pid_t pid = log_fd < 0 ? -1 : proofs::spawn_unmasked({"gnuplot", script}, log_fd, log_fd, {}, error);
  if (log_fd >= 0) ::close(log_fd);
  int status = 0;
  if (pid > 0) while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  std::ifstream in(log);
  std::stringstream msg;
  msg << in.rdbuf();
  for (const std::string& f : {script, data, log}) ::unlink(f.c_str());
  if (pid < 0)
    return fmt::format("{}: {}; install Debian's gnuplot-nox (tools/dev deps)", svg, log_fd < 0 ? std::strerror(errno) : error);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ::unlink(tmp.c_str());
    return fmt::format("{}: gnuplot failed: {}", svg, msg.str());
  }
  return commit_temp(tmp, svg);
}

std::string load_resume(const std::string& path, SweepResult& r, std::size_t& reused) {
  std::ifstream in(path);
  if (!in) return fmt::format("--resume {}: cannot read it: {}", path, std::strerror(errno));
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1 || !j.contains("rows") || !j.contains("fixed"))
    return fmt::format("--resume {}: not a JSON report of tcpclose sweep (NAME.json of --out)", path);
  if (j.contains("program") && j["program"] != r.program)  // reports before "program" was added: not known
    return fmt::format("--resume {}: its points ran tcpclose {}, these run tcpclose {}", path,
                       j["program"].is_string() ? j["program"].get<std::string>() : j["program"].dump(), r.program);
  if (j["fixed"] != nlohmann::json(r.grid.fixed))
    return fmt::format("--resume {}: it was made with other fixed options ({}), not {}", path, j["fixed"].dump(),
                       nlohmann::json(r.grid.fixed).dump());
  reused = 0;
  for (const auto& row : j["rows"]) {
    if (row.value("status", "") != "done" || !row.contains("point")) continue;
    for (std::size_t i = 0; i < r.grid.points.size(); ++i) {
      nlohmann::json point = nlohmann::json::object();
      for (std::size_t k = 0; k < r.grid.axes.size(); ++k) point[r.grid.axes[k].flag] = r.grid.points[i][k];
      if (point != row["point"] || r.rows[i].status == PointStatus::Done) continue;
      PointResult& x = r.rows[i];
      x.status = PointStatus::Done;
      x.exit_code = row.value("exit_code", -1);
      x.verdict = row.value("verdict", "");
      x.properties = row.value("properties", std::map<std::string, std::string>{});
      x.shortest = row.value("shortest", std::map<std::string, unsigned>{});
      x.states = row.value("states", std::uint64_t{0});
      x.seconds = row.value("seconds", 0.0);
      x.values = row.value("values", std::map<std::string, std::string>{});
      x.build = row.value("build", "");
      ++reused;
    }
  }
  return {};
}

}  // namespace tcpclose::cli
