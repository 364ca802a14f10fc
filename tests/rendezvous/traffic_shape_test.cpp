// What a wire observer sees on the client's tunnel link: the send times of
// every packet (payload, drop and loop look the same on the wire). The claim
// under test (design.md, Loopix): the distribution of those times does not
// depend on whether the user is sending. The link is simulated in virtual
// time (ManualClock) for a fixed number of packets, and the inter-departure
// times of an idle and a busy client are compared with a two-sample
// Kolmogorov-Smirnov test at alpha = 0.001.
//
// Every seed is fixed, so each test is deterministic: it gives the same
// statistic on every run and cannot flake. The seeds were not chosen to
// pass: a fresh pair of seeds fails with probability about alpha (4 of 2000
// pairs did when this was written; the critical value is asymptotic).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ks_test.hpp"
#include "tenebra/core/clock.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/mix/poisson.hpp"
#include "tenebra/rendezvous/cover_scheduler.hpp"
#include "tenebra/router/provider_protocol.hpp"

namespace tenebra::rendezvous {
namespace {

using namespace std::chrono_literals;
using router::directory::Rate;
using testing::ks_critical_value;
using testing::ks_statistic;

constexpr std::size_t kLinkPackets = 2000;
constexpr double kAlpha = 0.001;
// lambda_P, lambda_D, lambda_L of the test network, per second.
constexpr double kPayloadRate = 2.0;
constexpr double kDropRate = 1.0;
constexpr double kLoopRate = 0.5;
constexpr double kTotalRate = kPayloadRate + kDropRate + kLoopRate;

CoverStreamRates test_rates() {
  return {Rate::from_micro_hz(2'000'000), Rate::from_micro_hz(1'000'000), Rate::from_micro_hz(500'000)};
}

// Frames of a 10 MiB file at the default geometry: one STORE each.
std::size_t file_frames() {
  const std::size_t per_frame = router::provider::max_store_bytes(mix::sphinx::Geometry::default_geometry());
  return (std::size_t{10} << 20) / per_frame + 1;
}

struct LinkTrace {
  std::vector<TimePoint> sends;  // every packet handed to the link, in order
  std::size_t real_frames = 0;   // payload events that carried a queued frame
};

// The user's side: messages of `frames_per_message` frames arrive as a
// Poisson process (rate per second) drawn from its own randomness.
struct UserActivity {
  std::uint64_t seed = 0;
  double messages_per_second = 0.0;
  std::size_t frames_per_message = 0;
};

enum class Client {
  honest,  // a queued frame waits for the next payload event
  leaky,   // also sends each frame the moment it is queued (the bug to catch)
};

// The client's send loop in virtual time: sleep until the scheduler's next
// event, send what it says (a queued frame for a payload event if there is
// one, a drop otherwise), stop after kLinkPackets packets.
LinkTrace simulate(std::uint64_t seed, std::size_t initial_frames, const UserActivity& user, Client client) {
  ManualClock clock;
  clock.advance(1h);
  DeterministicRandom rng(seed);
  DeterministicRandom user_rng(user.seed);
  auto scheduler = CoverScheduler::make(test_rates(), clock.now(), rng).value();
  LinkTrace trace;
  std::size_t queued = initial_frames;
  if (client == Client::leaky) trace.sends.insert(trace.sends.end(), initial_frames, clock.now());
  auto next_message = mix::poisson_interval(user_rng, user.messages_per_second);
  TimePoint message_at = clock.now() + next_message.value_or(0ns);

  while (trace.sends.size() < kLinkPackets) {
    const TimePoint due = scheduler.next_due().value();
    // Messages the user queued before this event.
    while (next_message && message_at <= due) {
      queued += user.frames_per_message;
      if (client == Client::leaky) trace.sends.insert(trace.sends.end(), user.frames_per_message, message_at);
      next_message = mix::poisson_interval(user_rng, user.messages_per_second);
      message_at += next_message.value_or(0ns);
    }
    clock.advance(due - clock.now());
    for (const CoverEvent& event : scheduler.poll(clock.now())) {
      if (event.kind == CoverEventKind::payload && queued > 0) {
        --queued;
        ++trace.real_frames;
      }
      trace.sends.push_back(event.due);  // a frame or a drop: the same on the wire
    }
  }
  std::sort(trace.sends.begin(), trace.sends.end());
  trace.sends.resize(kLinkPackets);
  return trace;
}

std::vector<double> gaps_in_seconds(const std::vector<TimePoint>& sends) {
  std::vector<double> gaps;
  for (std::size_t i = 1; i < sends.size(); ++i) {
    gaps.push_back(std::chrono::duration<double>(sends[i] - sends[i - 1]).count());
  }
  return gaps;
}

double rate_per_second(const std::vector<TimePoint>& sends) {
  const double span = std::chrono::duration<double>(sends.back() - sends.front()).count();
  return static_cast<double>(sends.size() - 1) / span;
}

const UserActivity kIdleUser{};
// Chatting: a 4-frame message every ~3 s on average.
const UserActivity kChattyUser{77, 0.3, 4};

TEST(KolmogorovSmirnov, StatisticAndCriticalValue) {
  EXPECT_DOUBLE_EQ(ks_statistic({1, 2, 3}, {3, 2, 1}), 0.0);
  EXPECT_DOUBLE_EQ(ks_statistic({1, 2}, {5, 6, 7}), 1.0);
  // F_a jumps to 1/2 at 2 while F_b is still 0.
  EXPECT_DOUBLE_EQ(ks_statistic({1, 2, 3, 4}, {3, 4, 5, 6}), 0.5);
  // Ties across samples step together: at 1 both are at 1/2 or 1/1.
  EXPECT_DOUBLE_EQ(ks_statistic({1, 1}, {1, 2}), 0.5);
  // c(0.001) = sqrt(ln(2000) / 2) = 1.94947..., times sqrt(2 / 2000).
  EXPECT_NEAR(ks_critical_value(2000, 2000, 0.001), 0.061648, 1e-6);
}

TEST(TrafficShape, TimesDoNotDependOnTheQueueAtAll) {
  // Same scheduler seed: the idle and the busy client put packets on the
  // link at exactly the same instants; only what the packets carry differs.
  const LinkTrace idle = simulate(11, 0, kIdleUser, Client::honest);
  const LinkTrace busy = simulate(11, file_frames(), kIdleUser, Client::honest);
  EXPECT_EQ(idle.real_frames, 0U);
  EXPECT_GT(busy.real_frames, kLinkPackets / 2);
  EXPECT_EQ(idle.sends, busy.sends);
}

TEST(TrafficShape, IdleAndBusyLinksAreIndistinguishable) {
  // Independent seeds: two samples of the link process, one idle, one
  // sending a 10 MiB file (the queue never empties in 2000 packets).
  ASSERT_GT(file_frames(), kLinkPackets);
  const LinkTrace idle = simulate(101, 0, kIdleUser, Client::honest);
  const LinkTrace busy = simulate(202, file_frames(), kIdleUser, Client::honest);
  ASSERT_EQ(idle.sends.size(), kLinkPackets);
  ASSERT_EQ(busy.sends.size(), kLinkPackets);
  const double critical = ks_critical_value(kLinkPackets - 1, kLinkPackets - 1, kAlpha);
  EXPECT_LT(ks_statistic(gaps_in_seconds(idle.sends), gaps_in_seconds(busy.sends)), critical);

  // The same for a user chatting on and off.
  const LinkTrace chatty = simulate(303, 0, kChattyUser, Client::honest);
  EXPECT_GT(chatty.real_frames, 0U);
  EXPECT_LT(ks_statistic(gaps_in_seconds(idle.sends), gaps_in_seconds(chatty.sends)), critical);

  // And both are the Poisson process of rate lambda_P + lambda_D + lambda_L:
  // exponential gaps, compared with an independent Exp(total) sample.
  DeterministicRandom reference_rng(404);
  std::vector<double> reference;
  for (std::size_t i = 0; i + 1 < kLinkPackets; ++i) {
    reference.push_back(std::chrono::duration<double>(*mix::poisson_interval(reference_rng, kTotalRate)).count());
  }
  EXPECT_LT(ks_statistic(gaps_in_seconds(busy.sends), reference), critical);
}

TEST(TrafficShape, MeanRateIsTheSumOfTheThreeStreams) {
  // n gaps of a rate-L Poisson process sum to Gamma(n, L): the estimate
  // n / span has a relative standard deviation of about 1 / sqrt(n); allow
  // five of them.
  const double tolerance = 5.0 / std::sqrt(static_cast<double>(kLinkPackets - 1));
  for (const auto& trace :
       {simulate(101, 0, kIdleUser, Client::honest), simulate(202, file_frames(), kIdleUser, Client::honest),
        simulate(303, 0, kChattyUser, Client::honest)}) {
    EXPECT_NEAR(rate_per_second(trace.sends) / kTotalRate, 1.0, tolerance);
  }
}

TEST(TrafficShape, TheTestCatchesALeakyClient) {
  const double critical = ks_critical_value(kLinkPackets - 1, kLinkPackets - 1, kAlpha);
  const LinkTrace idle = simulate(101, 0, kIdleUser, Client::honest);
  // Sending the queued file at once, besides the Poisson streams.
  const LinkTrace file_leak = simulate(202, file_frames(), kIdleUser, Client::leaky);
  EXPECT_GT(ks_statistic(gaps_in_seconds(idle.sends), gaps_in_seconds(file_leak.sends)), critical);
  // Subtler: each 4-frame chat message goes out at once. About a fifth of
  // the gaps become zero-length bursts.
  const LinkTrace chat_leak = simulate(303, 0, kChattyUser, Client::leaky);
  const double d = ks_statistic(gaps_in_seconds(idle.sends), gaps_in_seconds(chat_leak.sends));
  EXPECT_GT(d, critical);
  EXPECT_GT(d, 2 * critical);  // not a near miss
}

}  // namespace
}  // namespace tenebra::rendezvous
