// libFuzzer target for the report writers (issue 15): arbitrary bytes in every string a report
// carries (file names, script lines, messages, traces) must give a JUnit document that is
// well-formed UTF-8 with no raw markup from the input, and JSON that parses back, never an
// abort. Input: the bytes split at NUL into the fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "junit.hpp"
#include "report.hpp"

namespace {

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> f(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && f.size() < 8) f.emplace_back();
    else f.back() += static_cast<char>(data[i]);
  }
  f.resize(8);
  using namespace tcpclose;
  auto document = [](const std::vector<std::string>& v) {
    junit::Case c{v[0], v[1], 1.5, junit::Result::Failed, v[2], v[3], v[4]};
    return junit::render({junit::Suite{v[5], 2.0, {c}}}, v[6]);
  };
  const std::string xml = document(f);
  if (!valid_utf8(xml)) std::abort();
  // The fields are escaped: the document has as many '<' as the same one with tame fields.
  std::vector<std::string> tame = f;
  for (std::string& t : tame) t = t.empty() ? "" : "a";
  std::size_t tags = 0, tame_tags = 0;
  for (char ch : xml) tags += ch == '<';
  for (char ch : document(tame)) tame_tags += ch == '<';
  if (tags != tame_tags) std::abort();
  replay::Outcome o;
  o.file = f[0]; o.profile = f[1]; o.verdict = replay::Verdict::Mismatch; o.script_line = f[2];
  o.message = f[3]; o.expected = f[4]; o.actual = f[5]; o.state = f[6]; o.notes = {f[7]};
  (void)replay::describe(o, true);
  const std::string j = replay::outcome_json(o, true).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!nlohmann::json::accept(j)) std::abort();
  return 0;
}
