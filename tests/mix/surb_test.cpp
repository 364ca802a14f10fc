#include "tenebra/mix/surb.hpp"

#include <gtest/gtest.h>

#include "sphinx_test_util.hpp"
#include "tenebra/mix/replay_cache.hpp"

namespace tenebra::mix::sphinx {
namespace {

using testing::make_nodes;
using testing::make_path;

struct SurbFixture {
  Geometry geometry = Geometry::default_geometry();
  DeterministicRandom rng{77};
  std::vector<testing::TestNode> nodes = make_nodes(kDefaultMaxHops, rng);
  MailboxId mailbox = testing::mailbox_from(rng);
  SurbId surb_id{};

  SurbAndKeys make() {
    rng.fill(surb_id);
    auto path = make_path(nodes, SurbReplyCommand{mailbox, surb_id});
    return create_surb(geometry, nodes[0].id, path, rng).value();
  }

  // Carries a reply packet along the SURB's path; the final action.
  Unwrapped carry(Bytes packet, ReplayFilter* filter = nullptr) const {
    for (const auto& node : nodes) {
      auto out = unwrap(geometry, node.keys, packet, filter);
      if (!std::holds_alternative<Forward>(out.action)) return out;
      packet = std::get<Forward>(out.action).packet;
    }
    return {};
  }
};

TEST(Surb, RoundTrip) {
  SurbFixture f;
  auto made = f.make();
  EXPECT_EQ(made.surb.first_hop, f.nodes[0].id);
  const Bytes answer{'o', 'k'};
  auto packet = create_surb_reply(f.geometry, made.surb, answer);
  ASSERT_TRUE(packet.ok());
  ASSERT_EQ(packet->size(), f.geometry.packet_bytes());

  const auto out = f.carry(*packet);
  ASSERT_TRUE(std::holds_alternative<Reply>(out.action));
  const auto& reply = std::get<Reply>(out.action);
  EXPECT_EQ(reply.mailbox, f.mailbox);
  EXPECT_EQ(reply.surb_id, f.surb_id);
  ASSERT_EQ(reply.payload_block.size(), f.geometry.payload_block_bytes());

  auto opened = open_surb_reply(f.geometry, made.keys, reply.payload_block);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ((*opened)[0], 'o');
  EXPECT_EQ((*opened)[1], 'k');
  EXPECT_TRUE(is_all_zero(ByteView(*opened).subspan(2)));
}

TEST(Surb, ReuseIsDetectedByTheKeyringAndByTheMixes) {
  SurbFixture f;
  auto made = f.make();
  SurbKeyring keyring;
  keyring.add(std::move(made.keys));

  DeterministicRandom cache_rng(3);
  auto cache = ReplayCache::make({.capacity = 100, .false_positive_rate = 1e-9}, cache_rng).value();
  const Bytes first_answer{1}, second_answer{2};
  auto first = f.carry(create_surb_reply(f.geometry, made.surb, first_answer).value(), cache.get());
  const auto& reply = std::get<Reply>(first.action);
  ASSERT_TRUE(keyring.open(f.geometry, reply.surb_id, reply.payload_block).ok());

  // Same SURB, different payload: the first hop sees the same header and drops it.
  const auto second = f.carry(create_surb_reply(f.geometry, made.surb, second_answer).value(), cache.get());
  ASSERT_TRUE(second.dropped());
  EXPECT_EQ(std::get<Drop>(second.action).reason, DropReason::replay);

  // And the creator refuses a second opening even if a reply got through.
  auto again = keyring.open(f.geometry, reply.surb_id, reply.payload_block);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::not_found);
}

TEST(Surb, TamperedReplyFailsToOpen) {
  SurbFixture f;
  auto made = f.make();
  Bytes packet = create_surb_reply(f.geometry, made.surb, Bytes{5}).value();
  packet[f.geometry.header_bytes() + 100] ^= 0x04;
  const auto out = f.carry(packet);
  const auto& reply = std::get<Reply>(out.action);
  auto opened = open_surb_reply(f.geometry, made.keys, reply.payload_block);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, Errc::crypto);
}

TEST(Surb, EncodeDecodeRoundTripAndBoundsChecks) {
  SurbFixture f;
  auto made = f.make();
  const Bytes wire = encode_surb(made.surb);
  ASSERT_EQ(wire.size(), surb_bytes(f.geometry));
  auto decoded = decode_surb(f.geometry, wire);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->first_hop, made.surb.first_hop);
  EXPECT_TRUE(decoded->payload_key.equals(made.surb.payload_key));
  EXPECT_EQ(decoded->header, made.surb.header);

  EXPECT_FALSE(decode_surb(f.geometry, ByteView(wire).first(wire.size() - 1)).ok());
  Bytes longer = wire;
  longer.push_back(0);
  EXPECT_FALSE(decode_surb(f.geometry, longer).ok());
  Bytes bad_version = wire;
  bad_version[kNodeIdBytes + kKeyBytes] = 0x09;
  EXPECT_EQ(decode_surb(f.geometry, bad_version).error().code, Errc::unsupported);
}

TEST(Surb, PathMustEndInSurbReply) {
  SurbFixture f;
  auto path = make_path(f.nodes, DeliverCommand{f.mailbox});
  EXPECT_FALSE(create_surb(f.geometry, f.nodes[0].id, path, f.rng).ok());
}

TEST(Surb, WrongLengthBlockIsRefused) {
  SurbFixture f;
  auto made = f.make();
  EXPECT_EQ(open_surb_reply(f.geometry, made.keys, Bytes(10)).error().code, Errc::malformed);
}

}  // namespace
}  // namespace tenebra::mix::sphinx
