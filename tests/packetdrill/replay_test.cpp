// The replay library's parser and interpreter, tested directly: the parse tree of each form
// of the subset, errors as values with line and column, totality on arbitrary bytes (the
// property a libFuzzer target will check), and verdicts built from in-memory scripts.
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "replay.hpp"
#include "script.hpp"
#include "sockstat.hpp"
#include "sysctl.hpp"
#include "tcpdrop.hpp"

namespace tcpclose::replay {
namespace {

constexpr const char* kServer =
    "// profile: linux\n"
    "--tolerance_usecs=10000\n"
    "    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "   +0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1,\n"
    "                 linger=0}, 8) = 0\n"
    "   +0 bind(3, ..., ...) = 0\n"
    "   +0 listen(3, 1) = 0\n"
    "   +0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
    "   +0 > S. 0:0(0) ack 1 <...>\n"
    " +.05 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 7 ecr 9>\n"
    "0.1~0.2 accept(3, ..., ...) = 4\n"
    "+0...1.5 read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)\n"
    "    * > FP. 1:11(10) ack 1\n";

TEST(ReplayParse, EachFormOfTheSubsetParsesIntoItsFields) {
  const ParseResult r = parse(kServer, "server.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message << " at " << r.error.loc.line << ":" << r.error.loc.column;
  const Script& s = *r.script;
  EXPECT_EQ(s.profile, "linux");
  ASSERT_EQ(s.options.size(), 1u);
  EXPECT_EQ(s.options[0].name, "tolerance_usecs");
  EXPECT_EQ(s.options[0].value, "10000");
  ASSERT_EQ(s.statements.size(), 10u);
  const Syscall& linger = s.statements[1].call;
  EXPECT_EQ(linger.name, "setsockopt");
  ASSERT_EQ(linger.args.size(), 5u);
  EXPECT_EQ(linger.args[3], "{onoff=1, linger=0}");  // joined across the line break
  const Packet& syn = s.statements[4].packet;
  EXPECT_TRUE(syn.inbound);
  EXPECT_EQ(syn.flags, flag::SYN);
  EXPECT_TRUE(syn.has_win);
  EXPECT_EQ(syn.win, 32792u);
  EXPECT_EQ(syn.options.size(), 6u);
  EXPECT_TRUE(s.statements[5].packet.options_any);
  const Packet& ack = s.statements[6].packet;
  EXPECT_EQ(s.statements[6].time.kind, TimeSpec::Kind::Relative);
  EXPECT_EQ(s.statements[6].time.us, 50000);
  ASSERT_EQ(ack.options.size(), 3u);
  EXPECT_EQ(ack.options[2].name, "TS");
  EXPECT_EQ(ack.options[2].a, 7u);
  EXPECT_EQ(ack.options[2].b, 9u);
  EXPECT_EQ(s.statements[7].time.end, TimeSpec::End::Window);
  EXPECT_EQ(s.statements[7].time.us, 100000);
  EXPECT_EQ(s.statements[7].time.end_us, 200000);
  EXPECT_EQ(s.statements[8].time.end, TimeSpec::End::Blocking);
  EXPECT_EQ(s.statements[8].time.end_us, 1500000);
  EXPECT_EQ(s.statements[8].call.ret, -1);
  EXPECT_EQ(s.statements[8].call.err, "EAGAIN");
  const Statement& data = s.statements[9];
  EXPECT_EQ(data.time.kind, TimeSpec::Kind::Any);
  EXPECT_EQ(data.packet.flags, flag::FIN | flag::PSH | flag::ACK);
  EXPECT_EQ(data.packet.len, 10u);
}

TEST(ReplayParse, ErrorsNameTheLineAndColumn) {
  const ParseResult r = parse("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0) wnd 5\n", "x.pkt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.file, "x.pkt");
  EXPECT_EQ(r.error.loc.line, 2);
  EXPECT_EQ(r.error.loc.column, 15);
  EXPECT_NE(r.error.message.find("'wnd'"), std::string::npos) << r.error.message;
}

TEST(ReplayParse, UnterminatedConstructsAreErrorsNotHangs) {
  for (const char* bad : {"+0 `echo", "%{ x = 1", "/* open", "0 close(3", "0 write(3, \"abc, 3) = 3",
                          "+0 < S 0:0(0) <mss 1000", "+0 < S 0:0(", "+0 < S 99999999999:0(0)"}) {
    const ParseResult r = parse(bad, "bad.pkt");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_GE(r.error.loc.line, 1) << bad;
  }
}

TEST(ReplayParse, ShellPythonAndEcnParseAsUnsupportedStatements) {
  const ParseResult r = parse("`./defaults.sh`\n+0 %{ print(1) }%\n+0 < [ect0] S. 0:0(0) ack 1\n+0 > udp (10)\n", "u.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message;
  ASSERT_EQ(r.script->statements.size(), 4u);
  EXPECT_EQ(r.script->statements[0].kind, Statement::Kind::Shell);
  EXPECT_EQ(r.script->statements[1].kind, Statement::Kind::Python);
  EXPECT_EQ(r.script->statements[2].packet.unsupported, "ECN codepoint");
  EXPECT_NE(r.script->statements[3].packet.unsupported.find("udp"), std::string::npos);
}

// Totality: arbitrary bytes, and random mutations of a real script, never crash, hang or throw,
// and every error points inside the text. (ASan+UBSan run this too.)
TEST(ReplayParse, IsTotalOnArbitraryBytes) {
  std::mt19937 rng(7);
  const std::string base = kServer;
  const std::string alphabet = " \t\n+-.~*<>()[]{},=:|`%/\"0123456789SFRP.EWUAackwinTSvalecr...#ifdefelse";
  for (int i = 0; i < 20000; ++i) {
    std::string t;
    if (i % 2 == 0) {
      const std::size_t n = rng() % 200;
      for (std::size_t k = 0; k < n; ++k)
        t += (i % 4 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    } else {
      t = base;
      for (int m = 0; m < 1 + static_cast<int>(rng() % 4); ++m) {
        const std::size_t at = rng() % (t.size() + 1);
        switch (rng() % 3) {
          case 0: t.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
          case 1: if (at < t.size()) t.erase(at, 1 + rng() % 8); break;
          default: if (at < t.size()) t[at] = static_cast<char>(rng() % 256); break;
        }
      }
    }
    const ParseResult r = parse(t, "fuzz.pkt");
    if (r.ok()) {
      Options o;
      o.profile = Profile::Linux;
      o.config = linux_config();
      const Outcome out = run(*r.script, o);  // the interpreter is total as well
      EXPECT_NE(name(out.verdict), std::string("?"));
      continue;
    }
    const int lines = 1 + static_cast<int>(std::count(t.begin(), t.end(), '\n'));
    EXPECT_GE(r.error.loc.line, 1);
    EXPECT_LE(r.error.loc.line, lines);
    EXPECT_FALSE(r.error.message.empty());
  }
}

Options under(Profile p) {
  Options o;
  o.profile = p;
  o.config = profile_config(p);
  return o;
}

constexpr const char* kTimeWaitRst =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 65535\n"
    "+0 > S. 0:0(0) ack 1\n"
    "+.01 < . 1:1(0) ack 1 win 65535\n"
    "+0 accept(3, ..., ...) = 4\n"
    "+0 close(4) = 0\n"
    "+0 > F. 1:1(0) ack 1\n"
    "+.01 < F. 1:1(0) ack 2 win 65535\n"
    "+0 > . 2:2(0) ack 2\n"
    "+.01 < R 2:2(0) win 0\n"
    "+.01 < F. 1:1(0) ack 2 win 65535\n"
    "+0 > . 2:2(0) ack 2\n";

// The same script is a pass where RFC 1337 is followed and a mismatch where a RST kills
// TIME-WAIT, and the mismatch says what the core sent and in which state it was.
TEST(ReplayRun, VerdictDependsOnTheProfilesRfc1337Knob) {
  const ParseResult r = parse(kTimeWaitRst, "tw.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(run(*r.script, under(Profile::Reference)).verdict, Verdict::Pass);
  EXPECT_EQ(run(*r.script, under(Profile::FreeBsd)).verdict, Verdict::Pass);
  const Outcome linux = run(*r.script, under(Profile::Linux));
  EXPECT_EQ(linux.verdict, Verdict::Mismatch);
  EXPECT_EQ(linux.loc.line, 14);
  EXPECT_EQ(linux.expected, ". 2:2(0) ack 2");
  EXPECT_NE(linux.actual.find("sent R 2:2(0)"), std::string::npos) << linux.actual;
  EXPECT_NE(linux.message.find("flags differ"), std::string::npos) << linux.message;
}

TEST(ReplayRun, AnOutboundSegmentOutsideItsTimeWindowIsAMismatch) {
  // The FIN retransmission comes after the 1 s RTO, not at 0.5 s.
  const std::string s = std::string(kTimeWaitRst).substr(0, std::string(kTimeWaitRst).find("+.01 < F.")) +
                        "+.5 > F. 1:1(0) ack 1\n";
  const ParseResult r = parse(s, "early.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message;
  const Outcome o = run(*r.script, under(Profile::Reference));
  EXPECT_EQ(o.verdict, Verdict::Mismatch);
  EXPECT_NE(o.message.find("nothing"), std::string::npos) << o.message;
}

TEST(ReplayParse, ANoteAfterTheResultIsKeptAndNotCompared) {
  const ParseResult r = parse("0 fcntl(3, F_GETFL) = 0x02 (flags O_RDWR)\n"
                              "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
                              "+0 close(3) = 0 (nested (parentheses))\n", "n.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message;
  const auto& st = r.script->statements;
  EXPECT_EQ(st[0].call.ret, 2);
  EXPECT_EQ(st[0].call.note, "flags O_RDWR");
  EXPECT_EQ(st[1].call.err, "EINPROGRESS");
  EXPECT_EQ(st[1].call.note, "Operation now in progress");
  EXPECT_EQ(st[2].call.note, "nested (parentheses)");
  const ParseResult bad = parse("0 fcntl(3, F_GETFL) = 0x02 (flags O_RDWR\n", "n.pkt");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error.loc.line, 1);
  EXPECT_NE(bad.error.message.find("note"), std::string::npos) << bad.error.message;
}

TEST(ReplayParse, IfdefBlocksNestAndEachProfileSeesItsStacksName) {
  const ParseResult r = parse("#ifdef FreeBSD\n0 close(3) = 0\n#ifndef Linux\n+0 close(4) = 0\n#endif\n#else\n"
                              "+0 close(5) = 0\n#endif\n+0 close(6) = 0\n", "if.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message;
  const auto& st = r.script->statements;
  ASSERT_EQ(st.size(), 4u);
  const std::vector<std::string> freebsd = {"FreeBSD"}, linux = {"Linux"};
  EXPECT_TRUE(active(st[0].when, freebsd));
  EXPECT_TRUE(active(st[1].when, freebsd));
  EXPECT_FALSE(active(st[2].when, freebsd));
  EXPECT_TRUE(active(st[3].when, freebsd));
  EXPECT_FALSE(active(st[0].when, linux));
  EXPECT_FALSE(active(st[1].when, linux));
  EXPECT_TRUE(active(st[2].when, linux));
  EXPECT_TRUE(active(st[3].when, {}));
}

TEST(ReplayParse, MisusedDirectivesAreErrorsAtTheirLine) {
  struct Case {
    const char* text;
    int line;
    const char* says;
  };
  for (const Case& c : {Case{"0 close(3) = 0\n#ifdef FreeBSD\n+0 close(4) = 0\n", 2, "not closed by #endif"},
                        Case{"0 close(3) = 0\n#else\n", 2, "#else without #ifdef"},
                        Case{"#endif\n", 1, "#endif without #ifdef"},
                        Case{"\n#if 1\n", 2, "unknown directive '#if'"},
                        Case{"#ifdef\n", 1, "needs a name"}}) {
    const ParseResult r = parse(c.text, "d.pkt");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error.loc.line, c.line) << c.text;
    EXPECT_NE(r.error.message.find(c.says), std::string::npos) << r.error.message;
  }
}

TEST(ReplayParse, AnEllipsisSequenceRangeIsOutboundOnly) {
  const ParseResult r = parse("+0 > S. ...(0) ack 1 <...>\n", "s.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_TRUE(r.script->statements[0].packet.seq_any);
  EXPECT_EQ(r.script->statements[0].packet.len, 0u);
  const ParseResult in = parse("+0 < S ...(0) win 1\n", "s.pkt");
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.error.loc.column, 8);
  EXPECT_NE(in.error.message.find("outbound"), std::string::npos) << in.error.message;
}

TEST(ReplayParse, AccEcnAndUdpEncapsulationAreUnsupportedNotErrors) {
  const ParseResult r = parse("+0 < [ect0] .5 1:1(0) ack 1 win 257\n+0 > SEWA 0:0(0) <...>\n"
                              "+0 < S 0:0(0) win 1 <mss 1452>/udp(1 > 2)\n+0 > - 1:1(0)\n", "a.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message;
  const auto& st = r.script->statements;
  EXPECT_NE(st[0].packet.unsupported.find("ECN"), std::string::npos);
  EXPECT_NE(st[1].packet.unsupported.find("ECN"), std::string::npos);
  EXPECT_NE(st[2].packet.unsupported.find("UDP encapsulation"), std::string::npos);
  EXPECT_EQ(st[3].packet.flags, 0);
  const ParseResult ace = parse("+0 < P5. 1:1(0) ack 1\n", "a.pkt");
  ASSERT_TRUE(ace.ok());
  EXPECT_NE(ace.script->statements[0].packet.unsupported.find("AccECN"), std::string::npos);
}

TEST(ReplayParse, BlanksMaySeparateTheTokensOfTheTimeAndFlags) {
  const ParseResult r = parse("+ 0.5 close(3) = 0\n+0 ...0.010 read(3, ..., 1) = 1\n+0 ... .02 read(3, ..., 1) = 1\n"
                              "+0 ~ +.1 > F  . 1:1(0) ack 1\n", "b.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message << " at " << r.error.loc.line << ":" << r.error.loc.column;
  const auto& st = r.script->statements;
  EXPECT_EQ(st[0].time.us, 500000);
  EXPECT_EQ(st[1].time.end, TimeSpec::End::Blocking);
  EXPECT_EQ(st[1].time.end_us, 10000);
  EXPECT_EQ(st[2].time.end_us, 20000);
  EXPECT_EQ(st[3].time.end, TimeSpec::End::Window);
  EXPECT_EQ(st[3].packet.flags, flag::FIN | flag::ACK);
}

TEST(ReplayParse, IpHeaderFieldsAndTheBangMarkAreUnsupportedNotErrors) {
  const ParseResult r = parse("+0 > (tos 0x20) S 0:0(0) <...>\n+0 > R. 0:0(0)! ack 2 win 0\n", "i.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(r.script->statements[0].packet.unsupported, "IP header fields (tos 0x20)");
  EXPECT_NE(r.script->statements[1].packet.unsupported.find("'!'"), std::string::npos);
}

// Every value a row assumes is a no-op under its own profile, and every row is documented.
TEST(ReplaySysctl, AssumedValuesChangeNothingAndEveryRowIsDocumented) {
  std::ifstream docs(TCPCLOSE_CONFORMANCE_MD);
  std::stringstream buf;
  buf << docs.rdbuf();
  for (const SysctlRule& r : sysctl_rules()) {
    EXPECT_NE(buf.str().find(std::string(r.name)), std::string::npos) << r.name << " is not in docs/conformance.md";
    const Profile p = r.stack == Stack::Linux ? Profile::Linux : Profile::FreeBsd;
    if (r.assumed == "*") continue;
    const std::string v(r.assumed.substr(0, r.assumed.find('|')));
    Config c = profile_config(p);
    const ShellEffect e = run_shell("sysctl -w " + std::string(r.name) + "=\"" + v + "\"", p, c);
    EXPECT_TRUE(e.unsupported.empty()) << r.name << ": " << e.unsupported;
    EXPECT_TRUE(c == profile_config(p)) << r.name;
  }
}

TEST(ReplaySysctl, KnobsOverrideAndTheRestIsUnsupportedByName) {
  Config c = freebsd_config();
  ShellEffect e = run_shell("sysctl -w net.inet.tcp.insecure_rst=1; sysctl -w net.inet.tcp.sendspace=65536", Profile::FreeBsd, c);
  EXPECT_TRUE(e.unsupported.empty()) << e.unsupported;
  EXPECT_EQ(c.rst_acceptance, RstAcceptance::Window);
  EXPECT_EQ(c.snd_buf, 65536u);
  ASSERT_EQ(e.notes.size(), 2u);
  EXPECT_NE(e.notes[0].find("knob override"), std::string::npos) << e.notes[0];
  c = linux_config();
  e = run_shell("../../common/defaults.sh\n./set_sysctls.py /proc/sys/net/ipv4/tcp_timestamps=0", Profile::Linux, c);
  EXPECT_TRUE(e.unsupported.empty()) << e.unsupported;
  EXPECT_EQ(c.snd_buf, 262144u);  // defaults.sh: tcp_wmem[1]
  EXPECT_FALSE(c.timestamps);
  c = freebsd_config();
  e = run_shell("sysctl -w net.inet.tcp.drop_synfin=1; sysctl -w net.inet.tcp.insecure_syn=1", Profile::FreeBsd, c);
  EXPECT_TRUE(e.unsupported.empty()) << e.unsupported;
  EXPECT_TRUE(c.drop_synfin);
  EXPECT_EQ(c.syn_acceptance, SynAcceptance::WindowOrChallenge);
  for (const char* bad : {"sysctl -w net.inet.tcp.blackhole=1", "sysctl -q net.ipv4.tcp_rfc1337=1",
                          "sockstat -4 | grep -c TIME_WAIT", "sysctl -w net.inet.tcp.nosuch=1", "./defaults.sh",
                          "sysctl -w net.inet.tcp.sendspace=$SPACE", "/tmp/sysctl_restore_${PPID}.sh"}) {
    Config f = freebsd_config();
    const ShellEffect u = run_shell(bad, Profile::FreeBsd, f);
    EXPECT_NE(u.unsupported.find("a shell command"), std::string::npos) << bad << ": " << u.unsupported;
  }
  Config r = reference_config();
  EXPECT_NE(run_shell("sysctl -w net.inet.tcp.insecure_rst=0", Profile::Reference, r).unsupported.find("profile is reference"),
            std::string::npos);
}

// net.ipv4.tcp_fastopen: 0x602 (server, no cookie, every listener) is the knob fast_open; other
// server values leave it off and hand the bits to the socket layer; unknown bits are unsupported.
TEST(ReplaySysctl, FastOpenMapsServerNoCookieToTheKnob) {
  Config c = linux_config();
  ShellEffect e = run_shell("./set_sysctls.py /proc/sys/net/ipv4/tcp_fastopen=0x602", Profile::Linux, c);
  EXPECT_TRUE(e.unsupported.empty()) << e.unsupported;
  EXPECT_TRUE(c.fast_open);
  EXPECT_EQ(e.tcp_fastopen, std::optional<std::uint64_t>(0x602));
  c = linux_config();
  e = run_shell("../../common/defaults.sh", Profile::Linux, c);  // tcp_fastopen=0x3: cookie required
  EXPECT_TRUE(e.unsupported.empty()) << e.unsupported;
  EXPECT_FALSE(c.fast_open);
  EXPECT_EQ(e.tcp_fastopen, std::optional<std::uint64_t>(0x3));
  e = run_shell("sysctl -q net.ipv4.tcp_fastopen=1538", Profile::Linux, c);  // 0x602 in decimal
  EXPECT_TRUE(c.fast_open);
  e = run_shell("sysctl -q net.ipv4.tcp_fastopen=0x10602", Profile::Linux, c);
  EXPECT_NE(e.unsupported.find("cannot model that value"), std::string::npos) << e.unsupported;
}

// The sockstat whitelist: exactly the suite's forms are checks, each is documented, and any other
// sockstat line is still recognised as sockstat, so that it can be named as unsupported.
TEST(ReplaySockstat, OnlyTheSuitesFormsAreChecksAndEachIsDocumented) {
  std::ifstream docs(TCPCLOSE_CONFORMANCE_MD);
  std::stringstream buf;
  buf << docs.rdbuf();
  for (std::string_view f : sockstat_forms())
    EXPECT_NE(buf.str().find(std::string(f)), std::string::npos) << f << " is not in docs/conformance.md";
  const auto a = parse_sockstat("sockstat -6 -P tcp -s | grep packetdril | grep -c TIME_WAIT | grep 1");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->ipv6);
  EXPECT_TRUE(a->own_process);
  EXPECT_FALSE(a->port);
  EXPECT_EQ(a->state, State::TimeWait);
  EXPECT_EQ(a->count, "1");
  const auto b = parse_sockstat(" sockstat -4 -P tcp -s -p 8080|grep -c SYN_RCVD|grep 0 ");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->ipv6);
  EXPECT_EQ(b->port, std::optional<std::uint16_t>(8080));
  EXPECT_FALSE(b->own_process);
  EXPECT_EQ(b->state, State::SynReceived);
  for (const char* bad : {"sockstat -4 -P tcp -s | grep -c ESTABLISHED | grep 1",
                          "sockstat -4 -P tcp -s | grep packetdril | grep -c SYN_RECEIVED | grep 1",
                          "sockstat -4 -P tcp -p 0 -s | grep -c LISTEN | grep 1",
                          "sockstat -4 -P udp -s | grep packetdril | grep -c CLOSED | grep 1",
                          "sockstat -4 -P tcp -s | grep packetdril | grep -c CLOSED | grep x",
                          "sockstat -4 -P tcp -p 8080 -s | grep packetdril | grep -c CLOSED | grep 1",
                          "sockstat -4 -P tcp -s | grep packetdril | grep -c CLOSED | grep 1 | wc -l"}) {
    EXPECT_FALSE(parse_sockstat(bad)) << bad;
    EXPECT_TRUE(is_sockstat(bad)) << bad;
  }
  EXPECT_FALSE(is_sockstat("sysctl -w net.inet.tcp.insecure_rst=0"));
}

constexpr const char* kTcpdrop =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 65535\n"
    "+0 > S. 0:0(0) ack 1\n"
    "+.01 < . 1:1(0) ack 1 win 65535\n"
    "+0 accept(3, ..., ...) = 4\n"
    "+0 shutdown(4, SHUT_WR) = 0\n"
    "+0 > F. 1:1(0) ack 1\n"
    "+.01 < F. 1:1(0) ack 2 win 65535\n"
    "+0 > . 2:2(0) ack 2\n"
    "+.01 `tcpdrop -s TIME_WAIT`\n"
    "+0 > R. 2:2(0) ack 2\n"
    "+0 close(4) = 0\n";

// tcpdrop is the core's abort: the RST from TIME-WAIT is the freebsd profile's knob
// abort_rst_any_synced (FreeBSD tcp_drop()), not something the replay makes up.
TEST(ReplayTcpdrop, TheRstFromTimeWaitComesFromTheAbortKnob) {
  const ParseResult r = parse(kTcpdrop, "tcpdrop.pkt");
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(run(*r.script, under(Profile::FreeBsd)).verdict, Verdict::Pass);
  Options o = under(Profile::FreeBsd);
  o.config.abort_rst_any_synced = false;
  const Outcome without = run(*r.script, o);
  EXPECT_EQ(without.verdict, Verdict::Mismatch);
  EXPECT_EQ(without.loc.line, 13);
  EXPECT_NE(without.message.find("the core sent nothing"), std::string::npos) << without.message;
}

TEST(ReplayTcpdrop, OnlyTheSuitesFormIsRunAndItIsDocumented) {
  std::ifstream docs(TCPCLOSE_CONFORMANCE_MD);
  std::stringstream buf;
  buf << docs.rdbuf();
  for (std::string_view f : tcpdrop_forms())
    EXPECT_NE(buf.str().find(std::string(f)), std::string::npos) << f << " is not in docs/conformance.md";
  std::string why;
  const auto a = parse_tcpdrop(" tcpdrop -s CLOSE_WAIT ", why);
  ASSERT_TRUE(a) << why;
  EXPECT_EQ(a->state, State::CloseWait);
  for (const char* bad : {"tcpdrop -a", "tcpdrop -s LISTEN", "tcpdrop -s CLOSED", "tcpdrop -s TIME-WAIT",
                          "tcpdrop -l -s TIME_WAIT", "tcpdrop 192.0.2.1 8080 192.168.0.1 1234"}) {
    why.clear();
    EXPECT_FALSE(parse_tcpdrop(bad, why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
    EXPECT_TRUE(is_tcpdrop(bad)) << bad;
  }
  EXPECT_FALSE(is_tcpdrop("sockstat -4 -P tcp -s | grep packetdril | grep -c TIME_WAIT | grep 1"));
}

// sockstat's filters (-4/-6, -p on either port, the process's descriptors) and grep's verdict on
// the count it printed: `grep N` matches any count whose digits contain N.
TEST(ReplaySockstat, CountsFollowTheFiltersAndGrepMatchesASubstring) {
  const ListedSocket listed[] = {
      {State::Listen, false, true, 8080, 0},             // the listener
      {State::TimeWait, false, true, 8080, 40000},       // after shutdown(): its descriptor is open
      {State::TimeWait, false, false, 8080, 40001},      // an orphan after close()
      {State::SynReceived, false, false, 8080, 40002},   // a syncache entry
      {State::TimeWait, false, false, 5000, 40003},      // another port
  };
  const SockstatCheck own = *parse_sockstat("sockstat -4 -P tcp -s | grep packetdril | grep -c TIME_WAIT | grep 1");
  EXPECT_EQ(sockstat_count(own, listed), 1u);
  const SockstatCheck port = *parse_sockstat("sockstat -4 -P tcp -p 8080 -s | grep -c TIME_WAIT | grep 2");
  EXPECT_EQ(sockstat_count(port, listed), 2u);
  const SockstatCheck v6 = *parse_sockstat("sockstat -6 -P tcp -p 8080 -s | grep -c TIME_WAIT | grep 0");
  EXPECT_EQ(sockstat_count(v6, listed), 0u);
  const SockstatCheck foreign = *parse_sockstat("sockstat -4 -P tcp -p 40002 -s | grep -c SYN_RCVD | grep 1");
  EXPECT_EQ(sockstat_count(foreign, listed), 1u);
  EXPECT_TRUE(sockstat_passes(own, 1));
  EXPECT_FALSE(sockstat_passes(own, 0));
  EXPECT_TRUE(sockstat_passes(own, 10));  // as the shell's `grep 1` would
  EXPECT_TRUE(sockstat_passes(v6, 0));
  EXPECT_FALSE(sockstat_passes(v6, 1));
  EXPECT_STREQ(sockstat_name(State::SynReceived), "SYN_RCVD");
  EXPECT_STREQ(sockstat_name(State::FinWait1), "FIN_WAIT_1");
}

}  // namespace
}  // namespace tcpclose::replay
