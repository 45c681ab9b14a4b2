// `tcpclose replay`: runs scripts and prints their verdicts as text or JSON.
// Exit codes: 0 every script passed; 1 any mismatch; 2 a parse or usage error (and no
// mismatch); 4 only unsupported scripts remain besides passes.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "replay.hpp"

namespace tcpclose::replay {

struct CliArgs {
  std::vector<std::string> files;
  std::string profile;  // empty: each script's own
  bool verbose = false;
  bool summary = false;
  bool json = false;
  bool ignore_shell = false;
  std::string mutant = "none";
  std::int64_t tolerance_us = -1;  // --tolerance_usecs; -1: each script's own
  std::string unlisted = "strict";  // --unlisted strict|packetdrill
  // Set by a signal (the command's StopSignals): the scripts left are not run, the verdicts so
  // far are printed, and the exit code is 3.
  const std::atomic<bool>* stop = nullptr;
};

void add_options(CLI::App& cmd, CliArgs& a);
int run_cli(const CliArgs& a);

// One script's entry of `replay --json` (strings are raw: dump with error_handler_t::replace).
nlohmann::json outcome_json(const Outcome& o, bool verbose);

// The text a person reads for one outcome (also used by the tests).
std::string describe(const Outcome& o, bool verbose);
int exit_code(const std::vector<Outcome>& all);

}  // namespace tcpclose::replay
