#include "tenebra/core/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace tenebra {
namespace {

TEST(DeterministicRandom, SameSeedSameStream) {
  DeterministicRandom a(42), b(42), c(43);
  std::array<std::uint8_t, 40> x{}, y{}, z{};
  a.fill(x);
  b.fill(y);
  c.fill(z);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  a.fill(x);
  EXPECT_NE(x, y);  // the stream moves on between calls
}

TEST(Random, UniformStaysInRangeAndCoversIt) {
  DeterministicRandom rng(1);
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const auto v = rng.uniform(7);
    ASSERT_LT(v, 7u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(rng.uniform(1), 0u);
}

TEST(Random, UniformOpen01IsOpen) {
  DeterministicRandom rng(2);
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.uniform_open01();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(ScriptedRandom, ReplaysExactly) {
  ScriptedRandom rng;
  const Bytes script{1, 2, 3, 4, 5};
  rng.push(script);
  std::array<std::uint8_t, 2> a{};
  std::array<std::uint8_t, 3> b{};
  rng.fill(a);
  rng.fill(b);
  EXPECT_EQ(a, (std::array<std::uint8_t, 2>{1, 2}));
  EXPECT_EQ(b, (std::array<std::uint8_t, 3>{3, 4, 5}));
  EXPECT_EQ(rng.remaining(), 0u);
}

TEST(ScriptedRandomDeathTest, RunningDryAborts) {
  ScriptedRandom rng;
  std::array<std::uint8_t, 1> a{};
  EXPECT_DEATH(rng.fill(a), "ScriptedRandom");
}

}  // namespace
}  // namespace tenebra
