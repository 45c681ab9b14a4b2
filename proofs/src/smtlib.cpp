// The second solver (see smtlib.hpp): Z3's own SMT-LIB2 printer for the assertions, a set-logic
// line cvc5 wants, and the cvc5 program run as a child process on the script (its stdin, or a
// file kept in Cvc5Options::keep_dir).
// Rule: every way this can go wrong (no cvc5, unparsable output, a crash) ends as SmtAnswer::Error.
#include "tcpclose/proofs/smtlib.hpp"

#include "tcpclose/proofs/process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace tcpclose::proofs {

const char* name(SmtAnswer a) {
  switch (a) {
    case SmtAnswer::Sat: return "sat";
    case SmtAnswer::Unsat: return "unsat";
    case SmtAnswer::Unknown: return "unknown";
    case SmtAnswer::Error: return "error";
  }
  return "error";
}

SmtAnswer from_z3(z3::check_result r) {
  switch (r) {
    case z3::sat: return SmtAnswer::Sat;
    case z3::unsat: return SmtAnswer::Unsat;
    case z3::unknown: return SmtAnswer::Unknown;
  }
  return SmtAnswer::Error;
}

std::string to_smtlib(const z3::expr_vector& formulas, const std::string& logic) {
  z3::context& ctx = formulas.ctx();
  // Z3_benchmark_to_smtlib_string prints the declarations (enumeration sorts as SMT-LIB 2.6
  // declare-datatypes, which cvc5 reads), the assumptions as asserts, the formula as the last
  // assert, and (check-sat). It omits set-logic, without which cvc5 warns and guesses.
  std::vector<Z3_ast> asts;
  asts.reserve(formulas.size());
  for (unsigned i = 0; i < formulas.size(); ++i) asts.push_back(formulas[i]);
  const z3::expr truth = ctx.bool_val(true);  // the formula of an empty query
  Z3_ast last = truth;
  if (!asts.empty()) { last = asts.back(); asts.pop_back(); }
  const char* body = Z3_benchmark_to_smtlib_string(ctx, "tcpclose", "", "unknown", "",
                                                   static_cast<unsigned>(asts.size()), asts.data(), last);
  ctx.check_error();
  // Z3 prints its own name for unsigned bitvector-to-integer, bv2int; cvc5 reads only the
  // SMT-LIB name bv2nat (and rejects the script otherwise). int2bv is spelled alike by both.
  std::string text = body;
  const std::string z3_name = "(bv2int ", smt_name = "(bv2nat ";
  for (std::size_t at = text.find(z3_name); at != std::string::npos; at = text.find(z3_name, at + smt_name.size()))
    text.replace(at, z3_name.size(), smt_name);
  return fmt::format("(set-logic {})\n{}", logic, text);
}

std::string to_smtlib(z3::solver& s, const std::string& logic) { return to_smtlib(s.assertions(), logic); }

namespace {

bool executable(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

// The first line of cvc5's output that is an answer. With -q it prints only the answer, or an
// (error "...") form; on --tlimit it prints "interrupted by timeout" and aborts.
SmtAnswer parse_answer(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line == "sat") return SmtAnswer::Sat;
    if (line == "unsat") return SmtAnswer::Unsat;
    if (line == "unknown") return SmtAnswer::Unknown;
    if (line.find("interrupted by timeout") != std::string::npos) return SmtAnswer::Unknown;
    if (line.rfind("(error", 0) == 0) return SmtAnswer::Error;
  }
  return SmtAnswer::Error;
}

}  // namespace

std::string find_cvc5(const Cvc5Options& o) {
  if (!o.program.empty()) return executable(o.program) ? o.program : std::string{};
  if (const char* env = std::getenv("TCPCLOSE_CVC5"); env != nullptr && *env != '\0')
    return executable(env) ? std::string(env) : std::string{};
  return find_on_path("cvc5");
}

namespace {

// Runs cvc5 on `file`, or, when it is empty, on the script readable from in_fd (its stdin).
Cvc5Run run_cvc5_on(const std::string& file, int in_fd, const Cvc5Options& o) {
  Cvc5Run r;
  r.file = file;
  const std::string prog = find_cvc5(o);
  if (prog.empty()) {
    r.output = o.program.empty()
                   ? "cvc5 not found on PATH (install Debian's `cvc5` package: tools/dev install; or set TCPCLOSE_CVC5)"
                   : fmt::format("cvc5 program '{}' is not executable", o.program);
    return r;
  }
  const long ms = o.timeout_seconds > 0 ? static_cast<long>(o.timeout_seconds * 1000.0) : 0;
  std::vector<std::string> args = {prog, "-q", "--lang=smt2"};
  if (ms > 0) args.push_back(fmt::format("--tlimit={}", ms));
  if (!file.empty()) args.push_back(file);
  // cvc5 starts with no signal blocked (process.hpp), so a Ctrl-C at the terminal ends a re-check.
  const auto t0 = std::chrono::steady_clock::now();
  ProgramRun run = run_program(args, file.empty() ? in_fd : -1, true);
  if (!run.started) {
    r.output = run.error;
    return r;
  }
  r.output = std::move(run.output);
  const int status = run.status;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.answer = parse_answer(r.output);
  // A definite answer from a process that then failed is not trusted (only the timeout abort,
  // already Unknown, may end abnormally).
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!clean && r.answer != SmtAnswer::Unknown) {
    r.output += fmt::format("\n[cvc5 ended with status {}]", status);
    r.answer = SmtAnswer::Error;
  }
  return r;
}

}  // namespace

Cvc5Run run_cvc5_file(const std::string& file, const Cvc5Options& o) {
  if (file.empty()) {  // cvc5 would read this process's own stdin instead
    Cvc5Run r;
    r.output = "no .smt2 file given to cvc5";
    return r;
  }
  return run_cvc5_on(file, -1, o);
}

Cvc5Run run_cvc5(const std::string& script, const Cvc5Options& o) {
  namespace fs = std::filesystem;
  if (o.keep_dir.empty()) {
    std::string error;
    const int fd = unlinked_temp_file(script, "tcpclose-XXXXXX", ".smt2", error);
    if (fd < 0) {
      Cvc5Run r;
      r.output = error;
      return r;
    }
    Cvc5Run r = run_cvc5_on({}, fd, o);
    ::close(fd);
    return r;
  }
  std::error_code ec;
  fs::create_directories(o.keep_dir, ec);
  static std::atomic<unsigned> counter{0};  // engines may re-check from several threads
  const std::string path = (fs::path(o.keep_dir) / fmt::format("{}-{}-{}.smt2", o.label, ::getpid(), ++counter)).string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << script;
    if (!out) {
      Cvc5Run r;
      r.file = path;
      r.output = fmt::format("cannot write {}", path);
      return r;
    }
  }
  return run_cvc5_on(path, -1, o);
}

bool Recheck::error() const {
  if (cvc5 == SmtAnswer::Error || z3 == SmtAnswer::Error) return true;
  const bool both_definite = (z3 == SmtAnswer::Sat || z3 == SmtAnswer::Unsat) &&
                             (cvc5 == SmtAnswer::Sat || cvc5 == SmtAnswer::Unsat);
  return both_definite && z3 != cvc5;
}

Recheck recheck_with_cvc5(const z3::expr_vector& formulas, SmtAnswer z3_answer, const Cvc5Options& o) {
  Recheck r;
  r.z3 = z3_answer;
  std::string script;
  try {
    script = to_smtlib(formulas);
  } catch (const z3::exception& e) {
    r.cvc5 = SmtAnswer::Error;
    r.detail = fmt::format("cannot print the query as SMT-LIB2: {}", e.msg());
    return r;
  }
  const Cvc5Run run = run_cvc5(script, o);
  r.cvc5 = run.answer;
  r.cvc5_seconds = run.seconds;
  if (!o.keep_dir.empty()) r.file = run.file;
  if (r.cvc5 == SmtAnswer::Error) {
    r.detail = fmt::format("cvc5 failed on {}: {}", o.label, run.output);
  } else if (r.error()) {
    r.detail = fmt::format("solvers disagree on {}: z3 says {}, cvc5 says {}", o.label, name(r.z3), name(r.cvc5));
  } else if (!r.confirmed()) {
    r.detail = fmt::format("not confirmed on {}: z3 says {}, cvc5 says {} ({:.1f} s)", o.label, name(r.z3),
                           name(r.cvc5), r.cvc5_seconds);
  }
  return r;
}

Recheck recheck_with_cvc5(z3::solver& s, SmtAnswer z3_answer, const Cvc5Options& o) {
  return recheck_with_cvc5(s.assertions(), z3_answer, o);
}

}  // namespace tcpclose::proofs
