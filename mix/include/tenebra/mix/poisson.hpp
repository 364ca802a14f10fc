// Exponential draws for the Loopix model: per-hop delays from Exp(mean) and
// the gaps between Poisson sends. Pure: the randomness is a parameter.
#pragma once

#include <chrono>
#include <optional>

#include "tenebra/core/random.hpp"
#include "tenebra/mix/commands.hpp"

namespace tenebra::mix {

// A delay drawn from Exp(1/mean), rounded to milliseconds and capped at the
// largest value a routing command can carry (about 49.7 days).
sphinx::Delay exponential_delay(Random& rng, std::chrono::milliseconds mean);

// The gap before the next event of a Poisson process with `rate_per_second`
// (a cover or payload stream): Exp(rate), in nanoseconds. A rate <= 0 means
// the stream is off and gives std::nullopt.
std::optional<std::chrono::nanoseconds> poisson_interval(Random& rng, double rate_per_second);

}  // namespace tenebra::mix
