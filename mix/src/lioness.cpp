#include "tenebra/mix/lioness.hpp"

#include <sodium.h>

#include <cstdlib>

#include "blake2b.hpp"

namespace tenebra::mix::sphinx {
namespace {

constexpr std::size_t kLeftBytes = 32;  // |L| = hash output = stream key size
constexpr std::uint8_t kZeroNonce[crypto_stream_chacha20_NONCEBYTES] = {};

struct RoundKeys {
  SecretKey32 k1, k2, k3, k4;
  explicit RoundKeys(const SecretKey32& key)
      : k1(detail::derive_key(key, kLabelLionessK1)),
        k2(detail::derive_key(key, kLabelLionessK2)),
        k3(detail::derive_key(key, kLabelLionessK3)),
        k4(detail::derive_key(key, kLabelLionessK4)) {}
};

// R ^= ChaCha20(key = L ^ k, nonce = 0)
void stream_round(MutableByteView left, MutableByteView right, const SecretKey32& k) {
  SecretKey32 round_key;
  for (std::size_t i = 0; i < kLeftBytes; ++i) round_key.data()[i] = left[i] ^ k.data()[i];
  crypto_stream_chacha20_xor(right.data(), right.data(), right.size(), kZeroNonce, round_key.data());
}

// L ^= BLAKE2b-256(key = k, personal = lion-h, message = R)
void hash_round(MutableByteView left, ByteView right, const SecretKey32& k) {
  std::uint8_t digest[kLeftBytes];
  detail::keyed_blake2b(digest, k.view(), kLabelLionessHash, right);
  for (std::size_t i = 0; i < kLeftBytes; ++i) left[i] ^= digest[i];
  sodium_memzero(digest, sizeof digest);
}

void check_block(MutableByteView block) {
  // Block sizes come from a validated Geometry; a short block is a bug.
  if (block.size() < kLionessMinBlockBytes) std::abort();
}

}  // namespace

void lioness_encrypt(const SecretKey32& key, MutableByteView block) {
  check_block(block);
  const RoundKeys keys(key);
  auto left = block.first(kLeftBytes);
  auto right = block.subspan(kLeftBytes);
  stream_round(left, right, keys.k1);
  hash_round(left, right, keys.k2);
  stream_round(left, right, keys.k3);
  hash_round(left, right, keys.k4);
}

void lioness_decrypt(const SecretKey32& key, MutableByteView block) {
  check_block(block);
  const RoundKeys keys(key);
  auto left = block.first(kLeftBytes);
  auto right = block.subspan(kLeftBytes);
  hash_round(left, right, keys.k4);
  stream_round(left, right, keys.k3);
  hash_round(left, right, keys.k2);
  stream_round(left, right, keys.k1);
}

}  // namespace tenebra::mix::sphinx
