// The explorer's files on disk (issue 16): the frontier levels, the parent records and the
// liveness edges live in a private directory made with mkdtemp under --work-dir.
// Rule: every file is unlinked as soon as it is open and the directory removed at once, so
// nothing is left behind by an error, a signal or even SIGKILL; an I/O error is never fatal
// here: the first one is kept as a sentence naming the directory and errno's text, and the
// search ends incomplete with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tcpclose::model::disk {

class WorkDir;

// One unlinked file: appended sequentially, read back anywhere.
class File {
 public:
  File(WorkDir& dir, const char* role, int fd) : dir_(&dir), role_(role), fd_(fd) {}
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();
  std::uint64_t size() const { return size_; }
  // Appends n bytes at the end. False (and the work dir's error set) on a failed or short write.
  bool append(const void* p, std::size_t n);
  // Reads n bytes at offset off. False (and the error set) on a failed or short read.
  bool read(std::uint64_t off, void* p, std::size_t n) const;
  // Grows the file by n bytes to be written by write_at(), and says where they start: the
  // explorer's threads then write their parts at once. False (the error set, ENOSPC) past the
  // work dir's limit. Not thread-safe; write_at() is, for disjoint ranges.
  bool extend(std::uint64_t n, std::uint64_t& at);
  bool write_at(std::uint64_t off, const void* p, std::size_t n);
  // Empties the file, giving its blocks back.
  bool clear();

 private:
  WorkDir* dir_;
  const char* role_;
  int fd_;
  std::uint64_t size_ = 0;
};

// Buffers small appends to a File: one write a MiB.
class Appender {
 public:
  explicit Appender(File& f, std::size_t buffer = std::size_t{1} << 20) : f_(&f) { buf_.reserve(buffer); }
  void put(const void* p, std::size_t n);
  bool flush();
  std::size_t capacity_bytes() const { return buf_.capacity(); }
  File& file() const { return *f_; }

 private:
  File* f_;
  std::vector<std::uint8_t> buf_;
};

class WorkDir {
 public:
  // Makes parent/tcpclose-XXXXXX (parent empty: $TMPDIR, else /tmp). On failure ok() is false
  // and error() says why. `limit` (bytes, 0: none) makes a write that would pass it fail as
  // ENOSPC: a full disk, for the tests.
  WorkDir(const std::string& parent, std::uint64_t limit = 0);
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  ~WorkDir();
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  // A new empty file, already unlinked; nullptr (and the error set) when it cannot be made.
  std::unique_ptr<File> open(const char* role);
  // Removes the (by then empty) directory: call once every file is open.
  void seal();
  // The bytes in all files now, and the most there ever were.
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t peak_bytes() const { return peak_; }

 private:
  friend class File;
  void fail(const char* what, const char* role, int err);
  bool grow(std::uint64_t n);  // accounts n more bytes; false past the limit
  void shrink(std::uint64_t n) { bytes_ -= n; }
  std::string path_, error_;
  std::mutex fail_;  // File::write_at() may fail on several threads at once
  std::uint64_t limit_ = 0, bytes_ = 0, peak_ = 0;
  bool removed_ = false;
};

}  // namespace tcpclose::model::disk
