// Serial (modulo 2^32) arithmetic on TCP sequence numbers: RFC 9293 §3.4, RFC 1982.
// Rule: never compare two sequence numbers with < or > directly; use these helpers, which
// are correct whenever the two numbers lie within 2^31 of each other.
#pragma once

#include <cstdint>

namespace tcpclose {

using Seq = std::uint32_t;

// RFC 1982 §3.2: a < b iff the signed 32-bit distance b - a is positive. C++20 defines the
// unsigned -> signed conversion as modular, so this is portable and constexpr.
constexpr bool seq_lt(Seq a, Seq b) noexcept { return static_cast<std::int32_t>(a - b) < 0; }
constexpr bool seq_le(Seq a, Seq b) noexcept { return static_cast<std::int32_t>(a - b) <= 0; }
constexpr bool seq_gt(Seq a, Seq b) noexcept { return seq_lt(b, a); }
constexpr bool seq_ge(Seq a, Seq b) noexcept { return seq_le(b, a); }

// lo <= x < lo + len, computed as one unsigned distance so it is exact for every len < 2^32.
constexpr bool seq_in_window(Seq x, Seq lo, std::uint32_t len) noexcept { return x - lo < len; }

// RFC 9293 §3.4 Table 6: is a segment occupying [seq, seq + seg_len) acceptable for a
// receive window [rcv_nxt, rcv_nxt + rcv_wnd)? seg_len counts SYN and FIN.
constexpr bool segment_acceptable(Seq seq, std::uint32_t seg_len, Seq rcv_nxt,
                                  std::uint32_t rcv_wnd) noexcept {
  if (seg_len == 0) {
    return rcv_wnd == 0 ? seq == rcv_nxt : seq_in_window(seq, rcv_nxt, rcv_wnd);
  }
  if (rcv_wnd == 0) return false;
  return seq_in_window(seq, rcv_nxt, rcv_wnd) ||
         seq_in_window(seq + seg_len - 1, rcv_nxt, rcv_wnd);
}

// RFC 9293 §3.10.7.4 fifth check: an ACK is acceptable (advances SND.UNA) iff
// SND.UNA < SEG.ACK =< SND.NXT.
constexpr bool ack_acceptable(Seq ack, Seq snd_una, Seq snd_nxt) noexcept {
  return seq_lt(snd_una, ack) && seq_le(ack, snd_nxt);
}

// RFC 7323 §5.3 R1: PAWS rejects a non-RST segment whose TSval is older than TS.Recent.
constexpr bool paws_rejects(std::uint32_t ts_val, std::uint32_t ts_recent) noexcept {
  return seq_lt(ts_val, ts_recent);
}

}  // namespace tcpclose
