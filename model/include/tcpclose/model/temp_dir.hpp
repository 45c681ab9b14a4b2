// Where tcpclose puts files nobody asked to keep: a search's work directory (explorer.hpp), the
// scripts handed to cvc5 and dot (proofs/process.hpp), the check that --work-dir is usable.
// One rule for all of them, so that TMPDIR moves every one.
#pragma once

#include <string>

namespace tcpclose::model {

// $TMPDIR if set and not empty, else /tmp. An unusable directory is the caller's error to
// report, never a silent fallback to another one.
std::string temp_parent();

}  // namespace tcpclose::model
