// Unit tests of the report writers in tools/lib: JUnit escaping (parsed back by python3's
// xml.etree, an independent XML parser), the pcap packet's checksums, the trace file names,
// the live progress line, and counterexamples as packetdrill scripts (cex_script.hpp).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>

#include "cex_script.hpp"
#include "counterexample.hpp"
#include "junit.hpp"
#include "progress.hpp"

namespace {

using namespace tcpclose;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Junit, EscapesTheFiveSpecialCharactersAndNeutralisesControls) {
  EXPECT_EQ(junit::escape("a<b>&\"c'", false), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(junit::escape("x\ty\nz", false), "x\ty\nz");
  EXPECT_EQ(junit::escape("x\ty\nz", true), "x&#9;y&#10;z");
  EXPECT_EQ(junit::escape(std::string("a\x01" "b\x7f"), false), "a?b?");
  EXPECT_EQ(junit::escape("]]>", false), "]]&gt;");
}

TEST(Junit, ADocumentWithHostileTextParsesBackToTheSameText) {
  const std::string body = "#1  net->B  F. seq=1 <inc 1> & \"quoted\" 'single' ]]> end\n\tindented\r\nCRLF";
  const std::string message = "line one\nline two <&> \"q\"";
  junit::Suite s{"tcpclose.check.a<b>", 1.5, {}};
  s.cases.push_back({"ok & fine", "cls\"x", 0.5, junit::Result::Passed, {}, {}, {}});
  s.cases.push_back({"bad", "cls", 0.25, junit::Result::Failed, "violated", message, body});
  s.cases.push_back({"unknown", "cls", 0, junit::Result::Error, "incomplete", "stopped", {}});
  s.cases.push_back({"skip", "cls", 0, junit::Result::Skipped, "not-evaluated", "later", {}});
  const auto dir = std::filesystem::temp_directory_path() / ("junit_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string xml = (dir / "r.xml").string(), out = (dir / "parsed.txt").string();
  ASSERT_EQ(junit::write(xml, {s}), "");
  // Print what an XML parser sees, as Python literals, one per line.
  const std::string cmd =
      "python3 -c \"import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); "
      "s = r.find('testsuite'); c = s.findall('testcase'); f = c[1].find('failure'); "
      "print(repr(r.get('tests')), repr(r.get('failures')), repr(r.get('errors')), repr(r.get('skipped'))); "
      "print(repr(s.get('name'))); print(repr(c[0].get('name')), repr(c[0].get('classname'))); "
      "print(repr(f.get('message'))); print(repr(f.text)); print(repr(f.get('type')))\" " +
      xml + " > " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << slurp(xml);
  const std::string parsed = slurp(out);
  auto py = [](const std::string& v) {  // Python's repr of an ASCII string, for the comparison
    std::string r = "'";
    for (char c : v) {
      if (c == '\n') r += "\\n";
      else if (c == '\t') r += "\\t";
      else if (c == '\r') r += "\\r";
      else if (c == '\'') r += "\\'";
      else if (c == '\\') r += "\\\\";
      else r += c;
    }
    return r + "'";
  };
  const std::string want = "'4' '1' '1' '1'\n" + py("tcpclose.check.a<b>") + "\n" + py("ok & fine") + " " +
                           py("cls\"x") + "\n" + py(message) + "\n" + py(body) + "\n'violated'\n";
  EXPECT_EQ(parsed, want) << slurp(xml);
  std::filesystem::remove_all(dir);
}

// RFC 1071: over a correct header, the ones' complement sum including the checksum is 0xFFFF.
std::uint32_t ones_sum(const std::uint8_t* p, std::size_t n, std::uint32_t acc) {
  for (std::size_t i = 0; i + 1 < n; i += 2) acc += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n % 2) acc += static_cast<std::uint32_t>(p[n - 1] << 8);
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  return acc;
}

TEST(Pcap, PacketsCarryValidIpAndTcpChecksums) {
  for (std::uint16_t len : {0, 1, 7}) {
    const auto p = cli::ipv4_tcp_packet(cli::kPcapAddrA, cli::kPcapAddrB, 21, 23, 0xFFFFFFF0u, 5002,
                                        flag::FIN | flag::ACK, 65535, len, 1014);
    ASSERT_EQ(p.size(), 40u + len);
    EXPECT_EQ(ones_sum(p.data(), 20, 0), 0xFFFFu) << "IP header, len " << len;
    const std::uint32_t pseudo = (cli::kPcapAddrA >> 16) + (cli::kPcapAddrA & 0xFFFF) + (cli::kPcapAddrB >> 16) +
                                 (cli::kPcapAddrB & 0xFFFF) + 6 + 20u + len;
    EXPECT_EQ(ones_sum(p.data() + 20, 20u + len, pseudo), 0xFFFFu) << "TCP, len " << len;
    EXPECT_EQ(p[4] << 8 | p[5], 1014);           // IP ID: incarnation 1, step 14
    EXPECT_EQ(p[20 + 13], flag::FIN | flag::ACK);  // the model's flag bits are the wire's
  }
  // Without the ACK flag the acknowledgment field is zero (RFC 9293 §3.1).
  const auto syn = cli::ipv4_tcp_packet(cli::kPcapAddrA, cli::kPcapAddrB, 21, 23, 1000, 77, flag::SYN, 65535, 0, 1);
  EXPECT_EQ(syn[28] | syn[29] | syn[30] | syn[31], 0);
}

// With --timestamps on, a segment carries NOP, NOP and the RFC 7323 option (kind 8, length 10):
// data offset 8 words, TSval and TSecr in network order, the checksum over the options too.
TEST(Pcap, TheTimestampsOptionIsWrittenAlignedAndChecksummed) {
  const auto p = cli::ipv4_tcp_packet(cli::kPcapAddrA, cli::kPcapAddrB, 21, 23, 5000, 7000, flag::ACK, 65535, 3, 1022,
                                      cli::TsOption{0x01020304u, 0xA0B0C0D0u});
  ASSERT_EQ(p.size(), 20u + 32u + 3u);
  EXPECT_EQ(p[2] << 8 | p[3], 55);
  EXPECT_EQ(p[20 + 12] >> 4, 8);
  const std::vector<std::uint8_t> opt(p.begin() + 40, p.begin() + 52);
  EXPECT_EQ(opt, (std::vector<std::uint8_t>{1, 1, 8, 10, 1, 2, 3, 4, 0xA0, 0xB0, 0xC0, 0xD0}));
  EXPECT_EQ(p[52], 'x');  // the text follows the options
  EXPECT_EQ(ones_sum(p.data(), 20, 0), 0xFFFFu);
  const std::uint32_t pseudo = (cli::kPcapAddrA >> 16) + (cli::kPcapAddrA & 0xFFFF) + (cli::kPcapAddrB >> 16) +
                               (cli::kPcapAddrB & 0xFFFF) + 6 + 35u;
  EXPECT_EQ(ones_sum(p.data() + 20, 35, pseudo), 0xFFFFu);
  // A segment sent at tick 3 and delivered at tick 5 (age 2) carries the base + 3.
  model::Pkt k;
  k.has_ts = 1;
  k.age = 2;
  EXPECT_EQ(cli::pcap_ts_val(5, k, 1), cli::kPcapTsBase + 3);
  // With 4 clock steps a tick, sent at step 2 of tick 3: the base + 3 * 4 + 2.
  k.has_ts = 3;
  EXPECT_EQ(cli::pcap_ts_val(5, k, 4), cli::kPcapTsBase + 14);
}

TEST(TraceFiles, SeveralCounterexamplesGetTheScenarioAndPropertyBeforeTheExtension) {
  EXPECT_EQ(cli::trace_path_for("out/ce.pcap", "reopen-syn", "no-stale-delivery"),
            "out/ce.reopen-syn.no-stale-delivery.pcap");
  EXPECT_EQ(cli::trace_path_for("ce", "abort", "unique-tcb"), "ce.abort.unique-tcb");
  EXPECT_NE(cli::check_writable("/nonexistent-dir/x.pcap"), "");
  EXPECT_NE(cli::check_writable(std::filesystem::temp_directory_path().string()), "");  // a directory
  EXPECT_EQ(cli::check_writable((std::filesystem::temp_directory_path() / "new-file.xml").string()), "");
  EXPECT_EQ(cli::trace_format_from_name("mermaid"), cli::TraceFormat::Mermaid);
  EXPECT_FALSE(cli::trace_format_from_name("svg").has_value());
}

TEST(Progress, TheLiveLineShowsEveryFigureAndNeverWraps) {
  model::Progress p;
  p.states = 3'210'000; p.frontier = 412'000; p.depth = 31; p.bytes = 3ull << 29; p.seconds = 125;
  const std::string line = cli::live_line("half-close", 2, 8, p, 200);
  EXPECT_EQ(line, "[2/8] half-close  3.21M states  26k/s  queue 412k  depth 31  mem 1.5 GiB  2:05");
  EXPECT_EQ(cli::live_line("half-close", 2, 8, p, 40).size(), 39u);
  EXPECT_EQ(cli::short_count(980), "980");
  EXPECT_EQ(cli::short_count(2.5e9), "2.50G");
  EXPECT_EQ(cli::plain_line("abort", p).rfind("progress: abort: 3210000 states, ", 0), 0u);
}

TEST(Progress, OnATerminalTheLineIsRedrawnAndClearedOtherwisePlainLines) {
  model::Progress p;
  p.states = 10; p.seconds = 1;
  for (bool tty : {true, false}) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
      cli::ProgressReporter r(f, tty);
      r.begin("abort", 1, 1);
      r.update(p);
      r.update(p);
      r.end();
    }
    std::rewind(f);
    std::string s;
    for (int c; (c = std::fgetc(f)) != EOF;) s += static_cast<char>(c);
    std::fclose(f);
    if (tty) {
      EXPECT_EQ(s.find('\n'), std::string::npos) << "a live line never scrolls";
      EXPECT_EQ(s.rfind("\r\x1b[K"), s.size() - 4) << "the line is cleared at the end";
      EXPECT_NE(s.find("\r[1/1] abort  10 states"), std::string::npos);
    } else {
      EXPECT_EQ(s.find('\r'), std::string::npos);
      EXPECT_EQ(s.find("progress: abort: 10 states"), 0u);
      EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2);
    }
  }
}

// The shortest counterexample of `p` in scenario `s` under `cfg` (the model's ticks).
model::Violation shortest(const Config& cfg, model::Scenario s, model::Property p, model::World& w) {
  w = model::make_world(s, cfg);
  model::ExploreOptions opt;
  opt.properties = model::bit(p);
  const model::ExploreResult r = model::explore(w, opt);
  EXPECT_EQ(r.violations.size(), 1u);
  return r.violations.empty() ? model::Violation{} : r.violations.front();
}

Config with_mutant(Profile p, Mutant m) {
  Config c = model::model_config(p);
  c.mutant = m;
  return c;
}

TEST(CexScript, RealTimeKeepsTheBehaviourKnobsAndTakesTheProfilesTimers) {
  Config m = model::model_config(Profile::Linux);
  m.rst_in_time_wait = RstInTimeWait::Ignore;
  const Config r = cli::real_time_config(m, Profile::Linux);
  const Config linux_cfg = profile_config(Profile::Linux);
  EXPECT_EQ(r.rst_in_time_wait, RstInTimeWait::Ignore);
  EXPECT_EQ(r.time_wait, linux_cfg.time_wait);
  EXPECT_EQ(r.tick_us, linux_cfg.tick_us);
  EXPECT_EQ(r.rtt_estimate, linux_cfg.rtt_estimate);
  m.time_wait = 0;  // no TIME-WAIT at all is a behaviour, not a duration
  EXPECT_EQ(cli::real_time_config(m, Profile::Linux).time_wait, 0u);
}

TEST(CexScript, AMutantsCounterexampleNamesItsMutantPropertyAndView) {
  model::World w;
  const Config c = with_mutant(Profile::Reference, Mutant::RstKillsTimeWait);
  const model::Violation v = shortest(c, model::Scenario::ActiveClose, model::Property::TimeWaitDuration, w);
  ASSERT_FALSE(v.trace.empty());
  const std::uint8_t view = cli::default_view(v);
  EXPECT_EQ(view, v.trace.back().tr.host);  // the host whose step violates time-wait-duration
  const cli::CexScript sc = cli::cex_script(w, v, view, cli::real_time_config(c, Profile::Reference), "reference",
                                            "active-close");
  ASSERT_EQ(sc.why_not, "");
  EXPECT_NE(sc.text.find("// profile: reference\n"), std::string::npos);
  EXPECT_NE(sc.text.find("// MUTANT rst-kills-time-wait"), std::string::npos);
  EXPECT_NE(sc.text.find("// violated: time-wait-duration"), std::string::npos);
  EXPECT_NE(sc.text.find("'s: the last lines below"), std::string::npos) << sc.text;
  EXPECT_NE(sc.text.find(" < R "), std::string::npos) << sc.text;  // the RST that kills TIME-WAIT
}

TEST(CexScript, TimingTheRealStackDoesNotHaveIsRefusedNamingTheTimer) {
  model::World w;
  const Config c = with_mutant(Profile::Reference, Mutant::RstKillsTimeWait);
  const model::Violation v = shortest(c, model::Scenario::ActiveClose, model::Property::TimeWaitDuration, w);
  Config real = cli::real_time_config(c, Profile::Reference);
  real.rto = 1;  // 1 ms: the SYN's retransmission would fire before the script's next line
  real.rto_floor = 1;
  const cli::CexScript sc = cli::cex_script(w, v, 0, real, "reference", "active-close");
  EXPECT_EQ(sc.text, "");
  EXPECT_NE(sc.why_not.find("A's rexmit timer"), std::string::npos) << sc.why_not;
  EXPECT_NE(sc.why_not.find("timing the real stack does not have"), std::string::npos) << sc.why_not;
}

TEST(CexScript, ARealTimeCoreThatTakesAnotherPathIsRefused) {
  model::World w;
  const Config c = with_mutant(Profile::Reference, Mutant::RstKillsTimeWait);
  const model::Violation v = shortest(c, model::Scenario::ActiveClose, model::Property::TimeWaitDuration, w);
  Config sound = cli::real_time_config(c, Profile::Reference);
  sound.mutant = Mutant::None;  // the sound core ignores the RST that the mutant's TIME-WAIT dies of
  const std::uint8_t view = cli::default_view(v);
  const cli::CexScript sc = cli::cex_script(w, v, view, sound, "reference", "active-close");
  EXPECT_EQ(sc.text, "");
  EXPECT_NE(sc.why_not.find("behaves differently"), std::string::npos) << sc.why_not;
}

TEST(CexScript, AViolationOnlyTheGhostSeesIsRefused) {
  model::World w = model::make_world(model::Scenario::ActiveClose, model::model_config(Profile::Reference));
  model::Violation v;
  v.property = model::Property::UniqueTcb;
  EXPECT_NE(cli::cex_script(w, v, 0, profile_config(Profile::Reference), "reference", "active-close")
                .why_not.find("two TCBs for one 4-tuple"), std::string::npos);
  v.property = model::Property::NoDeadlock;
  v.terminal = true;
  EXPECT_NE(cli::cex_script(w, v, 1, profile_config(Profile::Reference), "reference", "active-close")
                .why_not.find("the state the run ends in"), std::string::npos);
}

}  // namespace
