#include "tenebra/rendezvous/cover_scheduler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace tenebra::rendezvous {
namespace {

using namespace std::chrono_literals;
using router::directory::Rate;

const TimePoint kStart = TimePoint{} + 1h;

CoverStreamRates rates_per_second(double payload, double drop, double loop) {
  auto micro = [](double per_second) { return Rate::from_micro_hz(static_cast<std::uint32_t>(per_second * 1e6)); };
  return {micro(payload), micro(drop), micro(loop)};
}

// Drives the scheduler like a timer would: wake at next_due, poll, repeat.
std::vector<CoverEvent> run_until(CoverScheduler& scheduler, TimePoint end) {
  std::vector<CoverEvent> all;
  while (auto due = scheduler.next_due()) {
    if (*due > end) break;
    auto events = scheduler.poll(*due);
    all.insert(all.end(), events.begin(), events.end());
  }
  return all;
}

TEST(CoverScheduler, EventsComeInTimeOrderAndNeverEarly) {
  DeterministicRandom rng(1);
  auto scheduler = CoverScheduler::make(rates_per_second(2, 1, 0.5), kStart, rng).value();
  TimePoint previous = kStart;
  std::size_t seen = 0;
  // Poll on a coarse 700 ms grid: several events come per poll.
  for (TimePoint now = kStart; now < kStart + 200s; now += 700ms) {
    for (const auto& event : scheduler.poll(now)) {
      EXPECT_LE(event.due, now);
      EXPECT_GE(event.due, previous);
      previous = event.due;
      ++seen;
    }
    ASSERT_TRUE(scheduler.next_due().has_value());
    EXPECT_GT(*scheduler.next_due(), now);
  }
  EXPECT_GT(seen, 500U);
  EXPECT_EQ(scheduler.restarts(), 0U);
}

TEST(CoverScheduler, EachStreamRunsAtItsRate) {
  DeterministicRandom rng(2);
  const auto rates = rates_per_second(2, 1, 0.5);
  auto scheduler = CoverScheduler::make(rates, kStart, rng).value();
  const auto duration = 4000s;
  std::map<CoverEventKind, double> counts;
  for (const auto& event : run_until(scheduler, kStart + duration)) counts[event.kind] += 1;
  // Poisson counts: mean = variance = rate * T; 5 standard deviations.
  for (const auto& [kind, rate] :
       {std::pair{CoverEventKind::payload, 2.0}, {CoverEventKind::drop, 1.0}, {CoverEventKind::loop, 0.5}}) {
    const double expected = rate * static_cast<double>(duration.count());
    EXPECT_NEAR(counts[kind], expected, 5 * std::sqrt(expected)) << cover_event_name(kind);
  }
}

TEST(CoverScheduler, ZeroRatesTurnStreamsOff) {
  DeterministicRandom rng(3);
  auto no_loops = CoverScheduler::make(rates_per_second(1, 1, 0), kStart, rng).value();
  const auto events = run_until(no_loops, kStart + 500s);
  EXPECT_GT(events.size(), 500U);
  for (const auto& event : events) EXPECT_NE(event.kind, CoverEventKind::loop);

  auto silent = CoverScheduler::make(rates_per_second(0, 0, 0), kStart, rng).value();
  EXPECT_FALSE(silent.next_due().has_value());
  EXPECT_TRUE(silent.poll(kStart + 10h).empty());
}

TEST(CoverScheduler, AbsurdRatesAreRefused) {
  DeterministicRandom rng(4);
  CoverStreamRates rates;
  rates.payload = Rate::from_micro_hz(kMaxClientStreamMicroHz);
  EXPECT_TRUE(CoverScheduler::make(rates, kStart, rng).ok());
  const Rate too_high = Rate::from_micro_hz(kMaxClientStreamMicroHz + 1);
  const Rate one = Rate::from_micro_hz(1'000'000);
  for (const CoverStreamRates& bad : {CoverStreamRates{too_high, one, one}, CoverStreamRates{one, too_high, one},
                                      CoverStreamRates{one, one, too_high}}) {
    auto made = CoverScheduler::make(bad, kStart, rng);
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.error().code, Errc::invalid_argument);
  }
  EXPECT_FALSE(CoverScheduler::make(rates, kStart, rng, 0ns).ok());
}

TEST(CoverScheduler, SameSeedSameScheduleWhateverThePollingGrid) {
  const auto rates = rates_per_second(2, 1, 0.5);
  DeterministicRandom a(5);
  DeterministicRandom b(5);
  DeterministicRandom c(6);
  auto exact = CoverScheduler::make(rates, kStart, a).value();
  auto coarse = CoverScheduler::make(rates, kStart, b).value();
  auto other = CoverScheduler::make(rates, kStart, c).value();
  const auto by_timer = run_until(exact, kStart + 300s);
  std::vector<CoverEvent> by_grid;
  for (TimePoint now = kStart; now <= kStart + 300s; now += 900ms) {
    auto events = coarse.poll(now);
    by_grid.insert(by_grid.end(), events.begin(), events.end());
  }
  // The schedule is a function of the seed only: when the caller polls
  // (within the lateness bound) changes nothing.
  by_grid.resize(std::min(by_grid.size(), by_timer.size()));
  ASSERT_GT(by_grid.size(), 900U);
  EXPECT_EQ(std::vector<CoverEvent>(by_timer.begin(), by_timer.begin() + static_cast<std::ptrdiff_t>(by_grid.size())),
            by_grid);
  EXPECT_NE(run_until(other, kStart + 300s), by_timer);
}

TEST(CoverScheduler, ACoarsePollReturnsEverythingDueInOrder) {
  // Rates so high that a coarse poll holds many events; the order within a
  // poll is by time, and nothing due is left behind.
  DeterministicRandom rng(7);
  auto scheduler = CoverScheduler::make(rates_per_second(50, 50, 50), kStart, rng).value();
  const auto events = scheduler.poll(kStart + 900ms);
  ASSERT_GT(events.size(), 50U);
  for (std::size_t i = 1; i < events.size(); ++i) {
    ASSERT_LE(events[i - 1].due, events[i].due);
    if (events[i - 1].due == events[i].due) {
      EXPECT_LT(events[i - 1].kind, events[i].kind);
    }
  }
  EXPECT_GT(*scheduler.next_due(), kStart + 900ms);
}

TEST(CoverScheduler, NoCatchUpBurstAfterASuspend) {
  DeterministicRandom rng(8);
  auto scheduler = CoverScheduler::make(rates_per_second(2, 1, 0.5), kStart, rng).value();
  ASSERT_FALSE(scheduler.poll(kStart).size() > 1);
  // An hour asleep: 12 600 events were due; none of them is sent at once.
  const TimePoint woke = kStart + 1h;
  EXPECT_TRUE(scheduler.poll(woke).empty());
  EXPECT_EQ(scheduler.restarts(), 3U);
  EXPECT_GT(*scheduler.next_due(), woke);
  // And the process goes on at its rate from there.
  const auto after = run_until(scheduler, woke + 1000s);
  EXPECT_NEAR(static_cast<double>(after.size()), 3500.0, 5 * std::sqrt(3500.0));
}

TEST(CoverScheduler, OnePollReturnsAtMostTheCap) {
  DeterministicRandom rng(9);
  const auto max = Rate::from_micro_hz(kMaxClientStreamMicroHz);
  auto scheduler = CoverScheduler::make({max, max, max}, kStart, rng, 1h).value();
  const TimePoint now = kStart + 30s;  // about 9000 events due
  const auto first = scheduler.poll(now);
  EXPECT_EQ(first.size(), kMaxEventsPerPoll);
  const auto second = scheduler.poll(now);
  EXPECT_GT(second.size(), 0U);
  EXPECT_GE(second.front().due, first.back().due);
}

TEST(CoverScheduler, NewRatesApplyFromNow) {
  DeterministicRandom rng(10);
  auto scheduler = CoverScheduler::make(rates_per_second(1, 1, 1), kStart, rng).value();
  (void)run_until(scheduler, kStart + 100s);
  const TimePoint epoch_change = kStart + 100s;
  ASSERT_TRUE(scheduler.set_rates(rates_per_second(10, 0, 0), epoch_change).ok());
  EXPECT_EQ(scheduler.rates(), rates_per_second(10, 0, 0));
  ASSERT_TRUE(scheduler.next_due().has_value());
  EXPECT_GT(*scheduler.next_due(), epoch_change);
  const auto events = run_until(scheduler, epoch_change + 1000s);
  for (const auto& event : events) EXPECT_EQ(event.kind, CoverEventKind::payload);
  EXPECT_NEAR(static_cast<double>(events.size()), 10000.0, 5 * std::sqrt(10000.0));

  // Refused rates change nothing.
  CoverStreamRates bad = rates_per_second(1, 1, 1);
  bad.loop = Rate::from_micro_hz(kMaxClientStreamMicroHz + 1);
  EXPECT_FALSE(scheduler.set_rates(bad, epoch_change + 1000s).ok());
  EXPECT_EQ(scheduler.rates(), rates_per_second(10, 0, 0));
}

TEST(CoverScheduler, AnEventAlreadyDueSurvivesARateChange) {
  DeterministicRandom rng(11);
  auto scheduler = CoverScheduler::make(rates_per_second(1, 0, 0), kStart, rng).value();
  const TimePoint due = *scheduler.next_due();
  ASSERT_TRUE(scheduler.set_rates(rates_per_second(2, 0, 0), due).ok());
  const auto events = scheduler.poll(due);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].due, due);
  // Turning a stream off drops even its due event.
  ASSERT_TRUE(scheduler.set_rates(rates_per_second(0, 0, 0), *scheduler.next_due()).ok());
  EXPECT_FALSE(scheduler.next_due().has_value());
}

TEST(CoverScheduler, RatesComeFromTheTopology) {
  router::directory::Rates rates;
  rates.payload = Rate::from_micro_hz(2'000'000);
  rates.drop = Rate::from_micro_hz(1'000'000);
  rates.loop = Rate::from_micro_hz(500'000);
  rates.mix_loop = Rate::from_micro_hz(7'000'000);
  const auto streams = CoverStreamRates::from_topology(rates);
  EXPECT_EQ(streams, rates_per_second(2, 1, 0.5));
  EXPECT_DOUBLE_EQ(streams.total_per_second(), 3.5);
}

}  // namespace
}  // namespace tenebra::rendezvous
