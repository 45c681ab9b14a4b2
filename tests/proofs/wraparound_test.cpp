// proofs.Wraparound*: with every sequence number symbolic, a stale segment of this connection,
// sent before the peer sent more than 2^31 further octets, is accepted and its data delivered when
// PAWS is off (SAT; the witness replays through step()), and never when PAWS is on (UNSAT, cvc5
// agrees). Explicit enumeration never picks such numbers: it would have to send 2^31 octets first.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include <tcpclose/core.hpp>
#include <tcpclose/proofs/encoding.hpp>
#include <tcpclose/proofs/smtlib.hpp>

namespace tcpclose::proofs {
namespace {

constexpr std::uint64_t k2to31 = std::uint64_t{1} << 31;

// The query. One step T(s, i, s', out) of the receiver, with these assumptions and nothing else:
//  R1  s is ESTABLISHED with timestamps in use (ts_ok), reading allowed (not rd_shut), every
//      octet received is ACKed (Last.ACK.sent = RCV.NXT), a receive window 1 =< RCV.WND =< 2^30
//      (RFC 7323 §2.3), nothing of its own outstanding (SND.UNA = SND.NXT: a one-way transfer).
//  R2  i is a data segment of L octets, 1 =< L =< 65535, flags ACK (PSH free), no SYN/RST/FIN,
//      SEG.ACK = SND.NXT, carrying a timestamp.
//  R3  it is stale: it was sent earlier by the peer, all its octets were already received, and
//      since its last octet the peer sent B more, so RCV.NXT = SEG.SEQ + L + B (mod 2^32), with
//      L + B > 2^31 (more than 2^31 octets sent since the segment left), B < 2^33 (unbounded).
//  R4  its TSval is older than TS.Recent: TS.Recent = TSval + E with 1 =< E < 2^31. RFC 7323 §5.4:
//      the timestamp clock ticks at least once per 2^31 octets sent (so E >= 1 by R3) and does
//      not wrap within MSL (E < 2^31; the segment is still alive, so younger than MSL).
//  Goal: step() accepts it (verdict Accepted) and delivers its data (effect Data).
// All other fields (sequence numbers, ISS/IRS, timers, flags of the TCB...) are free.
struct Query {
  z3::context ctx;
  Vocabulary v{ctx};
  SymTcb s = fresh_tcb(v, "s");
  SymInput i = fresh_input(v, "i");
  z3::expr sent_since = ctx.bv_const("octets_after_segment", 34);  // B
  z3::expr tick_gap = ctx.bv_const("ts_ticks_since", 32);          // E

  z3::expr_vector assumptions() {
    z3::expr_vector a(ctx);
    const auto w = [&](const z3::expr& x) { return z3::zext(x, 2); };
    a.push_back(s.state == v.state(State::Established));
    a.push_back(s.ts_ok && !s.rd_shut && s.last_ack_sent == s.rcv_nxt);
    a.push_back(z3::ule(v.bv32(1), s.rcv_wnd) && z3::ule(s.rcv_wnd, v.bv32(1u << 30)));
    a.push_back(s.snd_una == s.snd_nxt);
    const SymSegment& g = i.seg;
    a.push_back(i.kind == v.kind(InputKind::Segment));
    a.push_back(z3::ule(v.bv32(1), g.len) && z3::ule(g.len, v.bv32(65535)));
    a.push_back((g.flags & v.bv8(~flag::PSH & 0xFF)) == v.bv8(flag::ACK));
    a.push_back(g.ack == s.snd_nxt && g.has_ts);
    // R3, in 34 bits so that L + B cannot overflow.
    a.push_back(z3::ult(sent_since, ctx.bv_val(std::uint64_t{1} << 33, 34)));
    a.push_back(z3::ugt(w(g.len) + sent_since, ctx.bv_val(k2to31, 34)));
    a.push_back(s.rcv_nxt == g.seq + g.len + sent_since.extract(31, 0));
    // R4.
    a.push_back(z3::ule(v.bv32(1), tick_gap) && z3::ult(tick_gap, v.bv32(static_cast<std::uint32_t>(k2to31))));
    a.push_back(s.ts_recent == g.ts_val + tick_gap);
    return a;
  }
  z3::expr goal(const SymOutput& out) {
    return out.verdict == v.bv8(static_cast<std::uint32_t>(Verdict::Accepted)) &&
           (out.effects & v.bv8(effect::Data)) != v.bv8(0);
  }
};

Config with_paws(bool paws) {
  Config c = profile_config(Profile::Reference);  // timestamps on, PAWS on
  c.paws = paws;
  return c;
}

std::string human(const Tcb& t, const Input& in, std::uint64_t b, std::uint32_t e) {
  return fmt::format(
      "receiver ESTABLISHED: RCV.NXT={:#010x} RCV.WND={} TS.Recent={:#010x} SND.NXT={:#010x}\n"
      "stale segment: SEQ={:#010x} LEN={} ACK={:#010x} TSval={:#010x} flags={:#04x}\n"
      "peer sent {} octets after it ({:.3f} x 2^32), timestamp clock ticked {} times since",
      t.rcv_nxt, t.rcv_wnd, t.ts_recent, t.snd_nxt, in.seg.seq, in.seg.len, in.seg.ack, in.seg.ts_val, in.seg.flags,
      b, static_cast<double>(b) / 4294967296.0, e);
}

TEST(Wraparound, WithoutPawsAStaleSegmentFromBeforeTwoToThe31OctetsIsAcceptedAndDelivered) {
  Query q;
  const Config c = with_paws(false);
  z3::solver s(q.ctx);
  s.add(q.assumptions());
  const SymOutput out = derive_step(q.v, c, q.s, q.i);
  s.add(q.goal(out));
  const auto t0 = std::chrono::steady_clock::now();
  const z3::check_result r = s.check();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r, z3::sat) << "the hazard should exist without PAWS";
  const z3::model m = s.get_model();
  const Tcb tcb = decode(q.v, m, q.s);
  const Input in = decode(q.v, m, q.i);
  const std::uint64_t b = m.eval(q.sent_since, true).get_numeral_uint64();
  const auto e = static_cast<std::uint32_t>(m.eval(q.tick_gap, true).get_numeral_uint64());
  std::printf("wraparound without PAWS: sat in %.2f s\n%s\n", secs, human(tcb, in, b, e).c_str());
  // The witness is what the assumptions say, read back from plain numbers.
  EXPECT_EQ(tcb.state, State::Established);
  EXPECT_GT(in.seg.len + b, k2to31);
  EXPECT_EQ(static_cast<Seq>(in.seg.seq + in.seg.len + b), tcb.rcv_nxt);
  EXPECT_TRUE(tcpclose::paws_rejects(in.seg.ts_val, tcb.ts_recent)) << "its TSval is older";
  // Replayed through the real step(): accepted, stale octets delivered to the application.
  const Output o = step(tcb, in, c);
  EXPECT_EQ(o.verdict, Verdict::Accepted);
  EXPECT_NE(o.effects & effect::Data, 0);
  std::uint32_t readable = 0;
  for (const Action& a : o.actions)
    if (a.kind == ActionKind::Readable) readable = a.n;
  std::printf("step() without PAWS: verdict Accepted, %u stale octets readable, RCV.NXT -> %#010x\n", readable,
              o.tcb.rcv_nxt);
  EXPECT_GT(readable, 0u);
  // The same segment with PAWS on: R1 rejects it (ACK and drop).
  const Output p = step(tcb, in, with_paws(true));
  EXPECT_EQ(p.verdict, Verdict::DroppedAcked);
  EXPECT_EQ(p.effects & effect::Data, 0);
}

TEST(Wraparound, WithPawsNoStaleSegmentIsEverAcceptedAndCvc5Agrees) {
  Query q;
  const Config c = with_paws(true);
  z3::solver s(q.ctx);
  s.add(q.assumptions());
  ASSERT_EQ(s.check(), z3::sat) << "the assumptions alone must be satisfiable, or the UNSAT is vacuous";
  s.add(q.goal(derive_step(q.v, c, q.s, q.i)));
  const auto t0 = std::chrono::steady_clock::now();
  const SmtAnswer z3a = from_z3(s.check());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(z3a, SmtAnswer::Unsat);
  const Recheck r = recheck_with_cvc5(s, z3a, Cvc5Options::labelled("wraparound-with-paws"));
  std::printf("wraparound with PAWS: z3 %s in %.2f s, cvc5 %s in %.2f s\n", name(z3a), secs, name(r.cvc5),
              r.cvc5_seconds);
  EXPECT_TRUE(r.unsat_confirmed()) << r.detail;
}

// The negative control of the PAWS proof: drop R4 (let the TSval be anything, as a segment of a
// peer whose clock wrapped, or which lies, could carry) and the stale segment gets through again.
TEST(Wraparound, WithPawsButATimestampThatIsNotOlderTheStaleSegmentGetsThrough) {
  Query q;
  const Config c = with_paws(true);
  z3::solver s(q.ctx);
  const z3::expr_vector a = q.assumptions();
  for (unsigned k = 0; k + 2 < a.size(); ++k) s.add(a[k]);  // all but R4's two assumptions
  s.add(q.goal(derive_step(q.v, c, q.s, q.i)));
  ASSERT_EQ(s.check(), z3::sat);
  const z3::model m = s.get_model();
  const Tcb tcb = decode(q.v, m, q.s);
  const Input in = decode(q.v, m, q.i);
  EXPECT_FALSE(tcpclose::paws_rejects(in.seg.ts_val, tcb.ts_recent));
  EXPECT_EQ(step(tcb, in, c).verdict, Verdict::Accepted);
}

// Why "more than 2^31" is not the whole story without PAWS: the window is at most 2^30, so a stale
// segment is in it only after nearly a full lap. With fewer than 2^32 - 2^30 octets sent since,
// nothing stale is accepted, even without PAWS (UNSAT, re-checked by cvc5).
TEST(Wraparound, WithoutPawsLessThanALapMinusTheWindowIsStillSafe) {
  Query q;
  const Config c = with_paws(false);
  z3::solver s(q.ctx);
  s.add(q.assumptions());
  s.add(z3::ult(z3::zext(q.i.seg.len, 2) + q.sent_since, q.ctx.bv_val((std::uint64_t{1} << 32) - (1u << 30), 34)));
  ASSERT_EQ(s.check(), z3::sat) << "the assumptions alone must be satisfiable, or the UNSAT is vacuous";
  s.add(derive_step(q.v, c, q.s, q.i).verdict == q.v.bv8(static_cast<std::uint32_t>(Verdict::Accepted)));
  const SmtAnswer z3a = from_z3(s.check());
  EXPECT_EQ(z3a, SmtAnswer::Unsat);
  const Recheck r = recheck_with_cvc5(s, z3a, Cvc5Options::labelled("wraparound-less-than-a-lap"));
  EXPECT_TRUE(r.unsat_confirmed()) << r.detail;
}

}  // namespace
}  // namespace tcpclose::proofs

namespace tcpclose::proofs {
namespace {
// The same UNSAT is a property of the window check: under the no-window-check mutant a stale
// segment from less than a lap ago gets through (SAT), and step() with the mutant accepts it.
TEST(Wraparound, LessThanALapIsUnsafeUnderTheNoWindowCheckMutant) {
  Query q;
  Config c = with_paws(false);
  c.mutant = Mutant::NoWindowCheck;
  z3::solver s(q.ctx);
  s.add(q.assumptions());
  s.add(z3::ult(z3::zext(q.i.seg.len, 2) + q.sent_since, q.ctx.bv_val((std::uint64_t{1} << 32) - (1u << 30), 34)));
  s.add(derive_step(q.v, c, q.s, q.i).verdict == q.v.bv8(static_cast<std::uint32_t>(Verdict::Accepted)));
  ASSERT_EQ(s.check(), z3::sat);
  const z3::model m = s.get_model();
  const Tcb tcb = decode(q.v, m, q.s);
  const Input in = decode(q.v, m, q.i);
  EXPECT_EQ(step(tcb, in, c).verdict, Verdict::Accepted);
  EXPECT_EQ(step(tcb, in, with_paws(false)).verdict, Verdict::DroppedAcked) << "the real window check drops it";
}
}  // namespace
}  // namespace tcpclose::proofs
