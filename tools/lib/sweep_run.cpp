// The sweep's job pool: `tcpclose check --json` (or prove, or ports) processes, `jobs` at a
// time, read through pipes with poll(); a stop signal sends SIGTERM to every running one (check
// then exits 3 within its check interval, prove at once) and no new point starts.
#include "sweep_run.hpp"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tcpclose/proofs/process.hpp>

#include "ports.hpp"

namespace tcpclose::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  std::size_t index = 0;
  pid_t pid = -1;
  int out = -1, err = -1;  // read ends; -1 once at EOF
  std::string stdout_text, stderr_text;
  std::string program;     // check, prove or ports
  bool stopped = false;    // we sent SIGTERM
  Clock::time_point stop_time{};
};

// Starts `program check --json --no-progress ARGS...` (or `program prove --json --no-progress
// ARGS...`, `program ports --json ARGS...`) with stdout and stderr on pipes and no signal
// blocked (process.hpp). Returns "" or why not.
std::string spawn_check(const RunOptions& o, const std::vector<std::string>& point, Child& c) {
  c.program = o.subcommand;
  const std::string& argv0 = o.name.empty() ? o.program : o.name;
  std::vector<std::string> args = {argv0, "ports", "--json"};
  if (c.program == "prove") args = {argv0, "prove", "--json", "--no-progress"};
  if (c.program == "check") args = {argv0, "check", "--json", "--no-progress", "--threads", std::to_string(o.threads)};
  if (o.max_memory && c.program == "check") args.insert(args.end(), {"--max-memory", fmt::format("{}K", (o.max_memory >> 10) + 1)});
  args.insert(args.end(), point.begin(), point.end());
  int po[2], pe[2];
  if (::pipe2(po, O_CLOEXEC) != 0) return fmt::format("pipe: {}", std::strerror(errno));
  if (::pipe2(pe, O_CLOEXEC) != 0) { ::close(po[0]); ::close(po[1]); return fmt::format("pipe: {}", std::strerror(errno)); }
  std::string error;
  c.pid = proofs::spawn_unmasked(args, po[1], pe[1], {po[0], pe[0]}, error, -1, o.program);
  ::close(po[1]);
  ::close(pe[1]);
  if (c.pid < 0) {
    ::close(po[0]);
    ::close(pe[0]);
    return error;
  }
  c.out = po[0];
  c.err = pe[0];
  return {};
}

// Reads what is ready on fd into text; closes it and sets it to -1 at EOF.
void drain(int& fd, std::string& text) {
  char buf[8192];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) text.append(buf, static_cast<std::size_t>(n));
  else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) { ::close(fd); fd = -1; }
}

std::string last_line(const std::string& s) {
  std::string t = s;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  const std::size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

PointResult finish(Child& c) {
  int status = 0;
  while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {}
  PointResult r;
  if (c.stopped) return r;  // NotRun: a stop signal ended it, its partial figures are not a result
  static const std::string build = self_build_id();  // the points run this binary (self_program)
  r.build = build;
  if (!WIFEXITED(status)) {
    r.status = PointStatus::Failed;
    r.error = fmt::format("tcpclose {} ended by signal {}", c.program, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return r;
  }
  r.exit_code = WEXITSTATUS(status);
  if (r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 3) {
    const std::string e = c.program == "ports"   ? read_ports_json(c.stdout_text, r.exit_code, r)
                          : c.program == "prove" ? read_prove_json(c.stdout_text, r.exit_code, r)
                                                 : read_check_json(c.stdout_text, r.exit_code, r);
    if (e.empty()) return r;
    r.error = e;
  } else {
    r.error = last_line(c.stderr_text);
  }
  r.status = PointStatus::Failed;
  if (r.error.empty()) r.error = fmt::format("tcpclose {} exited {}", c.program, r.exit_code);
  return r;
}

// One poll over every running child's pipes (at most 200 ms).
void poll_children(std::vector<Child>& running) {
  std::vector<pollfd> fds;
  std::vector<std::pair<std::size_t, bool>> who;  // child, is stdout
  for (std::size_t i = 0; i < running.size(); ++i) {
    if (running[i].out >= 0) { fds.push_back({running[i].out, POLLIN, 0}); who.push_back({i, true}); }
    if (running[i].err >= 0) { fds.push_back({running[i].err, POLLIN, 0}); who.push_back({i, false}); }
  }
  if (fds.empty()) return;
  if (::poll(fds.data(), fds.size(), 200) <= 0) return;
  for (std::size_t k = 0; k < fds.size(); ++k) {
    if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    Child& c = running[who[k].first];
    if (who[k].second) drain(c.out, c.stdout_text);
    else drain(c.err, c.stderr_text);
  }
}

// On a stop signal: SIGTERM to each running check, then SIGKILL to one still running 10 s later.
void stop_children(std::vector<Child>& running) {
  const auto now = Clock::now();
  for (Child& c : running) {
    if (!c.stopped) { ::kill(c.pid, SIGTERM); c.stopped = true; c.stop_time = now; }
    else if (now - c.stop_time > std::chrono::seconds(10)) ::kill(c.pid, SIGKILL);
  }
}

}  // namespace

const char* name(PointStatus s) {
  switch (s) {
    case PointStatus::NotRun: return "not run";
    case PointStatus::Done: return "done";
    case PointStatus::Incomplete: return "incomplete";
    case PointStatus::Failed: return "failed";
  }
  return "?";
}

std::string self_name() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("tcpclose");
}

// Points run this very binary: /proc/self/exe names its inode even after a rebuild replaced
// the file (a sweep over a rebuild ran its later points with another build, or failed them with
// "Permission denied" while the linker wrote the file). Elsewhere, the path it was run from.
std::string self_program() {
  if (::access("/proc/self/exe", X_OK) == 0) return "/proc/self/exe";
  return self_name();
}

std::string self_build_id() {
  std::string id = "unknown";
  // The main program is the first object dl_iterate_phdr reports; its PT_NOTE segments hold
  // the linker's NT_GNU_BUILD_ID note (owner "GNU").
  ::dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) {
        for (int k = 0; k < info->dlpi_phnum; ++k) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[k];
          if (ph.p_type != PT_NOTE) continue;
          const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
          for (std::size_t at = 0; at + sizeof(ElfW(Nhdr)) <= ph.p_memsz;) {
            ElfW(Nhdr) nh;
            std::memcpy(&nh, p + at, sizeof nh);
            const std::size_t name_at = at + sizeof nh, desc_at = name_at + ((nh.n_namesz + 3) & ~3u);
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(p + name_at, "GNU", 4) == 0) {
              std::string hex;
              for (std::size_t i = 0; i < nh.n_descsz; ++i) hex += fmt::format("{:02x}", p[desc_at + i]);
              *static_cast<std::string*>(out) = hex;
              return 1;
            }
            at = desc_at + ((nh.n_descsz + 3) & ~3u);
          }
        }
        return 1;  // only the main program
      },
      &id);
  return id;
}

bool run_points(const std::vector<std::vector<std::string>>& args, const std::vector<bool>& todo,
                std::vector<PointResult>& out, const RunOptions& o) {
  std::vector<Child> running;
  std::size_t next = 0;
  auto stopping = [&] { return o.stop && o.stop->load(); };
  while (true) {
    while (!stopping() && running.size() < std::max(1u, o.jobs) && next < args.size()) {
      const std::size_t i = next++;
      if (!todo[i]) continue;
      Child c;
      c.index = i;
      if (std::string e = spawn_check(o, args[i], c); !e.empty()) {
        out[i] = PointResult{};
        out[i].status = PointStatus::Failed;
        out[i].error = e;
        if (o.on_done) o.on_done(i, out[i]);
        continue;
      }
      running.push_back(std::move(c));
    }
    if (running.empty()) break;
    if (stopping()) stop_children(running);
    poll_children(running);
    for (std::size_t k = 0; k < running.size();) {
      if (running[k].out >= 0 || running[k].err >= 0) { ++k; continue; }
      out[running[k].index] = finish(running[k]);
      if (o.on_done) o.on_done(running[k].index, out[running[k].index]);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
    }
    if (o.on_tick) o.on_tick();
  }
  return !stopping();
}

std::string read_check_json(const std::string& text, int exit_code, PointResult& r) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("verdict") || !j.contains("scenarios"))
    return "tcpclose check gave no JSON result";
  r.exit_code = exit_code;
  r.verdict = j.value("verdict", "");
  r.states = j.value("states", std::uint64_t{0});
  r.seconds = j.value("seconds", 0.0);
  for (const auto& s : j["scenarios"]) {
    if (!s.contains("properties")) continue;
    for (const auto& [p, v] : s["properties"].items()) {
      std::string& cur = r.properties[p];
      const std::string val = v.get<std::string>();
      if (cur.empty() || val == "violated" || (val == "unknown" && cur == "holds")) cur = val;
    }
  }
  for (const auto& v : j.value("violations", nlohmann::json::array())) {
    const std::string p = v.value("property", "");
    const unsigned steps = v.value("steps", 0u);
    auto it = r.shortest.find(p);
    if (it == r.shortest.end() || steps < it->second) r.shortest[p] = steps;
  }
  if (exit_code == 3) {
    r.status = PointStatus::Incomplete;
    for (const auto& s : j["scenarios"])
      if (s.contains("incomplete_reason")) { r.error = s["incomplete_reason"].get<std::string>(); break; }
    if (r.error.empty()) r.error = "incomplete";
  } else {
    r.status = PointStatus::Done;
  }
  return {};
}

std::string read_prove_json(const std::string& text, int exit_code, PointResult& r) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("results") || !j["results"].is_array())
    return "tcpclose prove gave no JSON result";
  r.exit_code = exit_code;
  bool violated = false, unknown = false, bounded = false;
  for (const auto& x : j["results"]) {
    const std::string key = x.value("property", "?") + "/" + x.value("engine", "?"), result = x.value("result", "");
    r.properties[key] = result;
    r.seconds += x.value("seconds", 0.0);
    violated = violated || result == "violated";
    bounded = bounded || result == "bounded";
    if (result == "violated") r.shortest[key] = x.value("depth", 0u);
    if ((result == "unknown" || result == "error") && !unknown) {
      unknown = true;
      r.error = fmt::format("{}: {}{}", key, result, x.contains("detail") ? ": " + x.value("detail", "") : "");
    }
  }
  r.verdict = violated ? "violated" : unknown ? "unknown" : bounded ? "bounded" : "proved";
  // prove's own verdict per property, where it gives one (in the portfolio an engine's unknown
  // before another's proof leaves the property proved): the worst of them.
  if (j.contains("verdicts") && j["verdicts"].is_object()) {
    std::set<std::string> vs;
    for (const auto& [p, v] : j["verdicts"].items()) vs.insert(v.is_string() ? v.get<std::string>() : "unknown");
    for (const char* v : {"violated", "unknown", "bounded", "proved"})
      if (vs.count(v) != 0) { r.verdict = v; break; }
    if (r.verdict != "unknown") r.error.clear();
  }
  if (j.contains("interrupted")) r.error = fmt::format("interrupted by {}", j.value("interrupted", ""));
  r.status = exit_code == 3 ? PointStatus::Incomplete : PointStatus::Done;
  if (r.status == PointStatus::Incomplete && r.error.empty()) r.error = "unknown";
  if (r.status == PointStatus::Done) r.error.clear();
  return {};
}

}  // namespace tcpclose::cli
