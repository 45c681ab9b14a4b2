// packetdrill lines from step()'s results (see pkt_lines.hpp).
#include "pkt_lines.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tcpclose::pkt {

const char* errno_note(Err e) {
  switch (e) {
    case Err::None: return "Success";
    case Err::ConnReset: return "Connection reset by peer";
    case Err::Pipe: return "Broken pipe";
    case Err::TimedOut: return "Connection timed out";
    case Err::ConnRefused: return "Connection refused";
    case Err::NotConn: return "Transport endpoint is not connected";
    case Err::IsConn: return "Transport endpoint is already connected";
    case Err::Already: return "Operation already in progress";
    case Err::AddrInUse: return "Address already in use";
    case Err::AddrNotAvail: return "Cannot assign requested address";
    case Err::Inval: return "Invalid argument";
    case Err::Again: return "Resource temporarily unavailable";
    case Err::InProgress: return "Operation now in progress";
  }
  return "?";
}

std::string rel_time(std::int64_t us) {
  std::string s = fmt::format("{:.6f}", static_cast<double>(us) / 1e6);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

void Writer::line(const std::string& what, std::int64_t window_us) {
  std::string at = last_us_ < 0 ? "0" : "+" + rel_time(now_us - last_us_);
  if (window_us > 0) at += "~+" + rel_time(now_us - std::max<std::int64_t>(last_us_, 0) + window_us);
  body_ += fmt::format("{:>9} {}\n", at, what);
  last_us_ = now_us;
}

std::string Writer::out_text(const Segment& s) const {
  const bool bare_rst = s.has(flag::RST) && !s.has(flag::SYN) && s.seq == 0;
  const Seq seq = bare_rst ? 0 : s.seq - local_isn;
  std::string o = fmt::format("{} {}:{}({})", flag_text(s.flags).text, seq, seq + s.len, s.len);
  if (s.has(flag::ACK)) o += fmt::format(" ack {}", s.ack - peer_base);
  if (s.has(flag::SYN) || s.has_ts) o += " <...>";
  return o;
}

std::string Writer::in_text(const Segment& s) const {
  const Seq seq = s.seq - peer_base;
  std::string o = fmt::format("{} {}:{}({})", flag_text(s.flags).text, seq, seq + s.len, s.len);
  if (s.has(flag::ACK)) o += fmt::format(" ack {}", s.ack - local_isn);
  o += fmt::format(" win {}", s.wnd);
  if (s.has(flag::SYN)) o += fmt::format(" <mss {}>", kPeerMss);
  return o;
}

void Writer::sent(const Segment& s, std::int64_t window_us, bool learn_isn) {
  if (s.has(flag::SYN) && learn_isn) local_isn = s.seq;  // as packetdrill learns our ISN
  const bool pure_ack = s.flags == flag::ACK && s.len == 0;
  line("> " + out_text(s), std::max(window_us, pure_ack ? kAckWindowUs : 0));
}

std::string Writer::result(const Input& in, const Output& o, bool nonblocking_connect) {
  if (o.result != Err::None) return fmt::format("-1 {} ({})", name(o.result), errno_note(o.result));
  if (in.kind == InputKind::Connect && o.tcb.state == State::SynSent && nonblocking_connect)
    return "-1 EINPROGRESS (Operation now in progress)";
  if (in.kind == InputKind::Send || in.kind == InputKind::Receive) return std::to_string(o.result_n);
  return "0";
}

}  // namespace tcpclose::pkt
