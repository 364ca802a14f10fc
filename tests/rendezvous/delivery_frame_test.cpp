#include "tenebra/rendezvous/delivery_frame.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

namespace tenebra::rendezvous::delivery {
namespace {

constexpr std::size_t kSmall = 128;     // the smallest capacity: 65 data bytes per fragment, 13 ack ranges
constexpr std::size_t kDefault = 1980;  // about the default geometry's envelope capacity

MessageId id_of(std::uint8_t seed) {
  MessageId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(seed + i);
  return id;
}

// Fragment `index` of a message of `total` bytes (byte i of the message is i mod 251).
FragmentFrame fragment_of(std::size_t capacity, std::uint32_t total, std::uint32_t index) {
  FragmentFrame fragment;
  fragment.message_id = id_of(1);
  fragment.total_length = total;
  fragment.count = static_cast<std::uint32_t>(fragment_count(total, capacity));
  fragment.index = index;
  fragment.digest.fill(0xD1);
  const std::size_t full = fragment_data_bytes(capacity);
  const std::size_t begin = std::size_t{index} * full;
  const std::size_t end = std::min<std::size_t>(total, begin + full);
  for (std::size_t i = begin; i < end; ++i) fragment.data.push_back(static_cast<std::uint8_t>(i % 251));
  return fragment;
}

Bytes encode(std::size_t capacity, const DeliveryFrame& frame) {
  auto encoded = encode_delivery_frame(capacity, frame);
  EXPECT_TRUE(encoded.ok()) << (encoded.ok() ? "" : encoded.error().message);
  return encoded.ok() ? *encoded : Bytes{};
}

void expect_round_trip(std::size_t capacity, const DeliveryFrame& frame) {
  const Bytes encoded = encode(capacity, frame);
  ASSERT_EQ(encoded.size(), capacity);
  auto decoded = decode_delivery_frame(capacity, encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, frame);
  EXPECT_EQ(encode(capacity, *decoded), encoded);
}

Errc decode_error(std::size_t capacity, const Bytes& frame) {
  auto decoded = decode_delivery_frame(capacity, frame);
  EXPECT_FALSE(decoded.ok());
  return decoded.ok() ? Errc::internal : decoded.error().code;
}

// Encodes a valid frame, lets `edit` break its bytes, and expects malformed.
void expect_malformed_after(std::size_t capacity, const DeliveryFrame& frame, const std::function<void(Bytes&)>& edit,
                            const char* what) {
  Bytes bytes = encode(capacity, frame);
  edit(bytes);
  EXPECT_EQ(decode_error(capacity, bytes), Errc::malformed) << what;
}

TEST(DeliveryFrame, SizesFollowTheCapacity) {
  EXPECT_FALSE(check_frame_capacity(127).ok());
  EXPECT_TRUE(check_frame_capacity(128).ok());
  EXPECT_TRUE(check_frame_capacity(65536).ok());
  EXPECT_FALSE(check_frame_capacity(65537).ok());
  EXPECT_EQ(kFragmentHeaderBytes, 63U);
  EXPECT_EQ(fragment_data_bytes(kSmall), 65U);
  EXPECT_EQ(fragment_data_bytes(kDefault), 1917U);
  EXPECT_EQ(max_ack_ranges(kSmall), 13U);
  EXPECT_EQ(max_ack_ranges(kDefault), 245U);
  EXPECT_EQ(fragment_count(1, kSmall), 1U);
  EXPECT_EQ(fragment_count(65, kSmall), 1U);
  EXPECT_EQ(fragment_count(66, kSmall), 2U);
  EXPECT_EQ(fragment_count(0, kSmall), 0U);
  EXPECT_FALSE(make_padding_frame(100).ok());
  EXPECT_FALSE(encode_delivery_frame(100, PaddingFrame{}).ok());
  EXPECT_EQ(decode_error(100, Bytes(100, 0)), Errc::invalid_argument);
}

TEST(DeliveryFrame, PaddingIsAllZero) {
  auto padding = make_padding_frame(kSmall);
  ASSERT_TRUE(padding.ok());
  EXPECT_EQ(*padding, Bytes(kSmall, 0));
  expect_round_trip(kSmall, PaddingFrame{});
  Bytes dirty(kSmall, 0);
  dirty[kSmall - 1] = 1;
  EXPECT_EQ(decode_error(kSmall, dirty), Errc::malformed);
}

TEST(DeliveryFrame, FragmentHasItsByteLayout) {
  const FragmentFrame fragment = fragment_of(kSmall, 100, 1);  // the last of two: 35 bytes
  const Bytes bytes = encode(kSmall, fragment);
  ASSERT_EQ(bytes.size(), kSmall);
  EXPECT_EQ(bytes[0], 0x01);
  EXPECT_TRUE(std::equal(fragment.message_id.begin(), fragment.message_id.end(), bytes.begin() + 1));
  EXPECT_EQ(load_u32_be(ByteView(bytes).subspan(17, 4)), 1U);    // index
  EXPECT_EQ(load_u32_be(ByteView(bytes).subspan(21, 4)), 2U);    // count
  EXPECT_EQ(load_u32_be(ByteView(bytes).subspan(25, 4)), 100U);  // total_length
  EXPECT_EQ(bytes[29], 0xD1);                                    // digest
  EXPECT_EQ(bytes[60], 0xD1);
  EXPECT_EQ(bytes[61], 0);  // u16 data length
  EXPECT_EQ(bytes[62], 35);
  EXPECT_EQ(bytes[63], 65);  // message byte 65
  EXPECT_TRUE(is_all_zero(ByteView(bytes).subspan(63 + 35)));
}

TEST(DeliveryFrame, FragmentsRoundTrip) {
  expect_round_trip(kSmall, fragment_of(kSmall, 1, 0));
  expect_round_trip(kSmall, fragment_of(kSmall, 65, 0));
  expect_round_trip(kSmall, fragment_of(kSmall, 100, 0));
  expect_round_trip(kSmall, fragment_of(kSmall, 100, 1));
  expect_round_trip(kDefault, fragment_of(kDefault, 10000, 5));
  expect_round_trip(kMaxFrameCapacity, fragment_of(kMaxFrameCapacity, 70000, 1));
  const auto largest = static_cast<std::uint32_t>(kMaxMessageBytes);
  expect_round_trip(kSmall,
                    fragment_of(kSmall, largest, static_cast<std::uint32_t>(fragment_count(largest, kSmall) - 1)));
}

TEST(DeliveryFrame, AcksHaveTheirByteLayoutAndRoundTrip) {
  AckFrame ack{id_of(9), false, {{0, 3}, {5, 1}, {0xFFFFFFFF, 1}}};
  const Bytes bytes = encode(kSmall, ack);
  EXPECT_EQ(bytes[0], 0x02);
  EXPECT_EQ(bytes[1], 9);
  EXPECT_EQ(bytes[17], 0);  // flags
  EXPECT_EQ(bytes[18], 0);
  EXPECT_EQ(bytes[19], 3);  // range count
  EXPECT_EQ(load_u32_be(ByteView(bytes).subspan(20, 4)), 0U);
  EXPECT_EQ(load_u32_be(ByteView(bytes).subspan(24, 4)), 3U);
  EXPECT_EQ(load_u32_be(ByteView(bytes).subspan(28, 4)), 5U);
  EXPECT_TRUE(is_all_zero(ByteView(bytes).subspan(44)));
  expect_round_trip(kSmall, ack);
  expect_round_trip(kSmall, AckFrame{id_of(3), true, {}});
  EXPECT_EQ(encode(kSmall, AckFrame{id_of(3), true, {}})[17], kAckFlagComplete);
  AckFrame full{id_of(4), false, {}};
  for (std::uint32_t i = 0; i < max_ack_ranges(kSmall); ++i) full.ranges.push_back({i * 10, 2});
  expect_round_trip(kSmall, full);
}

TEST(DeliveryFrame, AckMatchesIndependentVector) {
  MessageId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(i);
  const Bytes bytes = encode(kSmall, AckFrame{id, false, {{0, 3}, {5, 1}}});
  EXPECT_EQ(to_hex(ByteView(bytes).first(36)),
            "02000102030405060708090a0b0c0d0e0f0000020000000000000003000000050000000"
            "1");
  EXPECT_TRUE(is_all_zero(ByteView(bytes).subspan(36)));
}

TEST(DeliveryFrame, EncoderRefusesFramesThatBreakTheRules) {
  auto refused = [](const DeliveryFrame& frame) {
    auto encoded = encode_delivery_frame(kSmall, frame);
    return !encoded.ok() && encoded.error().code == Errc::invalid_argument;
  };
  FragmentFrame fragment = fragment_of(kSmall, 100, 0);
  fragment.count = 3;
  EXPECT_TRUE(refused(fragment));
  fragment = fragment_of(kSmall, 100, 0);
  fragment.data.pop_back();
  EXPECT_TRUE(refused(fragment));
  fragment = fragment_of(kSmall, 100, 1);
  fragment.index = 2;
  EXPECT_TRUE(refused(fragment));
  EXPECT_TRUE(refused(AckFrame{id_of(1), false, {}}));
  EXPECT_TRUE(refused(AckFrame{id_of(1), true, {{0, 1}}}));
  EXPECT_TRUE(refused(AckFrame{id_of(1), false, {{0, 2}, {2, 1}}}));
  AckFrame too_many{id_of(1), false, {}};
  for (std::uint32_t i = 0; i <= max_ack_ranges(kSmall); ++i) too_many.ranges.push_back({i * 10, 2});
  EXPECT_TRUE(refused(too_many));
}

TEST(DeliveryFrame, DecoderRefusesEveryMalformedFragment) {
  const FragmentFrame first = fragment_of(kSmall, 100, 0);
  const FragmentFrame last = fragment_of(kSmall, 100, 1);
  EXPECT_EQ(decode_error(kSmall, Bytes(kSmall - 1, 0)), Errc::malformed);
  EXPECT_EQ(decode_error(kSmall, Bytes(kSmall + 1, 0)), Errc::malformed);
  Bytes unknown(kSmall, 0);
  unknown[0] = 0x03;
  EXPECT_EQ(decode_error(kSmall, unknown), Errc::unsupported);
  auto set_u32 = [](std::size_t at, std::uint32_t value) {
    return [at, value](Bytes& bytes) { store_u32_be(MutableByteView(bytes).subspan(at, 4), value); };
  };
  expect_malformed_after(kSmall, first, set_u32(17, 2), "index == count");
  expect_malformed_after(kSmall, first, set_u32(17, 1), "index 1 with the first's data length");
  expect_malformed_after(kSmall, last, set_u32(17, 0), "index 0 with the last's data length");
  expect_malformed_after(kSmall, first, set_u32(21, 3), "count does not match the length");
  expect_malformed_after(kSmall, first, set_u32(21, 1), "count too small");
  expect_malformed_after(kSmall, first, set_u32(25, 0), "total_length zero");
  expect_malformed_after(kSmall, first, set_u32(25, 131), "total_length implies three fragments");
  expect_malformed_after(kSmall, last, set_u32(25, 101), "last data shorter than the length implies");
  expect_malformed_after(kSmall, first, set_u32(25, static_cast<std::uint32_t>(kMaxMessageBytes + 1)),
                         "total_length past the cap");
  expect_malformed_after(
      kSmall, last, [](Bytes& b) { b[62] = 36; }, "data length one too long");
  expect_malformed_after(
      kSmall, last, [](Bytes& b) { b[62] = 34; }, "data length one too short");
  expect_malformed_after(
      kSmall, first, [](Bytes& b) { b[61] = 0xFF; }, "data length past the frame");
  expect_malformed_after(
      kSmall, last, [](Bytes& b) { b[63 + 35] = 1; }, "non-zero padding after the data");
  expect_malformed_after(
      kSmall, last, [](Bytes& b) { b[kSmall - 1] = 1; }, "non-zero last byte");
}

TEST(DeliveryFrame, DecoderRefusesEveryMalformedAck) {
  const AckFrame ack{id_of(2), false, {{4, 2}, {10, 1}}};
  auto set_u32 = [](std::size_t at, std::uint32_t value) {
    return [at, value](Bytes& bytes) { store_u32_be(MutableByteView(bytes).subspan(at, 4), value); };
  };
  expect_malformed_after(
      kSmall, ack, [](Bytes& b) { b[17] = 0x02; }, "unknown flag");
  expect_malformed_after(
      kSmall, ack, [](Bytes& b) { b[17] = 0x01; }, "complete with ranges");
  expect_malformed_after(
      kSmall, ack, [](Bytes& b) { b[19] = 0; }, "no ranges, not complete (ranges left as padding)");
  expect_malformed_after(
      kSmall, ack, [](Bytes& b) { b[19] = 14; }, "more ranges than fit");
  expect_malformed_after(
      kSmall, ack, [](Bytes& b) { b[18] = 0xFF; }, "range count far past the frame");
  expect_malformed_after(kSmall, ack, set_u32(24, 0), "empty range");
  expect_malformed_after(kSmall, ack, set_u32(28, 5), "overlapping ranges");
  expect_malformed_after(kSmall, ack, set_u32(28, 6), "touching ranges");
  expect_malformed_after(kSmall, ack, set_u32(28, 1), "descending ranges");
  expect_malformed_after(kSmall, ack, set_u32(32, 0xFFFFFFF7), "range past the last index");
  expect_malformed_after(
      kSmall, ack, [](Bytes& b) { b[19] = 1; }, "second range left as non-zero padding");
  expect_malformed_after(
      kSmall, ack, [](Bytes& b) { b[kSmall - 1] = 1; }, "non-zero padding");
  // A complete ack of nothing else decodes.
  auto complete = decode_delivery_frame(kSmall, encode(kSmall, AckFrame{id_of(2), true, {}}));
  ASSERT_TRUE(complete.ok());
  EXPECT_TRUE(std::get<AckFrame>(*complete).complete);
}

TEST(DeliveryFrame, AckTruncatedRangeAtTheEndOfTheLargestFrame) {
  // 65536 bytes hold 8189 ranges with 4 spare bytes; a range count of 8190
  // would end inside the last range.
  EXPECT_EQ(max_ack_ranges(kMaxFrameCapacity), 8189U);
  Bytes bytes = encode(kMaxFrameCapacity, AckFrame{id_of(2), false, {{0, 1}}});
  bytes[18] = 0x1F;
  bytes[19] = 0xFE;  // 8190
  EXPECT_EQ(decode_error(kMaxFrameCapacity, bytes), Errc::malformed);
}

}  // namespace
}  // namespace tenebra::rendezvous::delivery
