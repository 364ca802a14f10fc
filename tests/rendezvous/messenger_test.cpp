// The Messenger end to end over the in-memory testnet: two clients, each
// with its own encrypted store, make a contact from an invite and exchange
// texts and files; the recipient offline, 30 % loss with duplicates and
// reordering, and restarts mid-transfer, each message delivered exactly
// once and byte for byte; revoked, expired and used invites refused with
// clear errors; the contact-session codec strict.
#include "tenebra/rendezvous/messenger.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "messenger_testnet.hpp"

namespace tenebra::rendezvous {
namespace {

using namespace std::chrono_literals;
using delivery::FileContent;
using delivery::MessageContent;
using delivery::MessageId;
using delivery::TextContent;
using testing::NetFaults;
using testing::TestClient;
using testing::TestNet;

constexpr std::size_t kMaxSteps = 4000;

Bytes file_bytes(std::size_t size, std::uint8_t salt) {
  Bytes data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>((i * 131 + (i >> 9) + salt) & 0xFF);
  return data;
}

std::map<MessageId, MessageContent> one(const MessageId& id, MessageContent content) {
  return {{id, std::move(content)}};
}

class MessengerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(m_alice.open(m_now).ok());
    ASSERT_TRUE(m_bob.open(m_now).ok());
  }

  // One tick: each open client uses its payload slots, then the online ones fetch.
  void step(bool alice_fetches = true, bool bob_fetches = true, std::size_t slots = 8) {
    for (auto* client : {&m_alice, &m_bob}) {
      if (client->is_open()) client->send_payloads(m_net, m_now, m_topology, slots);
    }
    if (alice_fetches && m_alice.is_open()) m_alice.fetch(m_net, m_now, m_topology);
    if (bob_fetches && m_bob.is_open()) m_bob.fetch(m_net, m_now, m_topology);
    m_now += 250ms;
  }

  template <typename Done>
  bool run_until(Done done, std::size_t max_steps = kMaxSteps) {
    for (std::size_t i = 0; i < max_steps; ++i) {
      if (done()) return true;
      step();
      if (::testing::Test::HasFatalFailure()) return false;
    }
    return done();
  }

  // Alice invites, Bob accepts; both end with a confirmed contact.
  void connect() {
    auto text = m_alice.messenger().create_invite(m_alice.rng(), m_now, 1h, m_topology);
    ASSERT_TRUE(text.ok()) << text.error().message;
    m_invite_text = *text;
    auto accepted = m_bob.messenger().accept_invite(*text, "alice", m_bob.rng(), m_now);
    ASSERT_TRUE(accepted.ok()) << accepted.error().message;
    m_bob_contact = accepted->contact;
    EXPECT_FALSE(m_bob.messenger().can_send(m_bob_contact));
    ASSERT_TRUE(run_until(
        [&] { return m_alice.messenger().contacts().size() == 1 && m_bob.messenger().can_send(m_bob_contact); }));
    m_alice_contact = m_alice.messenger().contacts().front();
    EXPECT_EQ(count(m_alice, MessengerEventKind::contact_added), 1u);
    EXPECT_EQ(count(m_bob, MessengerEventKind::contact_confirmed), 1u);
  }

  static std::size_t count(TestClient& client, MessengerEventKind kind) {
    std::size_t n = 0;
    for (const auto& event : client.events()) n += event.kind == kind ? 1 : 0;
    return n;
  }

  // message id -> how many times it was received, and its content.
  static std::map<MessageId, std::pair<std::size_t, MessageContent>> received(TestClient& client) {
    std::map<MessageId, std::pair<std::size_t, MessageContent>> out;
    for (const auto& event : client.events()) {
      if (event.kind != MessengerEventKind::message_received) continue;
      auto& entry = out[event.message_id];
      ++entry.first;
      if (event.content) entry.second = *event.content;
    }
    return out;
  }

  static bool delivered(TestClient& client, const MessageId& id) {
    for (const auto& event : client.events()) {
      if (event.kind == MessengerEventKind::message_delivered && event.message_id == id) return true;
    }
    return false;
  }

  MessageId send(TestClient& client, ContactId contact, const MessageContent& content) {
    auto id = client.messenger().send(contact, content, client.rng(), m_now);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : MessageId{};
  }

  // Every id sent is received exactly once with its content, and the inbox
  // in the store holds each exactly once.
  void expect_exactly_once(TestClient& to, const std::map<MessageId, MessageContent>& sent) {
    const auto got = received(to);
    EXPECT_EQ(got.size(), sent.size());
    for (const auto& [id, content] : sent) {
      const auto found = got.find(id);
      ASSERT_NE(found, got.end());
      EXPECT_EQ(found->second.first, 1u);
      EXPECT_TRUE(found->second.second == content);
    }
    auto inbox = to.store().inbox(0, 100'000);
    ASSERT_TRUE(inbox.ok());
    std::set<StoredMessageId> ids;
    for (const auto& row : *inbox) EXPECT_TRUE(ids.insert(row.message_id).second);
    EXPECT_EQ(ids.size(), sent.size());
  }

  TestNet m_net{7};
  router::directory::Topology m_topology = testing::test_topology();
  WallTime m_now{std::chrono::seconds(1'800'000'000)};
  TestClient m_alice{"alice", 1};
  TestClient m_bob{"bob", 2};
  ContactId m_alice_contact = 0;
  ContactId m_bob_contact = 0;
  std::string m_invite_text;
};

TEST_F(MessengerTest, ConfirmationEndsAndAnIdleContactSendsNothing) {
  connect();
  ASSERT_FALSE(HasFatalFailure());
  for (int i = 0; i < 40; ++i) step();
  const auto stored = m_net.stored();
  for (int i = 0; i < 400; ++i) step();  // 100 s: every payload event is a drop
  EXPECT_EQ(m_net.stored(), stored);
  EXPECT_EQ(m_net.waiting(), 0u);
}

TEST_F(MessengerTest, InviteThenTextBothWays) {
  connect();
  ASSERT_FALSE(HasFatalFailure());
  const auto hello = send(m_alice, m_alice_contact, TextContent{"hello Bob"});
  const auto hi = send(m_bob, m_bob_contact, TextContent{"hi Alice"});
  ASSERT_TRUE(run_until([&] { return delivered(m_alice, hello) && delivered(m_bob, hi); }));
  expect_exactly_once(m_bob, one(hello, TextContent{"hello Bob"}));
  expect_exactly_once(m_alice, one(hi, TextContent{"hi Alice"}));
  EXPECT_EQ(m_alice.messenger().pending_outgoing(m_alice_contact), 0u);
  // The outbox rows left the store with the completion.
  EXPECT_TRUE(m_alice.store().outbox()->empty());
  EXPECT_TRUE(m_bob.store().outbox()->empty());
  // Both know the other: Alice holds Bob's identity.
  auto row = m_alice.store().contact(m_alice_contact);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->peer_identity, encode_identity_public(m_bob.messenger().identity()));
  // The invite was used: it left the store and is no longer fetched.
  EXPECT_TRUE(m_alice.store().invites()->empty());
  const auto invite_mailbox = invite_mailbox_id(decode_invite_text(m_invite_text).value().seed);
  const auto targets = m_alice.messenger().fetch_targets(m_now, m_topology).value();
  EXPECT_FALSE(targets.empty());
  for (const auto& target : targets) EXPECT_NE(target.mailbox, invite_mailbox);
}

TEST_F(MessengerTest, OneMebibyteFileBothWaysByteForByte) {
  connect();
  ASSERT_FALSE(HasFatalFailure());
  const FileContent to_bob{"report.pdf", "application/pdf", file_bytes(std::size_t{1} << 20, 1)};
  const FileContent to_alice{"photo.jpg", "image/jpeg", file_bytes(std::size_t{1} << 20, 2)};
  const auto a = send(m_alice, m_alice_contact, to_bob);
  const auto b = send(m_bob, m_bob_contact, to_alice);
  ASSERT_TRUE(run_until([&] { return delivered(m_alice, a) && delivered(m_bob, b); }));
  expect_exactly_once(m_bob, one(a, to_bob));
  expect_exactly_once(m_alice, one(b, to_alice));
}

TEST_F(MessengerTest, OfflineRecipientGetsEveryMessageOnceWhenBack) {
  connect();
  ASSERT_FALSE(HasFatalFailure());
  std::map<MessageId, MessageContent> sent;
  for (int i = 0; i < 5; ++i) {
    const TextContent text{"message " + std::to_string(i)};
    sent[send(m_alice, m_alice_contact, text)] = text;
  }
  // Bob does not fetch for a minute: Alice keeps retransmitting into his inbox.
  for (int i = 0; i < 240; ++i) step(true, false);
  EXPECT_TRUE(received(m_bob).empty());
  EXPECT_GT(m_net.waiting(), 5u);
  ASSERT_TRUE(run_until([&] {
    for (const auto& entry : sent)
      if (!delivered(m_alice, entry.first)) return false;
    return true;
  }));
  // Bob read Alice's retransmissions too, and delivered each message once.
  expect_exactly_once(m_bob, sent);
}

TEST_F(MessengerTest, LossDuplicatesAndReorderingStillDeliverExactlyOnce) {
  m_net.set_faults(NetFaults{0.3, 0.1, true});
  connect();
  ASSERT_FALSE(HasFatalFailure());
  std::map<MessageId, MessageContent> to_bob;
  std::map<MessageId, MessageContent> to_alice;
  for (int i = 0; i < 10; ++i) {
    const TextContent a{"from Alice " + std::to_string(i)};
    const TextContent b{"from Bob " + std::to_string(i)};
    to_bob[send(m_alice, m_alice_contact, a)] = a;
    to_alice[send(m_bob, m_bob_contact, b)] = b;
  }
  const FileContent file{"notes.txt", "text/plain", file_bytes(100'000, 3)};
  to_bob[send(m_alice, m_alice_contact, file)] = file;
  ASSERT_TRUE(run_until([&] {
    return m_alice.messenger().pending_outgoing(m_alice_contact) == 0 &&
           m_bob.messenger().pending_outgoing(m_bob_contact) == 0;
  }));
  EXPECT_GT(m_net.dropped(), 0u);
  expect_exactly_once(m_bob, to_bob);
  expect_exactly_once(m_alice, to_alice);
}

TEST_F(MessengerTest, RestartMidTransferLosesAndDuplicatesNothing) {
  m_net.set_faults(NetFaults{0.1, 0.1, false});
  connect();
  ASSERT_FALSE(HasFatalFailure());
  const FileContent file{"big.bin", "application/octet-stream", file_bytes(300'000, 4)};
  std::map<MessageId, MessageContent> to_bob;
  std::map<MessageId, MessageContent> to_alice;
  to_bob[send(m_alice, m_alice_contact, file)] = file;
  to_bob[send(m_alice, m_alice_contact, TextContent{"after the file"})] = TextContent{"after the file"};
  to_alice[send(m_bob, m_bob_contact, TextContent{"ok"})] = TextContent{"ok"};
  for (int i = 0; i < 12; ++i) step();
  // Mid-transfer: part of the file is acked, part in flight, part unsent.
  ASSERT_EQ(m_alice.messenger().pending_outgoing(m_alice_contact), 2u);
  ASSERT_GT(m_bob.store().partial_messages()->size(), 0u);

  m_alice.close();  // Alice crashes; Bob keeps running a while
  for (int i = 0; i < 8; ++i) step();
  ASSERT_TRUE(m_alice.open(m_now).ok());
  EXPECT_EQ(m_alice.messenger().pending_outgoing(m_alice_contact), 2u);
  EXPECT_TRUE(m_alice.messenger().can_send(m_alice_contact));
  for (int i = 0; i < 12; ++i) step();

  m_bob.close();  // then Bob, with fragments stored and not yet complete
  for (int i = 0; i < 8; ++i) step();
  ASSERT_TRUE(m_bob.open(m_now).ok());
  EXPECT_TRUE(m_bob.messenger().can_send(m_bob_contact));

  ASSERT_TRUE(run_until([&] {
    return m_alice.messenger().pending_outgoing(m_alice_contact) == 0 &&
           m_bob.messenger().pending_outgoing(m_bob_contact) == 0;
  }));
  expect_exactly_once(m_bob, to_bob);
  expect_exactly_once(m_alice, to_alice);
  EXPECT_TRUE(m_bob.store().partial_messages()->empty());

  // And once more after a clean restart of both: nothing comes back.
  m_alice.close();
  m_bob.close();
  ASSERT_TRUE(m_alice.open(m_now).ok());
  ASSERT_TRUE(m_bob.open(m_now).ok());
  for (int i = 0; i < 40; ++i) step();
  expect_exactly_once(m_bob, to_bob);
  expect_exactly_once(m_alice, to_alice);
}

TEST_F(MessengerTest, RatchetIsCommittedBeforeTheEnvelopeLeaves) {
  connect();
  ASSERT_FALSE(HasFatalFailure());
  // Drain what is pending, so the next payloads are the new messages.
  for (int i = 0; i < 20; ++i) step();
  send(m_alice, m_alice_contact, TextContent{"before the crash"});
  auto before = m_alice.messenger().next_payload(m_now, m_topology, m_alice.rng());
  ASSERT_TRUE(before.ok() && before->has_value());
  // Alice dies right after handing the envelope to the network.
  m_alice.close();
  ASSERT_TRUE(m_alice.open(m_now).ok());
  send(m_alice, m_alice_contact, TextContent{"after the crash"});
  std::vector<StoreRequest> after;
  for (int i = 0; i < 4; ++i) {
    auto payload = m_alice.messenger().next_payload(m_now, m_topology, m_alice.rng());
    ASSERT_TRUE(payload.ok());
    if (payload->has_value()) after.push_back(std::move(**payload));
  }
  ASSERT_GE(after.size(), 2u);  // the resend of the first message, then the second
  // Bob opens the envelope sealed before the crash and every one after it:
  // no message number was used twice.
  std::set<MessageId> got;
  auto first = m_bob.messenger().on_item((*before)->mailbox, (*before)->envelope, m_now);
  ASSERT_TRUE(first.ok()) << first.error().message;
  for (const auto& event : *first) {
    if (event.kind == MessengerEventKind::message_received) got.insert(event.message_id);
  }
  for (const auto& request : after) {
    auto opened = m_bob.messenger().on_item(request.mailbox, request.envelope, m_now);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    for (const auto& event : *opened) {
      if (event.kind == MessengerEventKind::message_received) {
        EXPECT_TRUE(got.insert(event.message_id).second);
      }
    }
  }
  EXPECT_EQ(got.size(), 2u);
  // A replay of an envelope already opened is refused.
  EXPECT_EQ(m_bob.messenger().on_item((*before)->mailbox, (*before)->envelope, m_now).error().code, Errc::crypto);
}

TEST_F(MessengerTest, MailboxesRotateAcrossPeriodSwitches) {
  connect();
  ASSERT_FALSE(HasFatalFailure());
  const auto before = m_bob.messenger().fetch_targets(m_now, m_topology).value();
  std::map<MessageId, MessageContent> to_bob;
  std::map<MessageId, MessageContent> to_alice;
  // Three hours in jumps of seven minutes: each side's inboxes switch at
  // least twice, and some items are written just before a switch and read
  // after it (from the previous period, still in the fetch window).
  for (int round = 0; round < 26; ++round) {
    const TextContent a{"round " + std::to_string(round) + " from Alice"};
    const TextContent b{"round " + std::to_string(round) + " from Bob"};
    const auto ida = send(m_alice, m_alice_contact, a);
    const auto idb = send(m_bob, m_bob_contact, b);
    to_bob[ida] = a;
    to_alice[idb] = b;
    m_alice.send_payloads(m_net, m_now, m_topology, 8);
    m_bob.send_payloads(m_net, m_now, m_topology, 8);
    m_now += 7min;
    ASSERT_TRUE(run_until([&] { return delivered(m_alice, ida) && delivered(m_bob, idb); }, 400));
  }
  const auto after = m_bob.messenger().fetch_targets(m_now, m_topology).value();
  EXPECT_NE(before.front().mailbox, after.front().mailbox);
  expect_exactly_once(m_bob, to_bob);
  expect_exactly_once(m_alice, to_alice);
}

TEST_F(MessengerTest, InviteeMayQueueBeforeConfirmation) {
  auto text = m_alice.messenger().create_invite(m_alice.rng(), m_now, 1h, m_topology);
  ASSERT_TRUE(text.ok());
  auto accepted = m_bob.messenger().accept_invite(*text, "alice", m_bob.rng(), m_now);
  ASSERT_TRUE(accepted.ok());
  // Bob restarts before his handshake ever left: it is in his store.
  m_bob.close();
  ASSERT_TRUE(m_bob.open(m_now).ok());
  const auto early = send(m_bob, accepted->contact, TextContent{"sent before confirmation"});
  ASSERT_TRUE(run_until([&] { return delivered(m_bob, early); }));
  ASSERT_EQ(m_alice.messenger().contacts().size(), 1u);
  expect_exactly_once(m_alice, one(early, TextContent{"sent before confirmation"}));
}

TEST_F(MessengerTest, RevokedInviteIsRefusedClearly) {
  auto text = m_alice.messenger().create_invite(m_alice.rng(), m_now, 1h, m_topology);
  ASSERT_TRUE(text.ok());
  const auto invite = decode_invite_text(*text).value();
  EXPECT_EQ(m_alice.messenger().fetch_targets(m_now, m_topology)->size(), 1u);
  ASSERT_TRUE(m_bob.messenger().accept_invite(*text, "alice", m_bob.rng(), m_now).ok());
  auto handshake = m_bob.messenger().next_payload(m_now, m_topology, m_bob.rng());
  ASSERT_TRUE(handshake.ok() && handshake->has_value());
  EXPECT_EQ((*handshake)->mailbox, invite_mailbox_id(invite.seed));

  ASSERT_TRUE(m_alice.messenger().revoke_invite(invite.invite_id).ok());
  EXPECT_TRUE(m_alice.messenger().fetch_targets(m_now, m_topology)->empty());
  ASSERT_EQ(m_alice.messenger().invites().size(), 1u);
  EXPECT_EQ(m_alice.messenger().invites()[0].state, InviteState::revoked);
  auto refused = m_alice.messenger().on_item((*handshake)->mailbox, (*handshake)->envelope, m_now);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::invalid_argument);
  EXPECT_EQ(refused.error().message, "this invite was revoked");
  EXPECT_TRUE(m_alice.messenger().contacts().empty());

  // The revocation survives a restart.
  m_alice.close();
  ASSERT_TRUE(m_alice.open(m_now).ok());
  auto again = m_alice.messenger().on_item((*handshake)->mailbox, (*handshake)->envelope, m_now);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "this invite was revoked");
}

TEST_F(MessengerTest, ExpiredInviteIsRefusedOnBothSides) {
  auto text = m_alice.messenger().create_invite(m_alice.rng(), m_now, 1min, m_topology);
  ASSERT_TRUE(text.ok());
  // Bob is too late.
  auto late = m_bob.messenger().accept_invite(*text, "alice", m_bob.rng(), m_now + 2min);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, Errc::timeout);
  EXPECT_NE(late.error().message.find("this invite expired on"), std::string::npos);
  EXPECT_TRUE(m_bob.messenger().contacts().empty());

  // Bob in time, but Alice reads the answer after the expiry.
  ASSERT_TRUE(m_bob.messenger().accept_invite(*text, "alice", m_bob.rng(), m_now + 30s).ok());
  auto handshake = m_bob.messenger().next_payload(m_now + 30s, m_topology, m_bob.rng());
  ASSERT_TRUE(handshake.ok() && handshake->has_value());
  EXPECT_TRUE(m_alice.messenger().fetch_targets(m_now + 2min, m_topology)->empty());
  auto refused = m_alice.messenger().on_item((*handshake)->mailbox, (*handshake)->envelope, m_now + 2min);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::timeout);
  EXPECT_NE(refused.error().message.find("this invite expired on"), std::string::npos);
  EXPECT_TRUE(m_alice.messenger().contacts().empty());
}

TEST_F(MessengerTest, InviteIsUsedOnceAndOtherNetworksAreRefused) {
  auto text = m_alice.messenger().create_invite(m_alice.rng(), m_now, 1h, m_topology);
  ASSERT_TRUE(text.ok());
  ASSERT_TRUE(m_bob.messenger().accept_invite(*text, "alice", m_bob.rng(), m_now).ok());
  auto first = m_bob.messenger().next_payload(m_now, m_topology, m_bob.rng());
  ASSERT_TRUE(first.ok() && first->has_value());
  TestClient carol("carol", 3);
  ASSERT_TRUE(carol.open(m_now).ok());
  ASSERT_TRUE(carol.messenger().accept_invite(*text, "alice", carol.rng(), m_now).ok());
  auto second = carol.messenger().next_payload(m_now, m_topology, carol.rng());
  ASSERT_TRUE(second.ok() && second->has_value());

  auto opened = m_alice.messenger().on_item((*first)->mailbox, (*first)->envelope, m_now);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  ASSERT_EQ(opened->size(), 1u);
  EXPECT_EQ((*opened)[0].kind, MessengerEventKind::contact_added);
  auto refused = m_alice.messenger().on_item((*second)->mailbox, (*second)->envelope, m_now);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "this invite was already used");
  EXPECT_EQ(m_alice.messenger().contacts().size(), 1u);

  auto topology = m_topology;
  topology.network_id = "othernet";
  EXPECT_FALSE(m_alice.messenger().create_invite(m_alice.rng(), m_now, 1h, topology).ok());
  auto garbage = m_bob.messenger().accept_invite("tenebra://invite/aaaa", "x", m_bob.rng(), m_now);
  EXPECT_FALSE(garbage.ok());
}

TEST_F(MessengerTest, UnknownMailboxAndForgedItemsAreRefused) {
  connect();
  ASSERT_FALSE(HasFatalFailure());
  MailboxId unknown{};
  unknown.fill(0x42);
  auto refused = m_bob.messenger().on_item(unknown, Bytes(100, 1), m_now);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::not_found);
  // A well-sized forgery in Bob's real inbox opens under no key.
  const auto targets = m_bob.messenger().fetch_targets(m_now, m_topology).value();
  ASSERT_FALSE(targets.empty());
  Bytes forged = Bytes(session::envelope_bytes(m_topology.geometry), 0x33);
  forged[0] = session::kMessageType;
  auto forged_result = m_bob.messenger().on_item(targets.front().mailbox, forged, m_now);
  EXPECT_FALSE(forged_result.ok());
}

TEST(ContactSession, CodecRoundTripsAndIsStrict) {
  DeterministicRandom rng(9);
  SecretKey32 root;
  rng.fill(root.span());
  SecretKey32 secret;
  rng.fill(secret.span());
  session::Binding binding{};
  binding.fill(0x5A);
  ContactSession state{ContactSession::PendingHandshake{{}, {}, Bytes(300, 0x77)}, false,
                       session::Ratchet::start_as_invitee(std::move(root), std::move(secret), binding)};
  state.handshake->mailbox.fill(0x11);
  state.handshake->provider.fill(0x22);
  const SecretBytes encoded = encode_contact_session(state);
  auto decoded = decode_contact_session(encoded.view());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_TRUE(decoded->handshake.has_value());
  EXPECT_EQ(decoded->handshake->envelope, Bytes(300, 0x77));
  EXPECT_FALSE(decoded->awaiting_peer);
  const Bytes bytes(encoded.view().begin(), encoded.view().end());
  const SecretBytes again = encode_contact_session(*decoded);
  EXPECT_EQ(Bytes(again.view().begin(), again.view().end()), bytes);  // canonical

  Bytes bad = bytes;
  bad[0] = 0x02;
  EXPECT_EQ(decode_contact_session(bad).error().code, Errc::unsupported);
  bad = bytes;
  bad[1] = 0x04;  // unknown flag
  EXPECT_EQ(decode_contact_session(bad).error().code, Errc::malformed);
  bad = bytes;
  bad[1] = 0x03;  // an invitee cannot await its peer
  EXPECT_FALSE(decode_contact_session(bad).ok());
  bad = bytes;
  bad.push_back(0);
  EXPECT_FALSE(decode_contact_session(bad).ok());
  EXPECT_FALSE(decode_contact_session(ByteView(bytes).first(40)).ok());
}

}  // namespace
}  // namespace tenebra::rendezvous
