// proofs.Process.*: the one way the tools run another program (process.hpp): PATH lookup, the
// input as an unlinked temporary file, stdout and stderr captured apart or together.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tcpclose/proofs/process.hpp"

namespace tcpclose::proofs {
namespace {

namespace fs = std::filesystem;

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { had_ ? ::setenv(name_, old_.c_str(), 1) : ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

fs::path fresh_dir(const char* name) {
  const fs::path d = fs::temp_directory_path() / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(Process, FindOnPathTakesTheFirstExecutableFileAndSkipsDirectories) {
  const fs::path d = fresh_dir("tcpclose-process-path");
  fs::create_directories(d / "a" / "prog");  // a directory named like the program: skipped
  fs::create_directories(d / "b");
  { std::ofstream(d / "b" / "prog") << "#!/bin/sh\n"; }
  { std::ofstream(d / "b" / "plain") << "not executable\n"; }
  fs::permissions(d / "b" / "prog", fs::perms::owner_all);
  {
    ScopedEnv path("PATH", (d / "a").string() + ":" + (d / "b").string());
    EXPECT_EQ(find_on_path("prog"), (d / "b" / "prog").string());
    EXPECT_EQ(find_on_path("plain"), "");
    EXPECT_EQ(find_on_path("no-such-program"), "");
  }
  fs::remove_all(d);
}

TEST(Process, TheTemporaryFileIsGoneAtOnceAndReadsBackTheText) {
  const fs::path d = fresh_dir("tcpclose-process-tmp");
  std::string error;
  int fd = -1;
  {
    ScopedEnv tmp("TMPDIR", d.string());
    fd = unlinked_temp_file("hello\n", "t-XXXXXX", ".txt", error);
  }
  ASSERT_GE(fd, 0) << error;
  EXPECT_TRUE(fs::is_empty(d));
  char buf[16] = {};
  EXPECT_EQ(::read(fd, buf, sizeof buf), 6);
  EXPECT_EQ(std::string(buf), "hello\n");
  ::close(fd);
  fs::remove_all(d);
}

TEST(Process, AnUnusableTmpdirIsAnErrorThatNamesIt) {
  std::string error;
  ScopedEnv tmp("TMPDIR", "/nonexistent/tcpclose-tmp");
  EXPECT_LT(unlinked_temp_file("x", "t-XXXXXX", "", error), 0);
  EXPECT_NE(error.find("/nonexistent/tcpclose-tmp/t-"), std::string::npos) << error;
}

TEST(Process, StdinComesFromTheFileAndStderrIsKeptApartOrMerged) {
  std::string error;
  const int fd = unlinked_temp_file("from stdin\n", "t-XXXXXX", "", error);
  ASSERT_GE(fd, 0) << error;
  const ProgramRun apart = run_program({"/bin/sh", "-c", "cat; echo oops >&2; exit 3"}, fd, false);
  ::close(fd);
  ASSERT_TRUE(apart.started) << apart.error;
  EXPECT_EQ(apart.output, "from stdin\n");
  EXPECT_EQ(apart.errors, "oops\n");
  EXPECT_TRUE(WIFEXITED(apart.status) && WEXITSTATUS(apart.status) == 3);
  const ProgramRun merged = run_program({"/bin/sh", "-c", "echo out; echo err >&2"}, -1, true);
  EXPECT_EQ(merged.output, "out\nerr\n");
  EXPECT_EQ(merged.errors, "");
}

TEST(Process, AProgramThatCannotStartSaysWhy) {
  const ProgramRun r = run_program({"/nonexistent/prog"}, -1, false);
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.error.find("/nonexistent/prog"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace tcpclose::proofs
