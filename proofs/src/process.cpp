// spawn_unmasked (process.hpp): posix_spawn with file actions and an empty signal mask; and the
// list of live children that a stop kills.
#include "tcpclose/proofs/process.hpp"

#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>

#include <fmt/format.h>

extern char** environ;

namespace tcpclose::proofs {
namespace {

std::array<std::atomic<pid_t>, 64> g_children{};  // 0: a free entry

}  // namespace

void list_child(pid_t pid) {
  for (std::atomic<pid_t>& c : g_children) {
    pid_t free = 0;
    if (c.compare_exchange_strong(free, pid)) return;
  }
}

void unlist_child(pid_t pid) {
  for (std::atomic<pid_t>& c : g_children) {
    pid_t mine = pid;
    if (c.compare_exchange_strong(mine, 0)) return;
  }
}

void kill_listed_children() {
  for (std::atomic<pid_t>& c : g_children)
    if (const pid_t pid = c.load(); pid > 0) ::kill(pid, SIGKILL);
}

pid_t spawn_unmasked(const std::vector<std::string>& args, int out_fd, int err_fd, const std::vector<int>& close_fds,
                     std::string& error, int in_fd) {
  if (args.empty()) { error = "no program to run"; return -1; }
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd : close_fds) posix_spawn_file_actions_addclose(&fa, fd);
  if (in_fd >= 0) posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
  if (in_fd > STDERR_FILENO && in_fd != out_fd && in_fd != err_fd) posix_spawn_file_actions_addclose(&fa, in_fd);
  posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
  if (out_fd != STDOUT_FILENO && out_fd != STDERR_FILENO) posix_spawn_file_actions_addclose(&fa, out_fd);
  if (err_fd != out_fd && err_fd != STDOUT_FILENO && err_fd != STDERR_FILENO) posix_spawn_file_actions_addclose(&fa, err_fd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const bool path = args[0].find('/') == std::string::npos;
  const int rc = path ? ::posix_spawnp(&pid, args[0].c_str(), &fa, &attr, argv.data(), environ)
                      : ::posix_spawn(&pid, args[0].c_str(), &fa, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    error = fmt::format("cannot run {}: {}", args[0], std::strerror(rc));
    return -1;
  }
  return pid;
}

}  // namespace tcpclose::proofs
