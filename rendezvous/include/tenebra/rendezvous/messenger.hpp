// The Messenger (docs/client.md, "The messenger"): one client's messaging
// engine, composing the rendezvous modules. It issues and answers invites,
// keeps one ratchet, Outbox and Reassembler per contact, says what the
// payload stream sends next (a STORE of one envelope, or nothing: the caller
// sends a drop), which mailboxes to fetch, and what a fetched item means.
//
// Pure and store-backed: no I/O, no threads; time and Random& are
// parameters; every change that must survive a crash is committed to the
// ClientStore before the engine acts on it (client_store.hpp's rules):
// send() commits the message before it returns, next_payload() commits the
// advanced ratchet before it returns the envelope, a fragment is stored
// before its ack can be sent, a completed message enters the inbox in one
// transaction. open() rebuilds everything from the store.
//
// Acks travel as Ack frames in the payload stream, into the sender's inbox
// (the other direction of the same contact), like any other frame.
//
// Thread-safety: not thread-safe; one owner thread, with its ClientStore.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/rendezvous/client_store.hpp"
#include "tenebra/rendezvous/delivery_frame.hpp"
#include "tenebra/rendezvous/identity.hpp"
#include "tenebra/rendezvous/invite_book.hpp"
#include "tenebra/rendezvous/mailbox_schedule.hpp"
#include "tenebra/rendezvous/message_content.hpp"
#include "tenebra/rendezvous/outbox.hpp"
#include "tenebra/rendezvous/ratchet.hpp"
#include "tenebra/rendezvous/reassembler.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/epoch.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::rendezvous {

struct MessengerConfig {
  std::string network_id;
  router::directory::EpochSchedule schedule;
  mix::sphinx::Geometry geometry = mix::sphinx::Geometry::default_geometry();
  // First retransmission timeout of a fragment (a round trip: mixing delays
  // both ways plus the peer's fetch interval); also the resend interval of a
  // handshake and of the inviter's confirmation until the peer answers.
  std::chrono::milliseconds retransmit_timeout{std::chrono::seconds(30)};
  std::size_t window = delivery::kDefaultWindowFragments;
  // How long after a period ends its inbox is still fetched.
  std::chrono::seconds fetch_retention{std::chrono::minutes(10)};
};

// What the payload stream STOREs: one envelope into a mailbox at a provider.
struct StoreRequest {
  router::directory::Descriptor provider;
  MailboxId mailbox{};
  Bytes envelope;  // session::envelope_bytes(geometry)
};

// One mailbox to FETCH.
struct FetchTarget {
  router::directory::Descriptor provider;
  MailboxId mailbox{};
};

enum class MessengerEventKind {
  contact_added,      // the inviter opened a handshake: a new contact
  contact_confirmed,  // the invitee heard from the inviter: it can send now
  message_received,   // a whole message entered the inbox (once)
  message_delivered,  // the peer acknowledged all of one of our messages
};

struct MessengerEvent {
  MessengerEventKind kind = MessengerEventKind::message_received;
  ContactId contact = 0;
  delivery::MessageId message_id{};                 // received / delivered
  std::optional<delivery::MessageContent> content;  // received
};

struct AcceptedInvite {
  ContactId contact = 0;
};

// The per-contact state that is not the ratchet's (docs/client.md), kept in
// the store's session column ahead of the ratchet encoding:
// version | flags | [invite mailbox | provider identity | u16 length | handshake] | ratchet
struct ContactSession {
  // The invitee's handshake, resent until the inviter's first message opens.
  struct PendingHandshake {
    MailboxId mailbox{};
    router::directory::IdentityKey provider{};
    Bytes envelope;
  };
  std::optional<PendingHandshake> handshake;
  bool awaiting_peer = false;  // the inviter has not heard from the invitee yet
  session::Ratchet ratchet;
};
inline constexpr std::uint8_t kContactSessionVersion = 0x01;
[[nodiscard]] SecretBytes encode_contact_session(const ContactSession& state);
// Strict: known version and flags, exact lengths, a valid ratchet.
[[nodiscard]] Result<ContactSession> decode_contact_session(ByteView encoded);

// The provider an invite names, from `topology`; if it left the network, the
// one the selection rule picks now (both sides apply the same rule).
[[nodiscard]] Result<router::directory::Descriptor> invite_mailbox_provider(
    const router::directory::Topology& topology, const router::directory::IdentityKey& provider,
    const MailboxId& mailbox);

class Messenger {
 public:
  // Loads (or on first use creates and stores) the identity, the invites,
  // the contacts with their sessions, outboxes and partial fragments.
  [[nodiscard]] static Result<std::unique_ptr<Messenger>> open(ClientStore& store, MessengerConfig config, Random& rng,
                                                               WallTime now);

  const IdentityPublic& identity() const noexcept { return m_identity.public_keys(); }

  // ---- Invites (messenger.cpp) ----
  [[nodiscard]] Result<std::string> create_invite(Random& rng, WallTime now, std::chrono::seconds lifetime,
                                                  const router::directory::Topology& topology);
  [[nodiscard]] Status revoke_invite(const InviteId& invite_id);
  std::vector<InviteSummary> invites() const { return m_invites.list(); }
  // Decodes and checks the invite (expiry, network), runs the handshake,
  // commits the contact with its handshake queued for the invite mailbox.
  [[nodiscard]] Result<AcceptedInvite> accept_invite(std::string_view invite_text, std::string_view contact_name,
                                                     Random& rng, WallTime now);

  // ---- Sending (messenger_send.cpp) ----
  // Committed to the outbox before it returns. Errc::not_found for an
  // unknown contact, invalid_argument for content that breaks a rule.
  [[nodiscard]] Result<delivery::MessageId> send(ContactId contact, const delivery::MessageContent& content,
                                                 Random& rng, WallTime now);
  // What one payload event carries, contacts served in turn: a handshake
  // resend, an ack, a due retransmission or new fragment, a confirmation;
  // nothing when there is nothing to say (send a drop).
  [[nodiscard]] Result<std::optional<StoreRequest>> next_payload(WallTime now,
                                                                 const router::directory::Topology& topology,
                                                                 Random& rng);

  // ---- Receiving (messenger_receive.cpp) ----
  // Every contact's inbox for its fetch window, and each active invite's mailbox.
  [[nodiscard]] Result<std::vector<FetchTarget>> fetch_targets(WallTime now,
                                                               const router::directory::Topology& topology) const;
  // One item fetched from `mailbox`. An error says why the item was refused
  // (a duplicate or replay is Errc::crypto); the caller drops it either way.
  [[nodiscard]] Result<std::vector<MessengerEvent>> on_item(const MailboxId& mailbox, ByteView item, WallTime now);

  // ---- Introspection ----
  std::vector<ContactId> contacts() const;
  bool can_send(ContactId contact) const;
  std::size_t pending_outgoing(ContactId contact) const;
  std::size_t frame_capacity() const noexcept { return m_capacity; }

  ~Messenger();
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;
  Messenger(Messenger&&) = delete;
  Messenger& operator=(Messenger&&) = delete;

 private:
  struct Contact;
  Messenger(ClientStore& store, MessengerConfig config, Identity identity, std::size_t capacity);

  [[nodiscard]] Result<std::unique_ptr<Contact>> make_contact(ContactId id, session::SessionRole role,
                                                              RendezvousSeed seed, ContactSession state) const;
  [[nodiscard]] Status restore_contacts(WallTime now);
  [[nodiscard]] Status restore_invites();
  [[nodiscard]] Status save_session(const Contact& contact);
  [[nodiscard]] Result<std::optional<StoreRequest>> payload_for(Contact& contact, WallTime now,
                                                                const router::directory::Topology& topology,
                                                                Random& rng);
  [[nodiscard]] Result<StoreRequest> seal_frame(Contact& contact, ByteView frame,
                                                const router::directory::Topology& topology, WallTime now, Random& rng);
  [[nodiscard]] Result<std::vector<MessengerEvent>> on_handshake(const InviteRecord& record, ByteView item,
                                                                 WallTime now);
  [[nodiscard]] Result<std::vector<MessengerEvent>> on_message(Contact& contact, ByteView item, WallTime now);
  [[nodiscard]] Result<std::vector<MessengerEvent>> on_fragment(Contact& contact,
                                                                const delivery::FragmentFrame& fragment, WallTime now);
  [[nodiscard]] Result<std::vector<MessengerEvent>> on_ack(Contact& contact, const delivery::AckFrame& ack);
  bool is_inbox_of(const Contact& contact, const MailboxId& mailbox, WallTime now) const;

  ClientStore* m_store;
  MessengerConfig m_config;
  Identity m_identity;
  std::size_t m_capacity;  // C: the ratchet's plaintext capacity
  InviteBook m_invites;
  std::map<ContactId, std::unique_ptr<Contact>> m_contacts;
  ContactId m_last_served = 0;  // round robin over contacts in next_payload
};

// The engine's in-memory state of one contact (private to the Messenger).
struct Messenger::Contact {
  ContactId id = 0;
  session::SessionRole role = session::SessionRole::inviter;
  RendezvousSeed seed;  // the contact's rendezvous seed
  ContactSession state;
  delivery::Outbox outbox;
  delivery::Reassembler reassembler;
  std::deque<delivery::AckFrame> acks;  // to send, at most one per message id
  // Fragments acked since the message's bitmap was last saved (see on_ack).
  std::map<delivery::MessageId, std::uint32_t> unsaved_acks;
  WallTime handshake_due{};          // next handshake resend (invitee)
  WallTime confirm_due{};            // next confirmation (inviter awaiting the peer)
  bool answer_confirmation = false;  // invitee: tell the inviter it was heard
};

// The Outbox and Reassembler run on a steady clock; the engine has one time
// source, the wall clock the caller passes, mapped onto it. A wall clock
// jump only moves retransmission timers.
inline std::chrono::steady_clock::time_point messenger_steady(WallTime now) {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(now.time_since_epoch()));
}

}  // namespace tenebra::rendezvous
