#include "tenebra/rendezvous/ratchet.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tenebra/rendezvous/handshake.hpp"

namespace tenebra::rendezvous::session {
namespace {

const mix::sphinx::Geometry kGeometry = mix::sphinx::Geometry::default_geometry();

Bytes text(const std::string& value) {
  return Bytes(value.begin(), value.end());
}

Bytes state_of(const Ratchet& ratchet) {
  const SecretBytes encoded = ratchet.encode();
  return Bytes(encoded.view().begin(), encoded.view().end());
}

// Alice (inviter) and Bob (invitee) after a real handshake.
class SessionRatchet : public ::testing::Test {
 protected:
  void SetUp() override {
    SecretKey32 invite_secret;
    m_rng.fill(invite_secret.span());
    SecretKey32 seed;
    m_rng.fill(seed.span());
    SecretKey32 agreement_secret;
    m_rng.fill(agreement_secret.span());
    PublicKey invite_public{};
    crypto_scalarmult_curve25519_base(invite_public.data(), invite_secret.data());
    IdentityPublicKeys identity;
    identity.signing.fill(0x5E);
    crypto_scalarmult_curve25519_base(identity.agreement.data(), agreement_secret.data());
    const InviteId invite_id{1, 2, 3};
    auto bob = accept_invite(kGeometry, invite_id, invite_public, seed, identity, agreement_secret, {}, m_rng);
    ASSERT_TRUE(bob) << bob.error().message;
    auto alice = open_handshake(kGeometry, invite_id, invite_secret, seed, bob->envelope);
    ASSERT_TRUE(alice) << alice.error().message;
    m_alice.emplace(std::move(alice->ratchet));
    m_bob.emplace(std::move(bob->ratchet));
  }

  Bytes send(Ratchet& from, const std::string& value) {
    auto envelope = from.encrypt(kGeometry, as_bytes(value), m_rng);
    EXPECT_TRUE(envelope) << envelope.error().message;
    return envelope ? *envelope : Bytes{};
  }

  void expect_opens(Ratchet& to, const Bytes& envelope, const std::string& value) {
    auto opened = to.decrypt(kGeometry, envelope);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, text(value));
  }

  // Bob opens Alice's first message, so both can send.
  void confirm() {
    const Bytes first = send(alice(), "confirm");
    expect_opens(bob(), first, "confirm");
  }

  Ratchet& alice() { return *m_alice; }
  Ratchet& bob() { return *m_bob; }

  DeterministicRandom m_rng{42};
  std::optional<Ratchet> m_alice;
  std::optional<Ratchet> m_bob;
};

TEST_F(SessionRatchet, EnvelopesHaveExactlyOneSize) {
  const Bytes empty = send(alice(), "");
  EXPECT_EQ(empty.size(), kGeometry.payload_bytes() - 3);
  const std::string full(plaintext_capacity(kGeometry), 'x');
  const Bytes whole = send(alice(), full);
  EXPECT_EQ(whole.size(), kGeometry.payload_bytes() - 3);
  auto too_long = alice().encrypt(kGeometry, as_bytes(full + "x"), m_rng);
  EXPECT_EQ(too_long.error().code, Errc::invalid_argument);
  expect_opens(bob(), empty, "");
  expect_opens(bob(), whole, full);

  auto smaller = mix::sphinx::Geometry::make(5, 1024);
  ASSERT_TRUE(smaller);
  auto small_envelope = alice().encrypt(*smaller, as_bytes("small"), m_rng);
  ASSERT_TRUE(small_envelope);
  EXPECT_EQ(small_envelope->size(), 1021U);
  auto opened = bob().decrypt(*smaller, *small_envelope);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, text("small"));
}

TEST_F(SessionRatchet, ManyMessagesBothWays) {
  confirm();
  DeterministicRandom pattern(7);
  for (int round = 0; round < 60; ++round) {
    const bool from_alice = pattern.uniform(2) == 0;
    const std::uint32_t burst = 1 + pattern.uniform(4);
    for (std::uint32_t i = 0; i < burst; ++i) {
      const std::string value = "round " + std::to_string(round) + " message " + std::to_string(i);
      Ratchet& from = from_alice ? alice() : bob();
      Ratchet& to = from_alice ? bob() : alice();
      expect_opens(to, send(from, value), value);
    }
  }
  EXPECT_EQ(alice().skipped_keys(), 0U);
  EXPECT_EQ(bob().skipped_keys(), 0U);
}

TEST_F(SessionRatchet, OutOfOrderWithinOneChain) {
  confirm();
  std::vector<std::pair<Bytes, std::string>> sent;
  for (int i = 0; i < 40; ++i) {
    const std::string value = "m" + std::to_string(i);
    sent.emplace_back(send(alice(), value), value);
  }
  DeterministicRandom shuffle(11);
  for (std::size_t i = sent.size() - 1; i > 0; --i)
    std::swap(sent[i], sent[shuffle.uniform(static_cast<std::uint32_t>(i + 1))]);
  for (const auto& [envelope, value] : sent) expect_opens(bob(), envelope, value);
  EXPECT_EQ(bob().skipped_keys(), 0U);
}

TEST_F(SessionRatchet, OutOfOrderAcrossRatchetSteps) {
  confirm();
  const Bytes a1 = send(alice(), "a1");
  const Bytes a2 = send(alice(), "a2");
  const Bytes a3 = send(alice(), "a3");
  expect_opens(bob(), a1, "a1");
  expect_opens(alice(), send(bob(), "b1"), "b1");
  const Bytes a4 = send(alice(), "a4");  // a new chain; its header says the old one had 4 messages
  expect_opens(bob(), a4, "a4");
  EXPECT_EQ(bob().skipped_keys(), 2U);
  expect_opens(bob(), a3, "a3");
  expect_opens(bob(), a2, "a2");
  EXPECT_EQ(bob().skipped_keys(), 0U);
}

TEST_F(SessionRatchet, BeyondThePerChainCapIsRefused) {
  confirm();                // message 0 of Alice's chain
  std::vector<Bytes> sent;  // sent[i] is message i + 1
  for (std::size_t i = 0; i < kMaxSkippedPerChain + 3; ++i) sent.push_back(send(alice(), std::to_string(i)));
  const Bytes before = state_of(bob());
  auto refused = bob().decrypt(kGeometry, sent[kMaxSkippedPerChain + 1]);  // needs 1001 skipped keys
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::exhausted);
  EXPECT_EQ(state_of(bob()), before);
  expect_opens(bob(), sent[kMaxSkippedPerChain], std::to_string(kMaxSkippedPerChain));  // exactly 1000: fine
  EXPECT_EQ(bob().skipped_keys(), kMaxSkippedPerChain);
  // The chain holds 1000 keys: one more skip is refused until a key is used.
  EXPECT_EQ(bob().decrypt(kGeometry, sent[kMaxSkippedPerChain + 2]).error().code, Errc::exhausted);
  expect_opens(bob(), sent[0], "0");
  expect_opens(bob(), sent[kMaxSkippedPerChain + 2], std::to_string(kMaxSkippedPerChain + 2));
  expect_opens(bob(), sent[kMaxSkippedPerChain + 1], std::to_string(kMaxSkippedPerChain + 1));
  EXPECT_EQ(bob().skipped_keys(), kMaxSkippedPerChain - 1);
}

TEST_F(SessionRatchet, TheTotalCapDropsTheOldestKeys) {
  confirm();
  std::vector<Bytes> first_chain;
  // Three chains of Alice's, each with its last message delivered first.
  for (std::size_t chain = 0; chain < 3; ++chain) {
    const std::size_t count = chain < 2 ? kMaxSkippedPerChain : 5;
    std::vector<Bytes> sent;
    for (std::size_t i = 0; i <= count; ++i) sent.push_back(send(alice(), "c" + std::to_string(chain)));
    expect_opens(bob(), sent.back(), "c" + std::to_string(chain));
    if (chain == 0) first_chain = sent;
    expect_opens(alice(), send(bob(), "ack"), "ack");
  }
  EXPECT_EQ(bob().skipped_keys(), kMaxSkippedTotal);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(bob().decrypt(kGeometry, first_chain[i]).error().code, Errc::crypto) << i;
  }
  expect_opens(bob(), first_chain[5], "c0");
}

TEST_F(SessionRatchet, ReplayIsRefusedAndChangesNothing) {
  confirm();
  const Bytes m1 = send(alice(), "m1");
  const Bytes m2 = send(alice(), "m2");
  const Bytes m3 = send(alice(), "m3");
  expect_opens(bob(), m3, "m3");
  expect_opens(bob(), m1, "m1");
  const Bytes before = state_of(bob());
  for (const Bytes* replay : {&m1, &m3}) {
    auto again = bob().decrypt(kGeometry, *replay);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::crypto);
    EXPECT_EQ(state_of(bob()), before);
  }
  expect_opens(bob(), m2, "m2");
  EXPECT_EQ(bob().decrypt(kGeometry, m2).error().code, Errc::crypto);
}

TEST_F(SessionRatchet, TamperedEnvelopesLeaveTheStateUnchanged) {
  confirm();
  const Bytes message = send(alice(), "tamper with me");
  const Bytes before = state_of(bob());
  for (std::size_t at = 0; at < message.size(); at += 13) {
    Bytes tampered = message;
    tampered[at] ^= 0x04;
    auto opened = bob().decrypt(kGeometry, tampered);
    ASSERT_FALSE(opened) << "byte " << at;
    EXPECT_EQ(state_of(bob()), before) << "byte " << at;
  }
  // A forged header with a fresh ratchet key makes a ratchet step only on a copy.
  Bytes forged = message;
  PublicKey fresh{};
  SecretKey32 fresh_secret;
  m_rng.fill(fresh_secret.span());
  crypto_scalarmult_curve25519_base(fresh.data(), fresh_secret.data());
  std::copy(fresh.begin(), fresh.end(), forged.begin() + 1);
  EXPECT_EQ(bob().decrypt(kGeometry, forged).error().code, Errc::crypto);
  EXPECT_EQ(state_of(bob()), before);
  expect_opens(bob(), message, "tamper with me");
}

TEST_F(SessionRatchet, HandshakeEnvelopesAreNotMessages) {
  const Bytes before = state_of(alice());
  Bytes handshake(kGeometry.payload_bytes() - 3, 0);
  handshake[0] = kHandshakeType;
  EXPECT_EQ(alice().decrypt(kGeometry, handshake).error().code, Errc::malformed);
  EXPECT_EQ(state_of(alice()), before);
}

TEST_F(SessionRatchet, SerializationRoundTripMidConversation) {
  confirm();
  const Bytes a1 = send(alice(), "a1");
  const Bytes a2 = send(alice(), "a2");
  expect_opens(bob(), a2, "a2");  // a1 pending as a skipped key
  const SecretBytes saved_bob = bob().encode();
  const SecretBytes saved_alice = alice().encode();
  auto restored_bob = Ratchet::decode(saved_bob.view());
  auto restored_alice = Ratchet::decode(saved_alice.view());
  ASSERT_TRUE(restored_bob) << restored_bob.error().message;
  ASSERT_TRUE(restored_alice) << restored_alice.error().message;
  EXPECT_EQ(state_of(*restored_bob), Bytes(saved_bob.view().begin(), saved_bob.view().end()));
  EXPECT_EQ(restored_bob->role(), SessionRole::invitee);
  EXPECT_EQ(restored_bob->skipped_keys(), 1U);
  m_bob.emplace(std::move(*restored_bob));
  m_alice.emplace(std::move(*restored_alice));
  expect_opens(bob(), a1, "a1");
  expect_opens(alice(), send(bob(), "b1"), "b1");
  expect_opens(bob(), send(alice(), "a3"), "a3");
}

TEST_F(SessionRatchet, UsedKeysAreNotRecoverableFromALaterState) {
  confirm();
  const Bytes m1 = send(alice(), "secret one");
  expect_opens(bob(), m1, "secret one");
  const SecretBytes later = bob().encode();
  auto seized = Ratchet::decode(later.view());
  ASSERT_TRUE(seized);
  EXPECT_EQ(seized->decrypt(kGeometry, m1).error().code, Errc::crypto);
  // After a round trip the old chains are gone too.
  expect_opens(alice(), send(bob(), "reply"), "reply");
  expect_opens(bob(), send(alice(), "next"), "next");
  auto much_later = Ratchet::decode(bob().encode().view());
  ASSERT_TRUE(much_later);
  EXPECT_FALSE(much_later->decrypt(kGeometry, m1));
  // The confirming message, too, cannot be opened again.
  EXPECT_EQ(much_later->skipped_keys(), 0U);
}

TEST_F(SessionRatchet, StateDecodeIsStrict) {
  confirm();
  (void)send(alice(), "skip");
  expect_opens(bob(), send(alice(), "open"), "open");
  const Bytes good = state_of(bob());
  ASSERT_TRUE(Ratchet::decode(good));

  EXPECT_EQ(Ratchet::decode({}).error().code, Errc::malformed);
  Bytes version = good;
  version[0] = 0x02;
  EXPECT_EQ(Ratchet::decode(version).error().code, Errc::unsupported);
  Bytes role = good;
  role[1] = 0x03;
  EXPECT_EQ(Ratchet::decode(role).error().code, Errc::malformed);
  Bytes flags = good;
  flags[2] |= 0x10;
  EXPECT_EQ(Ratchet::decode(flags).error().code, Errc::malformed);
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(Ratchet::decode(trailing).error().code, Errc::malformed);
  for (std::size_t cut = 1; cut < good.size(); cut += 9) {
    EXPECT_FALSE(Ratchet::decode(ByteView(good).first(cut))) << cut;
  }
  // One skipped key (the last 68 bytes); duplicating it is refused.
  ASSERT_EQ(bob().skipped_keys(), 1U);
  Bytes duplicate = good;
  duplicate[good.size() - 69] = 2;  // the u16 count
  duplicate.insert(duplicate.end(), good.end() - 68, good.end());
  EXPECT_EQ(Ratchet::decode(duplicate).error().code, Errc::malformed);
}

}  // namespace
}  // namespace tenebra::rendezvous::session
