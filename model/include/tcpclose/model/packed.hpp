// The frontier's packed state: a WorldState in a few dozen bytes, for the states that wait in a
// breadth-first level. Rule 1: a value outside the bounds (docs/model.md, "The packed frontier")
// makes pack() fail, and the search stops with that error; nothing wraps. Rule 2: unpack(pack(s))
// is s byte for byte, so fingerprints, counts and counterexamples do not depend on the packing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "tcpclose/model/world.hpp"

namespace tcpclose::model {

// Byte-aligned fields at offsets fixed for a world (a few widths depend on its bounds), so that
// packing is stores and unpacking is loads, with no bit stream: the explorer packs each new state
// once and unpacks it once, and a bit-level packer that did more cost more than it saved.
// A sequence number is stored in 16 bits (24 when the world needs it) relative to the ISN base of the host whose sequence
// space it is in: 0 is a code of its own; otherwise base + hi * 2^shift + lo, where the ISN
// policy's steps are multiples of 2^shift (2^30 adversarial, 2^24 clock) and lo is small.
namespace detail {
template <bool WideDeadlines, bool WideDeltas, bool Rtt, bool WideSeqs, bool Ts, bool ClockIsn>
struct PackCodec;  // packed.cpp: the layout, with its widths fixed at compile time
}  // namespace detail

class Packer {
 public:
  explicit Packer(const World& w) noexcept;
  // The bytes a packed state takes in this world.
  std::size_t size() const noexcept { return size_; }
  // Writes size() bytes at out; false when a value is outside the bounds (out is then garbage).
  bool pack(const WorldState& s, std::uint8_t* out) const noexcept { return pack_(*this, s, out); }
  // pack() of a successor of a state whose hosts are `parent` and whose packed bytes are at
  // parent_packed; the same bytes, written faster when a host is unchanged.
  bool pack_child(const WorldState& s, const std::array<HostState, 2>& parent, const std::uint8_t* parent_packed,
                  std::uint8_t* out) const noexcept {
    return pack_child_(*this, s, parent.data(), parent_packed, out);
  }
  // Rebuilds the state that pack() wrote, every byte of it (unused segment slots zero).
  void unpack(const std::uint8_t* in, WorldState& s) const noexcept { unpack_(*this, in, s); }

 private:
  template <bool, bool, bool, bool, bool, bool>
  friend struct detail::PackCodec;
  std::array<Seq, 2> base_{};
  std::uint32_t rcv_wnd_ = 0;
  bool wide_deadlines_ = false;  // 16-bit timer deadlines (a knob or backoff passes 254 ticks)
  bool wide_deltas_ = false;     // 16-bit offsets from ISS/IRS (the programs write many bytes)
  bool rtt_ = false;             // SRTT and RTTVAR are stored (Config::rtt_estimate)
  bool wide_seqs_ = false;       // 24-bit sequence codes (a reopened TIME-WAIT's ISS jumps 65537)
  bool ts_ = false;              // timestamps: TS.Recent's age and the clock's step (a byte each a
                                 // host) and a segment's has_ts
  std::uint32_t ts_steps_ = 1;   // the TSval clock's steps a tick (World::ts_steps)
  std::uint32_t ts_bias_ = 0;    // S - 1: TS.Recent's age in steps is stored plus this
  std::uint32_t ts_code_max_ = 0;  // the largest code of TS.Recent
  unsigned age_bits_ = 7;        // a segment's age below, has_ts above
  std::size_t pkt_slots_ = 0, size_ = 0;
  bool (*pack_)(const Packer&, const WorldState&, std::uint8_t*) noexcept = nullptr;
  bool (*pack_child_)(const Packer&, const WorldState&, const HostState*, const std::uint8_t*,
                      std::uint8_t*) noexcept = nullptr;
  void (*unpack_)(const Packer&, const std::uint8_t*, WorldState&) noexcept = nullptr;
};

}  // namespace tcpclose::model
