#include "tenebra/onion/i2p_destination.hpp"

#include <gtest/gtest.h>

#include "i2p_test_vectors.hpp"
#include "tenebra/onion/sam_constants.hpp"

namespace tenebra::onion::sam {
namespace {

using test::kB32;
using test::kPriv;
using test::kPub;

Bytes destination_bytes(std::uint8_t cert_type, std::uint16_t cert_length, std::size_t extra = 0) {
  Bytes out(kPublicKeyBytes + kSigningKeyBytes, 0x42);
  out.push_back(cert_type);
  out.push_back(static_cast<std::uint8_t>(cert_length >> 8));
  out.push_back(static_cast<std::uint8_t>(cert_length));
  out.resize(out.size() + cert_length + extra, 0);
  return out;
}

TEST(I2pBase64, Alphabet) {
  EXPECT_TRUE(is_i2p_base64("AAAA"));
  EXPECT_TRUE(is_i2p_base64("-~09"));
  EXPECT_TRUE(is_i2p_base64("AA=="));
  EXPECT_TRUE(is_i2p_base64("AAA="));
  EXPECT_FALSE(is_i2p_base64(""));
  EXPECT_FALSE(is_i2p_base64("AAA"));   // not a multiple of 4
  EXPECT_FALSE(is_i2p_base64("A+/A"));  // standard alphabet
  EXPECT_FALSE(is_i2p_base64("A_AA"));  // URL-safe alphabet
  EXPECT_FALSE(is_i2p_base64("A==="));  // too much padding
  EXPECT_FALSE(is_i2p_base64("A=AA"));  // padding inside
  EXPECT_FALSE(is_i2p_base64("AA A"));
}

TEST(I2pBase64, RoundTripAndStrictDecoding) {
  const Bytes data{0xfb, 0xff, 0xbf, 0x00, 0x01};
  const std::string text = encode_i2p_base64(data);
  EXPECT_EQ(text, "-~-~AAE=");
  auto decoded = decode_i2p_base64(text);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, data);
  EXPECT_FALSE(decode_i2p_base64("AB==").ok());  // non-zero unused bits
  EXPECT_FALSE(decode_i2p_base64("+/==").ok());
}

TEST(I2pDestination, VectorIsPublic) {
  EXPECT_EQ(kPub.size(), 524U);
  EXPECT_TRUE(check_public_destination(kPub).ok());
  EXPECT_FALSE(check_private_destination(kPub).ok());  // no private keys after it
}

TEST(I2pDestination, VectorIsPrivate) {
  EXPECT_TRUE(check_private_destination(kPriv).ok());
  EXPECT_FALSE(check_public_destination(kPriv).ok());  // bytes after the certificate
}

TEST(I2pDestination, LengthFollowsCertificate) {
  EXPECT_EQ(destination_length(destination_bytes(kCertificateTypeNull, 0)).value(), 387U);
  EXPECT_EQ(destination_length(destination_bytes(kCertificateTypeKey, 4)).value(), 391U);
  EXPECT_EQ(destination_length(destination_bytes(kCertificateTypeKey, 4, 100)).value(), 391U);
}

TEST(I2pDestination, BadCertificates) {
  EXPECT_FALSE(destination_length(Bytes(386, 0)).ok());
  EXPECT_FALSE(destination_length(destination_bytes(6, 0)).ok());
  EXPECT_FALSE(destination_length(destination_bytes(kCertificateTypeNull, 1)).ok());
  EXPECT_FALSE(destination_length(destination_bytes(kCertificateTypeKey, 3)).ok());
  Bytes truncated = destination_bytes(kCertificateTypeKey, 4);
  truncated.pop_back();
  EXPECT_FALSE(destination_length(truncated).ok());
  Bytes huge_claim = destination_bytes(kCertificateTypeKey, 4);
  huge_claim[385] = 0xFF;
  EXPECT_FALSE(destination_length(huge_claim).ok());
}

TEST(I2pDestination, RejectsGarbageText) {
  EXPECT_FALSE(check_public_destination("").ok());
  EXPECT_FALSE(check_public_destination("AAAA").ok());
  std::string standard_alphabet(kPub);
  standard_alphabet[standard_alphabet.find('~')] = '/';
  EXPECT_FALSE(check_public_destination(standard_alphabet).ok());
  EXPECT_FALSE(check_public_destination(std::string(kMaxDestinationBase64Chars + 4, 'A')).ok());
}

TEST(I2pB32, MatchesPythonVector) {
  auto address = b32_address(kPub);
  ASSERT_TRUE(address.ok()) << address.error().message;
  EXPECT_EQ(*address, kB32);
  EXPECT_EQ(address->size(), kB32HashChars + kB32Suffix.size());
}

TEST(I2pB32, RefusesNonDestinations) {
  EXPECT_FALSE(b32_address(kPriv).ok());
  EXPECT_FALSE(b32_address("AAAA").ok());
}

}  // namespace
}  // namespace tenebra::onion::sam
