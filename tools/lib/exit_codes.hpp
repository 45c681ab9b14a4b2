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
// `check --trace-format packetdrill`: a property is violated (as with 1), but its counterexample
// cannot be written as a script from the viewed host's side (two sockets packetdrill cannot drive,
// a violation only the model's ghost sees, timing the real stack does not have). stderr names why;
// no script is written for it.
inline constexpr int kExitUntranslatable = 6;

}  // namespace tcpclose::cli
