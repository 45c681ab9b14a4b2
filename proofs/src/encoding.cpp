// The terms the relation is written in (see encoding.hpp): the sorts, fresh and lifted TCBs,
// inputs and outputs, equality, decoding, serial arithmetic and the field-by-field join.
// Rule: no rule of step() here; the relation itself is derived from core/'s code (derive.cpp).
#include "tcpclose/proofs/encoding.hpp"

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

// ----- joining ------------------------------------------------------------------------------

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

}  // namespace tcpclose::proofs
