#include "tenebra/rendezvous/reassembler.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tenebra/rendezvous/fragmenter.hpp"
#include "tenebra/rendezvous/message_content.hpp"

namespace tenebra::rendezvous::delivery {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using TimePoint = std::chrono::steady_clock::time_point;

constexpr std::size_t kDefault = 1980;
constexpr std::size_t kSmall = 128;
const TimePoint kStart{};

std::vector<FragmentFrame> fragments_of(const Fragmenter& fragmenter) {
  std::vector<FragmentFrame> out;
  out.reserve(fragmenter.count());
  for (std::uint32_t i = 0; i < fragmenter.count(); ++i) out.push_back(*fragmenter.fragment(i));
  return out;
}

std::vector<FragmentFrame> message_fragments(std::size_t capacity, std::size_t bytes, std::uint64_t seed,
                                             MessageId* id_out = nullptr) {
  DeterministicRandom random(seed);
  Bytes message(bytes);
  random.fill(message);
  const MessageId id = new_message_id(random);
  if (id_out != nullptr) *id_out = id;
  return fragments_of(*Fragmenter::create(capacity, id, std::move(message)));
}

Reassembler make(std::size_t capacity, ReassemblyLimits limits = {}) {
  auto made = Reassembler::create(capacity, limits);
  EXPECT_TRUE(made.ok());
  return std::move(made).value();
}

// A 10 MiB file and its fragments at the default capacity, built once.
struct BigFile {
  Bytes encoded;
  MessageId id{};
  std::vector<FragmentFrame> fragments;
};
const BigFile& big_file() {
  static const BigFile file = [] {
    DeterministicRandom random(10);
    FileContent content{"interview.wav", "audio/wav", Bytes(std::size_t{10} << 20)};
    random.fill(content.data);
    BigFile out;
    out.encoded = *encode_message_content(content);
    out.id = new_message_id(random);
    out.fragments = fragments_of(*Fragmenter::create(kDefault, out.id, out.encoded));
    return out;
  }();
  return file;
}

TEST(DeliveryReassembler, TenMebibyteFileInRandomOrderWithDuplicatesIsDeliveredOnce) {
  const BigFile& file = big_file();
  ASSERT_EQ(file.fragments.size(), 5470U);
  std::vector<std::uint32_t> order(file.fragments.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  DeterministicRandom random(11);
  for (std::size_t i = 0; i < order.size() / 5; ++i) order.push_back(random.uniform(5470));  // duplicates
  for (std::size_t i = order.size() - 1; i > 0; --i) {
    std::swap(order[i], order[random.uniform(static_cast<std::uint32_t>(i + 1))]);
  }
  Reassembler reassembler = make(kDefault);  // the default caps hold a 10 MiB file
  std::size_t delivered = 0;
  std::size_t duplicates = 0;
  std::size_t already = 0;
  for (const std::uint32_t index : order) {
    auto received = reassembler.receive(file.fragments[index], kStart);
    ASSERT_TRUE(received.ok()) << received.error().message;
    ASSERT_TRUE(received->ack.has_value());
    switch (received->outcome) {
      case FragmentOutcome::completed: {
        ++delivered;
        ASSERT_TRUE(received->message.has_value());
        EXPECT_EQ(received->message->message_id, file.id);
        EXPECT_EQ(received->message->encoded, file.encoded);
        EXPECT_TRUE(received->ack->complete);
        auto content = decode_message_content(received->message->encoded);
        ASSERT_TRUE(content.ok());
        EXPECT_EQ(std::get<FileContent>(*content).name, "interview.wav");
        break;
      }
      case FragmentOutcome::duplicate:
        ++duplicates;
        break;
      case FragmentOutcome::already_delivered:
        ++already;
        EXPECT_TRUE(received->ack->complete);
        EXPECT_FALSE(received->message.has_value());
        break;
      case FragmentOutcome::stored:
        EXPECT_FALSE(received->ack->complete);
        break;
      case FragmentOutcome::refused:
        FAIL() << "refused under the default caps";
    }
  }
  EXPECT_EQ(delivered, 1U);
  EXPECT_EQ(duplicates + already, order.size() - 5470);
  EXPECT_EQ(reassembler.partial_messages(), 0U);
  EXPECT_EQ(reassembler.buffered_bytes(), 0U);
  EXPECT_TRUE(reassembler.was_delivered(file.id));
}

TEST(DeliveryReassembler, DuplicateAfterCompletionIsAckedButNotDeliveredAgain) {
  MessageId id{};
  const auto fragments = message_fragments(kSmall, 200, 1, &id);
  Reassembler reassembler = make(kSmall);
  for (const auto& fragment : fragments) ASSERT_TRUE(reassembler.receive(fragment, kStart).ok());
  for (const auto& fragment : fragments) {
    auto again = reassembler.receive(fragment, kStart);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->outcome, FragmentOutcome::already_delivered);
    EXPECT_FALSE(again->message.has_value());
    EXPECT_EQ(again->ack, (AckFrame{id, true, {}}));
  }
  EXPECT_EQ(reassembler.ack_for(id, 0), (AckFrame{id, true, {}}));
}

TEST(DeliveryReassembler, DigestMismatchDiscardsTheMessage) {
  auto fragments = message_fragments(kSmall, 200, 2);
  for (auto& fragment : fragments) fragment.digest[0] ^= 1;  // consistent, but wrong
  Reassembler reassembler = make(kSmall);
  for (std::size_t i = 0; i + 1 < fragments.size(); ++i) {
    EXPECT_EQ(reassembler.receive(fragments[i], kStart)->outcome, FragmentOutcome::stored);
  }
  auto last = reassembler.receive(fragments.back(), kStart);
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, Errc::crypto);
  EXPECT_EQ(reassembler.partial_messages(), 0U);
  EXPECT_EQ(reassembler.buffered_bytes(), 0U);
  EXPECT_FALSE(reassembler.was_delivered(fragments[0].message_id));
}

TEST(DeliveryReassembler, InconsistentFragmentsAreRefusedAndChangeNothing) {
  const auto fragments = message_fragments(kSmall, 200, 3);  // 4 fragments
  Reassembler reassembler = make(kSmall);
  ASSERT_EQ(reassembler.receive(fragments[0], kStart)->outcome, FragmentOutcome::stored);

  FragmentFrame other_digest = fragments[1];
  other_digest.digest[5] ^= 0x80;
  EXPECT_EQ(reassembler.receive(other_digest, kStart).error().code, Errc::malformed);

  // Another length with the same count: 4 fragments of 196..260 bytes.
  FragmentFrame other_length = fragments[3];
  other_length.total_length = 201;
  other_length.data.push_back(0);
  ASSERT_TRUE(check_fragment_frame(kSmall, other_length).ok());
  EXPECT_EQ(reassembler.receive(other_length, kStart).error().code, Errc::malformed);

  // Another length and count.
  const auto longer = message_fragments(kSmall, 300, 3);
  FragmentFrame other_count = longer[1];
  other_count.message_id = fragments[0].message_id;
  EXPECT_EQ(reassembler.receive(other_count, kStart).error().code, Errc::malformed);

  FragmentFrame changed_data = fragments[0];
  changed_data.data[3] ^= 1;
  EXPECT_EQ(reassembler.receive(changed_data, kStart).error().code, Errc::malformed);

  FragmentFrame broken = fragments[1];
  broken.data.pop_back();
  EXPECT_EQ(reassembler.receive(broken, kStart).error().code, Errc::malformed);

  EXPECT_EQ(reassembler.received_fragments(fragments[0].message_id), 1U);
  for (std::size_t i = 1; i < fragments.size(); ++i) ASSERT_TRUE(reassembler.receive(fragments[i], kStart).ok());
  EXPECT_TRUE(reassembler.was_delivered(fragments[0].message_id));
}

TEST(DeliveryReassembler, AckListsRangesAroundTheNewFragment) {
  MessageId id{};
  const auto fragments = message_fragments(kSmall, 65 * 100, 4, &id);  // 100 fragments
  Reassembler reassembler = make(kSmall);
  for (std::uint32_t i : {0U, 1U, 2U, 5U, 7U, 8U}) ASSERT_TRUE(reassembler.receive(fragments[i], kStart).ok());
  auto received = reassembler.receive(fragments[3], kStart);
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(received->ack, (AckFrame{id, false, {{0, 4}, {5, 1}, {7, 2}}}));
  EXPECT_EQ(reassembler.ack_for(id, 50), received->ack);
  EXPECT_EQ(reassembler.ack_for(MessageId{}, 0), std::nullopt);

  // Every other fragment: 50 separate ranges, more than the 13 that fit.
  Reassembler sparse = make(kSmall);
  for (std::uint32_t i = 0; i < 100; i += 2) ASSERT_TRUE(sparse.receive(fragments[i], kStart).ok());
  auto ack = sparse.ack_for(id, 60);
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(ack->ranges.size(), max_ack_ranges(kSmall));
  EXPECT_EQ(ack->ranges.front().first, 48U);  // 6 ranges left of 60, 60 itself, 6 right
  EXPECT_EQ(ack->ranges.back().first, 72U);
  EXPECT_TRUE(encode_delivery_frame(kSmall, *ack).ok());  // ascending and separate
  auto edge = sparse.ack_for(id, 0);
  EXPECT_EQ(edge->ranges.front().first, 0U);
  EXPECT_EQ(edge->ranges.size(), max_ack_ranges(kSmall));
  auto top = sparse.ack_for(id, 99);
  EXPECT_EQ(top->ranges.back().first, 98U);
}

TEST(DeliveryReassembler, CapsRefuseNewMessagesWithoutAck) {
  ReassemblyLimits limits;
  limits.max_partial_messages = 2;
  limits.max_buffered_bytes = 1000;
  limits.idle_eviction = hours{1};
  Reassembler reassembler = make(kSmall, limits);
  const auto a = message_fragments(kSmall, 400, 20);
  const auto b = message_fragments(kSmall, 400, 21);
  const auto c = message_fragments(kSmall, 60, 22);  // one fragment
  const auto huge = message_fragments(kSmall, 1001, 23);
  ASSERT_EQ(reassembler.receive(a[0], kStart)->outcome, FragmentOutcome::stored);
  ASSERT_EQ(reassembler.receive(b[0], kStart)->outcome, FragmentOutcome::stored);
  auto refused = reassembler.receive(c[0], kStart + seconds{10});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->outcome, FragmentOutcome::refused);
  EXPECT_FALSE(refused->ack.has_value());
  EXPECT_EQ(reassembler.receive(huge[0], kStart)->outcome, FragmentOutcome::refused);
  EXPECT_EQ(reassembler.partial_messages(), 2U);
  EXPECT_EQ(reassembler.buffered_bytes(), 800U);

  // Completing a frees its room; then c fits, but a 400-byte one past 1000 does not.
  for (const auto& fragment : a) ASSERT_TRUE(reassembler.receive(fragment, kStart + seconds{20}).ok());
  EXPECT_EQ(reassembler.receive(c[0], kStart + seconds{30})->outcome, FragmentOutcome::completed);
  const auto d = message_fragments(kSmall, 700, 24);
  EXPECT_EQ(reassembler.receive(d[0], kStart + seconds{40})->outcome, FragmentOutcome::refused);

  // A partial idle for longer than idle_eviction gives way.
  EXPECT_EQ(reassembler.receive(d[0], kStart + hours{1})->outcome, FragmentOutcome::stored);
  EXPECT_EQ(reassembler.received_fragments(b[0].message_id), 0U);
  EXPECT_EQ(reassembler.buffered_bytes(), 700U);
  EXPECT_TRUE(reassembler.abandon(d[0].message_id));
  EXPECT_FALSE(reassembler.abandon(d[0].message_id));
  EXPECT_EQ(reassembler.buffered_bytes(), 0U);
}

TEST(DeliveryReassembler, RemembersABoundedWindowOfDeliveredIds) {
  ReassemblyLimits limits;
  limits.remembered_messages = 2;
  Reassembler reassembler = make(kSmall, limits);
  std::vector<MessageId> ids;
  for (std::uint64_t seed = 30; seed < 33; ++seed) {
    const auto fragments = message_fragments(kSmall, 50, seed);
    ids.push_back(fragments[0].message_id);
    EXPECT_EQ(reassembler.receive(fragments[0], kStart)->outcome, FragmentOutcome::completed);
  }
  EXPECT_FALSE(reassembler.was_delivered(ids[0]));
  EXPECT_EQ(reassembler.delivered_ids(), (std::vector<MessageId>{ids[1], ids[2]}));
}

TEST(DeliveryReassembler, RebuildsFromStoredFragmentsAndDeliveredIds) {
  // The store's rows: the fragments accepted so far and the delivered ids.
  const auto done = message_fragments(kSmall, 100, 40);
  const auto partial = message_fragments(kSmall, 300, 41);
  Reassembler before = make(kSmall);
  std::vector<FragmentFrame> stored_rows;
  for (const auto& fragment : done) ASSERT_TRUE(before.receive(fragment, kStart).ok());
  for (std::size_t i = 0; i < 3; ++i) {
    auto received = before.receive(partial[i], kStart);
    ASSERT_EQ(received->outcome, FragmentOutcome::stored);
    stored_rows.push_back(partial[i]);
  }
  const auto delivered = before.delivered_ids();

  Reassembler after = make(kSmall);
  for (const auto& id : delivered) after.remember_delivered(id);
  for (const auto& row : stored_rows) ASSERT_TRUE(after.receive(row, kStart).ok());
  EXPECT_EQ(after.ack_for(partial[0].message_id, 0), before.ack_for(partial[0].message_id, 0));
  EXPECT_EQ(after.receive(done[0], kStart)->outcome, FragmentOutcome::already_delivered);
  for (std::size_t i = 3; i < partial.size(); ++i) ASSERT_TRUE(after.receive(partial[i], kStart).ok());
  EXPECT_TRUE(after.was_delivered(partial[0].message_id));
}

TEST(DeliveryReassembler, RefusesABadCapacity) {
  EXPECT_EQ(Reassembler::create(64).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace tenebra::rendezvous::delivery
