// Identities: generated from Random&, group aliases independent, and the
// strict store and public encodings (round trips and every refusal).
#include "tenebra/rendezvous/identity.hpp"

#include <gtest/gtest.h>

#include <array>

#include "tenebra/core/random.hpp"

namespace tenebra::rendezvous {
namespace {

ByteView view(const IdentitySecretEncoding& encoding) {
  return encoding.view();
}

TEST(RdvIdentity, GenerateUsesSeedThenAgreementSecret) {
  std::array<std::uint8_t, 64> script{};
  for (std::size_t i = 0; i < script.size(); ++i) script[i] = static_cast<std::uint8_t>(i + 1);
  ScriptedRandom rng;
  rng.push(script);
  const Identity identity = Identity::generate(rng);
  EXPECT_EQ(rng.remaining(), 0U);

  std::array<std::uint8_t, 32> signing_public{};
  std::array<std::uint8_t, 64> signing_secret{};
  crypto_sign_seed_keypair(signing_public.data(), signing_secret.data(), script.data());
  std::array<std::uint8_t, 32> agreement_public{};
  ASSERT_EQ(crypto_scalarmult_base(agreement_public.data(), script.data() + 32), 0);
  EXPECT_EQ(identity.public_keys().signing, signing_public);
  EXPECT_EQ(identity.public_keys().agreement, agreement_public);
  EXPECT_EQ(sodium_memcmp(identity.agreement_secret().data(), script.data() + 32, 32), 0);
  EXPECT_EQ(sodium_memcmp(identity.signing_secret().data(), signing_secret.data(), 64), 0);
}

TEST(RdvIdentity, SigningKeyVerifies) {
  DeterministicRandom rng(1);
  const Identity identity = Identity::generate(rng);
  const std::array<std::uint8_t, 3> message{1, 2, 3};
  std::array<std::uint8_t, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), identity.signing_secret().data());
  EXPECT_EQ(crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                        identity.public_keys().signing.data()),
            0);
}

TEST(RdvIdentity, GroupAliasesShareNothing) {
  DeterministicRandom rng(2);
  const Identity main_identity = Identity::generate(rng);
  const Identity alias_one = new_group_alias(rng);
  const Identity alias_two = new_group_alias(rng);
  EXPECT_NE(main_identity.public_keys().signing, alias_one.public_keys().signing);
  EXPECT_NE(alias_one.public_keys().signing, alias_two.public_keys().signing);
  EXPECT_NE(alias_one.public_keys().agreement, alias_two.public_keys().agreement);
  EXPECT_FALSE(alias_one.agreement_secret().equals(alias_two.agreement_secret()));
}

TEST(RdvIdentity, SecretEncodingRoundTrips) {
  DeterministicRandom rng(3);
  const Identity identity = Identity::generate(rng);
  const auto encoded = encode_identity_secret(identity);
  EXPECT_EQ(encoded.data()[0], kIdentitySecretVersion);
  auto decoded = decode_identity_secret(view(encoded));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->public_keys(), identity.public_keys());
  EXPECT_TRUE(decoded->agreement_secret().equals(identity.agreement_secret()));
  EXPECT_TRUE(decoded->signing_secret().equals(identity.signing_secret()));
  EXPECT_TRUE(encode_identity_secret(*decoded).equals(encoded));
}

TEST(RdvIdentity, SecretDecodeRefusesBadInput) {
  DeterministicRandom rng(4);
  const auto encoded = encode_identity_secret(Identity::generate(rng));
  Bytes bytes(encoded.view().begin(), encoded.view().end());

  Bytes short_bytes(bytes.begin(), bytes.end() - 1);
  EXPECT_EQ(decode_identity_secret(short_bytes).error().code, Errc::malformed);
  Bytes long_bytes = bytes;
  long_bytes.push_back(0);
  EXPECT_EQ(decode_identity_secret(long_bytes).error().code, Errc::malformed);

  Bytes wrong_version = bytes;
  wrong_version[0] = 0x02;
  EXPECT_EQ(decode_identity_secret(wrong_version).error().code, Errc::unsupported);

  // A flipped bit in the seed, the agreement secret or either public key.
  for (const std::size_t at : {std::size_t{1}, std::size_t{40}, std::size_t{70}, std::size_t{120}}) {
    Bytes corrupt = bytes;
    corrupt[at] ^= 0x01;
    auto decoded = decode_identity_secret(corrupt);
    ASSERT_FALSE(decoded) << at;
    EXPECT_EQ(decoded.error().code, Errc::crypto) << at;
    EXPECT_NE(decoded.error().message.find("do not match"), std::string::npos);
  }
}

TEST(RdvIdentity, PublicEncodingRoundTripsAndRefuses) {
  DeterministicRandom rng(5);
  const Identity identity = Identity::generate(rng);
  const Bytes encoded = encode_identity_public(identity.public_keys());
  ASSERT_EQ(encoded.size(), kIdentityPublicEncodingBytes);
  auto decoded = decode_identity_public(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, identity.public_keys());

  EXPECT_EQ(decode_identity_public(ByteView(encoded).first(64)).error().code, Errc::malformed);
  Bytes wrong_version = encoded;
  wrong_version[0] = 0x09;
  EXPECT_EQ(decode_identity_public(wrong_version).error().code, Errc::unsupported);
  Bytes zero_signing = encoded;
  std::fill(zero_signing.begin() + 1, zero_signing.begin() + 33, 0);
  EXPECT_EQ(decode_identity_public(zero_signing).error().code, Errc::malformed);
  Bytes zero_agreement = encoded;
  std::fill(zero_agreement.begin() + 33, zero_agreement.end(), 0);
  EXPECT_EQ(decode_identity_public(zero_agreement).error().code, Errc::malformed);
}

}  // namespace
}  // namespace tenebra::rendezvous
