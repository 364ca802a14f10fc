#include "tenebra/mix/mix_node.hpp"

#include <gtest/gtest.h>

#include "sphinx_test_util.hpp"

namespace tenebra::mix {
namespace {

using namespace std::chrono_literals;
using sphinx::testing::make_nodes;
using sphinx::testing::make_path;

const TimePoint kStart{std::chrono::seconds(1000)};

sphinx::NodeKeyPair copy_of(const sphinx::NodeKeyPair& key) {
  auto copy = sphinx::NodeKeyPair::from_secret(key.secret.view());
  EXPECT_TRUE(copy.ok());
  return std::move(*copy);
}

class MixNodeTest : public ::testing::Test {
 protected:
  // A 3-node path: [this node] -> next -> provider; this node's command is
  // a relay to `next` with a 10 ms delay.
  Bytes packet_for(const sphinx::NodeKeyPair& first_key, const sphinx::Command& last = sphinx::DeliverCommand{}) {
    auto path = make_path(m_nodes, last);
    path[0].node_key = first_key.public_key;
    Bytes payload(m_geometry.payload_bytes(), 0x42);
    auto packet = sphinx::create_packet(m_geometry, path, payload, m_rng);
    EXPECT_TRUE(packet.ok());
    return packet.ok() ? *packet : Bytes{};
  }

  sphinx::NodeKeyPair key() { return sphinx::NodeKeyPair::generate(m_rng); }

  DeterministicRandom m_rng{3};
  sphinx::Geometry m_geometry = sphinx::Geometry::default_geometry();
  std::vector<sphinx::testing::TestNode> m_nodes = make_nodes(3, m_rng);
  MixNodeConfig m_config{.replay = ReplayCacheConfig{.capacity = 1000, .false_positive_rate = 1e-6},
                         .loop_mailbox = std::nullopt};
};

TEST_F(MixNodeTest, HoldsForTheSendersDelayThenForwards) {
  MixNode node(m_config, m_rng);
  auto current = key();
  const Bytes packet = packet_for(current);
  node.rotate(std::move(current), std::nullopt);
  auto outcome = node.accept(packet, kStart);
  ASSERT_TRUE(std::holds_alternative<Queued>(outcome));
  EXPECT_EQ(std::get<Queued>(outcome).release, kStart + 10ms);
  EXPECT_TRUE(node.due(kStart + 9ms, 10).empty());
  EXPECT_EQ(node.next_release(), kStart + 10ms);
  auto due = node.due(kStart + 10ms, 10);
  ASSERT_EQ(due.size(), 1U);
  EXPECT_EQ(due[0].next_hop, m_nodes[1].id);
  EXPECT_EQ(due[0].packet.size(), packet.size());
  EXPECT_NE(due[0].packet, packet);
  EXPECT_EQ(node.queued(), 0U);
}

TEST_F(MixNodeTest, ReplaysAreDroppedAndCounted) {
  MixNode node(m_config, m_rng);
  auto current = key();
  const Bytes packet = packet_for(current);
  node.rotate(std::move(current), std::nullopt);
  ASSERT_TRUE(std::holds_alternative<Queued>(node.accept(packet, kStart)));
  auto again = node.accept(packet, kStart + 1s);
  ASSERT_TRUE(std::holds_alternative<Dropped>(again));
  EXPECT_EQ(std::get<Dropped>(again).reason, MixDrop::replay);
  EXPECT_EQ(node.dropped(MixDrop::replay), 1U);
  EXPECT_EQ(node.queued(), 1U);
}

TEST_F(MixNodeTest, OnlyProvidersDeliver) {
  auto provider_key = key();
  sphinx::MailboxId mailbox{};
  mailbox.fill(9);
  sphinx::PathHop hop{provider_key.public_key, sphinx::DeliverCommand{mailbox}};
  const Bytes payload(m_geometry.payload_bytes(), 7);
  auto packet = sphinx::create_packet(m_geometry, std::span(&hop, 1), payload, m_rng);
  ASSERT_TRUE(packet.ok());

  MixNode mix(m_config, m_rng);
  mix.rotate(copy_of(provider_key), std::nullopt);
  auto at_mix = mix.accept(*packet, kStart);
  ASSERT_TRUE(std::holds_alternative<Dropped>(at_mix));
  EXPECT_EQ(std::get<Dropped>(at_mix).reason, MixDrop::not_for_role);

  MixNodeConfig provider_config = m_config;
  provider_config.role = NodeRole::provider;
  MixNode provider(provider_config, m_rng);
  provider.rotate(std::move(provider_key), std::nullopt);
  auto delivered = provider.accept(*packet, kStart);
  ASSERT_TRUE(std::holds_alternative<sphinx::Deliver>(delivered));
  EXPECT_EQ(std::get<sphinx::Deliver>(delivered).mailbox, mailbox);
  EXPECT_EQ(std::get<sphinx::Deliver>(delivered).payload, payload);
  EXPECT_EQ(provider.accepted(), 1U);
}

TEST_F(MixNodeTest, AMixTakesBackOnlyItsOwnLoop) {
  auto mix_key = key();
  sphinx::MailboxId loop_mailbox{};
  loop_mailbox.fill(4);
  sphinx::MailboxId other = loop_mailbox;
  other.back() ^= 1U;
  const Bytes payload(m_geometry.payload_bytes(), 0);
  auto deliver_to = [&](const sphinx::MailboxId& mailbox) {
    sphinx::PathHop hop{mix_key.public_key, sphinx::DeliverCommand{mailbox}};
    auto packet = sphinx::create_packet(m_geometry, std::span(&hop, 1), payload, m_rng);
    EXPECT_TRUE(packet.ok());
    return packet.ok() ? *packet : Bytes{};
  };
  MixNodeConfig config = m_config;
  config.loop_mailbox = loop_mailbox;
  MixNode mix(config, m_rng);
  mix.rotate(copy_of(mix_key), std::nullopt);

  auto returned = mix.accept(deliver_to(loop_mailbox), kStart);
  ASSERT_TRUE(std::holds_alternative<sphinx::Deliver>(returned));
  EXPECT_EQ(std::get<sphinx::Deliver>(returned).mailbox, loop_mailbox);
  auto foreign = mix.accept(deliver_to(other), kStart);
  ASSERT_TRUE(std::holds_alternative<Dropped>(foreign));
  EXPECT_EQ(std::get<Dropped>(foreign).reason, MixDrop::not_for_role);
}

TEST_F(MixNodeTest, PreviousEpochKeyWorksOnlyDuringGrace) {
  MixNode node(m_config, m_rng);
  auto old_key = key();
  auto new_key = key();
  const Bytes old_packet = packet_for(old_key);
  const Bytes late_packet = packet_for(old_key);
  const Bytes new_packet = packet_for(new_key);
  node.rotate(copy_of(new_key), copy_of(old_key));
  EXPECT_TRUE(std::holds_alternative<Queued>(node.accept(old_packet, kStart)));
  EXPECT_TRUE(std::holds_alternative<Queued>(node.accept(new_packet, kStart)));
  EXPECT_EQ(node.replay_caches(), 2U);
  // Grace over: the old key and its replay cache go.
  node.rotate(copy_of(new_key), std::nullopt);
  EXPECT_EQ(node.replay_caches(), 1U);
  auto late = node.accept(late_packet, kStart);
  ASSERT_TRUE(std::holds_alternative<Dropped>(late));
  EXPECT_EQ(std::get<Dropped>(late).reason, MixDrop::bad_mac);
}

TEST_F(MixNodeTest, BoundsDropAndCount) {
  MixNodeConfig config = m_config;
  config.queue_capacity = 1;
  config.max_delay = sphinx::Delay(5);
  MixNode node(config, m_rng);
  EXPECT_EQ(std::get<Dropped>(node.accept(Bytes(10, 0), kStart)).reason, MixDrop::no_key);
  auto current = key();
  const Bytes slow = packet_for(current);  // asks for 10 ms > 5 ms
  node.rotate(copy_of(current), std::nullopt);
  EXPECT_EQ(std::get<Dropped>(node.accept(slow, kStart)).reason, MixDrop::delay_too_long);

  config.max_delay = sphinx::Delay(1000);
  MixNode small(config, m_rng);
  const Bytes first = packet_for(current);
  const Bytes second = packet_for(current);
  small.rotate(std::move(current), std::nullopt);
  EXPECT_TRUE(std::holds_alternative<Queued>(small.accept(first, kStart)));
  EXPECT_EQ(std::get<Dropped>(small.accept(second, kStart)).reason, MixDrop::queue_full);
  EXPECT_EQ(small.dropped(MixDrop::queue_full), 1U);
  EXPECT_EQ(small.queued(), 1U);
}

TEST_F(MixNodeTest, GarbageIsDroppedWithAReason) {
  MixNode node(m_config, m_rng);
  node.rotate(key(), std::nullopt);
  EXPECT_EQ(std::get<Dropped>(node.accept(Bytes{}, kStart)).reason, MixDrop::bad_length);
  const Bytes noise(m_geometry.packet_bytes(), 0x5a);
  const auto outcome = node.accept(noise, kStart);
  ASSERT_TRUE(std::holds_alternative<Dropped>(outcome));
  EXPECT_NE(std::get<Dropped>(outcome).reason, MixDrop::replay);
  for (std::size_t i = 0; i < kMixDropReasons; ++i) {
    EXPECT_STRNE(mix_drop_name(static_cast<MixDrop>(i)), "unknown");
  }
}

}  // namespace
}  // namespace tenebra::mix
