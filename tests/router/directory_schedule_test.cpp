// The directory round's instants for concrete schedules, and the epochs a
// node uploads for and fetches at given times.
#include "tenebra/router/directory_schedule.hpp"

#include <gtest/gtest.h>

namespace tenebra::router::directory {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kGenesis = 1'767'225'600;  // 2026-01-01T00:00:00Z

WallTime at(std::int64_t unix_seconds, std::chrono::milliseconds extra = 0ms) {
  return WallTime(std::chrono::seconds(unix_seconds)) + extra;
}

EpochSchedule schedule(std::chrono::seconds length) {
  return EpochSchedule::make(UnixSeconds(std::chrono::seconds(kGenesis)), length).value();
}

TEST(DirectorySchedule, RoundOfAOneMinuteEpoch) {
  auto round = directory_round(schedule(60s), 5);
  ASSERT_TRUE(round.ok()) << round.error().message;
  // start(5) = genesis + 300 = 1767225900.
  EXPECT_EQ(round->target, 5u);
  EXPECT_EQ(round->upload_from, at(kGenesis + 240));
  EXPECT_EQ(round->vote_at, at(kGenesis + 270));
  EXPECT_EQ(round->tally_at, at(kGenesis + 285));
  EXPECT_EQ(round->fetch_from, at(kGenesis + 292, 500ms));
}

TEST(DirectorySchedule, RoundOfAnHourEpoch) {
  auto round = directory_round(schedule(3600s), 2);
  ASSERT_TRUE(round.ok());
  const std::int64_t start = kGenesis + 7200;
  EXPECT_EQ(round->upload_from, at(start - 3600));
  EXPECT_EQ(round->vote_at, at(start - 1800));
  EXPECT_EQ(round->tally_at, at(start - 900));
  EXPECT_EQ(round->fetch_from, at(start - 450));
}

TEST(DirectorySchedule, OneSecondEpochStillHasDistinctInstants) {
  auto round = directory_round(schedule(1s), 10);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->vote_at, at(kGenesis + 9, 500ms));
  EXPECT_EQ(round->tally_at, at(kGenesis + 9, 750ms));
  EXPECT_EQ(round->fetch_from, at(kGenesis + 9, 875ms));
}

TEST(DirectorySchedule, EpochZeroAndEpochsBeyondTheClockHaveNoRound) {
  EXPECT_EQ(directory_round(schedule(60s), 0).error().code, Errc::invalid_argument);
  EXPECT_FALSE(directory_round(schedule(60s), std::numeric_limits<Epoch>::max()).ok());
}

TEST(DirectorySchedule, NextTargetSwitchesAtVoteTime) {
  const auto s = schedule(60s);
  EXPECT_EQ(next_target(s, at(kGenesis - 1000)).value(), 1u);  // a cold start before genesis
  EXPECT_EQ(next_target(s, at(kGenesis)).value(), 1u);
  EXPECT_EQ(next_target(s, at(kGenesis + 29, 999ms)).value(), 1u);
  EXPECT_EQ(next_target(s, at(kGenesis + 30)).value(), 2u);  // vote_at(1) passed
  EXPECT_EQ(next_target(s, at(kGenesis + 245)).value(), 5u);
  EXPECT_EQ(next_target(s, at(kGenesis + 270)).value(), 6u);
  EXPECT_EQ(next_target(s, at(kGenesis + 299)).value(), 6u);
}

TEST(DirectorySchedule, FetchTargetMovesAheadAtFetchTime) {
  const auto s = schedule(60s);
  EXPECT_EQ(fetch_target(s, at(kGenesis - 1)).error().code, Errc::invalid_argument);
  EXPECT_EQ(fetch_target(s, at(kGenesis + 10)).error().code, Errc::not_found);  // epoch 0 has no document
  EXPECT_EQ(fetch_target(s, at(kGenesis + 52, 500ms)).value(), 1u);
  EXPECT_EQ(fetch_target(s, at(kGenesis + 61)).value(), 1u);
  EXPECT_EQ(fetch_target(s, at(kGenesis + 292, 499ms)).value(), 4u);
  EXPECT_EQ(fetch_target(s, at(kGenesis + 292, 500ms)).value(), 5u);
}

}  // namespace
}  // namespace tenebra::router::directory
