// Linux's receive buffer as SO_RCVBUF fixes it, and the receive window derived from it, for the
// replay's socket layer under the linux profile (docs/conformance.md, "Linux's receive buffer").
// Pure functions of the value set, the advertised MSS and the bytes not yet read.
#pragma once

#include <algorithm>
#include <cstdint>

namespace tcpclose::replay::linux_buffers {

// net.core.rmem_max on this Linux 6.18 (4 MiB: SO_RCVBUF -1 and 5000000 both read back 8388608 on the
// kernel); the replay does not model net.core sysctls.
inline constexpr std::uint32_t kRmemMax = 4194304;
inline constexpr std::uint32_t kMinRcvBuf = 2304;      // SOCK_MIN_RCVBUF on this kernel (SO_RCVBUF 1 reads 2304)
inline constexpr std::uint32_t kLinkMssV4 = 1460, kLinkMssV6 = 1440;  // packetdrill's tun link, MTU 1500
inline constexpr std::uint32_t kTsOptionLen = 12;      // TCPOLEN_TSTAMP_ALIGNED

// sock_setsockopt(SO_RCVBUF) -> __sock_set_rcvbuf(): the value is capped at rmem_max, doubled
// ("double it to allow for struct sk_buff overhead") and raised to SOCK_MIN_RCVBUF; getsockopt
// reports the doubled size. sock_setsockopt() caps with min_t(u32, val, rmem_max), so a negative
// value, read unsigned, is capped to rmem_max as well.
constexpr std::uint32_t rcvbuf(std::int64_t value) noexcept {
  const std::int64_t v = value < 0 ? std::int64_t{kRmemMax} : std::min<std::int64_t>(value, kRmemMax);
  return std::max<std::uint32_t>(static_cast<std::uint32_t>(v * 2), kMinRcvBuf);
}

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

}  // namespace tcpclose::replay::linux_buffers
