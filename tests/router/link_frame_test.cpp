// Link frames: round trips of every type, fixed length, tamper/replay/reorder
// detection, counter exhaustion, and that any failure closes the link.
#include <gtest/gtest.h>

#include <set>

#include "../../router/src/link_crypto.hpp"
#include "link_test_util.hpp"

namespace tenebra::router::link {
namespace {

using mix::sphinx::Geometry;
using testing::accept_all;
using testing::config_with;
using testing::identity_from_byte;

class LinkFrameTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::run_handshake(m_initiator, m_responder, m_rng).ok());
    m_packet.resize(m_config.geometry.packet_bytes());
    m_rng.fill(m_packet);
  }

  DeterministicRandom m_rng{3};
  IdentityKeyPair m_node_a = identity_from_byte(0xa1);
  IdentityKeyPair m_node_b = identity_from_byte(0xb2);
  LinkConfig m_config = config_with(0x11);
  LinkSession m_initiator = LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a);
  LinkSession m_responder = LinkSession::responder(m_config, m_node_b, accept_all());
  Bytes m_packet;
};

SecretKey32 key_of(std::uint8_t fill) {
  std::array<std::uint8_t, 32> bytes{};
  bytes.fill(fill);
  return SecretKey32(bytes);
}

TEST_F(LinkFrameTest, PacketRoundTripsBothWays) {
  auto sealed = m_initiator.seal_packet(m_packet);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->sequence, 0u);
  auto frame = m_responder.open_frame(sealed->bytes);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->type, FrameType::packet);
  EXPECT_EQ(frame->sequence, 0u);
  EXPECT_EQ(frame->packet, m_packet);

  auto back = m_responder.seal_packet(m_packet);
  ASSERT_TRUE(back.ok());
  auto opened = m_initiator.open_frame(back->bytes);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->packet, m_packet);
}

TEST_F(LinkFrameTest, PaddingRoundTrips) {
  auto sealed = m_initiator.seal_padding();
  ASSERT_TRUE(sealed.ok());
  auto frame = m_responder.open_frame(sealed->bytes);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->type, FrameType::padding);
  EXPECT_TRUE(frame->packet.empty());
}

TEST_F(LinkFrameTest, AckRoundTripsAndNamesOnlySealedFrames) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(m_responder.open_frame(m_initiator.seal_packet(m_packet)->bytes).ok());
  const std::uint64_t sequences[] = {0, 2};
  auto ack = m_responder.seal_ack(sequences);
  ASSERT_TRUE(ack.ok());
  auto frame = m_initiator.open_frame(ack->bytes);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->type, FrameType::ack);
  EXPECT_EQ(frame->acks, (std::vector<std::uint64_t>{0, 2}));

  const std::uint64_t unsent[] = {3};
  auto bogus = m_responder.seal_ack(unsent);
  ASSERT_TRUE(bogus.ok());
  EXPECT_FALSE(m_initiator.open_frame(bogus->bytes).ok());
  EXPECT_EQ(m_initiator.drops().get(FrameDropReason::bad_body), 1u);
  EXPECT_EQ(m_initiator.state(), LinkState::failed);
}

TEST_F(LinkFrameTest, AckCountIsBounded) {
  EXPECT_FALSE(m_initiator.seal_ack({}).ok());
  const std::vector<std::uint64_t> too_many(max_acks_per_frame(m_config.geometry) + 1, 0);
  EXPECT_FALSE(m_initiator.seal_ack(too_many).ok());
  EXPECT_TRUE(m_initiator.established()) << "a refused argument does not fail the link";
}

TEST_F(LinkFrameTest, AllFramesHaveEqualLength) {
  const std::uint64_t seq[] = {0};
  std::set<std::size_t> sizes;
  sizes.insert(m_initiator.seal_packet(m_packet)->bytes.size());
  sizes.insert(m_initiator.seal_padding()->bytes.size());
  sizes.insert(m_responder.seal_padding()->bytes.size());
  sizes.insert(m_initiator.seal_ack(seq)->bytes.size());
  ASSERT_EQ(sizes.size(), 1u);
  EXPECT_EQ(*sizes.begin(), m_initiator.frame_bytes());
  EXPECT_EQ(m_initiator.frame_bytes(), m_config.geometry.packet_bytes() + 1 + kTagBytes);
  EXPECT_EQ(frame_bytes(Geometry::default_geometry()), 2556u);
}

TEST_F(LinkFrameTest, WrongPacketLengthIsRefusedWithoutUsingACounter) {
  EXPECT_FALSE(m_initiator.seal_packet(Bytes(10)).ok());
  auto sealed = m_initiator.seal_padding();
  EXPECT_EQ(sealed->sequence, 0u);
  EXPECT_TRUE(m_responder.open_frame(sealed->bytes).ok());
}

TEST(LinkFrameCodec, EveryBitFlipFailsAuthentication) {
  const auto g = Geometry::make(1, mix::sphinx::kMinPayloadBytes).value();
  FrameSealer sealer(g, key_of(1));
  const Bytes packet(g.packet_bytes(), 0x5a);
  const Bytes wire = sealer.seal_packet(packet)->bytes;
  for (std::size_t bit = 0; bit < wire.size() * 8; ++bit) {
    FrameOpener opener(g, key_of(1));
    Bytes bad = wire;
    bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    auto out = opener.open(bad);
    ASSERT_FALSE(out.ok()) << "bit " << bit;
    EXPECT_EQ(out.error().code, Errc::crypto);
    EXPECT_EQ(opener.drops().get(FrameDropReason::bad_auth), 1u);
  }
  FrameOpener opener(g, key_of(1));
  EXPECT_TRUE(opener.open(wire).ok());
}

TEST_F(LinkFrameTest, ReplayedFrameFailsAndClosesTheLink) {
  auto first = m_initiator.seal_padding().value();
  ASSERT_TRUE(m_responder.open_frame(first.bytes).ok());
  auto replay = m_responder.open_frame(first.bytes);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, Errc::crypto);
  EXPECT_EQ(m_responder.state(), LinkState::failed);
  EXPECT_EQ(m_responder.drops().get(FrameDropReason::bad_auth), 1u);
  auto after = m_responder.open_frame(m_initiator.seal_padding()->bytes);
  EXPECT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, Errc::closed);
}

TEST_F(LinkFrameTest, ReorderedFramesFail) {
  auto first = m_initiator.seal_packet(m_packet).value();
  auto second = m_initiator.seal_packet(m_packet).value();
  EXPECT_FALSE(m_responder.open_frame(second.bytes).ok());
  EXPECT_FALSE(m_responder.open_frame(first.bytes).ok());
}

TEST_F(LinkFrameTest, FrameOfTheOtherDirectionFails) {
  auto own = m_initiator.seal_padding().value();
  EXPECT_FALSE(m_initiator.open_frame(own.bytes).ok());
}

TEST_F(LinkFrameTest, TruncatedAndOversizedFramesFail) {
  auto sealed = m_initiator.seal_padding().value();
  Bytes longer = sealed.bytes;
  longer.push_back(0);
  FrameOpener opener(m_config.geometry, key_of(9));
  EXPECT_EQ(opener.open(longer).error().code, Errc::malformed);
  EXPECT_EQ(opener.drops().get(FrameDropReason::bad_length), 1u);
  EXPECT_FALSE(m_responder.open_frame(ByteView(sealed.bytes).first(sealed.bytes.size() - 1)).ok());
  EXPECT_EQ(m_responder.drops().get(FrameDropReason::bad_length), 1u);
}

TEST(LinkFrameCodec, CounterExhaustionIsRefused) {
  const auto g = Geometry::default_geometry();
  FrameSealer sealer(g, key_of(2), kMaxFrameCounter - 1);
  auto last = sealer.seal_padding();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->sequence, kMaxFrameCounter - 1);
  auto refused = sealer.seal_padding();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::exhausted);

  FrameOpener opener(g, key_of(2), kMaxFrameCounter - 1);
  EXPECT_TRUE(opener.open(last->bytes).ok());
  auto closed = opener.open(last->bytes);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, Errc::exhausted);
  EXPECT_EQ(opener.drops().get(FrameDropReason::exhausted), 1u);
}

// Seals a hand-made plaintext (type byte and body) at counter 0.
Bytes seal_raw(const Geometry& g, const SecretKey32& key, Bytes plain) {
  plain.resize(frame_plain_bytes(g), 0);
  plain.resize(frame_bytes(g), 0);
  const MutableByteView wire(plain);
  detail::aead_seal(key, 0, {}, wire.first(frame_plain_bytes(g)), wire.last(kTagBytes));
  return plain;
}

TEST(LinkFrameCodec, AuthenticatedButInvalidBodiesFail) {
  const auto g = Geometry::make(1, mix::sphinx::kMinPayloadBytes).value();
  const auto key = key_of(4);
  struct Case {
    Bytes plain;
    FrameDropReason reason;
  };
  const Case cases[] = {
      {{0x00}, FrameDropReason::bad_type},
      {{0x04}, FrameDropReason::bad_type},
      {{0x02, 0x00, 0x01}, FrameDropReason::bad_body},                                // padding not zero
      {{0x03, 0x00, 0x00}, FrameDropReason::bad_body},                                // ack count 0
      {{0x03, 0xff, 0xff}, FrameDropReason::bad_body},                                // ack count too large
      {{0x03, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0x01}, FrameDropReason::bad_body},  // ack padding
  };
  for (const auto& c : cases) {
    FrameOpener opener(g, key.clone());
    auto out = opener.open(seal_raw(g, key, c.plain));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, Errc::malformed);
    EXPECT_EQ(opener.drops().get(c.reason), 1u) << frame_drop_reason_name(c.reason);
    EXPECT_TRUE(opener.closed());
  }
  FrameOpener opener(g, key.clone());
  auto ok = opener.open(seal_raw(g, key, {0x03, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 7}));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->acks, std::vector<std::uint64_t>{7});
}

}  // namespace
}  // namespace tenebra::router::link
