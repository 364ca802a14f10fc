// Exponential draws for the Loopix model: per-hop delays from Exp(mean) and
// the gaps between Poisson sends. Pure: the randomness is a parameter.
#pragma once

#include <chrono>

#include "tenebra/core/random.hpp"
#include "tenebra/mix/commands.hpp"

namespace tenebra::mix {

// A delay drawn from Exp(1/mean), rounded to milliseconds and capped at the
// largest value a routing command can carry (about 49.7 days).
sphinx::Delay exponential_delay(Random& rng, std::chrono::milliseconds mean);

}  // namespace tenebra::mix
