// JUnit XML writer (see junit.hpp).
#include "junit.hpp"

#include "atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace tcpclose::junit {
namespace {

struct Counts { std::size_t tests = 0, failures = 0, errors = 0, skipped = 0; double seconds = 0; };

Counts count(const std::vector<Case>& cases) {
  Counts c;
  for (const Case& k : cases) {
    ++c.tests;
    c.failures += k.result == Result::Failed;
    c.errors += k.result == Result::Error;
    c.skipped += k.result == Result::Skipped;
  }
  return c;
}

std::string attr(std::string_view key, std::string_view value) {
  return fmt::format(" {}=\"{}\"", key, escape(value, true));
}

}  // namespace

namespace {

// The length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0 if the byte there does not start one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned c = b(0);
  const auto cont = [&](std::size_t k) { return (b(k) & 0xC0u) == 0x80u; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::string escape(std::string_view s, bool attribute) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {  // a byte that is not UTF-8 would make the document unreadable (issue 15)
      const std::size_t n = utf8_length(s, i);
      if (n == 0) { out += "\xEF\xBF\xBD"; ++i; continue; }  // U+FFFD, as the JSON writers do
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;  // a raw CR would be normalised to LF by the parser
      default: out += c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

std::string render(const std::vector<Suite>& suites, std::string_view name) {
  Counts all;
  for (const Suite& s : suites) {
    const Counts c = count(s.cases);
    all.tests += c.tests; all.failures += c.failures; all.errors += c.errors; all.skipped += c.skipped;
    all.seconds += s.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites{} tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
                     attr("name", name), all.tests, all.failures, all.errors, all.skipped, all.seconds);
  for (const Suite& s : suites) {
    const Counts c = count(s.cases);
    out += fmt::format("  <testsuite{} tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
                       attr("name", s.name), c.tests, c.failures, c.errors, c.skipped, s.seconds);
    for (const Case& k : s.cases) {
      out += fmt::format("    <testcase{}{} time=\"{:.3f}\"", attr("name", k.name), attr("classname", k.classname),
                         k.seconds);
      const char* tag = k.result == Result::Failed ? "failure"
                        : k.result == Result::Error ? "error"
                        : k.result == Result::Skipped ? "skipped" : nullptr;
      if (!tag) { out += "/>\n"; continue; }
      out += fmt::format(">\n      <{}{}{}", tag, attr("message", k.message), k.type.empty() ? "" : attr("type", k.type));
      out += k.body.empty() ? "/>\n" : fmt::format(">{}</{}>\n", escape(k.body, false), tag);
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

std::string write(const std::string& path, const std::vector<Suite>& suites, std::string_view name) {
  return cli::write_atomic(path, render(suites, name));
}

}  // namespace tcpclose::junit
