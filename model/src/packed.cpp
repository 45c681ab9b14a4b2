// The packed frontier state (see packed.hpp): the layout, field by field. Every member of Tcb,
// HostState, Pkt and WorldState is named in a structured binding below, so a new member breaks
// the build here until it is packed; the timer deadlines are packed by a loop over the array.
#include "tcpclose/model/packed.hpp"

#include <algorithm>
#include <cstring>

namespace tcpclose::model {

// A cursor over the record. Every store checks its bound into `ok`, without a branch.
struct Packer::Out {
  std::uint8_t* p;
  bool ok = true;
  void u8(std::uint32_t v) noexcept {
    ok &= v <= 0xFFu;
    *p++ = static_cast<std::uint8_t>(v);
  }
  void u16(std::uint32_t v) noexcept {
    ok &= v <= 0xFFFFu;
    const auto x = static_cast<std::uint16_t>(v);
    std::memcpy(p, &x, 2);
    p += 2;
  }
  void nibbles(std::uint32_t lo, std::uint32_t hi) noexcept {
    ok &= lo < 16 && hi < 16;
    *p++ = static_cast<std::uint8_t>(lo | hi << 4);
  }
  void zero(std::uint32_t v) noexcept { ok &= v == 0; }  // a field the bounds say is 0: not stored
};

struct Packer::In {
  const std::uint8_t* p;
  std::uint8_t u8() noexcept { return *p++; }
  std::uint16_t u16() noexcept {
    std::uint16_t x;
    std::memcpy(&x, p, 2);
    p += 2;
    return x;
  }
  std::uint8_t lo() const noexcept { return *p & 0x0F; }
  std::uint8_t hi() noexcept { return static_cast<std::uint8_t>(*p++ >> 4); }
};

namespace {

constexpr std::uint16_t kZeroSeq = 0xFFFF;  // the code of sequence number 0
constexpr std::uint8_t kZeroDelta = 0x80;   // a narrow offset's code for the value 0

// The most ticks a narrow (8-bit) deadline holds; 0xFF is a disarmed timer.
constexpr std::uint64_t kNarrowTicks = 0xFE;

std::uint64_t longest_timer(const Config& c) {
  const std::uint64_t backoff = c.rto_backoff ? std::uint64_t{1} << kMaxBackoffShift : 1;
  return std::max({std::uint64_t{c.time_wait}, std::uint64_t{c.fin_wait2_timeout}, std::uint64_t{c.msl},
                   std::uint64_t{c.rto} * backoff});
}

std::uint8_t program_sends(const World& w) {
  std::uint8_t n = 0;
  for (const Program& p : w.prog)
    for (std::size_t i = 0; i < p.size; ++i) n = static_cast<std::uint8_t>(n + (p.code[i].op == Op::Send));
  return n;
}

}  // namespace

Packer::Packer(const World& w) noexcept
    : base_(w.isn_base), rcv_wnd_(w.cfg.rcv_wnd) {
  if (w.isn == IsnPolicy::Clock) { shift_ = 24; hi_bits_ = 4; }  // 15 ISN steps of 2^24
  lo_bits_ = 16 - hi_bits_;
  rtt_ = w.cfg.rtt_estimate;
  wide_deadlines_ = w.cfg.rtt_estimate || w.cfg.tail_loss_probe || longest_timer(w.cfg) > kNarrowTicks;
  // A connection's sequence numbers run from ISS over SYN, the bytes written and FIN; a
  // program loops at most K times over its Sends.
  wide_deltas_ = 2u + std::uint32_t{w.data} * program_sends(w) * std::max<std::uint32_t>(w.incarnations, 1) > 127;
  pkt_slots_ = std::min<std::size_t>(kMaxPkts, 2u * w.in_flight);
  const std::size_t deadline = wide_deadlines_ ? 2 : 1, delta = wide_deltas_ ? 2 : 1;
  const std::size_t host = 1 + 1 + 2 + (rtt_ ? 4 : 0) + 3 * 2 + 5 * delta + 1 + kTimerCount * deadline + 6;
  size_ = 2 * host + 4 + pkt_slots_ * 8;
}

std::uint16_t Packer::seq_code(bool& ok, Seq v, std::size_t host) const noexcept {
  if (v == 0) return kZeroSeq;
  const std::uint32_t d = v - base_[host];
  const std::uint32_t hi = (d + (std::uint32_t{1} << (shift_ - 1))) >> shift_;
  const auto lo = static_cast<std::int32_t>(d - (hi << shift_));
  const std::int32_t half = std::int32_t{1} << (lo_bits_ - 1);
  ok &= hi < (1u << hi_bits_) && lo >= -half && lo < half;
  const auto code = static_cast<std::uint16_t>(hi << lo_bits_ | static_cast<std::uint32_t>(lo + half));
  ok &= code != kZeroSeq;
  return code;
}

Seq Packer::seq_value(std::uint16_t code, std::size_t host) const noexcept {
  if (code == kZeroSeq) return 0;
  const std::uint32_t hi = code >> lo_bits_;
  const std::uint32_t lo = code & ((1u << lo_bits_) - 1);
  return base_[host] + (hi << shift_) + lo - (1u << (lo_bits_ - 1));
}

namespace {

// An offset from ISS or IRS, in one byte (or two when wide): 0 has a code of its own, since a
// field may be 0 while its reference is not (no FIN sent yet, nothing received yet).
void put_delta(Packer::Out& o, bool wide, Seq v, Seq ref) noexcept;
Seq get_delta(Packer::In& i, bool wide, Seq ref) noexcept;

}  // namespace

void Packer::pack_host(Out& o, const HostState& h, std::size_t host) const noexcept {
  const auto& [tcb, pc, inc, app_inc, conns, listening, wrote, read, flags, tw_age, pad, last_iss] = h;
  const auto& [state, so_error, retries, fin_sent, fin_acked, fin_rcvd, ts_ok, orphan, rd_shut, wr_shut, passive,
               was_synced, rtt_timing, sack_ok, tlp_sent, rtt_pad, srtt, rttvar, iss, irs, snd_una, snd_nxt, snd_wnd,
               rcv_nxt, rcv_wnd, fin_seq, ts_recent, last_ack_sent, rcv_unread, rtt_time, deadline] = tcb;
  const std::size_t peer = 1 - host;
  o.nibbles(static_cast<std::uint32_t>(state), static_cast<std::uint32_t>(so_error));
  o.u8(retries);
  const auto wnd_code = [&](std::uint32_t v) -> std::uint32_t {  // a window is 0 or RCV.WND
    o.ok &= v == 0 || v == rcv_wnd_;
    return v != 0;
  };
  o.ok &= listening <= 1;
  o.u16(std::uint32_t{fin_sent} | std::uint32_t{fin_acked} << 1 | std::uint32_t{fin_rcvd} << 2 |
        std::uint32_t{ts_ok} << 3 | std::uint32_t{orphan} << 4 | std::uint32_t{rd_shut} << 5 |
        std::uint32_t{wr_shut} << 6 | std::uint32_t{passive} << 7 | std::uint32_t{was_synced} << 8 |
        std::uint32_t{rtt_timing} << 9 | std::uint32_t{sack_ok} << 10 | std::uint32_t{tlp_sent} << 11 |
        std::uint32_t{listening} << 12 | wnd_code(snd_wnd) << 13 | wnd_code(rcv_wnd) << 14);
  o.zero(rtt_pad);
  o.zero(ts_recent);  // the model has no clock (now = 0): no TSval, no RTT timestamp
  o.zero(rtt_time);
  if (rtt_) { o.u16(srtt); o.u16(rttvar); } else { o.zero(srtt); o.zero(rttvar); }
  o.u16(seq_code(o.ok, iss, host));
  o.u16(seq_code(o.ok, irs, peer));
  o.u16(seq_code(o.ok, last_iss, host));
  put_delta(o, wide_deltas_, snd_una, iss);
  put_delta(o, wide_deltas_, snd_nxt, iss);
  put_delta(o, wide_deltas_, fin_seq, iss);
  put_delta(o, wide_deltas_, rcv_nxt, irs);
  put_delta(o, wide_deltas_, last_ack_sent, irs);
  o.u8(rcv_unread);
  for (const std::uint32_t d : deadline) {  // remaining ticks; the largest code is kNever
    if (wide_deadlines_) { o.ok &= d == kNever || d < 0xFFFF; o.u16(d == kNever ? 0xFFFF : d); }
    else { o.ok &= d == kNever || d <= kNarrowTicks; o.u8(d == kNever ? 0xFF : d); }
  }
  o.nibbles(pc, flags);
  o.nibbles(inc, app_inc);
  o.u8(conns);
  o.u8(wrote);
  o.u8(read);
  o.u8(tw_age);
  o.zero(pad[0] | pad[1] | pad[2]);
}

void Packer::unpack_host(In& i, HostState& h, std::size_t host) const noexcept {
  auto& [tcb, pc, inc, app_inc, conns, listening, wrote, read, flags, tw_age, pad, last_iss] = h;
  auto& [state, so_error, retries, fin_sent, fin_acked, fin_rcvd, ts_ok, orphan, rd_shut, wr_shut, passive,
         was_synced, rtt_timing, sack_ok, tlp_sent, rtt_pad, srtt, rttvar, iss, irs, snd_una, snd_nxt, snd_wnd,
         rcv_nxt, rcv_wnd, fin_seq, ts_recent, last_ack_sent, rcv_unread, rtt_time, deadline] = tcb;
  const std::size_t peer = 1 - host;
  state = static_cast<State>(i.lo());
  so_error = static_cast<Err>(i.hi());
  retries = i.u8();
  const std::uint16_t b = i.u16();
  fin_sent = b & 1; fin_acked = b >> 1 & 1; fin_rcvd = b >> 2 & 1; ts_ok = b >> 3 & 1; orphan = b >> 4 & 1;
  rd_shut = b >> 5 & 1; wr_shut = b >> 6 & 1; passive = b >> 7 & 1; was_synced = b >> 8 & 1;
  rtt_timing = b >> 9 & 1; sack_ok = b >> 10 & 1; tlp_sent = b >> 11 & 1;
  listening = b >> 12 & 1;
  snd_wnd = b >> 13 & 1 ? rcv_wnd_ : 0;
  rcv_wnd = b >> 14 & 1 ? rcv_wnd_ : 0;
  rtt_pad = 0;
  ts_recent = 0;
  rtt_time = 0;
  if (rtt_) { srtt = i.u16(); rttvar = i.u16(); } else { srtt = 0; rttvar = 0; }
  iss = seq_value(i.u16(), host);
  irs = seq_value(i.u16(), peer);
  last_iss = seq_value(i.u16(), host);
  snd_una = get_delta(i, wide_deltas_, iss);
  snd_nxt = get_delta(i, wide_deltas_, iss);
  fin_seq = get_delta(i, wide_deltas_, iss);
  rcv_nxt = get_delta(i, wide_deltas_, irs);
  last_ack_sent = get_delta(i, wide_deltas_, irs);
  rcv_unread = i.u8();
  for (std::uint32_t& d : deadline) {
    if (wide_deadlines_) { const std::uint16_t x = i.u16(); d = x == 0xFFFF ? kNever : x; }
    else { const std::uint8_t x = i.u8(); d = x == 0xFF ? kNever : x; }
  }
  pc = i.lo(); flags = i.hi();
  inc = i.lo(); app_inc = i.hi();
  conns = i.u8();
  wrote = i.u8();
  read = i.u8();
  tw_age = i.u8();
  pad[0] = pad[1] = pad[2] = 0;
}

namespace {

void put_delta(Packer::Out& o, bool wide, Seq v, Seq ref) noexcept {
  const auto d = static_cast<std::int32_t>(v - ref);
  const std::int32_t limit = wide ? 0x7FFF : 0x7F;
  const bool near = d >= -limit && d <= limit;
  o.ok &= near || v == 0;
  const std::int32_t code = near ? d : (wide ? 0x8000 : kZeroDelta);
  if (wide) o.u16(static_cast<std::uint16_t>(code));
  else o.u8(static_cast<std::uint8_t>(code));
}

Seq get_delta(Packer::In& i, bool wide, Seq ref) noexcept {
  if (wide) {
    const std::uint16_t x = i.u16();
    return x == 0x8000 ? 0 : ref + static_cast<std::uint32_t>(static_cast<std::int16_t>(x));
  }
  const std::uint8_t x = i.u8();
  return x == kZeroDelta ? 0 : ref + static_cast<std::uint32_t>(static_cast<std::int8_t>(x));
}

}  // namespace

// A segment's seq is in its sender's space and its ack in its receiver's; to_b = 1 is A -> B.
void Packer::pack_pkt(Out& o, const Pkt& p) const noexcept {
  const auto& [seq, ack, len, flags, age, inc, to_b, wnd_full, late] = p;
  const std::size_t sender = to_b ? 0 : 1;
  o.ok &= to_b <= 1 && wnd_full <= 1 && late <= 1 && flags < 0x20;
  o.u16(seq_code(o.ok, seq, sender));
  o.u16(seq_code(o.ok, ack, 1 - sender));
  o.u8(len);
  o.u8(std::uint32_t{flags} | std::uint32_t{to_b} << 5 | std::uint32_t{wnd_full} << 6 | std::uint32_t{late} << 7);
  o.u8(age);
  o.u8(inc);
}

void Packer::unpack_pkt(In& i, Pkt& p) const noexcept {
  auto& [seq, ack, len, flags, age, inc, to_b, wnd_full, late] = p;
  const std::uint16_t s = i.u16(), a = i.u16();
  len = i.u8();
  const std::uint8_t f = i.u8();
  flags = f & 0x1F; to_b = f >> 5 & 1; wnd_full = f >> 6 & 1; late = f >> 7 & 1;
  const std::size_t sender = to_b ? 0 : 1;
  seq = seq_value(s, sender);
  ack = seq_value(a, 1 - sender);
  age = i.u8();
  inc = i.u8();
}

bool Packer::pack(const WorldState& s, std::uint8_t* out) const noexcept {
  const auto& [h, net, n, losses, dups, next_inc, faults, delays, pad] = s;
  Out o{out};
  pack_host(o, h[0], 0);
  pack_host(o, h[1], 1);
  o.nibbles(n, losses);
  o.nibbles(dups, delays);
  o.u8(next_inc);
  o.u8(faults);
  o.zero(pad[0] | pad[1]);
  o.ok &= n <= pkt_slots_;
  const std::size_t k = std::min<std::size_t>(n, pkt_slots_);
  for (std::size_t i = 0; i < k; ++i) pack_pkt(o, net[i]);
  return o.ok;
}

void Packer::unpack(const std::uint8_t* in, WorldState& s) const noexcept {
  auto& [h, net, n, losses, dups, next_inc, faults, delays, pad] = s;
  In i{in};
  unpack_host(i, h[0], 0);
  unpack_host(i, h[1], 1);
  n = i.lo(); losses = i.hi();
  dups = i.lo(); delays = i.hi();
  next_inc = i.u8();
  faults = i.u8();
  pad[0] = pad[1] = 0;
  for (std::size_t k = 0; k < n; ++k) unpack_pkt(i, net[k]);
  std::memset(static_cast<void*>(net.data() + n), 0, (kMaxPkts - n) * sizeof(Pkt));
}

}  // namespace tcpclose::model
