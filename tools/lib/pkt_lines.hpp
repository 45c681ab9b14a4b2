// Writing packetdrill lines from what step() did: the pieces that `tcpclose gen` (gen.hpp) and the
// counterexample scripts of `tcpclose check --trace-format packetdrill` (cex_script.hpp) share.
// Rule: sequence numbers are written relative to the bases the caller keeps (ours learnt from
// every SYN we send, as packetdrill learns it; the peer's fixed), times relative to the line before.
#pragma once

#include <cstdint>
#include <string>

#include <tcpclose/core.hpp>

namespace tcpclose::pkt {

inline constexpr std::uint32_t kPeerMss = 1000;         // the MSS the peer's SYN offers
inline constexpr std::int64_t kAckWindowUs = 50'000;    // a pure ACK may be delayed (Linux: up to 40 ms)

// packetdrill wants a note after an errno ("= -1 EPIPE (Broken pipe)"); glibc's strerror texts.
const char* errno_note(Err e);
// Microseconds as packetdrill's seconds, without trailing zeros: 1500000 -> "1.5".
std::string rel_time(std::int64_t us);

// A script body being written, line by line, with the clock and the two sequence bases.
class Writer {
 public:
  Seq local_isn = 0;       // our ISS: our script 0
  Seq peer_base = 0;       // the peer's script 0
  std::int64_t now_us = 0; // the time of the next line

  // One line at now_us: "+d" after the line before (the first is "0"); with a window, "+d~+e".
  void line(const std::string& what, std::int64_t window_us = 0);
  // "F. 1:1(0) ack 1 <...>": a segment we sent (a bare RST with seq 0 is written 0:0(0)).
  std::string out_text(const Segment& s) const;
  // "F. 1:1(0) ack 1 win 65535": a segment the peer sends (a SYN offers <mss kPeerMss>).
  std::string in_text(const Segment& s) const;
  // The "> ..." line of a segment we sent, learning our ISN from a SYN unless `learn_isn` is false.
  // A pure ACK gets the delayed-ACK window; `window_us` widens any line (a timer's expiry on a
  // coarse clock). packetdrill learns our ISN from the SYN that makes its socket: a SYN,ACK of a
  // TIME-WAIT reopened by a SYN keeps the old base (Linux 6.18, time-wait--s-seq-gt-wnd.pkt: the
  // kernel's SYN,ACK at tw_snd_nxt + 65537 is read as 65539, not 0), so callers pass false there.
  void sent(const Segment& s, std::int64_t window_us = 0, bool learn_isn = true);
  // "= 0", "= 1", "= -1 EPIPE (Broken pipe)": a call's result as step() gave it. A connect() on a
  // non-blocking socket that leaves SYN-SENT is "-1 EINPROGRESS".
  static std::string result(const Input& in, const Output& o, bool nonblocking_connect);

  // A comment line of its own ("// text").
  void comment(const std::string& text) { body_ += "// " + text + "\n"; }

  const std::string& body() const { return body_; }
  std::int64_t last_us() const { return last_us_ < 0 ? 0 : last_us_; }  // the time of the last line

 private:
  std::string body_;
  std::int64_t last_us_ = -1;
};

}  // namespace tcpclose::pkt
