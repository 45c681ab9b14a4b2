// Names and statements of the properties and vacuity guards (see properties.hpp).
#include "tcpclose/model/properties.hpp"

namespace tcpclose::model {

const char* name(Property p) {
  switch (p) {
    case Property::NoStaleDelivery: return "no-stale-delivery";
    case Property::TimeWaitDuration: return "time-wait-duration";
    case Property::ReliableTermination: return "reliable-termination";
    case Property::StreamIntegrity: return "stream-integrity";
    case Property::UniqueTcb: return "unique-tcb";
    case Property::BothClosed: return "both-closed";
    case Property::NoDeadlock: return "no-deadlock";
    case Property::NoStaleData: return "no-stale-data";
    case Property::NoDesync: return "no-desync";
    case Property::NewConnectionSurvives: return "new-connection-survives";
    case Property::NoHalfOpen: return "no-half-open";
  }
  return "?";
}

const char* statement(Property p) {
  switch (p) {
    case Property::NoStaleDelivery:
      return "a segment of incarnation i is never accepted (data, FIN, an ACK that moves SND.UNA, "
             "or a RST that aborts) by a TCB of incarnation j != i";
    case Property::TimeWaitDuration:
      return "TIME-WAIT never ends before its configured length has passed since it began or last "
             "ACKed a FIN, except where the profile allows it (a RST with RFC 1337 off, a permitted "
             "reopening SYN, an acceptable SYN that resets by RFC 793)";
    case Property::ReliableTermination:
      return "when the only faults are lost ACKs or FINs within the budget, the passive closer's "
             "connection ends by the ACK of its FIN, never by a reset or a timeout";
    case Property::StreamIntegrity:
      return "each application reads exactly the bytes its peer wrote, in order, then end of stream, "
             "and nothing after it";
    case Property::UniqueTcb:
      return "no two live TCBs on one host share a 4-tuple";
    case Property::BothClosed:
      return "every terminal state has both TCBs CLOSED, or a TCB is left half-open after a fault "
             "(RFC 9293 §3.5.2) while its peer is CLOSED; and from every reachable state such a state "
             "is reachable (unless --no-liveness)";
    case Property::NoDeadlock:
      return "in every terminal state both applications have finished (or a server still waits for "
             "a connection that its finished peer will never make)";
    case Property::NoStaleData:
      return "(RFC 1337 H1; only when named) no data or FIN of incarnation i is accepted by a TCB of "
             "incarnation j != i";
    case Property::NoDesync:
      return "(RFC 1337 H2; only when named) the two synchronized ends of one incarnation never disagree "
             "for good: neither's RCV.NXT passes the other's SND.NXT, nor its SND.UNA the other's RCV.NXT "
             "(RFC 793 then answers ACK with ACK forever)";
    case Property::NewConnectionSurvives:
      return "(RFC 1337 H3; only when named) no connection of incarnation j, TIME-WAIT aside, is ended by "
             "a segment of an older incarnation i < j, or by the RST such a segment provoked";
    case Property::NoHalfOpen:
      return "(only when named) no run ends with a TCB left half-open: synchronized, no timer running, its peer "
             "CLOSED and nothing in flight (both-closed accepts this after a fault; a lost RST leaves it)";
  }
  return "?";
}

const char* name(Guard g) {
  switch (g) {
    case Guard::TimeWaitReached: return "time-wait-reached";
    case Guard::FinIntoTimeWait: return "fin-into-time-wait";
    case Guard::StaleRejected: return "stale-segment-rejected";
    case Guard::ClosingReached: return "closing-reached";
  }
  return "?";
}

const char* statement(Guard g) {
  switch (g) {
    case Guard::TimeWaitReached: return "some TCB enters TIME-WAIT";
    case Guard::FinIntoTimeWait: return "a FIN is delivered to a TCB in TIME-WAIT";
    case Guard::StaleRejected: return "a segment of an older incarnation reaches a newer one and is rejected";
    case Guard::ClosingReached: return "some TCB passes through CLOSING";
  }
  return "?";
}

std::uint8_t required_guards(Scenario s) {
  switch (s) {
    case Scenario::ActiveClose: case Scenario::HalfClose:
      return bit(Guard::TimeWaitReached) | bit(Guard::FinIntoTimeWait);
    case Scenario::SimultaneousClose:
      return bit(Guard::TimeWaitReached) | bit(Guard::FinIntoTimeWait) | bit(Guard::ClosingReached);
    case Scenario::EarlyClose: case Scenario::Abort:
      return 0;
    case Scenario::ReopenConnect: case Scenario::ReopenConnectReuse: case Scenario::ReopenSyn:
      return bit(Guard::TimeWaitReached) | bit(Guard::FinIntoTimeWait) | bit(Guard::StaleRejected);
    case Scenario::ReopenAbort:  // no TIME-WAIT, but the old incarnation's segments must meet the new one
      return bit(Guard::StaleRejected);
  }
  return 0;
}

}  // namespace tcpclose::model
