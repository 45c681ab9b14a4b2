// Many UNSAT queries that share most of their terms, asked together on one incremental,
// bit-blasted solver (together.hpp). The users are CHC's split step check (71 queries in the
// one-slot world, each the same invariant and transition with one conjunct negated) and
// k-induction's split step case (its 25 goals there).
#include "tcpclose/proofs/together.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

namespace tcpclose::proofs {
namespace {

bool is_enum(const z3::sort& s) { return s.is_datatype(); }
unsigned count(const z3::sort& s) { return Z3_get_datatype_sort_num_constructors(s.ctx(), s); }
unsigned width(const z3::sort& s) {
  unsigned w = 1;
  while ((1u << w) < count(s)) ++w;
  return w;
}

}  // namespace

z3::expr EnumLowering::operator()(const z3::expr& e) {
  const auto it = memo_.find(e.id());
  if (it != memo_.end()) return it->second.second;
  z3::expr r = rewrite(e);
  memo_.emplace(e.id(), std::make_pair(e, r));
  return r;
}

unsigned EnumLowering::index_of(const z3::func_decl& d, const z3::sort& s, bool tester) const {
  for (unsigned i = 0; i < count(s); ++i) {
    const Z3_func_decl c = tester ? Z3_get_datatype_sort_recognizer(ctx_, s, i)
                                  : Z3_get_datatype_sort_constructor(ctx_, s, i);
    if (z3::eq(z3::func_decl(ctx_, c), d)) return i;
  }
  throw std::runtime_error("lowering: " + d.name().str() + " is not of its sort");
}

z3::expr EnumLowering::rewrite(const z3::expr& e) {
  if (!e.is_app()) throw std::runtime_error("lowering: a quantifier or bound variable");
  const z3::func_decl d = e.decl();
  if (d.decl_kind() == Z3_OP_DT_CONSTRUCTOR && is_enum(e.get_sort()))
    return ctx_.bv_val(index_of(d, e.get_sort(), false), width(e.get_sort()));
  if (d.decl_kind() == Z3_OP_DT_RECOGNISER || d.decl_kind() == Z3_OP_DT_IS) {
    const z3::sort s = e.arg(0).get_sort();
    return (*this)(e.arg(0)) == ctx_.bv_val(index_of(d, s, true), width(s));
  }
  if (d.decl_kind() == Z3_OP_UNINTERPRETED && e.num_args() == 0 && is_enum(e.get_sort())) {
    const z3::sort s = e.get_sort();
    z3::expr c = ctx_.bv_const((d.name().str() + "!bv").c_str(), width(s));
    ranges_.push_back(z3::ule(c, ctx_.bv_val(count(s) - 1, width(s))));
    constants_.emplace_back(e, c);
    return c;
  }
  return e.num_args() == 0 ? e : rebuilt(e);
}

// An application over lowered arguments. Equality and if-then-else are rebuilt for the
// arguments' new sort; any other function must take no enumeration (else it cannot be lowered).
z3::expr EnumLowering::rebuilt(const z3::expr& e) {
  z3::expr_vector args(ctx_);
  bool changed = false;
  for (unsigned i = 0; i < e.num_args(); ++i) {
    args.push_back((*this)(e.arg(i)));
    changed = changed || !z3::eq(args.back(), e.arg(i));
  }
  if (!changed) return e;
  const z3::func_decl d = e.decl();
  if (d.decl_kind() == Z3_OP_EQ) return args[0] == args[1];
  if (d.decl_kind() == Z3_OP_DISTINCT) return z3::distinct(args);
  if (d.decl_kind() == Z3_OP_ITE) return z3::ite(args[0], args[1], args[2]);
  for (unsigned i = 0; i < e.num_args(); ++i)
    if (is_enum(e.arg(i).get_sort())) throw std::runtime_error("lowering: " + d.name().str() + " takes an enumeration");
  return d(args);
}

// Z3's qfbv tactic: on pure bit-vectors it bit-blasts to the SAT solver after its own
// simplifications. A leaner pipeline (simplify, solve-eqs, bit-blast, sat) was faster on some
// step goals and ran past 200 s on BMC's depth-6 query of time-wait-duration, which qfbv takes 12 s.
BitBlasted::BitBlasted(z3::context& ctx)
    : ctx_(ctx), lower_(ctx), written_(ctx), blasted_(z3::tactic(ctx, "qfbv").mk_solver()), params_(ctx) {}

void BitBlasted::add(const z3::expr& e) {
  written_.add(e);
  if (!lowered_) { blasted_.add(e); return; }
  try {
    blasted_.add(lower_(e));
  } catch (const std::runtime_error&) {  // not lowerable: the whole query as written
    lowered_ = false;
    blasted_ = z3::tactic(ctx_, "qfbv").mk_solver();
    for (const z3::expr& w : written_.assertions()) blasted_.add(w);
  }
}

void BitBlasted::set_timeout_ms(unsigned ms) { params_.set("timeout", ms); }
void BitBlasted::set_seed(unsigned seed) { params_.set("random_seed", seed); }

z3::check_result BitBlasted::check() {
  if (lowered_)
    for (const z3::expr& r : lower_.ranges()) blasted_.add(r);
  blasted_.set(params_);
  return blasted_.check();
}

std::string BitBlasted::reason_unknown() { return blasted_.reason_unknown(); }

// The SAT solver's model, with each lowered constant given back its enumeration value and every
// other interpretation copied as it is.
z3::model BitBlasted::get_model() {
  const z3::model m = blasted_.get_model();
  if (!lowered_) return m;
  z3::model out(ctx_);
  for (unsigned i = 0; i < m.num_consts(); ++i) {
    z3::func_decl d = m.get_const_decl(i);
    z3::expr v = m.get_const_interp(d);
    out.add_const_interp(d, v);
  }
  for (unsigned i = 0; i < m.num_funcs(); ++i) {
    z3::func_decl f = m.get_func_decl(i);
    const z3::func_interp fi = m.get_func_interp(f);
    z3::expr otherwise = fi.else_value();
    z3::func_interp copy = out.add_func_interp(f, otherwise);
    for (unsigned j = 0; j < fi.num_entries(); ++j) {
      const z3::func_entry en = fi.entry(j);
      z3::expr_vector args(ctx_);
      for (unsigned a = 0; a < en.num_args(); ++a) args.push_back(en.arg(a));
      z3::expr value = en.value();
      copy.add_entry(args, value);
    }
  }
  for (const auto& [written, bv] : lower_.constants()) {
    const z3::sort s = written.get_sort();
    const unsigned index = m.eval(bv, true).get_numeral_uint();
    z3::func_decl d = written.decl();
    z3::expr v = z3::func_decl(ctx_, Z3_get_datatype_sort_constructor(ctx_, s, index))();
    out.add_const_interp(d, v);
  }
  return out;
}

std::vector<bool> unsat_together(z3::context& ctx, const z3::expr& common, const std::vector<z3::expr>& goals,
                                 unsigned timeout_ms, unsigned goal_ms) {
  std::vector<bool> unsat(goals.size(), false);
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  try {
    EnumLowering lower(ctx);
    z3::solver s(ctx, "QF_BV");  // incremental: bit-blasted once, learnt clauses kept between goals
    s.add(lower(common));
    z3::expr_vector lits(ctx);
    for (std::size_t i = 0; i < goals.size(); ++i) {
      lits.push_back(ctx.bool_const(("together!" + std::to_string(i)).c_str()));
      s.add(z3::implies(lits.back(), lower(goals[i])));
    }
    for (const z3::expr& r : lower.ranges()) s.add(r);
    for (std::size_t i = 0; i < goals.size(); ++i) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      z3::params p(ctx);
      p.set("timeout", std::min(goal_ms, static_cast<unsigned>(left.count())));
      s.set(p);
      z3::expr_vector a(ctx);
      a.push_back(lits[static_cast<unsigned>(i)]);
      const z3::check_result cr = s.check(a);
      unsat[i] = cr == z3::unsat;
      if (cr == z3::sat) break;  // the caller stops at this goal too: the ones after it may never be asked
    }
  } catch (const std::runtime_error&) {
    return std::vector<bool>(goals.size(), false);
  } catch (const z3::exception&) {
    return std::vector<bool>(goals.size(), false);
  }
  return unsat;
}

}  // namespace tcpclose::proofs
