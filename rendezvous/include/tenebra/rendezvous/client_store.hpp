// ClientStore: everything a client keeps, in its encrypted Store (SQLCipher):
// secrets by name (identity, loop key), issued invites, contacts with their
// ratchet state, the outbox (each message the user handed over, and which of
// its fragments the recipient acknowledged), fragments received but not yet
// reassembled, the inbox, and the ids of delivered messages.
//
// Durability rules, which are what make "nothing acknowledged is lost" and
// "delivered exactly once" hold across a SIGKILL:
//   - enqueue() commits before it returns: tell the user a message is
//     accepted only after it succeeded.
//   - save_session() must commit the advanced ratchet state BEFORE the
//     packet it encrypted leaves the machine: after a crash the contact
//     must not see two different messages under one message number (the
//     ratchet's nonces are random, so it is not a nonce reuse, but the
//     receiver would take the second for a replay and drop it).
//   - put_fragment() commits before the fragment is acknowledged to its
//     sender (the sender stops retransmitting what was acked).
//   - complete_message() moves a reassembled message into the inbox, marks
//     it delivered and drops its fragments in one transaction, so a
//     retransmitted fragment after a crash is recognised as a duplicate.
//
// Blobs that hold secrets (ratchet state, invite records, named secrets)
// come back as SecretBytes, wiped when dropped. Nothing here logs.
// Thread-safety: as Store (one thread).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/rendezvous/delivery_constants.hpp"
#include "tenebra/rendezvous/secret_bytes.hpp"
#include "tenebra/router/store.hpp"

namespace tenebra::rendezvous {

using ContactId = std::int64_t;
using StoredMessageId = std::array<std::uint8_t, delivery::kMessageIdBytes>;
using WallTime = std::chrono::system_clock::time_point;

// Bounds on what the store accepts (callers hold the real protocol caps;
// these only keep a bug or a hostile peer from filling the disk).
inline constexpr std::size_t kMaxSecretNameBytes = 64;
inline constexpr std::size_t kMaxSecretBytes = std::size_t{64} << 10;
inline constexpr std::size_t kMaxContactNameBytes = 256;
inline constexpr std::size_t kContactSeedBytes = 32;
inline constexpr std::size_t kMaxSessionBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxInviteIdBytes = 64;
inline constexpr std::size_t kMaxInviteRecordBytes = std::size_t{16} << 10;
inline constexpr std::size_t kMaxFragmentBytes = std::size_t{64} << 10;

struct NewContact {
  std::string name;                   // the user's label, 1..kMaxContactNameBytes bytes
  std::uint8_t role = 0;              // SessionRole as stored (inviter / invitee)
  Bytes peer_identity;                // the contact's public identity (1..256 bytes)
  ByteView seed;                      // the contact's rendezvous seed (secret, 32 bytes)
  ByteView session;                   // the encoded ratchet state (secret)
  std::optional<std::int64_t> group;  // >= 1; a group's contacts share it
  WallTime created;
};

struct ContactRow {
  ContactId id = 0;
  std::string name;
  std::uint8_t role = 0;
  Bytes peer_identity;
  SecretBytes seed;
  SecretBytes session;
  std::optional<std::int64_t> group;
  WallTime created;
};

struct OutboxRow {
  ContactId contact = 0;
  StoredMessageId message_id{};
  Bytes content;  // the encoded message; fragments are cut from it again
  Bytes acked;    // bitmap of acknowledged fragments, LSB first
  std::uint32_t fragment_count = 0;
  WallTime created;
};

struct InboxRow {
  std::int64_t sequence = 0;  // increasing arrival order
  ContactId contact = 0;
  StoredMessageId message_id{};
  Bytes content;  // the encoded message
  WallTime received;
};

struct StoredFragment {
  std::uint32_t index = 0;
  Bytes frame;  // the fragment frame as received (decoded again on load)
};

class ClientStore {
 public:
  // Creates or checks the schema. `store` must outlive the ClientStore.
  [[nodiscard]] static Result<ClientStore> attach(router::Store& store);

  // Named secrets (identity, loop key, ...). put replaces.
  [[nodiscard]] Status put_secret(std::string_view name, ByteView value);
  [[nodiscard]] Result<std::optional<SecretBytes>> secret(std::string_view name);

  // Issued invites: the InviteBook's records by invite id.
  [[nodiscard]] Status put_invite(ByteView invite_id, ByteView record);
  [[nodiscard]] Status delete_invite(ByteView invite_id);
  [[nodiscard]] Result<std::vector<SecretBytes>> invites();

  // A new contact, and (when `used_invite` is set) the invite it came from
  // deleted in the same transaction: an invite is used exactly once.
  [[nodiscard]] Result<ContactId> add_contact(const NewContact& contact, std::optional<ByteView> used_invite);
  [[nodiscard]] Status save_session(ContactId contact, ByteView session);
  [[nodiscard]] Status rename_contact(ContactId contact, std::string_view name);
  [[nodiscard]] Result<std::optional<ContactRow>> contact(ContactId contact);
  [[nodiscard]] Result<std::vector<ContactRow>> contacts();

  // Outbox. enqueue is idempotent for the same (contact, message id).
  [[nodiscard]] Status enqueue(ContactId contact, const StoredMessageId& id, ByteView content,
                               std::uint32_t fragment_count, WallTime created);
  // Replaces the acked bitmap (ceil(fragment_count / 8) bytes).
  [[nodiscard]] Status save_acked(ContactId contact, const StoredMessageId& id, ByteView acked);
  // The recipient has the whole message: it leaves the outbox.
  [[nodiscard]] Status finish_outgoing(ContactId contact, const StoredMessageId& id);
  [[nodiscard]] Result<std::vector<OutboxRow>> outbox();

  // Incoming fragments, kept until their message is complete.
  [[nodiscard]] Status put_fragment(ContactId contact, const StoredMessageId& id, std::uint32_t index, ByteView frame);
  [[nodiscard]] Result<std::vector<StoredFragment>> fragments(ContactId contact, const StoredMessageId& id);
  // Which (contact, message) pairs have fragments waiting.
  [[nodiscard]] Result<std::vector<std::pair<ContactId, StoredMessageId>>> partial_messages();
  // Inbox + delivered marker + fragments dropped, atomically. Errc::exhausted
  // never; a second call for the same message is a no-op that returns false.
  [[nodiscard]] Result<bool> complete_message(ContactId contact, const StoredMessageId& id, ByteView content,
                                              WallTime received);
  [[nodiscard]] Result<bool> delivered(ContactId contact, const StoredMessageId& id);
  // Inbox entries after `after_sequence` (0: all), oldest first, at most `limit`.
  [[nodiscard]] Result<std::vector<InboxRow>> inbox(std::int64_t after_sequence, std::size_t limit);
  // Forgets delivered markers older than `cutoff` (the sender stopped
  // retransmitting long before): returns how many.
  [[nodiscard]] Result<std::size_t> forget_delivered_before(WallTime cutoff);

 private:
  explicit ClientStore(router::Store& store) : m_store(&store) {}
  router::Store* m_store;
};

}  // namespace tenebra::rendezvous
