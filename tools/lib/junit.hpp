// JUnit XML reports for CI (the de facto schema of Ant's JUnitReportFormatter, as read by
// GitHub Actions, GitLab and Jenkins): suites of test cases, each passed, failed, errored or skipped.
// Rule: every string is XML-escaped here, so callers pass raw text (traces, SMT output...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tcpclose::junit {

enum class Result { Passed, Failed, Error, Skipped };

struct Case {
  std::string name;       // e.g. the property
  std::string classname;  // e.g. "tcpclose.check.active-close"
  double seconds = 0;
  Result result = Result::Passed;
  std::string type;       // of the failure/error/skip: "violated", "vacuous", "incomplete"...
  std::string message;    // one line
  std::string body;       // the failure's text, e.g. the counterexample
};

struct Suite {
  std::string name;
  double seconds = 0;
  std::vector<Case> cases;
};

// Text as XML character data or attribute value: &, <, >, ", ' become entities; characters
// XML 1.0 forbids (controls other than tab, newline and carriage return) become '?', and a byte
// that is not part of well-formed UTF-8 becomes U+FFFD, so the document always parses.
// In attributes, tab and newlines are written as character references so they survive
// attribute-value normalisation.
std::string escape(std::string_view s, bool attribute);

// The whole document: <testsuites name=...> with counts and total time, one <testsuite> per suite.
std::string render(const std::vector<Suite>& suites, std::string_view name = "tcpclose");

// Writes render(...) to `path`. Returns an error message, or an empty string on success.
std::string write(const std::string& path, const std::vector<Suite>& suites, std::string_view name = "tcpclose");

}  // namespace tcpclose::junit
