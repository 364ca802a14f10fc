#include "tenebra/mix/poisson.hpp"

#include <cmath>
#include <limits>

namespace tenebra::mix {

sphinx::Delay exponential_delay(Random& rng, std::chrono::milliseconds mean) {
  if (mean.count() <= 0) return sphinx::Delay(0);
  // Inverse CDF; uniform_open01 never returns 0, so the log is finite.
  const double draw = -std::log(rng.uniform_open01()) * static_cast<double>(mean.count());
  constexpr double kMax = std::numeric_limits<std::uint32_t>::max();
  return sphinx::Delay(static_cast<std::uint32_t>(std::min(std::llround(draw), static_cast<long long>(kMax))));
}

std::optional<std::chrono::nanoseconds> poisson_interval(Random& rng, double rate_per_second) {
  if (!(rate_per_second > 0.0)) return std::nullopt;
  constexpr double kMaxNanos = 1e18;  // ~31 years: never overflow the duration
  const double nanos = -std::log(rng.uniform_open01()) / rate_per_second * 1e9;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::min(nanos, kMaxNanos)));
}

}  // namespace tenebra::mix
