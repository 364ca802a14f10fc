#include "tenebra/onion/backoff.hpp"

#include <algorithm>

namespace tenebra::onion {
namespace {

constexpr std::chrono::milliseconds kLongestDelay = std::chrono::hours(24);
// 2^kMaxDoublings * min_delay exceeds any max_delay we accept; stop doubling
// there so the shift cannot overflow.
constexpr std::uint32_t kMaxDoublings = 32;

}  // namespace

Result<Backoff> Backoff::create(BackoffPolicy policy, Random& rng) {
  if (policy.min_delay <= std::chrono::milliseconds::zero()) {
    return make_error(Errc::invalid_argument, "backoff: min_delay must be positive");
  }
  if (policy.max_delay < policy.min_delay) {
    return make_error(Errc::invalid_argument, "backoff: max_delay must not be below min_delay");
  }
  if (policy.max_delay > kLongestDelay) {
    return make_error(Errc::invalid_argument, "backoff: max_delay must not exceed one day");
  }
  return Backoff(policy, rng);
}

std::chrono::milliseconds Backoff::next_delay() {
  const auto min_ms = static_cast<std::uint64_t>(m_policy.min_delay.count());
  const auto max_ms = static_cast<std::uint64_t>(m_policy.max_delay.count());
  const std::uint32_t doublings = std::min(m_attempts, kMaxDoublings);
  // min_ms <= one day < 2^27 ms and doublings <= 32: no overflow in 64 bits.
  const std::uint64_t ceiling = std::min(max_ms, min_ms << doublings);
  if (m_attempts < kMaxDoublings + 1) ++m_attempts;
  const auto span = static_cast<std::uint32_t>(ceiling - min_ms + 1);
  return std::chrono::milliseconds(static_cast<std::int64_t>(min_ms + m_rng->uniform(span)));
}

}  // namespace tenebra::onion
