#include "../../onion/src/encoding.hpp"

#include <gtest/gtest.h>

namespace tenebra::onion::detail {
namespace {

// RFC 4648 §10 test vectors, lowercased and without padding.
TEST(Base32, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "my"},
      {"fo", "mzxq"},
      {"foo", "mzxw6"},
      {"foob", "mzxw6yq"},
      {"fooba", "mzxw6ytb"},
      {"foobar", "mzxw6ytboi"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base32_encode_lower(as_bytes(plain)), encoded);
    auto decoded = base32_decode_lower(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), plain);
  }
}

TEST(Base32, RejectsBadInput) {
  EXPECT_FALSE(base32_decode_lower("MZXQ").ok());      // upper case
  EXPECT_FALSE(base32_decode_lower("mzx1").ok());      // '1' is not in the alphabet
  EXPECT_FALSE(base32_decode_lower("mzxq====").ok());  // padding
  EXPECT_FALSE(base32_decode_lower("m").ok());         // impossible length
  EXPECT_FALSE(base32_decode_lower("mzx").ok());
  EXPECT_FALSE(base32_decode_lower("mzxw6y").ok());
  EXPECT_FALSE(base32_decode_lower("mz").ok());  // "f" is "my": non-zero unused bits
}

TEST(Base64, StandardAlphabetWithPadding) {
  EXPECT_EQ(base64_encode(as_bytes("foob")), "Zm9vYg==");
  auto decoded = base64_decode("Zm9vYg==");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::string(decoded->begin(), decoded->end()), "foob");
  EXPECT_FALSE(base64_decode("Zm9vYg").ok());    // padding required
  EXPECT_FALSE(base64_decode("Zm9vYh==").ok());  // non-zero unused bits
  EXPECT_FALSE(base64_decode("Zm9v Yg==").ok());
  EXPECT_FALSE(base64_decode("Zm9vYg==Zm9v").ok());
}

TEST(I2pBase64Detail, SwapsTheOddCharacters) {
  const Bytes data{0xfb, 0xef, 0xff};
  EXPECT_EQ(base64_encode(data), "++//");
  EXPECT_EQ(i2p_base64_encode(data), "--~~");
  EXPECT_EQ(*i2p_base64_decode("--~~"), data);
  EXPECT_FALSE(i2p_base64_decode("++//").ok());
}

}  // namespace
}  // namespace tenebra::onion::detail
