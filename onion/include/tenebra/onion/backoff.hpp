// Exponential backoff with full jitter, for retrying things that failed
// (restarting a dead tor, redialing an onion whose descriptor is not yet
// published) without hammering them.
//
// Attempt n (counting from 0) waits a delay drawn uniformly from
// [min_delay, min(max_delay, min_delay * 2^n)] ("full jitter", so many peers
// retrying the same thing spread out). reset() after a success starts over.
// Randomness is injected so tests are deterministic. Not thread-safe: one
// instance per retry loop.
#pragma once

#include <chrono>
#include <cstdint>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"

namespace tenebra::onion {

struct BackoffPolicy {
  std::chrono::milliseconds min_delay{100};
  std::chrono::milliseconds max_delay{30'000};
};

class Backoff {
 public:
  // min_delay must be > 0 and max_delay >= min_delay; max_delay is capped at
  // one day so delays always fit the random draw.
  [[nodiscard]] static Result<Backoff> create(BackoffPolicy policy, Random& rng);

  // The delay before the next attempt; counts the attempt.
  [[nodiscard]] std::chrono::milliseconds next_delay();
  // Call after a success: the next delay is drawn from the smallest window.
  void reset() noexcept { m_attempts = 0; }
  [[nodiscard]] std::uint32_t attempts() const noexcept { return m_attempts; }

 private:
  Backoff(BackoffPolicy policy, Random& rng) : m_policy(policy), m_rng(&rng) {}

  BackoffPolicy m_policy;
  Random* m_rng;
  std::uint32_t m_attempts = 0;
};

}  // namespace tenebra::onion
