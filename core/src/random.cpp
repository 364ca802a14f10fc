#include "tenebra/core/random.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace tenebra {

std::uint32_t Random::uniform(std::uint32_t upper_bound) {
  if (upper_bound < 2) return 0;
  // Rejection sampling: no modulo bias.
  const std::uint32_t min = static_cast<std::uint32_t>(-upper_bound) % upper_bound;
  for (;;) {
    std::uint8_t buf[4];
    fill(buf);
    const std::uint32_t r = load_u32_be(buf);
    if (r >= min) return r % upper_bound;
  }
}

double Random::uniform_open01() {
  for (;;) {
    std::uint8_t buf[8];
    fill(buf);
    std::uint64_t r = 0;
    for (std::uint8_t b : buf) r = (r << 8) | b;
    r >>= 11;  // 53 bits
    if (r != 0) return static_cast<double>(r) * 0x1.0p-53;
  }
}

void SystemRandom::fill(MutableByteView out) {
  if (out.empty()) return;  // an empty span may carry a null pointer; libsodium's is nonnull
  randombytes_buf(out.data(), out.size());
}

DeterministicRandom::DeterministicRandom(std::uint64_t seed) {
  std::uint8_t input[8];
  for (int i = 0; i < 8; ++i) input[i] = static_cast<std::uint8_t>(seed >> (56 - 8 * i));
  crypto_generichash(m_seed.data(), m_seed.size(), input, sizeof input, nullptr, 0);
}

DeterministicRandom::DeterministicRandom(std::span<const std::uint8_t, 32> seed) : m_seed(seed) {}

void DeterministicRandom::fill(MutableByteView out) {
  // Each call gets its own sub-seed so call boundaries do not shift the stream.
  std::uint8_t counter[8];
  for (int i = 0; i < 8; ++i) counter[i] = static_cast<std::uint8_t>(m_counter >> (56 - 8 * i));
  ++m_counter;              // also for empty requests, so the stream (and every test vector) stays the same
  if (out.empty()) return;  // an empty span may carry a null pointer; libsodium's is nonnull
  SecretKey32 sub;
  crypto_generichash(sub.data(), sub.size(), counter, sizeof counter, m_seed.data(), m_seed.size());
  randombytes_buf_deterministic(out.data(), out.size(), sub.data());
}

void ScriptedRandom::fill(MutableByteView out) {
  if (out.size() > m_bytes.size()) {
    (void)std::fprintf(stderr, "ScriptedRandom: asked for %zu bytes, %zu scripted\n", out.size(), m_bytes.size());
    std::abort();
  }
  for (auto& byte : out) {
    byte = m_bytes.front();
    m_bytes.pop_front();
  }
}

}  // namespace tenebra
