// Report files are written whole or not at all (issue 15): into a temporary file beside the
// target, then renamed over it, so a full disk, an I/O error or a signal mid-write never
// leaves a truncated report where a complete one is expected.
#pragma once

#include <string>
#include <string_view>

namespace tcpclose::cli {

// "<dir>/.<name>.tmp-<pid>": same directory, so the rename cannot cross file systems.
std::string temp_path_for(const std::string& path);

// Renames `tmp` over `path`. On failure removes `tmp` and returns why; "" on success.
std::string commit_temp(const std::string& tmp, const std::string& path);

// Where an atomic write of `path` renames its temporary to: `path`, or the file a symbolic link
// names; "" when `path` is a special file (a device such as /dev/full, a FIFO), which must be
// written in place, since a rename would replace the device node itself.
std::string atomic_target(const std::string& path);

// Writes `text` to `path` atomically (in place for a special file). Returns "" or a message naming the path and the error.
std::string write_atomic(const std::string& path, std::string_view text);

}  // namespace tcpclose::cli
