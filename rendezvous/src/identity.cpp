#include "tenebra/rendezvous/identity.hpp"

#include <algorithm>
#include <string>

namespace tenebra::rendezvous {

namespace {

// Offsets inside the secret encoding.
constexpr std::size_t kSeedAt = 1;
constexpr std::size_t kAgreementSecretAt = kSeedAt + kSigningSeedBytes;
constexpr std::size_t kSigningPublicAt = kAgreementSecretAt + kAgreementSecretBytes;
constexpr std::size_t kAgreementPublicAt = kSigningPublicAt + kSigningPublicBytes;

bool same_bytes(ByteView a, ByteView b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Identity Identity::generate(Random& rng) {
  SigningSeed seed;
  AgreementSecret agreement;
  rng.fill(seed.span());
  rng.fill(agreement.span());
  auto identity = from_secrets(seed, agreement);
  // crypto_scalarmult_base fails only for a scalar that clamps to zero, which
  // clamping makes impossible; draw again rather than return a broken pair.
  while (!identity) {
    rng.fill(agreement.span());
    identity = from_secrets(seed, agreement);
  }
  return std::move(identity).value();
}

Result<Identity> Identity::from_secrets(const SigningSeed& signing_seed, const AgreementSecret& agreement_secret) {
  Identity identity;
  crypto_sign_seed_keypair(identity.m_public.signing.data(), identity.m_signing_secret.data(), signing_seed.data());
  identity.m_agreement_secret = agreement_secret.clone();
  if (crypto_scalarmult_base(identity.m_public.agreement.data(), identity.m_agreement_secret.data()) != 0) {
    return make_error(Errc::crypto, "the X25519 secret gives no usable public key");
  }
  return identity;
}

Identity Identity::clone() const {
  Identity copy;
  copy.m_signing_secret = m_signing_secret.clone();
  copy.m_agreement_secret = m_agreement_secret.clone();
  copy.m_public = m_public;
  return copy;
}

Identity new_group_alias(Random& rng) {
  return Identity::generate(rng);
}

IdentitySecretEncoding encode_identity_secret(const Identity& identity) {
  IdentitySecretEncoding out;
  auto bytes = out.span();
  bytes[0] = kIdentitySecretVersion;
  // libsodium's Ed25519 secret starts with the seed.
  std::copy_n(identity.signing_secret().data(), kSigningSeedBytes, bytes.begin() + kSeedAt);
  std::copy_n(identity.agreement_secret().data(), kAgreementSecretBytes, bytes.begin() + kAgreementSecretAt);
  std::copy_n(identity.public_keys().signing.begin(), kSigningPublicBytes, bytes.begin() + kSigningPublicAt);
  std::copy_n(identity.public_keys().agreement.begin(), kAgreementPublicBytes, bytes.begin() + kAgreementPublicAt);
  return out;
}

Result<Identity> decode_identity_secret(ByteView encoded) {
  if (encoded.size() != kIdentitySecretEncodingBytes) {
    return make_error(Errc::malformed, "a stored identity has " + std::to_string(kIdentitySecretEncodingBytes) +
                                           " bytes, got " + std::to_string(encoded.size()));
  }
  if (encoded[0] != kIdentitySecretVersion) {
    return make_error(Errc::unsupported, "unknown stored identity version " + std::to_string(encoded[0]));
  }
  const SigningSeed seed(encoded.subspan<kSeedAt, kSigningSeedBytes>());
  const AgreementSecret agreement(encoded.subspan<kAgreementSecretAt, kAgreementSecretBytes>());
  auto identity = Identity::from_secrets(seed, agreement);
  if (!identity) return std::move(identity).error();
  if (!same_bytes(identity->public_keys().signing, encoded.subspan(kSigningPublicAt, kSigningPublicBytes)) ||
      !same_bytes(identity->public_keys().agreement, encoded.subspan(kAgreementPublicAt, kAgreementPublicBytes))) {
    return make_error(Errc::crypto, "stored identity is corrupt: its public keys do not match its secrets");
  }
  return identity;
}

Bytes encode_identity_public(const IdentityPublic& keys) {
  Bytes out;
  out.reserve(kIdentityPublicEncodingBytes);
  ByteWriter writer(out);
  writer.u8(kIdentityPublicVersion);
  writer.bytes(keys.signing);
  writer.bytes(keys.agreement);
  return out;
}

Result<IdentityPublic> decode_identity_public(ByteView encoded) {
  if (encoded.size() != kIdentityPublicEncodingBytes) {
    return make_error(Errc::malformed, "a public identity has " + std::to_string(kIdentityPublicEncodingBytes) +
                                           " bytes, got " + std::to_string(encoded.size()));
  }
  if (encoded[0] != kIdentityPublicVersion) {
    return make_error(Errc::unsupported, "unknown public identity version " + std::to_string(encoded[0]));
  }
  IdentityPublic keys;
  std::copy_n(encoded.begin() + 1, kSigningPublicBytes, keys.signing.begin());
  std::copy_n(encoded.begin() + 1 + kSigningPublicBytes, kAgreementPublicBytes, keys.agreement.begin());
  if (crypto_core_ed25519_is_valid_point(keys.signing.data()) != 1) {
    return make_error(Errc::malformed, "the signing key of a public identity is not a valid Ed25519 key");
  }
  if (is_all_zero(keys.agreement)) {
    return make_error(Errc::malformed, "the agreement key of a public identity is zero");
  }
  return keys;
}

}  // namespace tenebra::rendezvous
