#include "tenebra/router/mailbox_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <map>

#include "tenebra/core/random.hpp"

namespace tenebra::router {
namespace {

using namespace std::chrono_literals;

constexpr MailboxLimits kLimits{.max_packet_bytes = 2048, .max_packets_per_mailbox = 100};
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

Bytes mailbox_id(std::uint8_t tag) {
  return Bytes(kMailboxIdBytes, tag);
}

Bytes packet_for(std::uint32_t index) {
  Bytes packet(512);
  for (std::size_t i = 0; i < packet.size(); ++i) packet[i] = static_cast<std::uint8_t>(index * 7 + i);
  store_u32_be(MutableByteView(packet).first(4), index);
  return packet;
}

class MailboxStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tenebra-mailbox-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  Result<std::unique_ptr<Store>> open_store(bool create) {
    return Store::open(m_dir / "provider.db", "provider passphrase", KeyDerivationCost::for_tests(), m_rng, create);
  }

  std::filesystem::path m_dir;
  DeterministicRandom m_rng{11};
};

TEST_F(MailboxStoreTest, PutPeekRemoveInOrder) {
  auto store = open_store(true);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto mailboxes = MailboxStore::attach(**store, kLimits);
  ASSERT_TRUE(mailboxes.ok()) << mailboxes.error().message;
  for (std::uint32_t i = 0; i < 5; ++i) ASSERT_TRUE(mailboxes->put(mailbox_id(1), packet_for(i), kNow).ok());
  ASSERT_TRUE(mailboxes->put(mailbox_id(2), packet_for(99), kNow).ok());

  auto first = mailboxes->peek(mailbox_id(1), 3);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 3U);
  for (std::uint32_t i = 0; i < 3; ++i) EXPECT_EQ((*first)[i].packet, packet_for(i));
  std::vector<std::int64_t> sent;
  for (const auto& stored : *first) sent.push_back(stored.sequence);
  ASSERT_TRUE(mailboxes->remove(mailbox_id(1), sent).ok());
  EXPECT_EQ(*mailboxes->count(mailbox_id(1)), 2U);
  EXPECT_EQ(*mailboxes->count(mailbox_id(2)), 1U);
  auto rest = mailboxes->peek(mailbox_id(1), 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2U);
  EXPECT_EQ((*rest)[0].packet, packet_for(3));
  // Removing again is harmless.
  EXPECT_TRUE(mailboxes->remove(mailbox_id(1), sent).ok());
}

TEST_F(MailboxStoreTest, BoundsAreEnforced) {
  auto store = open_store(true);
  ASSERT_TRUE(store.ok());
  auto mailboxes = MailboxStore::attach(**store, MailboxLimits{.max_packet_bytes = 600, .max_packets_per_mailbox = 3});
  ASSERT_TRUE(mailboxes.ok());
  EXPECT_EQ(mailboxes->put(Bytes(31, 1), packet_for(0), kNow).error().code, Errc::invalid_argument);
  EXPECT_EQ(mailboxes->put(mailbox_id(1), Bytes(601, 0), kNow).error().code, Errc::invalid_argument);
  EXPECT_EQ(mailboxes->put(mailbox_id(1), Bytes{}, kNow).error().code, Errc::invalid_argument);
  for (std::uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(mailboxes->put(mailbox_id(1), packet_for(i), kNow).ok());
  EXPECT_EQ(mailboxes->put(mailbox_id(1), packet_for(3), kNow).error().code, Errc::exhausted);
  EXPECT_TRUE(mailboxes->put(mailbox_id(2), packet_for(3), kNow).ok());  // quotas are per mailbox
  EXPECT_EQ(MailboxStore::attach(**store, MailboxLimits{}).error().code, Errc::invalid_argument);
}

TEST_F(MailboxStoreTest, ExpireDropsOnlyOldPackets) {
  auto store = open_store(true);
  ASSERT_TRUE(store.ok());
  auto mailboxes = MailboxStore::attach(**store, kLimits);
  ASSERT_TRUE(mailboxes.ok());
  ASSERT_TRUE(mailboxes->put(mailbox_id(1), packet_for(0), kNow - 48h).ok());
  ASSERT_TRUE(mailboxes->put(mailbox_id(1), packet_for(1), kNow).ok());
  auto expired = mailboxes->expire(kNow - 24h);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, 1U);
  auto rest = mailboxes->peek(mailbox_id(1), 10);
  ASSERT_EQ(rest->size(), 1U);
  EXPECT_EQ((*rest)[0].packet, packet_for(1));
}

TEST_F(MailboxStoreTest, NewerSchemaIsRefused) {
  auto store = open_store(true);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->set_schema_version(99).ok());
  EXPECT_EQ(MailboxStore::attach(**store, kLimits).error().code, Errc::unsupported);
}

// Nothing acknowledged is lost: a child process stores packets and reports
// ("acks") each one on a pipe only after put() returned; the parent SIGKILLs
// it at a random point mid-traffic, reopens the store, and finds every acked
// packet intact, each exactly once.
TEST_F(MailboxStoreTest, SigkillMidTrafficLosesNothingAcknowledged) {
  { ASSERT_TRUE(open_store(true).ok()); }
  constexpr std::uint32_t kMaxPackets = 400;
  std::array<int, 2> acks{};
  ASSERT_EQ(::pipe(acks.data()), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(acks[0]);
    DeterministicRandom rng(1);
    auto store = Store::open(m_dir / "provider.db", "provider passphrase", KeyDerivationCost::for_tests(), rng, false);
    if (!store) ::_exit(2);
    auto mailboxes =
        MailboxStore::attach(**store, MailboxLimits{.max_packet_bytes = 2048, .max_packets_per_mailbox = 1000});
    if (!mailboxes) ::_exit(3);
    for (std::uint32_t i = 0; i < kMaxPackets; ++i) {
      if (!mailboxes->put(mailbox_id(static_cast<std::uint8_t>(i % 4)), packet_for(i), kNow)) ::_exit(4);
      if (::write(acks[1], &i, sizeof i) != static_cast<ssize_t>(sizeof i)) ::_exit(5);
    }
    ::_exit(0);
  }
  ::close(acks[1]);
  SystemRandom rng;
  const std::uint32_t kill_after = 20 + randombytes_uniform(200);
  std::vector<std::uint32_t> acknowledged;
  std::uint32_t index = 0;
  for (std::uint32_t turn = 0; turn < kMaxPackets && ::read(acks[0], &index, sizeof index) == sizeof index; ++turn) {
    acknowledged.push_back(index);
    if (acknowledged.size() == kill_after) {
      ASSERT_EQ(::kill(child, SIGKILL), 0);
      break;
    }
  }
  // Acks already in the pipe when the kill landed count too.
  while (::read(acks[0], &index, sizeof index) == sizeof index) acknowledged.push_back(index);
  ::close(acks[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << "child failed with " << WEXITSTATUS(status);
  ASSERT_GE(acknowledged.size(), 20U);

  auto store = open_store(false);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto mailboxes = MailboxStore::attach(**store, kLimits);
  ASSERT_TRUE(mailboxes.ok());
  std::map<std::uint32_t, int> seen;
  for (std::uint8_t box = 0; box < 4; ++box) {
    auto packets = mailboxes->peek(mailbox_id(box), kMaxPackets);
    ASSERT_TRUE(packets.ok());
    for (const auto& stored : *packets) {
      const std::uint32_t at = load_u32_be(ByteView(stored.packet).first(4));
      EXPECT_EQ(stored.packet, packet_for(at));
      EXPECT_EQ(at % 4, box);
      ++seen[at];
    }
  }
  for (const std::uint32_t acked : acknowledged) EXPECT_EQ(seen[acked], 1) << "packet " << acked;
  // At most the one in flight may be there without its ack.
  EXPECT_LE(seen.size(), acknowledged.size() + 1);
}

}  // namespace
}  // namespace tenebra::router
