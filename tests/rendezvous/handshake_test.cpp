#include "tenebra/rendezvous/handshake.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <numeric>

#include "tenebra/core/bytes.hpp"

namespace tenebra::rendezvous::session {
namespace {

const mix::sphinx::Geometry kGeometry = mix::sphinx::Geometry::default_geometry();

template <std::size_t N>
std::array<std::uint8_t, N> counting(std::uint8_t first) {
  std::array<std::uint8_t, N> out{};
  std::iota(out.begin(), out.end(), first);
  return out;
}

SecretKey32 secret_counting(std::uint8_t first) {
  const auto bytes = counting<32>(first);
  return SecretKey32(std::span<const std::uint8_t, 32>(bytes));
}

PublicKey public_of(const SecretKey32& secret) {
  PublicKey out{};
  crypto_scalarmult_curve25519_base(out.data(), secret.data());
  return out;
}

std::string hash_hex(ByteView bytes) {
  std::array<std::uint8_t, 32> digest{};
  crypto_generichash(digest.data(), digest.size(), bytes.data(), bytes.size(), nullptr, 0);
  return to_hex(digest);
}

// The parties of docs/messaging.md §7: every input fixed.
struct Vectors {
  SecretKey32 invite_secret = secret_counting(0x01);
  SecretKey32 seed = secret_counting(0x40);
  InviteId invite_id = counting<16>(0xA0);
  SecretKey32 agreement_secret = secret_counting(0x60);
  IdentityPublicKeys identity{counting<32>(0x80), public_of(secret_counting(0x60))};
};

struct Contact {
  InviteeHandshake bob;
  InviterHandshake alice;
};

Contact make_contact(std::uint64_t seed_number, ByteView blob = {}) {
  DeterministicRandom rng(seed_number);
  Vectors v;
  auto bob = accept_invite(kGeometry, v.invite_id, public_of(v.invite_secret), v.seed, v.identity, v.agreement_secret,
                           blob, rng);
  EXPECT_TRUE(bob) << bob.error().message;
  auto alice = open_handshake(kGeometry, v.invite_id, v.invite_secret, v.seed, bob->envelope);
  EXPECT_TRUE(alice) << alice.error().message;
  return Contact{std::move(*bob), std::move(*alice)};
}

std::string root_key_hex(const Ratchet& ratchet) {
  // Encoded state: version | role | flags | binding(32) | root(32) (§4.5).
  const SecretBytes state = ratchet.encode();
  return to_hex(state.view().subspan(35, 32));
}

TEST(SessionHandshake, KnownAnswerVectors) {
  Vectors v;
  ScriptedRandom rng;
  rng.push(counting<32>(0xC0));  // ephemeral secret
  rng.push(counting<32>(0xE0));  // first ratchet secret
  EXPECT_EQ(to_hex(public_of(v.invite_secret)), "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c");
  auto bob = accept_invite(kGeometry, v.invite_id, public_of(v.invite_secret), v.seed, v.identity, v.agreement_secret,
                           as_bytes("surbs"), rng);
  ASSERT_TRUE(bob) << bob.error().message;
  EXPECT_EQ(rng.remaining(), 0U);
  ASSERT_EQ(bob->envelope.size(), 2045U);
  EXPECT_EQ(to_hex(ByteView(bob->envelope).first(48)),
            "11dc2cca31e8e43bbd91dff7e475cca3347eb478107d5bd765aba4ae4a30c35d445603fe7f0699b2755c1c5fc982c28b");
  EXPECT_EQ(hash_hex(bob->envelope), "c1b2c244ad507dd0fee41cfc8ad309041a3b45e0a2e9be4d0b78eba67954a54c");
  EXPECT_EQ(to_hex(bob->contact_seed.view()), "78e408db209f8ef60deef7cde82607d1f8f6e562e836f589a0c7c6bdd3220b4e");
  EXPECT_EQ(to_hex(bob->ratchet.binding()), "e744be98fde24e936309c49b34b47e082e08469d6d568e88b8011d7a38a14050");
  EXPECT_EQ(root_key_hex(bob->ratchet), "fbea519583165c825e1bc2f3dfe542d2f2d281380ef9eb0748ceb4b96db745a0");

  auto alice = open_handshake(kGeometry, v.invite_id, v.invite_secret, v.seed, bob->envelope);
  ASSERT_TRUE(alice) << alice.error().message;
  EXPECT_EQ(to_hex(alice->contact_seed.view()), "78e408db209f8ef60deef7cde82607d1f8f6e562e836f589a0c7c6bdd3220b4e");
  EXPECT_EQ(root_key_hex(alice->ratchet), "fbea519583165c825e1bc2f3dfe542d2f2d281380ef9eb0748ceb4b96db745a0");
  EXPECT_EQ(alice->invitee, v.identity);
  EXPECT_EQ(alice->blob, Bytes(as_bytes("surbs").begin(), as_bytes("surbs").end()));

  // Alice's first message: a ratchet step against Bob's first ratchet key.
  ScriptedRandom alice_rng;
  alice_rng.push(Bytes(32, 0x33));  // her ratchet secret
  alice_rng.push(Bytes(24, 0x44));  // the nonce
  auto message = alice->ratchet.encrypt(kGeometry, as_bytes("hello"), alice_rng);
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ(to_hex(ByteView(*message).first(80)),
            "127b0d47d93427f8311160781c7c733fd89f88970aef490d8aa0ee19a4cb8a1b14"  // type | Alice's ratchet key
            "0000000000000000"                                                    // previous chain length | number
            "444444444444444444444444444444444444444444444444"                    // nonce
            "7ab6635f102fd5f2dbcc943a19079f");
  EXPECT_EQ(hash_hex(*message), "e98061c04a9609abccbcaa02982dd21ed0069de56b4046b5bb6da58b3a8039f0");
  // Alice's state now: ... root(35..67) | own ratchet secret | Bob's ratchet key | sending chain.
  const SecretBytes state = alice->ratchet.encode();
  EXPECT_EQ(to_hex(state.view().subspan(35, 32)), "56b75aebce3491f3e39d1230dbdbf53a0dd3dcde95057d94d528094a9eb5032a");
  EXPECT_EQ(to_hex(state.view().subspan(99, 32)), "736845d54e87de09d6bb114aa7042c50a4a015bd9901d1a0026f5956533a1519");
  EXPECT_EQ(to_hex(state.view().subspan(131, 32)), "da2b30e9aaaf2f44c6f3e385ba300f2d15922fca53e2ec6fda2984c8b22c04fe");

  EXPECT_FALSE(bob->ratchet.can_send());
  auto opened = bob->ratchet.decrypt(kGeometry, *message);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, Bytes(as_bytes("hello").begin(), as_bytes("hello").end()));
  EXPECT_TRUE(bob->ratchet.can_send());
}

TEST(SessionHandshake, BothSidesAgreeAndTalk) {
  Contact contact = make_contact(7, as_bytes("three surbs"));
  EXPECT_EQ(contact.bob.role, SessionRole::invitee);
  EXPECT_EQ(contact.alice.role, SessionRole::inviter);
  EXPECT_EQ(contact.bob.ratchet.role(), SessionRole::invitee);
  EXPECT_EQ(contact.alice.ratchet.role(), SessionRole::inviter);
  EXPECT_TRUE(contact.bob.contact_seed.equals(contact.alice.contact_seed));
  EXPECT_FALSE(contact.bob.contact_seed.equals(Vectors{}.seed));
  EXPECT_EQ(contact.bob.ratchet.binding(), contact.alice.ratchet.binding());
  EXPECT_EQ(root_key_hex(contact.bob.ratchet), root_key_hex(contact.alice.ratchet));
  EXPECT_EQ(contact.alice.blob, Bytes(as_bytes("three surbs").begin(), as_bytes("three surbs").end()));

  DeterministicRandom rng(8);
  EXPECT_TRUE(contact.alice.ratchet.can_send());
  EXPECT_FALSE(contact.bob.ratchet.can_send());
  auto early = contact.bob.ratchet.encrypt(kGeometry, as_bytes("too early"), rng);
  EXPECT_EQ(early.error().code, Errc::invalid_argument);

  auto confirmation = contact.alice.ratchet.encrypt(kGeometry, as_bytes("welcome"), rng);
  ASSERT_TRUE(confirmation);
  ASSERT_TRUE(contact.bob.ratchet.decrypt(kGeometry, *confirmation));
  auto reply = contact.bob.ratchet.encrypt(kGeometry, as_bytes("thanks"), rng);
  ASSERT_TRUE(reply);
  auto opened = contact.alice.ratchet.decrypt(kGeometry, *reply);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, Bytes(as_bytes("thanks").begin(), as_bytes("thanks").end()));
}

TEST(SessionHandshake, EachAcceptanceGivesAFreshContact) {
  Contact first = make_contact(1);
  Contact second = make_contact(2);
  EXPECT_FALSE(first.alice.contact_seed.equals(second.alice.contact_seed));
  EXPECT_NE(root_key_hex(first.alice.ratchet), root_key_hex(second.alice.ratchet));
}

TEST(SessionHandshake, WrongInviteOrKeysFailWithCrypto) {
  Vectors v;
  DeterministicRandom rng(3);
  auto bob = accept_invite(kGeometry, v.invite_id, public_of(v.invite_secret), v.seed, v.identity, v.agreement_secret,
                           {}, rng);
  ASSERT_TRUE(bob);
  InviteId other_id = v.invite_id;
  other_id[15] ^= 0x01;
  EXPECT_EQ(open_handshake(kGeometry, other_id, v.invite_secret, v.seed, bob->envelope).error().code, Errc::crypto);
  EXPECT_EQ(open_handshake(kGeometry, v.invite_id, secret_counting(0x02), v.seed, bob->envelope).error().code,
            Errc::crypto);
  EXPECT_EQ(open_handshake(kGeometry, v.invite_id, v.invite_secret, secret_counting(0x41), bob->envelope).error().code,
            Errc::crypto);
  // The same message for every failure: nothing an attacker can use.
  EXPECT_EQ(
      open_handshake(kGeometry, other_id, v.invite_secret, v.seed, bob->envelope).error().message,
      open_handshake(kGeometry, v.invite_id, v.invite_secret, secret_counting(0x41), bob->envelope).error().message);
}

TEST(SessionHandshake, EveryTamperedByteFails) {
  Vectors v;
  DeterministicRandom rng(4);
  auto bob = accept_invite(kGeometry, v.invite_id, public_of(v.invite_secret), v.seed, v.identity, v.agreement_secret,
                           as_bytes("blob"), rng);
  ASSERT_TRUE(bob);
  for (std::size_t at = 0; at < bob->envelope.size(); at += 29) {
    Bytes tampered = bob->envelope;
    tampered[at] ^= 0x01;
    auto opened = open_handshake(kGeometry, v.invite_id, v.invite_secret, v.seed, tampered);
    ASSERT_FALSE(opened) << "byte " << at;
    if (at == 0) {
      EXPECT_EQ(opened.error().code, Errc::unsupported);
    } else {
      EXPECT_EQ(opened.error().code, Errc::crypto) << "byte " << at;
    }
  }
  Bytes last_byte = bob->envelope;
  last_byte.back() ^= 0x80;
  EXPECT_EQ(open_handshake(kGeometry, v.invite_id, v.invite_secret, v.seed, last_byte).error().code, Errc::crypto);
}

TEST(SessionHandshake, RefusesBadArgumentsAndOtherEnvelopes) {
  Vectors v;
  DeterministicRandom rng(5);
  IdentityPublicKeys wrong = v.identity;
  wrong.agreement[0] ^= 0x01;
  EXPECT_EQ(
      accept_invite(kGeometry, v.invite_id, public_of(v.invite_secret), v.seed, wrong, v.agreement_secret, {}, rng)
          .error()
          .code,
      Errc::invalid_argument);
  const Bytes too_big(handshake_blob_capacity(kGeometry) + 1, 0x01);
  EXPECT_EQ(accept_invite(kGeometry, v.invite_id, public_of(v.invite_secret), v.seed, v.identity, v.agreement_secret,
                          too_big, rng)
                .error()
                .code,
            Errc::invalid_argument);
  const PublicKey low_order{};  // zero: a low-order point
  EXPECT_EQ(
      accept_invite(kGeometry, v.invite_id, low_order, v.seed, v.identity, v.agreement_secret, {}, rng).error().code,
      Errc::invalid_argument);

  const Bytes full(handshake_blob_capacity(kGeometry), 0xAB);
  Contact contact = make_contact(6, full);
  EXPECT_EQ(contact.alice.blob, full);

  DeterministicRandom message_rng(9);
  auto message = contact.alice.ratchet.encrypt(kGeometry, as_bytes("hi"), message_rng);
  ASSERT_TRUE(message);
  EXPECT_EQ(open_handshake(kGeometry, v.invite_id, v.invite_secret, v.seed, *message).error().code, Errc::malformed);
  EXPECT_EQ(open_handshake(kGeometry, v.invite_id, v.invite_secret, v.seed, Bytes(100, 0x11)).error().code,
            Errc::malformed);
}

}  // namespace
}  // namespace tenebra::rendezvous::session
