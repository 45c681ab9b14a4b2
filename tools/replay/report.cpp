// Printing replay verdicts (see report.hpp): a mismatch names the line, what was expected,
// what the core did and its state, so a stack developer can act without reading our code.
#include "report.hpp"

#include <array>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tcpclose::replay {

void add_options(CLI::App& cmd, CliArgs& a) {
  cmd.add_option("files", a.files, "packetdrill scripts (.pkt) to replay against the core")->required();
  cmd.add_option("--profile", a.profile,
                 "Run every script under this profile (reference, rfc9293, linux, freebsd, smoltcp); "
                 "by default each script's '// profile: NAME' header, else reference")
      ->check(CLI::IsMember({"reference", "rfc9293", "linux", "freebsd", "smoltcp"}));
  cmd.add_flag("--verbose", a.verbose, "Also print what was accepted but not compared (header options, win, TCP options)");
  cmd.add_flag("--summary", a.summary, "One line per script, then totals per verdict");
  cmd.add_flag("--json", a.json, "Print one JSON object: every script's verdict, details and the totals");
  std::vector<std::string> mutants;
  for (Mutant m : kAllMutants) mutants.push_back(name(m));
  cmd.add_option("--mutant", a.mutant,
                 "Replay against a deliberately broken core (see `tcpclose mutants`): the suite must then mismatch")
      ->check(CLI::IsMember(mutants))->capture_default_str();
  cmd.add_flag("--ignore-shell", a.ignore_shell,
               "Do not treat backtick shell lines as unsupported: skip them (noted under --verbose). For measuring "
               "public suites whose shell lines only load their default sysctls; the sysctls are then the profile's");
  cmd.add_option("--tolerance_usecs", a.tolerance_us,
                 "Timing tolerance in microseconds for every script, overriding a script's own --tolerance_usecs "
                 "header, as packetdrill's command line does")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3600000000}));
  cmd.add_option("--unlisted", a.unlisted,
                 "What a segment the core sends and no line lists does: strict (a mismatch wherever it is sent, "
                 "the default) or packetdrill (as packetdrill judges it: it fails only a later outbound line it does "
                 "not match; none before an inbound line or after the last outbound line is looked for)")
      ->check(CLI::IsMember({"strict", "packetdrill"}))->capture_default_str();
  cmd.footer("Exit codes: 0 all pass, 1 any mismatch, 2 parse or usage error (also: a path that is not a regular "
             "file, a file above 4 MiB, a script without a statement), 4 only unsupported scripts besides passes, 3 a signal stopped the run (the verdicts so far are printed).");
}

static std::string where(const Outcome& o) {
  if (o.loc.line == 0) return o.file;
  return fmt::format("{}:{}:{}", o.file, o.loc.line, o.loc.column);
}

static std::string indent(const std::string& s, const std::string& pad) {
  std::string out;
  std::size_t at = 0;
  while (at < s.size()) {
    std::size_t nl = s.find('\n', at);
    if (nl == std::string::npos) nl = s.size();
    out += (out.empty() ? "" : "\n" + pad) + s.substr(at, nl - at);
    at = nl + 1;
  }
  return out;
}

std::string describe(const Outcome& o, bool verbose) {
  std::string out;
  switch (o.verdict) {
    case Verdict::Pass: out = fmt::format("PASS         {} (profile {})\n", o.file, o.profile); break;
    case Verdict::ParseError: out = fmt::format("PARSE ERROR  {}: {}\n", where(o), o.message); break;
    case Verdict::Unsupported:
      out = fmt::format("UNSUPPORTED  {}: {}\n  line:     {}\n", where(o), o.message, o.script_line);
      break;
    case Verdict::Mismatch:
      out = fmt::format("MISMATCH     {} (profile {})\n  line:     {}\n  problem:  {}\n  expected: {}\n  core:     {}\n  state:    {}\n",
                        where(o), o.profile, o.script_line, o.message, o.expected, o.actual, indent(o.state, "            "));
      break;
  }
  if (verbose)
    for (const std::string& n : o.notes) out += "  note:     " + n + "\n";
  return out;
}

nlohmann::json outcome_json(const Outcome& o, bool verbose) {
  nlohmann::json s = {{"file", o.file}, {"profile", o.profile}, {"verdict", name(o.verdict)}};
  if (o.verdict != Verdict::Pass) {
    s["line"] = o.loc.line;
    s["column"] = o.loc.column;
    s["message"] = o.message;
    s["script_line"] = o.script_line;
  }
  if (o.verdict == Verdict::Mismatch) {
    s["expected"] = o.expected;
    s["actual"] = o.actual;
    s["state"] = o.state;
  }
  if (verbose) s["notes"] = o.notes;
  return s;
}

int exit_code(const std::vector<Outcome>& all) {
  bool mismatch = false, parse = false, unsupported = false;
  for (const Outcome& o : all) {
    mismatch |= o.verdict == Verdict::Mismatch;
    parse |= o.verdict == Verdict::ParseError;
    unsupported |= o.verdict == Verdict::Unsupported;
  }
  if (mismatch) return 1;
  if (parse) return 2;
  if (unsupported) return 4;
  return 0;
}

int run_cli(const CliArgs& a) {
  std::optional<Profile> forced;
  if (!a.profile.empty()) forced = profile_by_name(a.profile);
  std::vector<Outcome> all;
  FileOptions fo;
  fo.forced = forced;
  fo.ignore_shell = a.ignore_shell;
  fo.mutant = mutant_by_name(a.mutant).value_or(Mutant::None);
  if (a.tolerance_us >= 0) fo.tolerance_us = a.tolerance_us;
  fo.unlisted = a.unlisted == "packetdrill" ? Unlisted::Packetdrill : Unlisted::Strict;
  bool stopped = false;
  for (const std::string& f : a.files) {
    if (a.stop && a.stop->load()) { stopped = true; break; }
    all.push_back(run_file(f, fo));
  }
  if (stopped)
    std::fprintf(stderr, "tcpclose replay: stopped by a signal after %zu of %zu scripts; the verdicts so far follow\n",
                 all.size(), a.files.size());
  const int code = stopped ? 3 : exit_code(all);
  std::array<int, 4> totals{};
  for (const Outcome& o : all) ++totals[static_cast<std::size_t>(o.verdict)];
  if (a.json) {
    nlohmann::json j;
    j["version"] = 1;
    j["scripts"] = nlohmann::json::array();
    for (const Outcome& o : all) j["scripts"].push_back(outcome_json(o, a.verbose));
    j["totals"] = {{"pass", totals[0]}, {"mismatch", totals[1]}, {"unsupported", totals[2]}, {"parse_error", totals[3]}};
    j["exit_code"] = code;
    if (stopped) j["stopped"] = true;
    std::fputs((j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(), stdout);
    return code;
  }
  for (const Outcome& o : all) {
    if (a.summary) {
      std::string why = o.verdict == Verdict::Pass ? "" : "  " + (o.loc.line ? fmt::format("line {}: ", o.loc.line) : "") + o.message;
      fmt::print("{:<12} {}{}\n", name(o.verdict), o.file, why);
    } else {
      fmt::print("{}", describe(o, a.verbose));
    }
  }
  fmt::print("{} scripts: {} pass, {} mismatch, {} unsupported, {} parse error\n", all.size(), totals[0], totals[1],
             totals[2], totals[3]);
  return code;
}

}  // namespace tcpclose::replay
