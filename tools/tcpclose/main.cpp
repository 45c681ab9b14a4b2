// The `tcpclose` command: parse the command line, call the libraries, print.
// Exit codes (all subcommands): 0 success/holds, 1 a check failed or a property is violated,
// 2 bad usage or input, 3 incomplete (a limit or an interrupt ended the run), 4 and 5 and 6 as
// tools/lib/exit_codes.hpp says.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "check.hpp"
#include "exit_codes.hpp"
#include "signals.hpp"
#include "format.hpp"
#include "knobs.hpp"
#include "outputs_cli.hpp"
#include "report.hpp"
#include "ports.hpp"
#include "prove.hpp"
#include "sweep.hpp"
#include "selfcheck.hpp"
#include "table.hpp"

namespace {

using namespace tcpclose;

using cli::kExitFailed;
using cli::kExitOk;
using cli::kExitReportLost;
using cli::kExitUsage;

int run_profiles(const cli::KnobOptions& k, bool all) {
  for (Profile p : kAllProfiles) {
    if (!all && name(p) != k.profile) continue;
    cli::KnobOptions kp = k;
    kp.profile = name(p);
    fmt::print("{}\n", name(p));
    for (const auto& [key, value] : cli::describe(cli::make_config(kp))) fmt::print("  {:<24} {}\n", key, value);
  }
  return kExitOk;
}

int run(int argc, char** argv) {
  CLI::App app{"tcpclose: a checked reference for how a TCP connection ends"};
  app.footer("Exit codes: 0 success, 1 check failed / property violated, 2 bad usage, 3 incomplete, "
             "4 replay: only unsupported besides passes, 5 nothing failed but output was lost (stdout or a report file), "
             "6 check --trace-format packetdrill: violated, but a counterexample cannot be a script (stderr says why).");
  app.require_subcommand(1);
  app.set_version_flag("--version", "tcpclose 0.1.0");

  cli::KnobOptions knobs;
  std::string format = "md";
  auto* table_cmd = app.add_subcommand("table", "Print the state x input-class table, derived from step()");
  cli::add_knob_options(*table_cmd, knobs, true);
  table_cmd->add_option("--format", format, "md, csv or json")
      ->check(CLI::IsMember({"md", "csv", "json"}))->capture_default_str();

  bool all_profiles = false;
  auto* self_cmd = app.add_subcommand("selfcheck", "Run the core's scenarios and check every table row");
  cli::add_knob_options(*self_cmd, knobs, true);
  self_cmd->add_flag("--all-profiles", all_profiles, "Check every profile (the default when no --profile is given)");

  bool all_listed = false;
  auto* prof_cmd = app.add_subcommand("profiles", "List the knob values of a profile (all profiles by default)");
  cli::add_knob_options(*prof_cmd, knobs, false);

  auto* mut_cmd = app.add_subcommand("mutants", "List the seeded protocol mutants (for --mutant)");

  cli::CheckArgs check_args;
  auto* check_cmd = app.add_subcommand("check", "Explore every interleaving of the scenarios and check the properties");
  cli::add_check_options(*check_cmd, check_args);

  cli::DiagramArgs diagram_args;
  auto* diagram_cmd = cli::add_diagram_command(app, diagram_args);
  cli::VectorsArgs vectors_args;
  auto* vectors_cmd = cli::add_vectors_command(app, vectors_args);
  cli::GenArgs gen_args;
  auto* gen_cmd = cli::add_gen_command(app, gen_args);
  replay::CliArgs replay_args;
  auto* replay_cmd = app.add_subcommand("replay", "Replay packetdrill teardown scripts against the core (exit 4: only unsupported left)");
  replay::add_options(*replay_cmd, replay_args);
  cli::SweepArgs sweep_args;
  auto* sweep_cmd = cli::add_sweep_command(app, sweep_args);
  cli::PortsArgs ports_args;
  auto* ports_cmd = cli::add_ports_command(app, ports_args);
  cli::ProveArgs prove_args;
  auto* prove_cmd = app.add_subcommand("prove", "Prove the properties with SMT: BMC, k-induction, CHC (docs/proofs.md)");
  cli::add_prove_options(*prove_cmd, prove_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tcpclose: %s\nRun 'tcpclose --help' or 'tcpclose SUBCOMMAND --help'.\n",
                 tcpclose::cli::parse_error_text(e).c_str());
    return kExitUsage;
  }

  if (table_cmd->parsed()) {
    const Config c = cli::make_config(knobs);
    const table::Format f = format == "csv" ? table::Format::Csv : format == "json" ? table::Format::Json : table::Format::Markdown;
    const std::string title = fmt::format("tcpclose transition table, profile {}{}", knobs.profile,
                                          c.mutant == Mutant::None ? "" : fmt::format(", mutant {}", name(c.mutant)));
    fmt::print("{}", table::render(table::derive(c), f, title));
    return kExitOk;
  }
  if (self_cmd->parsed()) {
    const bool every = all_profiles || self_cmd->count("--profile") == 0;
    return cli::run_selfcheck(knobs, every);
  }
  if (check_cmd->parsed()) return cli::run_check(check_args);
  if (diagram_cmd->parsed()) return cli::run_diagram(diagram_args);
  if (vectors_cmd->parsed()) return cli::run_vectors(vectors_args);
  if (gen_cmd->parsed()) return cli::run_gen(gen_args);
  if (replay_cmd->parsed()) {
    const cli::StopSignals stops;
    replay_args.stop = &stops.flag();
    return replay::run_cli(replay_args);
  }
  if (prove_cmd->parsed()) return cli::run_prove(prove_args);
  if (ports_cmd->parsed()) return cli::run_ports(ports_args);
  if (sweep_cmd->parsed()) {
    sweep_args.grid_args = sweep_cmd->remaining();
    const cli::StopSignals stops;
    return cli::run_sweep(sweep_args, &stops.flag());
  }
  if (mut_cmd->parsed()) {
    for (Mutant m : kAllMutants)
      if (m != Mutant::None) fmt::print("{:<24} {}\n", name(m), describe(m));
    return kExitOk;
  }
  if (prof_cmd->parsed()) {
    all_listed = prof_cmd->count("--profile") == 0;
    return run_profiles(knobs, all_listed);
  }
  return kExitUsage;
}

}  // namespace

// Whatever a subcommand returns, output it could not write is not a success (issue 15): an
// exception from a writer (fmt throws on a failed write, e.g. with SIGPIPE ignored) ends with a
// message instead of an abort, and a stdout that fails on its final flush (/dev/full) is exit 5.
int main(int argc, char** argv) {
  int code = kExitUsage;
  try {
    code = run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tcpclose: %s\n", e.what());
    code = std::ferror(stdout) ? kExitReportLost : kExitFailed;
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "tcpclose: standard output could not be written (%s): output was lost\n", std::strerror(errno));
    if (code == kExitOk) code = kExitReportLost;
  }
  return code;
}
