// Child processes for the tools that run other programs (cvc5 here; `tcpclose check` and gnuplot
// for `tcpclose sweep`): started with no signal blocked, their output on the descriptors given.
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
// the child shares this process's stdin.
pid_t spawn_unmasked(const std::vector<std::string>& args, int out_fd, int err_fd, const std::vector<int>& close_fds,
                     std::string& error, int in_fd = -1);

// The children a process must not leave behind when it ends on a stop signal without unwinding
// (tools/lib/prove.cpp): a child is listed from its spawn until before it is reaped (so its pid
// cannot have been reused), and kill_listed_children() sends each SIGKILL. Lock-free; up to 64
// at once (a child beyond that is simply not listed).
void list_child(pid_t pid);
void unlist_child(pid_t pid);
void kill_listed_children();

}  // namespace tcpclose::proofs
