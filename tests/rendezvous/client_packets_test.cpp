#include "tenebra/rendezvous/client_packets.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tenebra/mix/node_key.hpp"
#include "tenebra/mix/sphinx.hpp"
#include "tenebra/router/provider_protocol.hpp"

namespace tenebra::rendezvous {
namespace {

using router::node_id;
using router::directory::Descriptor;
using router::directory::Role;
using router::directory::Topology;
namespace sphinx = mix::sphinx;
namespace provider = router::provider;

// A topology whose nodes' Sphinx secrets the test keeps, so packets can be
// unwrapped hop by hop (as tests/router/route_test.cpp does). Descriptors
// are not signed: building packets never checks signatures.
struct Network {
  Topology topology;
  std::map<sphinx::NodeId, sphinx::NodeKeyPair> keys;

  // 0 for a provider, k for a mix of layer k, -1 if unknown.
  int layer_of(const sphinx::NodeId& id) const {
    for (const auto& p : topology.providers) {
      if (node_id(p) == id) return 0;
    }
    for (const auto& layer : topology.layers) {
      for (const auto& m : layer) {
        if (node_id(m) == id) return m.layer;
      }
    }
    return -1;
  }
};

Descriptor make_node(Network& net, Random& rng, Role role, std::uint8_t layer) {
  Descriptor d;
  rng.fill(d.identity);
  d.role = role;
  d.layer = layer;
  d.epoch = 7;
  auto current = sphinx::NodeKeyPair::generate(rng);
  d.sphinx_current = current.public_key;
  net.keys.emplace(node_id(d), std::move(current));
  return d;
}

Network make_network(std::size_t per_list) {
  DeterministicRandom rng(1);
  Network net;
  net.topology.network_id = "test";
  net.topology.epoch = 7;
  net.topology.rates.delay = router::directory::Rate::from_micro_hz(1'000'000);
  for (std::size_t i = 0; i < per_list; ++i) net.topology.providers.push_back(make_node(net, rng, Role::provider, 0));
  for (std::uint8_t k = 1; k <= router::directory::kMixLayers; ++k) {
    for (std::size_t i = 0; i < per_list; ++i) net.topology.layers[k - 1].push_back(make_node(net, rng, Role::mix, k));
  }
  return net;
}

struct Walk {
  std::vector<sphinx::NodeId> visited;
  std::optional<sphinx::Deliver> deliver;
  std::optional<sphinx::Reply> reply;
};

// Hands `packet` to `first` and unwraps it at every node it reaches.
Walk walk(const Network& net, sphinx::NodeId first, Bytes packet) {
  Walk out;
  sphinx::NodeId at = first;
  for (std::size_t step = 0; step < sphinx::kMaxMaxHops; ++step) {
    out.visited.push_back(at);
    auto unwrapped = sphinx::unwrap(net.topology.geometry, net.keys.at(at), packet);
    if (auto* forward = std::get_if<sphinx::Forward>(&unwrapped.action)) {
      at = forward->next_hop;
      packet = std::move(forward->packet);
      continue;
    }
    if (auto* deliver = std::get_if<sphinx::Deliver>(&unwrapped.action)) out.deliver = std::move(*deliver);
    if (auto* reply = std::get_if<sphinx::Reply>(&unwrapped.action)) out.reply = std::move(*reply);
    break;
  }
  return out;
}

// entry, one mix of each layer in order, then `last`.
void expect_client_path(const Network& net, const Walk& w, const Descriptor& entry, const Descriptor& last) {
  ASSERT_EQ(w.visited.size(), router::directory::kPathHops);
  EXPECT_EQ(w.visited.front(), node_id(entry));
  for (int k = 1; k <= 3; ++k) EXPECT_EQ(net.layer_of(w.visited[static_cast<std::size_t>(k)]), k);
  EXPECT_EQ(w.visited.back(), node_id(last));
}

sphinx::MailboxId mailbox(std::uint8_t tag) {
  sphinx::MailboxId id{};
  id.fill(tag);
  return id;
}

class ClientPacketsTest : public ::testing::Test {
 protected:
  const Network m_net = make_network(3);
  const Topology& m_topology = m_net.topology;
  const Descriptor& m_entry = m_topology.providers[0];
  DeterministicRandom m_rng{5};
};

TEST_F(ClientPacketsTest, StoreReachesTheMailboxThroughEveryLayer) {
  const Descriptor& destination = m_topology.providers[2];
  const Bytes data = {'f', 'r', 'a', 'g'};
  auto out = make_store_packet(m_topology, m_entry, destination, mailbox(0x33), data, m_rng).value();
  EXPECT_EQ(out.first_hop, node_id(m_entry));
  EXPECT_EQ(out.packet.size(), m_topology.geometry.packet_bytes());

  const Walk w = walk(m_net, out.first_hop, out.packet);
  expect_client_path(m_net, w, m_entry, destination);
  ASSERT_TRUE(w.deliver.has_value());
  EXPECT_EQ(w.deliver->mailbox, mailbox(0x33));
  auto request = provider::decode_provider_payload(m_topology.geometry, w.deliver->payload).value();
  ASSERT_TRUE(std::holds_alternative<provider::StoreRequest>(request));
  EXPECT_EQ(std::get<provider::StoreRequest>(request).data, data);
}

TEST_F(ClientPacketsTest, FetchRepliesComeBackToTheReplyMailboxAndOpen) {
  const Descriptor& host = m_topology.providers[1];
  const std::size_t surbs = provider::max_fetch_surbs(m_topology.geometry);
  auto fetch = make_fetch_packet(m_topology, m_entry, host, mailbox(0x44), mailbox(0x55), surbs, 9, m_rng).value();
  EXPECT_EQ(fetch.packet.first_hop, node_id(m_entry));
  EXPECT_EQ(fetch.packet.packet.size(), m_topology.geometry.packet_bytes());
  ASSERT_EQ(fetch.surb_keys.size(), surbs);

  const Walk w = walk(m_net, fetch.packet.first_hop, fetch.packet.packet);
  expect_client_path(m_net, w, m_entry, host);
  ASSERT_TRUE(w.deliver.has_value());
  EXPECT_EQ(w.deliver->mailbox, mailbox(0x44));
  auto request = provider::decode_provider_payload(m_topology.geometry, w.deliver->payload).value();
  ASSERT_TRUE(std::holds_alternative<provider::FetchRequest>(request));
  const auto& fetch_request = std::get<provider::FetchRequest>(request);
  EXPECT_EQ(fetch_request.max_items, 9);
  ASSERT_EQ(fetch_request.surbs.size(), surbs);

  // The provider answers through each SURB; each reply crosses the three
  // layers to the entry provider's reply mailbox and opens with its keys.
  for (std::size_t i = 0; i < surbs; ++i) {
    const auto& surb = fetch_request.surbs[i];
    EXPECT_EQ(m_net.layer_of(surb.first_hop), 1);
    const Bytes answer(m_topology.geometry.payload_bytes(), static_cast<std::uint8_t>(0x60 + i));
    auto reply_packet = sphinx::create_surb_reply(m_topology.geometry, surb, answer).value();
    const Walk back = walk(m_net, surb.first_hop, reply_packet);
    ASSERT_EQ(back.visited.size(), 4U);
    EXPECT_EQ(back.visited.back(), node_id(m_entry));
    ASSERT_TRUE(back.reply.has_value());
    EXPECT_EQ(back.reply->mailbox, mailbox(0x55));
    EXPECT_EQ(back.reply->surb_id, fetch.surb_keys[i].id);
    EXPECT_EQ(sphinx::open_surb_reply(m_topology.geometry, fetch.surb_keys[i], back.reply->payload_block).value(),
              answer);
  }
}

TEST_F(ClientPacketsTest, FetchSurbCountIsBounded) {
  const Descriptor& host = m_topology.providers[1];
  const std::size_t most = provider::max_fetch_surbs(m_topology.geometry);
  for (std::size_t count : {std::size_t{0}, most + 1}) {
    auto fetch = make_fetch_packet(m_topology, m_entry, host, mailbox(1), mailbox(2), count, 1, m_rng);
    ASSERT_FALSE(fetch.ok());
    EXPECT_EQ(fetch.error().code, Errc::invalid_argument);
  }
  EXPECT_FALSE(make_fetch_packet(m_topology, m_entry, host, mailbox(1), mailbox(2), 2, 0, m_rng).ok());
}

TEST_F(ClientPacketsTest, DropsGoToEveryProviderAndCarryTheDropPayload) {
  std::set<sphinx::NodeId> reached;
  for (int i = 0; i < 24; ++i) {
    auto out = make_drop_packet(m_topology, m_entry, m_rng).value();
    EXPECT_EQ(out.first_hop, node_id(m_entry));
    EXPECT_EQ(out.packet.size(), m_topology.geometry.packet_bytes());
    const Walk w = walk(m_net, out.first_hop, out.packet);
    ASSERT_EQ(w.visited.size(), router::directory::kPathHops);
    EXPECT_EQ(m_net.layer_of(w.visited.back()), 0);
    ASSERT_TRUE(w.deliver.has_value());
    EXPECT_EQ(w.deliver->payload, provider::make_drop_payload(m_topology.geometry));
    reached.insert(w.visited.back());
  }
  // 24 uniform picks among 3 providers miss one with probability < 1e-4;
  // with this seed all three are reached.
  EXPECT_EQ(reached.size(), m_topology.providers.size());
}

TEST_F(ClientPacketsTest, LoopsComeBackToTheClientsOwnLoopMailbox) {
  const LoopKey key = LoopKey(std::span<const std::uint8_t, 32>(std::array<std::uint8_t, 32>{1, 2, 3}));
  auto loop = make_loop_packet(m_topology, m_entry, mailbox(0x77), key, m_rng).value();
  EXPECT_EQ(loop.packet.first_hop, node_id(m_entry));
  EXPECT_EQ(loop.packet.packet.size(), m_topology.geometry.packet_bytes());

  const Walk w = walk(m_net, loop.packet.first_hop, loop.packet.packet);
  expect_client_path(m_net, w, m_entry, m_entry);
  ASSERT_TRUE(w.deliver.has_value());
  EXPECT_EQ(w.deliver->mailbox, mailbox(0x77));
  // At the provider it is a full-size STORE like any fragment...
  auto request = provider::decode_provider_payload(m_topology.geometry, w.deliver->payload).value();
  ASSERT_TRUE(std::holds_alternative<provider::StoreRequest>(request));
  const Bytes& data = std::get<provider::StoreRequest>(request).data;
  EXPECT_EQ(data.size(), provider::max_store_bytes(m_topology.geometry));
  // ...that only the client's key recognises, as the loop it sent.
  EXPECT_EQ(open_loop_data(m_topology.geometry, key, data).value(), loop.id);
  const LoopKey other = LoopKey(std::span<const std::uint8_t, 32>(std::array<std::uint8_t, 32>{9}));
  EXPECT_FALSE(open_loop_data(m_topology.geometry, other, data).ok());

  // Fresh ids each time.
  auto second = make_loop_packet(m_topology, m_entry, mailbox(0x77), key, m_rng).value();
  EXPECT_NE(second.id, loop.id);
}

TEST_F(ClientPacketsTest, SameSeedSameBytes) {
  DeterministicRandom a(9);
  DeterministicRandom b(9);
  EXPECT_EQ(make_drop_packet(m_topology, m_entry, a).value().packet,
            make_drop_packet(m_topology, m_entry, b).value().packet);
}

TEST_F(ClientPacketsTest, EntryAndProvidersMustBelongToTheTopology) {
  Descriptor stale = m_entry;
  stale.sphinx_current[0] ^= 0x01;  // another epoch's key
  Descriptor stranger = m_entry;
  stranger.identity[0] ^= 0x01;
  const Descriptor& a_mix = m_topology.layers[0][0];
  for (const Descriptor* bad : std::initializer_list<const Descriptor*>{&stale, &stranger, &a_mix}) {
    auto drop = make_drop_packet(m_topology, *bad, m_rng);
    ASSERT_FALSE(drop.ok());
    EXPECT_EQ(drop.error().code, Errc::not_found);
    auto store = make_store_packet(m_topology, m_entry, *bad, mailbox(1), Bytes{1}, m_rng);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.error().code, Errc::not_found);
  }
  const LoopKey key;
  EXPECT_FALSE(make_loop_packet(m_topology, stale, mailbox(1), key, m_rng).ok());
  EXPECT_FALSE(make_fetch_packet(m_topology, m_entry, stranger, mailbox(1), mailbox(2), 2, 1, m_rng).ok());
  // Data that does not fit one STORE.
  const Bytes too_big(provider::max_store_bytes(m_topology.geometry) + 1, 1);
  EXPECT_FALSE(make_store_packet(m_topology, m_entry, m_entry, mailbox(1), too_big, m_rng).ok());
}

}  // namespace
}  // namespace tenebra::rendezvous
