// LinkSession: full handshakes in both roles, refusals (wrong key, network,
// geometry, policy), and bad handshake input of every shape.
#include <gtest/gtest.h>

#include "link_test_util.hpp"

namespace tenebra::router::link {
namespace {

using testing::accept_all;
using testing::config_with;
using testing::identity_from_byte;
using testing::run_handshake;

class LinkSessionTest : public ::testing::Test {
 protected:
  DeterministicRandom m_rng{7};
  IdentityKeyPair m_node_a = identity_from_byte(0xa1);
  IdentityKeyPair m_node_b = identity_from_byte(0xb2);
  LinkConfig m_config = config_with(0x11);
};

TEST_F(LinkSessionTest, IdentifiedHandshakeEstablishesBothEnds) {
  auto initiator = LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a);
  ResponderPolicy policy;
  policy.accept_identity = [this](const IdentityPublicKey& key) { return key == m_node_a.public_key; };
  auto responder = LinkSession::responder(m_config, m_node_b, policy);
  EXPECT_EQ(initiator.expected_handshake_bytes(), 0u);
  EXPECT_EQ(responder.expected_handshake_bytes(), kHelloBytes);
  ASSERT_TRUE(run_handshake(initiator, responder, m_rng).ok());
  EXPECT_TRUE(initiator.established());
  EXPECT_TRUE(responder.established());
  EXPECT_EQ(initiator.peer_identity(), m_node_b.public_key);
  EXPECT_EQ(responder.peer_identity(), m_node_a.public_key);
  EXPECT_EQ(initiator.handshake_hash(), responder.handshake_hash());
  EXPECT_EQ(initiator.expected_handshake_bytes(), 0u);
}

TEST_F(LinkSessionTest, MessagesHaveTheirFixedSizes) {
  auto initiator = LinkSession::initiator(m_config, m_node_b.public_key, nullptr);
  auto responder = LinkSession::responder(m_config, m_node_b, accept_all());
  auto hello = initiator.start(m_rng);
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(hello->size(), kHelloBytes);
  EXPECT_EQ(initiator.expected_handshake_bytes(), kResponseBytes);
  auto response = responder.on_handshake(*hello, m_rng);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->size(), kResponseBytes);
  EXPECT_EQ(responder.expected_handshake_bytes(), kConfirmBytes);
  auto confirm = initiator.on_handshake(*response, m_rng);
  ASSERT_TRUE(confirm.ok());
  EXPECT_EQ(confirm->size(), kConfirmBytes);
  auto last = responder.on_handshake(*confirm, m_rng);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->empty());
}

TEST_F(LinkSessionTest, AnonymousInitiatorWhenAllowed) {
  auto initiator = LinkSession::initiator(m_config, m_node_b.public_key, nullptr);
  ResponderPolicy policy;
  policy.accept_anonymous = true;
  auto responder = LinkSession::responder(m_config, m_node_b, policy);
  ASSERT_TRUE(run_handshake(initiator, responder, m_rng).ok());
  EXPECT_FALSE(responder.peer_identity().has_value());
  EXPECT_EQ(initiator.peer_identity(), m_node_b.public_key);
}

TEST_F(LinkSessionTest, AnonymousInitiatorRefusedByDefault) {
  auto initiator = LinkSession::initiator(m_config, m_node_b.public_key, nullptr);
  auto responder = LinkSession::responder(m_config, m_node_b, ResponderPolicy{});
  const auto status = run_handshake(initiator, responder, m_rng);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(responder.state(), LinkState::failed);
}

TEST_F(LinkSessionTest, IdentifiedInitiatorRefusedWithoutAcceptor) {
  auto initiator = LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a);
  ResponderPolicy policy;
  policy.accept_anonymous = true;
  auto responder = LinkSession::responder(m_config, m_node_b, policy);
  EXPECT_FALSE(run_handshake(initiator, responder, m_rng).ok());
  EXPECT_EQ(responder.state(), LinkState::failed);
}

TEST_F(LinkSessionTest, WrongResponderKeyFails) {
  const auto other = identity_from_byte(0xcc);
  auto initiator = LinkSession::initiator(m_config, other.public_key, &m_node_a);
  auto responder = LinkSession::responder(m_config, m_node_b, accept_all());
  const auto status = run_handshake(initiator, responder, m_rng);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::crypto);
  EXPECT_EQ(initiator.state(), LinkState::failed);
}

TEST_F(LinkSessionTest, WrongNetworkIdFails) {
  auto initiator = LinkSession::initiator(config_with(0x22), m_node_b.public_key, &m_node_a);
  auto responder = LinkSession::responder(m_config, m_node_b, accept_all());
  const auto status = run_handshake(initiator, responder, m_rng);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::crypto);
}

TEST_F(LinkSessionTest, DifferentGeometryFails) {
  const auto small = mix::sphinx::Geometry::make(3, 1024).value();
  auto initiator = LinkSession::initiator(config_with(0x11, small), m_node_b.public_key, &m_node_a);
  auto responder = LinkSession::responder(m_config, m_node_b, accept_all());
  EXPECT_FALSE(run_handshake(initiator, responder, m_rng).ok());
}

TEST_F(LinkSessionTest, TamperedConfirmFailsAtResponder) {
  auto initiator = LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a);
  auto responder = LinkSession::responder(m_config, m_node_b, accept_all());
  auto hello = initiator.start(m_rng).value();
  auto response = responder.on_handshake(hello, m_rng).value();
  auto confirm = initiator.on_handshake(response, m_rng).value();
  confirm[10] ^= 0x01;
  auto out = responder.on_handshake(confirm, m_rng);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::crypto);
}

TEST_F(LinkSessionTest, EveryBitFlipOfTheResponseFails) {
  auto responder = LinkSession::responder(m_config, m_node_b, accept_all());
  DeterministicRandom rng_a(1);
  auto hello = LinkSession::initiator(m_config, m_node_b.public_key, nullptr).start(rng_a).value();
  auto response = responder.on_handshake(hello, m_rng).value();
  for (std::size_t bit = 0; bit < response.size() * 8; ++bit) {
    DeterministicRandom rng_b(1);
    auto initiator = LinkSession::initiator(m_config, m_node_b.public_key, nullptr);
    ASSERT_EQ(initiator.start(rng_b).value(), hello);
    Bytes bad = response;
    bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(initiator.on_handshake(bad, m_rng).ok()) << "bit " << bit;
  }
}

TEST_F(LinkSessionTest, BadHandshakeInputGivesClearErrors) {
  auto fresh = [this] { return LinkSession::responder(m_config, m_node_b, accept_all()); };
  const Bytes good = LinkSession::initiator(m_config, m_node_b.public_key, nullptr).start(m_rng).value();
  struct Case {
    Bytes input;
    Errc code;
  };
  Bytes wrong_version = good;
  wrong_version[0] = 0x02;
  Bytes wrong_type = good;
  wrong_type[1] = static_cast<std::uint8_t>(HandshakeType::confirm);
  Bytes low_order = good;  // the identity point: X25519 gives all zeros
  std::fill(low_order.begin() + kHandshakeHeaderBytes, low_order.end(), 0);
  Bytes oversized = good;
  oversized.push_back(0);
  const Case cases[] = {
      {Bytes{}, Errc::malformed},         {Bytes(good.begin(), good.end() - 1), Errc::malformed},
      {oversized, Errc::malformed},       {Bytes(kMaxHandshakeBytes * 4, 0xff), Errc::malformed},
      {wrong_version, Errc::unsupported}, {wrong_type, Errc::malformed},
      {low_order, Errc::crypto},
  };
  for (const auto& c : cases) {
    auto responder = fresh();
    auto out = responder.on_handshake(c.input, m_rng);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, c.code);
    EXPECT_FALSE(out.error().message.empty());
    EXPECT_EQ(responder.state(), LinkState::failed);
    EXPECT_FALSE(responder.on_handshake(good, m_rng).ok()) << "a failed session must stay failed";
  }
}

TEST_F(LinkSessionTest, CutOrLongResponseAndConfirmAreMalformed) {
  for (const std::ptrdiff_t delta : {-1, 1}) {
    auto initiator = LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a);
    auto responder = LinkSession::responder(m_config, m_node_b, accept_all());
    Bytes response = responder.on_handshake(initiator.start(m_rng).value(), m_rng).value();
    response.resize(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(response.size()) + delta));
    auto out = initiator.on_handshake(response, m_rng);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, Errc::malformed);

    auto initiator2 = LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a);
    auto responder2 = LinkSession::responder(m_config, m_node_b, accept_all());
    auto good_response = responder2.on_handshake(initiator2.start(m_rng).value(), m_rng).value();
    Bytes confirm = initiator2.on_handshake(good_response, m_rng).value();
    confirm.resize(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(confirm.size()) + delta));
    auto last = responder2.on_handshake(confirm, m_rng);
    ASSERT_FALSE(last.ok());
    EXPECT_EQ(last.error().code, Errc::malformed);
  }
}

TEST_F(LinkSessionTest, GarbageNeverCrashes) {
  DeterministicRandom garbage(99);
  for (int i = 0; i < 200; ++i) {
    auto responder = LinkSession::responder(m_config, m_node_b, accept_all());
    Bytes hello(kHelloBytes);
    garbage.fill(hello);
    hello[0] = kLinkVersion;
    hello[1] = static_cast<std::uint8_t>(HandshakeType::hello);
    auto response = responder.on_handshake(hello, m_rng);
    if (!response) continue;
    Bytes confirm(kConfirmBytes);
    garbage.fill(confirm);
    confirm[0] = kLinkVersion;
    confirm[1] = static_cast<std::uint8_t>(HandshakeType::confirm);
    EXPECT_FALSE(responder.on_handshake(confirm, m_rng).ok());
  }
}

TEST_F(LinkSessionTest, OutOfOrderCallsAreRefused) {
  auto initiator = LinkSession::initiator(m_config, m_node_b.public_key, nullptr);
  EXPECT_FALSE(initiator.on_handshake(Bytes(kResponseBytes), m_rng).ok());
  auto responder = LinkSession::responder(m_config, m_node_b, accept_all());
  EXPECT_FALSE(responder.start(m_rng).ok());
  EXPECT_FALSE(responder.seal_padding().ok());
  EXPECT_FALSE(responder.open_frame(Bytes(responder.frame_bytes())).ok());
}

}  // namespace
}  // namespace tenebra::router::link
