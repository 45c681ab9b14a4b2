// T(s, i, s', out): core/step() as Z3 terms over 32-bit bitvectors, with enumeration sorts for
// states, input kinds and timers, derived from the core's own code for any Config.
// Rule: no rule of step() is written here; proofs.matches_core tests the derivation against step().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include <z3++.h>

#include <tcpclose/core.hpp>

namespace tcpclose::proofs {

// The sorts and constants of one Z3 context.
class Vocabulary {
 public:
  explicit Vocabulary(z3::context& ctx);
  z3::context& ctx() const { return *ctx_; }
  z3::expr state(State s) const { return state_consts_[static_cast<unsigned>(s)](); }
  z3::expr kind(InputKind k) const { return kind_consts_[static_cast<unsigned>(k)](); }
  z3::expr timer(Timer t) const { return timer_consts_[static_cast<unsigned>(t)](); }
  z3::expr bv32(std::uint32_t v) const { return ctx_->bv_val(v, 32); }
  z3::expr bv8(std::uint32_t v) const { return ctx_->bv_val(v & 0xFF, 8); }
  z3::expr boolean(bool b) const { return ctx_->bool_val(b); }
  const z3::sort& state_sort() const { return state_sort_; }
  const z3::sort& kind_sort() const { return kind_sort_; }
  const z3::sort& timer_sort() const { return timer_sort_; }
  // Decoding a model's value of an enumeration constant.
  State state_of(const z3::expr& value) const;
  InputKind kind_of(const z3::expr& value) const;
  Timer timer_of(const z3::expr& value) const;

 private:
  z3::context* ctx_;
  z3::func_decl_vector state_consts_, state_testers_, kind_consts_, kind_testers_, timer_consts_, timer_testers_;
  z3::sort state_sort_, kind_sort_, timer_sort_;
};

// Every field of Tcb, one term each (Err as an 8-bit code, flags as Booleans).
struct SymTcb {
  z3::expr state, so_error, retries;
  z3::expr fin_sent, fin_acked, fin_rcvd, ts_ok, orphan, rd_shut, wr_shut, passive, was_synced;
  z3::expr iss, irs, snd_una, snd_nxt, snd_wnd, rcv_nxt, rcv_wnd, fin_seq, ts_recent, last_ack_sent, rcv_unread;
  std::array<z3::expr, kTimerCount> deadline;
  z3::expr rtt_timing, rtt_time, srtt, rttvar;  // RFC 6298 estimation (Config::rtt_estimate)
  z3::expr sack_ok, tlp_sent;                   // Config::tail_loss_probe
  z3::expr oow_ack_at;                          // Config::oow_ack_interval
  z3::expr data_rcvd;                           // Config::delayed_ack LinuxFin
};

struct SymSegment {
  z3::expr seq, ack, len, wnd, ts_val, ts_ecr, flags, has_ts, sack_perm;
};

struct SymInput {
  z3::expr kind, timer, how, now, n, iss;
  SymSegment seg;
};

// The output of a step, projected: the TCB after it, the one segment sent (all zero when none),
// the verdict, effects and the call's result, and what the application learns. The order of
// Output::actions is not encoded (the core's tests pin it); timer actions show in the deadlines.
struct SymOutput {
  SymTcb tcb;
  z3::expr has_seg;
  SymSegment seg;
  z3::expr verdict, effects, result, result_n;
  z3::expr readable, eof, error, connected;
};

// Fresh constants, named prefix.field.
SymTcb fresh_tcb(const Vocabulary& v, const std::string& prefix);
SymInput fresh_input(const Vocabulary& v, const std::string& prefix);
SymOutput fresh_output(const Vocabulary& v, const std::string& prefix);
SymSegment fresh_segment(const Vocabulary& v, const std::string& prefix);

// Concrete values as terms.
SymTcb lift(const Vocabulary& v, const Tcb& t);
SymInput lift(const Vocabulary& v, const Input& in);
SymSegment lift(const Vocabulary& v, const Segment& s);
// The projection of a concrete Output, as the relation states it.
SymOutput lift(const Vocabulary& v, const Output& o);

// ite(k, a, b), field by field; a field that is one term on both sides stays that term.
z3::expr merge(const z3::expr& k, const z3::expr& a, const z3::expr& b);
SymSegment merge(const z3::expr& k, const SymSegment& a, const SymSegment& b);
SymTcb merge(const z3::expr& k, const SymTcb& a, const SymTcb& b);
SymOutput merge(const z3::expr& k, const SymOutput& a, const SymOutput& b);

z3::expr equal(const SymTcb& a, const SymTcb& b);
z3::expr equal(const SymSegment& a, const SymSegment& b);
z3::expr equal(const SymInput& a, const SymInput& b);
z3::expr equal(const SymOutput& a, const SymOutput& b);

// f(s, i): the output step() computes for (tcb, in) under c, derived from core/'s own rules
// (derive.cpp): step()'s code run on Z3 terms, every path explored and joined under its condition.
// There is no second description of step(): a rule, knob or mutant is written once, in core/.
// delack_timeouts = false leaves a Timer::DelAck timeout out of the terms (it is then read as the
// FIN-WAIT-2 timer's): only for a caller that never fires that timer, a System whose
// Config::delayed_ack is off, so that its relation keeps the terms it had before the timer existed.
// Throws std::runtime_error past max_runs paths; *runs (if given) counts them.
SymOutput derive_step(const Vocabulary& v, const Config& c, const SymTcb& tcb, const SymInput& in,
                      bool delack_timeouts = true, std::size_t* runs = nullptr, std::size_t max_runs = 1000000);

// T(s, i, s', out) as one formula: out == f(s, i).
inline z3::expr transition(const Vocabulary& v, const Config& c, const SymTcb& s, const SymInput& i,
                           const SymOutput& out) {
  return equal(derive_step(v, c, s, i), out);
}

// Reading a model back (for witnesses that are replayed through step()).
Tcb decode(const Vocabulary& v, const z3::model& m, const SymTcb& t);
Input decode(const Vocabulary& v, const z3::model& m, const SymInput& in);
Segment decode(const z3::model& m, const SymSegment& s);

// Serial arithmetic as terms, written from the RFC text they cite and proved against it by the
// lemmas (lemmas.hpp). The first three are also the derivation's primitives (seq.hpp's templates
// run on them); the last three are the invariants' vocabulary, a specification written apart
// from seq.hpp's, which matches_core and the lemmas tie together.
z3::expr seq_lt(const z3::expr& a, const z3::expr& b);
z3::expr seq_le(const z3::expr& a, const z3::expr& b);
z3::expr seq_in_window(const z3::expr& x, const z3::expr& lo, const z3::expr& len);
z3::expr segment_acceptable(const z3::expr& seq, const z3::expr& seg_len, const z3::expr& rcv_nxt,
                            const z3::expr& rcv_wnd);
z3::expr ack_acceptable(const z3::expr& ack, const z3::expr& una, const z3::expr& nxt);
z3::expr paws_rejects(const z3::expr& ts_val, const z3::expr& ts_recent);

}  // namespace tcpclose::proofs
