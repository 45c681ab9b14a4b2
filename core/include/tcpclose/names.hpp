// Printable names for every core enum, spelled as the RFCs and errno spell them
// ("FIN-WAIT-1", "ECONNRESET"). Rule: names are const char*, so the core stays heap-free.
#pragma once

#include "tcpclose/config.hpp"
#include "tcpclose/types.hpp"

namespace tcpclose {

constexpr const char* name(State s) noexcept {
  switch (s) {
    case State::Closed: return "CLOSED";
    case State::Listen: return "LISTEN";
    case State::SynSent: return "SYN-SENT";
    case State::SynReceived: return "SYN-RECEIVED";
    case State::Established: return "ESTABLISHED";
    case State::FinWait1: return "FIN-WAIT-1";
    case State::FinWait2: return "FIN-WAIT-2";
    case State::CloseWait: return "CLOSE-WAIT";
    case State::Closing: return "CLOSING";
    case State::LastAck: return "LAST-ACK";
    case State::TimeWait: return "TIME-WAIT";
  }
  return "?";
}

constexpr const char* name(Err e) noexcept {
  switch (e) {
    case Err::None: return "OK";
    case Err::ConnReset: return "ECONNRESET";
    case Err::Pipe: return "EPIPE";
    case Err::TimedOut: return "ETIMEDOUT";
    case Err::ConnRefused: return "ECONNREFUSED";
    case Err::NotConn: return "ENOTCONN";
    case Err::IsConn: return "EISCONN";
    case Err::Already: return "EALREADY";
    case Err::AddrInUse: return "EADDRINUSE";
    case Err::AddrNotAvail: return "EADDRNOTAVAIL";
    case Err::Inval: return "EINVAL";
    case Err::Again: return "EAGAIN";
    case Err::InProgress: return "EINPROGRESS";
  }
  return "?";
}

constexpr const char* name(Timer t) noexcept {
  switch (t) {
    case Timer::Rexmit: return "rexmit";
    case Timer::TimeWait: return "2msl";
    case Timer::FinWait2: return "fin-wait-2";
    case Timer::DelAck: return "delayed-ack";
  }
  return "?";
}

constexpr const char* name(Shut h) noexcept {
  switch (h) {
    case Shut::Rd: return "SHUT_RD";
    case Shut::Wr: return "SHUT_WR";
    case Shut::RdWr: return "SHUT_RDWR";
  }
  return "?";
}

constexpr const char* name(InputKind k) noexcept {
  switch (k) {
    case InputKind::Segment: return "segment";
    case InputKind::Listen: return "listen";
    case InputKind::Connect: return "connect";
    case InputKind::Send: return "send";
    case InputKind::Receive: return "receive";
    case InputKind::Shutdown: return "shutdown";
    case InputKind::Close: return "close";
    case InputKind::Abort: return "abort";
    case InputKind::Timeout: return "timeout";
  }
  return "?";
}

constexpr const char* name(Verdict v) noexcept {
  switch (v) {
    case Verdict::None: return "-";
    case Verdict::Accepted: return "accepted";
    case Verdict::DroppedAcked: return "dropped+ack";
    case Verdict::Dropped: return "dropped";
    case Verdict::ChallengeAcked: return "challenge-ack";
    case Verdict::Reset: return "reset";
  }
  return "?";
}

constexpr const char* name(Profile p) noexcept {
  switch (p) {
    case Profile::Reference: return "reference";
    case Profile::Rfc9293: return "rfc9293";
    case Profile::Linux: return "linux";
    case Profile::FreeBsd: return "freebsd";
    case Profile::Smoltcp: return "smoltcp";
  }
  return "?";
}

constexpr const char* name(Mutant m) noexcept {
  switch (m) {
    case Mutant::None: return "none";
    case Mutant::TimeWaitZero: return "time-wait-zero";
    case Mutant::TimeWaitOneMsl: return "time-wait-one-msl";
    case Mutant::RstKillsTimeWait: return "rst-kills-time-wait";
    case Mutant::NoReackInTimeWait: return "no-reack-in-time-wait";
    case Mutant::NoTimeWaitRestart: return "no-time-wait-restart";
    case Mutant::SynReopensAny: return "syn-reopens-any";
    case Mutant::NoFinRetransmit: return "no-fin-retransmit";
    case Mutant::NoWindowCheck: return "no-window-check";
  }
  return "?";
}

constexpr const char* describe(Mutant m) noexcept {
  switch (m) {
    case Mutant::None: return "the real protocol";
    case Mutant::TimeWaitZero: return "no TIME-WAIT at all";
    case Mutant::TimeWaitOneMsl: return "TIME-WAIT lasts MSL instead of 2 MSL";
    case Mutant::RstKillsTimeWait: return "RST in TIME-WAIT accepted: the RFC 1337 assassination";
    case Mutant::NoReackInTimeWait: return "a retransmitted FIN in TIME-WAIT is ignored";
    case Mutant::NoTimeWaitRestart: return "the 2MSL timer is not restarted on a retransmitted FIN";
    case Mutant::SynReopensAny: return "any SYN reopens TIME-WAIT";
    case Mutant::NoFinRetransmit: return "FINs are never retransmitted";
    case Mutant::NoWindowCheck: return "out-of-window segments are accepted";
  }
  return "?";
}

inline constexpr std::array<Mutant, kMutantCount> kAllMutants = {
    Mutant::None, Mutant::TimeWaitZero, Mutant::TimeWaitOneMsl, Mutant::RstKillsTimeWait,
    Mutant::NoReackInTimeWait, Mutant::NoTimeWaitRestart, Mutant::SynReopensAny,
    Mutant::NoFinRetransmit, Mutant::NoWindowCheck};

// Flags in packetdrill's spelling: "S", "S.", ".", "P.", "F.", "R", "R." (FIN before PSH).
struct FlagText { char text[8]; };
constexpr FlagText flag_text(std::uint8_t f) noexcept {
  FlagText out{};
  std::size_t i = 0;
  if ((f & flag::SYN) != 0) out.text[i++] = 'S';
  if ((f & flag::FIN) != 0) out.text[i++] = 'F';
  if ((f & flag::PSH) != 0) out.text[i++] = 'P';
  if ((f & flag::RST) != 0) out.text[i++] = 'R';
  if ((f & flag::ACK) != 0) out.text[i++] = '.';
  out.text[i] = '\0';
  return out;
}

}  // namespace tcpclose
