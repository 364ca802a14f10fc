#include "tenebra/rendezvous/loop_monitor.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tenebra::rendezvous {
namespace {

using namespace std::chrono_literals;
using mix::sphinx::Geometry;

const TimePoint kStart = TimePoint{} + 1h;

LoopKey key_of(std::uint8_t first) {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(first + i);
  return LoopKey(std::span<const std::uint8_t, 32>(bytes));
}

LoopId id_of(std::uint8_t tag) {
  LoopId id{};
  id.fill(tag);
  return id;
}

TEST(LoopData, KnownAnswerAtTheSmallestGeometry) {
  // P = 64: a STORE holds 61 bytes, so 13 bytes of filler. Expected tag from
  // python3: hashlib.blake2b(struct.pack('>I', 13) + id + filler,
  // digest_size=32, key=bytes(range(32)), person=b'tenebra/loop-tag').
  const Geometry geometry = Geometry::make(5, 64).value();
  LoopId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(0xA0 + i);
  ScriptedRandom rng;
  rng.push(Bytes(13, 0x5C));
  const Bytes data = make_loop_data(geometry, key_of(0), id, rng).value();
  EXPECT_EQ(rng.remaining(), 0U);
  EXPECT_EQ(to_hex(data),
            "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
            "4b147d3b71e619701b772afada0aa126369f84042c5058fd1a5b217f5b9e7dfd"
            "5c5c5c5c5c5c5c5c5c5c5c5c5c");
  EXPECT_EQ(open_loop_data(geometry, key_of(0), data).value(), id);
}

TEST(LoopData, FillsTheWholeStoreAndOnlyTheKeyOpensIt) {
  const Geometry geometry = Geometry::default_geometry();
  DeterministicRandom rng(1);
  const Bytes data = make_loop_data(geometry, key_of(1), id_of(7), rng).value();
  EXPECT_EQ(data.size(), geometry.payload_bytes() - 3);
  EXPECT_EQ(open_loop_data(geometry, key_of(1), data).value(), id_of(7));

  auto other_key = open_loop_data(geometry, key_of(2), data);
  ASSERT_FALSE(other_key.ok());
  EXPECT_EQ(other_key.error().code, Errc::crypto);
  // Any flipped byte (id, tag or filler) is refused.
  for (std::size_t at : {std::size_t{0}, kLoopIdBytes, kLoopHeaderBytes, data.size() - 1}) {
    Bytes tampered = data;
    tampered[at] ^= 0x01;
    auto opened = open_loop_data(geometry, key_of(1), tampered);
    ASSERT_FALSE(opened.ok()) << at;
    EXPECT_EQ(opened.error().code, Errc::crypto);
  }
  for (std::size_t size : {std::size_t{0}, kLoopHeaderBytes, data.size() - 1, data.size() + 1}) {
    Bytes resized = data;
    resized.resize(size);
    auto opened = open_loop_data(geometry, key_of(1), resized);
    ASSERT_FALSE(opened.ok()) << size;
    EXPECT_EQ(opened.error().code, Errc::malformed);
  }
}

TEST(LoopData, DeadlineFromTheMixingDelays) {
  // The transit bound: P(Erlang(4, 1) > 13.1) <= 0.001.
  const double x = kLoopTransitMeanHops;
  EXPECT_LE(std::exp(-x) * (1 + x + x * x / 2 + x * x * x / 6), 0.001);

  router::directory::Topology topology;
  topology.rates.delay = router::directory::Rate::from_micro_hz(2'000'000);  // mean hop delay 500 ms
  EXPECT_EQ(loop_deadline(topology, 30s, 5s).value(), 6550ms + 30s + 5s);
  EXPECT_FALSE(loop_deadline(topology, -1s, 5s).ok());
  topology.rates.delay = router::directory::Rate::from_micro_hz(0);
  EXPECT_FALSE(loop_deadline(topology, 30s, 5s).ok());
}

class LoopMonitorTest : public ::testing::Test {
 protected:
  static constexpr auto kDeadline = 60s;
  LoopMonitorTest() : m_monitor(make_monitor(policy())) {}

  static LoopHealthPolicy policy() { return LoopHealthPolicy{kDeadline, 8, 4, 16}; }
  static LoopMonitor make_monitor(const LoopHealthPolicy& p) {
    return LoopMonitor::make(Geometry::default_geometry(), key_of(1), p).value();
  }
  Bytes loop_data(const LoopId& id, std::uint8_t key = 1) {
    return make_loop_data(Geometry::default_geometry(), key_of(key), id, m_rng).value();
  }
  // Sends loop `tag` at `at`; it comes back `after` later unless lost.
  void loop(std::uint8_t tag, TimePoint at, std::optional<std::chrono::seconds> after) {
    m_monitor.record_sent(id_of(tag), at);
    if (after) m_returns.emplace_back(at + *after, loop_data(id_of(tag)));
  }
  void deliver_returns_until(TimePoint now) {
    for (auto it = m_returns.begin(); it != m_returns.end();) {
      if (it->first <= now) {
        (void)m_monitor.on_returned(it->second, it->first);
        it = m_returns.erase(it);
      } else {
        ++it;
      }
    }
  }

  DeterministicRandom m_rng{2};
  LoopMonitor m_monitor;
  std::vector<std::pair<TimePoint, Bytes>> m_returns;
};

TEST_F(LoopMonitorTest, ClassifiesWhatComesBack) {
  m_monitor.record_sent(id_of(1), kStart);
  m_monitor.record_sent(id_of(2), kStart);
  EXPECT_EQ(m_monitor.on_returned(loop_data(id_of(1)), kStart + 10s), LoopOutcome::in_time);
  EXPECT_EQ(m_monitor.on_returned(loop_data(id_of(1)), kStart + 11s), LoopOutcome::duplicate);
  EXPECT_EQ(m_monitor.on_returned(loop_data(id_of(2)), kStart + kDeadline + 1s), LoopOutcome::late);
  EXPECT_EQ(m_monitor.on_returned(loop_data(id_of(3)), kStart + 12s), LoopOutcome::unknown);
  EXPECT_EQ(m_monitor.on_returned(loop_data(id_of(1), 9), kStart + 12s), LoopOutcome::forged);
  EXPECT_EQ(m_monitor.on_returned(Bytes(10, 0), kStart + 12s), LoopOutcome::malformed);
  const LoopCounters& c = m_monitor.counters();
  EXPECT_EQ(c.sent, 2U);
  EXPECT_EQ(c.in_time, 1U);
  EXPECT_EQ(c.duplicate, 1U);
  EXPECT_EQ(c.late, 1U);
  EXPECT_EQ(c.unknown, 1U);
  EXPECT_EQ(c.forged, 1U);
  EXPECT_EQ(c.malformed, 1U);
  // The late loop counts as a miss.
  const LoopHealth health = m_monitor.health(kStart + 2 * kDeadline);
  EXPECT_EQ(health.decided, 2U);
  EXPECT_EQ(health.in_time, 1U);
  EXPECT_DOUBLE_EQ(health.in_time_fraction(), 0.5);
}

TEST_F(LoopMonitorTest, HealthyThenBrokenThenRecovered) {
  // No loop sent yet: no evidence either way.
  EXPECT_FALSE(m_monitor.health(kStart).broken);
  EXPECT_DOUBLE_EQ(m_monitor.health(kStart).in_time_fraction(), 1.0);

  // Ten loops, every 10 s, each back after 20 s.
  TimePoint t = kStart;
  std::uint8_t tag = 0;
  for (int i = 0; i < 10; ++i, t += 10s) loop(++tag, t, 20s);
  deliver_returns_until(t + 30s);
  LoopHealth health = m_monitor.health(t + 30s);
  EXPECT_EQ(health.decided, 8U);  // the window
  EXPECT_EQ(health.in_time, 8U);
  EXPECT_FALSE(health.broken);

  // The network breaks: nothing comes back. Until the deadlines pass the
  // new loops are only pending.
  t += 30s;
  const TimePoint broke = t;
  for (int i = 0; i < 4; ++i, t += 10s) loop(++tag, t, std::nullopt);
  health = m_monitor.health(t);
  EXPECT_EQ(health.pending, 4U);
  EXPECT_FALSE(health.broken);
  // Three of the four past their deadline: a loss, not yet "broken".
  health = m_monitor.health(broke + kDeadline + 25s);
  EXPECT_EQ(health.decided, 8U);
  EXPECT_EQ(health.in_time, 5U);
  EXPECT_FALSE(health.broken);
  // All four missed: broken.
  health = m_monitor.health(broke + kDeadline + 35s);
  EXPECT_EQ(health.in_time, 4U);
  EXPECT_DOUBLE_EQ(health.in_time_fraction(), 0.5);
  EXPECT_TRUE(health.broken);

  // It comes back: one loop in time clears "broken", the share recovers.
  t = broke + kDeadline + 40s;
  loop(++tag, t, 5s);
  deliver_returns_until(t + 5s);
  health = m_monitor.health(t + 5s);
  EXPECT_FALSE(health.broken);
  EXPECT_EQ(health.in_time, 4U);
  EXPECT_EQ(health.decided, 8U);
}

TEST_F(LoopMonitorTest, MemoryIsBounded) {
  for (int i = 0; i < 1000; ++i) m_monitor.record_sent(id_of(static_cast<std::uint8_t>(i)), kStart + i * 1s);
  EXPECT_EQ(m_monitor.tracked(), 16U);
  EXPECT_EQ(m_monitor.counters().evicted, 1000U - 16U);
  // Only the last 16 ids (tags 0xD8..0xE7) are known.
  EXPECT_EQ(m_monitor.on_returned(loop_data(id_of(0xD7)), kStart + 1000s), LoopOutcome::unknown);
  EXPECT_EQ(m_monitor.on_returned(loop_data(id_of(0xD8)), kStart + 1000s), LoopOutcome::in_time);
}

TEST(LoopMonitor, PolicyIsChecked) {
  const Geometry geometry = Geometry::default_geometry();
  EXPECT_TRUE(LoopMonitor::make(geometry, key_of(1), LoopHealthPolicy{1s, 1, 1, 1}).ok());
  for (const LoopHealthPolicy& bad :
       {LoopHealthPolicy{0s, 8, 4, 16}, LoopHealthPolicy{1s, 0, 0, 16}, LoopHealthPolicy{1s, 8, 0, 16},
        LoopHealthPolicy{1s, 8, 9, 16}, LoopHealthPolicy{1s, 8, 4, 7}}) {
    auto made = LoopMonitor::make(geometry, key_of(1), bad);
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.error().code, Errc::invalid_argument);
  }
}

}  // namespace
}  // namespace tenebra::rendezvous
