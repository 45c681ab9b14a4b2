// Ctrl-C, SIGTERM and SIGHUP as a flag that long runs poll (issue 15): `check`, `prove`,
// `vectors` and `gen` then stop within a second, print what they have, write their reports
// and exit 3. A second signal ends the process at once (exit 128 + signal).
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace tcpclose::cli {

// Blocks the three signals in the calling thread, and so in every thread started after it
// (the explorer's workers, Z3's), and waits for them on a thread of its own with sigtimedwait:
// no handler runs, so nothing (Z3's own Ctrl-C handler included) can take the signal away.
// Construct it before starting threads; the destructor restores the signal mask.
class StopSignals {
 public:
  StopSignals() : StopSignals(nullptr) {}
  // `on_stop`, when given, runs on a detached thread of its own at the first signal, after the
  // flag is set, while the watcher goes on waiting for a second one. It is for a command whose
  // work cannot be stopped safely from outside (Z3's interrupt is not safe everywhere): it
  // reports what is done and ends the process itself.
  explicit StopSignals(std::function<void(int)> on_stop);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  const std::atomic<bool>& flag() const { return stop_; }
  bool stopped() const { return stop_.load(); }
  int signal() const { return signal_.load(); }  // the first one, 0 if none
  const char* name() const;                        // "SIGINT", ...; "" if none
  static const char* name_of(int sig);             // "SIGINT", "SIGTERM", "SIGHUP"; "" otherwise

 private:
  std::atomic<bool> stop_{false}, quit_{false};
  std::atomic<int> signal_{0};
  std::function<void(int)> on_stop_;
  std::thread waiter_;
};

}  // namespace tcpclose::cli
