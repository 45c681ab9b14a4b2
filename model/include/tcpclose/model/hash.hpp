// A fast 64-bit fingerprint of a byte string (a multiply-fold construction in the style of
// wyhash; written here, not copied). Rule: equal bytes give equal fingerprints; the WorldState's
// canonical form is what makes equal states have equal bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tcpclose::model {

// The 64x64->128-bit product folded to 64 bits (__extension__: g++ and clang both have
// unsigned __int128 on x86-64; -Wpedantic would otherwise reject it).
inline std::uint64_t fold_mul(std::uint64_t a, std::uint64_t b) noexcept {
  __extension__ using u128 = unsigned __int128;
  const u128 r = static_cast<u128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

inline std::uint64_t fingerprint(const void* data, std::size_t n) noexcept {
  constexpr std::uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                          k2 = 0x8ebc6af09c88c6e3ull;
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h = k0 ^ n;
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    std::uint64_t a, b;
    std::memcpy(&a, p + i, 8);
    std::memcpy(&b, p + i + 8, 8);
    h = fold_mul(a ^ k1 ^ h, b ^ k2);
  }
  std::uint64_t a = 0, b = 0;
  std::memcpy(&a, p + i, n - i >= 8 ? 8 : n - i);
  if (n - i > 8) std::memcpy(&b, p + i + 8, n - i - 8);
  h = fold_mul(a ^ k1 ^ h, b ^ k2);
  h = fold_mul(h ^ k0, k1 ^ static_cast<std::uint64_t>(n));
  return h == 0 ? 1 : h;  // 0 marks an empty slot in the visited table
}

}  // namespace tcpclose::model
