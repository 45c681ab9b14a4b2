// The named properties the checker decides, and the vacuity guards that must be reached.
// Rule: properties read ghost fields and the core's outputs; they never change a state.
// docs/properties.md states each one formally.
#pragma once

#include <array>
#include <cstdint>

#include "tcpclose/model/response.hpp"
#include "tcpclose/model/successors.hpp"

namespace tcpclose::model {

// The last four are observations checked only when named (--property): RFC 1337's hazards
// (H1-H3, refining no-stale-delivery and the agreement of two ends, for the rfc1337 experiment)
// and no-half-open (a peer left with its TCB, which both-closed accepts, for abort-instead-of-close).
enum class Property : std::uint8_t {
  NoStaleDelivery, TimeWaitDuration, ReliableTermination, StreamIntegrity, UniqueTcb,
  BothClosed, NoDeadlock, NoStaleData, NoDesync, NewConnectionSurvives, NoHalfOpen,
};
inline constexpr std::size_t kPropertyCount = 11;
inline constexpr std::array<Property, kPropertyCount> kAllProperties = {
    Property::NoStaleDelivery, Property::TimeWaitDuration, Property::ReliableTermination,
    Property::StreamIntegrity, Property::UniqueTcb, Property::BothClosed, Property::NoDeadlock,
    Property::NoStaleData, Property::NoDesync, Property::NewConnectionSurvives, Property::NoHalfOpen};
constexpr std::uint32_t bit(Property p) { return 1u << static_cast<unsigned>(p); }
// The properties checked by default: every one but the observations checked only when named.
inline constexpr std::uint32_t kAllPropertyBits = (1u << 7) - 1;

const char* name(Property p);
const char* statement(Property p);

enum class Guard : std::uint8_t { TimeWaitReached, FinIntoTimeWait, StaleRejected, ClosingReached };
inline constexpr std::size_t kGuardCount = 4;
inline constexpr std::array<Guard, kGuardCount> kAllGuards = {
    Guard::TimeWaitReached, Guard::FinIntoTimeWait, Guard::StaleRejected, Guard::ClosingReached};
constexpr std::uint8_t bit(Guard g) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(g)); }
const char* name(Guard g);
const char* statement(Guard g);
// The guards a scenario must reach, or the check of that scenario is vacuous.
std::uint8_t required_guards(Scenario s);

namespace detail {
inline constexpr std::uint8_t kAcceptEffects =
    effect::Data | effect::Fin | effect::AckedNew | effect::RstAbort;

// The states in which a connection's two ends must agree on what was sent and received: the
// synchronized ones (RFC 9293 §3.5) but TIME-WAIT, which only answers.
constexpr bool agreeing(State s) {
  return s == State::SynReceived || s == State::Established || s == State::FinWait1 || s == State::FinWait2 ||
         s == State::CloseWait || s == State::Closing || s == State::LastAck;
}

// RFC 1337 H2: the two ends of one incarnation disagree for good: one acknowledges what the other
// never sent (RCV.NXT past the peer's SND.NXT), or counts as acknowledged what the other never
// received (SND.UNA past the peer's RCV.NXT). Retransmission never moves SND.NXT back (core), so
// in an agreeing pair neither can happen without a segment of another incarnation.
inline bool desynchronized(const WorldState& s) {
  const HostState& a = s.h[0];
  const HostState& b = s.h[1];
  if (a.inc == 0 || a.inc != b.inc || !agreeing(a.tcb.state) || !agreeing(b.tcb.state)) return false;
  return seq_gt(a.tcb.rcv_nxt, b.tcb.snd_nxt) || seq_gt(b.tcb.rcv_nxt, a.tcb.snd_nxt) ||
         seq_gt(a.tcb.snd_una, b.tcb.rcv_nxt) || seq_gt(b.tcb.snd_una, a.tcb.rcv_nxt);
}
}  // namespace detail

// no-stale-delivery, written once over a value domain's booleans (plain bool here and in the
// proofs' concrete replay, Z3 terms in the proofs' relation, System::trans): a segment delivered
// to a live TCB of another incarnation is accepted (data, FIN, an ACK that moves SND.UNA, or an
// aborting RST), and did not reopen TIME-WAIT (a reopening starts the SYN's incarnation).
template <class B>
B stale_delivery(const B& delivered_to_live, const B& other_incarnation, const B& accepted, const B& reopened) {
  return delivered_to_live && other_incarnation && accepted && !reopened;
}

// time-wait-duration, written once over a value domain (model::Plain here and in the proofs'
// concrete step, Z3 terms in the proofs' relation, System::trans): whether the step leaves
// TIME-WAIT, and whether that exit is early. By its 2MSL timer: before
// TIME-WAIT's length since tw_start. By anything else: under a mutant, where the profile's own
// rules do not allow it (`held()` false: the checker asks the unmutated step(), the proofs the
// single-step invariant time-wait-held, docs/properties.md); without one, unless it is a
// RST with RFC 1337 off, a reopening SYN the profile allows, an acceptable SYN that resets under
// RFC 793's rule (rfc9293) or the application's own call. The move m (is_tmr, is_del, is_app,
// now), the step st (tin, o, reopened), the host's tw_start and the delivered slot's seg are
// the caller's. Rule: the terms are made in the order the monitor made them before it was one
// definition (the relation's shape is pinned).
template <class D>
struct TwExit { typename D::B left, early; };
template <class D, class Move, class Step, class Host, class Slot, class Timer_, class Held>
TwExit<D> time_wait_exit(const D& d, const Config& cfg, const Move& m, const Step& st, const Host& H, const Slot& P,
                         const Timer_& timer, Held held) {
  const auto& o = st.o;
  typename D::B left_tw = d.is(st.tin.state, State::TimeWait) && d.isnt(o.tcb.state, State::TimeWait);
  const typename D::B by_timer = m.is_tmr && d.timer_is(timer, Timer::TimeWait);
  const typename D::B timer_early = d.ult(m.now - H.tw_start, d.word(cfg.time_wait));
  typename D::B early = by_timer && timer_early;
  if (cfg.mutant != Mutant::None) {
    early = d.ite_else(by_timer, timer_early, [&] { return !held(); });  // held() only off the timer: the checker's re-step
  } else {
    const typename D::B rst_ok = m.is_del && d.has(P.seg, flag::RST) && d.boolean(cfg.rst_in_time_wait == RstInTimeWait::Kill);
    const typename D::B reopen_ok = st.reopened && d.boolean(cfg.syn_reopen != SynReopen::Never);
    typename D::B not_allowed = !by_timer && !rst_ok && !reopen_ok;
    if (cfg.syn_acceptance == SynAcceptance::Window)
      not_allowed = not_allowed && !(m.is_del && d.has(P.seg, flag::SYN) && d.verdict_is(o.verdict, Verdict::Reset));
    early = early || (not_allowed && !m.is_app);
  }
  return {left_tw, early};
}

// The properties violated by one transition (Property bits), and the guards it reaches.
inline std::uint32_t check_transition(const World& w, const WorldState& before, const WorldState& after,
                                      const Transition& tr, std::uint8_t& guards) {
  std::uint32_t bad = 0;
  for (const HostState& h : after.h) {
    if (h.tcb.state == State::TimeWait) guards |= bit(Guard::TimeWaitReached);
    if (h.tcb.state == State::Closing) guards |= bit(Guard::ClosingReached);
  }
  if (tr.unique_violation) bad |= bit(Property::UniqueTcb);
  if (tr.stream_violation) bad |= bit(Property::StreamIntegrity);
  if (!tr.ran_core) return bad;
  if (detail::desynchronized(after)) bad |= bit(Property::NoDesync);
  const Tcb& was = tr.before;
  const Output& o = tr.out;
  if (tr.kind == MoveKind::Deliver && detail::live(was)) {
    // no-stale-delivery: a TCB of incarnation j accepts nothing from incarnation i != j.
    const bool accepted = (o.effects & detail::kAcceptEffects) != 0;
    if (stale_delivery(true, tr.pkt.inc != tr.tcb_inc, accepted, (o.effects & effect::Reopened) != 0))
      bad |= bit(Property::NoStaleDelivery);
    if (tr.pkt.inc < tr.tcb_inc && !accepted) guards |= bit(Guard::StaleRejected);
    // RFC 1337 H1: old data (or an old FIN) accepted by another incarnation.
    if (tr.pkt.inc != tr.tcb_inc && (o.effects & (effect::Data | effect::Fin)) && !(o.effects & effect::Reopened))
      bad |= bit(Property::NoStaleData);
    // RFC 1337 H3: a newer connection ends (CLOSED) on a segment of an older incarnation, or on
    // the RST that such a segment provoked (which carries the older incarnation).
    if (tr.pkt.inc < tr.tcb_inc && was.state != State::TimeWait && !detail::live(o.tcb))
      bad |= bit(Property::NewConnectionSurvives);
    if (was.state == State::TimeWait && (tr.pkt.flags & flag::FIN)) guards |= bit(Guard::FinIntoTimeWait);
  }
  // time-wait-duration: TIME-WAIT ends by its timer only after the configured length since
  // it began or last ACKed a FIN; otherwise only where the unmutated profile also ends it.
  if (was.state == State::TimeWait && o.tcb.state != State::TimeWait) {
    const struct { bool is_tmr, is_del, is_app; std::uint32_t now; } m{
        tr.kind == MoveKind::Timer, tr.kind == MoveKind::Deliver, tr.kind == MoveKind::App, tr.tw_age};
    const struct { const Tcb& tin; const Output& o; bool reopened; } st{was, o, (o.effects & effect::Reopened) != 0};
    const struct { std::uint32_t tw_start; } h{0};
    const struct { const Segment& seg; } p{tr.input.seg};
    const TwExit<Plain> tw = time_wait_exit(Plain{}, w.cfg, m, st, h, p, tr.input.timer, [&] {
      Config real = w.cfg;
      real.mutant = Mutant::None;
      return step(was, tr.input, real).tcb.state != State::TimeWait;
    });
    if (tw.left && tw.early) bad |= bit(Property::TimeWaitDuration);
  }
  // reliable-termination: with no fault but lost ACKs and FINs, the passive closer's
  // connection ends by the ACK of its FIN, never by a reset or a timeout.
  // (Its own application's close, abort or listener close is not the network's doing.)
  const bool passive = was.state == State::CloseWait || was.state == State::LastAck;
  if (passive && tr.kind != MoveKind::App && o.tcb.state == State::Closed && !o.tcb.fin_acked &&
      !(before.faults & fault::Other))
    bad |= bit(Property::ReliableTermination);
  return bad;
}

// A TCB left half-open (RFC 9293 §3.5.2; model::left_half_open in response.hpp, the one
// definition the proofs' both-closed monitor uses too), while its application waits or is done.
// Acceptable, and documented (docs/properties.md).
inline bool half_open(const World& w, const WorldState& s, std::uint8_t host) {
  const HostState& h = s.h[host];
  const Op op = w.prog[host].code[h.pc].op;
  return left_half_open<Plain>(half_open_state(Plain{}, h.tcb.state), detail::live(s.h[1 - host].tcb), s.n != 0,
                               (s.faults & fault::Any) != 0) &&
         (op == Op::ReadEof || op == Op::AwaitConn || op == Op::End);
}

// The goal of both-closed's liveness half: every TCB CLOSED, or left half-open after a fault
// (see half_open). From every reachable state such a state must be reachable.
inline bool settled(const World& w, const WorldState& s) {
  for (std::uint8_t host = 0; host < 2; ++host)
    if (detail::live(s.h[host].tcb) && !half_open(w, s, host)) return false;
  return true;
}

// A state with no successor: both TCBs CLOSED and both applications finished, or a
// documented acceptable outcome (docs/properties.md).
inline std::uint32_t check_terminal(const World& w, const WorldState& s) {
  std::uint32_t bad = 0;
  for (std::uint8_t host = 0; host < 2; ++host) {
    const HostState& h = s.h[host];
    const HostState& peer = s.h[1 - host];
    const Op op = w.prog[host].code[h.pc].op;
    const bool ajar = half_open(w, s, host);
    if (detail::live(h.tcb) && !ajar) bad |= bit(Property::BothClosed);  // = !settled(w, s)
    if (ajar) bad |= bit(Property::NoHalfOpen);
    // A server still waiting for a connection that will never come is acceptable.
    const bool idle_server = op == Op::AwaitConn && h.listening && !detail::live(h.tcb) &&
                             w.prog[1 - host].code[peer.pc].op == Op::End;
    if (op != Op::End && !idle_server && !ajar) bad |= bit(Property::NoDeadlock);
  }
  return bad;
}

}  // namespace tcpclose::model
