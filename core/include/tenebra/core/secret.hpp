// Secret key material that wipes itself.
//
// SecretArray<N> holds a fixed-size secret and zeroes it (sodium_memzero) on
// destruction and when moved from; equality is constant-time (sodium_memcmp).
// Copies are explicit (clone()) so secrets are not duplicated by accident.
// Thread-safety: a plain value type.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tenebra {

template <std::size_t N>
class SecretArray {
 public:
  static constexpr std::size_t size_bytes = N;

  SecretArray() noexcept { m_bytes.fill(0); }
  explicit SecretArray(std::span<const std::uint8_t, N> bytes) noexcept {
    for (std::size_t i = 0; i < N; ++i) m_bytes[i] = bytes[i];
  }
  ~SecretArray() { wipe(); }

  SecretArray(const SecretArray&) = delete;
  SecretArray& operator=(const SecretArray&) = delete;
  SecretArray(SecretArray&& other) noexcept : m_bytes(other.m_bytes) { other.wipe(); }
  SecretArray& operator=(SecretArray&& other) noexcept {
    if (this != &other) {
      m_bytes = other.m_bytes;
      other.wipe();
    }
    return *this;
  }

  SecretArray clone() const noexcept { return SecretArray(std::span<const std::uint8_t, N>(m_bytes)); }

  std::uint8_t* data() noexcept { return m_bytes.data(); }
  const std::uint8_t* data() const noexcept { return m_bytes.data(); }
  static constexpr std::size_t size() noexcept { return N; }
  std::span<std::uint8_t, N> span() noexcept { return m_bytes; }
  std::span<const std::uint8_t, N> view() const noexcept { return m_bytes; }

  bool equals(const SecretArray& other) const noexcept {
    return sodium_memcmp(m_bytes.data(), other.m_bytes.data(), N) == 0;
  }

  void wipe() noexcept { sodium_memzero(m_bytes.data(), N); }

 private:
  std::array<std::uint8_t, N> m_bytes;
};

using SecretKey32 = SecretArray<32>;

// Wipes a buffer when the guard leaves scope: for scratch space that held
// secret-derived bytes (keystreams, intermediate headers).
class WipeOnExit {
 public:
  explicit WipeOnExit(std::span<std::uint8_t> region) noexcept : m_region(region) {}
  ~WipeOnExit() { sodium_memzero(m_region.data(), m_region.size()); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::span<std::uint8_t> m_region;
};

}  // namespace tenebra
