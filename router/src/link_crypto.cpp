#include "link_crypto.hpp"

#include <algorithm>

namespace tenebra::router::link::detail {

Hash mix_hash(const Hash& h, ByteView data) {
  crypto_generichash_blake2b_state state;
  crypto_generichash_blake2b_init_salt_personal(&state, nullptr, 0, kHashBytes, nullptr,
                                                reinterpret_cast<const unsigned char*>(kLabelTranscript.data()));
  crypto_generichash_blake2b_update(&state, h.data(), h.size());
  crypto_generichash_blake2b_update(&state, data.data(), data.size());
  Hash out{};
  crypto_generichash_blake2b_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof state);
  return out;
}

Hash initial_hash(const NetworkId& network, const mix::sphinx::Geometry& geometry, const IdentityPublicKey& responder) {
  Bytes prologue;
  ByteWriter writer(prologue);
  writer.u8(kLinkVersion);
  writer.bytes(network);
  writer.u32_be(static_cast<std::uint32_t>(geometry.max_hops()));
  writer.u32_be(static_cast<std::uint32_t>(geometry.payload_bytes()));
  writer.bytes(responder);
  Hash out{};
  blake2b(out, {}, kLabelTranscript, prologue);
  return out;
}

SecretKey32 kdf(const SecretKey32& ikm, const Label& label, const Hash& h) {
  SecretKey32 out;
  blake2b(out.span(), ikm.view(), label, h);
  return out;
}

Nonce counter_nonce(std::uint64_t counter) noexcept {
  Nonce nonce{};
  for (std::size_t i = 0; i < 8; ++i) nonce[kNonceBytes - 1 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
  return nonce;
}

void aead_seal(const SecretKey32& key, std::uint64_t counter, ByteView ad, MutableByteView text,
               MutableByteView tag) noexcept {
  const Nonce nonce = counter_nonce(counter);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(text.data(), tag.data(), nullptr, text.data(), text.size(),
                                                     ad.data(), ad.size(), nullptr, nonce.data(), key.data());
}

bool aead_open(const SecretKey32& key, std::uint64_t counter, ByteView ad, MutableByteView text,
               ByteView tag) noexcept {
  if (tag.size() != kTagBytes) return false;
  const Nonce nonce = counter_nonce(counter);
  return crypto_aead_chacha20poly1305_ietf_decrypt_detached(text.data(), nullptr, text.data(), text.size(), tag.data(),
                                                            ad.data(), ad.size(), nonce.data(), key.data()) == 0;
}

bool x25519(SecretKey32& out, const SecretKey32& scalar, ByteView point) noexcept {
  if (point.size() != kEphemeralBytes) return false;
  return crypto_scalarmult(out.data(), scalar.data(), point.data()) == 0;
}

std::array<std::uint8_t, sizeof(Label) + kHashBytes> signed_message(const Label& label, const Hash& h) {
  std::array<std::uint8_t, sizeof(Label) + kHashBytes> out{};
  std::copy(label.begin(), label.end(), out.begin());
  std::copy(h.begin(), h.end(), out.begin() + sizeof(Label));
  return out;
}

}  // namespace tenebra::router::link::detail
