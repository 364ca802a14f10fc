#include "tenebra/mix/poisson.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tenebra::mix {
namespace {

TEST(ExponentialDelay, MeanAndSpreadMatchTheDistribution) {
  DeterministicRandom rng(21);
  constexpr int kSamples = 20000;
  const std::chrono::milliseconds mean(200);
  double sum = 0, above_mean = 0;
  for (int i = 0; i < kSamples; ++i) {
    const double d = exponential_delay(rng, mean).count();
    sum += d;
    above_mean += d > 200 ? 1 : 0;
  }
  EXPECT_NEAR(sum / kSamples, 200.0, 200.0 * 0.05);           // ~3.5 sigma
  EXPECT_NEAR(above_mean / kSamples, std::exp(-1.0), 0.015);  // P(X > mean) = 1/e
}

TEST(ExponentialDelay, ZeroMeanMeansNoDelay) {
  DeterministicRandom rng(22);
  EXPECT_EQ(exponential_delay(rng, std::chrono::milliseconds(0)).count(), 0u);
}

TEST(ExponentialDelay, HugeMeansAreCappedNotWrapped) {
  DeterministicRandom rng(23);
  const auto huge = std::chrono::milliseconds(std::int64_t{1} << 40);
  for (int i = 0; i < 100; ++i) EXPECT_LE(exponential_delay(rng, huge).count(), 0xffffffffu);
}

}  // namespace
}  // namespace tenebra::mix

namespace tenebra::mix {
namespace {

TEST(PoissonInterval, MeanGapIsOneOverTheRate) {
  DeterministicRandom rng(31);
  constexpr int kSamples = 20000;
  double sum_seconds = 0;
  for (int i = 0; i < kSamples; ++i) sum_seconds += poisson_interval(rng, 4.0).value().count() / 1e9;
  EXPECT_NEAR(sum_seconds / kSamples, 0.25, 0.25 * 0.05);
}

TEST(PoissonInterval, ZeroOrNegativeRateMeansOff) {
  DeterministicRandom rng(32);
  EXPECT_FALSE(poisson_interval(rng, 0.0).has_value());
  EXPECT_FALSE(poisson_interval(rng, -1.0).has_value());
}

}  // namespace
}  // namespace tenebra::mix
