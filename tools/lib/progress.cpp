// Progress lines and the live status line (see progress.hpp).
#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace tcpclose::cli {
namespace {

std::size_t terminal_width(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

std::string short_count(double n) {
  if (n >= 1e9) return fmt::format("{:.2f}G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.2f}M", n / 1e6);
  if (n >= 1e4) return fmt::format("{:.0f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

std::string live_line(std::string_view what, std::size_t index, std::size_t count, const model::Progress& p,
                      std::size_t width) {
  const double rate = p.states / (p.seconds > 0 ? p.seconds : 1);
  const auto secs = static_cast<unsigned long long>(p.seconds);
  std::string s = fmt::format("[{}/{}] {}  {} states  {}/s  queue {}  depth {}  mem {:.1f} GiB  {}:{:02}", index, count,
                              what, short_count(static_cast<double>(p.states)), short_count(rate),
                              short_count(static_cast<double>(p.frontier)), p.depth,
                              static_cast<double>(p.bytes) / (1ull << 30), secs / 60, secs % 60);
  if (width > 1 && s.size() > width - 1) s.resize(width - 1);
  return s;
}

std::string plain_line(std::string_view what, const model::Progress& p) {
  return fmt::format("progress: {}: {} states, {:.0f} states/s, queue {}, depth {}, {:.1f} MiB, {:.0f} s", what,
                     p.states, p.states / (p.seconds > 0 ? p.seconds : 1), p.frontier, p.depth,
                     static_cast<double>(p.bytes) / (1 << 20), p.seconds);
}

ProgressReporter::ProgressReporter(std::FILE* out, bool tty) : out_(out), tty_(tty) {}

// Progress is best effort: a stderr that is closed or full must neither end the run nor throw
// (fmt::print throws on a failed write, and updates may come from the explorer's workers).
void ProgressReporter::put(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
  std::clearerr(out_);
}

bool ProgressReporter::stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

void ProgressReporter::begin(std::string_view what, std::size_t index, std::size_t count) {
  end();
  what_ = what;
  index_ = index;
  count_ = count;
}

void ProgressReporter::update(const model::Progress& p) {
  if (tty_) {
    // \r to the line's start, the line, then erase what a longer previous line left (EL, CSI K).
    put(fmt::format("\r{}\x1b[K", live_line(what_, index_, count_, p, terminal_width(fileno(out_)))));
    drawn_ = true;
  } else {
    put(plain_line(what_, p) + "\n");
  }
}

void ProgressReporter::update(std::string_view fields) {
  if (tty_) {
    std::string line = fmt::format("[{}/{}] {}  {}", index_, count_, what_, fields);
    const std::size_t width = terminal_width(fileno(out_));
    if (width > 1 && line.size() > width - 1) line.resize(width - 1);
    put(fmt::format("\r{}\x1b[K", line));
    drawn_ = true;
  } else {
    put(fmt::format("progress: {}: {}\n", what_, fields));
  }
}

std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

void ProgressReporter::end() {
  if (!drawn_) return;
  put("\r\x1b[K");
  drawn_ = false;
}

}  // namespace tcpclose::cli
