// The CLI11 types the tools' headers name, declared only. CLI11 2.1 (Debian) is header-only and
// costs about 8 s of g++ for each file that includes it; with these, only the files that add
// options or parse a command line include <CLI/CLI.hpp>.
#pragma once

namespace CLI {
class App;
class Option_group;
class Validator;
class ParseError;
}  // namespace CLI
