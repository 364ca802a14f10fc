// Local identities (docs/rendezvous.md §2): no phone number, e-mail or
// registration; an identity is key material made on this machine.
//
// An Identity holds an Ed25519 signing key pair and an X25519 key-agreement
// key pair, each drawn from its own 32 fresh bytes of Random&. A group alias
// is a fresh, independent Identity (new_group_alias): it is never derived
// from another identity, so no computation links a user's aliases.
// The secret part has a strict, fixed-size encoding for the client store
// (decode re-derives both public keys and checks them against the stored
// ones); the public part has its own. Secrets wipe themselves.
// Thread-safety: plain value types and pure functions.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"

namespace tenebra::rendezvous {

inline constexpr std::size_t kSigningPublicBytes = crypto_sign_PUBLICKEYBYTES;  // 32
inline constexpr std::size_t kSigningSeedBytes = crypto_sign_SEEDBYTES;         // 32
inline constexpr std::size_t kSigningSecretBytes = crypto_sign_SECRETKEYBYTES;  // 64: seed || public
inline constexpr std::size_t kAgreementPublicBytes = crypto_scalarmult_BYTES;   // 32
inline constexpr std::size_t kAgreementSecretBytes = crypto_scalarmult_SCALARBYTES;

inline constexpr std::uint8_t kIdentitySecretVersion = 0x01;
inline constexpr std::uint8_t kIdentityPublicVersion = 0x01;
// version || signing seed || agreement secret || signing public || agreement public
inline constexpr std::size_t kIdentitySecretEncodingBytes =
    1 + kSigningSeedBytes + kAgreementSecretBytes + kSigningPublicBytes + kAgreementPublicBytes;
// version || signing public || agreement public
inline constexpr std::size_t kIdentityPublicEncodingBytes = 1 + kSigningPublicBytes + kAgreementPublicBytes;

using SigningPublicKey = std::array<std::uint8_t, kSigningPublicBytes>;
using AgreementPublicKey = std::array<std::uint8_t, kAgreementPublicBytes>;
using SigningSeed = SecretArray<kSigningSeedBytes>;
using AgreementSecret = SecretArray<kAgreementSecretBytes>;
using IdentitySecretEncoding = SecretArray<kIdentitySecretEncodingBytes>;

// What others may know of an identity.
struct IdentityPublic {
  SigningPublicKey signing{};
  AgreementPublicKey agreement{};
  bool operator==(const IdentityPublic&) const = default;
};

class Identity {
 public:
  // 32 bytes from `rng` seed the Ed25519 pair (crypto_sign_seed_keypair),
  // the next 32 are the X25519 secret (public = crypto_scalarmult_base).
  static Identity generate(Random& rng);
  // The same from given secrets (known-answer tests, the store decoder).
  // Errc::crypto if the X25519 secret gives no usable public key.
  [[nodiscard]] static Result<Identity> from_secrets(const SigningSeed& signing_seed,
                                                     const AgreementSecret& agreement_secret);

  Identity(Identity&&) noexcept = default;
  Identity& operator=(Identity&&) noexcept = default;
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
  ~Identity() = default;

  const IdentityPublic& public_keys() const noexcept { return m_public; }
  // libsodium's 64-byte Ed25519 secret (seed || public), for crypto_sign_detached.
  const SecretArray<kSigningSecretBytes>& signing_secret() const noexcept { return m_signing_secret; }
  const AgreementSecret& agreement_secret() const noexcept { return m_agreement_secret; }
  Identity clone() const;

 private:
  Identity() = default;
  SecretArray<kSigningSecretBytes> m_signing_secret;
  AgreementSecret m_agreement_secret;
  IdentityPublic m_public;
};

// A per-group alias: a fresh independent Identity, sharing nothing with any
// other identity of the user (same as Identity::generate; the name says why).
Identity new_group_alias(Random& rng);

// Fixed-size encoding of the whole identity, secrets included, for the
// encrypted client store. The result wipes itself.
IdentitySecretEncoding encode_identity_secret(const Identity& identity);
// Strict: exact length, known version, and both stored public keys equal to
// the ones re-derived from the secrets (Errc::crypto otherwise).
[[nodiscard]] Result<Identity> decode_identity_secret(ByteView encoded);

Bytes encode_identity_public(const IdentityPublic& keys);
// Strict: exact length, known version, a valid Ed25519 point of large order
// and a non-zero X25519 key.
[[nodiscard]] Result<IdentityPublic> decode_identity_public(ByteView encoded);

}  // namespace tenebra::rendezvous
