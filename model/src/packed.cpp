// The packed frontier state (see packed.hpp): the layout, field by field. Every member of Tcb,
// HostState, Pkt and WorldState is named in a structured binding below, so a new member breaks
// the build here until it is packed; the timer deadlines are packed by a loop over the array.
// The widths a world chooses are template parameters: packing is straight-line stores at fixed
// offsets, with the bound checks folded into one flag and no branch.
#include "tcpclose/model/packed.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <utility>
#include <cstring>
#include <type_traits>

namespace tcpclose::model {
namespace {

constexpr std::uint64_t kNarrowTicks = 0xFE;  // the most ticks an 8-bit deadline holds; 0xFF: disarmed

#define TCPCLOSE_INLINE inline __attribute__((always_inline))

// A cursor over the record; every store checks its bound into `ok`.
struct Out {
  std::uint8_t* p;
  bool ok = true;
  TCPCLOSE_INLINE void u8(std::uint32_t v) noexcept {
    ok &= v <= 0xFFu;
    *p++ = static_cast<std::uint8_t>(v);
  }
  TCPCLOSE_INLINE void u16(std::uint32_t v) noexcept {
    ok &= v <= 0xFFFFu;
    const auto x = static_cast<std::uint16_t>(v);
    std::memcpy(p, &x, 2);
    p += 2;
  }
  TCPCLOSE_INLINE void nibbles(std::uint32_t lo, std::uint32_t hi) noexcept {
    ok &= (lo | hi) < 16;
    *p++ = static_cast<std::uint8_t>(lo | hi << 4);
  }
  TCPCLOSE_INLINE void zero(std::uint32_t v) noexcept { ok &= v == 0; }  // bounded to 0: not stored
  TCPCLOSE_INLINE void u24(std::uint32_t v) noexcept {
    ok &= v <= 0xFFFFFFu;
    const auto x = static_cast<std::uint16_t>(v);
    std::memcpy(p, &x, 2);
    p[2] = static_cast<std::uint8_t>(v >> 16);
    p += 3;
  }
  template <bool Wide>
  TCPCLOSE_INLINE void var(std::uint32_t v) noexcept {
    if constexpr (Wide) u16(v); else u8(v);
  }
  template <bool Wide>
  TCPCLOSE_INLINE void seq(std::uint32_t v) noexcept {
    if constexpr (Wide) u24(v); else u16(v);
  }
};

struct In {
  const std::uint8_t* p;
  TCPCLOSE_INLINE std::uint8_t u8() noexcept { return *p++; }
  TCPCLOSE_INLINE std::uint16_t u16() noexcept {
    std::uint16_t x;
    std::memcpy(&x, p, 2);
    p += 2;
    return x;
  }
  TCPCLOSE_INLINE std::uint8_t lo() const noexcept { return *p & 0x0F; }
  TCPCLOSE_INLINE std::uint8_t hi() noexcept { return static_cast<std::uint8_t>(*p++ >> 4); }
  TCPCLOSE_INLINE std::uint32_t u24() noexcept {
    const std::uint32_t lo = u16();
    return lo | std::uint32_t{*p++} << 16;
  }
  template <bool Wide>
  TCPCLOSE_INLINE std::uint32_t var() noexcept {
    if constexpr (Wide) return u16(); else return u8();
  }
  template <bool Wide>
  TCPCLOSE_INLINE std::uint32_t seq() noexcept {
    if constexpr (Wide) return u24(); else return u16();
  }
};

std::uint64_t longest_timer(const Config& c) {
  const std::uint64_t backoff = c.rto_backoff ? std::uint64_t{1} << kMaxBackoffShift : 1;
  return std::max({std::uint64_t{c.time_wait}, std::uint64_t{c.fin_wait2_timeout}, std::uint64_t{c.msl},
                   std::uint64_t{c.rto} * backoff, std::uint64_t{c.delack_min}, std::uint64_t{c.delack_ato}});
}

std::uint32_t program_sends(const World& w) {
  std::uint32_t n = 0;
  for (const Program& p : w.prog)
    for (std::size_t i = 0; i < p.size; ++i) n += p.code[i].op == Op::Send;
  return n;
}

}  // namespace

namespace detail {

template <bool WideDeadlines, bool WideDeltas, bool Rtt, bool WideSeqs, bool Ts, bool ClockIsn>
struct PackCodec {
  // The ISN policy's steps are multiples of 2^kShift (packed.hpp); kHiBits count them.
  static constexpr unsigned kShift = ClockIsn ? 24 : 30, kHiBits = ClockIsn ? 4 : 2;
  static constexpr unsigned kLoBits = (WideSeqs ? 24 : 16) - kHiBits;
  // The bytes of one packed host, field by field as pack_host writes them.
  static constexpr std::size_t kHostBytes = 1 + 1 + 2 + (Rtt ? 4 : 0) + (Ts ? 2 : 0) + 3 * (WideSeqs ? 3 : 2) +
                                            5 * (WideDeltas ? 2 : 1) + 1 + kTimerCount * (WideDeadlines ? 2 : 1) + 6;
  static constexpr std::uint32_t kZeroSeq = WideSeqs ? 0xFFFFFF : 0xFFFF;  // the code of sequence number 0
  static constexpr std::uint32_t kDisarmed = WideDeadlines ? 0xFFFF : 0xFF;
  static constexpr std::int32_t kNear = WideDeltas ? 0x7FFF : 0x7F;
  static constexpr std::uint32_t kZeroDelta = WideDeltas ? 0x8000 : 0x80;

  // A sequence number relative to the host's ISN base: 0 has a code of its own; otherwise
  // hi * 2^shift + lo with lo small (packed.hpp).
  static TCPCLOSE_INLINE std::uint32_t seq_code(const Packer& k, bool& ok, Seq v, std::size_t host) noexcept {
    const std::uint32_t d = v - k.base_[host];
    const std::uint32_t hi = (d + (std::uint32_t{1} << (kShift - 1))) >> kShift;
    constexpr std::uint32_t half = std::uint32_t{1} << (kLoBits - 1);
    const std::uint32_t lo = d - (hi << kShift) + half;  // in [0, 2 * half) when it fits
    const std::uint32_t code = hi << kLoBits | lo;
    ok &= v == 0 || ((hi >> kHiBits) == 0 && lo < 2 * half && code != kZeroSeq);
    return v == 0 ? kZeroSeq : code;
  }
  static TCPCLOSE_INLINE Seq seq_value(const Packer& k, std::uint32_t code, std::size_t host) noexcept {
    const std::uint32_t hi = code >> kLoBits, lo = code & ((1u << kLoBits) - 1);
    const Seq v = k.base_[host] + (hi << kShift) + lo - (1u << (kLoBits - 1));
    return code == kZeroSeq ? 0 : v;
  }
  // An offset from ISS or IRS: 0 has a code of its own, since a field may be 0 while its
  // reference is not (no FIN sent yet, nothing received yet).
  static TCPCLOSE_INLINE void put_delta(Out& o, Seq v, Seq ref) noexcept {
    const auto d = static_cast<std::int32_t>(v - ref);
    const bool near = d >= -kNear && d <= kNear;
    o.ok &= near || v == 0;
    o.var<WideDeltas>((near ? static_cast<std::uint32_t>(d) : kZeroDelta) & (WideDeltas ? 0xFFFFu : 0xFFu));
  }
  static TCPCLOSE_INLINE Seq get_delta(In& i, Seq ref) noexcept {
    const std::uint32_t x = i.var<WideDeltas>();
    const std::int32_t d = WideDeltas ? static_cast<std::int16_t>(x) : static_cast<std::int8_t>(x);
    return x == kZeroDelta ? 0 : ref + static_cast<std::uint32_t>(d);
  }

  static TCPCLOSE_INLINE void pack_host(const Packer& k, Out& o, const HostState& h, std::size_t host) noexcept {
    const auto& [tcb, pc, inc, app_inc, conns, listening, wrote, read, flags, tw_age, ts_step, pad, last_iss] = h;
    const auto& [state, so_error, retries, fin_sent, fin_acked, fin_rcvd, ts_ok, orphan, rd_shut, wr_shut, passive,
                 was_synced, rtt_timing, sack_ok, tlp_sent, data_rcvd, srtt, rttvar, iss, irs, snd_una, snd_nxt, snd_wnd,
                 rcv_nxt, rcv_wnd, fin_seq, ts_recent, last_ack_sent, rcv_unread, rtt_time, oow_ack_at, deadline] = tcb;
    const std::size_t peer = 1 - host;
    o.nibbles(static_cast<std::uint32_t>(state), static_cast<std::uint32_t>(so_error));
    o.u8(retries);
    // A window is 0 or RCV.WND (a segment carries one of the two).
    o.ok &= (snd_wnd == 0 || snd_wnd == k.rcv_wnd_) && (rcv_wnd == 0 || rcv_wnd == k.rcv_wnd_) && listening <= 1;
    o.u16(std::uint32_t{fin_sent} | std::uint32_t{fin_acked} << 1 | std::uint32_t{fin_rcvd} << 2 |
          std::uint32_t{ts_ok} << 3 | std::uint32_t{orphan} << 4 | std::uint32_t{rd_shut} << 5 |
          std::uint32_t{wr_shut} << 6 | std::uint32_t{passive} << 7 | std::uint32_t{was_synced} << 8 |
          std::uint32_t{rtt_timing} << 9 | std::uint32_t{sack_ok} << 10 | std::uint32_t{tlp_sent} << 11 |
          std::uint32_t{listening} << 12 | std::uint32_t{snd_wnd != 0} << 13 | std::uint32_t{rcv_wnd != 0} << 14 |
          std::uint32_t{data_rcvd} << 15);
    // the core runs with now = 0: no RTT timestamp, no rate limit (model_config)
    o.zero(rtt_time | oow_ack_at);
    // TS.Recent: its age in clock steps, at most (MSL + 1) * S + S - 1 and at least -(S - 1)
    // (world.hpp, ts_age_cap), biased by S - 1 into a byte; 0 without timestamps. Then the
    // clock's step within the tick, below S.
    if constexpr (Ts) {
      const std::uint32_t code = ts_age(ts_recent) + k.ts_bias_;
      o.ok &= ts_ok ? code <= k.ts_code_max_ : ts_recent == 0;
      o.ok &= ts_step <= k.ts_bias_;
      o.u8(code);
      o.u8(ts_step);
    } else {
      o.zero(ts_recent | ts_step);
    }
    if constexpr (Rtt) { o.u16(srtt); o.u16(rttvar); } else { o.zero(srtt | rttvar); }
    o.seq<WideSeqs>(seq_code(k, o.ok, iss, host));
    o.seq<WideSeqs>(seq_code(k, o.ok, irs, peer));
    o.seq<WideSeqs>(seq_code(k, o.ok, last_iss, host));
    put_delta(o, snd_una, iss);
    put_delta(o, snd_nxt, iss);
    put_delta(o, fin_seq, iss);
    put_delta(o, rcv_nxt, irs);
    put_delta(o, last_ack_sent, irs);
    o.u8(rcv_unread);
    for (const std::uint32_t d : deadline) {  // remaining ticks; the largest code is a disarmed timer
      o.ok &= d == kNever || d < kDisarmed;
      o.var<WideDeadlines>(d == kNever ? kDisarmed : d);
    }
    o.nibbles(pc, flags);
    o.nibbles(inc, app_inc);
    o.u8(conns);
    o.u8(wrote);
    o.u8(read);
    o.u8(tw_age);
    o.zero(pad[0] | pad[1]);
  }

  static TCPCLOSE_INLINE void unpack_host(const Packer& k, In& i, HostState& h, std::size_t host) noexcept {
    auto& [tcb, pc, inc, app_inc, conns, listening, wrote, read, flags, tw_age, ts_step, pad, last_iss] = h;
    auto& [state, so_error, retries, fin_sent, fin_acked, fin_rcvd, ts_ok, orphan, rd_shut, wr_shut, passive,
           was_synced, rtt_timing, sack_ok, tlp_sent, data_rcvd, srtt, rttvar, iss, irs, snd_una, snd_nxt, snd_wnd,
           rcv_nxt, rcv_wnd, fin_seq, ts_recent, last_ack_sent, rcv_unread, rtt_time, oow_ack_at, deadline] = tcb;
    const std::size_t peer = 1 - host;
    state = static_cast<State>(i.lo());
    so_error = static_cast<Err>(i.hi());
    retries = i.u8();
    const std::uint16_t b = i.u16();
    fin_sent = b & 1; fin_acked = b >> 1 & 1; fin_rcvd = b >> 2 & 1; ts_ok = b >> 3 & 1; orphan = b >> 4 & 1;
    rd_shut = b >> 5 & 1; wr_shut = b >> 6 & 1; passive = b >> 7 & 1; was_synced = b >> 8 & 1;
    rtt_timing = b >> 9 & 1; sack_ok = b >> 10 & 1; tlp_sent = b >> 11 & 1; data_rcvd = b >> 15 & 1;
    listening = b >> 12 & 1;
    snd_wnd = b >> 13 & 1 ? k.rcv_wnd_ : 0;
    rcv_wnd = b >> 14 & 1 ? k.rcv_wnd_ : 0;
    if constexpr (Ts) {
      ts_recent = k.ts_bias_ - i.u8();
      ts_step = i.u8();
    } else {
      ts_recent = 0;
      ts_step = 0;
    }
    rtt_time = 0;
    oow_ack_at = 0;
    if constexpr (Rtt) { srtt = i.u16(); rttvar = i.u16(); } else { srtt = 0; rttvar = 0; }
    iss = seq_value(k, i.seq<WideSeqs>(), host);
    irs = seq_value(k, i.seq<WideSeqs>(), peer);
    last_iss = seq_value(k, i.seq<WideSeqs>(), host);
    snd_una = get_delta(i, iss);
    snd_nxt = get_delta(i, iss);
    fin_seq = get_delta(i, iss);
    rcv_nxt = get_delta(i, irs);
    last_ack_sent = get_delta(i, irs);
    rcv_unread = i.u8();
    for (std::uint32_t& d : deadline) {
      const std::uint32_t x = i.var<WideDeadlines>();
      d = x == kDisarmed ? kNever : x;
    }
    pc = i.lo(); flags = i.hi();
    inc = i.lo(); app_inc = i.hi();
    conns = i.u8();
    wrote = i.u8();
    read = i.u8();
    tw_age = i.u8();
    pad[0] = pad[1] = 0;
  }

  // A segment's seq is in its sender's space and its ack in its receiver's; to_b = 1 is A -> B.
  static TCPCLOSE_INLINE void pack_pkt(const Packer& k, Out& o, const Pkt& p) noexcept {
    const auto& [seq, ack, len, has_ts, flags, age, inc, to_b, wnd_full, late] = p;
    const std::size_t sender = to_b ? 0 : 1;
    o.ok &= (to_b | wnd_full | late) <= 1 && flags < 0x20;
    // has_ts (0, or 1 + the clock step: up to S) rides in the age byte's top bits (the top one
    // with S = 1); kPktOutOfBounds, or any value above S, is refused
    if constexpr (Ts) o.ok &= has_ts <= k.ts_steps_ && age >> k.age_bits_ == 0; else o.zero(has_ts);
    o.seq<WideSeqs>(seq_code(k, o.ok, seq, sender));
    o.seq<WideSeqs>(seq_code(k, o.ok, ack, 1 - sender));
    o.u8(len);
    o.u8(std::uint32_t{flags} | std::uint32_t{to_b} << 5 | std::uint32_t{wnd_full} << 6 | std::uint32_t{late} << 7);
    o.u8(Ts ? std::uint32_t{age} | std::uint32_t{has_ts} << k.age_bits_ : std::uint32_t{age});
    o.u8(inc);
  }

  static TCPCLOSE_INLINE void unpack_pkt(const Packer& k, In& i, Pkt& p) noexcept {
    auto& [seq, ack, len, has_ts, flags, age, inc, to_b, wnd_full, late] = p;
    const std::uint32_t s = i.seq<WideSeqs>(), a = i.seq<WideSeqs>();
    len = i.u8();
    const std::uint8_t f = i.u8();
    flags = f & 0x1F; to_b = f >> 5 & 1; wnd_full = f >> 6 & 1; late = f >> 7 & 1;
    const std::size_t sender = to_b ? 0 : 1;
    seq = seq_value(k, s, sender);
    ack = seq_value(k, a, 1 - sender);
    const std::uint8_t g = i.u8();
    age = Ts ? g & ((1u << k.age_bits_) - 1) : g;
    has_ts = Ts ? g >> k.age_bits_ : 0;
    inc = i.u8();
  }

  // The counters and the segments in flight, after the two hosts.
  static TCPCLOSE_INLINE void pack_tail(const Packer& k, Out& o, const WorldState& s) noexcept {
    const auto& [h, net, n, losses, dups, next_inc, faults, delays, pad] = s;
    o.nibbles(n, losses);
    o.nibbles(dups, delays);
    o.u8(next_inc);
    o.u8(faults);
    o.zero(pad[0] | pad[1]);
    o.ok &= n <= k.pkt_slots_;
    const std::size_t m = std::min<std::size_t>(n, k.pkt_slots_);
    for (std::size_t i = 0; i < m; ++i) pack_pkt(k, o, net[i]);
  }

  static bool pack(const Packer& k, const WorldState& s, std::uint8_t* out) noexcept {
    Out o{out};
    pack_host(k, o, s.h[0], 0);
    pack_host(k, o, s.h[1], 1);
    pack_tail(k, o, s);
    return o.ok;
  }

  // Byte equality of two hosts, 16 bytes at a time (HostState has no padding: every byte is a
  // field's); GCC's vector extension, which clang has too, since -O2 leaves a word loop scalar.
  static TCPCLOSE_INLINE bool same_host(const HostState& a, const HostState& b) noexcept {
    static_assert(sizeof(HostState) % 8 == 0 && std::has_unique_object_representations_v<HostState>);
    using V = std::uint64_t __attribute__((vector_size(16)));
    const auto* x = reinterpret_cast<const unsigned char*>(&a);
    const auto* y = reinterpret_cast<const unsigned char*>(&b);
    V diff{0, 0};
    std::size_t i = 0;
    for (; i + 16 <= sizeof(HostState); i += 16) {
      V u, v;
      std::memcpy(&u, x + i, 16);
      std::memcpy(&v, y + i, 16);
      diff |= u ^ v;
    }
    if constexpr (sizeof(HostState) % 16 == 8) {
      std::uint64_t u, v;
      std::memcpy(&u, x + i, 8);
      std::memcpy(&v, y + i, 8);
      diff[0] |= u ^ v;
    }
    return (diff[0] | diff[1]) == 0;
  }
  // Host `host` of a successor: the parent's packed bytes when the host is unchanged (a host's
  // bytes depend on nothing else, and most moves change one host), else packed anew.
  static TCPCLOSE_INLINE void child_host(const Packer& k, Out& o, const HostState& h, const HostState& parent,
                                         const std::uint8_t* parent_bytes, std::size_t host) noexcept {
    if (same_host(h, parent)) {
      std::memcpy(o.p, parent_bytes, kHostBytes);
      o.p += kHostBytes;
    } else {
      pack_host(k, o, h, host);
    }
  }
  // pack() of a successor of the state whose hosts are `parent` and whose record is at pp.
  static bool pack_child(const Packer& k, const WorldState& s, const HostState* parent, const std::uint8_t* pp,
                         std::uint8_t* out) noexcept {
    Out o{out};
    child_host(k, o, s.h[0], parent[0], pp, 0);
    child_host(k, o, s.h[1], parent[1], pp + kHostBytes, 1);
    pack_tail(k, o, s);
    return o.ok;
  }

  static void unpack(const Packer& k, const std::uint8_t* in, WorldState& s) noexcept {
    auto& [h, net, n, losses, dups, next_inc, faults, delays, pad] = s;
    In i{in};
    unpack_host(k, i, h[0], 0);
    unpack_host(k, i, h[1], 1);
    n = i.lo(); losses = i.hi();
    dups = i.lo(); delays = i.hi();
    next_inc = i.u8();
    faults = i.u8();
    pad[0] = pad[1] = 0;
    for (std::size_t m = 0; m < n; ++m) unpack_pkt(k, i, net[m]);
    std::memset(static_cast<void*>(net.data() + n), 0, (kMaxPkts - n) * sizeof(Pkt));
  }
};

}  // namespace detail

namespace {

using PackFn = bool (*)(const Packer&, const WorldState&, std::uint8_t*) noexcept;
using PackChildFn = bool (*)(const Packer&, const WorldState&, const HostState*, const std::uint8_t*,
                             std::uint8_t*) noexcept;
using UnpackFn = void (*)(const Packer&, const std::uint8_t*, WorldState&) noexcept;
struct CodecFns {
  PackFn pack;
  PackChildFn pack_child;
  UnpackFn unpack;
  std::size_t host_bytes;
};
template <std::size_t I>
using CodecOf = detail::PackCodec<(I & 1) != 0, (I & 2) != 0, (I & 4) != 0, (I & 8) != 0, (I & 16) != 0, (I & 32) != 0>;
// The codec of each shape, indexed by its four widths, the timestamps flag and the ISN policy as bits.
template <std::size_t... I>
constexpr std::array<CodecFns, sizeof...(I)> codecs(std::index_sequence<I...>) {
  return {CodecFns{&CodecOf<I>::pack, &CodecOf<I>::pack_child, &CodecOf<I>::unpack, CodecOf<I>::kHostBytes}...};
}
constexpr auto kCodecs = codecs(std::make_index_sequence<64>());

}  // namespace

static_assert((1u << (8 - std::bit_width(unsigned{kFineTsSteps}))) - 1 == kFineTsMaxMsl,
              "the fine clock's largest MSL is the largest age its packed segments hold");

Packer::Packer(const World& w) noexcept
    : base_(w.isn_base), rcv_wnd_(w.cfg.rcv_wnd) {
  // Linux reopens TIME-WAIT at SND.NXT + 65537 (Config::reopen_iss, World::tw_reuse): 24-bit codes then.
  wide_seqs_ = w.cfg.reopen_iss == ReopenIss::AboveSndNxt || w.tw_reuse != TwReuse::Off;
  rtt_ = w.cfg.rtt_estimate;
  ts_ = w.cfg.timestamps;
  // The TSval clock's S steps a tick: TS.Recent's code runs to (cap + 2) * S - 2 (world.hpp), a
  // segment's has_ts to S, in the bits of the age byte above the age's.
  ts_steps_ = std::max<std::uint32_t>(w.ts_steps, 1);
  ts_bias_ = ts_steps_ - 1;
  ts_code_max_ = std::min<std::uint32_t>((ts_age_cap(w.cfg) + 2) * ts_steps_ - 2, 0xFF);
  age_bits_ = 8 - static_cast<unsigned>(std::bit_width(ts_steps_));
  wide_deadlines_ = w.cfg.rtt_estimate || w.cfg.tail_loss_probe || longest_timer(w.cfg) > kNarrowTicks;
  // A connection's sequence numbers run from ISS over SYN, the bytes written and FIN; a
  // program loops at most K times over its Sends.
  wide_deltas_ = 2u + std::uint32_t{w.data} * program_sends(w) * std::max<std::uint32_t>(w.incarnations, 1) > 127;
  pkt_slots_ = std::min<std::size_t>(kMaxPkts, 2u * w.in_flight);
  // 15 ISN steps of 2^24 with the clock policy, 3 of 2^30 otherwise (PackCodec::kShift)
  const bool clock_isn = w.isn == IsnPolicy::Clock;
  const std::size_t shape = std::size_t{wide_deadlines_} | std::size_t{wide_deltas_} << 1 | std::size_t{rtt_} << 2 |
                            std::size_t{wide_seqs_} << 3 | std::size_t{ts_} << 4 | std::size_t{clock_isn} << 5;
  pack_ = kCodecs[shape].pack;
  pack_child_ = kCodecs[shape].pack_child;
  unpack_ = kCodecs[shape].unpack;
  const std::size_t seq = wide_seqs_ ? 3 : 2;
  size_ = 2 * kCodecs[shape].host_bytes + 4 + pkt_slots_ * (2 * seq + 4);
}

}  // namespace tcpclose::model
