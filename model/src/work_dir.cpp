// The explorer's work directory and its unlinked files (see work_dir.hpp).
// Rule: POSIX calls only; a short write or read is retried, EINTR too; any other failure is
// kept, with errno's text, as the first error of the directory.
#include "work_dir.hpp"

#include "tcpclose/model/temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace tcpclose::model {

std::string temp_parent() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? std::string(t) : std::string("/tmp");
}

}  // namespace tcpclose::model

namespace tcpclose::model::disk {

WorkDir::WorkDir(const std::string& parent, std::uint64_t limit) : limit_(limit) {
  std::string base = parent.empty() ? temp_parent() : parent;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::string templ = base + "/tcpclose-XXXXXX";
  if (!mkdtemp(templ.data())) {
    const int err = errno;
    path_ = base;
    error_ = "the work dir " + base + ": cannot create a private directory there: " + std::strerror(err);
    removed_ = true;
    return;
  }
  path_ = templ;
}

WorkDir::~WorkDir() { seal(); }

void WorkDir::seal() {
  if (removed_) return;
  removed_ = true;
  ::rmdir(path_.c_str());
}

void WorkDir::fail(const char* what, const char* role, int err) {
  const std::lock_guard<std::mutex> lock(fail_);
  if (!error_.empty()) return;
  error_ = "the work dir " + path_ + ": " + what + " of the " + role + " file failed: " + std::strerror(err);
}

bool WorkDir::grow(std::uint64_t n) {
  if (limit_ && bytes_ + n > limit_) return false;
  bytes_ += n;
  if (bytes_ > peak_) peak_ = bytes_;
  return true;
}

std::unique_ptr<File> WorkDir::open(const char* role) {
  if (!ok()) return nullptr;
  const std::string name = path_ + "/" + role;
  int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    fail("creation", role, errno);
    return nullptr;
  }
  if (fd <= 2) {
    // A closed standard stream gave its number: progress lines to stderr would land in this
    // file (tests/tools/hostile.py closes fd 2). Move up and leave the stream closed.
    const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    const int err = errno;
    ::close(fd);
    if (high < 0) {
      ::unlink(name.c_str());
      fail("creation", role, err);
      return nullptr;
    }
    fd = high;
  }
  ::unlink(name.c_str());  // the blocks stay until the descriptor is closed, and no longer
  return std::make_unique<File>(*this, role, fd);
}

File::~File() {
  dir_->shrink(size_);
  ::close(fd_);
}

bool File::append(const void* p, std::size_t n) {
  std::uint64_t at = 0;
  if (!extend(n, at)) return false;
  if (write_at(at, p, n)) return true;
  size_ -= n;  // a failed write leaves the file's size and the directory's count as they were
  dir_->shrink(n);
  return false;
}

bool File::extend(std::uint64_t n, std::uint64_t& at) {
  if (!dir_->ok()) return false;
  if (!dir_->grow(n)) {
    dir_->fail("a write", role_, ENOSPC);
    return false;
  }
  at = size_;
  size_ += n;
  return true;
}

bool File::write_at(std::uint64_t off, const void* p, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t k = ::pwrite(fd_, b + done, n - done, static_cast<off_t>(off + done));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      dir_->fail("a write", role_, k < 0 ? errno : ENOSPC);
      return false;
    }
    done += static_cast<std::size_t>(k);
  }
  return true;
}

bool File::read(std::uint64_t off, void* p, std::size_t n) const {
  if (!dir_->ok()) return false;
  auto* b = static_cast<std::uint8_t*>(p);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t k = ::pread(fd_, b + done, n - done, static_cast<off_t>(off + done));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      dir_->fail("a read", role_, k < 0 ? errno : EIO);  // 0: the file is shorter than it must be
      return false;
    }
    done += static_cast<std::size_t>(k);
  }
  return true;
}

bool File::clear() {
  if (::ftruncate(fd_, 0) != 0) {
    dir_->fail("truncation", role_, errno);
    return false;
  }
  dir_->shrink(size_);
  size_ = 0;
  return true;
}

void Appender::put(const void* p, std::size_t n) {
  if (buf_.size() + n > buf_.capacity()) flush();
  if (n > buf_.capacity()) {
    f_->append(p, n);
    return;
  }
  const auto* b = static_cast<const std::uint8_t*>(p);
  buf_.insert(buf_.end(), b, b + n);
}

bool Appender::flush() {
  if (buf_.empty()) return true;
  const bool ok = f_->append(buf_.data(), buf_.size());
  buf_.clear();
  return ok;
}

}  // namespace tcpclose::model::disk
