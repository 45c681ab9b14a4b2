// replay_parse_fuzzer: libFuzzer drives the packetdrill parser of `tcpclose replay` from arbitrary
// bytes under ASan and UBSan, then runs every script that parses against the core.
// Rule: parse() and run() are total: any bytes give a Script or a ParseError with a location, and
// any Script gives one of the four verdicts; anything else (a crash, UB, a throw) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "replay.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tcpclose::replay;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParseResult r = parse(text, "fuzz.pkt");
  if (!r.ok()) {
    // A parse error must say where and why, as the CLI prints it.
    if (r.error.message.empty() || r.error.loc.line == 0) {
      std::fprintf(stderr, "replay_parse_fuzzer: parse error without a message or line\n");
      std::abort();
    }
    return 0;
  }
  const Outcome o = run(*r.script, Options{});
  // The interpreter reports an argument it cannot use (close(>4)) as a parse error too; every
  // verdict but a pass must name its line and say why, so a user can act on it.
  if (o.verdict != Verdict::Pass && (o.message.empty() || o.loc.line == 0)) {
    std::fprintf(stderr, "replay_parse_fuzzer: verdict %s without a message or line\n", name(o.verdict));
    std::abort();
  }
  return 0;
}
