// The teardown subset of the packetdrill language as data, and its parser.
// Rule 1: parse() is total: any bytes give either a Script or a ParseError naming
// file:line:column; it never throws and never reads out of bounds (a libFuzzer target can call it).
// Rule 2: constructs beyond the subset (shell, Python, ECN...) parse into statements marked
// unsupported, so the interpreter can name them; they are never parse errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tcpclose::replay {

struct Loc {
  int line = 0;
  int column = 0;
};

// The time column, in microseconds. `*` is Any; `a~b` a window; `t1...t2` a blocking call.
struct TimeSpec {
  enum class Kind : std::uint8_t { Absolute, Relative, Any };
  enum class End : std::uint8_t { None, Window, Blocking };
  Kind kind = Kind::Absolute;
  std::int64_t us = 0;
  End end = End::None;
  bool end_relative = false;
  std::int64_t end_us = 0;
};

// One TCP option of a packet line. Only TS is modelled; the rest are accepted and ignored.
struct TcpOption {
  std::string name;        // "mss", "sackOK", "nop", "wscale", "TS", "sack", "eol", "FO", ...
  std::uint32_t a = 0, b = 0;  // mss/wscale value; TS val/ecr
  std::string arg;             // other options: their text after the name ("TFO_COOKIE", "aaaa...")
};

struct Packet {
  bool inbound = true;       // '<' is from the remote peer into the local stack
  bool seq_any = false;      // "...(len)": an outbound segment whose sequence number is not checked
  std::uint8_t flags = 0;    // tcpclose::flag bits
  std::string flags_text;    // as written, e.g. "F."
  std::string unsupported;   // a feature beyond the subset (ECN flags, UDP...), or empty
  std::uint32_t start = 0, end = 0, len = 0;
  bool has_ack = false;
  std::uint32_t ack = 0;
  bool has_win = false;
  std::uint32_t win = 0;
  bool options_listed = false;   // an option list was written
  bool options_any = false;      // it was the wildcard <...>
  std::vector<TcpOption> options;
};

struct Syscall {
  std::string name;
  std::vector<std::string> args;  // each top-level argument's text, trimmed ("...", "[1]", ...)
  std::vector<Loc> arg_locs;
  bool ret_any = false;           // "= ..."
  std::int64_t ret = 0;
  std::string err;                // "EPIPE", or empty
  std::string note;               // "(Broken pipe)", "(flags O_RDWR)": strace's note, not compared
};

// One enclosing "#ifdef NAME" (defined = true) or "#ifndef NAME" / the #else of an #ifdef
// (defined = false). A statement runs when every condition holds for the profile's names.
struct Cond {
  std::string name;
  bool defined = true;
};

struct Statement {
  enum class Kind : std::uint8_t { Packet, Syscall, Shell, Python };
  Kind kind = Kind::Syscall;
  Loc loc;
  std::string text;  // the statement as written, one line, for reports
  std::string body;  // Shell: the command between the backticks; Python: the code, both verbatim
  TimeSpec time;
  Packet packet;
  Syscall call;
  std::vector<Cond> when;  // the #ifdef blocks around it, outermost first
};

struct HeaderOption {
  Loc loc;
  std::string name, value;
  std::vector<Cond> when;
};

struct Script {
  std::string filename;
  std::string profile;  // from a "// profile: NAME" comment before the first statement
  std::vector<HeaderOption> options;
  std::vector<Statement> statements;
};

struct ParseError {
  std::string file;
  Loc loc;
  std::string message;
};

struct ParseResult {
  std::optional<Script> script;
  ParseError error;  // meaningful when !script
  bool ok() const noexcept { return script.has_value(); }
};

// Whether code under `when` is compiled in when exactly the names in `defined` are defined.
bool active(const std::vector<Cond>& when, const std::vector<std::string>& defined) noexcept;

// Parses a whole script. Never throws (std::bad_alloc aside, which is reported as an error).
ParseResult parse(std::string_view text, std::string_view filename) noexcept;

}  // namespace tcpclose::replay
