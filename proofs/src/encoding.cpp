// The symbolic step (see encoding.hpp): the rules of core/ transcribed into Z3 terms.
// Rule: one function per core rule, in the core's order, so a reader can hold the two side by
// side; a branch on data is an if-then-else of terms, a branch on a knob is a C++ if.
#include "tcpclose/proofs/encoding.hpp"

#include <functional>
#include <utility>

namespace tcpclose::proofs {

// ----- vocabulary ---------------------------------------------------------------------------

namespace {
z3::sort make_enum(z3::context& ctx, const char* name, std::initializer_list<const char*> names,
                   z3::func_decl_vector& consts, z3::func_decl_vector& testers) {
  std::vector<const char*> n(names);
  return ctx.enumeration_sort(name, static_cast<unsigned>(n.size()), n.data(), consts, testers);
}
}  // namespace

Vocabulary::Vocabulary(z3::context& ctx)
    : ctx_(&ctx), state_consts_(ctx), state_testers_(ctx), kind_consts_(ctx), kind_testers_(ctx),
      timer_consts_(ctx), timer_testers_(ctx),
      state_sort_(make_enum(ctx, "State",
                            {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
                             "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"},
                            state_consts_, state_testers_)),
      kind_sort_(make_enum(ctx, "InputKind",
                           {"segment", "listen", "connect", "send", "receive", "shutdown", "close", "abort",
                            "timeout"},
                           kind_consts_, kind_testers_)),
      timer_sort_(make_enum(ctx, "Timer", {"rexmit", "time-wait", "fin-wait-2", "delayed-ack"}, timer_consts_, timer_testers_)) {}

State Vocabulary::state_of(const z3::expr& value) const {
  for (unsigned i = 0; i < kStateCount; ++i)
    if (z3::eq(value, state_consts_[i]())) return static_cast<State>(i);
  return State::Closed;
}
InputKind Vocabulary::kind_of(const z3::expr& value) const {
  for (unsigned i = 0; i < kInputKindCount; ++i)
    if (z3::eq(value, kind_consts_[i]())) return static_cast<InputKind>(i);
  return InputKind::Segment;
}
Timer Vocabulary::timer_of(const z3::expr& value) const {
  for (unsigned i = 0; i < kTimerCount; ++i)
    if (z3::eq(value, timer_consts_[i]())) return static_cast<Timer>(i);
  return Timer::Rexmit;
}

// ----- serial arithmetic --------------------------------------------------------------------

z3::expr seq_lt(const z3::expr& a, const z3::expr& b) { return z3::slt(a - b, a.ctx().bv_val(0, 32)); }
z3::expr seq_le(const z3::expr& a, const z3::expr& b) { return z3::sle(a - b, a.ctx().bv_val(0, 32)); }
z3::expr seq_in_window(const z3::expr& x, const z3::expr& lo, const z3::expr& len) { return z3::ult(x - lo, len); }
z3::expr segment_acceptable(const z3::expr& seq, const z3::expr& seg_len, const z3::expr& rcv_nxt,
                            const z3::expr& rcv_wnd) {
  z3::context& c = seq.ctx();
  const z3::expr zero = c.bv_val(0, 32), one = c.bv_val(1, 32);
  const z3::expr empty = z3::ite(rcv_wnd == zero, seq == rcv_nxt, seq_in_window(seq, rcv_nxt, rcv_wnd));
  const z3::expr full = rcv_wnd != zero && (seq_in_window(seq, rcv_nxt, rcv_wnd) ||
                                            seq_in_window(seq + seg_len - one, rcv_nxt, rcv_wnd));
  return z3::ite(seg_len == zero, empty, full);
}
z3::expr ack_acceptable(const z3::expr& ack, const z3::expr& una, const z3::expr& nxt) {
  return seq_lt(una, ack) && seq_le(ack, nxt);
}
z3::expr paws_rejects(const z3::expr& ts_val, const z3::expr& ts_recent) { return seq_lt(ts_val, ts_recent); }

// ----- constants, lifting, equality ---------------------------------------------------------

namespace {
z3::expr bv(const Vocabulary& v, const std::string& name, unsigned bits) { return v.ctx().bv_const(name.c_str(), bits); }
z3::expr b(const Vocabulary& v, const std::string& name) { return v.ctx().bool_const(name.c_str()); }
}  // namespace

SymTcb fresh_tcb(const Vocabulary& v, const std::string& p) {
  return SymTcb{v.ctx().constant((p + ".state").c_str(), v.state_sort()),
                bv(v, p + ".so_error", 8), bv(v, p + ".retries", 8),
                b(v, p + ".fin_sent"), b(v, p + ".fin_acked"), b(v, p + ".fin_rcvd"), b(v, p + ".ts_ok"),
                b(v, p + ".orphan"), b(v, p + ".rd_shut"), b(v, p + ".wr_shut"), b(v, p + ".passive"),
                b(v, p + ".was_synced"),
                bv(v, p + ".iss", 32), bv(v, p + ".irs", 32), bv(v, p + ".snd_una", 32), bv(v, p + ".snd_nxt", 32),
                bv(v, p + ".snd_wnd", 32), bv(v, p + ".rcv_nxt", 32), bv(v, p + ".rcv_wnd", 32),
                bv(v, p + ".fin_seq", 32), bv(v, p + ".ts_recent", 32), bv(v, p + ".last_ack_sent", 32),
                bv(v, p + ".rcv_unread", 32),
                {bv(v, p + ".deadline.rexmit", 32), bv(v, p + ".deadline.time_wait", 32),
                 bv(v, p + ".deadline.fin_wait2", 32), bv(v, p + ".deadline.delayed_ack", 32)},
                b(v, p + ".rtt_timing"), bv(v, p + ".rtt_time", 32), bv(v, p + ".srtt", 16),
                bv(v, p + ".rttvar", 16), b(v, p + ".sack_ok"), b(v, p + ".tlp_sent"), bv(v, p + ".oow_ack_at", 32),
                b(v, p + ".data_rcvd")};
}

SymSegment fresh_segment(const Vocabulary& v, const std::string& p) {
  return SymSegment{bv(v, p + ".seq", 32), bv(v, p + ".ack", 32), bv(v, p + ".len", 32), bv(v, p + ".wnd", 32),
                    bv(v, p + ".ts_val", 32), bv(v, p + ".ts_ecr", 32), bv(v, p + ".flags", 8),
                    b(v, p + ".has_ts"), b(v, p + ".sack_perm")};
}

SymInput fresh_input(const Vocabulary& v, const std::string& p) {
  return SymInput{v.ctx().constant((p + ".kind").c_str(), v.kind_sort()),
                  v.ctx().constant((p + ".timer").c_str(), v.timer_sort()),
                  bv(v, p + ".how", 8), bv(v, p + ".now", 32), bv(v, p + ".n", 32), bv(v, p + ".iss", 32),
                  fresh_segment(v, p + ".seg")};
}

SymOutput fresh_output(const Vocabulary& v, const std::string& p) {
  return SymOutput{fresh_tcb(v, p + ".tcb"), b(v, p + ".has_seg"), fresh_segment(v, p + ".seg"),
                   bv(v, p + ".verdict", 8), bv(v, p + ".effects", 8), bv(v, p + ".result", 8),
                   bv(v, p + ".result_n", 32), bv(v, p + ".readable", 32), b(v, p + ".eof"),
                   bv(v, p + ".error", 8), b(v, p + ".connected")};
}

SymTcb lift(const Vocabulary& v, const Tcb& t) {
  auto e = [&](auto x) { return v.bv8(static_cast<std::uint32_t>(x)); };
  return SymTcb{v.state(t.state), e(t.so_error), v.bv8(t.retries),
                v.boolean(t.fin_sent), v.boolean(t.fin_acked), v.boolean(t.fin_rcvd), v.boolean(t.ts_ok),
                v.boolean(t.orphan), v.boolean(t.rd_shut), v.boolean(t.wr_shut), v.boolean(t.passive),
                v.boolean(t.was_synced),
                v.bv32(t.iss), v.bv32(t.irs), v.bv32(t.snd_una), v.bv32(t.snd_nxt), v.bv32(t.snd_wnd),
                v.bv32(t.rcv_nxt), v.bv32(t.rcv_wnd), v.bv32(t.fin_seq), v.bv32(t.ts_recent),
                v.bv32(t.last_ack_sent), v.bv32(t.rcv_unread),
                {v.bv32(t.deadline[0]), v.bv32(t.deadline[1]), v.bv32(t.deadline[2]), v.bv32(t.deadline[3])},
                v.boolean(t.rtt_timing), v.bv32(t.rtt_time), v.ctx().bv_val(t.srtt, 16), v.ctx().bv_val(t.rttvar, 16),
                v.boolean(t.sack_ok), v.boolean(t.tlp_sent), v.bv32(t.oow_ack_at), v.boolean(t.data_rcvd)};
}

SymSegment lift(const Vocabulary& v, const Segment& s) {
  return SymSegment{v.bv32(s.seq), v.bv32(s.ack), v.bv32(s.len), v.bv32(s.wnd), v.bv32(s.ts_val),
                    v.bv32(s.ts_ecr), v.bv8(s.flags), v.boolean(s.has_ts), v.boolean(s.sack_perm)};
}

SymInput lift(const Vocabulary& v, const Input& in) {
  return SymInput{v.kind(in.kind), v.timer(in.timer), v.bv8(static_cast<std::uint32_t>(in.how)), v.bv32(in.now),
                  v.bv32(in.n), v.bv32(in.iss), lift(v, in.seg)};
}

SymOutput lift(const Vocabulary& v, const Output& o) {
  std::uint32_t readable = 0;
  bool eof = false, connected = false;
  Err error = Err::None;
  for (const Action& a : o.actions) {
    switch (a.kind) {
      case ActionKind::Readable: readable = a.n; break;
      case ActionKind::Eof: eof = true; break;
      case ActionKind::Error: error = a.err; break;
      case ActionKind::Connected: connected = true; break;
      case ActionKind::Send: case ActionKind::ArmTimer: case ActionKind::CancelTimer: break;
    }
  }
  const Segment* sent = o.actions.sent();
  return SymOutput{lift(v, o.tcb), v.boolean(sent != nullptr), lift(v, sent ? *sent : Segment{}),
                   v.bv8(static_cast<std::uint32_t>(o.verdict)), v.bv8(o.effects),
                   v.bv8(static_cast<std::uint32_t>(o.result)), v.bv32(o.result_n), v.bv32(readable),
                   v.boolean(eof), v.bv8(static_cast<std::uint32_t>(error)), v.boolean(connected)};
}

// e && a == b, leaving e as it is when a and b are one term: a field that is a constant while
// its knob is off (System::fresh_state) then adds nothing to the relation.
z3::expr and_equal(const z3::expr& e, const z3::expr& a, const z3::expr& b) {
  return z3::eq(a, b) ? e : e && a == b;
}

z3::expr equal(const SymTcb& a, const SymTcb& b) {
  z3::expr e = a.state == b.state && a.so_error == b.so_error && a.retries == b.retries &&
               a.fin_sent == b.fin_sent && a.fin_acked == b.fin_acked && a.fin_rcvd == b.fin_rcvd &&
               a.ts_ok == b.ts_ok && a.orphan == b.orphan && a.rd_shut == b.rd_shut && a.wr_shut == b.wr_shut &&
               a.passive == b.passive && a.was_synced == b.was_synced && a.iss == b.iss && a.irs == b.irs &&
               a.snd_una == b.snd_una && a.snd_nxt == b.snd_nxt && a.snd_wnd == b.snd_wnd &&
               a.rcv_nxt == b.rcv_nxt && a.rcv_wnd == b.rcv_wnd && a.fin_seq == b.fin_seq &&
               a.ts_recent == b.ts_recent && a.last_ack_sent == b.last_ack_sent && a.rcv_unread == b.rcv_unread;
  // and_equal: the delayed-ACK deadline is the constant kNever while Config::delayed_ack is off
  // (System::fresh_state), and then adds nothing.
  for (std::size_t i = 0; i < kTimerCount; ++i) e = and_equal(e, a.deadline[i], b.deadline[i]);
  for (auto [l, r] : {std::pair{&a.rtt_timing, &b.rtt_timing}, {&a.rtt_time, &b.rtt_time}, {&a.srtt, &b.srtt},
                       {&a.rttvar, &b.rttvar}, {&a.sack_ok, &b.sack_ok}, {&a.tlp_sent, &b.tlp_sent},
                       {&a.oow_ack_at, &b.oow_ack_at}, {&a.data_rcvd, &b.data_rcvd}})
    e = and_equal(e, *l, *r);
  return e;
}

z3::expr equal(const SymSegment& a, const SymSegment& b) {
  return and_equal(a.seq == b.seq && a.ack == b.ack && a.len == b.len && a.wnd == b.wnd && a.ts_val == b.ts_val &&
                       a.ts_ecr == b.ts_ecr && a.flags == b.flags && a.has_ts == b.has_ts,
                   a.sack_perm, b.sack_perm);
}

z3::expr equal(const SymInput& a, const SymInput& b) {
  return a.kind == b.kind && a.timer == b.timer && a.how == b.how && a.now == b.now && a.n == b.n &&
         a.iss == b.iss && equal(a.seg, b.seg);
}

z3::expr equal(const SymOutput& a, const SymOutput& b) {
  return equal(a.tcb, b.tcb) && a.has_seg == b.has_seg && equal(a.seg, b.seg) && a.verdict == b.verdict &&
         a.effects == b.effects && a.result == b.result && a.result_n == b.result_n && a.readable == b.readable &&
         a.eof == b.eof && a.error == b.error && a.connected == b.connected;
}

// ----- decoding -----------------------------------------------------------------------------

namespace {
std::uint32_t u32(const z3::model& m, const z3::expr& e) {
  return static_cast<std::uint32_t>(m.eval(e, true).get_numeral_uint64());
}
bool boolean(const z3::model& m, const z3::expr& e) { return m.eval(e, true).is_true(); }
}  // namespace

Segment decode(const z3::model& m, const SymSegment& s) {
  Segment r;
  r.seq = u32(m, s.seq); r.ack = u32(m, s.ack); r.len = u32(m, s.len); r.wnd = u32(m, s.wnd);
  r.ts_val = u32(m, s.ts_val); r.ts_ecr = u32(m, s.ts_ecr);
  r.flags = static_cast<std::uint8_t>(u32(m, s.flags)); r.has_ts = boolean(m, s.has_ts);
  r.sack_perm = boolean(m, s.sack_perm);
  return r;
}

Tcb decode(const Vocabulary& v, const z3::model& m, const SymTcb& t) {
  Tcb r;
  r.state = v.state_of(m.eval(t.state, true));
  r.so_error = static_cast<Err>(u32(m, t.so_error));
  r.retries = static_cast<std::uint8_t>(u32(m, t.retries));
  r.fin_sent = boolean(m, t.fin_sent); r.fin_acked = boolean(m, t.fin_acked); r.fin_rcvd = boolean(m, t.fin_rcvd);
  r.ts_ok = boolean(m, t.ts_ok); r.orphan = boolean(m, t.orphan); r.rd_shut = boolean(m, t.rd_shut);
  r.wr_shut = boolean(m, t.wr_shut); r.passive = boolean(m, t.passive); r.was_synced = boolean(m, t.was_synced);
  r.iss = u32(m, t.iss); r.irs = u32(m, t.irs); r.snd_una = u32(m, t.snd_una); r.snd_nxt = u32(m, t.snd_nxt);
  r.snd_wnd = u32(m, t.snd_wnd); r.rcv_nxt = u32(m, t.rcv_nxt); r.rcv_wnd = u32(m, t.rcv_wnd);
  r.fin_seq = u32(m, t.fin_seq); r.ts_recent = u32(m, t.ts_recent); r.last_ack_sent = u32(m, t.last_ack_sent);
  r.rcv_unread = u32(m, t.rcv_unread);
  for (std::size_t i = 0; i < kTimerCount; ++i) r.deadline[i] = u32(m, t.deadline[i]);
  r.rtt_timing = boolean(m, t.rtt_timing); r.rtt_time = u32(m, t.rtt_time);
  r.srtt = static_cast<std::uint16_t>(u32(m, t.srtt)); r.rttvar = static_cast<std::uint16_t>(u32(m, t.rttvar));
  r.sack_ok = boolean(m, t.sack_ok); r.tlp_sent = boolean(m, t.tlp_sent);
  r.oow_ack_at = u32(m, t.oow_ack_at);
  r.data_rcvd = boolean(m, t.data_rcvd);
  return r;
}

Input decode(const Vocabulary& v, const z3::model& m, const SymInput& in) {
  Input r;
  r.kind = v.kind_of(m.eval(in.kind, true));
  r.timer = v.timer_of(m.eval(in.timer, true));
  r.how = static_cast<Shut>(u32(m, in.how));
  r.now = u32(m, in.now); r.n = u32(m, in.n); r.iss = u32(m, in.iss);
  r.seg = decode(m, in.seg);
  return r;
}

// ----- the symbolic step --------------------------------------------------------------------

// ite(k, a, b), field by field; a field that is one term on both sides stays that term.
z3::expr merge(const z3::expr& k, const z3::expr& a, const z3::expr& b) {
  if (z3::eq(a, b)) return a;
  return z3::ite(k, a, b);
}
SymSegment merge(const z3::expr& k, const SymSegment& a, const SymSegment& b) {
  return SymSegment{merge(k, a.seq, b.seq), merge(k, a.ack, b.ack), merge(k, a.len, b.len), merge(k, a.wnd, b.wnd),
                    merge(k, a.ts_val, b.ts_val), merge(k, a.ts_ecr, b.ts_ecr), merge(k, a.flags, b.flags),
                    merge(k, a.has_ts, b.has_ts), merge(k, a.sack_perm, b.sack_perm)};
}
SymTcb merge(const z3::expr& k, const SymTcb& a, const SymTcb& b) {
  return SymTcb{merge(k, a.state, b.state), merge(k, a.so_error, b.so_error), merge(k, a.retries, b.retries),
                merge(k, a.fin_sent, b.fin_sent), merge(k, a.fin_acked, b.fin_acked),
                merge(k, a.fin_rcvd, b.fin_rcvd), merge(k, a.ts_ok, b.ts_ok), merge(k, a.orphan, b.orphan),
                merge(k, a.rd_shut, b.rd_shut), merge(k, a.wr_shut, b.wr_shut), merge(k, a.passive, b.passive),
                merge(k, a.was_synced, b.was_synced), merge(k, a.iss, b.iss), merge(k, a.irs, b.irs),
                merge(k, a.snd_una, b.snd_una), merge(k, a.snd_nxt, b.snd_nxt), merge(k, a.snd_wnd, b.snd_wnd),
                merge(k, a.rcv_nxt, b.rcv_nxt), merge(k, a.rcv_wnd, b.rcv_wnd), merge(k, a.fin_seq, b.fin_seq),
                merge(k, a.ts_recent, b.ts_recent), merge(k, a.last_ack_sent, b.last_ack_sent),
                merge(k, a.rcv_unread, b.rcv_unread),
                {merge(k, a.deadline[0], b.deadline[0]), merge(k, a.deadline[1], b.deadline[1]),
                 merge(k, a.deadline[2], b.deadline[2]), merge(k, a.deadline[3], b.deadline[3])},
                merge(k, a.rtt_timing, b.rtt_timing), merge(k, a.rtt_time, b.rtt_time), merge(k, a.srtt, b.srtt),
                merge(k, a.rttvar, b.rttvar), merge(k, a.sack_ok, b.sack_ok), merge(k, a.tlp_sent, b.tlp_sent),
                merge(k, a.oow_ack_at, b.oow_ack_at), merge(k, a.data_rcvd, b.data_rcvd)};
}
SymOutput merge(const z3::expr& k, const SymOutput& a, const SymOutput& b) {
  return SymOutput{merge(k, a.tcb, b.tcb), merge(k, a.has_seg, b.has_seg), merge(k, a.seg, b.seg),
                   merge(k, a.verdict, b.verdict), merge(k, a.effects, b.effects), merge(k, a.result, b.result),
                   merge(k, a.result_n, b.result_n), merge(k, a.readable, b.readable), merge(k, a.eof, b.eof),
                   merge(k, a.error, b.error), merge(k, a.connected, b.connected)};
}

namespace {

// The step under construction, as step.hpp's detail::Step: output, input, knobs, and the two
// values the core's rules return (carry on with the next check; 2MSL already restarted).
struct X {
  const Vocabulary* v;
  const Config* c;
  SymInput in;
  SymOutput o;
  z3::expr ack_due, cont, restarted;
  // Config::delayed_ack: step.hpp's Step::fin_delays_ack and data_delays_ack. Whether a DelAck
  // timeout can be the input (encode_step's delack_timeouts).
  z3::expr fin_delays_ack, data_delays_ack;
  bool delack_timeouts = true;

  SymTcb& t() { return o.tcb; }
  const SymSegment& s() const { return in.seg; }
  z3::expr bv32(std::uint32_t x) const { return v->bv32(x); }
  z3::expr bv8(std::uint32_t x) const { return v->bv8(x); }
  z3::expr st(State s) const { return v->state(s); }
  z3::expr is(State s) const { return o.tcb.state == v->state(s); }
  z3::expr has(std::uint8_t f) const { return (in.seg.flags & v->bv8(f)) != v->bv8(0); }
  z3::expr seg_len() const {
    const z3::expr one = bv32(1), zero = bv32(0);
    return in.seg.len + z3::ite(has(flag::SYN), one, zero) + z3::ite(has(flag::FIN), one, zero);
  }
  bool mutant(Mutant m) const { return c->mutant == m; }
  z3::expr armed(Timer tm) const { return o.tcb.deadline[static_cast<std::size_t>(tm)] != v->bv32(kNever); }
};

using proofs::merge;  // the public ones, beside this one for the builder
X merge(const z3::expr& k, const X& a, const X& b) {
  X r = a;
  r.o = merge(k, a.o, b.o);
  r.ack_due = merge(k, a.ack_due, b.ack_due);
  r.cont = merge(k, a.cont, b.cont);
  r.restarted = merge(k, a.restarted, b.restarted);
  r.fin_delays_ack = merge(k, a.fin_delays_ack, b.fin_delays_ack);
  r.data_delays_ack = merge(k, a.data_delays_ack, b.data_delays_ack);
  return r;
}

using Rule = std::function<void(X&)>;
void nothing(X&) {}
// if (k) then(x) else otherwise(x), as terms.
void when(X& x, const z3::expr& k, const Rule& then, const Rule& otherwise = nothing) {
  const z3::expr ks = k.simplify();
  if (ks.is_true()) { then(x); return; }
  if (ks.is_false()) { otherwise(x); return; }
  X a = x, b = x;
  then(a);
  otherwise(b);
  x = merge(ks, a, b);
}
// A switch over the TCB's state: the first case whose states include the current one.
void by_state(X& x, const std::vector<std::pair<std::vector<State>, Rule>>& cases) {
  if (cases.empty()) return;
  z3::expr k = x.v->boolean(false);
  for (State s : cases.front().first) k = k || x.is(s);
  std::vector<std::pair<std::vector<State>, Rule>> rest(cases.begin() + 1, cases.end());
  when(x, k, cases.front().second, [&](X& y) { by_state(y, rest); });
}

// step.hpp: the builder's helpers.
void set_verdict(X& x, Verdict v) { x.o.verdict = x.bv8(static_cast<std::uint32_t>(v)); }
void add_effect(X& x, std::uint8_t e) { x.o.effects = x.o.effects | x.bv8(e); }
void set_result(X& x, Err e) { x.o.result = x.bv8(static_cast<std::uint32_t>(e)); }

void arm(X& x, Timer tm, const z3::expr& len) {
  const z3::expr at = x.in.now + len;
  x.t().deadline[static_cast<std::size_t>(tm)] = z3::ite(at == x.bv32(kNever), at - x.bv32(1), at);
}
void cancel(X& x, Timer tm) { x.t().deadline[static_cast<std::size_t>(tm)] = x.bv32(kNever); }
void emit(X& x, const SymSegment& seg) { x.o.has_seg = x.v->boolean(true); x.o.seg = seg; }

SymSegment make(X& x, const z3::expr& flags, const z3::expr& seq, const z3::expr& len) {
  SymTcb& t = x.t();
  const z3::expr zero = x.bv32(0);
  const z3::expr with_ack = (flags & x.bv8(flag::ACK)) != x.bv8(0);
  SymSegment seg{seq, z3::ite(with_ack, t.rcv_nxt, zero), len, t.rcv_wnd, z3::ite(t.ts_ok, x.in.now, zero),
                 z3::ite(t.ts_ok, t.ts_recent, zero), flags, t.ts_ok, x.v->boolean(false)};
  t.last_ack_sent = z3::ite(with_ack, t.rcv_nxt, t.last_ack_sent);
  // step.hpp Step::send: an ACK carries the delayed one along (nothing while it is the constant kNever)
  std::size_t dk = static_cast<std::size_t>(Timer::DelAck);
  t.deadline[dk] = merge(with_ack, x.bv32(kNever), t.deadline[dk]);
  return seg;
}
SymSegment make(X& x, std::uint8_t flags, const z3::expr& seq) { return make(x, x.bv8(flags), seq, x.bv32(0)); }
void send_ack(X& x) { emit(x, make(x, flag::ACK, x.t().snd_nxt)); }
void reset_reply(X& x) {
  const z3::expr zero = x.bv32(0);
  const z3::expr a = x.has(flag::ACK);
  emit(x, SymSegment{z3::ite(a, x.s().ack, zero), z3::ite(a, zero, x.s().seq + x.seg_len()), zero, zero, zero, zero,
                     z3::ite(a, x.bv8(flag::RST), x.bv8(flag::RST | flag::ACK)), x.v->boolean(false),
                     x.v->boolean(false)});
}
void send_rst(X& x) { emit(x, make(x, flag::RST | flag::ACK, x.t().snd_nxt)); }
// step.hpp send_output_ack: Config::ack_resends_fin puts our unacknowledged FIN on the ACK.
void send_output_ack(X& x) {
  if (!x.c->ack_resends_fin) { send_ack(x); return; }
  const z3::expr fin_out = x.t().fin_sent && !x.t().fin_acked;
  const z3::expr seq = z3::ite(fin_out, x.t().fin_seq, x.t().snd_nxt);
  emit(x, make(x, z3::ite(fin_out, x.bv8(flag::FIN | flag::ACK), x.bv8(flag::ACK)), seq, x.bv32(0)));
}
void fail(X& x, Err e) {
  const z3::expr code = x.bv8(static_cast<std::uint32_t>(e));
  x.t().so_error = z3::ite(x.t().orphan, x.t().so_error, code);
  x.o.error = z3::ite(x.t().orphan, x.o.error, code);
}
void to_closed(X& x) {
  cancel(x, Timer::Rexmit); cancel(x, Timer::TimeWait); cancel(x, Timer::FinWait2); cancel(x, Timer::DelAck);
  x.t().state = x.st(State::Closed);
}

SymTcb fresh(X& x, const z3::expr& orphan, State st, const z3::expr& iss) {
  const z3::expr f = x.v->boolean(false), zero = x.bv32(0), never = x.bv32(kNever);
  return SymTcb{x.st(st), x.bv8(0), x.bv8(0), f, f, f, f, orphan, f, f, f, f,
                iss, zero, iss, iss + x.bv32(1), zero, zero, x.bv32(x.c->rcv_wnd), zero, zero, zero, zero,
                {never, never, never, never}, f, zero, x.v->ctx().bv_val(0, 16), x.v->ctx().bv_val(0, 16), f, f, zero, f};
}

std::uint32_t time_wait_length(const X& x) { return x.mutant(Mutant::TimeWaitOneMsl) ? x.c->msl : x.c->time_wait; }

void enter_time_wait(X& x) {
  cancel(x, Timer::Rexmit);
  cancel(x, Timer::FinWait2);
  cancel(x, Timer::DelAck);
  if (x.mutant(Mutant::TimeWaitZero) || time_wait_length(x) == 0) { x.t().state = x.st(State::Closed); return; }
  x.t().state = x.st(State::TimeWait);
  if (x.c->oow_ack_interval != 0) x.t().oow_ack_at = x.bv32(0);
  arm(x, Timer::TimeWait, x.bv32(time_wait_length(x)));
}

void maybe_arm_fin_wait2(X& x) {
  if (x.c->fin_wait2 != FinWait2Timeout::OrphanOnly) return;
  when(x, x.is(State::FinWait2) && x.t().orphan && !x.armed(Timer::FinWait2), [](X& y) {
    arm(y, Timer::FinWait2, y.bv32(y.c->fin_wait2_timeout));
    if (y.c->oow_ack_interval != 0 && y.c->fin_wait2_timewait && y.c->fin_wait2_timeout <= y.c->time_wait)
      y.t().oow_ack_at = y.bv32(0);
  });
}

// step.hpp Step::oow_skipped (Config::oow_ack_interval, on): is the answer skipped? The stamp is
// kept when it is not.
z3::expr oow_skipped(X& x, bool challenge) {
  SymTcb& t = x.t();
  const z3::expr subject = challenge ? x.v->boolean(true) : !(x.seg_len() != x.bv32(0) && !x.has(flag::SYN));
  const z3::expr since = x.in.now - (t.oow_ack_at - x.bv32(1));
  const z3::expr skip = subject && t.oow_ack_at != x.bv32(0) && z3::ult(since, x.bv32(x.c->oow_ack_interval));
  t.oow_ack_at = z3::ite(subject && !skip, x.in.now + x.bv32(1), t.oow_ack_at);
  return skip;
}
// `answer`, unless the rate limit skips it: then the segment is dropped. With the knob off,
// `answer` alone, so that the relation is what it was without the knob.
void oow_answer(X& x, bool challenge, const std::function<void(X&)>& answer) {
  if (x.c->oow_ack_interval == 0) { answer(x); return; }
  const z3::expr skip = oow_skipped(x, challenge);
  when(x, skip, [](X& y) { y.o.verdict = y.bv8(static_cast<std::uint32_t>(Verdict::Dropped)); }, answer);
}

// step.hpp estimated_rto: in 64 bits, as the core computes it.
z3::expr estimated_rto(const X& x) {
  z3::context& ctx = x.v->ctx();
  const SymTcb& t = x.o.tcb;
  auto w = [&](std::uint64_t n) { return ctx.bv_val(n, 64); };
  const z3::expr rttvar = z3::zext(t.rttvar, 48), srtt = z3::zext(t.srtt, 48);
  const z3::expr var = z3::ite(z3::ugt(w(x.c->rto_var_min), rttvar), w(x.c->rto_var_min), rttvar);
  const z3::expr est = z3::lshr(srtt, w(3)) + var;
  const z3::expr base = z3::ite(z3::ugt(est, w(x.c->rto_floor)), est, w(x.c->rto_floor));
  const z3::expr r = t.retries, cap = x.bv8(kMaxRttBackoffShift);
  const z3::expr shift = x.c->rto_backoff ? z3::zext(z3::ite(z3::ult(r, cap), r, cap), 56) : w(0);
  const z3::expr v = z3::ite(z3::uge(base, w(x.c->rto_max)), w(x.c->rto_max), z3::shl(base, shift)) + w(x.c->rto_slop);
  return z3::ite(z3::ugt(v, w(x.c->rto_max)), w(x.c->rto_max), v).extract(31, 0);
}

z3::expr current_rto(const X& x) {
  z3::expr fixed = x.bv32(x.c->rto);
  if (x.c->rto_backoff) {
    const z3::expr r = x.o.tcb.retries, cap = x.bv8(kMaxBackoffShift);
    const z3::expr shift = z3::ite(z3::ult(r, cap), r, cap);
    fixed = z3::shl(x.bv32(x.c->rto), z3::zext(shift, 24));
  }
  if (!x.c->rtt_estimate) return fixed;
  return z3::ite(x.o.tcb.srtt != x.v->ctx().bv_val(0, 16), estimated_rto(x), fixed);
}

// step.hpp rtt_start: Karn's rule, one timed segment at a time.
void rtt_start(X& x) {
  if (!x.c->rtt_estimate) return;
  SymTcb& t = x.t();
  t.rtt_time = z3::ite(t.rtt_timing, t.rtt_time, x.in.now);
  t.rtt_timing = x.v->boolean(true);
}

// step.hpp rtt_sample: RFC 6298 §2.2/§2.3 in SRTT x 8, RTTVAR x 4.
void rtt_sample(X& x) {
  if (!x.c->rtt_estimate) return;
  SymTcb& t = x.t();
  const z3::expr timing = t.rtt_timing;
  const z3::expr raw = x.in.now - t.rtt_time;
  const z3::expr r1 = z3::ite(raw == x.bv32(0), x.bv32(1), raw);
  const z3::expr r = z3::ite(z3::ugt(r1, x.bv32(kMaxRttSample)), x.bv32(kMaxRttSample), r1);
  const z3::expr srtt0 = z3::zext(t.srtt, 16), rttvar0 = z3::zext(t.rttvar, 16);  // 32 bits, truncated back
  const z3::expr first = srtt0 == x.bv32(0);
  const z3::expr s = z3::lshr(srtt0, x.bv32(3));
  const z3::expr err = z3::ite(z3::ugt(r, s), r - s, s - r);
  const z3::expr srtt = z3::ite(first, z3::shl(r, x.bv32(3)), srtt0 - s + r);
  const z3::expr rttvar = z3::ite(first, z3::shl(r, x.bv32(1)), rttvar0 - z3::lshr(rttvar0, x.bv32(2)) + err);
  t.srtt = z3::ite(timing, srtt.extract(15, 0), t.srtt);
  t.rttvar = z3::ite(timing, rttvar.extract(15, 0), t.rttvar);
  t.rtt_timing = x.v->boolean(false);
}

// step.hpp probe_due (Config::tail_loss_probe).
z3::expr probe_due(const X& x) {
  if (!x.c->tail_loss_probe) return x.v->boolean(false);
  const SymTcb& t = x.o.tcb;
  return t.sack_ok && t.srtt != x.v->ctx().bv_val(0, 16) && !t.tlp_sent && t.retries == x.bv8(0) && t.fin_sent && !t.fin_acked &&
         (x.is(State::Established) || x.is(State::FinWait1) || x.is(State::CloseWait) || x.is(State::Closing) ||
          x.is(State::LastAck));
}

// step.hpp arm_probe: min(2 SRTT + pad, rto_in), in 64 bits.
void arm_probe(X& x, const z3::expr& rto_in) {
  z3::context& ctx = x.v->ctx();
  const SymTcb& t = x.o.tcb;
  const z3::expr pad = z3::ite(t.snd_nxt - t.snd_una == x.bv32(1), ctx.bv_val(x.c->rto_var_min, 64),
                               ctx.bv_val(kProbeMinTicks, 64));
  const z3::expr pto = z3::zext(z3::lshr(t.srtt, x.v->ctx().bv_val(2, 16)), 48) + pad;
  arm(x, Timer::Rexmit, z3::ite(z3::ult(pto, z3::zext(rto_in, 32)), pto.extract(31, 0), rto_in));
}

void send_fin(X& x) {
  SymTcb& t = x.t();
  t.fin_seq = t.snd_nxt;
  t.snd_nxt = t.snd_nxt + x.bv32(1);
  t.fin_sent = x.v->boolean(true);
  when(x, x.t().snd_una == x.t().fin_seq, [](X& y) { rtt_start(y); });
  emit(x, make(x, flag::FIN | flag::ACK, x.t().fin_seq));
  const z3::expr armed = x.armed(Timer::Rexmit);
  const z3::expr at = x.t().deadline[static_cast<std::size_t>(Timer::Rexmit)];
  when(x, probe_due(x), [armed, at](X& y) {
    arm_probe(y, z3::ite(armed && seq_lt(y.in.now, at), at - y.in.now, current_rto(y)));
  }, [armed](X& y) { when(y, !armed, [](X& z) { arm(z, Timer::Rexmit, current_rto(z)); }); });
}

void update_ts_recent(X& x) {
  SymTcb& t = x.t();
  const z3::expr k = t.ts_ok && x.s().has_ts && seq_le(x.s().seq, t.last_ack_sent) && seq_le(t.ts_recent, x.s().ts_val);
  t.ts_recent = z3::ite(k, x.s().ts_val, t.ts_recent);
}

z3::expr in_receive_window(X& x, const z3::expr& seq) {
  const SymTcb& t = x.o.tcb;
  return z3::ite(t.rcv_wnd == x.bv32(0), seq == t.rcv_nxt, seq_in_window(seq, t.rcv_nxt, t.rcv_wnd));
}
z3::expr acceptable(X& x) {
  if (x.mutant(Mutant::NoWindowCheck)) return x.v->boolean(true);
  return segment_acceptable(x.s().seq, x.seg_len(), x.o.tcb.rcv_nxt, x.o.tcb.rcv_wnd);
}
// segment_rules.hpp synchronized_acceptable (Config::past_window_accepted: Linux tcp_sequence()).
z3::expr synchronized_acceptable(X& x) {
  if (!x.c->past_window_accepted || x.mutant(Mutant::NoWindowCheck)) return acceptable(x);
  const SymTcb& t = x.o.tcb;
  const z3::expr end = x.s().seq + x.seg_len(), edge = t.rcv_nxt + t.rcv_wnd;
  const z3::expr request_refuses = x.is(State::SynReceived) && t.passive && x.s().seq == edge && x.s().seq != t.rcv_nxt;
  const z3::expr past = seq_le(x.s().seq, edge) && !request_refuses &&
                        ((x.has(flag::FIN) && seq_le(end - x.bv32(1), edge)) || t.rcv_unread == x.bv32(0));
  return z3::ite(x.seg_len() == x.bv32(0) || seq_le(end, edge), acceptable(x), past);
}
// step.hpp synfin_dropped (Config::drop_synfin): a SYN+FIN is dropped, else `rest` runs.
void unless_synfin(X& x, const Rule& rest) {
  if (!x.c->drop_synfin) { rest(x); return; }
  when(x, x.has(flag::SYN) && x.has(flag::FIN), [](X& y) { set_verdict(y, Verdict::Dropped); }, rest);
}

z3::expr paws_rejected(X& x) {
  if (!x.c->paws) return x.v->boolean(false);
  return x.o.tcb.ts_ok && x.s().has_ts && !x.has(flag::RST) && paws_rejects(x.s().ts_val, x.o.tcb.ts_recent);
}

// ----- segment_rules.hpp --------------------------------------------------------------------

void seg_closed(X& x) {
  when(x, x.has(flag::RST), [](X& y) { set_verdict(y, Verdict::Dropped); },
       [](X& y) { reset_reply(y); set_verdict(y, Verdict::Reset); });
}

// segment_rules.hpp take_syn_text (Config::syn_sent_text, Config::fast_open).
void take_syn_text(X& x) {
  const z3::expr n = z3::ite(z3::ult(x.s().len, x.t().rcv_wnd), x.s().len, x.t().rcv_wnd);
  when(x, n != x.bv32(0), [n](X& y) {
    y.t().rcv_nxt = y.t().rcv_nxt + n;
    y.t().rcv_unread = y.t().rcv_unread + n;
    add_effect(y, effect::Data);
    y.o.readable = n;
  });
}

void accept_syn(X& x, const z3::expr& iss) {
  const SymSegment& s = x.s();
  SymTcb t = fresh(x, x.v->boolean(false), State::SynReceived, iss);
  t.passive = x.v->boolean(true);
  t.irs = s.seq;
  t.rcv_nxt = s.seq + x.bv32(1);
  t.snd_wnd = s.wnd;
  t.ts_ok = x.c->timestamps ? s.has_ts : x.v->boolean(false);
  t.ts_recent = z3::ite(s.has_ts, s.ts_val, x.bv32(0));
  t.sack_ok = x.c->tail_loss_probe ? s.sack_perm : x.v->boolean(false);
  t.deadline = x.t().deadline;
  x.t() = t;
  cancel(x, Timer::TimeWait);
  if (x.c->fast_open) take_syn_text(x);
  emit(x, make(x, flag::SYN | flag::ACK, t.iss));
  rtt_start(x);
  arm(x, Timer::Rexmit, current_rto(x));
  set_verdict(x, Verdict::Accepted);
}

void seg_listen(X& x) {
  when(x, x.has(flag::RST), [](X& y) { set_verdict(y, Verdict::Dropped); }, [](X& y) {
    when(y, y.has(flag::ACK), [](X& z) { reset_reply(z); set_verdict(z, Verdict::Reset); }, [](X& z) {
      unless_synfin(z, [](X& v) {
        when(v, v.has(flag::SYN), [](X& w) { accept_syn(w, w.in.iss); },
             [](X& w) { set_verdict(w, Verdict::Dropped); });
      });
    });
  });
}

void seg_syn_sent_checks(X& x) {
  const z3::expr bad_ack = x.has(flag::ACK) && (seq_le(x.s().ack, x.t().iss) || seq_lt(x.t().snd_nxt, x.s().ack));
  when(x, bad_ack, [](X& y) {
    when(y, y.has(flag::RST), [](X& z) { set_verdict(z, Verdict::Dropped); },
         [](X& z) { reset_reply(z); set_verdict(z, Verdict::Reset); });
  }, [](X& y) {
    when(y, y.has(flag::RST), [](X& z) {
      when(z, !z.has(flag::ACK), [](X& w) { set_verdict(w, Verdict::Dropped); }, [](X& w) {
        fail(w, Err::ConnRefused);
        to_closed(w);
        add_effect(w, effect::RstAbort);
        set_verdict(w, Verdict::Accepted);
      });
    }, [](X& z) {
      when(z, !z.has(flag::SYN), [](X& w) { set_verdict(w, Verdict::Dropped); }, [](X& w) {
        SymTcb& t = w.t();
        const SymSegment& s = w.s();
        t.irs = s.seq;
        t.rcv_nxt = s.seq + w.bv32(1);
        t.snd_wnd = s.wnd;
        t.ts_ok = w.c->timestamps ? s.has_ts : w.v->boolean(false);
        t.ts_recent = z3::ite(s.has_ts, s.ts_val, w.bv32(0));
        t.sack_ok = w.c->tail_loss_probe ? s.sack_perm : w.v->boolean(false);
        set_verdict(w, Verdict::Accepted);
        when(w, w.has(flag::ACK), [](X& u) {
          u.t().snd_una = u.s().ack;
          rtt_sample(u);
          u.t().retries = u.bv8(0);
          cancel(u, Timer::Rexmit);
          u.t().state = u.st(State::Established);
          u.t().was_synced = u.v->boolean(true);
          add_effect(u, effect::AckedNew);
          u.o.connected = u.v->boolean(true);
          if (u.c->syn_sent_text) take_syn_text(u);
          send_ack(u);
        }, [](X& u) {
          u.t().state = u.st(State::SynReceived);
          emit(u, make(u, flag::SYN | flag::ACK, u.t().iss));
        });
      });
    });
  });
}

void seg_syn_sent(X& x) { unless_synfin(x, seg_syn_sent_checks); }

void to_listen(X& x) {
  to_closed(x);
  x.t() = fresh(x, x.t().orphan, State::Listen, x.bv32(0));
  x.t().snd_una = x.bv32(0);
  x.t().snd_nxt = x.bv32(0);
}

void on_rst(X& x) {
  z3::expr out_of_window = !in_receive_window(x, x.s().seq);
  if (x.mutant(Mutant::NoWindowCheck)) out_of_window = x.v->boolean(false);
  when(x, out_of_window, [](X& y) { set_verdict(y, Verdict::Dropped); }, [](X& y) {
    const z3::expr challenge = y.c->rst_acceptance == RstAcceptance::Exact ? y.s().seq != y.t().rcv_nxt
                                                                           : y.v->boolean(false);
    when(y, challenge, [](X& z) {
      oow_answer(z, true, [](X& u) { send_ack(u); set_verdict(u, Verdict::ChallengeAcked); });
    }, [](X& z) {
      add_effect(z, effect::RstAbort);
      set_verdict(z, Verdict::Accepted);
      // Which error each state reports is the core's own rst_error(), asked per (concrete) state.
      auto told = [](Err e) {
        return [e](X& u) {
          if (e != Err::None) fail(u, e);
          to_closed(u);
        };
      };
      // segment_rules.hpp fast_open_child: a Fast Open child is reset, not sent back to LISTEN.
      auto refused = [told](X& w) {
        const z3::expr child = w.c->fast_open ? w.t().rcv_nxt != w.t().irs + w.bv32(1) : w.v->boolean(false);
        const Err e = tcpclose::detail::rst_error(w.c->rst_errors, State::SynReceived);
        when(w, w.t().passive && !child, to_listen, told(e));
      };
      // The states after SYN-RECEIVED, one case per error: states that report the same error
      // share one case, so that the relation has one test per outcome, not one per state (one
      // ite per state made the one-slot CHC proof's checks 20x slower, though equivalent).
      std::vector<std::pair<std::vector<State>, Rule>> cases = {{{State::SynReceived}, refused}};
      std::vector<Err> errs;
      for (State st : {State::Established, State::FinWait1, State::FinWait2, State::CloseWait, State::Closing,
                       State::LastAck, State::TimeWait}) {
        const Err e = tcpclose::detail::rst_error(z.c->rst_errors, st);
        std::size_t i = 0;
        while (i < errs.size() && errs[i] != e) ++i;
        if (i == errs.size()) { errs.push_back(e); cases.push_back({{}, told(e)}); }
        cases[i + 1].first.push_back(st);
      }
      by_state(z, cases);
    });
  });
}

// on_syn's end once the RST is sent: back to LISTEN, or ECONNRESET and CLOSED.
void syn_reset(X& x) {
  set_verdict(x, Verdict::Reset);
  when(x, x.is(State::SynReceived) && x.t().passive, to_listen, [](X& y) {
    fail(y, Err::ConnReset);
    to_closed(y);
  });
}

void on_syn(X& x) {
  switch (x.c->syn_acceptance) {
    case SynAcceptance::Challenge:
      oow_answer(x, true, [](X& y) { send_ack(y); set_verdict(y, Verdict::ChallengeAcked); });
      return;
    case SynAcceptance::Drop: set_verdict(x, Verdict::Dropped); return;
    case SynAcceptance::WindowOrChallenge: {
      // segment_rules.hpp syn_resets_window_or_challenge: in the window and not TIME-WAIT.
      const z3::expr resets = !x.is(State::TimeWait) && seq_in_window(x.s().seq, x.t().rcv_nxt, x.t().rcv_wnd);
      when(x, resets, [](X& y) { send_rst(y); syn_reset(y); },
           [](X& y) { oow_answer(y, true, [](X& z) { send_ack(z); set_verdict(z, Verdict::ChallengeAcked); }); });
      return;
    }
    case SynAcceptance::Window: break;
  }
  reset_reply(x);
  syn_reset(x);
}

// After the SYN-RECEIVED part of the fifth check.
void on_ack_rest(X& x) {
  when(x, seq_lt(x.t().snd_nxt, x.s().ack), [](X& y) {
    oow_answer(y, true, [](X& z) { send_output_ack(z); set_verdict(z, Verdict::DroppedAcked); });
    y.cont = y.v->boolean(false);
  }, [](X& y) {
    set_verdict(y, Verdict::Accepted);
    when(y, seq_lt(y.t().snd_una, y.s().ack), [](X& z) {
      SymTcb& t = z.t();
      t.snd_una = z.s().ack;
      rtt_sample(z);
      t.retries = z.bv8(0);
      t.tlp_sent = z.v->boolean(false);
      add_effect(z, effect::AckedNew);
      t.fin_acked = t.fin_acked || (t.fin_sent && seq_lt(t.fin_seq, z.s().ack));
      when(z, z.t().snd_una == z.t().snd_nxt, [](X& w) { cancel(w, Timer::Rexmit); }, [](X& w) {
        when(w, probe_due(w), [](X& u) { arm_probe(u, current_rto(u)); },
             [](X& u) { arm(u, Timer::Rexmit, current_rto(u)); });
      });
    });
    y.t().snd_wnd = y.s().wnd;
    y.cont = y.v->boolean(true);
    by_state(y, {{{State::FinWait1}, [](X& z) {
                    when(z, z.t().fin_acked, [](X& w) { w.t().state = w.st(State::FinWait2); maybe_arm_fin_wait2(w); });
                  }},
                 {{State::Closing}, [](X& z) { when(z, z.t().fin_acked, enter_time_wait); }},
                 {{State::LastAck}, [](X& z) {
                    when(z, z.t().fin_acked, to_closed);
                    z.cont = z.v->boolean(false);
                  }}});
  });
}

// segment_rules.hpp ack_too_old: RFC 5961 §5.2 with Linux's bound, the bytes acknowledged.
z3::expr ack_too_old(X& x) {
  const SymTcb& t = x.o.tcb;
  const z3::expr ack = x.s().ack;
  const z3::expr sent = t.snd_una - t.iss;
  const z3::expr acked = z3::ite(t.passive && sent != x.bv32(0), sent - x.bv32(1), sent);
  return seq_lt(ack, t.snd_una) && seq_lt(ack, t.snd_una - acked);
}

// segment_rules.hpp on_ack: Config::old_ack_challenge before the SND.NXT check.
void on_ack_checked(X& x) {
  if (!x.c->old_ack_challenge) { on_ack_rest(x); return; }
  when(x, ack_too_old(x), [](X& y) {
    oow_answer(y, true, [](X& z) { send_ack(z); set_verdict(z, Verdict::ChallengeAcked); });
    y.cont = y.v->boolean(false);
  }, on_ack_rest);
}

void on_ack(X& x) {
  when(x, !x.has(flag::ACK), [](X& y) { set_verdict(y, Verdict::Dropped); y.cont = y.v->boolean(false); }, [](X& y) {
    const z3::expr refused = y.is(State::SynReceived) && !ack_acceptable(y.s().ack, y.t().snd_una, y.t().snd_nxt);
    when(y, refused, [](X& z) { reset_reply(z); set_verdict(z, Verdict::Reset); z.cont = z.v->boolean(false); },
         [](X& z) {
           when(z, z.is(State::SynReceived), [](X& w) {
             w.t().state = w.st(State::Established);
             w.t().was_synced = w.v->boolean(true);
             w.o.connected = w.v->boolean(true);
           });
           on_ack_checked(z);
         });
  });
}

void on_text_checked(X& x);
// segment_rules.hpp data_past_rcv_nxt_resets (Config::rst_on_data_past_rcv_nxt, Linux).
void on_text(X& x) {
  if (!x.c->rst_on_data_past_rcv_nxt) { on_text_checked(x); return; }
  const SymTcb& t = x.o.tcb;
  const z3::expr past = (x.s().len != x.bv32(0) || x.has(flag::FIN)) && seq_lt(t.rcv_nxt, x.s().seq + x.s().len);
  const z3::expr shut = ((x.is(State::FinWait1) || x.is(State::FinWait2)) && t.rd_shut) ||
                        ((x.is(State::CloseWait) || x.is(State::Closing) || x.is(State::LastAck)) &&
                         seq_lt(x.s().seq, t.rcv_nxt));
  when(x, past && shut, [](X& y) {
    reset_reply(y);
    set_verdict(y, Verdict::Reset);
    // The error per state is the core's own rst_error(), one case per distinct error.
    std::vector<std::pair<std::vector<State>, Rule>> cases;
    std::vector<Err> errs;
    for (State st : {State::FinWait1, State::FinWait2, State::CloseWait, State::Closing, State::LastAck}) {
      const Err e = tcpclose::detail::rst_error(y.c->rst_errors, st);
      std::size_t i = 0;
      while (i < errs.size() && errs[i] != e) ++i;
      if (i == errs.size()) {
        errs.push_back(e);
        cases.push_back({{}, [e](X& u) { if (e != Err::None) fail(u, e); }});
      }
      cases[i].first.push_back(st);
    }
    by_state(y, cases);
    to_closed(y);
    y.cont = y.v->boolean(false);
  }, on_text_checked);
}

void on_text_checked(X& x) {
  x.cont = x.v->boolean(true);
  const z3::expr takes_text = x.is(State::Established) || x.is(State::FinWait1) || x.is(State::FinWait2);
  when(x, x.s().len != x.bv32(0) && takes_text, [](X& y) {
    when(y, seq_lt(y.t().rcv_nxt, y.s().seq), [](X& z) { z.ack_due = z.v->boolean(true); }, [](X& z) {
      const z3::expr raw = z.s().seq + z.s().len - z.t().rcv_nxt;
      const bool whole = z.c->past_window_accepted;  // Linux tcp_data_queue(): whole, or none into a zero window
      const z3::expr fresh_bytes = whole ? raw : z3::ite(z3::ugt(raw, z.t().rcv_wnd), z.t().rcv_wnd, raw);
      z3::expr takes = fresh_bytes != z.bv32(0);
      if (whole) {
        const z3::expr closed = z.t().rcv_wnd == z.bv32(0);
        when(z, closed, [](X& w) { w.ack_due = w.v->boolean(true); });
        takes = !closed && takes;
      }
      when(z, takes, [fresh_bytes](X& w) {
        const z3::expr rst = w.c->rst_on_data_after_close ? w.t().rd_shut && !w.is(State::Established)
                                                          : w.v->boolean(false);
        when(w, rst, [](X& u) {
          reset_reply(u); set_verdict(u, Verdict::Reset); to_closed(u); u.cont = u.v->boolean(false);
        }, [fresh_bytes](X& u) {
          u.t().rcv_nxt = u.t().rcv_nxt + fresh_bytes;
          u.t().rcv_unread = u.t().rcv_unread + fresh_bytes;
          add_effect(u, effect::Data);
          u.o.readable = fresh_bytes;
          u.ack_due = u.v->boolean(true);
          if (u.c->delayed_ack == DelayedAck::FreeBsdData) u.data_delays_ack = u.v->boolean(true);
          if (u.c->delayed_ack == DelayedAck::LinuxFin) u.t().data_rcvd = u.v->boolean(true);
        });
      });
    });
  });
}

void on_fin_checked(X& x);
// segment_rules.hpp after_fin_ignored (Config::after_fin_ignored, Linux): nothing, not even an ACK.
void on_fin(X& x) {
  if (!x.c->after_fin_ignored) { on_fin_checked(x); return; }
  when(x, x.t().fin_rcvd && seq_le(x.t().rcv_nxt, x.s().seq), nothing, on_fin_checked);
}

void on_fin_checked(X& x) {
  const z3::expr next = x.has(flag::FIN) && x.s().seq + x.s().len == x.t().rcv_nxt;
  when(x, !next, [](X& y) { y.ack_due = y.ack_due || y.has(flag::FIN); }, [](X& y) {
    when(y, y.t().fin_rcvd, [](X& z) { z.ack_due = z.v->boolean(true); }, [](X& z) {
      z.t().rcv_nxt = z.t().rcv_nxt + z.bv32(1);
      z.t().fin_rcvd = z.v->boolean(true);
      add_effect(z, effect::Fin);
      z.o.eof = z.v->boolean(true);
      z.ack_due = z.v->boolean(true);
      if (z.c->delayed_ack == DelayedAck::FreeBsdData) z.data_delays_ack = z.v->boolean(false);
      by_state(z, {{{State::SynReceived, State::Established}, [](X& w) {
                      w.t().state = w.st(State::CloseWait);
                      if (w.c->delayed_ack != DelayedAck::LinuxFin) return;
                      w.fin_delays_ack = w.c->past_window_accepted ? w.t().rcv_wnd != w.bv32(0) : w.v->boolean(true);
                    }},
                   {{State::FinWait1}, [](X& w) {
                      when(w, w.t().fin_acked, enter_time_wait, [](X& u) { u.t().state = u.st(State::Closing); });
                    }},
                   {{State::FinWait2}, enter_time_wait}});
    });
  });
}

// segment_rules.hpp old_duplicate (Config::trim_old_duplicates).
z3::expr old_duplicate(X& x) {
  const SymTcb& t = x.o.tcb;
  const z3::expr seq = x.s().seq;
  return !x.has(flag::SYN) && seq_lt(seq, t.rcv_nxt) && seq_le(seq + x.seg_len(), t.rcv_nxt) &&
         (!x.is(State::SynReceived) || seq_le(t.irs, seq));
}

// segment_rules.hpp trimmed_duplicate: text and FIN cut away, then the ACK processing.
void trimmed_duplicate(X& x) {
  X y = x;
  y.in.seg.seq = x.s().seq + x.s().len;
  y.in.seg.len = x.bv32(0);
  y.in.seg.flags = x.s().flags & x.bv8(0xFFu & ~std::uint32_t{flag::FIN});
  on_ack(y);
  when(y, !(y.is(State::Closed) || y.o.has_seg), [](X& z) {
    send_output_ack(z);
    when(z, z.o.verdict == z.bv8(static_cast<std::uint32_t>(Verdict::Dropped)),
         [](X& w) { set_verdict(w, Verdict::DroppedAcked); });
  });
  x.o = y.o;
}

// segment_rules.hpp unacceptable: the first check failed.
void unacceptable(X& x) {
  const auto drop_after_ack = [](X& y) {
    oow_answer(y, false, [](X& z) { send_output_ack(z); set_verdict(z, Verdict::DroppedAcked); });
  };
  if (!x.c->trim_old_duplicates) { drop_after_ack(x); return; }
  when(x, old_duplicate(x), trimmed_duplicate, drop_after_ack);
}

// step.hpp ack_now_or_later (Config::delayed_ack): the ACK now, or the delayed-ACK timer armed
// (a running one keeps its deadline).
void ack_now_or_later(X& x) {
  z3::expr delay = x.bv32(0), wait = x.v->boolean(false);
  switch (x.c->delayed_ack) {
    case DelayedAck::Off: send_output_ack(x); return;
    case DelayedAck::LinuxFin:
      delay = z3::ite(x.t().data_rcvd, x.bv32(x.c->delack_ato), x.bv32(x.c->delack_min));
      wait = x.fin_delays_ack;
      break;
    case DelayedAck::FreeBsdData:
      delay = x.bv32(x.c->delack_ato);
      wait = x.data_delays_ack && !x.armed(Timer::DelAck);
      break;
  }
  when(x, wait && delay != x.bv32(0), [delay](X& y) {
    when(y, !y.armed(Timer::DelAck), [delay](X& z) { arm(z, Timer::DelAck, delay); });
  }, send_output_ack);
}

void seg_synchronized_checks(X& x) {
  const z3::expr syn_again = x.is(State::SynReceived) && x.has(flag::SYN) && !x.has(flag::ACK) &&
                             !x.has(flag::RST) && x.s().seq == x.t().irs;
  when(x, syn_again, [](X& y) {
    emit(y, make(y, flag::SYN | flag::ACK, y.t().iss));
    set_verdict(y, Verdict::DroppedAcked);
  }, [](X& y) {
    when(y, paws_rejected(y), [](X& z) {
      oow_answer(z, false, [](X& w) { send_output_ack(w); set_verdict(w, Verdict::DroppedAcked); });
    }, [](X& z) {
      when(z, z.has(flag::RST), on_rst, [](X& w) {
        const z3::expr early_syn = w.c->syn_acceptance != SynAcceptance::Window ? w.has(flag::SYN) : w.v->boolean(false);
        when(w, early_syn, on_syn, [](X& u) {
          when(u, !synchronized_acceptable(u), unacceptable, [](X& r) {
            if (!r.c->ts_recent_needs_valid_ack) update_ts_recent(r);
            else when(r, r.has(flag::ACK) && seq_le(r.t().snd_una, r.s().ack) && seq_le(r.s().ack, r.t().snd_nxt),
                      update_ts_recent);
            when(r, r.has(flag::SYN), on_syn, [](X& q) {
              on_ack(q);
              when(q, q.cont, [](X& p) {
                on_text(p);
                when(p, p.cont, [](X& n) {
                  on_fin(n);
                  when(n, n.ack_due, ack_now_or_later);
                });
              });
            });
          });
        });
      });
    });
  });
}

// step.hpp no_ack_dropped_first (Config::no_ack_dropped_first), after the SYN+FIN rule.
void no_ack_then_checks(X& x) {
  if (!x.c->no_ack_dropped_first) { seg_synchronized_checks(x); return; }
  const z3::expr full_socket = !x.is(State::SynReceived) && !(x.is(State::FinWait2) && x.t().orphan);
  const z3::expr bare = full_socket && !x.has(flag::ACK) && !x.has(flag::RST) && !x.has(flag::SYN);
  when(x, bare, [](X& y) { set_verdict(y, Verdict::Dropped); }, seg_synchronized_checks);
}

void seg_synchronized(X& x) { unless_synfin(x, no_ack_then_checks); }

// ----- time_wait_rules.hpp ------------------------------------------------------------------

z3::expr bare_syn(const X& x) { return x.has(flag::SYN) && !x.has(flag::ACK) && !x.has(flag::RST); }

void restart_time_wait(X& x) {
  if (x.mutant(Mutant::NoTimeWaitRestart)) return;
  arm(x, Timer::TimeWait, x.bv32(time_wait_length(x)));
}

// time_wait_rules.hpp tw_take_ts_recent: Config::tw_ts_recent_update (Linux).
void tw_take_ts_recent(X& x) {
  if (!x.c->tw_ts_recent_update) return;
  SymTcb& t = x.t();
  const z3::expr k = t.ts_ok && x.s().has_ts && x.s().seq == t.rcv_nxt && x.seg_len() == x.bv32(0) &&
                     !paws_rejects(x.s().ts_val, t.ts_recent);
  t.ts_recent = z3::ite(k, x.s().ts_val, t.ts_recent);
}

void tw_rst_checked(X& x);
// time_wait_rules.hpp tw_rst: Config::tw_paws_rst (Linux) drops an older RST first.
void tw_rst(X& x) {
  if (!(x.c->tw_paws_rst && x.c->paws)) { tw_rst_checked(x); return; }
  const z3::expr rejected = x.t().ts_ok && x.s().has_ts && paws_rejects(x.s().ts_val, x.t().ts_recent);
  when(x, rejected, [](X& y) { set_verdict(y, Verdict::Dropped); }, tw_rst_checked);
}

void tw_rst_checked(X& x) {
  z3::expr killable = x.v->boolean(x.mutant(Mutant::RstKillsTimeWait));
  if (x.c->rst_in_time_wait == RstInTimeWait::Kill)
    killable = killable || in_receive_window(x, x.s().seq) || x.v->boolean(x.mutant(Mutant::NoWindowCheck));
  when(x, !killable, [](X& y) { tw_take_ts_recent(y); set_verdict(y, Verdict::Dropped); }, [](X& y) {
    const z3::expr challenge = !y.mutant(Mutant::RstKillsTimeWait) && y.c->rst_acceptance == RstAcceptance::Exact
                                   ? y.s().seq != y.t().rcv_nxt : y.v->boolean(false);
    when(y, challenge, [](X& z) {
      if (!z.c->tw_challenge_ack) { set_verdict(z, Verdict::Dropped); return; }
      oow_answer(z, true, [](X& u) { send_ack(u); set_verdict(u, Verdict::ChallengeAcked); });
    }, [](X& z) {
      add_effect(z, effect::RstAbort);
      set_verdict(z, Verdict::Accepted);
      to_closed(z);
    });
  });
}

z3::expr rfc6191_allows(X& x, const z3::expr& higher) {
  const SymTcb& t = x.o.tcb;
  const z3::expr new_ts = x.c->timestamps ? x.s().has_ts : x.v->boolean(false);
  const z3::expr newer = seq_lt(t.ts_recent, x.s().ts_val) || (x.s().ts_val == t.ts_recent && higher);
  return z3::ite(t.ts_ok, z3::ite(new_ts, newer, higher), new_ts || higher);
}

z3::expr tw_reopen_allowed(X& x) {
  if (x.mutant(Mutant::SynReopensAny)) return bare_syn(x);
  const z3::expr higher = seq_lt(x.t().rcv_nxt, x.s().seq);
  switch (x.c->syn_reopen) {
    case SynReopen::Never: return x.v->boolean(false);
    case SynReopen::HigherSeq: return bare_syn(x) && higher;
    case SynReopen::Timestamps: return bare_syn(x) && rfc6191_allows(x, higher);
    case SynReopen::SeqOrTimestamp:
      return bare_syn(x) && (higher || (x.t().ts_ok && x.s().has_ts && seq_lt(x.t().ts_recent, x.s().ts_val)));
  }
  return x.v->boolean(false);
}

z3::expr reopen_iss(X& x) {
  if (x.c->reopen_iss == ReopenIss::FromInput)
    return z3::ite(seq_le(x.t().snd_nxt, x.in.iss), x.in.iss, x.t().snd_nxt);
  const z3::expr isn = x.t().snd_nxt + x.bv32(65535u + 2u);
  return z3::ite(isn == x.bv32(0), x.bv32(1), isn);
}

void reopen(X& x) {
  add_effect(x, effect::Reopened);
  accept_syn(x, reopen_iss(x));
}

void tw_accepted(X& x) {
  set_verdict(x, Verdict::Accepted);
  when(x, x.has(flag::FIN), [](X& y) { send_ack(y); restart_time_wait(y); y.restarted = y.v->boolean(true); },
       [](X& y) {
         // time_wait_rules.hpp tw_answers: Config::tw_ack_unless_duplicate (FreeBSD tcp_twcheck)
         z3::expr answer = y.s().len != y.bv32(0);
         if (y.c->tw_ack_unless_duplicate)
           answer = answer || y.s().flags != y.bv8(flag::ACK) || y.s().seq != y.t().rcv_nxt ||
                    y.s().ack != y.t().snd_nxt;
         when(y, answer, send_ack);
       });
}

void tw_not_reopened(X& x) {
  const z3::expr fin_again = x.has(flag::FIN) && !x.has(flag::SYN) && x.s().seq + x.seg_len() == x.t().rcv_nxt;
  when(x, fin_again, [](X& y) {
    if (y.mutant(Mutant::NoReackInTimeWait)) { set_verdict(y, Verdict::Dropped); return; }
    send_ack(y);
    set_verdict(y, Verdict::Accepted);
    restart_time_wait(y);
    y.restarted = y.v->boolean(true);
  }, [](X& y) {
    const z3::expr early_syn = y.c->syn_acceptance != SynAcceptance::Window ? y.has(flag::SYN) : y.v->boolean(false);
    when(y, early_syn, on_syn, [](X& z) {
      when(z, !acceptable(z), [](X& w) {
        oow_answer(w, false, [](X& u) { send_ack(u); set_verdict(u, Verdict::DroppedAcked); });
      }, [](X& w) {
        when(w, w.has(flag::SYN), on_syn, [](X& u) {
          when(u, !u.has(flag::ACK), [](X& r) { set_verdict(r, Verdict::Dropped); }, tw_accepted);
        });
      });
    });
  });
}

// time_wait_rules.hpp tw_segment: Config::tw_drop_without_ack (FreeBSD tcp_twcheck) first.
void tw_after_reopen(X& x) {
  if (!x.c->tw_drop_without_ack) { tw_not_reopened(x); return; }
  when(x, !x.has(flag::ACK), [](X& y) { set_verdict(y, Verdict::Dropped); }, tw_not_reopened);
}

// time_wait_rules.hpp tw_segment after the RST check (and Config::drop_synfin).
void tw_after_rst(X& x) {
  const z3::expr rfc6191_first = x.c->syn_reopen == SynReopen::Timestamps ? bare_syn(x) : x.v->boolean(false);
  when(x, rfc6191_first, [](X& z) {
    when(z, tw_reopen_allowed(z), reopen, [](X& w) { set_verdict(w, Verdict::Dropped); });
  }, [](X& z) {
    when(z, paws_rejected(z), [](X& w) {
      oow_answer(w, false, [](X& u) { send_ack(u); set_verdict(u, Verdict::DroppedAcked); });
    }, [](X& w) {
      tw_take_ts_recent(w);
      when(w, tw_reopen_allowed(w), reopen, tw_after_reopen);
    });
  });
}

void tw_segment(X& x) {
  when(x, x.has(flag::RST), tw_rst, [](X& y) { unless_synfin(y, tw_after_rst); });
}

void seg_time_wait(X& x) {
  x.restarted = x.v->boolean(false);
  tw_segment(x);
  const z3::expr skip = x.restarted || !x.is(State::TimeWait) || x.has(flag::RST);
  switch (x.c->time_wait_restart) {
    case TimeWaitRestart::OnFin: return;
    case TimeWaitRestart::OnAck:
      when(x, !skip && x.has(flag::ACK), restart_time_wait);
      return;
    case TimeWaitRestart::OnAnswer:
      when(x, !skip && x.o.has_seg, restart_time_wait);
      return;
  }
}

// time_wait_rules.hpp fin_wait2_is_timewait (Config::fin_wait2_timewait), for the static part.
bool fin_wait2_timewait_on(const X& x) { return x.c->fin_wait2_timewait && x.c->fin_wait2_timeout <= x.c->time_wait; }

// time_wait_rules.hpp tw_in_window: Linux tcp_in_window.
z3::expr tw_in_window(X& x) {
  if (x.mutant(Mutant::NoWindowCheck)) return x.v->boolean(true);
  const z3::expr seq = x.s().seq, end = seq + x.seg_len(), nxt = x.t().rcv_nxt, right = nxt + x.t().rcv_wnd;
  return seq == nxt || (seq_lt(nxt, end) && seq_lt(seq, right)) || (seq == right && seq == end);
}

void tw_reset(X& x) {
  reset_reply(x);
  set_verdict(x, Verdict::Reset);
  to_closed(x);
}

// time_wait_rules.hpp seg_fin_wait2_timewait after the window check: Linux
// tcp_timewait_state_process() with tw_substate TCP_FIN_WAIT2.
void fin_wait2_timewait_in_window(X& x) {
  when(x, x.has(flag::RST), [](X& y) {
    add_effect(y, effect::RstAbort);
    set_verdict(y, Verdict::Accepted);
    to_closed(y);
  }, [](X& y) {
    when(y, y.has(flag::SYN) && seq_le(y.t().rcv_nxt, y.s().seq), tw_reset, [](X& z) {
      const z3::expr end = z.s().seq + z.seg_len();
      const z3::expr dup = !z.has(flag::ACK) || seq_le(end, z.t().rcv_nxt) || z.seg_len() == z.bv32(0);
      when(z, dup, [](X& w) { set_verdict(w, Verdict::Dropped); }, [end](X& w) {
        when(w, !w.has(flag::FIN) || end != w.t().rcv_nxt + w.bv32(1), tw_reset, [end](X& u) {
          SymTcb& t = u.t();
          t.rcv_nxt = end;
          t.fin_rcvd = u.v->boolean(true);
          t.ts_recent = z3::ite(t.ts_ok && u.s().has_ts, u.s().ts_val, t.ts_recent);
          add_effect(u, effect::Fin);
          u.o.eof = u.v->boolean(true);
          set_verdict(u, Verdict::Accepted);
          send_ack(u);
          enter_time_wait(u);
        });
      });
    });
  });
}

void seg_fin_wait2_timewait(X& x) {
  z3::expr rst_rejected = x.v->boolean(false);
  if (x.c->tw_paws_rst && x.c->paws)
    rst_rejected = x.t().ts_ok && x.s().has_ts && paws_rejects(x.s().ts_val, x.t().ts_recent);
  const z3::expr paws = z3::ite(x.has(flag::RST), rst_rejected, paws_rejected(x));
  when(x, paws || !tw_in_window(x), [](X& y) {
    oow_answer(y, false, [](X& z) { send_ack(z); set_verdict(z, Verdict::DroppedAcked); });
  }, fin_wait2_timewait_in_window);
}

void seg_fin_wait2(X& x) { when(x, x.t().orphan, seg_fin_wait2_timewait, seg_synchronized); }

void on_segment(X& x) {
  if (fin_wait2_timewait_on(x)) {  // Config::fin_wait2_timewait: FIN-WAIT-2 on its own
    by_state(x, {{{State::Closed}, seg_closed},
                 {{State::Listen}, seg_listen},
                 {{State::SynSent}, seg_syn_sent},
                 {{State::TimeWait}, seg_time_wait},
                 {{State::FinWait2}, seg_fin_wait2},
                 {{State::SynReceived, State::Established, State::FinWait1, State::CloseWait, State::Closing,
                   State::LastAck},
                  seg_synchronized}});
    return;
  }
  by_state(x, {{{State::Closed}, seg_closed},
               {{State::Listen}, seg_listen},
               {{State::SynSent}, seg_syn_sent},
               {{State::TimeWait}, seg_time_wait},
               {{State::SynReceived, State::Established, State::FinWait1, State::FinWait2, State::CloseWait,
                 State::Closing, State::LastAck},
                seg_synchronized}});
}

// ----- call_rules.hpp -----------------------------------------------------------------------

z3::expr pending_error(const X& x) { return x.o.tcb.so_error != x.bv8(0); }
void report_pending_error(X& x) {
  x.o.result = x.t().so_error;
  x.t().so_error = x.bv8(0);
}

void on_listen_rfc(X& x) {
  when(x, !x.is(State::Closed), [](X& y) { set_result(y, Err::Inval); }, [](X& y) {
    y.t() = fresh(y, y.v->boolean(false), State::Listen, y.bv32(0));
    y.t().snd_una = y.bv32(0);
    y.t().snd_nxt = y.bv32(0);
  });
}

// call_rules.hpp on_listen: Config::call_errors Linux, listen() on a listener changes nothing.
void on_listen(X& x) {
  if (x.c->call_errors != CallErrors::Linux) { on_listen_rfc(x); return; }
  when(x, x.is(State::Listen), nothing, on_listen_rfc);
}

void on_connect(X& x) {
  by_state(x, {{{State::Closed}, [](X& y) {
                  y.t() = fresh(y, y.v->boolean(false), State::SynSent, y.in.iss);
                  SymSegment syn = make(y, flag::SYN, y.t().iss);
                  if (y.c->timestamps) { syn.has_ts = y.v->boolean(true); syn.ts_val = y.in.now; syn.ts_ecr = y.bv32(0); }
                  emit(y, syn);
                  rtt_start(y);
                  arm(y, Timer::Rexmit, current_rto(y));
                }},
               {{State::Listen}, [](X& y) {  // Config::call_errors
                  set_result(y, y.c->call_errors == CallErrors::Linux ? Err::IsConn : Err::Inval);
                }},
               {{State::SynSent, State::SynReceived}, [](X& y) { set_result(y, Err::Already); }},
               {{State::Established, State::FinWait1, State::FinWait2, State::CloseWait, State::Closing,
                 State::LastAck, State::TimeWait},
                [](X& y) { set_result(y, Err::IsConn); }}});
}

void on_send(X& x) {
  when(x, pending_error(x), report_pending_error, [](X& y) {
    by_state(y, {{{State::Established, State::CloseWait}, [](X& z) {
                    when(z, z.t().wr_shut, [](X& w) { set_result(w, Err::Pipe); }, [](X& w) {
                      when(w, w.in.n != w.bv32(0), [](X& u) {
                        // call_rules.hpp send_room: snd_buf (capped) less SND.NXT - SND.UNA.
                        const z3::expr cap = u.bv32(u.c->snd_buf < kMaxSndBuf ? u.c->snd_buf : kMaxSndBuf);
                        const z3::expr queued = u.t().snd_nxt - u.t().snd_una;
                        const z3::expr room = z3::ite(z3::uge(queued, cap), u.bv32(0), cap - queued);
                        when(u, room == u.bv32(0), [](X& r) { set_result(r, Err::Again); }, [room](X& r) {
                          const z3::expr k = z3::ite(z3::ult(r.in.n, room), r.in.n, room);
                          when(r, r.t().snd_una == r.t().snd_nxt, [](X& q) { rtt_start(q); });
                          emit(r, make(r, r.bv8(flag::ACK | flag::PSH), r.t().snd_nxt, k));
                          r.t().snd_nxt = r.t().snd_nxt + k;
                          r.o.result_n = k;
                          when(r, !r.armed(Timer::Rexmit), [](X& q) { arm(q, Timer::Rexmit, current_rto(q)); });
                        });
                      });
                    });
                  }},
                 {{State::SynSent, State::SynReceived}, [](X& z) { set_result(z, Err::Again); }},
                 {{State::FinWait1, State::FinWait2, State::Closing, State::LastAck, State::TimeWait},
                  [](X& z) { set_result(z, Err::Pipe); }},
                 {{State::Listen}, [](X& z) {  // Config::call_errors Linux: EPIPE
                    set_result(z, z.c->call_errors == CallErrors::Linux ? Err::Pipe : Err::NotConn);
                  }},
                 {{State::Closed}, [](X& z) {
                    if (z.c->call_errors == CallErrors::Linux) { set_result(z, Err::Pipe); return; }
                    z.o.result = z3::ite(z.t().was_synced, z.bv8(static_cast<std::uint32_t>(Err::Pipe)),
                                         z.bv8(static_cast<std::uint32_t>(Err::NotConn)));
                  }}});
  });
}

void on_receive(X& x) {
  when(x, x.t().rcv_unread != x.bv32(0), [](X& y) {
    const z3::expr k = z3::ite(z3::ult(y.in.n, y.t().rcv_unread), y.in.n, y.t().rcv_unread);
    y.t().rcv_unread = y.t().rcv_unread - k;
    y.o.result_n = k;
  }, [](X& y) {
    // Config::read_eof_before_error: the peer's FIN is reported (read() = 0) before the error.
    const z3::expr eof_first = y.c->read_eof_before_error ? y.t().fin_rcvd : y.v->boolean(false);
    when(y, pending_error(y) && !eof_first, report_pending_error, [](X& z) {
      when(z, !(z.t().fin_rcvd || z.t().rd_shut), [](X& w) {
        by_state(w, {{{State::SynSent, State::SynReceived, State::Established, State::FinWait1, State::FinWait2},
                      [](X& u) { set_result(u, Err::Again); }},
                     {{State::Listen}, [](X& u) { set_result(u, Err::NotConn); }},
                     {{State::Closed}, [](X& u) {
                        when(u, !u.t().was_synced, [](X& r) { set_result(r, Err::NotConn); });
                      }}});
      });
    });
  });
}

void close_write(X& x) {
  const z3::expr already = x.t().wr_shut;
  x.t().wr_shut = x.v->boolean(true);
  when(x, !already, [](X& y) {
    by_state(y, {{{State::SynReceived, State::Established}, [](X& z) {
                    send_fin(z); z.t().state = z.st(State::FinWait1);
                  }},
                 {{State::CloseWait}, [](X& z) { send_fin(z); z.t().state = z.st(State::LastAck); }},
                 {{State::SynSent, State::Listen}, to_closed}});
  });
}

void on_shutdown_rfc(X& x);
// call_rules.hpp on_shutdown: Config::call_errors Linux, shutdown_listener() first.
void on_shutdown(X& x) {
  if (x.c->call_errors != CallErrors::Linux) { on_shutdown_rfc(x); return; }
  when(x, x.is(State::Listen), [](X& y) {
    when(y, y.in.how != y.bv8(static_cast<std::uint32_t>(Shut::Wr)), to_closed);
  }, on_shutdown_rfc);
}

void on_shutdown_rfc(X& x) {
  z3::expr no_conn = x.is(State::Closed) || x.is(State::Listen);
  if (x.c->tw_socket_closed) no_conn = no_conn || x.is(State::TimeWait);  // Config::tw_socket_closed
  when(x, no_conn, [](X& y) { set_result(y, Err::NotConn); }, [](X& y) {
    const z3::expr how = y.in.how;
    y.t().rd_shut = y.t().rd_shut || how != y.bv8(static_cast<std::uint32_t>(Shut::Wr));
    when(y, how != y.bv8(static_cast<std::uint32_t>(Shut::Rd)), close_write);
  });
}

void on_close(X& x) {
  x.t().orphan = x.v->boolean(true);
  x.t().rd_shut = x.v->boolean(true);
  z3::expr synced = x.v->boolean(false);
  for (State s : {State::SynReceived, State::Established, State::FinWait1, State::FinWait2, State::CloseWait,
                  State::Closing, State::LastAck})
    synced = synced || x.is(s);
  const z3::expr rst = x.c->rst_on_close_unread ? synced && x.t().rcv_unread != x.bv32(0) : x.v->boolean(false);
  when(x, rst, [](X& y) {
    send_rst(y);
    y.t().rcv_unread = y.bv32(0);
    to_closed(y);
  }, [](X& y) {
    close_write(y);
    maybe_arm_fin_wait2(y);
  });
}

void on_abort(X& x) {
  const z3::expr t = x.v->boolean(true);
  x.t().orphan = t; x.t().rd_shut = t; x.t().wr_shut = t; x.t().rcv_unread = x.bv32(0);
  z3::expr reset = x.is(State::SynReceived) || x.is(State::Established) || x.is(State::FinWait1) ||
                   x.is(State::FinWait2) || x.is(State::CloseWait);
  // call_rules.hpp on_abort: Config::abort_rst_any_synced (FreeBSD tcp_drop) adds the states after a FIN.
  if (x.c->abort_rst_any_synced) reset = reset || x.is(State::Closing) || x.is(State::LastAck) || x.is(State::TimeWait);
  when(x, reset, send_rst);
  to_closed(x);
}

// call_rules.hpp send_probe.
void send_probe(X& x) {
  x.t().tlp_sent = x.v->boolean(true);
  if (x.c->rtt_estimate) x.t().rtt_timing = x.v->boolean(false);
  if (x.mutant(Mutant::NoFinRetransmit)) return;
  emit(x, make(x, flag::FIN | flag::ACK, x.t().fin_seq));
  arm(x, Timer::Rexmit, current_rto(x));
}

void on_rexmit_rto(X& x);
void on_rexmit(X& x) { when(x, probe_due(x), send_probe, on_rexmit_rto); }

void on_rexmit_rto(X& x) {
  SymTcb& t = x.t();
  const z3::expr fin_out = t.fin_sent && !t.fin_acked;
  auto gives_up = [&](std::uint8_t limit) {
    return limit == kUnlimitedRetries ? x.v->boolean(false) : z3::uge(t.retries, x.bv8(limit));
  };
  auto cap_of = [&](std::uint8_t limit) -> std::uint32_t {
    return limit != kUnlimitedRetries ? 0xFE : x.c->rto_backoff ? kMaxBackoffShift : 0;
  };
  const z3::expr give_up = z3::ite(fin_out, gives_up(x.c->fin_retries), gives_up(x.c->retries));
  const z3::expr cap = z3::ite(fin_out, x.bv8(cap_of(x.c->fin_retries)), x.bv8(cap_of(x.c->retries)));
  when(x, give_up, [](X& y) { fail(y, Err::TimedOut); to_closed(y); }, [cap, fin_out](X& y) {
    y.t().retries = z3::ite(z3::ult(y.t().retries, cap), y.t().retries + y.bv8(1), y.t().retries);
    if (y.c->rtt_estimate) y.t().rtt_timing = y.v->boolean(false);  // Karn
    z3::expr rearm = y.v->boolean(true);
    by_state(y, {{{State::SynSent}, [](X& z) {
                    SymSegment syn = make(z, flag::SYN, z.t().iss);
                    if (z.c->timestamps) { syn.has_ts = z.v->boolean(true); syn.ts_val = z.in.now; syn.ts_ecr = z.bv32(0); }
                    emit(z, syn);
                  }},
                 {{State::SynReceived}, [](X& z) { emit(z, make(z, flag::SYN | flag::ACK, z.t().iss)); }},
                 {{State::Established, State::CloseWait, State::FinWait1, State::Closing, State::LastAck},
                  [fin_out](X& z) {
                    SymTcb& tt = z.t();
                    const z3::expr data = z3::ite(tt.fin_sent, tt.fin_seq, tt.snd_nxt) - tt.snd_una;
                    const z3::expr suppressed = z.mutant(Mutant::NoFinRetransmit) ? fin_out : z.v->boolean(false);
                    when(z, !suppressed, [fin_out, data](X& w) {
                      const z3::expr f = w.bv8(flag::ACK) |
                                         z3::ite(data != w.bv32(0), w.bv8(flag::PSH), w.bv8(0)) |
                                         z3::ite(fin_out, w.bv8(flag::FIN), w.bv8(0));
                      emit(w, make(w, f, w.t().snd_una, data));
                    });
                  }}});
    // The timer is re-armed unless nothing is outstanding or the FIN is not retransmitted.
    rearm = !(y.is(State::Closed) || y.is(State::Listen) || y.is(State::FinWait2) || y.is(State::TimeWait));
    if (y.mutant(Mutant::NoFinRetransmit)) {
      z3::expr data_state = y.is(State::Established) || y.is(State::CloseWait) || y.is(State::FinWait1) ||
                            y.is(State::Closing) || y.is(State::LastAck);
      rearm = rearm && !(data_state && fin_out);
    }
    when(y, rearm, [](X& z) { arm(z, Timer::Rexmit, current_rto(z)); });
  });
}

void on_timeout(X& x) {
  const z3::expr& tm = x.in.timer;
  // Without DelAck inputs (encode_step's delack_timeouts) the terms are those from before the timer.
  auto pick = [&](const std::array<z3::expr, kTimerCount>& d) {
    const z3::expr last = x.delack_timeouts ? z3::ite(tm == x.v->timer(Timer::FinWait2), d[2], d[3]) : d[2];
    return z3::ite(tm == x.v->timer(Timer::Rexmit), d[0], z3::ite(tm == x.v->timer(Timer::TimeWait), d[1], last));
  };
  const z3::expr at = pick(x.t().deadline);
  when(x, at == x.bv32(kNever) || seq_lt(x.in.now, at), [](X& y) { set_result(y, Err::Inval); }, [](X& y) {
    when(y, y.in.timer == y.v->timer(Timer::Rexmit), [](X& z) {
      cancel(z, Timer::Rexmit);
      on_rexmit(z);
    }, [](X& z) {
      when(z, z.in.timer == z.v->timer(Timer::TimeWait), [](X& w) {
        cancel(w, Timer::TimeWait);
        when(w, w.is(State::TimeWait), to_closed);
      }, [](X& w) {
        const Rule fin_wait2 = [](X& u) {
          cancel(u, Timer::FinWait2);
          when(u, u.is(State::FinWait2), to_closed);
        };
        if (!w.delack_timeouts) { fin_wait2(w); return; }
        // call_rules.hpp on_timeout, Timer::DelAck: the ACK goes now where there is something to ACK
        when(w, w.in.timer == w.v->timer(Timer::FinWait2), fin_wait2, [](X& u) {
          cancel(u, Timer::DelAck);
          when(u, !(u.is(State::Closed) || u.is(State::Listen) || u.is(State::SynSent) || u.is(State::TimeWait)),
               send_output_ack);
        });
      });
    });
  });
}

}  // namespace

SymOutput encode_step(const Vocabulary& v, const Config& c, const SymTcb& tcb, const SymInput& in,
                      bool delack_timeouts) {
  const z3::expr f = v.boolean(false), zero32 = v.bv32(0), zero8 = v.bv8(0);
  X x{&v, &c, in,
      SymOutput{tcb, f, SymSegment{zero32, zero32, zero32, zero32, zero32, zero32, zero8, f, f}, zero8, zero8, zero8,
                zero32, zero32, f, zero8, f},
      f, f, f, f, f, delack_timeouts};
  const std::vector<std::pair<InputKind, Rule>> kinds = {
      {InputKind::Segment, on_segment}, {InputKind::Listen, on_listen},   {InputKind::Connect, on_connect},
      {InputKind::Send, on_send},       {InputKind::Receive, on_receive}, {InputKind::Shutdown, on_shutdown},
      {InputKind::Close, on_close},     {InputKind::Abort, on_abort},     {InputKind::Timeout, on_timeout}};
  std::function<void(X&, std::size_t)> dispatch = [&](X& y, std::size_t i) {
    if (i + 1 == kinds.size()) { kinds[i].second(y); return; }
    when(y, y.in.kind == v.kind(kinds[i].first), kinds[i].second, [&](X& z) { dispatch(z, i + 1); });
  };
  dispatch(x, 0);
  return x.o;
}

}  // namespace tcpclose::proofs
