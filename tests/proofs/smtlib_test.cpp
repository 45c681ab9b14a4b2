// proofs.cvc5 (the second solver itself): a Z3 query written as SMT-LIB2 is re-checked by cvc5.
// cvc5 must agree on an UNSAT and on a SAT (negative control), read the encoding's enumeration
// sorts, and every failure (disagreement, bad script, missing program) must surface as an error.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <tcpclose/proofs/encoding.hpp>
#include <tcpclose/proofs/smtlib.hpp>

namespace tcpclose::proofs {
namespace {

TEST(Cvc5, IsInstalled) {
  ASSERT_FALSE(find_cvc5().empty()) << "cvc5 not on PATH: install Debian's cvc5 package (tools/dev install)";
}

TEST(Cvc5, TheScriptStartsWithSetLogicAndEndsWithCheckSat) {
  z3::context ctx;
  z3::solver s(ctx);
  const z3::expr a = ctx.bv_const("a", 32);
  s.add(seq_lt(a, a + 1));
  const std::string script = to_smtlib(s);
  EXPECT_EQ(script.rfind("(set-logic ALL)\n", 0), 0u) << script;
  EXPECT_NE(script.find("(declare-fun a () (_ BitVec 32))"), std::string::npos) << script;
  EXPECT_NE(script.find("(check-sat)"), std::string::npos) << script;
}

// Antisymmetry of serial comparison, negated: no a, b with a < b and b < a, except at distance
// exactly 2^31 (RFC 1982 §3.2 leaves that pair undefined). Both solvers must say unsat.
TEST(Cvc5, ConfirmsAnUnsatQuery) {
  z3::context ctx;
  z3::solver s(ctx);
  const z3::expr a = ctx.bv_const("a", 32), b = ctx.bv_const("b", 32);
  s.add(seq_lt(a, b) && seq_lt(b, a) && b - a != ctx.bv_val(0x80000000u, 32));
  const SmtAnswer z3a = from_z3(s.check());
  ASSERT_EQ(z3a, SmtAnswer::Unsat);
  const Recheck r = recheck_with_cvc5(s, z3a, Cvc5Options::labelled("antisymmetry"));
  EXPECT_TRUE(r.unsat_confirmed()) << r.detail;
  EXPECT_FALSE(r.error());
}

// The negative control: transitivity without the half-space bound is refutable, and cvc5 must
// find it so too (a checker that always says unsat would pass the test above).
TEST(Cvc5, AnswersSatOnASatQuery) {
  z3::context ctx;
  z3::solver s(ctx);
  const z3::expr a = ctx.bv_const("a", 32), b = ctx.bv_const("b", 32), c = ctx.bv_const("c", 32);
  s.add(seq_lt(a, b) && seq_lt(b, c) && !seq_lt(a, c));
  const SmtAnswer z3a = from_z3(s.check());
  ASSERT_EQ(z3a, SmtAnswer::Sat);
  const Recheck r = recheck_with_cvc5(s, z3a, Cvc5Options::labelled("intransitive"));
  EXPECT_EQ(r.cvc5, SmtAnswer::Sat) << r.detail;
  EXPECT_TRUE(r.confirmed());
  EXPECT_FALSE(r.unsat_confirmed());
}

// A disagreement is an error: tell the checker Z3 said unsat on a satisfiable query.
TEST(Cvc5, ADisagreementIsAnErrorNeverAPass) {
  z3::context ctx;
  const z3::expr a = ctx.bv_const("a", 32);
  z3::expr_vector f(ctx);
  f.push_back(a == ctx.bv_val(7, 32));
  const Recheck r = recheck_with_cvc5(f, SmtAnswer::Unsat, Cvc5Options::labelled("planted-disagreement"));
  EXPECT_EQ(r.cvc5, SmtAnswer::Sat);
  EXPECT_TRUE(r.error());
  EXPECT_FALSE(r.confirmed());
  EXPECT_NE(r.detail.find("disagree"), std::string::npos) << r.detail;
}

// Z3 prints bv2int, which cvc5 rejects ("Symbol 'bv2int' not declared"); the script says bv2nat.
TEST(Cvc5, ReadsBitvectorToIntegerConversions) {
  z3::context ctx;
  z3::solver s(ctx);
  const z3::expr x = ctx.bv_const("x", 32);
  s.add(z3::bv2int(x, false) > ctx.int_val(4294967290u) && z3::ult(x, ctx.bv_val(4294967295u, 32)));
  const SmtAnswer z3a = from_z3(s.check());
  ASSERT_EQ(z3a, SmtAnswer::Sat);
  const std::string script = to_smtlib(s);
  EXPECT_EQ(script.find("bv2int"), std::string::npos) << script;
  EXPECT_NE(script.find("bv2nat"), std::string::npos) << script;
  const Recheck r = recheck_with_cvc5(s, z3a, Cvc5Options::labelled("bv2nat"));
  EXPECT_TRUE(r.confirmed()) << r.detail;
}

// keep_dir keeps the script a reader can re-run by hand (`cvc5 FILE`).
TEST(Cvc5, KeepsTheScriptWhenAskedTo) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "tcpclose-smtlib-test";
  std::filesystem::remove_all(dir);
  z3::context ctx;
  z3::expr_vector f(ctx);
  f.push_back(ctx.bv_const("k", 32) == ctx.bv_val(1, 32));
  Cvc5Options o = Cvc5Options::labelled("kept");
  o.keep_dir = dir.string();
  const Recheck r = recheck_with_cvc5(f, SmtAnswer::Sat, o);
  EXPECT_TRUE(r.confirmed()) << r.detail;
  ASSERT_TRUE(std::filesystem::exists(r.file)) << r.file;
  std::ifstream in(r.file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("(check-sat)"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Cvc5, AScriptCvc5CannotParseIsAnError) {
  const Cvc5Run run = run_cvc5("(set-logic ALL)\n(assert (bvfoo x))\n(check-sat)\n");
  EXPECT_EQ(run.answer, SmtAnswer::Error) << run.output;
  EXPECT_FALSE(run.output.empty());
}

// The script reaches cvc5 on its stdin from a file unlinked at once: during the run and after
// it TMPDIR holds nothing (a stop signal's _Exit cannot leave the query behind either). A
// stand-in cvc5 reports what TMPDIR holds while it runs, then answers from its stdin.
TEST(Cvc5, TheScriptIsNeverAFileInTmpdir) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "tcpclose-smtlib-tmpdir";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "t");
  const std::string fake = (dir / "fake-cvc5.sh").string();
  {
    std::ofstream out(fake);
    out << "#!/bin/sh\nls -A \"$TMPDIR\" | wc -l | sed 's/^/files: /'\ngrep -q check-sat && echo unsat\n";
  }
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", (dir / "t").c_str(), 1);
  Cvc5Options o;
  o.program = fake;
  const Cvc5Run run = run_cvc5("(set-logic ALL)\n(check-sat)\n", o);
  if (old) ::setenv("TMPDIR", saved.c_str(), 1); else ::unsetenv("TMPDIR");
  EXPECT_EQ(run.answer, SmtAnswer::Unsat) << run.output;
  EXPECT_NE(run.output.find("files: 0"), std::string::npos) << run.output;
  EXPECT_TRUE(run.file.empty());
  EXPECT_TRUE(std::filesystem::is_empty(dir / "t"));
  std::filesystem::remove_all(dir);
}

TEST(Cvc5, AnEmptyFileNameIsAnErrorNotAReadOfStdin) {
  const Cvc5Run run = run_cvc5_file("");
  EXPECT_EQ(run.answer, SmtAnswer::Error);
  EXPECT_NE(run.output.find("no .smt2 file"), std::string::npos) << run.output;
}

TEST(Cvc5, AMissingProgramIsAClearError) {
  z3::context ctx;
  z3::expr_vector f(ctx);
  f.push_back(ctx.bool_val(false));
  Cvc5Options missing;
  missing.program = "/nonexistent/cvc5";
  const Recheck r = recheck_with_cvc5(f, SmtAnswer::Unsat, missing);
  EXPECT_EQ(r.cvc5, SmtAnswer::Error);
  EXPECT_TRUE(r.error());
  EXPECT_NE(r.detail.find("/nonexistent/cvc5"), std::string::npos) << r.detail;
}

// The encoding's vocabulary: enumeration sorts with names like SYN-SENT and time-wait, one whole
// symbolic step. Z3 writes them as SMT-LIB 2.6 declare-datatypes; cvc5 must read them and agree,
// both ways: TIME-WAIT's successor on any input is never SYN-SENT (unsat), but is CLOSED (sat).
TEST(Cvc5, ReadsTheEncodingsEnumerationSortsAndAgreesOnAWholeStep) {
  z3::context ctx;
  const Vocabulary v(ctx);
  const Config c = profile_config(Profile::Reference);
  const SymTcb s = fresh_tcb(v, "s");
  const SymInput i = fresh_input(v, "i");
  const SymOutput out = derive_step(v, c, s, i);
  for (const auto& [target, expect] : {std::pair{State::SynSent, SmtAnswer::Unsat},
                                       std::pair{State::Closed, SmtAnswer::Sat}}) {
    z3::solver q(ctx);
    q.add(s.state == v.state(State::TimeWait));
    q.add(out.tcb.state == v.state(target));
    const SmtAnswer z3a = from_z3(q.check());
    ASSERT_EQ(z3a, expect) << name(target);
    const std::string script = to_smtlib(q);
    EXPECT_NE(script.find("declare-datatypes"), std::string::npos);
    const Recheck r = recheck_with_cvc5(q, z3a, Cvc5Options::labelled("time-wait-successor"));
    EXPECT_TRUE(r.confirmed()) << name(target) << ": " << r.detail;
    EXPECT_EQ(r.cvc5, expect);
  }
}

}  // namespace
}  // namespace tcpclose::proofs

namespace tcpclose::proofs {
namespace {
// BMC's queries are steps chained: deep shared terms that Z3 prints as nested lets. cvc5 must
// read an unrolling of several steps and agree (a TCB in CLOSED reaches no TIME-WAIT in 2 steps
// of any inputs; it reaches SYN-SENT in one).
TEST(Cvc5, ReadsAnUnrollingOfSeveralSteps) {
  z3::context ctx;
  const Vocabulary v(ctx);
  const Config c = profile_config(Profile::Reference);
  for (const auto& [target, expect] : {std::pair{State::TimeWait, SmtAnswer::Unsat},
                                       std::pair{State::SynSent, SmtAnswer::Sat}}) {
    z3::solver q(ctx);
    SymTcb s = fresh_tcb(v, "s0");
    q.add(s.state == v.state(State::Closed));
    z3::expr reached = ctx.bool_val(false);
    for (int k = 0; k < 2; ++k) {
      const SymInput in = fresh_input(v, "i" + std::to_string(k));
      s = derive_step(v, c, s, in).tcb;
      reached = reached || s.state == v.state(target);
    }
    q.add(reached);
    const SmtAnswer z3a = from_z3(q.check());
    ASSERT_EQ(z3a, expect) << name(target);
    const Recheck r = recheck_with_cvc5(q, z3a, Cvc5Options::labelled("closed-unrolled-2"));
    EXPECT_TRUE(r.confirmed()) << name(target) << ": " << r.detail;
    std::printf("cvc5: 2-step unrolling to %s: z3 %s, cvc5 %s in %.2f s\n", name(target), name(z3a), name(r.cvc5),
                r.cvc5_seconds);
  }
}
}  // namespace
}  // namespace tcpclose::proofs
