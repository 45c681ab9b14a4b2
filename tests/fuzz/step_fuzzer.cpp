// step_fuzzer: libFuzzer drives step() from arbitrary bytes (TCB + input + config) under ASan and
// UBSan. It asserts totality (every output is a valid value within its fixed capacity), no UB
// (the sanitizers), and, from well-formed TCBs, the single-step invariants through a walk of up
// to 8 steps: checked in C++ on every step for speed, and by the Z3 oracle on a sample.
// Rule: the decoder never builds an invalid enum or bool (that would be UB of the harness).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <tcpclose/core.hpp>
#include <tcpclose/proofs/invariants.hpp>

namespace {

using namespace tcpclose;

// Bytes in, values out; past the end every read yields 0, so each input decodes to something.
struct Bytes {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t u8() { return n == 0 ? 0 : (--n, *p++); }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | u8();
    return v;
  }
  bool bit() { return (u8() & 1) != 0; }
  template <typename E> E pick(std::size_t count) { return static_cast<E>(u8() % count); }
};

[[noreturn]] void fail(const char* what, const Tcb& t, const Input& in, const Output* o = nullptr) {
  std::fprintf(stderr, "step_fuzzer: %s (state %s, input kind %s)\n", what, name(t.state), name(in.kind));
  // Enough to rebuild the case by hand: the TCB's numbers, the segment, what step() did.
  std::fprintf(stderr, "  tcb: iss %u irs %u una %u nxt %u rcv_nxt %u rcv_wnd %u fin_seq %u sent/acked/rcvd %d%d%d "
                       "orphan %d ts_ok %d ts_recent %u\n",
               t.iss, t.irs, t.snd_una, t.snd_nxt, t.rcv_nxt, t.rcv_wnd, t.fin_seq, t.fin_sent, t.fin_acked, t.fin_rcvd,
               t.orphan, t.ts_ok, t.ts_recent);
  if (in.kind == InputKind::Segment)
    std::fprintf(stderr, "  seg: flags 0x%02x seq %u ack %u len %u wnd %u ts %d val %u\n", in.seg.flags, in.seg.seq,
                 in.seg.ack, in.seg.len, in.seg.wnd, in.seg.has_ts, in.seg.ts_val);
  if (o) {
    std::fprintf(stderr, "  out: state %s verdict %d rcv_nxt %u\n", name(o->tcb.state), static_cast<int>(o->verdict),
                 o->tcb.rcv_nxt);
    if (const Segment* sent = o->actions.sent())
      std::fprintf(stderr, "  sent: flags 0x%02x seq %u ack %u len %u\n", sent->flags, sent->seq, sent->ack, sent->len);
  }
  std::abort();
}

Config decode_config(Bytes& b) {
  Config c = profile_config(b.pick<Profile>(kProfileCount));
  const std::uint8_t k = b.u8();
  if (k & 1) { c.msl = 2; c.time_wait = 4; c.fin_wait2_timeout = 6; }
  if (k & 2) c.rto = 1 + b.u8();
  if (k & 4) c.rcv_wnd = b.u32() & 0x1FFFF;
  if (k & 8) c.rto_backoff = !c.rto_backoff;
  if (k & 16) c.fin_retries = b.u8();
  if (k & 32) c.time_wait = b.u8();  // 0 included: a profile without TIME-WAIT
  if (k & 64) c.snd_buf = b.u32();   // any, 0 and values above kMaxSndBuf included
  if (k & 128) c.read_eof_before_error = !c.read_eof_before_error;
  const std::uint8_t r = b.u8();
  if (r & 1) c.rtt_estimate = !c.rtt_estimate;
  if (r & 2) c.tail_loss_probe = !c.tail_loss_probe;
  if (r & 4) { c.rto_floor = b.u32(); c.rto_var_min = b.u32(); c.rto_slop = b.u32(); c.rto_max = b.u32(); }
  if (r & 8) { c.delayed_ack = b.pick<DelayedAck>(3); c.delack_min = b.u32(); c.delack_ato = b.u32(); }
  return c;
}

// Every field from the bytes: any TCB at all, for totality and UB.
Tcb raw_tcb(Bytes& b) {
  Tcb t;
  t.state = b.pick<State>(kStateCount);
  t.so_error = b.pick<Err>(13);
  t.retries = b.u8();
  const std::uint8_t f = b.u8(), g = b.u8();
  t.fin_sent = f & 1; t.fin_acked = f & 2; t.fin_rcvd = f & 4; t.ts_ok = f & 8;
  t.orphan = f & 16; t.rd_shut = f & 32; t.wr_shut = f & 64; t.passive = f & 128; t.was_synced = g & 1;
  t.iss = b.u32(); t.irs = b.u32(); t.snd_una = b.u32(); t.snd_nxt = b.u32(); t.snd_wnd = b.u32();
  t.rcv_nxt = b.u32(); t.rcv_wnd = b.u32(); t.fin_seq = b.u32(); t.ts_recent = b.u32();
  t.last_ack_sent = b.u32(); t.rcv_unread = b.u32();
  for (auto& d : t.deadline) d = (g & 2) ? b.u32() : kNever;
  t.rtt_timing = g & 4; t.sack_ok = g & 8; t.tlp_sent = g & 16;
  if (g & 32) { t.rtt_time = b.u32(); t.srtt = static_cast<std::uint16_t>(b.u32()); t.rttvar = static_cast<std::uint16_t>(b.u32()); }
  return t;
}

// A canonical TCB moved in both sequence spaces with timers shifted: mostly well-formed.
Tcb shaped_tcb(Bytes& b, const Config& c) {
  Tcb t = classes::canonical_tcb(b.pick<State>(kStateCount), c);
  const Seq ours = b.u32(), theirs = b.u32(), when = b.u32();
  if (t.state != State::Closed && t.state != State::Listen) {
    t.iss += ours; t.snd_una += ours; t.snd_nxt += ours; t.fin_seq += ours;
  }
  if (is_synchronized(t.state)) { t.irs += theirs; t.rcv_nxt += theirs; t.last_ack_sent += theirs; }
  t.rcv_unread = b.u8() & 3;
  for (auto& d : t.deadline)
    if (d != kNever) { d += when; if (d == kNever) --d; }
  return t;
}

Input decode_input(Bytes& b, const Tcb& t) {
  Input in;
  in.kind = b.pick<InputKind>(kInputKindCount);
  in.timer = b.pick<Timer>(kTimerCount);
  in.how = b.pick<Shut>(3);
  in.now = b.bit() ? t.at(in.timer) + (b.u8() & 3) - 1 : b.u32();
  // Any n: the core's send buffer (Config::snd_buf, capped at 2^30) bounds SND.NXT - SND.UNA.
  // Before it existed the fuzzer found SND.UNA <= SND.NXT broken at once by n near 2^31.
  in.n = b.u32();
  in.iss = b.u32();
  Segment& s = in.seg;
  s.flags = b.u8();
  const std::uint8_t near = b.u8();  // seq/ack relative to the TCB, or raw
  s.seq = (near & 1) ? t.rcv_nxt + static_cast<std::uint32_t>(static_cast<std::int8_t>(b.u8())) : b.u32();
  s.ack = (near & 2) ? t.snd_nxt - (b.u8() & 7) : b.u32();
  s.len = (near & 4) ? b.u8() : b.u32();
  s.wnd = b.u32();
  s.has_ts = near & 8;
  s.ts_val = (near & 16) ? t.ts_recent + (b.u8() & 3) - 1 : b.u32();
  s.ts_ecr = b.u32();
  return in;
}

// Totality: the output is a valid value and within its fixed capacity.
void check_total(const Tcb& t, const Input& in, const Config& c, const Output& o) {
  if (o.actions.overflow || o.actions.size > kMaxActions) fail("action list overflow", t, in);
  if (static_cast<std::size_t>(o.tcb.state) >= kStateCount) fail("invalid state", t, in);
  std::size_t sends = 0;
  for (const Action& a : o.actions) sends += a.kind == ActionKind::Send;
  if (sends != (o.actions.has_seg ? 1u : 0u)) fail("Send actions disagree with the segment", t, in);
  if ((in.kind == InputKind::Segment) != (o.verdict != Verdict::None)) fail("verdict without a segment", t, in);
  if (!(step(t, in, c) == o)) fail("not deterministic", t, in);
}

// The C++ mirror of proofs::tcb_wellformed, to choose which steps the invariants apply to.
bool wellformed(const Tcb& t, const Config& c) {
  const bool s = t.fin_sent, a = t.fin_acked, r = t.fin_rcvd;
  if (!seq_le(t.snd_una, t.snd_nxt)) return false;
  if (s && t.snd_nxt != t.fin_seq + 1) return false;
  if (a && !(s && t.snd_una == t.snd_nxt)) return false;
  const bool rexmit = t.armed(Timer::Rexmit), outstanding = t.snd_una != t.snd_nxt;
  const bool fw2 = c.fin_wait2 == FinWait2Timeout::OrphanOnly && t.state == State::FinWait2 && t.orphan;
  if (t.armed(Timer::TimeWait) != (t.state == State::TimeWait) || t.armed(Timer::FinWait2) != fw2) return false;
  switch (t.state) {
    case State::Closed: return !rexmit;
    case State::Listen: return !s && !r && !rexmit;
    case State::SynSent: case State::SynReceived: return !s && !r && rexmit;
    case State::Established: return !s && !r && rexmit == outstanding;
    case State::CloseWait: return !s && r && rexmit == outstanding;
    case State::FinWait1: return s && !a && !r && rexmit == outstanding;
    case State::FinWait2: return s && a && !r && !rexmit;
    case State::Closing: case State::LastAck: return s && !a && r && rexmit == outstanding;
    case State::TimeWait: return s && a && r && !rexmit;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Z3 keeps every term it has built: a fresh context every 4096 judged inputs keeps the RSS flat.
  static std::unique_ptr<proofs::Oracle> oracle;
  static std::uint64_t judged = 0;
  Bytes b{data, size};
  const bool shaped = b.bit();
  Config c = decode_config(b);
  Tcb t = shaped ? shaped_tcb(b, c) : raw_tcb(b);
  // One input in 16 is also judged by Z3, chosen by its bytes (FNV-1a), so that a crash file
  // replays alone: a count of runs made the judgement depend on the inputs before it.
  std::uint32_t h = 2166136261u;
  for (std::size_t k = 0; k < size; ++k) h = (h ^ data[k]) * 16777619u;
  static const bool judge_all = std::getenv("STEP_FUZZER_JUDGE_ALL") != nullptr;  // for replaying a corpus
  const bool sample = judge_all || h % 16 == 0;
  for (int i = 0; i < 8 && (i == 0 || b.n > 0); ++i) {
    const Input in = decode_input(b, t);
    const Output o = step(t, in, c);
    check_total(t, in, c, o);
    if (wellformed(t, c)) {
      // From a well-formed TCB the result is well-formed again (the invariants are inductive).
      if (!wellformed(o.tcb, c)) fail("a well-formed TCB stepped to an ill-formed one", t, in);
      if (sample) {
        if (!oracle || ++judged % 4096 == 0) oracle = std::make_unique<proofs::Oracle>();
        if (!oracle->wellformed(c, t)) fail("C++ and Z3 disagree on well-formedness", t, in);
        for (proofs::InvariantId id : proofs::kAllInvariants)
          if (!oracle->holds(id, c, t, in, o)) fail(proofs::name(id), t, in, &o);
      }
    }
    t = o.tcb;
  }
  return 0;
}
