// A node's long-term identity: one Ed25519 key pair, published in its
// directory descriptor (which it signs) and proved on every link it opens or
// accepts. Clients have none on links. The secret (libsodium's 64-byte
// seed || public form) wipes itself. Thread-safety: plain value types.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <span>

#include "tenebra/core/random.hpp"
#include "tenebra/core/secret.hpp"

namespace tenebra::router {

inline constexpr std::size_t kIdentityPublicBytes = crypto_sign_PUBLICKEYBYTES;
inline constexpr std::size_t kIdentitySeedLength = crypto_sign_SEEDBYTES;
inline constexpr std::size_t kIdentitySecretLength = crypto_sign_SECRETKEYBYTES;

using IdentityPublicKey = std::array<std::uint8_t, kIdentityPublicBytes>;

struct IdentityKeyPair {
  SecretArray<kIdentitySecretLength> secret;
  IdentityPublicKey public_key{};

  // Draws a 32-byte seed from `rng`.
  static IdentityKeyPair generate(Random& rng);
  static IdentityKeyPair from_seed(std::span<const std::uint8_t, kIdentitySeedLength> seed);
};

}  // namespace tenebra::router
