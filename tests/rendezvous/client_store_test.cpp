#include "tenebra/rendezvous/client_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <map>
#include <set>

#include "tenebra/core/random.hpp"

namespace tenebra::rendezvous {
namespace {

using namespace std::chrono_literals;

const WallTime kNow = WallTime(std::chrono::seconds(1'800'000'000));

StoredMessageId message_id(std::uint8_t tag) {
  StoredMessageId id{};
  id.fill(tag);
  return id;
}

Bytes bytes_of(std::size_t size, std::uint8_t fill) {
  return Bytes(size, fill);
}

Bytes fragment_frame(std::uint32_t message, std::uint32_t index) {
  Bytes frame(300);
  for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<std::uint8_t>(message * 31 + index * 7 + i);
  store_u32_be(MutableByteView(frame).first(4), index);
  return frame;
}

class ClientStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tenebra-client-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    auto store = open_store(true);
    ASSERT_TRUE(store.ok()) << store.error().message;
    m_store = std::move(*store);
    auto client = ClientStore::attach(*m_store);
    ASSERT_TRUE(client.ok()) << client.error().message;
    m_client.emplace(std::move(*client));
  }
  void TearDown() override {
    m_client.reset();
    m_store.reset();
    std::filesystem::remove_all(m_dir);
  }

  Result<std::unique_ptr<router::Store>> open_store(bool create) {
    return router::Store::open(m_dir / "client.db", "client passphrase", router::KeyDerivationCost::for_tests(), m_rng,
                               create);
  }

  NewContact a_contact(const std::string& name) {
    NewContact contact;
    contact.name = name;
    contact.role = 1;
    contact.peer_identity = bytes_of(32, 0xA1);
    contact.seed = m_seed;
    contact.session = m_session;
    contact.created = kNow;
    return contact;
  }

  std::filesystem::path m_dir;
  DeterministicRandom m_rng{5};
  std::unique_ptr<router::Store> m_store;
  std::optional<ClientStore> m_client;
  Bytes m_seed = bytes_of(32, 0x5E);
  Bytes m_session = bytes_of(200, 0x77);
};

TEST_F(ClientStoreTest, SecretsAreKeptByNameAndReplaced) {
  auto missing = m_client->secret("identity");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(m_client->put_secret("identity", bytes_of(64, 1)).ok());
  ASSERT_TRUE(m_client->put_secret("identity", bytes_of(64, 2)).ok());
  auto found = m_client->secret("identity");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(Bytes((*found)->view().begin(), (*found)->view().end()), bytes_of(64, 2));
  EXPECT_EQ(m_client->put_secret("", bytes_of(1, 1)).error().code, Errc::invalid_argument);
  EXPECT_EQ(m_client->put_secret("x", {}).error().code, Errc::invalid_argument);
  EXPECT_EQ(m_client->put_secret(std::string(kMaxSecretNameBytes + 1, 'n'), bytes_of(1, 1)).error().code,
            Errc::invalid_argument);
}

TEST_F(ClientStoreTest, AnInviteIsUsedExactlyOnceWithItsContact) {
  const Bytes invite = bytes_of(16, 0x11);
  ASSERT_TRUE(m_client->put_invite(invite, bytes_of(120, 0x22)).ok());
  ASSERT_TRUE(m_client->put_invite(bytes_of(16, 0x12), bytes_of(120, 0x23)).ok());
  EXPECT_EQ(m_client->invites()->size(), 2U);

  auto contact = m_client->add_contact(a_contact("Bob"), ByteView(invite));
  ASSERT_TRUE(contact.ok()) << contact.error().message;
  EXPECT_EQ(m_client->invites()->size(), 1U);
  // The same invite again: refused, and no second contact appears.
  auto again = m_client->add_contact(a_contact("Bob again"), ByteView(invite));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::not_found);
  EXPECT_EQ(m_client->contacts()->size(), 1U);

  auto row = m_client->contact(*contact);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->name, "Bob");
  EXPECT_EQ((*row)->role, 1);
  EXPECT_EQ((*row)->peer_identity, bytes_of(32, 0xA1));
  EXPECT_EQ(Bytes((*row)->seed.view().begin(), (*row)->seed.view().end()), m_seed);
  EXPECT_FALSE((*row)->group.has_value());
  EXPECT_EQ((*row)->created, kNow);
  EXPECT_FALSE(m_client->contact(*contact + 100)->has_value());
}

TEST_F(ClientStoreTest, ContactsKeepTheirSessionGroupAndName) {
  auto alone = m_client->add_contact(a_contact("Alice"), std::nullopt);
  ASSERT_TRUE(alone.ok());
  auto in_group = a_contact("Carol");
  in_group.group = 7;
  auto grouped = m_client->add_contact(in_group, std::nullopt);
  ASSERT_TRUE(grouped.ok());
  ASSERT_TRUE(m_client->save_session(*alone, bytes_of(300, 0x99)).ok());
  ASSERT_TRUE(m_client->rename_contact(*alone, "Alice (work)").ok());
  auto rows = m_client->contacts();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2U);
  EXPECT_EQ((*rows)[0].name, "Alice (work)");
  EXPECT_EQ(Bytes((*rows)[0].session.view().begin(), (*rows)[0].session.view().end()), bytes_of(300, 0x99));
  EXPECT_EQ((*rows)[1].group, std::optional<std::int64_t>(7));

  auto bad = a_contact("");
  EXPECT_EQ(m_client->add_contact(bad, std::nullopt).error().code, Errc::invalid_argument);
  bad = a_contact("short seed");
  const Bytes short_seed = bytes_of(31, 1);
  bad.seed = short_seed;
  EXPECT_EQ(m_client->add_contact(bad, std::nullopt).error().code, Errc::invalid_argument);
  bad = a_contact("group zero");
  bad.group = 0;
  EXPECT_EQ(m_client->add_contact(bad, std::nullopt).error().code, Errc::invalid_argument);
}

TEST_F(ClientStoreTest, OutboxKeepsMessagesAndTheirAcksUntilFinished) {
  const Bytes content = bytes_of(5000, 0x42);
  ASSERT_TRUE(m_client->enqueue(1, message_id(1), content, 3, kNow).ok());
  // Handed over again after a crash: still one copy.
  ASSERT_TRUE(m_client->enqueue(1, message_id(1), bytes_of(10, 0), 3, kNow).ok());
  ASSERT_TRUE(m_client->enqueue(2, message_id(2), bytes_of(10, 1), 17, kNow + 1s).ok());
  auto rows = m_client->outbox();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2U);
  EXPECT_EQ((*rows)[0].content, content);
  EXPECT_EQ((*rows)[0].acked, Bytes(1, 0));
  EXPECT_EQ((*rows)[1].acked, Bytes(3, 0));

  const Bytes acked{0x05};
  ASSERT_TRUE(m_client->save_acked(1, message_id(1), acked).ok());
  EXPECT_EQ(m_client->save_acked(1, message_id(1), Bytes(2, 0)).error().code, Errc::not_found);
  EXPECT_EQ(m_client->save_acked(1, message_id(9), acked).error().code, Errc::not_found);
  EXPECT_EQ((*m_client->outbox())[0].acked, acked);

  ASSERT_TRUE(m_client->finish_outgoing(1, message_id(1)).ok());
  rows = m_client->outbox();
  ASSERT_EQ(rows->size(), 1U);
  EXPECT_EQ((*rows)[0].message_id, message_id(2));
  EXPECT_EQ(m_client->enqueue(1, message_id(3), {}, 1, kNow).error().code, Errc::invalid_argument);
  EXPECT_EQ(m_client->enqueue(1, message_id(3), content, 0, kNow).error().code, Errc::invalid_argument);
}

TEST_F(ClientStoreTest, AMessageCompletesOnceAndItsFragmentsGo) {
  for (std::uint32_t index = 0; index < 3; ++index) {
    ASSERT_TRUE(m_client->put_fragment(4, message_id(8), index, fragment_frame(8, index)).ok());
  }
  // A retransmitted fragment changes nothing.
  ASSERT_TRUE(m_client->put_fragment(4, message_id(8), 1, bytes_of(9, 9)).ok());
  auto fragments = m_client->fragments(4, message_id(8));
  ASSERT_TRUE(fragments.ok());
  ASSERT_EQ(fragments->size(), 3U);
  EXPECT_EQ((*fragments)[1].frame, fragment_frame(8, 1));
  EXPECT_EQ(m_client->partial_messages()->size(), 1U);

  EXPECT_FALSE(*m_client->delivered(4, message_id(8)));
  auto first = m_client->complete_message(4, message_id(8), bytes_of(700, 3), kNow);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  auto second = m_client->complete_message(4, message_id(8), bytes_of(700, 3), kNow);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  EXPECT_TRUE(*m_client->delivered(4, message_id(8)));
  EXPECT_TRUE(m_client->fragments(4, message_id(8))->empty());
  EXPECT_TRUE(m_client->partial_messages()->empty());
  // The same message id from another contact is another message.
  EXPECT_FALSE(*m_client->delivered(5, message_id(8)));

  auto inbox = m_client->inbox(0, 10);
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->size(), 1U);
  EXPECT_EQ((*inbox)[0].contact, 4);
  EXPECT_EQ((*inbox)[0].content, bytes_of(700, 3));
  EXPECT_TRUE(m_client->inbox((*inbox)[0].sequence, 10)->empty());

  auto forgotten = m_client->forget_delivered_before(kNow + 1s);
  ASSERT_TRUE(forgotten.ok());
  EXPECT_EQ(*forgotten, 1U);
  EXPECT_FALSE(*m_client->delivered(4, message_id(8)));
}

TEST_F(ClientStoreTest, ACorruptStoredSeedIsRefusedOnLoad) {
  auto id = m_client->add_contact(a_contact("Dave"), std::nullopt);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(m_store->exec("UPDATE contacts SET seed = x'0102';").ok());
  auto loaded = m_client->contact(*id);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, Errc::malformed);
  EXPECT_EQ(m_client->contacts().error().code, Errc::malformed);
}

TEST_F(ClientStoreTest, ANewerSchemaIsRefused) {
  ASSERT_TRUE(m_store->set_schema_version(99).ok());
  EXPECT_EQ(ClientStore::attach(*m_store).error().code, Errc::unsupported);
}

TEST_F(ClientStoreTest, TheStoreIsEncryptedAndReopens) {
  ASSERT_TRUE(m_client->put_secret("loop", bytes_of(32, 0x3C)).ok());
  m_client.reset();
  m_store.reset();
  auto wrong = router::Store::open(m_dir / "client.db", "not the passphrase", router::KeyDerivationCost::for_tests(),
                                   m_rng, false);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::crypto);
  auto store = open_store(false);
  ASSERT_TRUE(store.ok());
  auto client = ClientStore::attach(**store);
  ASSERT_TRUE(client.ok());
  auto loop = client->secret("loop");
  ASSERT_TRUE(loop.ok() && loop->has_value());
  EXPECT_EQ((*loop)->size(), 32U);
}

// Nothing acknowledged is lost, nothing is delivered twice: a child stores
// incoming fragments, "acks" each on a pipe only after put_fragment()
// returned, and completes a message once it holds all 4 of its fragments.
// The parent SIGKILLs it at a random point; afterwards every acked fragment
// is either stored or part of a message in the inbox, exactly once.
TEST_F(ClientStoreTest, SigkillMidTrafficLosesNoAcknowledgedFragment) {
  m_client.reset();
  m_store.reset();
  constexpr std::uint32_t kMessages = 60;
  constexpr std::uint32_t kFragments = 4;
  std::array<int, 2> acks{};
  ASSERT_EQ(::pipe(acks.data()), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(acks[0]);
    DeterministicRandom rng(2);
    auto store = router::Store::open(m_dir / "client.db", "client passphrase", router::KeyDerivationCost::for_tests(),
                                     rng, false);
    if (!store) ::_exit(2);
    auto client = ClientStore::attach(**store);
    if (!client) ::_exit(3);
    for (std::uint32_t message = 0; message < kMessages; ++message) {
      for (std::uint32_t index = 0; index < kFragments; ++index) {
        const auto id = message_id(static_cast<std::uint8_t>(message));
        if (!client->put_fragment(1, id, index, fragment_frame(message, index))) ::_exit(4);
        const std::uint32_t ack = message * kFragments + index;
        if (::write(acks[1], &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) ::_exit(5);
      }
      auto done = client->complete_message(1, message_id(static_cast<std::uint8_t>(message)),
                                           fragment_frame(message, 99), kNow);
      if (!done || !*done) ::_exit(6);
    }
    ::_exit(0);
  }
  ::close(acks[1]);
  const std::uint32_t kill_after = 10 + randombytes_uniform(kMessages * kFragments - 20);
  std::vector<std::uint32_t> acknowledged;
  std::uint32_t ack = 0;
  for (std::uint32_t turn = 0; turn < kMessages * kFragments && ::read(acks[0], &ack, sizeof ack) == sizeof ack;
       ++turn) {
    acknowledged.push_back(ack);
    if (acknowledged.size() == kill_after) {
      ASSERT_EQ(::kill(child, SIGKILL), 0);
      break;
    }
  }
  while (::read(acks[0], &ack, sizeof ack) == sizeof ack) acknowledged.push_back(ack);
  ::close(acks[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << "child failed with " << WEXITSTATUS(status);

  auto store = open_store(false);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto client = ClientStore::attach(**store);
  ASSERT_TRUE(client.ok());
  auto inbox = client->inbox(0, 1000);
  ASSERT_TRUE(inbox.ok());
  std::map<std::uint8_t, int> in_inbox;
  for (const auto& row : *inbox) {
    ++in_inbox[row.message_id[0]];
    EXPECT_EQ(row.content, fragment_frame(row.message_id[0], 99));
  }
  for (const auto& [message, copies] : in_inbox) EXPECT_EQ(copies, 1) << "message " << +message;
  for (const std::uint32_t acked : acknowledged) {
    const auto message = static_cast<std::uint8_t>(acked / kFragments);
    if (in_inbox.count(message) != 0) continue;
    auto held = client->fragments(1, message_id(message));
    ASSERT_TRUE(held.ok());
    std::set<std::uint32_t> indices;
    for (const auto& fragment : *held) {
      EXPECT_EQ(fragment.frame, fragment_frame(message, fragment.index));
      indices.insert(fragment.index);
    }
    EXPECT_EQ(indices.count(acked % kFragments), 1U) << "acked fragment " << acked << " is lost";
  }
}

}  // namespace
}  // namespace tenebra::rendezvous
