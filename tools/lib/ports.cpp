// `tcpclose ports` (ports.hpp): parses the loop's knobs, runs it, and prints its outputs next to
// the claim's prediction (E / (hold + TIME-WAIT)) as Markdown or one JSON object (docs/json.md).
#include "ports.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tcpclose/model/connect_loop.hpp>

#include "exit_codes.hpp"
#include "knobs.hpp"

namespace tcpclose::cli {
namespace {

model::LoopConfig loop_config(const PortsArgs& a) {
  model::LoopConfig c;
  c.ephemeral = static_cast<std::uint16_t>(a.ephemeral);
  c.time_wait = a.time_wait;
  c.pick = a.pick == "bind0" ? model::PortPick::Bind0 : model::PortPick::Autobind;
  c.tw_reuse = a.tw_reuse == "on";
  c.tw_reuse_delay = a.tw_reuse_delay;
  c.every = a.every;
  c.ticks = a.ticks;
  c.warmup = a.warmup;
  c.release_at_time_wait = a.variant == "release-at-time-wait";
  if (a.ports_exhausted)
    c.ports_exhausted = ports_exhausted_from_name(*a.ports_exhausted);
  return c;
}

// The run agrees when the first failure is the predicted one and the measured rate is the
// predicted one within the E connections a window's two edges can cut off.
bool agrees(const model::LoopConfig& c, const model::LoopResult& r) {
  const double off = std::fabs(r.rate() - model::predicted_rate(c, r.hold)) * r.window;
  return r.first_failure == model::predicted_first_failure(c, r.hold) && off <= c.ephemeral && !r.stuck;
}

nlohmann::json loop_json(const PortsArgs& a, const model::LoopConfig& c, const model::LoopResult& r) {
  return {{"command", "ports"},
          {"config", {{"ephemeral", a.ephemeral}, {"time_wait", a.time_wait}, {"pick", a.pick}, {"tw_reuse", a.tw_reuse},
                      {"tw_reuse_delay", a.tw_reuse_delay}, {"every", a.every}, {"ticks", a.ticks}, {"warmup", a.warmup},
                      {"variant", a.variant},
                      {"ports_exhausted", ports_exhausted_name(c.ports_exhausted)}}},
          {"attempts", r.attempts}, {"successes", r.successes}, {"eaddrnotavail", r.addr_not_avail},
          {"eaddrinuse", r.addr_in_use}, {"taken_over", r.taken_over}, {"first_failure", r.first_failure},
          {"predicted_first_failure", model::predicted_first_failure(c, r.hold)}, {"hold", r.hold},
          {"window", r.window}, {"window_successes", r.window_successes},
          {"rate", fmt::format("{:.3f}", r.rate())},
          {"predicted_rate", fmt::format("{:.3f}", model::predicted_rate(c, r.hold))},
          {"stuck", r.stuck}, {"verdict", agrees(c, r) ? "agrees" : "disagrees"}};
}

// main() turns a standard output that cannot be written into exit 5 (issue 15).
int print_or_lost(const std::string& text, int code) {
  fmt::print("{}", text);
  return code;
}

}  // namespace

const std::vector<std::string>& ports_value_columns() {
  static const std::vector<std::string> c = {"attempts", "successes", "eaddrnotavail", "eaddrinuse", "taken_over",
                                             "first_failure", "predicted_first_failure", "hold", "rate",
                                             "predicted_rate"};
  return c;
}

void add_ports_options(CLI::App& cmd, PortsArgs& a) {
  cmd.add_option("--ephemeral", a.ephemeral, "E: ports in the client's ephemeral range (from 49152)")
      ->check(CLI::Range(1u, unsigned{model::kMaxEphemeral}))->capture_default_str();
  cmd.add_option("--time-wait", a.time_wait, "TIME-WAIT length in ticks")
      ->check(CLI::Range(0u, model::kMaxLoopTimeWait))->capture_default_str();
  cmd.add_option("--pick", a.pick, "How each connection gets its port: bind0 (bind to port 0, then connect) or "
                                   "autobind (connect without bind)")
      ->check(CLI::IsMember({"bind0", "autobind"}))->capture_default_str();
  cmd.add_option("--tw-reuse", a.tw_reuse, "autobind only: on lets connect() take over a TIME-WAIT of the same 4-tuple "
                                           "(Linux tcp_tw_reuse) once it is --tw-reuse-delay ticks old")
      ->check(CLI::IsMember({"off", "on"}))->capture_default_str();
  cmd.add_option("--tw-reuse-delay", a.tw_reuse_delay, "Ticks a TIME-WAIT must last before tcp_tw_reuse takes it over")
      ->check(CLI::Range(0u, model::kMaxLoopTimeWait))->capture_default_str();
  cmd.add_option("--every", a.every, "One connect() attempt every N ticks")->check(CLI::Range(1u, 1000u))->capture_default_str();
  cmd.add_option("--ticks", a.ticks, "Attempts are made in ticks [0, N)")
      ->check(CLI::Range(1u, model::kMaxLoopTicks))->capture_default_str();
  cmd.add_option("--warmup", a.warmup, "The steady rate is measured over ticks [warmup, ticks)")
      ->check(CLI::Range(0u, model::kMaxLoopTicks))->capture_default_str();
  cmd.add_option("--variant", a.variant, "A broken stack for controls: release-at-time-wait frees the port when "
                                         "TIME-WAIT begins instead of when it ends")
      ->check(CLI::IsMember({"none", "release-at-time-wait"}))->capture_default_str();
  cmd.add_option("--ports-exhausted", a.ports_exhausted,
                 "bind0: what bind() to port 0 returns once the range is exhausted, eaddrinuse (Linux "
                 "inet_csk_get_port, the default: the loop's client is Linux's) or eaddrnotavail (FreeBSD)")
      ->check(CLI::IsMember({"eaddrnotavail", "eaddrinuse"}));
}

CLI::App* add_ports_command(CLI::App& app, PortsArgs& a) {
  auto* cmd = app.add_subcommand("ports", "Simulate a client connecting in a loop from a small ephemeral range, "
                                          "with TIME-WAIT holding ports (not a model check)");
  add_ports_options(*cmd, a);
  cmd->add_flag("--json", a.json, "Print one JSON object (docs/json.md, ports)");
  cmd->add_flag("--bind-cases", a.bind_cases, "Print bind() outcomes per RFC 6335 port class instead of running the loop");
  cmd->footer("Exit codes: 0 the run agrees with the prediction (first failure and rate), 1 it does not, 2 usage, "
              "5 standard output could not be written.");
  return cmd;
}

int run_ports(const PortsArgs& a) {
  if (a.bind_cases) {
    nlohmann::json rows = nlohmann::json::array();
    for (const model::BindCase& b : model::bind_cases())
      rows.push_back({{"class", b.port_class}, {"port", b.port}, {"rule", b.rule}, {"occupant", b.occupant},
                      {"reuseaddr", b.reuseaddr}, {"result", b.result}});
    return print_or_lost(a.json ? rows.dump(1) + "\n" : bind_cases_markdown(), kExitOk);
  }
  const model::LoopConfig c = loop_config(a);
  if (const std::string e = model::validate(c); !e.empty()) {
    std::fprintf(stderr, "tcpclose ports: %s\n", e.c_str());
    return kExitUsage;
  }
  const model::LoopResult r = model::run_connect_loop(c);
  const nlohmann::json j = loop_json(a, c, r);
  const int code = j["verdict"] == "agrees" ? kExitOk : kExitFailed;
  if (a.json) return print_or_lost(j.dump(1) + "\n", code);
  std::string md = "| output | value |\n| --- | ---: |\n";
  for (const std::string& k : ports_value_columns()) md += fmt::format("| {} | {} |\n", k, j[k].is_string() ? j[k].get<std::string>() : j[k].dump());
  md += fmt::format("\nverdict: {} (a deterministic simulation of the core's rules, not a model check)\n", j["verdict"].get<std::string>());
  return print_or_lost(md, code);
}

std::string bind_cases_markdown() {
  const std::vector<model::BindCase> all = model::bind_cases();
  std::vector<std::string> cols;  // rule x SO_REUSEADDR, in the order bind_cases() gives them
  for (const model::BindCase& b : all) {
    const std::string col = fmt::format("{}, SO_REUSEADDR {}", b.rule, b.reuseaddr ? "on" : "off");
    if (std::find(cols.begin(), cols.end(), col) == cols.end()) cols.push_back(col);
  }
  std::string md = "| port (RFC 6335 class) | held by |";
  for (const std::string& c : cols) md += " " + c + " |";
  md += "\n| --- | --- |";
  for (std::size_t i = 0; i < cols.size(); ++i) md += " --- |";
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i % cols.size() == 0) md += fmt::format("\n| {} ({}) | {} |", all[i].port, all[i].port_class, all[i].occupant);
    md += " " + all[i].result + " |";
  }
  return md + "\n";
}

std::string read_ports_json(const std::string& text, int exit_code, PointResult& r) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("command", "") != "ports" || !j.contains("verdict"))
    return "tcpclose ports gave no JSON result";
  r.exit_code = exit_code;
  r.verdict = j["verdict"].get<std::string>();
  for (const std::string& k : ports_value_columns())
    if (j.contains(k)) r.values[k] = j[k].is_string() ? j[k].get<std::string>() : j[k].dump();
  r.status = PointStatus::Done;
  return {};
}

}  // namespace tcpclose::cli
