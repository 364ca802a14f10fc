#include "tenebra/mix/sphinx.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "sphinx_test_util.hpp"
#include "tenebra/mix/replay_cache.hpp"

namespace tenebra::mix::sphinx {
namespace {

using testing::mailbox_from;
using testing::make_nodes;
using testing::make_path;

Bytes random_payload(Random& rng, std::size_t size) {
  Bytes payload(size);
  rng.fill(payload);
  return payload;
}

const Forward& expect_forward(const Unwrapped& u) {
  EXPECT_TRUE(std::holds_alternative<Forward>(u.action))
      << (u.dropped() ? drop_reason_name(std::get<Drop>(u.action).reason) : "not a forward");
  return std::get<Forward>(u.action);
}

DropReason drop_reason(const Unwrapped& u) {
  EXPECT_TRUE(u.dropped());
  return u.dropped() ? std::get<Drop>(u.action).reason : DropReason::bad_length;
}

class SphinxRoundTrip : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SphinxRoundTrip, EveryHopSeesItsCommandAndTheLastDelivers) {
  const auto geometry = Geometry::default_geometry();
  const std::size_t hops = GetParam();
  DeterministicRandom rng(100 + hops);
  const auto nodes = make_nodes(hops, rng);
  const auto mailbox = mailbox_from(rng);
  const auto path = make_path(nodes, DeliverCommand{mailbox});
  const Bytes payload = random_payload(rng, geometry.payload_bytes());

  auto packet = create_packet(geometry, path, payload, rng);
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  ASSERT_EQ(packet->size(), geometry.packet_bytes());

  Bytes current = *packet;
  for (std::size_t i = 0; i + 1 < hops; ++i) {
    const auto out = unwrap(geometry, nodes[i].keys, current);
    ASSERT_TRUE(out.tag.has_value());
    const auto& fwd = expect_forward(out);
    EXPECT_EQ(fwd.next_hop, nodes[i + 1].id);
    EXPECT_EQ(fwd.delay.count(), 10 * (i + 1));
    ASSERT_EQ(fwd.packet.size(), geometry.packet_bytes());
    current = fwd.packet;
  }
  const auto last = unwrap(geometry, nodes.back().keys, current);
  ASSERT_TRUE(std::holds_alternative<Deliver>(last.action));
  const auto& deliver = std::get<Deliver>(last.action);
  EXPECT_EQ(deliver.mailbox, mailbox);
  EXPECT_EQ(deliver.payload, payload);
}

INSTANTIATE_TEST_SUITE_P(PathLengths, SphinxRoundTrip, ::testing::Range<std::size_t>(1, kDefaultMaxHops + 1));

TEST(Sphinx, ShortPayloadIsZeroPaddedAndTooLongRefused) {
  const auto geometry = Geometry::default_geometry();
  DeterministicRandom rng(7);
  const auto nodes = make_nodes(2, rng);
  const auto path = make_path(nodes, DeliverCommand{});
  const Bytes hello{'h', 'i'};
  auto packet = create_packet(geometry, path, hello, rng);
  ASSERT_TRUE(packet.ok());
  auto out = unwrap(geometry, nodes[1].keys, expect_forward(unwrap(geometry, nodes[0].keys, *packet)).packet);
  const auto& payload = std::get<Deliver>(out.action).payload;
  ASSERT_EQ(payload.size(), geometry.payload_bytes());
  EXPECT_EQ(payload[0], 'h');
  EXPECT_EQ(payload[1], 'i');
  EXPECT_TRUE(is_all_zero(ByteView(payload).subspan(2)));

  const Bytes too_long(geometry.payload_bytes() + 1, 1);
  auto refused = create_packet(geometry, path, too_long, rng);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
}

TEST(Sphinx, InvalidPathsAreRefused) {
  const auto geometry = Geometry::default_geometry();
  DeterministicRandom rng(8);
  const auto nodes = make_nodes(kDefaultMaxHops + 1, rng);
  const Bytes payload{1};
  EXPECT_FALSE(create_packet(geometry, std::span<const PathHop>{}, payload, rng).ok());
  EXPECT_FALSE(create_packet(geometry, make_path(nodes, DeliverCommand{}), payload, rng).ok());  // 6 hops

  auto path = make_path(std::span(nodes).first(3), DeliverCommand{});
  path[1].command = DeliverCommand{};  // final command before the end
  EXPECT_FALSE(create_packet(geometry, path, payload, rng).ok());
  path[1].command = RelayCommand{};
  path[2].command = RelayCommand{};  // no final command
  EXPECT_FALSE(create_packet(geometry, path, payload, rng).ok());
  path[2].command = SurbReplyCommand{};  // SURB replies are made by create_surb
  EXPECT_FALSE(create_packet(geometry, path, payload, rng).ok());
  path[2].command = DeliverCommand{};
  path[0].node_key = PublicKey{};  // a low-order point is not a node key
  EXPECT_FALSE(create_packet(geometry, path, payload, rng).ok());
}

struct FivePacket {
  Geometry geometry = Geometry::default_geometry();
  DeterministicRandom rng{55};
  std::vector<testing::TestNode> nodes = make_nodes(kDefaultMaxHops, rng);
  MailboxId mailbox = mailbox_from(rng);
  Bytes payload = random_payload(rng, geometry.payload_bytes());
  std::vector<Bytes> at_hop;  // the packet as hop i receives it

  FivePacket() {
    const auto path = make_path(nodes, DeliverCommand{mailbox});
    at_hop.push_back(create_packet(geometry, path, payload, rng).value());
    for (std::size_t i = 0; i + 1 < nodes.size(); ++i) {
      at_hop.push_back(std::get<Forward>(unwrap(geometry, nodes[i].keys, at_hop.back()).action).packet);
    }
  }

  // Runs a packet from hop `from` to the end; the final action.
  Unwrapped run_from(std::size_t from, Bytes packet) const {
    for (std::size_t i = from; i < nodes.size(); ++i) {
      auto out = unwrap(geometry, nodes[i].keys, packet);
      if (!std::holds_alternative<Forward>(out.action)) return out;
      packet = std::get<Forward>(out.action).packet;
    }
    return {};
  }
};

TEST(Sphinx, EveryFlippedHeaderByteIsDroppedAtTheHopThatSeesIt) {
  const FivePacket p;
  for (std::size_t hop = 0; hop < p.nodes.size(); ++hop) {
    for (std::size_t byte = 0; byte < p.geometry.header_bytes(); ++byte) {
      Bytes tampered = p.at_hop[hop];
      tampered[byte] ^= 0x01;
      const auto out = unwrap(p.geometry, p.nodes[hop].keys, tampered);
      ASSERT_TRUE(out.dropped()) << "hop " << hop << " byte " << byte;
      const auto reason = std::get<Drop>(out.action).reason;
      ASSERT_TRUE(reason == DropReason::bad_mac || reason == DropReason::bad_version ||
                  reason == DropReason::bad_group_element)
          << drop_reason_name(reason);
    }
  }
}

TEST(Sphinx, AnyFlippedPayloadByteFailsIntegrityAtTheEnd) {
  const FivePacket p;
  const std::size_t start = p.geometry.header_bytes();
  for (std::size_t hop = 0; hop < p.nodes.size(); ++hop) {
    // Every byte at the entry hop, a spread of bytes further on.
    const std::size_t stride = hop == 0 ? 1 : 97;
    for (std::size_t byte = start; byte < p.geometry.packet_bytes(); byte += stride) {
      Bytes tampered = p.at_hop[hop];
      tampered[byte] ^= 0x80;
      const auto out = p.run_from(hop, tampered);
      ASSERT_TRUE(out.dropped()) << "hop " << hop << " byte " << byte;
      ASSERT_EQ(std::get<Drop>(out.action).reason, DropReason::bad_payload);
    }
  }
}

TEST(Sphinx, ReplayGivesTheSameTagAndTheCacheDropsIt) {
  const FivePacket p;
  DeterministicRandom rng(9);
  auto cache = ReplayCache::make({.capacity = 1000, .false_positive_rate = 1e-9}, rng).value();
  for (std::size_t hop = 0; hop < p.nodes.size(); ++hop) {
    const auto first = unwrap(p.geometry, p.nodes[hop].keys, p.at_hop[hop], cache.get());
    ASSERT_FALSE(first.dropped());
    const auto again = unwrap(p.geometry, p.nodes[hop].keys, p.at_hop[hop], cache.get());
    ASSERT_EQ(drop_reason(again), DropReason::replay);
    EXPECT_EQ(first.tag, again.tag);
  }
  EXPECT_EQ(cache->replays_detected(), p.nodes.size());
}

TEST(Sphinx, WrongNodeKeyIsDropped) {
  const FivePacket p;
  EXPECT_EQ(drop_reason(unwrap(p.geometry, p.nodes[1].keys, p.at_hop[0])), DropReason::bad_mac);
  DeterministicRandom rng(10);
  const auto stranger = NodeKeyPair::generate(rng);
  EXPECT_EQ(drop_reason(unwrap(p.geometry, stranger, p.at_hop[0])), DropReason::bad_mac);
}

TEST(Sphinx, TruncatedOversizedAndGarbageInputIsDropped) {
  const FivePacket p;
  const auto& keys = p.nodes[0].keys;
  const Bytes& good = p.at_hop[0];
  EXPECT_EQ(drop_reason(unwrap(p.geometry, keys, Bytes{})), DropReason::bad_length);
  EXPECT_EQ(drop_reason(unwrap(p.geometry, keys, ByteView(good).first(good.size() - 1))), DropReason::bad_length);
  Bytes longer = good;
  longer.push_back(0);
  EXPECT_EQ(drop_reason(unwrap(p.geometry, keys, longer)), DropReason::bad_length);

  DeterministicRandom rng(11);
  for (int i = 0; i < 200; ++i) {
    Bytes garbage(good.size());
    rng.fill(garbage);
    garbage[0] = kPacketVersion;
    const auto out = unwrap(p.geometry, keys, garbage);
    ASSERT_TRUE(out.dropped());
    const auto reason = std::get<Drop>(out.action).reason;
    ASSERT_TRUE(reason == DropReason::bad_mac || reason == DropReason::bad_group_element);
  }
  Bytes wrong_version = good;
  wrong_version[0] = 0x02;
  EXPECT_EQ(drop_reason(unwrap(p.geometry, keys, wrong_version)), DropReason::bad_version);
}

TEST(Sphinx, LowOrderGroupElementIsDropped) {
  const FivePacket p;
  Bytes packet = p.at_hop[0];
  std::fill(packet.begin() + 1, packet.begin() + 1 + kGroupElementBytes, 0);  // u = 0
  const auto out = unwrap(p.geometry, p.nodes[0].keys, packet);
  EXPECT_EQ(drop_reason(out), DropReason::bad_group_element);
  EXPECT_FALSE(out.tag.has_value());
}

TEST(Sphinx, HopInputAndOutputHeadersShareNoRunOfEightBytes) {
  const FivePacket p;
  constexpr std::size_t kRun = 8;
  for (std::size_t hop = 0; hop + 1 < p.at_hop.size(); ++hop) {
    const ByteView in = ByteView(p.at_hop[hop]).first(p.geometry.header_bytes());
    const ByteView out = ByteView(p.at_hop[hop + 1]).first(p.geometry.header_bytes());
    for (std::size_t i = 0; i + kRun <= in.size(); ++i) {
      const auto window = in.subspan(i, kRun);
      const auto found = std::search(out.begin(), out.end(), window.begin(), window.end());
      ASSERT_EQ(found, out.end()) << "hop " << hop << " input offset " << i;
    }
  }
}

TEST(Sphinx, SmallGeometryRoundTrip) {
  const auto geometry = Geometry::make(3, kMinPayloadBytes).value();
  DeterministicRandom rng(12);
  const auto nodes = make_nodes(3, rng);
  const auto mailbox = mailbox_from(rng);
  const Bytes payload = random_payload(rng, geometry.payload_bytes());
  auto packet = create_packet(geometry, make_path(nodes, DeliverCommand{mailbox}), payload, rng).value();
  EXPECT_EQ(packet.size(), geometry.packet_bytes());
  for (std::size_t i = 0; i < 2; ++i) packet = expect_forward(unwrap(geometry, nodes[i].keys, packet)).packet;
  const auto out = unwrap(geometry, nodes[2].keys, packet);
  ASSERT_TRUE(std::holds_alternative<Deliver>(out.action));
  EXPECT_EQ(std::get<Deliver>(out.action).payload, payload);
  // A packet of one geometry is refused by a node running another.
  EXPECT_EQ(drop_reason(unwrap(Geometry::default_geometry(), nodes[0].keys, packet)), DropReason::bad_length);
}

TEST(Geometry, BoundsAreChecked) {
  EXPECT_FALSE(Geometry::make(0, 2048).ok());
  EXPECT_FALSE(Geometry::make(kMaxMaxHops + 1, 2048).ok());
  EXPECT_FALSE(Geometry::make(5, kMinPayloadBytes - 1).ok());
  EXPECT_FALSE(Geometry::make(5, kMaxPayloadBytes + 1).ok());
  const auto g = Geometry::default_geometry();
  EXPECT_EQ(g.routing_bytes(), 5 * kSlotBytes);
  EXPECT_EQ(g.header_bytes(), 1 + 32 + 5 * 82 + 32);
  EXPECT_EQ(g.packet_bytes(), g.header_bytes() + 16 + 2048);
}

}  // namespace
}  // namespace tenebra::mix::sphinx
