// spawn_unmasked (process.hpp): posix_spawn with file actions and an empty signal mask; the
// list of live children that a stop kills; PATH lookup, unlinked input files and run_program.
#include "tcpclose/proofs/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <tcpclose/model/temp_dir.hpp>

extern char** environ;

namespace tcpclose::proofs {
namespace {

std::array<std::atomic<pid_t>, 64> g_children{};  // 0: a free entry

// Everything written to fd until its end (the child closed the pipe, or the file's end).
std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) { out.append(buf, static_cast<std::size_t>(n)); continue; }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return out;
}

}  // namespace

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = dirs.substr(start, end - start);
    const std::string cand = (dir.empty() ? std::string(".") : dir) + "/" + name;
    std::error_code ec;
    if (::access(cand.c_str(), X_OK) == 0 && !std::filesystem::is_directory(cand, ec)) return cand;
    start = end + 1;
  }
  return {};
}

int unlinked_temp_file(const std::string& text, const std::string& templ, const std::string& suffix, std::string& error) {
  std::string name = model::temp_parent() + "/" + templ + suffix;  // as the explorer's work dir
  const int fd = ::mkostemps(name.data(), static_cast<int>(suffix.size()), O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("cannot create a temporary file {}: {}", name, std::strerror(errno));
    return -1;
  }
  ::unlink(name.c_str());
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = fmt::format("cannot write a temporary file in {}: {}", name.substr(0, name.rfind('/')),
                          n < 0 ? std::strerror(errno) : "short write");
      ::close(fd);
      return -1;
    }
    done += static_cast<std::size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

ProgramRun run_program(const std::vector<std::string>& args, int in_fd, bool merge_stderr) {
  ProgramRun r;
  int err_fd = -1;
  if (!merge_stderr && (err_fd = unlinked_temp_file({}, "tcpclose-stderr-XXXXXX", "", r.error)) < 0) return r;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    r.error = fmt::format("pipe: {}", std::strerror(errno));
    if (err_fd >= 0) ::close(err_fd);
    return r;
  }
  const pid_t pid = spawn_unmasked(args, fds[1], merge_stderr ? fds[1] : err_fd, {fds[0]}, r.error, in_fd);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    if (err_fd >= 0) ::close(err_fd);
    return r;
  }
  r.started = true;
  list_child(pid);
  r.output = read_all(fds[0]);
  ::close(fds[0]);
  unlist_child(pid);  // before the reaping: a listed pid is never another process's
  while (::waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {}
  if (err_fd >= 0) {
    ::lseek(err_fd, 0, SEEK_SET);
    r.errors = read_all(err_fd);
    ::close(err_fd);
  }
  return r;
}

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
                     std::string& error, int in_fd, const std::string& exec_path) {
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
  const std::string& file = exec_path.empty() ? args[0] : exec_path;
  const bool path = file.find('/') == std::string::npos;
  const int rc = path ? ::posix_spawnp(&pid, file.c_str(), &fa, &attr, argv.data(), environ)
                      : ::posix_spawn(&pid, file.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    error = fmt::format("cannot run {}: {}", file, std::strerror(rc));
    return -1;
  }
  return pid;
}

}  // namespace tcpclose::proofs
