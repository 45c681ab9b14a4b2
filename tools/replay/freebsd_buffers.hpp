// FreeBSD's socket buffers as they shape the receive window, shared by the replay's socket
// layer and `tcpclose gen`, so that both derive RCV.WND by one rule (docs/conformance.md,
// "FreeBSD's receive window"). Pure functions of the buffer, the peer's MSS offer and the family.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

#include <tcpclose/core.hpp>

namespace tcpclose::replay::freebsd {

// net.inet.tcp.recvspace (only its default is modelled), the MSS of packetdrill's tun link
// (MTU 1500) and tcp_mssdflt / tcp_v6mssdflt for a SYN without MSS.
inline constexpr std::uint32_t kRecvSpace = 65536;
inline constexpr std::uint32_t kLinkMssV4 = 1460, kLinkMssV6 = 1440;
inline constexpr std::uint32_t kDefaultMssV4 = 536, kDefaultMssV6 = 1220;
inline constexpr std::uint32_t kMinMss = 216;       // net.inet.tcp.minmss (TCP_MINMSS)
inline constexpr std::uint32_t kTcpMaxWin = 65535;  // TCP_MAXWIN: the largest unscaled window

// FreeBSD tcp_mss(): once the peer's SYN is in, sb_hiwat of both buffers is rounded up to
// whole segments of t_maxseg, which tcp_mss_update() makes min(link MSS, the peer's offer): no
// MSS option (or 0) offers tcp_mssdflt (IPv6: tcp_v6mssdflt), a smaller one is raised to
// tcp_minmss, and the result is at least 64. t_maxseg leaves out the option space ("resulting
// t_maxseg doesn't include space for TCP options", tcp_maxseg() subtracts it per segment), so
// timestamps do not change the size the buffers are rounded to.
constexpr std::uint32_t segment_size(bool ipv6, std::optional<std::uint32_t> peer_mss) noexcept {
  const std::uint32_t link = ipv6 ? kLinkMssV6 : kLinkMssV4;
  const std::uint32_t dflt = ipv6 ? kDefaultMssV6 : kDefaultMssV4;
  const std::uint32_t offer = peer_mss && *peer_mss != 0 ? std::max(*peer_mss, kMinMss) : dflt;
  return std::max<std::uint32_t>(64, std::min(link, offer));
}
constexpr std::uint32_t rounded(std::uint32_t buf, std::uint32_t mss) noexcept {
  return buf > mss ? (buf + mss - 1) / mss * mss : buf;
}

// RCV.WND before each segment is judged. tcp_do_segment() (tcp_input.c) sets tp->rcv_wnd to
// max(sbspace(&so->so_rcv), rcv_adv - rcv_nxt): the room left in the receive buffer, rounded as
// above. The advertised part, rcv_adv - rcv_nxt, is never larger here: it is at most that room
// when the last ACK left (the core ACKs at once), less what arrived since. A connection a
// listener holds in SYN-RECEIVED is a syncache entry, whose window syncache_add() takes as
// min(sbspace of the listener, TCP_MAXWIN).
constexpr std::uint32_t rcv_wnd(bool in_syncache, std::uint32_t hiwat, std::uint32_t mss,
                                std::uint32_t unread) noexcept {
  if (in_syncache) return std::min(hiwat, kTcpMaxWin);
  const std::uint32_t buf = rounded(hiwat, mss);
  return buf - std::min(buf, unread);
}

}  // namespace tcpclose::replay::freebsd
