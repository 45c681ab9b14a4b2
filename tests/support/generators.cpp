// Definitions of the generators and printers declared in generators.hpp.
// Rule: a generator draws small raw choices (indices, small deltas, a random word) and a pure
// function builds the value from them, so shrinking moves towards the canonical numbers.
#include "generators.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <tuple>
#include <vector>

namespace tcpclose {

void showValue(State s, std::ostream& os) { os << name(s); }
void showValue(Profile p, std::ostream& os) { os << name(p); }
void showValue(Mutant m, std::ostream& os) { os << name(m); }

void showValue(const Config& c, std::ostream& os) {
  os << "msl=" << c.msl << " time-wait=" << c.time_wait << " rto=" << c.rto << (c.rto_backoff ? "" : " (no backoff)")
     << " rcv-wnd=" << c.rcv_wnd << " snd-buf=" << c.snd_buf << " rst-in-tw=" << (c.rst_in_time_wait == RstInTimeWait::Kill ? "kill" : "ignore")
     << " rst=" << (c.rst_acceptance == RstAcceptance::Exact ? "exact" : "window")
     << " ts=" << (c.timestamps ? "on" : "off") << " mutant=" << name(c.mutant);
}

void showValue(const Segment& s, std::ostream& os) {
  os << flag_text(s.flags).text << " seq=" << s.seq;
  if (s.has(flag::ACK)) os << " ack=" << s.ack;
  else if (s.ack != 0) os << " (ack field " << s.ack << ")";
  if (s.len != 0) os << " len=" << s.len;
  os << " win=" << s.wnd;
  if (s.has_ts) os << " TSval=" << s.ts_val << " TSecr=" << s.ts_ecr;
}

void showValue(const Input& in, std::ostream& os) {
  os << "@" << in.now << " ";
  switch (in.kind) {
    case InputKind::Segment: os << "net-> "; showValue(in.seg, os); os << " (ISS offered " << in.iss << ")"; return;
    case InputKind::Listen: os << "app listen()"; return;
    case InputKind::Connect: os << "app connect() ISS=" << in.iss; return;
    case InputKind::Send: os << "app send(" << in.n << ")"; return;
    case InputKind::Receive: os << "app recv(" << in.n << ")"; return;
    case InputKind::Shutdown: os << "app shutdown(" << name(in.how) << ")"; return;
    case InputKind::Close: os << "app close()"; return;
    case InputKind::Abort: os << "app abort (SO_LINGER 0)"; return;
    case InputKind::Timeout: os << name(in.timer) << " timer fires"; return;
  }
}

void showValue(const Tcb& t, std::ostream& os) {
  os << name(t.state) << " ISS=" << t.iss << " SND.UNA=" << t.snd_una << " SND.NXT=" << t.snd_nxt;
  if (t.fin_sent) os << " FIN@" << t.fin_seq << (t.fin_acked ? " (acked)" : "");
  os << " IRS=" << t.irs << " RCV.NXT=" << t.rcv_nxt << " RCV.WND=" << t.rcv_wnd;
  if (t.fin_rcvd) os << " peer-FIN";
  if (t.rcv_unread != 0) os << " unread=" << t.rcv_unread;
  if (t.ts_ok) os << " TS.Recent=" << t.ts_recent;
  if (t.orphan) os << " orphan";
  if (t.rd_shut) os << " rd-shut";
  if (t.wr_shut) os << " wr-shut";
  if (t.passive) os << " passive";
  if (t.retries != 0) os << " retries=" << unsigned{t.retries};
  if (t.so_error != Err::None) os << " so_error=" << name(t.so_error);
  for (Timer tm : {Timer::Rexmit, Timer::TimeWait, Timer::FinWait2, Timer::DelAck})
    if (t.armed(tm)) os << " " << name(tm) << "@" << t.at(tm);
}

void showValue(const Output& o, std::ostream& os) {
  os << "-> ";
  showValue(o.tcb, os);
  os << " [";
  const char* sep = "";
  if (o.verdict != Verdict::None) { os << name(o.verdict); sep = ", "; }
  for (const Action& a : o.actions) {
    os << sep;
    sep = ", ";
    switch (a.kind) {
      case ActionKind::Send: os << "send "; showValue(o.actions.seg, os); break;
      case ActionKind::Readable: os << "readable " << a.n; break;
      case ActionKind::Eof: os << "end of stream"; break;
      case ActionKind::Error: os << "error " << name(a.err); break;
      case ActionKind::Connected: os << "connected"; break;
      case ActionKind::ArmTimer: os << "arm " << name(a.timer) << "@" << a.n; break;
      case ActionKind::CancelTimer: os << "cancel " << name(a.timer); break;
    }
  }
  if (o.result != Err::None) os << sep << "returns " << name(o.result);
  os << "]";
}

}  // namespace tcpclose

namespace tcpclose::test {

Mutant suite_mutant() {
  static const Mutant m = [] {
    const char* env = std::getenv("TCPCLOSE_MUTANT");
    if (env == nullptr || *env == '\0') return Mutant::None;
    for (Mutant x : kAllMutants)
      if (std::strcmp(name(x), env) == 0) return x;
    std::fprintf(stderr, "TCPCLOSE_MUTANT=%s: no such mutant (see `tcpclose mutants`)\n", env);
    std::exit(2);
  }();
  return m;
}

void showValue(const StepCase& k, std::ostream& os) {
  os << "\n  profile " << name(k.profile) << ": ";
  tcpclose::showValue(k.cfg, os);
  os << "\n  tcb:   ";
  tcpclose::showValue(k.tcb, os);
  os << "\n  input: ";
  tcpclose::showValue(k.in, os);
  os << "\n";
}

namespace gens {
namespace {

// Offsets of a sequence space: canonical, just below 2^31 and 2^32, wrapping right after the
// ISS, or anywhere.
rc::Gen<std::uint32_t> shift() {
  return rc::gen::weightedOneOf<std::uint32_t>(
      {{3, rc::gen::element<std::uint32_t>(0u, 0x7FFFFFFFu - 1500u, 0xFFFFFFFFu - 1500u,
                                           0xFFFFFFFFu - classes::kIss, 0xFFFFFFFFu - classes::kIrs)},
       {1, rc::gen::arbitrary<std::uint32_t>()}});
}

rc::Gen<std::uint32_t> now_tick() {
  return rc::gen::weightedOneOf<std::uint32_t>(
      {{3, rc::gen::element<std::uint32_t>(0u, classes::kNow, 1000000u, 0xFFFFFFF0u)},
       {1, rc::gen::arbitrary<std::uint32_t>()}});
}

std::uint32_t timer_length(const Config& c, std::size_t i) {
  return i == 0 ? c.rto : i == 1 ? c.time_wait : i == 2 ? c.fin_wait2_timeout : c.delack_ato;
}

bool data_state(State s) {
  return s == State::Established || s == State::CloseWait || s == State::FinWait1 || s == State::Closing ||
         s == State::LastAck;
}

struct TcbChoices {
  State s;
  std::uint32_t ours, theirs, outstanding, unread, now;
  bool half, passive, ts_random;
  std::uint32_t ts, retries;
  std::array<int, kTimerCount> due;  // 0: expired, 1: due now, 2: next tick, 3: half way, 4: full length
};

Tcb build(const Config& c, const TcbChoices& k) {
  Tcb t = classes::canonical_tcb(k.s, c);
  const bool synced = is_synchronized(k.s);
  if (k.s != State::Closed && k.s != State::Listen) {
    t.iss += k.ours; t.snd_una += k.ours; t.snd_nxt += k.ours; t.fin_seq += k.ours;
  }
  if (synced) { t.irs += k.theirs; t.rcv_nxt += k.theirs; t.last_ack_sent += k.theirs; }
  if (data_state(k.s) && k.outstanding != 0) {  // bytes sent and not yet acknowledged
    if (t.fin_sent) { t.fin_seq += k.outstanding; t.snd_nxt += k.outstanding; }
    else { t.snd_nxt += k.outstanding; t.deadline[0] = c.rto; }
  }
  if (synced) t.rcv_unread = k.unread;
  if (k.half && t.orphan) {  // the closing state reached by shutdown(SHUT_WR), not close()
    t.orphan = false; t.rd_shut = false; t.deadline[2] = kNever;
  }
  if (k.s == State::SynReceived) t.passive = k.passive;
  if (t.ts_ok && k.ts_random) t.ts_recent = k.ts;
  if (k.s == State::SynSent || k.s == State::SynReceived || data_state(k.s))
    t.retries = static_cast<std::uint8_t>(k.retries);
  for (std::size_t i = 0; i < kTimerCount; ++i) {
    if (!t.armed(static_cast<Timer>(i))) continue;
    const std::uint32_t len = timer_length(c, i);
    const std::uint32_t delta = k.due[i] == 0 ? 0xFFFFFFFFu : k.due[i] == 1 ? 0 : k.due[i] == 2 ? 1
                                : k.due[i] == 3 ? len / 2 : len;
    std::uint32_t at = k.now + delta;
    if (at == kNever) --at;
    t.deadline[i] = at;
  }
  return t;
}

}  // namespace

rc::Gen<Config> config_of(Profile p) {
  // Short times (MSL 2, TIME-WAIT 4 ticks, as the model checker uses) or the profile's own.
  // The send buffer: the profile's, a small one, or the largest (kMaxSndBuf, and above it).
  const rc::Gen<std::uint32_t> snd_buf = rc::gen::element<std::uint32_t>(0u, 0u, 100u, kMaxSndBuf, 0xFFFFFFFFu);
  return rc::gen::map(rc::gen::tuple(rc::gen::arbitrary<bool>(), rc::gen::element<std::uint32_t>(0u, 1u, 1000u),
                                     rc::gen::element<std::uint32_t>(0u, 1u, 1000u), rc::gen::arbitrary<bool>(),
                                     snd_buf),
                      [p](const std::tuple<bool, std::uint32_t, std::uint32_t, bool, std::uint32_t>& k) {
                        Config c = profile_config(p);
                        if (std::get<0>(k)) { c.msl = 2; c.time_wait = 4; c.fin_wait2_timeout = 6; }
                        if (std::get<1>(k) != 0) c.rto = std::get<1>(k);
                        if (std::get<2>(k) != 0) c.rcv_wnd = std::get<2>(k);
                        c.rto_backoff = c.rto_backoff && !std::get<3>(k);
                        if (std::get<4>(k) != 0) c.snd_buf = std::get<4>(k);
                        c.mutant = suite_mutant();
                        return c;
                      });
}

rc::Gen<TcbAt> tcb_for(const Config& c) {
  // The closing states, where this project's rules live, three times as often as the others.
  const rc::Gen<State> state = rc::gen::weightedOneOf<State>(
      {{1, rc::gen::element(State::Closed, State::Listen, State::SynSent, State::SynReceived, State::Established,
                            State::CloseWait)},
       {2, rc::gen::element(State::FinWait1, State::FinWait2, State::Closing, State::LastAck, State::TimeWait)}});
  // Up to kMaxSndBuf - 1 outstanding: a full send buffer at its largest, one byte short.
  const rc::Gen<std::uint32_t> amount = rc::gen::element<std::uint32_t>(0u, 0u, 1u, 100u, 70000u, kMaxSndBuf - 1);
  const rc::Gen<int> due = rc::gen::inRange(0, 5);
  return rc::gen::map(
      rc::gen::tuple(state, shift(), shift(), amount, amount, now_tick(), rc::gen::arbitrary<bool>(),
                     rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint32_t>(),
                     rc::gen::inRange<std::uint32_t>(0, 4), rc::gen::tuple(due, due, due)),
      [c](const auto& k) {
        TcbChoices x{std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), std::get<4>(k), std::get<5>(k),
                     std::get<6>(k), std::get<7>(k), std::get<8>(k), std::get<9>(k), std::get<10>(k),
                     {std::get<0>(std::get<11>(k)), std::get<1>(std::get<11>(k)), std::get<2>(std::get<11>(k))}};
        return TcbAt{build(c, x), x.now};
      });
}

rc::Gen<Segment> segment_for(const Tcb& t) {
  const rc::Gen<std::uint8_t> flags = rc::gen::weightedOneOf<std::uint8_t>(
      {{3, rc::gen::elementOf(std::vector<std::uint8_t>{
                 flag::ACK, flag::FIN | flag::ACK, flag::PSH | flag::ACK, flag::FIN | flag::PSH | flag::ACK,
                 flag::RST, flag::RST | flag::ACK, flag::SYN, flag::SYN | flag::ACK, flag::FIN})},
       {1, rc::gen::inRange<std::uint8_t>(0, 32)}});
  const rc::Gen<std::uint32_t> len = rc::gen::element<std::uint32_t>(0u, 0u, 0u, 1u, 100u, 1460u, 70000u);
  return rc::gen::map(
      rc::gen::tuple(flags, len, rc::gen::inRange(0, 6), rc::gen::inRange(-3, 4), rc::gen::inRange(0, 7),
                     rc::gen::element<std::uint32_t>(65535u, 0u, 1000u), rc::gen::inRange(0, 4),
                     rc::gen::inRange(-2, 3), rc::gen::arbitrary<std::uint32_t>()),
      [t](const auto& k) {
        Segment s;
        s.flags = std::get<0>(k);
        s.len = std::get<1>(k);
        const std::uint32_t d = static_cast<std::uint32_t>(std::get<3>(k));
        const std::uint32_t rnd = std::get<8>(k);
        const std::uint32_t wnd = t.rcv_wnd == 0 ? 1 : t.rcv_wnd;
        switch (std::get<2>(k)) {
          case 0: s.seq = t.rcv_nxt + d; break;                // at RCV.NXT, give or take
          case 1: s.seq = t.rcv_nxt - s.seg_len(); break;      // a retransmission of what came
          case 2: s.seq = t.rcv_nxt + wnd + d; break;          // the right edge of the window
          case 3: s.seq = t.rcv_nxt + 0x80000000u + d; break;  // as far as serial order reaches
          case 4: s.seq = t.irs + d; break;                    // the peer's SYN
          default: s.seq = rnd; break;
        }
        switch (std::get<4>(k)) {
          case 0: s.ack = t.snd_nxt + d; break;
          case 1: s.ack = t.snd_una + d; break;
          case 2: s.ack = t.fin_seq + 1; break;
          case 3: s.ack = t.iss + 1; break;
          case 4: s.ack = t.snd_una + 0x80000000u; break;
          default: s.ack = rnd ^ 0x5A5A5A5Au; break;
        }
        s.wnd = std::get<5>(k);
        const std::uint32_t td = static_cast<std::uint32_t>(std::get<7>(k));
        switch (std::get<6>(k)) {
          case 0: s.has_ts = t.ts_ok; s.ts_val = t.ts_recent + td; s.ts_ecr = classes::kNow; break;
          case 1: s.has_ts = true; s.ts_val = t.ts_recent + td; s.ts_ecr = 0; break;
          case 2: s.has_ts = true; s.ts_val = rnd; s.ts_ecr = rnd >> 3; break;
          default: break;  // no timestamp option
        }
        return s;
      });
}

rc::Gen<Input> input_for(const Tcb& t, std::uint32_t now) {
  const rc::Gen<Seq> iss = rc::gen::weightedOneOf<Seq>(
      {{2, rc::gen::elementOf(std::vector<Seq>{classes::kNewIss, t.snd_nxt - 1, t.snd_nxt + 1, 0xFFFFFFFFu})},
       {1, rc::gen::arbitrary<Seq>()}});
  // 2^31 and 2^32 - 1: sends that once pushed SND.NXT past SND.UNA + 2^31 (no send buffer).
  const rc::Gen<std::uint32_t> bytes = rc::gen::element<std::uint32_t>(0u, 1u, 100u, 70000u, 0x80000000u, 0xFFFFFFFFu);
  const rc::Gen<Input> seg = rc::gen::map(rc::gen::pair(segment_for(t), iss), [now](const auto& p) {
    return Input::segment(now, p.first, p.second);
  });
  const rc::Gen<Input> call = rc::gen::map(
      rc::gen::tuple(rc::gen::inRange(0, 7), iss, bytes, rc::gen::element(Shut::Rd, Shut::Wr, Shut::RdWr)),
      [now](const auto& k) {
        switch (std::get<0>(k)) {
          case 0: return Input::close(now);
          case 1: return Input::abort(now);
          case 2: return Input::shutdown(now, std::get<3>(k));
          case 3: return Input::send(now, std::get<2>(k));
          case 4: return Input::receive(now, std::get<2>(k));
          case 5: return Input::connect(now, std::get<1>(k));
          default: return Input::listen(now);
        }
      });
  const rc::Gen<Input> timer = rc::gen::map(
      rc::gen::pair(rc::gen::element(Timer::Rexmit, Timer::TimeWait, Timer::FinWait2, Timer::DelAck), rc::gen::inRange(0, 4)),
      [t, now](const auto& k) {
        const Timer tm = k.first;
        if (!t.armed(tm)) return Input::timeout(now, tm);
        const std::uint32_t at = t.at(tm);
        const std::uint32_t when[4] = {at, at + 1, at - 1, now};  // due, late, early, whenever
        return Input::timeout(when[k.second], tm);
      });
  return rc::gen::weightedOneOf<Input>({{12, seg}, {3, call}, {4, timer}});
}

rc::Gen<StepCase> step_case() {
  return rc::gen::mapcat(rc::gen::arbitrary<Profile>(), [](Profile p) {
    return rc::gen::mapcat(config_of(p), [p](const Config& c) {
      return rc::gen::mapcat(tcb_for(c), [p, c](const TcbAt& at) {
        return rc::gen::map(input_for(at.tcb, at.now), [p, c, at](const Input& in) {
          return StepCase{p, c, at.tcb, in};
        });
      });
    });
  });
}

}  // namespace gens
}  // namespace tcpclose::test

namespace rc {
using namespace tcpclose;

Gen<State> Arbitrary<State>::arbitrary() { return gen::elementOf(kAllStates); }
Gen<Profile> Arbitrary<Profile>::arbitrary() { return gen::elementOf(kAllProfiles); }
Gen<Mutant> Arbitrary<Mutant>::arbitrary() { return gen::elementOf(kAllMutants); }
Gen<Config> Arbitrary<Config>::arbitrary() {
  return gen::mapcat(gen::arbitrary<Profile>(), [](Profile p) { return test::gens::config_of(p); });
}
Gen<Tcb> Arbitrary<Tcb>::arbitrary() {
  return gen::map(test::gens::tcb_for(reference_config()), [](const test::gens::TcbAt& a) { return a.tcb; });
}
Gen<Segment> Arbitrary<Segment>::arbitrary() {
  return gen::mapcat(gen::arbitrary<Tcb>(), [](const Tcb& t) { return test::gens::segment_for(t); });
}
Gen<Input> Arbitrary<Input>::arbitrary() {
  return gen::mapcat(test::gens::tcb_for(reference_config()),
                     [](const test::gens::TcbAt& a) { return test::gens::input_for(a.tcb, a.now); });
}
Gen<test::StepCase> Arbitrary<test::StepCase>::arbitrary() { return test::gens::step_case(); }

}  // namespace rc
