// The arithmetic lemmas (see lemmas.hpp). Each RFC definition is written independently of the
// encoding's bitvector tricks: numbers are lifted into 34-bit "unbounded" integers, where no sum
// below can overflow, and compared there the way the RFC text reads (RFC 1982 §3.2, RFC 9293 §3.4).
// Rule: the lemma's subject is the encoding's own term; the definition never calls encoding.hpp.
#include "tcpclose/proofs/lemmas.hpp"

#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

#include <tcpclose/seq.hpp>

#include "tcpclose/proofs/encoding.hpp"

namespace tcpclose::proofs {

namespace {

using V = std::vector<z3::expr>;
constexpr unsigned kWide = 34;  // 2^32 + 2^32 + 2^32 < 2^34: every sum below is exact
constexpr std::uint64_t kSpace = std::uint64_t{1} << 32;
constexpr std::uint64_t kHalf = std::uint64_t{1} << 31;

z3::expr wide(const z3::expr& v) { return z3::zext(v, kWide - 32); }
z3::expr num(z3::context& c, std::uint64_t n) { return c.bv_val(n, kWide); }

// RFC 1982 §3.2, literally, on the unsigned values i1, i2 of s1, s2: s1 < s2 iff
// (i1 < i2 and i2 - i1 < 2^31) or (i1 > i2 and i1 - i2 > 2^31).
z3::expr rfc1982_lt(const z3::expr& a, const z3::expr& b) {
  z3::context& c = a.ctx();
  const z3::expr i1 = wide(a), i2 = wide(b), half = num(c, kHalf);
  return (z3::ult(i1, i2) && z3::ult(i2 - i1, half)) || (z3::ugt(i1, i2) && z3::ugt(i1 - i2, half));
}
// The one pair distance RFC 1982 §3.2 leaves undefined ("the result is undefined"): 2^31.
z3::expr rfc1982_undefined(const z3::expr& a, const z3::expr& b) {
  z3::context& c = a.ctx();
  const z3::expr i1 = wide(a), i2 = wide(b), half = num(c, kHalf);
  return (z3::ult(i1, i2) && i2 - i1 == half) || (z3::ugt(i1, i2) && i1 - i2 == half);
}

// RFC 9293 §3.4: "lo =< x < lo + len" with sequence numbers taken modulo 2^32: x is in the
// window iff x, or x lifted once past 2^32, lies in the unbounded interval [lo, lo + len).
// (lo + len < 2^33, so no other lift of x can land in it.)
z3::expr in_window_def(const z3::expr& x, const z3::expr& lo, const z3::expr& len) {
  z3::context& c = x.ctx();
  const z3::expr X = wide(x), N = wide(lo), L = wide(len), space = num(c, kSpace);
  return (z3::ule(N, X) && z3::ult(X, N + L)) || (z3::ule(N, X + space) && z3::ult(X + space, N + L));
}

// RFC 9293 §3.4 Table 6, row by row. `last` is SEG.SEQ+SEG.LEN-1.
z3::expr table6_def(const z3::expr& seq, const z3::expr& len, const z3::expr& nxt, const z3::expr& wnd,
                    const z3::expr& last) {
  z3::context& c = seq.ctx();
  const z3::expr zero = c.bv_val(0, 32);
  return (len == zero && wnd == zero && seq == nxt) ||                                   // 0, 0: SEG.SEQ = RCV.NXT
         (len == zero && wnd != zero && in_window_def(seq, nxt, wnd)) ||                 // 0, >0
         // >0, 0: not acceptable
         (len != zero && wnd != zero && (in_window_def(seq, nxt, wnd) || in_window_def(last, nxt, wnd)));
}

// A sequence number lifted above `base` into [base, base + 2^32): its unbounded distance ahead.
z3::expr lift_from(const z3::expr& base, const z3::expr& x) {
  z3::context& c = x.ctx();
  return z3::ite(z3::uge(wide(x), wide(base)), wide(x), wide(x) + num(c, kSpace));
}
// RFC 9293 §3.10.7.4 fifth check: "If SND.UNA < SEG.ACK =< SND.NXT" read on the unbounded line
// starting at SND.UNA.
z3::expr ack_def(const z3::expr& ack, const z3::expr& una, const z3::expr& nxt) {
  const z3::expr U = wide(una), A = lift_from(una, ack), N = lift_from(una, nxt);
  return z3::ult(U, A) && z3::ule(A, N);
}
// Less than 2^31 octets in flight (RFC 7323 §2.3 caps a window at 2^30, so this always holds).
z3::expr flight_bounded(const z3::expr& una, const z3::expr& nxt) {
  z3::context& c = una.ctx();
  return z3::ult(lift_from(una, nxt) - wide(una), num(c, kHalf));
}

// The segment's last octet, as the encoding computes it (and as the substitution finds it).
z3::expr last_octet(const z3::expr& seq, const z3::expr& len) { return seq + len - seq.ctx().bv_val(1, 32); }

// segment_acceptable with SEG.SEQ+SEG.LEN-1 replaced by a free `last`: proving the table for
// every `last` proves it a fortiori for the real one, and spares the solver the adder
// equivalence (40 s rather than 1 s). The guard makes sure the term was really found.
z3::expr acceptable_generalised(const V& v) {
  z3::context& c = v[0].ctx();
  z3::expr t = segment_acceptable(v[0], v[1], v[2], v[3]);
  z3::expr_vector from(c), to(c);
  from.push_back(last_octet(v[0], v[1]));
  to.push_back(v[4]);
  const z3::expr g = t.substitute(from, to);
  if (z3::eq(g, t)) throw std::logic_error("segment_acceptable no longer computes SEG.SEQ+SEG.LEN-1 as seq + len - 1");
  return g;
}

// RFC 1982's serial order: seq_lt against its definition, antisymmetry, transitivity.
void add_serial_lemmas(std::vector<Lemma>& ls) {
  ls.push_back(Lemma{
      "serial-lt-rfc1982",
      "seq_lt(a, b) holds exactly when RFC 1982 says a < b, and also at the one distance RFC 1982 leaves "
      "undefined (|a - b| = 2^31), where it holds both ways",
      "RFC 1982 §3.2; RFC 9293 §3.4 (sequence numbers compared modulo 2^32)",
      {"a", "b"},
      [](const V& v) { return seq_lt(v[0], v[1]) == (rfc1982_lt(v[0], v[1]) || rfc1982_undefined(v[0], v[1])); },
      "seq_lt(a, b) is exactly RFC 1982's a < b (forgetting the undefined distance)",
      [](const V& v) { return seq_lt(v[0], v[1]) == rfc1982_lt(v[0], v[1]); },
      [](const V& v) { return seq_lt(v[0], v[1]); },
      [](const std::vector<std::uint32_t>& x) { return tcpclose::seq_lt(x[0], x[1]); }});
  ls.push_back(Lemma{
      "serial-lt-antisymmetric",
      "never a < a; a < b and b < a together only when b - a = 2^31",
      "RFC 1982 §3.2",
      {"a", "b"},
      [](const V& v) {
        z3::context& c = v[0].ctx();
        return !seq_lt(v[0], v[0]) &&
               z3::implies(seq_lt(v[0], v[1]) && seq_lt(v[1], v[0]), v[1] - v[0] == c.bv_val(kHalf, 32));
      },
      "a < b and b < a never both hold (without the 2^31 exception)",
      [](const V& v) { return !(seq_lt(v[0], v[1]) && seq_lt(v[1], v[0])); },
      [](const V& v) { return seq_lt(v[0], v[1]); },
      [](const std::vector<std::uint32_t>& x) { return tcpclose::seq_lt(x[0], x[1]); }});
  ls.push_back(Lemma{
      "serial-lt-transitive",
      "a < b and b < c imply a < c when the two steps together span at most 2^31: (b - a) + (c - b) =< 2^31",
      "RFC 1982 §3.2 (\"transitivity ... does not hold\" in general); RFC 9293 §3.4",
      {"a", "b", "c"},
      [](const V& v) {
        z3::context& c = v[0].ctx();
        const z3::expr span = wide(v[1] - v[0]) + wide(v[2] - v[1]);
        return z3::implies(seq_lt(v[0], v[1]) && seq_lt(v[1], v[2]) && z3::ule(span, num(c, kHalf)),
                           seq_lt(v[0], v[2]));
      },
      "a < b and b < c imply a < c (with no bound on the span)",
      [](const V& v) { return z3::implies(seq_lt(v[0], v[1]) && seq_lt(v[1], v[2]), seq_lt(v[0], v[2])); },
      [](const V& v) { return seq_lt(v[0], v[2]); },
      [](const std::vector<std::uint32_t>& x) { return tcpclose::seq_lt(x[0], x[2]); }});
}

// The receive window: the window test and RFC 9293's Table 6.
void add_window_lemmas(std::vector<Lemma>& ls) {
  ls.push_back(Lemma{
      "seq-in-window",
      "seq_in_window(x, lo, len), one unsigned distance x - lo < len, holds exactly when lo =< x < lo + len "
      "on the unbounded line with x taken modulo 2^32, for every len",
      "RFC 9293 §3.4 (\"RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND\", arithmetic modulo 2^32)",
      {"x", "lo", "len"},
      [](const V& v) { return seq_in_window(v[0], v[1], v[2]) == in_window_def(v[0], v[1], v[2]); },
      "the window test read with serial comparisons, seq_le(lo, x) and seq_lt(x, lo + len)",
      [](const V& v) { return (seq_le(v[1], v[0]) && seq_lt(v[0], v[1] + v[2])) == in_window_def(v[0], v[1], v[2]); },
      [](const V& v) { return seq_in_window(v[0], v[1], v[2]); },
      [](const std::vector<std::uint32_t>& x) { return tcpclose::seq_in_window(x[0], x[1], x[2]); }});
  ls.push_back(Lemma{
      "segment-acceptable-table6",
      "segment_acceptable(seq, len, rcv_nxt, rcv_wnd) is RFC 9293 Table 6 row by row, for every value, "
      "SEG.SEQ+SEG.LEN-1 taken modulo 2^32 (proved for any value of that last octet, so a fortiori)",
      "RFC 9293 §3.4 Table 6 (Segment Acceptability Tests)",
      {"seq", "len", "rcv_nxt", "rcv_wnd", "last"},
      [](const V& v) { return acceptable_generalised(v) == table6_def(v[0], v[1], v[2], v[3], v[4]); },
      "a segment is acceptable when its first octet is in the window (the last-octet test forgotten)",
      [](const V& v) {
        z3::context& c = v[0].ctx();
        const z3::expr zero = c.bv_val(0, 32);
        const z3::expr first_only = (v[1] == zero && v[3] == zero && v[0] == v[2]) ||
                                    (v[3] != zero && in_window_def(v[0], v[2], v[3]));
        return z3::implies(v[4] == last_octet(v[0], v[1]), segment_acceptable(v[0], v[1], v[2], v[3]) == first_only);
      },
      [](const V& v) { return segment_acceptable(v[0], v[1], v[2], v[3]); },
      [](const std::vector<std::uint32_t>& x) { return tcpclose::segment_acceptable(x[0], x[1], x[2], x[3]); }});
}

// The acknowledgment checks and PAWS's R1.
void add_ack_and_paws_lemmas(std::vector<Lemma>& ls) {
  ls.push_back(Lemma{
      "ack-acceptable",
      "with under 2^31 octets in flight, ack_acceptable(ack, una, nxt) holds exactly when SND.UNA < SEG.ACK =< "
      "SND.NXT on the unbounded line from SND.UNA, except at one point RFC 1982 leaves undefined: "
      "SND.UNA = SND.NXT and SEG.ACK = SND.UNA + 2^31, where it also holds",
      "RFC 9293 §3.10.7.4 fifth check (\"If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK\")",
      {"ack", "una", "nxt"},
      [](const V& v) {
        z3::context& c = v[0].ctx();
        const z3::expr odd = v[1] == v[2] && v[0] == v[1] + c.bv_val(kHalf, 32);
        return z3::implies(flight_bounded(v[1], v[2]), ack_acceptable(v[0], v[1], v[2]) == (ack_def(v[0], v[1], v[2]) || odd));
      },
      "an ACK is acceptable when SND.UNA =< SEG.ACK =< SND.NXT (the window-update test, duplicates included)",
      [](const V& v) {
        const z3::expr dup_too = z3::ule(wide(v[1]), lift_from(v[1], v[0])) && z3::ule(lift_from(v[1], v[0]), lift_from(v[1], v[2]));
        return z3::implies(flight_bounded(v[1], v[2]), ack_acceptable(v[0], v[1], v[2]) == dup_too);
      },
      [](const V& v) { return ack_acceptable(v[0], v[1], v[2]); },
      [](const std::vector<std::uint32_t>& x) { return tcpclose::ack_acceptable(x[0], x[1], x[2]); }});
  ls.push_back(Lemma{
      "ack-fifth-check",
      "step()'s fifth check in synchronized states, first \"SEG.ACK > SND.NXT: ACK and drop\" then \"SND.UNA < "
      "SEG.ACK: advance\", advances SND.UNA exactly when SND.UNA < SEG.ACK =< SND.NXT, with no exception, "
      "whenever under 2^31 octets are in flight",
      "RFC 9293 §3.10.7.4 fifth check; core on_ack()",
      {"ack", "una", "nxt"},
      [](const V& v) {
        return z3::implies(flight_bounded(v[1], v[2]),
                           (!seq_lt(v[2], v[0]) && seq_lt(v[1], v[0])) == ack_def(v[0], v[1], v[2]));
      },
      "the same check with plain unsigned comparisons, una < ack =< nxt",
      [](const V& v) {
        return z3::implies(flight_bounded(v[1], v[2]),
                           (z3::ult(v[1], v[0]) && z3::ule(v[0], v[2])) == ack_def(v[0], v[1], v[2]));
      },
      [](const V& v) { return !seq_lt(v[2], v[0]) && seq_lt(v[1], v[0]); },
      [](const std::vector<std::uint32_t>& x) { return !tcpclose::seq_gt(x[0], x[2]) && tcpclose::seq_lt(x[1], x[0]); }});
  ls.push_back(Lemma{
      "paws-r1",
      "paws_rejects(TSval, TS.Recent) holds exactly when TSval is older than TS.Recent in RFC 1982 serial order, "
      "and at the undefined distance 2^31 (rejected: a timestamp that cannot be ordered is not trusted)",
      "RFC 7323 §5.3 R1 (\"SEG.TSval < TS.Recent ... treat the arriving segment as not acceptable\"), "
      "timestamps compared as serial numbers (RFC 7323 §5.2, RFC 1982 §3.2)",
      {"ts_val", "ts_recent"},
      [](const V& v) { return paws_rejects(v[0], v[1]) == (rfc1982_lt(v[0], v[1]) || rfc1982_undefined(v[0], v[1])); },
      "PAWS with a plain unsigned comparison, TSval < TS.Recent as integers",
      [](const V& v) { return paws_rejects(v[0], v[1]) == z3::ult(v[0], v[1]); },
      [](const V& v) { return paws_rejects(v[0], v[1]); },
      [](const std::vector<std::uint32_t>& x) { return tcpclose::paws_rejects(x[0], x[1]); }});
}

std::vector<Lemma> build() {
  std::vector<Lemma> ls;
  add_serial_lemmas(ls);
  add_window_lemmas(ls);
  add_ack_and_paws_lemmas(ls);
  return ls;
}

// A pure bitvector problem: simplify, bit-blast and SAT-solve is 5-30x faster than Z3's default
// strategy on these (measured: segment-acceptable-table6 7.5 s -> 1.4 s).
z3::solver bv_solver(z3::context& c, double timeout_seconds) {
  const z3::tactic t = z3::tactic(c, "simplify") & z3::tactic(c, "solve-eqs") & z3::tactic(c, "bit-blast") &
                       z3::tactic(c, "sat");
  const unsigned ms = timeout_seconds > 0 ? static_cast<unsigned>(timeout_seconds * 1000.0) : 0u;
  return ms > 0 ? z3::try_for(t, ms).mk_solver() : t.mk_solver();
}

V constants(z3::context& c, const Lemma& l) {
  V v;
  for (const std::string& n : l.vars) v.push_back(c.bv_const(n.c_str(), 32));
  return v;
}

}  // namespace

const std::vector<Lemma>& lemmas() {
  static const std::vector<Lemma> all = build();
  return all;
}

const Lemma* find_lemma(std::string_view name) {
  for (const Lemma& l : lemmas())
    if (l.name == name) return &l;
  return nullptr;
}

LemmaResult check_lemma(const Lemma& l, bool control, const LemmaOptions& o) {
  LemmaResult r;
  r.name = l.name;
  r.control = control;
  z3::context c;
  try {
    const V v = constants(c, l);
    z3::solver s = bv_solver(c, o.timeout_seconds);
    s.add(!(control ? l.control : l.claim)(v));
    const auto t0 = std::chrono::steady_clock::now();
    r.answer = from_z3(s.check());
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r.answer == SmtAnswer::Sat) {
      const z3::model m = s.get_model();
      for (const z3::expr& x : v) r.counter_model.push_back(static_cast<std::uint32_t>(m.eval(x, true).get_numeral_uint64()));
    }
    if (o.recheck_cvc5) {
      Cvc5Options co = Cvc5Options::labelled(l.name + (control ? "-control" : ""));
      co.timeout_seconds = o.timeout_seconds;
      r.cvc5 = recheck_with_cvc5(s, r.answer, co);
    }
  } catch (const z3::exception& e) {
    r.answer = SmtAnswer::Error;
    r.cvc5.detail = fmt::format("z3: {}", e.msg());
  }
  return r;
}

namespace {
std::vector<bool> evaluate(const Lemma& l, const Lemma::Build& b, const std::vector<std::vector<std::uint32_t>>& values) {
  z3::context c;
  const V v = constants(c, l);
  const z3::expr t = b(v);
  std::vector<bool> out;
  out.reserve(values.size());
  for (const std::vector<std::uint32_t>& x : values) {
    z3::expr_vector from(c), to(c);
    for (std::size_t i = 0; i < v.size() && i < x.size(); ++i) {
      from.push_back(v[i]);
      to.push_back(c.bv_val(x[i], 32));
    }
    z3::expr e = t;
    out.push_back(e.substitute(from, to).simplify().is_true());
  }
  return out;
}
}  // namespace

std::vector<bool> subject_at(const Lemma& l, const std::vector<std::vector<std::uint32_t>>& values) {
  return evaluate(l, l.subject, values);
}

std::vector<bool> claim_at(const Lemma& l, bool control, const std::vector<std::vector<std::uint32_t>>& values) {
  return evaluate(l, control ? l.control : l.claim, values);
}

std::string describe_values(const Lemma& l, const std::vector<std::uint32_t>& values) {
  std::string s;
  for (std::size_t i = 0; i < l.vars.size() && i < values.size(); ++i)
    s += fmt::format("{}{}={:#010x}", i ? " " : "", l.vars[i], values[i]);
  return s;
}

}  // namespace tcpclose::proofs
