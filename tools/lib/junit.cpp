// JUnit XML writer (see junit.hpp).
#include "junit.hpp"

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

std::string escape(std::string_view s, bool attribute) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;  // a raw CR would be normalised to LF by the parser
      default: out += c < 0x20 || c == 0x7F ? '?' : ch;
    }
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
  std::ofstream o(path, std::ios::binary | std::ios::trunc);
  if (o) o << render(suites, name);
  o.flush();
  return o ? std::string() : fmt::format("cannot write {}: {}", path, std::strerror(errno));
}

}  // namespace tcpclose::junit
