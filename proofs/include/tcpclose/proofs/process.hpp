// Child processes for the tools that run other programs (cvc5 here; `tcpclose check` and gnuplot
// for `tcpclose sweep`; Graphviz's dot for `tcpclose diagram`): started with no signal blocked,
// their input from a temporary file that no stop can leave behind, their output captured.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tcpclose::proofs {

// Starts args[0] (looked up on PATH when it has no '/') with args, its stdout on out_fd and its
// stderr on err_fd (both closed in the child after the dup), and every other pipe end listed in
// close_fds closed. The child starts with an empty signal mask: the tools block SIGINT, SIGTERM
// and SIGHUP to take them on a thread of their own (tools/lib/signals.hpp), and a child would
// inherit that mask, so a Ctrl-C at the terminal would not reach it. Returns the pid, or -1 with
// the reason in `error`. `in_fd` >= 0 becomes the child's stdin (and is closed in it), else
// the child shares this process's stdin. `exec_path`, when given, is the file run, with args[0]
// still the name the child sees (and ps shows).
pid_t spawn_unmasked(const std::vector<std::string>& args, int out_fd, int err_fd, const std::vector<int>& close_fds,
                     std::string& error, int in_fd = -1, const std::string& exec_path = {});

// The first executable file named `name` in the directories of $PATH (an empty entry is the
// current directory; no PATH: /usr/bin:/bin), or "" when there is none.
std::string find_on_path(const std::string& name);

// `text` in a new file of $TMPDIR (else /tmp; an unusable one is an error, not a fallback) named after `templ` (mkostemps's XXXXXX, then
// `suffix`), unlinked as soon as it is open, the way the explorer's work files are
// (model/src/work_dir.hpp): a run stopped at any point, even by SIGKILL, leaves nothing behind.
// Returns a close-on-exec descriptor positioned at the start, or -1 with the reason in `error`.
int unlinked_temp_file(const std::string& text, const std::string& templ, const std::string& suffix, std::string& error);

// What run_program saw.
struct ProgramRun {
  bool started = false;  // false: `error` says why it could not start
  int status = 0;        // waitpid's status
  std::string output;    // everything written to stdout (and to stderr, when merged)
  std::string errors;    // what was written to stderr, when not merged
  std::string error;
};

// Runs args (args[0] looked up on PATH when it has no '/') with spawn_unmasked, stdin from
// in_fd (-1: this process's), reads its stdout to the end and reaps it. Its stderr goes into
// `output` too when merge_stderr, else into `errors` (through an unlinked temporary file, so
// that neither stream can block the other). The child is listed (list_child) until reaped.
ProgramRun run_program(const std::vector<std::string>& args, int in_fd, bool merge_stderr);

// The children a process must not leave behind when it ends on a stop signal without unwinding
// (tools/lib/prove.cpp): a child is listed from its spawn until before it is reaped (so its pid
// cannot have been reused), and kill_listed_children() sends each SIGKILL. Lock-free; up to 64
// at once (a child beyond that is simply not listed).
void list_child(pid_t pid);
void unlist_child(pid_t pid);
void kill_listed_children();

}  // namespace tcpclose::proofs
