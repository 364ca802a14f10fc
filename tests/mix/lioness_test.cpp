#include "tenebra/mix/lioness.hpp"

#include <gtest/gtest.h>

#include <bit>

#include "tenebra/core/random.hpp"

namespace tenebra::mix::sphinx {
namespace {

std::size_t differing_bits(ByteView a, ByteView b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    n += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(a[i] ^ b[i])));
  return n;
}

TEST(Lioness, RoundTrip) {
  DeterministicRandom rng(1);
  SecretKey32 key;
  rng.fill(key.span());
  for (std::size_t size : {33u, 64u, 2064u}) {
    Bytes plain(size);
    rng.fill(plain);
    Bytes block = plain;
    lioness_encrypt(key, block);
    EXPECT_NE(block, plain);
    lioness_decrypt(key, block);
    EXPECT_EQ(block, plain);
  }
}

TEST(Lioness, OneFlippedCiphertextBitGarblesTheWholeBlock) {
  DeterministicRandom rng(2);
  SecretKey32 key;
  rng.fill(key.span());
  const Bytes plain(2064, 0);
  Bytes cipher = plain;
  lioness_encrypt(key, cipher);
  for (std::size_t pos : {0u, 31u, 32u, 1000u, 2063u}) {
    Bytes tampered = cipher;
    tampered[pos] ^= 0x01;
    lioness_decrypt(key, tampered);
    // About half of all bits change, in both halves and in every 64-byte chunk.
    const std::size_t bits = differing_bits(tampered, plain);
    EXPECT_GT(bits, 2064u * 8 * 45 / 100) << pos;
    EXPECT_LT(bits, 2064u * 8 * 55 / 100) << pos;
    for (std::size_t chunk = 0; chunk < 2064; chunk += 64) {
      const std::size_t len = std::min<std::size_t>(64, 2064 - chunk);
      EXPECT_GT(differing_bits(ByteView(tampered).subspan(chunk, len), ByteView(plain).subspan(chunk, len)), 0u);
    }
  }
}

TEST(Lioness, DifferentKeysDifferentCiphertexts) {
  SecretKey32 a, b;
  b.span()[0] = 1;
  Bytes x(64, 7), y(64, 7);
  lioness_encrypt(a, x);
  lioness_encrypt(b, y);
  EXPECT_NE(x, y);
}

}  // namespace
}  // namespace tenebra::mix::sphinx
