// Linux's socket buffers as SO_RCVBUF and SO_SNDBUF fix them, the receive window derived from the
// one and the writes the other provably takes whole, for the replay's socket layer under the linux
// profile (docs/conformance.md, "Linux's socket buffers"). Pure functions of the values given.
#pragma once

#include <algorithm>
#include <cstdint>

namespace tcpclose::replay::linux_buffers {

// net.core.rmem_max on this Linux 6.18 (4 MiB: SO_RCVBUF -1 and 5000000 both read back 8388608 on the
// kernel); the replay does not model net.core sysctls.
inline constexpr std::uint32_t kRmemMax = 4194304;
inline constexpr std::uint32_t kMinRcvBuf = 2304;      // SOCK_MIN_RCVBUF on this kernel (SO_RCVBUF 1 reads 2304)
// net.core.wmem_max here (4 MiB: SO_SNDBUF -1 and 5000000 read back 8388608) and SOCK_MIN_SNDBUF,
// 2 * TCP_SKB_MIN_TRUESIZE (SO_SNDBUF 1 reads 4608): linux/sndbuf-size-bounds.pkt.
inline constexpr std::uint32_t kWmemMax = 4194304;
inline constexpr std::uint32_t kMinSndBuf = 4608;
// TCP_SKB_MIN_TRUESIZE (2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff))), taken as an upper bound on
// what one skb costs sk_wmem_queued beyond its payload. The kernel charges less here: with a
// 10000-byte buffer and 500-byte skbs (a peer window of 1000) a non-blocking write took 5500 bytes,
// 11 skbs, so under 1000 a skb, payload included.
inline constexpr std::uint32_t kSkbOverheadBound = 2304;
inline constexpr std::uint32_t kLinkMssV4 = 1460, kLinkMssV6 = 1440;  // packetdrill's tun link, MTU 1500
inline constexpr std::uint32_t kTsOptionLen = 12;      // TCPOLEN_TSTAMP_ALIGNED

// sock_setsockopt(SO_RCVBUF) -> __sock_set_rcvbuf(): the value is capped at rmem_max, doubled
// ("double it to allow for struct sk_buff overhead") and raised to SOCK_MIN_RCVBUF; getsockopt
// reports the doubled size. sock_setsockopt() caps with min_t(u32, val, rmem_max), so a negative
// value, read unsigned, is capped to rmem_max as well.
// __sock_set_sndbuf() does the same with wmem_max and SOCK_MIN_SNDBUF.
constexpr std::uint32_t sock_buffer(std::int64_t value, std::uint32_t max, std::uint32_t min) noexcept {
  const std::int64_t v = value < 0 ? std::int64_t{max} : std::min<std::int64_t>(value, max);
  return std::max<std::uint32_t>(static_cast<std::uint32_t>(v * 2), min);
}
constexpr std::uint32_t rcvbuf(std::int64_t value) noexcept { return sock_buffer(value, kRmemMax, kMinRcvBuf); }
constexpr std::uint32_t sndbuf(std::int64_t value) noexcept { return sock_buffer(value, kWmemMax, kMinSndBuf); }

// The MSS the receive window is rounded to: tcp_openreq_init_rwin() and tcp_connect_init() pass
// the advertised MSS less the timestamp option when timestamps are in use.
constexpr std::uint32_t adv_mss(bool ipv6, bool timestamps) noexcept {
  return (ipv6 ? kLinkMssV6 : kLinkMssV4) - (timestamps ? kTsOptionLen : 0);
}

// RCV.WND before each segment is judged. tcp_select_initial_window(): the space is
// tcp_win_from_space(sk_rcvbuf), half the buffer at the initial scaling_ratio (50%), rounded down to
// whole segments when larger than one ("space = rounddown(space, mss)"): 18980 for SO_RCVBUF 20000 at
// MSS 1460. Each byte received and not yet read takes its place (checked on the kernel for 1000
// bytes: win 17980). Not modelled: the skb truesize the kernel charges and the scaling_ratio it
// learns from it, the window it never shrinks once offered, and its window updates after reads.
constexpr std::uint32_t rcv_wnd(std::uint32_t rcvbuf, std::uint32_t mss, std::uint32_t unread) noexcept {
  std::uint32_t space = rcvbuf / 2;
  if (space > mss) space = space / mss * mss;
  return space > unread ? space - unread : 0;
}

// The least payload a new skb of a write holds: tcp_xmit_size_goal() gives at least the MSS bounded
// by tcp_bound_to_half_wnd() (half the largest window the peer offered, or all of it below 536
// bytes), so min(MSS, the peer's current window / 2) never exceeds it; 1 for a zero window.
constexpr std::uint32_t size_goal_floor(std::uint32_t mss, std::uint32_t snd_wnd) noexcept {
  return std::max<std::uint32_t>(1, std::min(mss, snd_wnd / 2));
}

// The most new skbs a write of `bytes` can fill when each holds at least `goal` bytes.
constexpr std::uint32_t new_skbs(std::uint32_t bytes, std::uint32_t goal) noexcept {
  return static_cast<std::uint32_t>((std::uint64_t{bytes} + goal - 1) / goal);
}

// Whether Linux provably takes a write of `bytes` whole. tcp_sendmsg_locked() fills skbs of up to
// the size goal and, before each new one, waits (or returns what it took, when non-blocking) unless
// sk_stream_memory_free(): sk_wmem_queued < sk_sndbuf. sk_wmem_queued is the truesize of every skb
// still queued, sent or not. `queued` is the bytes not yet acknowledged; `skbs` bounds the skbs
// holding them (the replay counts each write's new skbs and one per segment sent, since sending part
// of a skb splits it); one more stands for a SYN or FIN skb. If the payload plus kSkbOverheadBound per skb, the
// write's own included, stays below the buffer, no wait can happen. Past that bound Linux may still
// take all or part of it (a large size goal once took 42000 bytes into a 6000-byte buffer): the
// replay then says the write is unsupported rather than guess.
constexpr bool write_fits(std::uint32_t sndbuf, std::uint32_t queued, std::uint32_t bytes, std::uint32_t skbs,
                          std::uint32_t goal) noexcept {
  const std::uint64_t cost =
      std::uint64_t{queued} + bytes + (std::uint64_t{skbs} + new_skbs(bytes, goal) + 1) * kSkbOverheadBound;
  return cost < sndbuf;
}

}  // namespace tcpclose::replay::linux_buffers
