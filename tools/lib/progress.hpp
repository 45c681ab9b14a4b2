// Progress of long `check` (and later `prove`) runs on stderr. On a terminal: one status line
// redrawn in place with \r (states, rate, queue, depth, memory, elapsed), cleared at the end.
// Otherwise: plain "progress: ..." lines, one per report, that logs keep.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include <tcpclose/model/explorer.hpp>

namespace tcpclose::cli {

// "3.21M", "412k", "980": a count in 3 or 4 characters.
std::string short_count(double n);
// The live line: "[2/8] half-close  3.21M states  1.10M/s  queue 412k  depth 31  mem 1.2 GiB  0:03",
// cut to `width` - 1 columns so that it never wraps (a wrapped line cannot be redrawn by \r).
std::string live_line(std::string_view what, std::size_t index, std::size_t count, const model::Progress& p,
                      std::size_t width);
// The plain line, as before the live line existed, with the elapsed time added.
std::string plain_line(std::string_view what, const model::Progress& p);

// The resident set size of this process in bytes (Linux /proc/self/statm), 0 if unknown.
std::size_t resident_bytes();

class ProgressReporter {
 public:
  // tty: draw the live line; otherwise print plain lines.
  ProgressReporter(std::FILE* out, bool tty);
  static bool stderr_is_terminal();
  void begin(std::string_view what, std::size_t index, std::size_t count);
  void update(const model::Progress& p);
  // A report that is not an explorer's (prove: property, engine, depth): `fields` is drawn after
  // "[i/n] what" on a terminal, or printed as "progress: what: fields" otherwise.
  void update(std::string_view fields);
  void end();  // clears the live line, if any
  ~ProgressReporter() { end(); }
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void put(const std::string& text);  // best effort: never throws, never fails the run
  std::FILE* out_;
  bool tty_;
  bool drawn_ = false;
  std::string what_;
  std::size_t index_ = 0, count_ = 0;
};

}  // namespace tcpclose::cli
