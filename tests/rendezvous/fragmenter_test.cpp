#include "tenebra/rendezvous/fragmenter.hpp"

#include <gtest/gtest.h>

#include "tenebra/mix/geometry.hpp"
#include "tenebra/rendezvous/envelope.hpp"
#include "tenebra/rendezvous/message_content.hpp"

namespace tenebra::rendezvous::delivery {
namespace {

MessageId counting_id() {
  MessageId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(i);
  return id;
}

TEST(DeliveryFragmenter, DigestMatchesIndependentVectors) {
  // python3: hashlib.blake2b(id + msg, digest_size=32, person=b"tenebra-delivery")
  const Bytes hello = {0x01, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(to_hex(message_digest(counting_id(), hello)),
            "d9ff170d3d5f616e02d1c33760e4ed910d28703b52e4c21ebe0ed81260a994e1");
  EXPECT_EQ(to_hex(message_digest(MessageId{}, Bytes{0x01})),
            "eb2624738ef43aec2bc041d640bb95b6ead4dcd71fa000b39c2966a1963bae3f");
}

TEST(DeliveryFragmenter, SingleFragmentFrameMatchesIndependentVector) {
  // python3: 0x01 || id || u32 0 || u32 1 || u32 10 || digest || u16 10 || message, zeros to 128.
  const Bytes hello = {0x01, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
  auto fragmenter = Fragmenter::create(128, counting_id(), hello);
  ASSERT_TRUE(fragmenter.ok());
  auto frame = fragmenter->frame(0);
  ASSERT_TRUE(frame.ok());
  ASSERT_EQ(frame->size(), 128U);
  EXPECT_EQ(to_hex(ByteView(*frame).first(73)),
            "01000102030405060708090a0b0c0d0e0f00000000000000010000000a"
            "d9ff170d3d5f616e02d1c33760e4ed910d28703b52e4c21ebe0ed81260a994e1"
            "000a010000000568656c6c6f");
  EXPECT_TRUE(is_all_zero(ByteView(*frame).subspan(73)));
}

TEST(DeliveryFragmenter, TenMebibyteFileTakes5522FragmentsAtTheDefaultCapacity) {
  const std::size_t data = std::size_t{10} << 20;
  const std::size_t encoded =
      kFileHeaderBytes + std::string("report.pdf").size() + std::string("application/pdf").size() + data;
  // The figures of docs/delivery.md, at the envelope's real capacity.
  const std::size_t capacity = session::plaintext_capacity(mix::sphinx::Geometry::default_geometry());
  EXPECT_EQ(capacity, 1962U);
  EXPECT_EQ(fragment_data_bytes(capacity), 1899U);
  EXPECT_EQ(fragment_count(encoded, capacity), 5522U);
  EXPECT_EQ(fragment_count(kMaxMessageBytes, capacity), 35340U);
  EXPECT_EQ(fragment_count(encoded, 1980), 5470U);
  EXPECT_EQ(fragment_count(kMaxMessageBytes, 1980), 35008U);
  EXPECT_EQ(fragment_count(kMaxMessageBytes, kMinFrameCapacity), 1032445U);
}

TEST(DeliveryFragmenter, FragmentsCoverTheMessageInOrder) {
  DeterministicRandom random(7);
  Bytes message(1000);
  random.fill(message);
  const MessageId id = new_message_id(random);
  auto fragmenter = Fragmenter::create(128, id, message);
  ASSERT_TRUE(fragmenter.ok());
  EXPECT_EQ(fragmenter->count(), 16U);  // 15 * 65 + 25
  EXPECT_EQ(fragmenter->digest(), message_digest(id, message));
  Bytes joined;
  for (std::uint32_t i = 0; i < fragmenter->count(); ++i) {
    auto fragment = fragmenter->fragment(i);
    ASSERT_TRUE(fragment.ok());
    EXPECT_EQ(fragment->index, i);
    EXPECT_EQ(fragment->count, 16U);
    EXPECT_EQ(fragment->total_length, 1000U);
    EXPECT_EQ(fragment->message_id, id);
    EXPECT_EQ(fragment->digest, fragmenter->digest());
    EXPECT_EQ(fragment->data.size(), i + 1 < 16 ? 65U : 25U);
    joined.insert(joined.end(), fragment->data.begin(), fragment->data.end());
    auto frame = fragmenter->frame(i);
    ASSERT_TRUE(frame.ok());
    ASSERT_EQ(frame->size(), 128U);
    auto decoded = decode_delivery_frame(128, *frame);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(std::get<FragmentFrame>(*decoded), *fragment);
  }
  EXPECT_EQ(joined, message);
  EXPECT_FALSE(fragmenter->fragment(16).ok());
  EXPECT_FALSE(fragmenter->frame(16).ok());
}

TEST(DeliveryFragmenter, ExactMultipleEndsWithAFullFragment) {
  auto fragmenter = Fragmenter::create(128, counting_id(), Bytes(130, 0x11));
  ASSERT_TRUE(fragmenter.ok());
  EXPECT_EQ(fragmenter->count(), 2U);
  EXPECT_EQ(fragmenter->fragment(1)->data.size(), 65U);
}

TEST(DeliveryFragmenter, RefusesBadInput) {
  EXPECT_EQ(Fragmenter::create(128, counting_id(), {}).error().code, Errc::invalid_argument);
  EXPECT_EQ(Fragmenter::create(127, counting_id(), Bytes(1, 1)).error().code, Errc::invalid_argument);
  EXPECT_EQ(Fragmenter::create(1980, counting_id(), Bytes(kMaxMessageBytes + 1, 0)).error().code,
            Errc::invalid_argument);
}

TEST(DeliveryFragmenter, MessageIdsComeFromTheRandomSource) {
  ScriptedRandom scripted;
  const Bytes script(16, 0xAB);
  scripted.push(script);
  MessageId expected{};
  expected.fill(0xAB);
  EXPECT_EQ(new_message_id(scripted), expected);
  EXPECT_EQ(scripted.remaining(), 0U);
}

}  // namespace
}  // namespace tenebra::rendezvous::delivery
