#include "tenebra/mix/replay_cache.hpp"

#include <gtest/gtest.h>

namespace tenebra::mix {
namespace {

sphinx::ReplayTag random_tag(Random& rng) {
  sphinx::ReplayTag tag{};
  rng.fill(tag);
  return tag;
}

TEST(ReplayCache, NeverForgetsATag) {
  DeterministicRandom rng(1);
  auto cache = ReplayCache::make({.capacity = 5000, .false_positive_rate = 1e-4}, rng).value();
  DeterministicRandom tags(2);
  std::vector<sphinx::ReplayTag> seen;
  for (int i = 0; i < 5000; ++i) {
    seen.push_back(random_tag(tags));
    (void)cache->check_and_insert(seen.back());
  }
  for (const auto& tag : seen) ASSERT_TRUE(cache->check_and_insert(tag));
  EXPECT_EQ(cache->replays_detected(), seen.size());
}

TEST(ReplayCache, FalsePositiveRateAtCapacityMatchesTheStatedRate) {
  // Filled to capacity, a fresh tag is wrongly flagged at about the stated rate.
  constexpr double kRate = 0.01;
  DeterministicRandom rng(3);
  auto cache = ReplayCache::make({.capacity = 20000, .false_positive_rate = kRate}, rng).value();
  DeterministicRandom tags(4);
  for (int i = 0; i < 20000; ++i) (void)cache->check_and_insert(random_tag(tags));
  EXPECT_FALSE(cache->over_capacity());
  int false_positives = 0;
  constexpr int kProbes = 100000;
  for (int i = 0; i < kProbes; ++i) false_positives += cache->contains(random_tag(tags)) ? 1 : 0;
  const double measured = static_cast<double>(false_positives) / kProbes;
  // Expected 1000 of 100000; the bounds are > 6 standard deviations wide.
  EXPECT_GT(measured, kRate * 0.7);
  EXPECT_LT(measured, kRate * 1.3);
  EXPECT_NEAR(cache->current_false_positive_rate(), kRate, kRate * 0.05);

  // Past capacity it still works, says so, and its rate climbs.
  for (int i = 0; i < 20000; ++i) (void)cache->check_and_insert(random_tag(tags));
  EXPECT_TRUE(cache->over_capacity());
  EXPECT_GT(cache->current_false_positive_rate(), kRate * 10);
}

TEST(ReplayCache, SizedByTheBloomFormula) {
  DeterministicRandom rng(5);
  auto cache = ReplayCache::make({.capacity = 1u << 22, .false_positive_rate = 1e-6}, rng).value();
  // m = -n ln p / ln^2 2 = 28.76 bits per tag, k = 20.
  EXPECT_NEAR(static_cast<double>(cache->memory_bytes()), (1u << 22) * 28.755 / 8, 1e5);
  EXPECT_EQ(cache->hash_count(), 20u);
}

TEST(ReplayCache, RejectsBadConfig) {
  DeterministicRandom rng(6);
  EXPECT_FALSE(ReplayCache::make({.capacity = 0, .false_positive_rate = 0.01}, rng).ok());
  EXPECT_FALSE(ReplayCache::make({.capacity = 10, .false_positive_rate = 0.0}, rng).ok());
  EXPECT_FALSE(ReplayCache::make({.capacity = 10, .false_positive_rate = 0.7}, rng).ok());
  EXPECT_FALSE(ReplayCache::make({.capacity = std::uint64_t{1} << 40, .false_positive_rate = 1e-9}, rng).ok());
}

TEST(ReplayCaches, OnePerEpochKeyAndDroppedWithIt) {
  DeterministicRandom rng(7);
  ReplayCaches caches({.capacity = 100, .false_positive_rate = 1e-6}, rng);
  sphinx::PublicKey epoch1{}, epoch2{};
  epoch2[0] = 1;
  DeterministicRandom tags(8);
  const auto tag = random_tag(tags);
  EXPECT_FALSE(caches.for_key(epoch1).value()->check_and_insert(tag));
  EXPECT_TRUE(caches.for_key(epoch1).value()->check_and_insert(tag));
  EXPECT_FALSE(caches.for_key(epoch2).value()->check_and_insert(tag));  // separate key, separate cache
  EXPECT_EQ(caches.size(), 2u);
  caches.drop_key(epoch1);
  EXPECT_EQ(caches.size(), 1u);
}

}  // namespace
}  // namespace tenebra::mix
