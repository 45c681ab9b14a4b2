// outputs.Diagram.*: how `tcpclose diagram --format svg` runs Graphviz's dot (process.hpp): the
// DOT text on its stdin from a file that is gone at once, its warnings kept out of the SVG, its
// failure reported with what it said. A stand-in dot on PATH shows what dot was given.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "diagram.hpp"

namespace {

namespace fs = std::filesystem;

// A directory holding a stand-in `dot` (the shell script `body`), and an empty TMPDIR. Named by
// the process: ctest runs each test of this file as its own process, two at a time, and with
// one shared name one test's set-up removed the other's dot while it ran.
struct FakeDot {
  explicit FakeDot(const std::string& body) {
    fs::remove_all(dir);
    fs::create_directories(dir / "bin");
    fs::create_directories(dir / "tmp");
    { std::ofstream(dir / "bin" / "dot") << "#!/bin/sh\n" << body; }
    fs::permissions(dir / "bin" / "dot", fs::perms::owner_all);
    old_path = std::getenv("PATH");
    const char* t = std::getenv("TMPDIR");
    had_tmp = t != nullptr;
    if (had_tmp) old_tmp = t;
    ::setenv("PATH", (dir / "bin").c_str(), 1);
    ::setenv("TMPDIR", (dir / "tmp").c_str(), 1);
  }
  ~FakeDot() {
    ::setenv("PATH", old_path.c_str(), 1);
    had_tmp ? ::setenv("TMPDIR", old_tmp.c_str(), 1) : ::unsetenv("TMPDIR");
    fs::remove_all(dir);
  }
  FakeDot(const FakeDot&) = delete;
  FakeDot& operator=(const FakeDot&) = delete;
  const fs::path dir = fs::temp_directory_path() / ("tcpclose-fake-dot-" + std::to_string(::getpid()));
  std::string old_path, old_tmp;
  bool had_tmp = false;
};

TEST(Diagram, DotReadsTheTextOnStdinAndItsWarningsStayOutOfTheSvg) {
  // It fails unless TMPDIR is empty while it runs: its input is no named file there.
  FakeDot fake("[ -z \"$(/bin/ls -A \"$TMPDIR\")\" ] || { echo 'a file in TMPDIR' >&2; exit 9; }\n"
               "echo 'Warning: something' >&2\n/bin/cat\n");
  std::string error;
  const auto svg = tcpclose::diagram::render_svg("digraph { a -> b }\n", error);
  ASSERT_TRUE(svg.has_value()) << error;
  EXPECT_EQ(*svg, "digraph { a -> b }\n");
  EXPECT_TRUE(fs::is_empty(fake.dir / "tmp"));
}

TEST(Diagram, AFailingDotIsAnErrorWithWhatItSaid) {
  FakeDot fake("echo 'syntax error in line 1' >&2\nexit 1\n");
  std::string error;
  EXPECT_FALSE(tcpclose::diagram::render_svg("digraph {", error).has_value());
  EXPECT_NE(error.find("syntax error in line 1"), std::string::npos) << error;
}

}  // namespace
