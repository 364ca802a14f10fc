#include "tenebra/core/bytes.hpp"

#include <gtest/gtest.h>

namespace tenebra {
namespace {

TEST(Hex, RoundTrip) {
  const Bytes data{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(to_hex(data), "0001abff");
  auto back = from_hex("0001abff");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
}

TEST(Hex, RejectsOddLengthAndNonHex) {
  EXPECT_EQ(from_hex("abc").error().code, Errc::malformed);
  EXPECT_EQ(from_hex("zz").error().code, Errc::malformed);
  EXPECT_EQ(from_hex("0g").error().code, Errc::malformed);
}

TEST(Hex, ArrayFromHexChecksLength) {
  EXPECT_TRUE(array_from_hex<2>("abcd").ok());
  EXPECT_FALSE(array_from_hex<3>("abcd").ok());
}

TEST(ByteReader, ReadsBigEndianAndStopsAtEnd) {
  const Bytes data{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader reader(data);
  EXPECT_EQ(*reader.u8(), 0x01);
  EXPECT_EQ(*reader.u16_be(), 0x0203);
  EXPECT_EQ(*reader.u32_be(), 0x04050607u);
  EXPECT_TRUE(reader.at_end());
  auto past = reader.u8();
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, Errc::malformed);
}

TEST(ByteReader, TakeNeverReadsPastTheView) {
  const Bytes data(10, 0xaa);
  ByteReader reader(ByteView(data).first(4));
  EXPECT_FALSE(reader.take(5).ok());
  EXPECT_EQ(reader.remaining(), 4u);  // a failed take consumes nothing
  EXPECT_TRUE(reader.take(4).ok());
}

TEST(ByteWriter, WritesBigEndian) {
  Bytes out;
  ByteWriter writer(out);
  writer.u16_be(0x0102);
  writer.u32_be(0x03040506);
  writer.u64_be(0x0708090a0b0c0d0eULL);
  EXPECT_EQ(to_hex(out), "0102030405060708090a0b0c0d0e");
}

TEST(IsAllZero, DetectsAnyNonZeroByte) {
  Bytes z(64, 0);
  EXPECT_TRUE(is_all_zero(z));
  z[63] = 1;
  EXPECT_FALSE(is_all_zero(z));
}

}  // namespace
}  // namespace tenebra
