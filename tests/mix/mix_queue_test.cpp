#include "tenebra/mix/mix_queue.hpp"

#include <gtest/gtest.h>

#include "tenebra/core/random.hpp"

namespace tenebra::mix {
namespace {

using std::chrono::milliseconds;

const TimePoint t0{};

Bytes tagged(std::uint8_t tag) {
  return Bytes{tag};
}

TEST(MixQueue, ReleasesInDelayOrderNotArrivalOrder) {
  MixQueue q(10);
  ASSERT_TRUE(q.push(t0 + milliseconds(30), {}, tagged(1)).ok());
  ASSERT_TRUE(q.push(t0 + milliseconds(10), {}, tagged(2)).ok());
  ASSERT_TRUE(q.push(t0 + milliseconds(20), {}, tagged(3)).ok());
  EXPECT_EQ(q.next_release(), t0 + milliseconds(10));
  EXPECT_TRUE(q.pop_due(t0 + milliseconds(9), 10).empty());
  auto due = q.pop_due(t0 + milliseconds(25), 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].packet, tagged(2));
  EXPECT_EQ(due[1].packet, tagged(3));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop_due(t0 + milliseconds(30), 10)[0].packet, tagged(1));
  EXPECT_FALSE(q.next_release().has_value());
}

TEST(MixQueue, EqualReleaseTimesLeaveInArrivalOrder) {
  MixQueue q(10);
  for (std::uint8_t i = 0; i < 5; ++i) ASSERT_TRUE(q.push(t0, {}, tagged(i)).ok());
  auto due = q.pop_due(t0, 10);
  ASSERT_EQ(due.size(), 5u);
  for (std::uint8_t i = 0; i < 5; ++i) EXPECT_EQ(due[i].packet, tagged(i));
}

TEST(MixQueue, PopRespectsTheBatchLimit) {
  MixQueue q(10);
  for (std::uint8_t i = 0; i < 6; ++i) ASSERT_TRUE(q.push(t0, {}, tagged(i)).ok());
  EXPECT_EQ(q.pop_due(t0, 4).size(), 4u);
  EXPECT_EQ(q.size(), 2u);
}

TEST(MixQueue, FullQueueRefusesAndKeepsWhatItHolds) {
  MixQueue q(2);
  ASSERT_TRUE(q.push(t0, {}, tagged(1)).ok());
  ASSERT_TRUE(q.push(t0, {}, tagged(2)).ok());
  auto refused = q.push(t0, {}, tagged(3));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::exhausted);
  EXPECT_EQ(q.size(), 2u);
}

TEST(MixQueue, HundredThousandRandomDelaysComeOutSorted) {
  constexpr std::size_t kPackets = 100000;
  MixQueue q(kPackets);
  DeterministicRandom rng(5);
  for (std::size_t i = 0; i < kPackets; ++i) {
    ASSERT_TRUE(q.push(t0 + milliseconds(rng.uniform(60000)), {}, Bytes{}).ok());
  }
  TimePoint last = t0;
  std::size_t released = 0;
  for (int step = 1; step <= 60; ++step) {
    for (auto& held : q.pop_due(t0 + milliseconds(step * 1000), kPackets)) {
      ASSERT_GE(held.release, last);
      ASSERT_LE(held.release, t0 + milliseconds(step * 1000));
      last = held.release;
      ++released;
    }
  }
  EXPECT_EQ(released, kPackets);
}

}  // namespace
}  // namespace tenebra::mix
