// Atomic report files (see atomic_file.hpp): write a temporary beside the target, check every
// write and the close, then rename(2), which replaces the target in one step.
#include "atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <unistd.h>

#include <fmt/format.h>

namespace tcpclose::cli {

std::string temp_path_for(const std::string& path) {
  const std::filesystem::path p(path);
  std::filesystem::path t = p.parent_path() / ("." + p.filename().string());
  t += fmt::format(".tmp-{}", static_cast<long>(::getpid()));
  return t.string();
}

std::string commit_temp(const std::string& tmp, const std::string& path) {
  if (std::rename(tmp.c_str(), path.c_str()) == 0) return {};
  const std::string e = fmt::format("cannot write {}: {}", path, std::strerror(errno));
  std::remove(tmp.c_str());
  return e;
}

namespace {

// Writes `text` into `file`, checking every write and the close; an error names `shown` (the
// target the user gave, also when `file` is its temporary).
std::string write_file(const std::string& file, const std::string& shown, std::string_view text) {
  std::FILE* f = std::fopen(file.c_str(), "wb");
  if (!f) return fmt::format("cannot write {}: {}", shown, std::strerror(errno));
  const bool wrote = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0;
  const int err = errno;
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed) return fmt::format("cannot write {}: {}", shown, std::strerror(wrote ? errno : err));
  return {};
}

}  // namespace

std::string atomic_target(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);  // follows a symbolic link
  if (ec || !fs::exists(st)) return path;
  if (!fs::is_regular_file(st)) return {};
  return fs::is_symlink(fs::symlink_status(path, ec)) ? fs::canonical(path, ec).string() : path;
}

std::string write_atomic(const std::string& path, std::string_view text) {
  // A device, FIFO or other special file is written in place: renaming over /dev/full or a
  // pipe would replace it. A symbolic link's target is replaced, not the link.
  const std::string target = atomic_target(path);
  if (target.empty()) return write_file(path, path, text);
  const std::string tmp = temp_path_for(target);
  if (std::string e = write_file(tmp, path, text); !e.empty()) {
    std::remove(tmp.c_str());
    return e;
  }
  return commit_temp(tmp, target);
}

}  // namespace tcpclose::cli
