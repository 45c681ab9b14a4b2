// StopSignals (signals.hpp): the three stop signals are blocked and taken by sigtimedwait on a
// watcher thread, which sets the flag on the first and ends the process on the second.
#include "signals.hpp"

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <utility>

#include <pthread.h>

namespace tcpclose::cli {
namespace {

sigset_t stop_set() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGHUP);
  return s;
}

}  // namespace

StopSignals::StopSignals(std::function<void(int)> on_stop) : on_stop_(std::move(on_stop)) {
  const sigset_t s = stop_set();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
  waiter_ = std::thread([this] {
    const sigset_t set = stop_set();
    const timespec tick{0, 50 * 1000 * 1000};
    while (!quit_.load()) {
      const int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig <= 0) continue;
      if (stop_.exchange(true)) std::_Exit(128 + sig);  // the second signal: stop now
      signal_.store(sig);
      if (on_stop_) std::thread(on_stop_, sig).detach();
    }
  });
}

StopSignals::~StopSignals() {
  quit_.store(true);
  waiter_.join();
  // A signal that arrived after the run's last look stays pending; it must not kill the process
  // once unblocked, after the run has already reported it (or finished).
  const sigset_t s = stop_set();
  const timespec zero{0, 0};
  while (sigtimedwait(&s, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_UNBLOCK, &s, nullptr);
}

const char* StopSignals::name() const { return name_of(signal_.load()); }

const char* StopSignals::name_of(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "";
  }
}

}  // namespace tcpclose::cli
