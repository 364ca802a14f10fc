#include "tenebra/router/provider_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "tenebra/core/random.hpp"
#include "tenebra/mix/surb.hpp"

namespace tenebra::router::provider {
namespace {

namespace sphinx = mix::sphinx;

const sphinx::Geometry kGeometry = sphinx::Geometry::default_geometry();
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
constexpr std::size_t kQuota = 5;

sphinx::MailboxId mailbox(std::uint8_t tag) {
  sphinx::MailboxId id{};
  id.fill(tag);
  return id;
}

Bytes pattern(std::size_t size, std::uint8_t seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(std::size_t{seed} * 31 + i);
  return out;
}

// Three mixes and the provider, with their Sphinx keys: SURBs lead through
// them, and reply packets are unwrapped at each, as on the real network.
class Network {
 public:
  explicit Network(Random& rng) {
    for (std::uint8_t i = 0; i < 4; ++i) {
      sphinx::NodeId id{};
      id.fill(static_cast<std::uint8_t>(0xA0 + i));
      m_ids.push_back(id);
      m_keys.emplace(id, sphinx::NodeKeyPair::generate(rng));
    }
  }

  // A SURB for replies to `box` at the provider (the last node).
  sphinx::SurbAndKeys surb(const sphinx::MailboxId& box, std::uint8_t tag, Random& rng) const {
    std::vector<sphinx::PathHop> path(4);
    for (std::size_t i = 0; i < 3; ++i) {
      path[i] = {m_keys.at(m_ids[i]).public_key, sphinx::RelayCommand{m_ids[i + 1], sphinx::Delay(5)}};
    }
    sphinx::SurbId id{};
    id.fill(tag);
    path[3] = {m_keys.at(m_ids[3]).public_key, sphinx::SurbReplyCommand{box, id}};
    return sphinx::create_surb(kGeometry, m_ids[0], path, rng).value();
  }

  // Carries a reply packet to the provider; gives what arrives there.
  std::optional<sphinx::Reply> carry(const OutgoingPacket& out) const {
    sphinx::NodeId at = out.first_hop;
    Bytes packet = out.packet;
    for (std::size_t hop = 0; hop < 4; ++hop) {
      auto unwrapped = sphinx::unwrap(kGeometry, m_keys.at(at), packet);
      if (auto* forward = std::get_if<sphinx::Forward>(&unwrapped.action)) {
        at = forward->next_hop;
        packet = std::move(forward->packet);
        continue;
      }
      if (auto* reply = std::get_if<sphinx::Reply>(&unwrapped.action)) return std::move(*reply);
      return std::nullopt;
    }
    return std::nullopt;
  }

 private:
  std::vector<sphinx::NodeId> m_ids;
  std::map<sphinx::NodeId, sphinx::NodeKeyPair> m_keys;
};

class ProviderServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern_dir = ::testing::TempDir() + "tenebra-provider-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern_dir.data()), nullptr);
    m_dir = pattern_dir;
    auto store = Store::open(m_dir / "provider.db", "provider passphrase", KeyDerivationCost::for_tests(), m_rng, true);
    ASSERT_TRUE(store.ok()) << store.error().message;
    m_store = std::move(*store);
    auto mailboxes = MailboxStore::attach(
        *m_store, MailboxLimits{.max_packet_bytes = max_item_bytes(kGeometry), .max_packets_per_mailbox = kQuota});
    ASSERT_TRUE(mailboxes.ok());
    m_mailboxes.emplace(*mailboxes);
    m_service.emplace(*m_mailboxes, kGeometry);
  }
  void TearDown() override {
    m_service.reset();
    m_mailboxes.reset();
    m_store.reset();
    std::filesystem::remove_all(m_dir);
  }

  Result<ProviderAction> store(const sphinx::MailboxId& box, ByteView data) {
    return m_service->on_deliver(sphinx::Deliver{box, make_store_payload(kGeometry, data).value()}, kNow);
  }

  // Sends a fetch with `surbs` SURBs; the keys go to m_keyring.
  FetchAnswer fetch(const sphinx::MailboxId& box, std::size_t surbs, std::uint8_t max_items) {
    std::vector<sphinx::Surb> list;
    for (std::size_t i = 0; i < surbs; ++i) {
      auto made = m_network.surb(mailbox(0xF0), static_cast<std::uint8_t>(m_next_surb++), m_rng);
      list.push_back(std::move(made.surb));
      m_keyring.add(std::move(made.keys));
    }
    auto action =
        m_service->on_deliver(sphinx::Deliver{box, make_fetch_payload(kGeometry, list, max_items).value()}, kNow);
    if (!action.ok() || !std::holds_alternative<FetchAnswer>(*action)) {
      ADD_FAILURE() << "fetch was not answered";
      return {};
    }
    return std::get<FetchAnswer>(std::move(*action));
  }

  // Carries every reply to the fetcher, opens it and reassembles, last reply first.
  std::vector<FetchProgress> receive(const FetchAnswer& answer, FetchReassembler& reassembler) {
    std::vector<FetchProgress> out;
    for (auto it = answer.replies.rbegin(); it != answer.replies.rend(); ++it) {
      auto arrived = m_network.carry(*it);
      EXPECT_TRUE(arrived.has_value());
      if (!arrived) continue;
      EXPECT_EQ(arrived->mailbox, mailbox(0xF0));
      auto opened = m_keyring.open(kGeometry, arrived->surb_id, arrived->payload_block);
      EXPECT_TRUE(opened.ok());
      if (!opened) continue;
      auto progress = reassembler.add(*opened);
      EXPECT_TRUE(progress.ok()) << progress.error().message;
      if (progress) out.push_back(std::move(*progress));
    }
    return out;
  }

  std::size_t count(const sphinx::MailboxId& box) { return m_mailboxes->count(box).value(); }

  std::filesystem::path m_dir;
  DeterministicRandom m_rng{41};
  Network m_network{m_rng};
  sphinx::SurbKeyring m_keyring;
  std::size_t m_next_surb = 1;
  std::unique_ptr<Store> m_store;
  std::optional<MailboxStore> m_mailboxes;
  std::optional<ProviderService> m_service;
};

// Every completed item, by sequence (replies arrive in any order).
std::vector<FetchedItem> completed(std::vector<FetchProgress>& progress) {
  std::map<std::uint64_t, StoredItem> by_sequence;
  for (auto& p : progress) {
    for (auto& item : p.completed) by_sequence.emplace(item.sequence, std::move(item.item));
  }
  std::vector<FetchedItem> out;
  out.reserve(by_sequence.size());
  for (auto& [sequence, item] : by_sequence) out.push_back(FetchedItem{sequence, std::move(item)});
  return out;
}

TEST_F(ProviderServiceTest, FetchReturnsExactlyWhatWasStored) {
  ASSERT_TRUE(std::holds_alternative<Stored>(store(mailbox(1), pattern(300, 1)).value()));
  ASSERT_TRUE(std::holds_alternative<Stored>(store(mailbox(1), pattern(2045, 2)).value()));
  ASSERT_TRUE(store(mailbox(2), pattern(10, 3)).ok());

  const FetchAnswer answer = fetch(mailbox(1), 3, 10);
  EXPECT_EQ(answer.replies.size(), 3U);  // 2 + 300 + 2 + 2045 bytes plus headers fill two; one padding
  EXPECT_EQ(answer.sequences_to_remove.size(), 2U);
  EXPECT_EQ(count(mailbox(1)), 2U);  // nothing deleted before confirm_sent

  FetchReassembler reassembler(kGeometry);
  auto progress = receive(answer, reassembler);
  auto items = completed(progress);
  ASSERT_EQ(items.size(), 2U);
  EXPECT_EQ(items[0].item, StoredItem(StoredData{pattern(300, 1)}));
  EXPECT_EQ(items[1].item, StoredItem(StoredData{pattern(2045, 2)}));
  for (const auto& p : progress) EXPECT_EQ(p.remaining_items, 0);

  ASSERT_TRUE(m_service->confirm_sent(answer).ok());
  EXPECT_EQ(count(mailbox(1)), 0U);
  EXPECT_EQ(count(mailbox(2)), 1U);
}

TEST_F(ProviderServiceTest, StoredSurbReplyComesBackInTwoChunksAndOpens) {
  // The mailbox owner handed out a SURB; a contact answered through it.
  auto owner_surb = m_network.surb(mailbox(7), 0x70, m_rng);
  const Bytes answer_text = pattern(1500, 9);
  auto reply_packet = sphinx::create_surb_reply(kGeometry, owner_surb.surb, answer_text);
  ASSERT_TRUE(reply_packet.ok());
  auto arrived = m_network.carry(OutgoingPacket{owner_surb.surb.first_hop, *reply_packet});
  ASSERT_TRUE(arrived.has_value());
  auto action = m_service->on_reply(*arrived, kNow);
  ASSERT_TRUE(action.ok()) << action.error().message;
  EXPECT_TRUE(std::holds_alternative<Stored>(*action));

  const FetchAnswer answer = fetch(mailbox(7), 3, 5);
  ASSERT_EQ(answer.replies.size(), 3U);  // 2081 bytes take two payloads; one padding
  FetchReassembler reassembler(kGeometry);
  auto progress = receive(answer, reassembler);
  auto items = completed(progress);
  ASSERT_EQ(items.size(), 1U);
  const auto* stored = std::get_if<StoredReply>(&items[0].item);
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->surb_id, owner_surb.keys.id);
  auto opened = sphinx::open_surb_reply(kGeometry, owner_surb.keys, stored->payload_block);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(std::equal(answer_text.begin(), answer_text.end(), opened->begin()));
}

TEST_F(ProviderServiceTest, EmptyMailboxAnswersThroughEverySurb) {
  const FetchAnswer answer = fetch(mailbox(3), 3, 10);
  ASSERT_EQ(answer.replies.size(), 3U);
  EXPECT_TRUE(answer.sequences_to_remove.empty());
  FetchReassembler reassembler(kGeometry);
  auto progress = receive(answer, reassembler);
  ASSERT_EQ(progress.size(), 3U);
  for (const auto& reply : progress) {
    EXPECT_EQ(reply.reply_count, 3);
    EXPECT_EQ(reply.remaining_items, 0);
    EXPECT_TRUE(reply.completed.empty());
  }
  EXPECT_TRUE(m_service->confirm_sent(answer).ok());
}

TEST_F(ProviderServiceTest, MaxItemsAndPartialItemsStay) {
  for (std::uint8_t i = 0; i < 3; ++i) ASSERT_TRUE(store(mailbox(4), pattern(2000, i)).ok());
  const FetchAnswer one = fetch(mailbox(4), 3, 1);
  EXPECT_EQ(one.replies.size(), 3U);
  FetchReassembler reassembler(kGeometry);
  auto progress = receive(one, reassembler);
  ASSERT_EQ(progress.size(), 3U);
  EXPECT_EQ(progress[0].remaining_items, 2);
  ASSERT_TRUE(m_service->confirm_sent(one).ok());
  EXPECT_EQ(count(mailbox(4)), 2U);

  // One SURB holds 2042 bytes: one 2001-byte item and the head of the next.
  const FetchAnswer cut = fetch(mailbox(4), 1, 10);
  ASSERT_EQ(cut.replies.size(), 1U);
  EXPECT_EQ(cut.sequences_to_remove.size(), 1U);
  progress = receive(cut, reassembler);
  ASSERT_EQ(progress.size(), 1U);
  ASSERT_EQ(progress[0].completed.size(), 1U);
  EXPECT_EQ(progress[0].completed[0].item, StoredItem(StoredData{pattern(2000, 1)}));
  EXPECT_EQ(reassembler.partial_items(), 1U);
  ASSERT_TRUE(m_service->confirm_sent(cut).ok());
  EXPECT_EQ(count(mailbox(4)), 1U);  // the cut item stays

  const FetchAnswer rest = fetch(mailbox(4), 2, 10);
  progress = receive(rest, reassembler);
  auto items = completed(progress);
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].item, StoredItem(StoredData{pattern(2000, 2)}));
  ASSERT_TRUE(m_service->confirm_sent(rest).ok());
  EXPECT_EQ(count(mailbox(4)), 0U);
}

TEST_F(ProviderServiceTest, QuotaFullIsAnError) {
  for (std::size_t i = 0; i < kQuota; ++i) ASSERT_TRUE(store(mailbox(5), pattern(20, 1)).ok());
  auto full = store(mailbox(5), pattern(20, 2));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, Errc::exhausted);
  sphinx::Reply reply{mailbox(5), sphinx::SurbId{}, Bytes(kGeometry.payload_block_bytes(), 1)};
  EXPECT_EQ(m_service->on_reply(reply, kNow).error().code, Errc::exhausted);
  EXPECT_EQ(count(mailbox(5)), kQuota);
}

TEST_F(ProviderServiceTest, BadPayloadsAreErrorsAndDropsAreDiscarded) {
  auto dropped = m_service->on_deliver(sphinx::Deliver{mailbox(6), make_drop_payload(kGeometry)}, kNow);
  ASSERT_TRUE(dropped.ok());
  EXPECT_TRUE(std::holds_alternative<Discarded>(*dropped));
  Bytes junk(kGeometry.payload_bytes(), 0x01);
  EXPECT_EQ(m_service->on_deliver(sphinx::Deliver{mailbox(6), junk}, kNow).error().code, Errc::malformed);
  junk[0] = 0x42;
  EXPECT_EQ(m_service->on_deliver(sphinx::Deliver{mailbox(6), junk}, kNow).error().code, Errc::unsupported);
  EXPECT_FALSE(m_service->on_reply(sphinx::Reply{mailbox(6), {}, Bytes(10, 1)}, kNow).ok());
  EXPECT_EQ(count(mailbox(6)), 0U);
}

}  // namespace
}  // namespace tenebra::router::provider
