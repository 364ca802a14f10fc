// Epoch arithmetic and the Sphinx key window, driven by a ManualClock.
#include "tenebra/router/epoch.hpp"

#include <gtest/gtest.h>

namespace tenebra::router::directory {
namespace {

using namespace std::chrono_literals;

const UnixSeconds kGenesis{std::chrono::seconds(1'767'225'600)};  // 2026-01-01T00:00:00Z

TEST(Epoch, MakeChecksItsBounds) {
  EXPECT_FALSE(EpochSchedule::make(kGenesis, 0s).ok());
  EXPECT_FALSE(EpochSchedule::make(kGenesis, -5s).ok());
  EXPECT_FALSE(EpochSchedule::make(kGenesis, kMaxEpochLength + 1s).ok());
  EXPECT_FALSE(EpochSchedule::make(UnixSeconds(-1s), 60s).ok());
  EXPECT_TRUE(EpochSchedule::make(UnixSeconds(0s), 1s).ok());
  EXPECT_TRUE(EpochSchedule::make(kGenesis, kProductionEpochLength).ok());
}

TEST(Epoch, NumbersFollowTheClock) {
  const auto schedule = EpochSchedule::make(kGenesis, 10s).value();
  ManualClock clock;
  clock.set_wall(kGenesis - 1ns);
  EXPECT_EQ(schedule.current_epoch(clock).error().code, Errc::invalid_argument);
  clock.advance(1ns);
  EXPECT_EQ(schedule.current_epoch(clock).value(), 0u);
  clock.advance(10s - 1ns);
  EXPECT_EQ(schedule.current_epoch(clock).value(), 0u);
  clock.advance(1ns);
  EXPECT_EQ(schedule.current_epoch(clock).value(), 1u);
  clock.advance(95s);
  EXPECT_EQ(schedule.current_epoch(clock).value(), 10u);
  EXPECT_EQ(schedule.start_of(10).value(), kGenesis + 100s);
}

TEST(Epoch, ProductionHour) {
  const auto schedule = EpochSchedule::make(kGenesis, kProductionEpochLength).value();
  // 2026-03-01T12:34:56Z is 59 days, 12 h, 34 min, 56 s after genesis.
  const auto when = kGenesis + std::chrono::days(59) + 12h + 34min + 56s;
  EXPECT_EQ(schedule.epoch_at(when).value(), 59u * 24 + 12);
  EXPECT_EQ(schedule.start_of(59u * 24 + 12).value(), kGenesis + std::chrono::days(59) + 12h);
}

TEST(Epoch, StartOfRejectsEpochsBeyondTheClock) {
  const auto schedule = EpochSchedule::make(kGenesis, kProductionEpochLength).value();
  EXPECT_FALSE(schedule.start_of(UINT64_MAX).ok());
  EXPECT_FALSE(schedule.start_of(std::uint64_t{1} << 40).ok());
  EXPECT_TRUE(schedule.start_of(std::uint64_t{1} << 20).ok());
}

TEST(Epoch, KeyWindowKeepsThePreviousKeyForTheGracePeriod) {
  const auto schedule = EpochSchedule::make(kGenesis, 10s).value();
  ManualClock clock;
  clock.set_wall(kGenesis);
  // Epoch 0 has no previous epoch.
  EXPECT_EQ(schedule.key_window(clock, 3s).value(), (KeyWindow{0, std::nullopt}));
  clock.advance(10s);  // start of epoch 1
  auto window = schedule.key_window(clock, 3s).value();
  EXPECT_EQ(window, (KeyWindow{1, 0}));
  EXPECT_TRUE(window.accepts(1));
  EXPECT_TRUE(window.accepts(0));
  EXPECT_FALSE(window.accepts(2));
  clock.advance(3s - 1ns);
  EXPECT_EQ(schedule.key_window(clock, 3s).value(), (KeyWindow{1, 0}));
  clock.advance(1ns);  // the grace period is over
  window = schedule.key_window(clock, 3s).value();
  EXPECT_EQ(window, (KeyWindow{1, std::nullopt}));
  EXPECT_FALSE(window.accepts(0));
  clock.advance(7s);  // epoch 2
  EXPECT_EQ(schedule.key_window(clock, 3s).value(), (KeyWindow{2, 1}));
  EXPECT_EQ(schedule.key_window(clock, 0s).value(), (KeyWindow{2, std::nullopt}));
}

TEST(Epoch, KeyWindowChecksTheGracePeriod) {
  const auto schedule = EpochSchedule::make(kGenesis, 10s).value();
  ManualClock clock;
  clock.set_wall(kGenesis + 15s);
  EXPECT_FALSE(schedule.key_window(clock, 11s).ok());
  EXPECT_FALSE(schedule.key_window(clock, -1s).ok());
  EXPECT_EQ(schedule.key_window(clock, 10s).value(), (KeyWindow{1, 0}));
  clock.set_wall(kGenesis - 1s);
  EXPECT_FALSE(schedule.key_window(clock, 1s).ok());
}

}  // namespace
}  // namespace tenebra::router::directory
