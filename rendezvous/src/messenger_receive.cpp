// The Messenger's receiving side: which mailboxes to fetch, and what one
// fetched item means: a handshake in an invite mailbox, or a ratchet message
// in a contact's inbox carrying a fragment (stored before its ack is
// queued, completed into the inbox once), an ack (the outbox) or padding.
#include <sodium.h>

#include <utility>

#include "tenebra/rendezvous/envelope.hpp"
#include "tenebra/rendezvous/handshake.hpp"
#include "tenebra/rendezvous/messenger.hpp"

namespace tenebra::rendezvous {

namespace dir = router::directory;

namespace {

MailboxDirection own_inbox(session::SessionRole role) {
  return role == session::SessionRole::inviter ? MailboxDirection::inviter_inbox : MailboxDirection::invitee_inbox;
}

// At most this many bitmap saves per message while it is being acked.
constexpr std::uint64_t kAckedBitmapSaves = 16;

bool same_mailbox(const MailboxId& a, const MailboxId& b) {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;  // mailbox ids are secrets
}

// At most one ack per message waits: a newer one replaces the older.
void queue_ack(std::deque<delivery::AckFrame>& acks, delivery::AckFrame ack) {
  for (auto& queued : acks) {
    if (queued.message_id == ack.message_id) {
      queued = std::move(ack);
      return;
    }
  }
  acks.push_back(std::move(ack));
}

}  // namespace

Result<std::vector<FetchTarget>> Messenger::fetch_targets(WallTime now, const dir::Topology& topology) const {
  std::vector<FetchTarget> targets;
  for (const InviteSummary& summary : m_invites.list()) {
    if (summary.state != InviteState::active || now >= summary.expires_at) continue;
    const InviteRecord* record = m_invites.find(summary.invite_id);
    const MailboxId mailbox = invite_mailbox_id(record->invite.seed);
    auto provider = invite_mailbox_provider(topology, record->invite.provider, mailbox);
    if (!provider) return std::move(provider).error();
    targets.push_back(FetchTarget{std::move(*provider), mailbox});
  }
  for (const auto& [id, contact] : m_contacts) {
    auto periods = periods_to_fetch(m_config.schedule, contact->seed, now, m_config.fetch_retention);
    if (!periods) return std::move(periods).error();
    for (const Period period : *periods) {
      const MailboxId mailbox = mailbox_id(contact->seed, own_inbox(contact->role), period);
      auto provider = mailbox_provider(topology, topology, mailbox);
      if (!provider) return std::move(provider).error();
      targets.push_back(FetchTarget{std::move(*provider), mailbox});
    }
  }
  return targets;
}

bool Messenger::is_inbox_of(const Contact& contact, const MailboxId& mailbox, WallTime now) const {
  auto periods = periods_to_fetch(m_config.schedule, contact.seed, now, m_config.fetch_retention);
  if (!periods) return false;
  for (const Period period : *periods) {
    if (same_mailbox(mailbox_id(contact.seed, own_inbox(contact.role), period), mailbox)) return true;
  }
  return false;
}

Result<std::vector<MessengerEvent>> Messenger::on_item(const MailboxId& mailbox, ByteView item, WallTime now) {
  // Every invite ever issued here and still in the book is recognised, so
  // an answer to a revoked or expired one gets its clear refusal.
  for (const InviteSummary& summary : m_invites.list()) {
    const InviteRecord* record = m_invites.find(summary.invite_id);
    if (same_mailbox(invite_mailbox_id(record->invite.seed), mailbox)) return on_handshake(*record, item, now);
  }
  std::optional<Error> refusal;
  for (auto& [id, contact] : m_contacts) {
    if (!is_inbox_of(*contact, mailbox, now)) continue;
    auto events = on_message(*contact, item, now);
    if (events) return events;
    refusal = std::move(events).error();
  }
  if (refusal) return std::move(*refusal);
  return make_error(Errc::not_found, "no inbox or invite of this client uses this mailbox");
}

Result<std::vector<MessengerEvent>> Messenger::on_handshake(const InviteRecord& record, ByteView item, WallTime now) {
  const InviteId invite_id = record.invite.invite_id;
  auto keys = m_invites.lookup_for_acceptance(invite_id, now);
  if (!keys) return std::move(keys).error();
  auto opened = session::open_handshake(m_config.geometry, invite_id, keys->one_time_secret, keys->seed, item);
  if (!opened) return std::move(opened).error();

  ContactSession state{std::nullopt, true, std::move(opened->ratchet)};
  const SecretBytes encoded = encode_contact_session(state);
  NewContact contact;
  contact.name = "new contact";  // the user names it (ClientStore::rename_contact)
  contact.role = static_cast<std::uint8_t>(session::SessionRole::inviter);
  contact.peer_identity = encode_identity_public(IdentityPublic{opened->invitee.signing, opened->invitee.agreement});
  contact.seed = opened->contact_seed.view();
  contact.session = encoded.view();
  contact.created = now;
  // The contact and the deletion of the invite commit together: one use.
  auto id = m_store->add_contact(contact, ByteView(invite_id));
  if (!id) return std::move(id).error();
  if (auto used = m_invites.mark_used(invite_id); !used) return std::move(used).error();

  auto made = make_contact(*id, session::SessionRole::inviter, std::move(opened->contact_seed), std::move(state));
  if (!made) return std::move(made).error();
  (*made)->confirm_due = now;
  m_contacts.emplace(*id, std::move(*made));
  MessengerEvent event;
  event.kind = MessengerEventKind::contact_added;
  event.contact = *id;
  return std::vector<MessengerEvent>{std::move(event)};
}

Result<std::vector<MessengerEvent>> Messenger::on_message(Contact& contact, ByteView item, WallTime now) {
  session::Ratchet advanced = contact.state.ratchet.clone();
  auto plaintext = advanced.decrypt(m_config.geometry, item);
  if (!plaintext) return std::move(plaintext).error();
  auto frame = delivery::decode_delivery_frame(m_capacity, *plaintext);
  if (!frame) return std::move(frame).error();

  std::vector<MessengerEvent> events;
  std::swap(contact.state.ratchet, advanced);
  const bool confirmed = contact.state.handshake.has_value();
  contact.state.handshake.reset();  // any message from the inviter confirms
  contact.state.awaiting_peer = false;
  if (auto saved = save_session(contact); !saved) return std::move(saved).error();
  if (confirmed) {
    MessengerEvent event;
    event.kind = MessengerEventKind::contact_confirmed;
    event.contact = contact.id;
    events.push_back(std::move(event));
  }

  Result<std::vector<MessengerEvent>> more = std::vector<MessengerEvent>{};
  if (const auto* fragment = std::get_if<delivery::FragmentFrame>(&*frame)) {
    more = on_fragment(contact, *fragment, now);
  } else if (const auto* ack = std::get_if<delivery::AckFrame>(&*frame)) {
    more = on_ack(contact, *ack);
  } else if (contact.role == session::SessionRole::invitee) {
    // The inviter's confirmation: answer it, so it stops confirming.
    contact.answer_confirmation = true;
  }
  if (!more) return std::move(more).error();
  for (auto& event : *more) events.push_back(std::move(event));
  return events;
}

Result<std::vector<MessengerEvent>> Messenger::on_fragment(Contact& contact, const delivery::FragmentFrame& fragment,
                                                           WallTime now) {
  auto& reassembler = contact.reassembler;
  const auto& id = fragment.message_id;
  // A message delivered before the remembered window (or before a restart:
  // the store keeps the markers, the reassembler does not) is recognised here.
  if (reassembler.received_fragments(id) == 0 && !reassembler.was_delivered(id)) {
    auto delivered = m_store->delivered(contact.id, id);
    if (!delivered) return std::move(delivered).error();
    if (*delivered) reassembler.remember_delivered(id);
  }
  auto received = reassembler.receive(fragment, messenger_steady(now));
  if (!received) return std::move(received).error();

  std::vector<MessengerEvent> events;
  switch (received->outcome) {
    case delivery::FragmentOutcome::refused:
      return events;  // no room: no ack, the sender retries
    case delivery::FragmentOutcome::stored: {
      auto encoded = delivery::encode_delivery_frame(m_capacity, fragment);
      if (!encoded) return std::move(encoded).error();
      // Stored before its ack can be queued: an acked fragment is never resent.
      if (auto put = m_store->put_fragment(contact.id, id, fragment.index, *encoded); !put)
        return std::move(put).error();
      break;
    }
    case delivery::FragmentOutcome::completed: {
      const auto& message = *received->message;
      auto done = m_store->complete_message(contact.id, id, message.encoded, now);
      if (!done) return std::move(done).error();
      if (*done) {
        auto content = delivery::decode_message_content(message.encoded);
        MessengerEvent event;
        event.kind = MessengerEventKind::message_received;
        event.contact = contact.id;
        event.message_id = id;
        if (content) event.content = std::move(*content);
        events.push_back(std::move(event));
      }
      break;
    }
    case delivery::FragmentOutcome::duplicate:
    case delivery::FragmentOutcome::already_delivered:
      break;
  }
  if (received->ack) queue_ack(contact.acks, std::move(*received->ack));
  return events;
}

Result<std::vector<MessengerEvent>> Messenger::on_ack(Contact& contact, const delivery::AckFrame& ack) {
  auto result = contact.outbox.on_ack(ack);
  if (!result) return std::move(result).error();
  std::vector<MessengerEvent> events;
  if (!result->known) return events;
  if (result->completed) {
    contact.unsaved_acks.erase(ack.message_id);
    if (auto finished = m_store->finish_outgoing(contact.id, ack.message_id); !finished)
      return std::move(finished).error();
    MessengerEvent event;
    event.kind = MessengerEventKind::message_delivered;
    event.contact = contact.id;
    event.message_id = ack.message_id;
    events.push_back(std::move(event));
  } else if (result->newly_acked > 0) {
    // The bitmap is saved once a sixteenth of the message was newly acked:
    // the store rewrites the whole outbox row (message included) for it, and
    // a stale bitmap only costs resends after a crash (docs/delivery.md §7).
    auto& unsaved = contact.unsaved_acks[ack.message_id];
    unsaved += result->newly_acked;
    if (std::uint64_t{unsaved} * kAckedBitmapSaves >= result->total) {
      const auto bitmap = contact.outbox.acked_bitmap(ack.message_id);
      if (bitmap) {
        if (auto saved = m_store->save_acked(contact.id, ack.message_id, *bitmap); !saved)
          return std::move(saved).error();
      }
      unsaved = 0;
    }
  }
  return events;
}

}  // namespace tenebra::rendezvous
