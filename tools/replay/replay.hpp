// Replaying a packetdrill script against the core: the local stack is step(), the script is
// the remote peer and the application. Rule: every script ends with exactly one verdict, and
// anything the interpreter cannot model is Unsupported naming the line and feature, never a
// pass or a silent skip.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include <tcpclose/core.hpp>

#include "script.hpp"

namespace tcpclose::replay {

enum class Verdict : std::uint8_t { Pass, Mismatch, Unsupported, ParseError };
const char* name(Verdict v) noexcept;

struct Outcome {
  std::string file;
  std::string profile;
  Verdict verdict = Verdict::Pass;
  Loc loc;                   // the line the verdict is about (not set for Pass)
  std::string script_line;   // that line as written
  std::string message;       // one sentence: what went wrong, or the unsupported feature
  std::string expected;      // Mismatch: what the script expected
  std::string actual;        // Mismatch: what the core did (segment, errno, or nothing)
  std::string state;         // Mismatch: the core's state then, one line per socket
  std::vector<std::string> notes;  // things accepted but not compared (for --verbose)
};

// What an outbound segment that no line lists does to the verdict.
enum class Unlisted : std::uint8_t {
  Strict,       // a mismatch wherever it is sent: before an inbound line, a call or the end
  Packetdrill,  // as packetdrill: it fails only the next outbound line that does not match it
};

// The replay's clock: script times are microseconds, the core's ticks are Config::tick_us
// (1 ms in every profile), so a timer armed for N ticks fires N * tick_us after it was armed.
struct Options {
  Profile profile = Profile::Reference;
  Config config = reference_config();
  bool ignore_shell = false;  // --ignore-shell: backtick lines are noted, not run, not unsupported
  // --tolerance_usecs on the command line: it overrides the script's header, as packetdrill's
  // parse_and_finalize_config() lets command line options overwrite the script's.
  std::optional<std::int64_t> tolerance_us;
  Unlisted unlisted = Unlisted::Strict;  // --unlisted
};

// What run_file takes besides the path (the replay command's flags).
struct FileOptions {
  std::optional<Profile> forced;  // --profile: else the script's header, else reference
  bool ignore_shell = false;
  Mutant mutant = Mutant::None;
  std::optional<std::int64_t> tolerance_us;
  Unlisted unlisted = Unlisted::Strict;
};

// The largest script run_file reads (the public suites' largest is under 20 KiB).
inline constexpr std::size_t kMaxScriptBytes = std::size_t{4} << 20;

// Runs a parsed script against the core under `opt`, after the preprocessor: #ifdef sees the
// name of the profile's stack ("Linux" under linux, "FreeBSD" under freebsd, none otherwise).
Outcome run(const Script& script, const Options& opt);

// Reads, parses and runs one file, under `forced` if given, else the profile the script names
// ("// profile: NAME"), else reference. An unreadable file or unknown profile is a ParseError.
// A path that is not a regular file (a directory, a device, a FIFO), a file above
// kMaxScriptBytes, or a script without one statement is a ParseError naming the reason: a
// script must check something to pass.
Outcome run_file(const std::string& path, const FileOptions& fo = {});

std::optional<Profile> profile_by_name(std::string_view s) noexcept;
std::optional<Mutant> mutant_by_name(std::string_view s) noexcept;

}  // namespace tcpclose::replay
