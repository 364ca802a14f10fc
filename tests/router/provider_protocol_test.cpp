#include "tenebra/router/provider_protocol.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace tenebra::router::provider {
namespace {

using mix::sphinx::Geometry;

const Geometry kGeometry = Geometry::default_geometry();

Bytes pattern(std::size_t size, std::uint8_t seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 13);
  return out;
}

// A SURB the codec accepts (only a real mix would notice the header is junk).
mix::sphinx::Surb fake_surb(const Geometry& geometry, std::uint8_t seed) {
  mix::sphinx::Surb surb;
  surb.first_hop.fill(seed);
  surb.payload_key.span()[0] = seed;
  surb.header = pattern(geometry.header_bytes(), seed);
  surb.header[0] = mix::sphinx::kPacketVersion;
  return surb;
}

TEST(ProviderProtocol, SizesAtTheDefaultGeometry) {
  EXPECT_EQ(max_store_bytes(kGeometry), 2045U);
  EXPECT_EQ(max_fetch_surbs(kGeometry), 3U);
  EXPECT_EQ(max_item_bytes(kGeometry), 2081U);
  EXPECT_EQ(max_fetch_surbs(Geometry::make(5, 64).value()), 0U);
}

TEST(ProviderProtocol, StoreRoundTripsAndIsPadded) {
  const Bytes data = pattern(100, 1);
  auto payload = make_store_payload(kGeometry, data);
  ASSERT_TRUE(payload.ok());
  ASSERT_EQ(payload->size(), kGeometry.payload_bytes());
  EXPECT_EQ((*payload)[0], 0x01);
  EXPECT_EQ((*payload)[1], 0x00);
  EXPECT_EQ((*payload)[2], 100);
  EXPECT_TRUE(is_all_zero(ByteView(*payload).subspan(103)));
  auto decoded = decode_provider_payload(kGeometry, *payload);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_TRUE(std::holds_alternative<StoreRequest>(*decoded));
  EXPECT_EQ(std::get<StoreRequest>(*decoded).data, data);
  EXPECT_EQ(encode_provider_payload(kGeometry, *decoded).value(), *payload);
}

TEST(ProviderProtocol, StoreBounds) {
  EXPECT_FALSE(make_store_payload(kGeometry, Bytes{}).ok());
  EXPECT_TRUE(make_store_payload(kGeometry, Bytes(2045, 7)).ok());
  EXPECT_EQ(make_store_payload(kGeometry, Bytes(2046, 7)).error().code, Errc::invalid_argument);

  Bytes payload = make_store_payload(kGeometry, Bytes(10, 7)).value();
  Bytes tampered = payload;
  tampered[200] = 1;  // padding must be zero: one encoding per request
  EXPECT_EQ(decode_provider_payload(kGeometry, tampered).error().code, Errc::malformed);
  tampered = payload;
  tampered[1] = 0x08;  // length 0x080a > P - 3
  EXPECT_EQ(decode_provider_payload(kGeometry, tampered).error().code, Errc::malformed);
  tampered = payload;
  tampered[2] = 0;  // length 0
  EXPECT_EQ(decode_provider_payload(kGeometry, tampered).error().code, Errc::malformed);
  payload.pop_back();
  EXPECT_EQ(decode_provider_payload(kGeometry, payload).error().code, Errc::malformed);
}

TEST(ProviderProtocol, DropIsAllZeroAndUnknownTypesAreRefused) {
  auto drop = decode_provider_payload(kGeometry, make_drop_payload(kGeometry));
  ASSERT_TRUE(drop.ok());
  EXPECT_TRUE(std::holds_alternative<DropRequest>(*drop));
  Bytes payload = make_drop_payload(kGeometry);
  payload.back() = 1;
  EXPECT_EQ(decode_provider_payload(kGeometry, payload).error().code, Errc::malformed);
  payload = make_drop_payload(kGeometry);
  payload[0] = 0x03;
  EXPECT_EQ(decode_provider_payload(kGeometry, payload).error().code, Errc::unsupported);
}

TEST(ProviderProtocol, FetchRoundTripsWithItsSurbs) {
  std::vector<mix::sphinx::Surb> surbs;
  for (std::uint8_t i = 0; i < 3; ++i) surbs.push_back(fake_surb(kGeometry, static_cast<std::uint8_t>(10 + i)));
  auto payload = make_fetch_payload(kGeometry, surbs, 7);
  ASSERT_TRUE(payload.ok()) << payload.error().message;
  EXPECT_EQ((*payload)[0], 0x02);
  EXPECT_EQ((*payload)[1], 7);
  EXPECT_EQ((*payload)[2], 3);
  auto decoded = decode_provider_payload(kGeometry, *payload);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const auto& fetch = std::get<FetchRequest>(*decoded);
  EXPECT_EQ(fetch.max_items, 7);
  ASSERT_EQ(fetch.surbs.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(encode_surb(fetch.surbs[i]), encode_surb(surbs[i]));
  EXPECT_EQ(encode_provider_payload(kGeometry, *decoded).value(), *payload);
}

TEST(ProviderProtocol, FetchBounds) {
  std::vector<mix::sphinx::Surb> surbs;
  for (std::uint8_t i = 0; i < 4; ++i) surbs.push_back(fake_surb(kGeometry, i));
  EXPECT_FALSE(make_fetch_payload(kGeometry, std::span(surbs).first(0), 1).ok());
  EXPECT_FALSE(make_fetch_payload(kGeometry, surbs, 1).ok());  // 4 > 3
  EXPECT_FALSE(make_fetch_payload(kGeometry, std::span(surbs).first(1), 0).ok());

  const Bytes payload = make_fetch_payload(kGeometry, std::span(surbs).first(2), 1).value();
  Bytes tampered = payload;
  tampered[2] = 4;  // more SURBs than fit
  EXPECT_EQ(decode_provider_payload(kGeometry, tampered).error().code, Errc::malformed);
  tampered = payload;
  tampered[2] = 3;  // a third SURB that is all zero: bad header version
  EXPECT_FALSE(decode_provider_payload(kGeometry, tampered).ok());
  tampered = payload;
  tampered[1] = 0;
  EXPECT_EQ(decode_provider_payload(kGeometry, tampered).error().code, Errc::malformed);
  tampered = payload;
  tampered.back() = 9;
  EXPECT_EQ(decode_provider_payload(kGeometry, tampered).error().code, Errc::malformed);
}

TEST(ProviderProtocol, StoredItemsKeepTheirKind) {
  const StoredItem data = StoredData{pattern(50, 3)};
  const Bytes encoded = encode_stored_item(data);
  EXPECT_EQ(encoded[0], 0x01);
  EXPECT_EQ(decode_stored_item(kGeometry, encoded).value(), data);

  StoredReply reply;
  reply.surb_id.fill(0x44);
  reply.payload_block = pattern(kGeometry.payload_block_bytes(), 5);
  const Bytes encoded_reply = encode_stored_item(reply);
  ASSERT_EQ(encoded_reply.size(), max_item_bytes(kGeometry));
  EXPECT_EQ(encoded_reply[0], 0x02);
  EXPECT_EQ(decode_stored_item(kGeometry, encoded_reply).value(), StoredItem(reply));

  EXPECT_FALSE(decode_stored_item(kGeometry, ByteView(encoded_reply).first(100)).ok());
  EXPECT_FALSE(decode_stored_item(kGeometry, Bytes{0x01}).ok());
  EXPECT_EQ(decode_stored_item(kGeometry, Bytes{0x03, 0x00}).error().code, Errc::unsupported);
}

TEST(ProviderProtocol, FetchReplyRoundTripsAndIsStrict) {
  FetchReply reply;
  reply.remaining_items = 9;
  reply.reply_index = 1;
  reply.reply_count = 2;
  reply.chunks.push_back(FetchChunk{42, 300, 100, pattern(150, 2)});
  reply.chunks.push_back(FetchChunk{43, 20, 0, pattern(20, 3)});
  auto payload = encode_fetch_reply(kGeometry, reply);
  ASSERT_TRUE(payload.ok()) << payload.error().message;
  ASSERT_EQ(payload->size(), kGeometry.payload_bytes());
  EXPECT_EQ(decode_fetch_reply(kGeometry, *payload).value(), reply);

  Bytes tampered = *payload;
  tampered[3] = 2;  // index == count
  EXPECT_EQ(decode_fetch_reply(kGeometry, tampered).error().code, Errc::malformed);
  tampered = *payload;
  tampered[6 + 8 + 4 + 2] = 0x01;  // first chunk's offset 0x0100 + 100: outside its 300-byte item
  tampered[6 + 8 + 4 + 3] = 0x00;
  tampered[6 + 8 + 4 + 1] = 0x01;
  EXPECT_EQ(decode_fetch_reply(kGeometry, tampered).error().code, Errc::malformed);
  tampered = *payload;
  tampered.back() = 1;
  EXPECT_EQ(decode_fetch_reply(kGeometry, tampered).error().code, Errc::malformed);
  tampered = *payload;
  tampered[0] = 0x01;
  EXPECT_EQ(decode_fetch_reply(kGeometry, tampered).error().code, Errc::unsupported);

  FetchReply too_long = reply;
  too_long.chunks[0].item_length = static_cast<std::uint32_t>(max_item_bytes(kGeometry) + 1);
  EXPECT_FALSE(encode_fetch_reply(kGeometry, too_long).ok());
  FetchReply overfull;
  overfull.chunks.push_back(FetchChunk{1, 2081, 0, pattern(2025, 1)});  // 6 + 18 + 2025 > 2048
  EXPECT_FALSE(encode_fetch_reply(kGeometry, overfull).ok());
  overfull.chunks[0].data.pop_back();
  EXPECT_TRUE(encode_fetch_reply(kGeometry, overfull).ok());
}

TEST(ProviderProtocol, EmptyAnswerIsOnePaddingReplyPerSurb) {
  auto plan = plan_fetch_replies(kGeometry, {}, 3, 0);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->replies.size(), 3U);
  EXPECT_TRUE(plan->complete.empty());
  for (std::uint8_t i = 0; i < 3; ++i) {
    const auto& reply = plan->replies[i];
    EXPECT_TRUE(reply.chunks.empty());
    EXPECT_EQ(reply.reply_index, i);
    EXPECT_EQ(reply.reply_count, 3);
    auto payload = encode_fetch_reply(kGeometry, reply).value();
    Bytes expected(kGeometry.payload_bytes(), 0);
    expected[0] = kFetchReplyType;
    expected[3] = i;  // reply_index
    expected[4] = 3;  // reply_count
    EXPECT_EQ(payload, expected);
    EXPECT_EQ(decode_fetch_reply(kGeometry, payload).value(), reply);
  }
}

// The number of replies is the number of SURBs, however full the mailbox:
// whoever sees the replies (mixes, the fetcher's entry provider, the wire)
// learns nothing about how many items there were.
TEST(ProviderProtocol, EveryAnswerHasOneReplyPerSurb) {
  for (const std::size_t surbs : {1U, 2U, 3U, 7U}) {
    for (const std::size_t item_count : {0U, 1U, 2U, 5U, 20U}) {
      std::vector<StoredPacket> items;
      for (std::size_t i = 0; i < item_count; ++i) {
        Bytes item = pattern(300, static_cast<std::uint8_t>(i));
        item[0] = 0x01;
        items.push_back(StoredPacket{static_cast<std::int64_t>(i + 1), std::move(item)});
      }
      auto plan = plan_fetch_replies(kGeometry, items, surbs, item_count);
      ASSERT_TRUE(plan.ok());
      ASSERT_EQ(plan->replies.size(), surbs) << item_count << " items";
      for (const auto& reply : plan->replies) {
        EXPECT_EQ(reply.reply_count, surbs);
        EXPECT_TRUE(encode_fetch_reply(kGeometry, reply).ok());
      }
    }
  }
}

std::vector<StoredPacket> items_of(std::initializer_list<std::size_t> sizes) {
  std::vector<StoredPacket> items;
  std::int64_t sequence = 100;
  for (const std::size_t size : sizes) {
    Bytes item = pattern(size, static_cast<std::uint8_t>(sequence));
    item[0] = 0x01;
    items.push_back(StoredPacket{sequence++, std::move(item)});
  }
  return items;
}

TEST(ProviderProtocol, PlanCutsItemsIntoChunksAndStopsAtTheSurbs) {
  const auto items = items_of({2081, 2081, 2081, 10});
  auto plan = plan_fetch_replies(kGeometry, items, 3, 10);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->replies.size(), 3U);
  // Three replies hold 3 * 2042 bytes minus chunk headers: two items whole, the third cut.
  EXPECT_EQ(plan->complete, (std::vector<std::int64_t>{100, 101}));
  for (const auto& reply : plan->replies) {
    EXPECT_EQ(reply.remaining_items, 8);
    EXPECT_EQ(reply.reply_count, 3);
    EXPECT_TRUE(encode_fetch_reply(kGeometry, reply).ok());
  }
  EXPECT_EQ(plan->replies[0].chunks.size(), 1U);
  EXPECT_EQ(plan->replies[0].chunks[0].data.size(), 2048U - 6 - 18);
  EXPECT_EQ(plan->replies[2].chunks.back().sequence, 102U);

  auto one = plan_fetch_replies(kGeometry, std::span(items).first(1), 1, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->complete.empty());  // 2081 bytes never fit one reply
  EXPECT_EQ(one->replies[0].remaining_items, 1);
  EXPECT_FALSE(plan_fetch_replies(kGeometry, items, 0, 4).ok());
}

TEST(ProviderProtocol, PlanCapsChunksPerReply) {
  const Geometry big = Geometry::make(5, 16384).value();
  std::vector<StoredPacket> items;
  for (std::int64_t i = 0; i < 300; ++i) items.push_back(StoredPacket{i + 1, Bytes{0x01, 0x02}});
  auto plan = plan_fetch_replies(big, items, 3, 300);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->replies.size(), 3U);
  EXPECT_TRUE(plan->replies[2].chunks.empty());  // padding
  EXPECT_EQ(plan->replies[0].chunks.size(), 255U);
  EXPECT_EQ(plan->replies[1].chunks.size(), 45U);
  EXPECT_EQ(plan->complete.size(), 300U);
  for (const auto& reply : plan->replies) EXPECT_TRUE(encode_fetch_reply(big, reply).ok());
}

std::vector<Bytes> encode_all(const FetchPlan& plan) {
  std::vector<Bytes> out;
  for (const auto& reply : plan.replies) out.push_back(encode_fetch_reply(kGeometry, reply).value());
  return out;
}

TEST(FetchReassembler, ReassemblesOutOfOrderAndIgnoresLateCopies) {
  StoredReply stored_reply;
  stored_reply.surb_id.fill(9);
  stored_reply.payload_block = pattern(kGeometry.payload_block_bytes(), 4);
  const std::vector<StoredPacket> items{StoredPacket{5, encode_stored_item(stored_reply)},
                                        StoredPacket{6, encode_stored_item(StoredData{pattern(700, 1)})}};
  const auto payloads = encode_all(plan_fetch_replies(kGeometry, items, 3, 2).value());
  ASSERT_EQ(payloads.size(), 3U);  // the third is padding
  FetchReassembler padding_only(kGeometry);
  auto nothing = padding_only.add(payloads[2]);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->completed.empty());
  EXPECT_EQ(padding_only.partial_items(), 0U);

  FetchReassembler reassembler(kGeometry);
  auto second = reassembler.add(payloads[1]);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->completed.size() == 1U);  // item 6 fits the second reply whole
  EXPECT_EQ(second->completed[0].sequence, 6U);
  EXPECT_EQ(second->completed[0].item, StoredItem(StoredData{pattern(700, 1)}));
  EXPECT_EQ(reassembler.partial_items(), 1U);
  auto first = reassembler.add(payloads[0]);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->completed.size(), 1U);
  EXPECT_EQ(first->completed[0].item, StoredItem(stored_reply));
  EXPECT_EQ(first->remaining_items, 0);
  EXPECT_EQ(reassembler.partial_items(), 0U);
  EXPECT_EQ(reassembler.buffered_bytes(), 0U);

  auto again = reassembler.add(payloads[1]);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->completed.empty());
  EXPECT_EQ(again->duplicate_chunks, 2U);
}

TEST(FetchReassembler, ConflictingChunksDiscardTheItem) {
  FetchReply a;
  a.reply_count = 2;
  a.chunks.push_back(FetchChunk{1, 100, 0, pattern(60, 1)});
  FetchReply b = a;
  b.reply_index = 1;
  b.chunks[0].offset = 40;
  b.chunks[0].data = pattern(60, 2);  // overlaps bytes 40..59 with other content
  FetchReassembler reassembler(kGeometry);
  ASSERT_TRUE(reassembler.add(encode_fetch_reply(kGeometry, a).value()).ok());
  auto result = reassembler.add(encode_fetch_reply(kGeometry, b).value());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->dropped_chunks, 1U);
  EXPECT_EQ(reassembler.partial_items(), 0U);
  EXPECT_EQ(reassembler.buffered_bytes(), 0U);
}

TEST(FetchReassembler, CapsEvictTheOldestPartialItem) {
  FetchReassembler reassembler(kGeometry, ReassemblerLimits{.max_partial_items = 2, .max_buffered_bytes = 250});
  for (std::uint64_t sequence = 1; sequence <= 3; ++sequence) {
    FetchReply reply;
    reply.chunks.push_back(FetchChunk{sequence, 100, 0, pattern(10, 1)});
    ASSERT_TRUE(reassembler.add(encode_fetch_reply(kGeometry, reply).value()).ok());
    EXPECT_LE(reassembler.partial_items(), 2U);
  }
  EXPECT_EQ(reassembler.buffered_bytes(), 200U);
  // Item 1 was evicted: its tail now starts a new partial, evicting item 2.
  FetchReply tail;
  tail.chunks.push_back(FetchChunk{1, 100, 10, pattern(90, 1)});
  auto result = reassembler.add(encode_fetch_reply(kGeometry, tail).value());
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->completed.empty());
  EXPECT_EQ(reassembler.partial_items(), 2U);
  // One item larger than the whole budget is never buffered.
  FetchReply huge;
  huge.chunks.push_back(FetchChunk{9, 2000, 0, pattern(10, 1)});
  result = reassembler.add(encode_fetch_reply(kGeometry, huge).value());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->dropped_chunks, 1U);
}

TEST(FetchReassembler, MalformedReplyChangesNothing) {
  FetchReassembler reassembler(kGeometry);
  Bytes junk(kGeometry.payload_bytes(), 0xAB);
  EXPECT_FALSE(reassembler.add(junk).ok());
  EXPECT_FALSE(reassembler.add(Bytes(10, 0)).ok());
  EXPECT_EQ(reassembler.partial_items(), 0U);
}

// The worked example of docs/provider.md §8, at P = 64.
TEST(ProviderProtocol, KnownAnswersAtTheSmallestGeometry) {
  const Geometry small = Geometry::make(5, 64).value();
  const Bytes store = make_store_payload(small, as_bytes("hello")).value();
  EXPECT_EQ(to_hex(store),
            "01000568656c6c6f0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "000000000000000000000000");
  FetchReply reply;
  reply.remaining_items = 3;
  reply.chunks.push_back(FetchChunk{7, 6, 0, Bytes{0x01, 'h', 'e', 'l', 'l', 'o'}});
  EXPECT_EQ(to_hex(encode_fetch_reply(small, reply).value()),
            "810003000101000000000000000700000006000000000006016865"
            "6c6c6f00000000000000000000000000000000000000000000000000000000000000000000");
}

// The default-geometry example of docs/provider.md §8.
TEST(ProviderProtocol, WorkedExampleAtTheDefaultGeometry) {
  StoredReply reply_item;
  reply_item.payload_block = Bytes(kGeometry.payload_block_bytes(), 0xCC);
  const std::vector<StoredPacket> items{
      StoredPacket{41, encode_stored_item(reply_item)},
      StoredPacket{42, encode_stored_item(StoredData{Bytes{'h', 'e', 'l', 'l', 'o'}})}};
  const FetchPlan plan = plan_fetch_replies(kGeometry, items, 3, 2).value();
  ASSERT_EQ(plan.replies.size(), 3U);
  EXPECT_EQ(plan.complete, (std::vector<std::int64_t>{41, 42}));
  ASSERT_EQ(plan.replies[0].chunks.size(), 1U);
  EXPECT_EQ(plan.replies[0].chunks[0].data.size(), 2024U);  // 6 + 18 + 2024 = 2048: full
  ASSERT_EQ(plan.replies[1].chunks.size(), 2U);
  EXPECT_EQ(plan.replies[1].chunks[0].offset, 2024U);
  EXPECT_EQ(plan.replies[1].chunks[0].data.size(), 57U);
  EXPECT_EQ(plan.replies[1].chunks[1].item_length, 6U);
  const Bytes second = encode_fetch_reply(kGeometry, plan.replies[1]).value();
  EXPECT_EQ(to_hex(ByteView(second).first(6 + 18)), "810000010302000000000000002900000821000007e80039");
  EXPECT_TRUE(is_all_zero(ByteView(second).subspan(6 + 18 + 57 + 18 + 6)));
  const Bytes padding = encode_fetch_reply(kGeometry, plan.replies[2]).value();
  EXPECT_EQ(to_hex(ByteView(padding).first(6)), "810000020300");
  EXPECT_TRUE(is_all_zero(ByteView(padding).subspan(6)));
}

}  // namespace
}  // namespace tenebra::router::provider
