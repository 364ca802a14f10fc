#include "tenebra/onion/backoff.hpp"

#include <gtest/gtest.h>

namespace tenebra::onion {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, RefusesBadPolicies) {
  DeterministicRandom rng(1);
  EXPECT_EQ(Backoff::create({milliseconds(0), milliseconds(10)}, rng).error().code, Errc::invalid_argument);
  EXPECT_EQ(Backoff::create({milliseconds(-5), milliseconds(10)}, rng).error().code, Errc::invalid_argument);
  EXPECT_EQ(Backoff::create({milliseconds(20), milliseconds(10)}, rng).error().code, Errc::invalid_argument);
  EXPECT_EQ(Backoff::create({milliseconds(1), std::chrono::hours(25)}, rng).error().code, Errc::invalid_argument);
  EXPECT_TRUE(Backoff::create({milliseconds(10), milliseconds(10)}, rng).ok());
}

TEST(Backoff, DelaysStayInsideTheDoublingWindow) {
  DeterministicRandom rng(7);
  auto backoff = Backoff::create({milliseconds(100), milliseconds(5'000)}, rng);
  ASSERT_TRUE(backoff.ok());
  for (int round = 0; round < 50; ++round) {
    backoff->reset();
    for (std::uint32_t n = 0; n < 40; ++n) {
      const auto delay = backoff->next_delay();
      const std::int64_t ceiling = n >= 6 ? 5'000 : std::min<std::int64_t>(5'000, 100LL << n);
      EXPECT_GE(delay.count(), 100) << "attempt " << n;
      EXPECT_LE(delay.count(), ceiling) << "attempt " << n;
    }
  }
}

TEST(Backoff, JitterSpreadsDelaysAndReachesTheCap) {
  DeterministicRandom rng(3);
  auto backoff = Backoff::create({milliseconds(10), milliseconds(1'000)}, rng);
  ASSERT_TRUE(backoff.ok());
  for (int i = 0; i < 10; ++i) (void)backoff->next_delay();
  std::int64_t lowest = 1'000;
  std::int64_t highest = 0;
  for (int i = 0; i < 500; ++i) {
    const auto delay = backoff->next_delay().count();
    lowest = std::min(lowest, delay);
    highest = std::max(highest, delay);
  }
  EXPECT_LT(lowest, 200);   // full jitter: small delays stay possible
  EXPECT_GT(highest, 800);  // and the cap is reached
  EXPECT_LE(highest, 1'000);
}

TEST(Backoff, ResetStartsOverAndCountsAttempts) {
  ScriptedRandom rng;
  // Each uniform() draw takes 4 bytes; 0xFFFFFFFF picks the top of the window.
  for (int i = 0; i < 4; ++i) rng.push(ByteView(std::array<std::uint8_t, 4>{0xFF, 0xFF, 0xFF, 0xFF}));
  auto backoff = Backoff::create({milliseconds(100), milliseconds(10'000)}, rng);
  ASSERT_TRUE(backoff.ok());
  // Window sizes 1, 101, 301 ms: 0xFFFFFFFF % 1 = 0, % 101, % 301 are fixed values.
  EXPECT_EQ(backoff->next_delay(), milliseconds(100));
  EXPECT_EQ(backoff->next_delay(), milliseconds(100 + 0xFFFFFFFFULL % 101));
  EXPECT_EQ(backoff->next_delay(), milliseconds(100 + 0xFFFFFFFFULL % 301));
  EXPECT_EQ(backoff->attempts(), 3U);
  backoff->reset();
  EXPECT_EQ(backoff->attempts(), 0U);
  EXPECT_EQ(backoff->next_delay(), milliseconds(100));
}

}  // namespace
}  // namespace tenebra::onion
