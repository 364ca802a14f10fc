// The Messenger's sending side: send() into the durable outbox, and what
// each payload event carries (handshake resend, ack, fragment, confirmation),
// sealed under the contact's ratchet whose new state is committed first.
#include <algorithm>
#include <utility>

#include "tenebra/rendezvous/envelope.hpp"
#include "tenebra/rendezvous/fragmenter.hpp"
#include "tenebra/rendezvous/messenger.hpp"

namespace tenebra::rendezvous {

namespace dir = router::directory;

Result<delivery::MessageId> Messenger::send(ContactId contact, const delivery::MessageContent& content, Random& rng,
                                            WallTime now) {
  const auto found = m_contacts.find(contact);
  if (found == m_contacts.end()) return make_error(Errc::not_found, "no such contact");
  auto encoded = delivery::encode_message_content(content);
  if (!encoded) return std::move(encoded).error();
  const delivery::MessageId id = delivery::new_message_id(rng);
  const auto count = static_cast<std::uint32_t>(delivery::fragment_count(encoded->size(), m_capacity));
  // The store first: the message is accepted once this commit succeeded.
  if (auto queued = m_store->enqueue(contact, id, *encoded, count, now); !queued) return std::move(queued).error();
  auto added =
      found->second->outbox.restore(delivery::StoredOutboxMessage{id, std::move(*encoded), {}, messenger_steady(now)});
  if (!added) return std::move(added).error();
  return id;
}

Result<std::optional<StoreRequest>> Messenger::next_payload(WallTime now, const dir::Topology& topology, Random& rng) {
  if (m_contacts.empty()) return std::optional<StoreRequest>{};
  // Contacts in turn, starting after the one served last.
  auto start = m_contacts.upper_bound(m_last_served);
  if (start == m_contacts.end()) start = m_contacts.begin();
  auto it = start;
  do {
    auto payload = payload_for(*it->second, now, topology, rng);
    if (!payload) return std::move(payload).error();
    if (payload->has_value()) {
      m_last_served = it->first;
      return payload;
    }
    if (++it == m_contacts.end()) it = m_contacts.begin();
  } while (it != start);
  return std::optional<StoreRequest>{};
}

Result<std::optional<StoreRequest>> Messenger::payload_for(Contact& contact, WallTime now,
                                                           const dir::Topology& topology, Random& rng) {
  // The invitee's handshake, until the inviter's first message confirms it.
  if (contact.state.handshake && now >= contact.handshake_due) {
    const auto& pending = *contact.state.handshake;
    auto provider = invite_mailbox_provider(topology, pending.provider, pending.mailbox);
    if (!provider) return std::move(provider).error();
    contact.handshake_due = now + m_config.retransmit_timeout;
    return std::optional<StoreRequest>(StoreRequest{std::move(*provider), pending.mailbox, pending.envelope});
  }
  if (!contact.state.ratchet.can_send()) return std::optional<StoreRequest>{};

  std::optional<Bytes> frame;
  bool ack = false;
  if (!contact.acks.empty()) {
    auto encoded = delivery::encode_delivery_frame(m_capacity, contact.acks.front());
    if (!encoded) return std::move(encoded).error();
    frame = std::move(*encoded);
    ack = true;
  } else if (auto frames = contact.outbox.next_frames(messenger_steady(now), 1, rng); !frames.empty()) {
    frame = std::move(frames.front().frame);
  } else if ((contact.state.awaiting_peer && now >= contact.confirm_due) || contact.answer_confirmation) {
    // The inviter's first message confirms the handshake (docs/messaging.md
    // §3.3): when it has nothing else to say, an empty frame does it, resent
    // until the invitee says anything; the invitee answers each such frame.
    auto padding = delivery::make_padding_frame(m_capacity);
    if (!padding) return std::move(padding).error();
    frame = std::move(*padding);
    contact.answer_confirmation = false;
  }
  if (!frame) return std::optional<StoreRequest>{};

  auto request = seal_frame(contact, *frame, topology, now, rng);
  if (!request) return std::move(request).error();
  if (ack) contact.acks.pop_front();
  if (contact.state.awaiting_peer) contact.confirm_due = now + m_config.retransmit_timeout;
  return std::optional<StoreRequest>(std::move(*request));
}

Result<StoreRequest> Messenger::seal_frame(Contact& contact, ByteView frame, const dir::Topology& topology,
                                           WallTime now, Random& rng) {
  auto period = period_at(m_config.schedule, contact.seed, now);
  if (!period) return std::move(period).error();
  // The peer's inbox: the other direction of this contact.
  const auto direction =
      contact.role == session::SessionRole::inviter ? MailboxDirection::invitee_inbox : MailboxDirection::inviter_inbox;
  const MailboxId mailbox = mailbox_id(contact.seed, direction, *period);
  auto provider = mailbox_provider(topology, topology, mailbox);
  if (!provider) return std::move(provider).error();

  // Seal with a copy of the ratchet, commit the copy, then keep it: the
  // advanced state is on disk before the envelope can leave.
  session::Ratchet advanced = contact.state.ratchet.clone();
  auto envelope = advanced.encrypt(m_config.geometry, frame, rng);
  if (!envelope) return std::move(envelope).error();
  std::swap(contact.state.ratchet, advanced);
  if (auto saved = save_session(contact); !saved) {
    std::swap(contact.state.ratchet, advanced);
    return std::move(saved).error();
  }
  return StoreRequest{std::move(*provider), mailbox, std::move(*envelope)};
}

}  // namespace tenebra::rendezvous
