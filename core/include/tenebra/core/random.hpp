// Injected randomness.
//
// Pure logic takes a Random& so tests drive it deterministically. Both
// implementations draw only from libsodium: SystemRandom is randombytes_buf;
// DeterministicRandom expands a seed with randombytes_buf_deterministic and
// exists for tests and reproducible simulations only. ScriptedRandom replays
// given bytes (for known-answer vectors) and fails loudly when it runs dry.
// Thread-safety: one instance per thread (SystemRandom is stateless and safe).
#pragma once

#include <cstdint>
#include <deque>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/secret.hpp"

namespace tenebra {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(MutableByteView out) = 0;

  // Uniform integer in [0, upper_bound); upper_bound must be > 0.
  std::uint32_t uniform(std::uint32_t upper_bound);
  // Uniform double in the open interval (0, 1), 53 bits of precision.
  double uniform_open01();
};

class SystemRandom final : public Random {
 public:
  void fill(MutableByteView out) override;
};

class DeterministicRandom final : public Random {
 public:
  explicit DeterministicRandom(std::uint64_t seed);
  explicit DeterministicRandom(std::span<const std::uint8_t, 32> seed);
  void fill(MutableByteView out) override;

 private:
  SecretKey32 m_seed;
  std::uint64_t m_counter = 0;
};

// Returns exactly the bytes it was given, in order; aborts if asked for more
// (a test that consumes unexpected randomness is a broken test).
class ScriptedRandom final : public Random {
 public:
  void push(ByteView bytes) { m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.end()); }
  void fill(MutableByteView out) override;
  std::size_t remaining() const noexcept { return m_bytes.size(); }

 private:
  std::deque<std::uint8_t> m_bytes;
};

}  // namespace tenebra
