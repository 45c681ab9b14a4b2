// The exit codes every tcpclose subcommand shares (README "Exit codes"), in one place so that
// a CI script can rely on them.
#pragma once

namespace tcpclose::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;      // a check failed, a property is violated, a mismatch
inline constexpr int kExitUsage = 2;       // bad usage; `replay`: a parse error
inline constexpr int kExitIncomplete = 3;  // a limit, a signal or a timeout ended the run early
inline constexpr int kExitUnsupported = 4; // `replay`: only passes and unsupported scripts
// The run found nothing wrong, but some output was lost: standard output or a report file
// (--junit, --trace-out, --out) could not be written. A run that found something keeps 1 or 3;
// stderr names what was lost either way.
inline constexpr int kExitReportLost = 5;

}  // namespace tcpclose::cli
