// Primitives of the session protocol (private to rendezvous/): keyed,
// personalised BLAKE2b over length-prefixed inputs, X25519 and the
// XChaCha20-Poly1305-IETF AEAD, as docs/messaging.md §3 specifies them.
// All from libsodium.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <initializer_list>
#include <limits>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/rendezvous/session_constants.hpp"

namespace tenebra::rendezvous::session::detail {

// Appends u16_be(len(part)) || part for each part: the length-prefixed
// encoding every derivation hashes, so no two input lists collide.
inline void append_prefixed(Bytes& out, std::initializer_list<ByteView> parts) {
  for (const ByteView part : parts) {
    out.push_back(static_cast<std::uint8_t>(part.size() >> 8U));
    out.push_back(static_cast<std::uint8_t>(part.size() & 0xFFU));
    out.insert(out.end(), part.begin(), part.end());
  }
}

// out = BLAKE2b(out.size(), key = key, salt = 0^16, personal = label,
// message); an empty key means unkeyed.
inline void blake2b(MutableByteView out, ByteView key, const Label& label, ByteView message) noexcept {
  static_assert(sizeof(Label) == crypto_generichash_blake2b_PERSONALBYTES);
  crypto_generichash_blake2b_salt_personal(out.data(), out.size(), message.data(), message.size(),
                                           key.empty() ? nullptr : key.data(), key.size(), nullptr,
                                           reinterpret_cast<const unsigned char*>(label.data()));
}

inline SecretKey32 derive_key(ByteView key, const Label& label, ByteView message) noexcept {
  SecretKey32 out;
  blake2b(out.span(), key, label, message);
  return out;
}

// out = X25519(scalar, point); false when the result is all zero (a
// low-order point), which every caller treats as a failed agreement.
[[nodiscard]] inline bool x25519(SecretKey32& out, const SecretKey32& scalar, ByteView point) noexcept {
  if (point.size() != crypto_scalarmult_curve25519_BYTES) return false;
  return crypto_scalarmult_curve25519(out.data(), scalar.data(), point.data()) == 0;
}

// The public key of an X25519 secret.
inline void x25519_base(MutableByteView public_out, const SecretKey32& scalar) noexcept {
  crypto_scalarmult_curve25519_base(public_out.data(), scalar.data());
}

// XChaCha20-Poly1305-IETF in place: `text` is encrypted, the tag written to
// `tag` (16 bytes).
inline void aead_seal(const SecretKey32& key, ByteView nonce, ByteView ad, MutableByteView text,
                      MutableByteView tag) noexcept {
  unsigned long long tag_length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached(text.data(), tag.data(), &tag_length, text.data(), text.size(),
                                                      ad.data(), ad.size(), nullptr, nonce.data(), key.data());
}

// Decrypts `text` in place when the tag verifies; false (and `text`
// unspecified: callers wipe it) otherwise.
[[nodiscard]] inline bool aead_open(const SecretKey32& key, ByteView nonce, ByteView ad, MutableByteView text,
                                    ByteView tag) noexcept {
  return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(text.data(), nullptr, text.data(), text.size(), tag.data(),
                                                             ad.data(), ad.size(), nonce.data(), key.data()) == 0;
}

}  // namespace tenebra::rendezvous::session::detail
