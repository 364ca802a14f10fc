// Primitives of the link protocol (private to router/): the transcript hash,
// the key derivation and the AEAD with counter nonces, as docs/link.md
// specifies them. All from libsodium.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/router/link_constants.hpp"
#include "tenebra/router/link_identity.hpp"

namespace tenebra::router::link::detail {

using Hash = std::array<std::uint8_t, kHashBytes>;
using Nonce = std::array<std::uint8_t, kNonceBytes>;

// BLAKE2b(out.size(), message, key, salt = 0^16, personal = label); an empty
// key means unkeyed.
inline void blake2b(MutableByteView out, ByteView key, const Label& label, ByteView message) {
  static_assert(sizeof(Label) == crypto_generichash_blake2b_PERSONALBYTES);
  crypto_generichash_blake2b_salt_personal(out.data(), out.size(), message.data(), message.size(),
                                           key.empty() ? nullptr : key.data(), key.size(), nullptr,
                                           reinterpret_cast<const unsigned char*>(label.data()));
}

// h' = HASH(h || data): BLAKE2b-256, unkeyed, personal = link-h.
Hash mix_hash(const Hash& h, ByteView data);

// The prologue hash h0 (docs/link.md §4).
Hash initial_hash(const NetworkId& network, const mix::sphinx::Geometry& geometry, const IdentityPublicKey& responder);

// KDF(ikm, label, h) = BLAKE2b-256(key = ikm, personal = label, message = h).
SecretKey32 kdf(const SecretKey32& ikm, const Label& label, const Hash& h);

// 0^4 || counter (u64 BE).
Nonce counter_nonce(std::uint64_t counter) noexcept;

// ChaCha20-Poly1305 IETF, in place: `text` then the 16-byte tag in `tag`.
void aead_seal(const SecretKey32& key, std::uint64_t counter, ByteView ad, MutableByteView text,
               MutableByteView tag) noexcept;
[[nodiscard]] bool aead_open(const SecretKey32& key, std::uint64_t counter, ByteView ad, MutableByteView text,
                             ByteView tag) noexcept;

// X25519(scalar, point); false on a low-order point (all-zero result).
[[nodiscard]] bool x25519(SecretKey32& out, const SecretKey32& scalar, ByteView point) noexcept;

// The message an Ed25519 handshake signature covers: label(16) || h(32).
std::array<std::uint8_t, sizeof(Label) + kHashBytes> signed_message(const Label& label, const Hash& h);

}  // namespace tenebra::router::link::detail
