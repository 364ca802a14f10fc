#include "tenebra/router/route.hpp"

#include <gtest/gtest.h>

#include <map>

#include "directory_vectors_fixtures.hpp"
#include "tenebra/mix/node_key.hpp"
#include "tenebra/mix/sphinx.hpp"
#include "tenebra/mix/surb.hpp"

namespace tenebra::router {
namespace {

using directory::Descriptor;
using directory::Role;
using directory::Topology;
namespace fixtures = directory::testing;
namespace sphinx = mix::sphinx;

constexpr directory::Epoch kEpoch = 7;

// A signed topology whose nodes' Sphinx secrets the test keeps, so packets
// can be unwrapped hop by hop.
struct Network {
  Topology topology;
  std::map<sphinx::NodeId, sphinx::NodeKeyPair> keys;

  const sphinx::NodeKeyPair& key_of(const sphinx::NodeId& id) const { return keys.at(id); }
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

Descriptor make_node(Network& net, Random& rng, Role role, std::uint8_t layer, std::size_t index) {
  auto identity = IdentityKeyPair::generate(rng);
  auto current = sphinx::NodeKeyPair::generate(rng);
  Descriptor d;
  d.role = role;
  d.layer = layer;
  d.address = fixtures::address_for(directory::TransportKind::onion, index);
  d.epoch = kEpoch;
  d.sphinx_current = current.public_key;
  d.sphinx_next = sphinx::NodeKeyPair::generate(rng).public_key;
  d = directory::sign_descriptor(d, identity).value();
  net.keys.emplace(node_id(d), std::move(current));
  return d;
}

Network make_network(std::size_t per_list, std::uint64_t seed = 1) {
  DeterministicRandom rng(seed);
  Network net;
  net.topology = fixtures::make_topology(kEpoch, 1);
  net.topology.providers.clear();
  for (std::size_t i = 0; i < per_list; ++i)
    net.topology.providers.push_back(make_node(net, rng, Role::provider, 0, i));
  fixtures::sort_by_identity(net.topology.providers);
  for (std::uint8_t k = 1; k <= directory::kMixLayers; ++k) {
    auto& layer = net.topology.layers[k - 1];
    layer.clear();
    for (std::size_t i = 0; i < per_list; ++i) layer.push_back(make_node(net, rng, Role::mix, k, i));
    fixtures::sort_by_identity(layer);
  }
  return net;
}

struct Walk {
  std::vector<sphinx::NodeId> visited;
  std::vector<sphinx::Delay> delays;
  std::optional<sphinx::Deliver> deliver;
  std::optional<sphinx::Reply> reply;
};

// Sends `packet` to `first` and unwraps it at every node it reaches.
Walk walk(const Network& net, sphinx::NodeId first, Bytes packet) {
  Walk out;
  sphinx::NodeId at = first;
  for (std::size_t step = 0; step < sphinx::kMaxMaxHops; ++step) {
    out.visited.push_back(at);
    auto unwrapped = sphinx::unwrap(net.topology.geometry, net.key_of(at), packet);
    if (auto* forward = std::get_if<sphinx::Forward>(&unwrapped.action)) {
      out.delays.push_back(forward->delay);
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

sphinx::MailboxId mailbox(std::uint8_t tag) {
  sphinx::MailboxId id{};
  id.fill(tag);
  return id;
}

TEST(Route, ClientPacketTravelsExactlyItsPath) {
  const Network net = make_network(3);
  DeterministicRandom rng(5);
  const Descriptor& entry = net.topology.providers[0];
  const Descriptor& destination = net.topology.providers[2];
  auto path = client_path(net.topology, entry, destination, sphinx::DeliverCommand{mailbox(0x33)}, rng);
  ASSERT_TRUE(path.ok()) << path.error().message;
  ASSERT_EQ(path->hops.size(), directory::kPathHops);
  EXPECT_EQ(path->first_hop, node_id(entry));
  const Bytes payload(net.topology.geometry.payload_bytes(), 0x5A);
  auto packet = sphinx::create_packet(net.topology.geometry, path->hops, payload, rng);
  ASSERT_TRUE(packet.ok());

  const Walk w = walk(net, path->first_hop, *packet);
  ASSERT_EQ(w.visited.size(), directory::kPathHops);
  EXPECT_EQ(w.visited.front(), node_id(entry));
  EXPECT_EQ(w.visited.back(), node_id(destination));
  for (int k = 1; k <= 3; ++k) EXPECT_EQ(net.layer_of(w.visited[k]), k);
  for (std::size_t i = 0; i < w.delays.size(); ++i) {
    EXPECT_EQ(w.delays[i], std::get<sphinx::RelayCommand>(path->hops[i].command).delay);
  }
  ASSERT_TRUE(w.deliver.has_value());
  EXPECT_EQ(w.deliver->mailbox, mailbox(0x33));
  EXPECT_EQ(w.deliver->payload, payload);
}

TEST(Route, SameSeedSamePathAndMixesAreUniform) {
  const Network net = make_network(3);
  DeterministicRandom a(9);
  DeterministicRandom b(9);
  const auto& p = net.topology.providers;
  auto first = client_path(net.topology, p[0], p[1], sphinx::DeliverCommand{}, a).value();
  auto second = client_path(net.topology, p[0], p[1], sphinx::DeliverCommand{}, b).value();
  for (std::size_t i = 0; i < first.hops.size(); ++i) {
    EXPECT_EQ(first.hops[i].node_key, second.hops[i].node_key);
    EXPECT_EQ(first.hops[i].command, second.hops[i].command);
  }

  std::map<const Descriptor*, int> picks;
  constexpr int kDraws = 3000;
  for (int i = 0; i < kDraws; ++i) {
    const Route route = choose_mixes(net.topology, a).value();
    for (std::size_t k = 0; k < directory::kMixLayers; ++k) {
      ASSERT_EQ(route.mixes[k]->layer, k + 1);
      ++picks[route.mixes[k]];
    }
  }
  ASSERT_EQ(picks.size(), 9U);
  for (const auto& [mix, count] : picks) EXPECT_NEAR(count, kDraws / 3.0, kDraws / 10.0);
}

TEST(Route, DelaysAreExponentialWithMeanOneOverMu) {
  Network net = make_network(2);
  net.topology.rates.delay = directory::Rate::from_micro_hz(2'500'000);  // mu = 2.5/s
  EXPECT_EQ(mean_hop_delay(net.topology).value(), std::chrono::milliseconds(400));
  DeterministicRandom rng(3);
  const auto& p = net.topology.providers;
  double sum = 0;
  std::size_t count = 0;
  for (int i = 0; i < 2000; ++i) {
    auto path = client_path(net.topology, p[0], p[1], sphinx::DeliverCommand{}, rng).value();
    for (std::size_t h = 0; h + 1 < path.hops.size(); ++h) {
      sum += std::get<sphinx::RelayCommand>(path.hops[h].command).delay.count();
      ++count;
    }
  }
  EXPECT_EQ(count, 8000U);  // the entry provider's hop is delayed too
  EXPECT_NEAR(sum / static_cast<double>(count), 400.0, 20.0);

  net.topology.rates.delay = directory::Rate::from_micro_hz(0);
  EXPECT_EQ(client_path(net.topology, p[0], p[1], sphinx::DeliverCommand{}, rng).error().code, Errc::invalid_argument);
}

TEST(Route, RefusesWrongRolesAndCommands) {
  const Network net = make_network(2);
  DeterministicRandom rng(1);
  const auto& p = net.topology.providers;
  const auto& mix1 = net.topology.layers[0][0];
  EXPECT_FALSE(client_path(net.topology, mix1, p[0], sphinx::DeliverCommand{}, rng).ok());
  EXPECT_FALSE(client_path(net.topology, p[0], mix1, sphinx::DeliverCommand{}, rng).ok());
  EXPECT_FALSE(client_path(net.topology, p[0], p[1], sphinx::RelayCommand{}, rng).ok());
  EXPECT_FALSE(mix_loop_packet(net.topology, p[0], mailbox(1), rng).ok());
  EXPECT_FALSE(reply_surb(net.topology, mix1, mailbox(1), sphinx::SurbId{}, rng).ok());
  Topology empty_layer = net.topology;
  empty_layer.layers[1].clear();
  EXPECT_FALSE(choose_mixes(empty_layer, rng).ok());
}

TEST(Route, ReplySurbLeadsToTheMailbox) {
  const Network net = make_network(2);
  DeterministicRandom rng(17);
  const Descriptor& provider = net.topology.providers[1];
  sphinx::SurbId id{};
  id.fill(0x77);
  auto surb = reply_surb(net.topology, provider, mailbox(0x44), id, rng);
  ASSERT_TRUE(surb.ok()) << surb.error().message;
  EXPECT_EQ(net.layer_of(surb->surb.first_hop), 1);
  const Bytes answer = Bytes(100, 0x42);
  auto packet = sphinx::create_surb_reply(net.topology.geometry, surb->surb, answer);
  ASSERT_TRUE(packet.ok());

  const Walk w = walk(net, surb->surb.first_hop, *packet);
  ASSERT_EQ(w.visited.size(), 4U);
  EXPECT_EQ(net.layer_of(w.visited[1]), 2);
  EXPECT_EQ(net.layer_of(w.visited[2]), 3);
  EXPECT_EQ(w.visited[3], node_id(provider));
  ASSERT_TRUE(w.reply.has_value());
  EXPECT_EQ(w.reply->mailbox, mailbox(0x44));
  EXPECT_EQ(w.reply->surb_id, id);
  auto opened = sphinx::open_surb_reply(net.topology.geometry, surb->keys, w.reply->payload_block);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(std::equal(answer.begin(), answer.end(), opened->begin()));
}

TEST(Route, MixLoopComesBackFromEveryLayer) {
  const Network net = make_network(2);
  DeterministicRandom rng(23);
  for (std::uint8_t k = 1; k <= directory::kMixLayers; ++k) {
    const Descriptor& self = net.topology.layers[k - 1][1];
    auto loop = mix_loop_packet(net.topology, self, mailbox(0xEE), rng);
    ASSERT_TRUE(loop.ok()) << loop.error().message;
    ASSERT_EQ(loop->packet.size(), net.topology.geometry.packet_bytes());
    const Walk w = walk(net, loop->first_hop, loop->packet);
    // Layers k+1..3, a provider, layers 1..k-1, then self: four hops.
    std::vector<int> expected;
    for (int j = k + 1; j <= 3; ++j) expected.push_back(j);
    expected.push_back(0);
    for (int j = 1; j < k; ++j) expected.push_back(j);
    ASSERT_EQ(w.visited.size(), expected.size() + 1) << "layer " << int(k);
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(net.layer_of(w.visited[i]), expected[i]);
    EXPECT_EQ(w.visited.back(), node_id(self));
    ASSERT_TRUE(w.deliver.has_value());
    EXPECT_EQ(w.deliver->mailbox, mailbox(0xEE));
    EXPECT_TRUE(is_all_zero(w.deliver->payload));
  }
}

}  // namespace
}  // namespace tenebra::router
