// Serial (modulo 2^32) arithmetic on TCP sequence numbers: RFC 9293 §3.4, RFC 1982.
// Rule: never compare two sequence numbers with < or > directly; use these helpers, which
// are correct whenever the two numbers lie within 2^31 of each other.
#pragma once

#include <cstdint>
#include <type_traits>

namespace tcpclose {

using Seq = std::uint32_t;

// RFC 1982 §3.2: a < b iff the signed 32-bit distance b - a is positive. C++20 defines the
// unsigned -> signed conversion as modular, so this is portable and constexpr.
constexpr bool seq_lt(Seq a, Seq b) noexcept { return static_cast<std::int32_t>(a - b) < 0; }
constexpr bool seq_le(Seq a, Seq b) noexcept { return static_cast<std::int32_t>(a - b) <= 0; }

// The rest are templates so that core/'s rules can run on another value domain (step.hpp
// Concrete): W is Seq for plain integers, or the domain's word, whose seq_lt, seq_le and
// seq_in_window are found by argument-dependent lookup.
template <class W>
using SeqOf = std::conditional_t<std::is_arithmetic_v<W>, Seq, W>;

template <class W>
constexpr bool seq_gt(W a, std::type_identity_t<W> b) noexcept { return seq_lt(SeqOf<W>(b), SeqOf<W>(a)); }
template <class W>
constexpr bool seq_ge(W a, std::type_identity_t<W> b) noexcept { return seq_le(SeqOf<W>(b), SeqOf<W>(a)); }

// lo <= x < lo + len, computed as one unsigned distance so it is exact for every len < 2^32.
constexpr bool seq_in_window(Seq x, Seq lo, std::uint32_t len) noexcept { return x - lo < len; }

// RFC 9293 §3.4 Table 6: is a segment occupying [seq, seq + seg_len) acceptable for a
// receive window [rcv_nxt, rcv_nxt + rcv_wnd)? seg_len counts SYN and FIN.
template <class W>
constexpr bool segment_acceptable(W seq_in, std::type_identity_t<W> seg_len_in, std::type_identity_t<W> rcv_nxt_in,
                                  std::type_identity_t<W> rcv_wnd_in) noexcept {
  const SeqOf<W> seq(seq_in), seg_len(seg_len_in), rcv_nxt(rcv_nxt_in), rcv_wnd(rcv_wnd_in);
  if (seg_len == 0) {
    return rcv_wnd == 0 ? seq == rcv_nxt : seq_in_window(seq, rcv_nxt, rcv_wnd);
  }
  if (rcv_wnd == 0) return false;
  return seq_in_window(seq, rcv_nxt, rcv_wnd) ||
         seq_in_window(seq + seg_len - 1, rcv_nxt, rcv_wnd);
}

// RFC 9293 §3.10.7.4 fifth check: an ACK is acceptable (advances SND.UNA) iff
// SND.UNA < SEG.ACK =< SND.NXT.
template <class W>
constexpr bool ack_acceptable(W ack, std::type_identity_t<W> snd_una, std::type_identity_t<W> snd_nxt) noexcept {
  return seq_lt(SeqOf<W>(snd_una), SeqOf<W>(ack)) && seq_le(SeqOf<W>(ack), SeqOf<W>(snd_nxt));
}

// RFC 7323 §5.3 R1: PAWS rejects a non-RST segment whose TSval is older than TS.Recent.
template <class W>
constexpr bool paws_rejects(W ts_val, std::type_identity_t<W> ts_recent) noexcept {
  return seq_lt(SeqOf<W>(ts_val), SeqOf<W>(ts_recent));
}

}  // namespace tcpclose
