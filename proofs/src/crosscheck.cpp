// proofs.matches_core's engine (see crosscheck.hpp): each case fixes (s, i), then asks whether T admits
// step()'s output and whether it admits any other, in push/pop scopes.
#include "tcpclose/proofs/crosscheck.hpp"

#include <optional>
#include <random>

#include <fmt/format.h>

#include "tcpclose/proofs/encoding.hpp"

namespace tcpclose::proofs {

// Two ways to ask, both of the derived relation. Instantiated: T built at the concrete (s, i) of the
// case, so branches on data fold while it builds, and an output that folds to step()'s needs no
// solver (check()); a mismatch still goes to the solver, for its model. Symbolic: one T over symbolic
// s, i, out, with s and i fixed by equalities (4 ms a case); this exercises the if-then-else
// merging that BMC, k-induction and CHC rely on. The classes use the first, random cases the second.
struct CrossCheck::Impl {
  Config step_cfg, rel_cfg;
  z3::context ctx;
  Vocabulary v{ctx};
  z3::solver solver{ctx};
  SymOutput out = fresh_output(v, "out");
  bool symbolic_ready = false;
  z3::solver sym{ctx};
  SymTcb s = fresh_tcb(v, "s");
  SymInput i = fresh_input(v, "i");
};

CrossCheck::CrossCheck(const Config& step_config, const Config& relation_config) : impl_(std::make_unique<Impl>()) {
  impl_->step_cfg = step_config;
  impl_->rel_cfg = relation_config;
}
CrossCheck::~CrossCheck() = default;

CaseResult CrossCheck::check(const Tcb& t, const Input& in, bool symbolic) {
  Impl& m = *impl_;
  const Output o = step(t, in, m.step_cfg);
  const SymOutput expected = lift(m.v, o);
  CaseResult r;
  // Instantiated at a concrete (s, i), T is o == f(s, i), and f(s, i) is a term over constants:
  // when it simplifies to step()'s output, T admits that output and no other, with no solver.
  // Anything else (a mismatch, a term that does not fold) is asked of the solver below.
  std::optional<SymOutput> f;
  if (!symbolic) {
    f = derive_step(m.v, m.rel_cfg, lift(m.v, t), lift(m.v, in));
    if (equal(*f, expected).simplify().is_true()) {
      r.admits_step = true;
      return r;
    }
  }
  if (symbolic && !m.symbolic_ready) {
    m.sym.add(transition(m.v, m.rel_cfg, m.s, m.i, m.out));
    m.symbolic_ready = true;
  }
  z3::solver& solver = symbolic ? m.sym : m.solver;
  solver.push();
  if (symbolic) {
    solver.add(equal(m.s, lift(m.v, t)));
    solver.add(equal(m.i, lift(m.v, in)));
  } else {
    solver.add(equal(*f, m.out));  // T at (s, i), from the f built above
  }
  solver.push();
  solver.add(equal(m.out, expected));
  r.admits_step = solver.check() == z3::sat;
  solver.pop();
  solver.push();
  solver.add(!equal(m.out, expected));
  r.admits_other = solver.check() == z3::sat;
  if (r.admits_other) {
    const z3::model model = solver.get_model();
    const Tcb got = decode(m.v, model, m.out.tcb);
    const Segment seg = decode(model, m.out.seg);
    r.detail = fmt::format(
        "relation says: state {} snd_una {} snd_nxt {} rcv_nxt {} deadlines {}/{}/{}/{} retries {} so_error {}; "
        "sent {} flags {:#x} seq {} ack {} len {}; verdict {} effects {:#x} result {} result_n {}\n"
        "step() says:   state {} snd_una {} snd_nxt {} rcv_nxt {} deadlines {}/{}/{}/{} retries {} so_error {}; "
        "sent {} flags {:#x} seq {} ack {} len {}; verdict {} effects {:#x} result {} result_n {}",
        name(got.state), got.snd_una, got.snd_nxt, got.rcv_nxt, got.deadline[0], got.deadline[1], got.deadline[2], got.deadline[3],
        got.retries, static_cast<int>(got.so_error), model.eval(m.out.has_seg, true).is_true(), seg.flags, seg.seq,
        seg.ack, seg.len, model.eval(m.out.verdict, true).get_numeral_uint(),
        model.eval(m.out.effects, true).get_numeral_uint(), model.eval(m.out.result, true).get_numeral_uint(),
        model.eval(m.out.result_n, true).get_numeral_uint(), name(o.tcb.state), o.tcb.snd_una, o.tcb.snd_nxt,
        o.tcb.rcv_nxt, o.tcb.deadline[0], o.tcb.deadline[1], o.tcb.deadline[2], o.tcb.deadline[3], o.tcb.retries,
        static_cast<int>(o.tcb.so_error), o.actions.has_seg, o.actions.has_seg ? o.actions.seg.flags : 0,
        o.actions.has_seg ? o.actions.seg.seq : 0, o.actions.has_seg ? o.actions.seg.ack : 0,
        o.actions.has_seg ? o.actions.seg.len : 0, static_cast<int>(o.verdict), o.effects,
        static_cast<int>(o.result), o.result_n);
  }
  solver.pop();
  solver.pop();
  return r;
}

Tcb shifted(const Tcb& t, std::uint32_t d) {
  Tcb r = t;
  if (t.state == State::Closed || t.state == State::Listen) return r;
  r.iss += d; r.irs += d; r.snd_una += d; r.snd_nxt += d; r.rcv_nxt += d; r.fin_seq += d; r.last_ack_sent += d;
  return r;
}

Input shifted(const Input& in, const Tcb& t, std::uint32_t d) {
  Input r = in;
  r.iss += d;
  if (in.kind == InputKind::Segment) {
    r.seg.seq += d;
    if (r.seg.has(flag::ACK)) r.seg.ack += d;
  }
  (void)t;
  return r;
}

namespace {
std::string describe(const Tcb& t, const Input& in) {
  return fmt::format("{} (snd_una {} snd_nxt {} rcv_nxt {} rcv_wnd {}) <- {} flags {:#x} seq {} ack {} len {} "
                     "timer {} now {}",
                     name(t.state), t.snd_una, t.snd_nxt, t.rcv_nxt, t.rcv_wnd, name(in.kind), in.seg.flags,
                     in.seg.seq, in.seg.ack, in.seg.len, name(in.timer), in.now);
}

// A random TCB and input: every field drawn, sequence numbers mostly near each other (where
// the rules branch) and sometimes anywhere in the 32-bit space. The order of the draws is
// fixed: a seed names the same cases as before this was a function of its own.
void random_case(std::mt19937_64& rng, std::mt19937_64& delack_rng, Tcb& t, Input& in) {
  auto u32 = [&] { return static_cast<std::uint32_t>(rng()); };
  auto near = [&](std::uint32_t base) { return (rng() % 4 == 0) ? u32() : base + static_cast<std::uint32_t>(rng() % 7) - 3; };
  auto coin = [&] { return (rng() & 1) != 0; };
  t.state = kAllStates[rng() % kStateCount];
  t.so_error = coin() ? Err::None : static_cast<Err>(rng() % 13);
  t.retries = static_cast<std::uint8_t>(rng() % 10);
  t.fin_sent = coin(); t.fin_acked = coin(); t.fin_rcvd = coin(); t.ts_ok = coin(); t.orphan = coin();
  t.rd_shut = coin(); t.wr_shut = coin(); t.passive = coin(); t.was_synced = coin();
  const std::uint32_t base = u32();
  t.iss = near(base); t.snd_una = near(base); t.snd_nxt = near(base); t.fin_seq = near(base);
  const std::uint32_t peer = u32();
  t.irs = near(peer); t.rcv_nxt = near(peer); t.last_ack_sent = near(peer);
  t.snd_wnd = u32();
  t.rcv_wnd = coin() ? 0 : static_cast<std::uint32_t>(rng() % 70000);
  t.ts_recent = u32(); t.rcv_unread = coin() ? 0 : static_cast<std::uint32_t>(rng() % 300);
  for (std::size_t k = 0; k < 3; ++k) t.deadline[k] = coin() ? kNever : static_cast<std::uint32_t>(rng() % 20);
  // The delayed-ACK timer from its own generator, so that the other fields' draws are those
  // from before the timer existed.
  t.deadline[static_cast<std::size_t>(Timer::DelAck)] = delack_rng() % 2 ? kNever : static_cast<std::uint32_t>(delack_rng() % 20);
  // RFC 6298 state: small values (where rto_floor and the variance floor bite), larger ones
  // (where the backoff meets rto_max), and sometimes anything.
  auto rtt = [&] { return static_cast<std::uint16_t>(coin() ? 0u : rng() % 4 == 0 ? u32() : rng() % (coin() ? 64 : 40000)); };
  t.rtt_timing = coin(); t.rtt_time = static_cast<std::uint32_t>(rng() % 20); t.srtt = rtt(); t.rttvar = rtt();
  t.sack_ok = coin(); t.tlp_sent = coin();
  t.oow_ack_at = coin() ? 0 : static_cast<std::uint32_t>(rng() % 20);
  in.kind = static_cast<InputKind>(rng() % kInputKindCount);
  in.timer = static_cast<Timer>(rng() % kTimerCount);
  in.how = static_cast<Shut>(rng() % 3);
  in.now = static_cast<std::uint32_t>(rng() % 20);
  in.n = static_cast<std::uint32_t>(rng() % 200);
  in.iss = near(base);
  in.seg.flags = static_cast<std::uint8_t>(rng() & 0x1F);
  in.seg.seq = near(t.rcv_nxt); in.seg.ack = near(t.snd_nxt);
  in.seg.len = coin() ? 0 : static_cast<std::uint32_t>(rng() % 200);
  in.seg.wnd = u32(); in.seg.has_ts = coin(); in.seg.ts_val = near(t.ts_recent); in.seg.ts_ecr = u32();
  in.seg.sack_perm = coin();
}

}  // namespace

Tally CrossCheck::run_all(const std::vector<std::uint32_t>& offsets, std::uint32_t random, std::uint64_t seed) {
  Tally tally;
  auto one = [&](const Tcb& t, const Input& in, bool symbolic) {
    const CaseResult r = check(t, in, symbolic);
    ++tally.cases;
    if (r.ok()) return;
    ++tally.mismatches;
    if (tally.first.size() < 5)
      tally.first.push_back(describe(t, in) + (r.admits_step ? "" : ": T rejects step()'s output") +
                            (r.admits_other ? ": T admits another output\n" + r.detail : ""));
  };
  const Config& c = impl_->step_cfg;
  for (State st : kAllStates)
    for (const classes::InputClass& k : classes::all_classes()) {
      const Tcb t = classes::canonical_tcb(st, c);
      const Input in = classes::make_input(k, t);
      for (std::uint32_t d : offsets) one(shifted(t, d), shifted(in, t, d), false);
    }
  std::mt19937_64 rng(seed);
  std::mt19937_64 delack_rng(seed ^ 0xD1ACu);
  for (std::uint32_t n = 0; n < random; ++n) {
    Tcb t;
    Input in;
    random_case(rng, delack_rng, t, in);
    one(t, in, true);
  }
  return tally;
}

}  // namespace tcpclose::proofs
