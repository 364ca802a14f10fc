// The Messenger's state and its invites: the contact-session codec, open()
// and the rebuild from the store, creating, revoking and accepting invites.
#include "tenebra/rendezvous/messenger.hpp"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include "tenebra/rendezvous/envelope.hpp"
#include "tenebra/rendezvous/handshake.hpp"

namespace tenebra::rendezvous {
namespace {

constexpr std::string_view kIdentitySecretName = "identity";
constexpr std::uint8_t kFlagHandshake = 0x01;
constexpr std::uint8_t kFlagAwaitingPeer = 0x02;
constexpr std::uint8_t kKnownFlags = kFlagHandshake | kFlagAwaitingPeer;

Error malformed_session() {
  return make_error(Errc::malformed, "malformed contact session");
}

// Wipes a Bytes that held secrets (an invite record) when it leaves scope.
class WipeOnExit {
 public:
  explicit WipeOnExit(Bytes& bytes) noexcept : m_bytes(bytes) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() {
    if (!m_bytes.empty()) sodium_memzero(m_bytes.data(), m_bytes.size());
  }

 private:
  Bytes& m_bytes;
};

}  // namespace

SecretBytes encode_contact_session(const ContactSession& state) {
  const SecretBytes ratchet = state.ratchet.encode();
  std::size_t size = 2 + ratchet.size();
  if (state.handshake)
    size += state.handshake->mailbox.size() + state.handshake->provider.size() + 2 + state.handshake->envelope.size();
  Bytes out;
  out.reserve(size);  // final capacity: SecretBytes wipes only this buffer
  ByteWriter writer(out);
  writer.u8(kContactSessionVersion);
  std::uint8_t flags = 0;
  if (state.handshake) flags |= kFlagHandshake;
  if (state.awaiting_peer) flags |= kFlagAwaitingPeer;
  writer.u8(flags);
  if (state.handshake) {
    writer.bytes(state.handshake->mailbox);
    writer.bytes(state.handshake->provider);
    writer.u16_be(static_cast<std::uint16_t>(state.handshake->envelope.size()));
    writer.bytes(state.handshake->envelope);
  }
  writer.bytes(ratchet.view());
  return SecretBytes(std::move(out));
}

Result<ContactSession> decode_contact_session(ByteView encoded) {
  ByteReader reader(encoded);
  auto version = reader.u8();
  if (!version) return malformed_session();
  if (*version != kContactSessionVersion) return make_error(Errc::unsupported, "unknown contact session version");
  auto flags = reader.u8();
  if (!flags || (*flags & ~kKnownFlags) != 0) return malformed_session();
  std::optional<ContactSession::PendingHandshake> handshake;
  if ((*flags & kFlagHandshake) != 0) {
    ContactSession::PendingHandshake pending;
    auto mailbox = reader.take(pending.mailbox.size());
    auto provider = reader.take(pending.provider.size());
    auto length = reader.u16_be();
    if (!mailbox || !provider || !length || *length == 0) return malformed_session();
    auto envelope = reader.take(*length);
    if (!envelope) return malformed_session();
    std::copy(mailbox->begin(), mailbox->end(), pending.mailbox.begin());
    std::copy(provider->begin(), provider->end(), pending.provider.begin());
    pending.envelope.assign(envelope->begin(), envelope->end());
    handshake = std::move(pending);
  }
  auto ratchet = session::Ratchet::decode(reader.rest());
  if (!ratchet) return std::move(ratchet).error();
  const bool awaiting = (*flags & kFlagAwaitingPeer) != 0;
  // Only an invitee has a handshake to resend, only an inviter awaits the
  // invitee's first message.
  if (handshake && ratchet->role() != session::SessionRole::invitee) return malformed_session();
  if (awaiting && ratchet->role() != session::SessionRole::inviter) return malformed_session();
  return ContactSession{std::move(handshake), awaiting, std::move(*ratchet)};
}

Result<router::directory::Descriptor> invite_mailbox_provider(const router::directory::Topology& topology,
                                                              const router::directory::IdentityKey& provider,
                                                              const MailboxId& mailbox) {
  const auto found =
      std::find_if(topology.providers.begin(), topology.providers.end(),
                   [&](const router::directory::Descriptor& descriptor) { return descriptor.identity == provider; });
  if (found != topology.providers.end()) return *found;
  return mailbox_provider(topology, topology, mailbox);
}

Messenger::Messenger(ClientStore& store, MessengerConfig config, Identity identity, std::size_t capacity)
    : m_store(&store), m_config(std::move(config)), m_identity(std::move(identity)), m_capacity(capacity) {}

Messenger::~Messenger() = default;

Result<std::unique_ptr<Messenger>> Messenger::open(ClientStore& store, MessengerConfig config, Random& rng,
                                                   WallTime now) {
  if (auto geometry = session::check_geometry(config.geometry); !geometry) return std::move(geometry).error();
  const std::size_t capacity = session::plaintext_capacity(config.geometry);
  if (auto checked = delivery::check_frame_capacity(capacity); !checked) return std::move(checked).error();
  if (auto network = router::directory::check_network_id(config.network_id); !network)
    return std::move(network).error();
  if (config.retransmit_timeout <= std::chrono::milliseconds::zero() ||
      config.retransmit_timeout > delivery::kDefaultMaxRetransmitTimeout)
    return make_error(Errc::invalid_argument, "the retransmission timeout must be in (0, 1 h]");

  auto stored = store.secret(kIdentitySecretName);
  if (!stored) return std::move(stored).error();
  std::optional<Identity> identity;
  if (stored->has_value()) {
    auto decoded = decode_identity_secret((*stored)->view());
    if (!decoded) return std::move(decoded).error();
    identity.emplace(std::move(*decoded));
  } else {
    identity.emplace(Identity::generate(rng));
    const IdentitySecretEncoding encoded = encode_identity_secret(*identity);
    if (auto put = store.put_secret(kIdentitySecretName, encoded.view()); !put) return std::move(put).error();
  }

  std::unique_ptr<Messenger> messenger(new Messenger(store, std::move(config), std::move(*identity), capacity));
  if (auto invites = messenger->restore_invites(); !invites) return std::move(invites).error();
  if (auto contacts = messenger->restore_contacts(now); !contacts) return std::move(contacts).error();
  return messenger;
}

Result<std::unique_ptr<Messenger::Contact>> Messenger::make_contact(ContactId id, session::SessionRole role,
                                                                    RendezvousSeed seed, ContactSession state) const {
  delivery::OutboxConfig outbox_config;
  outbox_config.capacity = m_capacity;
  outbox_config.window = m_config.window;
  outbox_config.initial_timeout = m_config.retransmit_timeout;
  auto outbox = delivery::Outbox::create(outbox_config);
  if (!outbox) return std::move(outbox).error();
  auto reassembler = delivery::Reassembler::create(m_capacity);
  if (!reassembler) return std::move(reassembler).error();
  return std::unique_ptr<Contact>(new Contact{
      id, role, std::move(seed), std::move(state), std::move(*outbox), std::move(*reassembler), {}, {}, {}, {}, false});
}

Status Messenger::save_session(const Contact& contact) {
  const SecretBytes encoded = encode_contact_session(contact.state);
  return m_store->save_session(contact.id, encoded.view());
}

Status Messenger::restore_invites() {
  auto records = m_store->invites();
  if (!records) return std::move(records).error();
  for (const SecretBytes& encoded : *records) {
    auto record = decode_invite_record(encoded.view());
    if (!record) return std::move(record).error();
    if (auto restored = m_invites.restore(std::move(*record)); !restored) return std::move(restored).error();
  }
  return {};
}

Status Messenger::restore_contacts(WallTime now) {
  auto rows = m_store->contacts();
  if (!rows) return std::move(rows).error();
  for (const ContactRow& row : *rows) {
    if (row.seed.size() != kRendezvousSeedBytes) return make_error(Errc::malformed, "malformed contact seed");
    auto state = decode_contact_session(row.session.view());
    if (!state) return std::move(state).error();
    const auto role = state->ratchet.role();
    if (static_cast<std::uint8_t>(role) != row.role) return make_error(Errc::malformed, "contact role mismatch");
    RendezvousSeed seed(
        std::span<const std::uint8_t, kRendezvousSeedBytes>(row.seed.view().data(), kRendezvousSeedBytes));
    auto contact = make_contact(row.id, role, std::move(seed), std::move(*state));
    if (!contact) return std::move(contact).error();
    (*contact)->handshake_due = now;  // resend at once after a restart
    (*contact)->confirm_due = now;
    m_contacts.emplace(row.id, std::move(*contact));
  }

  auto outbox = m_store->outbox();
  if (!outbox) return std::move(outbox).error();
  for (const OutboxRow& row : *outbox) {
    auto found = m_contacts.find(row.contact);
    if (found == m_contacts.end()) return make_error(Errc::malformed, "an outbox row of an unknown contact");
    delivery::StoredOutboxMessage message{row.message_id, row.content, row.acked, messenger_steady(row.created)};
    auto pending = found->second->outbox.restore(message);
    if (!pending) return std::move(pending).error();
    if (!*pending) {  // acked in full before the crash: it only has to leave
      if (auto finished = m_store->finish_outgoing(row.contact, row.message_id); !finished)
        return std::move(finished).error();
    }
  }

  auto partials = m_store->partial_messages();
  if (!partials) return std::move(partials).error();
  for (const auto& [contact_id, message_id] : *partials) {
    auto found = m_contacts.find(contact_id);
    if (found == m_contacts.end()) return make_error(Errc::malformed, "fragments of an unknown contact");
    auto fragments = m_store->fragments(contact_id, message_id);
    if (!fragments) return std::move(fragments).error();
    for (const StoredFragment& stored : *fragments) {
      auto frame = delivery::decode_delivery_frame(m_capacity, stored.frame);
      if (!frame) return std::move(frame).error();
      const auto* fragment = std::get_if<delivery::FragmentFrame>(&*frame);
      if (fragment == nullptr || fragment->message_id != message_id || fragment->index != stored.index)
        return make_error(Errc::malformed, "a stored fragment does not match its row");
      auto received = found->second->reassembler.receive(*fragment, messenger_steady(now));
      if (!received) return std::move(received).error();
      if (received->outcome == delivery::FragmentOutcome::completed) {
        // Cannot happen with the store's rules (the last fragment completes
        // in one transaction), but if it does, finish the job once.
        auto done = m_store->complete_message(contact_id, message_id, received->message->encoded, now);
        if (!done) return std::move(done).error();
      }
    }
  }
  return {};
}

Result<std::string> Messenger::create_invite(Random& rng, WallTime now, std::chrono::seconds lifetime,
                                             const router::directory::Topology& topology) {
  auto invite = m_invites.create(rng, now, lifetime, m_config.network_id, topology);
  if (!invite) return std::move(invite).error();
  const InviteRecord* record = m_invites.find(invite->invite_id);
  Bytes encoded = encode_invite_record(*record);
  const WipeOnExit wipe(encoded);
  if (auto put = m_store->put_invite(invite->invite_id, encoded); !put) {
    (void)m_invites.forget(invite->invite_id);  // not stored: never handed out
    return std::move(put).error();
  }
  return encode_invite_text(*invite);
}

Status Messenger::revoke_invite(const InviteId& invite_id) {
  if (auto revoked = m_invites.revoke(invite_id); !revoked) return revoked;
  Bytes encoded = encode_invite_record(*m_invites.find(invite_id));
  const WipeOnExit wipe(encoded);
  return m_store->put_invite(invite_id, encoded);
}

Result<AcceptedInvite> Messenger::accept_invite(std::string_view invite_text, std::string_view contact_name,
                                                Random& rng, WallTime now) {
  auto invite = decode_invite_text(invite_text);
  if (!invite) return std::move(invite).error();
  if (auto usable = check_invite_usable(*invite, now, m_config.network_id); !usable) return std::move(usable).error();

  const session::IdentityPublicKeys own{m_identity.public_keys().signing, m_identity.public_keys().agreement};
  auto handshake = session::accept_invite(m_config.geometry, invite->invite_id, invite->one_time_key, invite->seed, own,
                                          m_identity.agreement_secret(), ByteView{}, rng);
  if (!handshake) return std::move(handshake).error();

  ContactSession state{ContactSession::PendingHandshake{invite_mailbox_id(invite->seed), invite->provider,
                                                        std::move(handshake->envelope)},
                       false, std::move(handshake->ratchet)};
  const SecretBytes encoded = encode_contact_session(state);
  NewContact contact;
  contact.name = std::string(contact_name);
  contact.role = static_cast<std::uint8_t>(session::SessionRole::invitee);
  // Version 1 invites name no long-term key of the inviter: the invite's
  // one-time key is what this side knows of the peer.
  contact.peer_identity.assign(invite->one_time_key.begin(), invite->one_time_key.end());
  contact.seed = handshake->contact_seed.view();
  contact.session = encoded.view();
  contact.created = now;
  auto id = m_store->add_contact(contact, std::nullopt);
  if (!id) return std::move(id).error();

  auto made = make_contact(*id, session::SessionRole::invitee, std::move(handshake->contact_seed), std::move(state));
  if (!made) return std::move(made).error();
  (*made)->handshake_due = now;
  m_contacts.emplace(*id, std::move(*made));
  return AcceptedInvite{*id};
}

std::vector<ContactId> Messenger::contacts() const {
  std::vector<ContactId> ids;
  ids.reserve(m_contacts.size());
  for (const auto& entry : m_contacts) ids.push_back(entry.first);
  return ids;
}

bool Messenger::can_send(ContactId contact) const {
  const auto found = m_contacts.find(contact);
  return found != m_contacts.end() && found->second->state.ratchet.can_send();
}

std::size_t Messenger::pending_outgoing(ContactId contact) const {
  const auto found = m_contacts.find(contact);
  return found == m_contacts.end() ? 0 : found->second->outbox.pending_messages();
}

}  // namespace tenebra::rendezvous
