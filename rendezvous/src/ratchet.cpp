#include "tenebra/rendezvous/ratchet.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "session_kdf.hpp"

namespace tenebra::rendezvous::session {
namespace {

constexpr std::uint8_t kHasSelf = 0x01;
constexpr std::uint8_t kHasRemote = 0x02;
constexpr std::uint8_t kHasSend = 0x04;
constexpr std::uint8_t kHasReceive = 0x08;
constexpr std::uint8_t kKnownFlags = kHasSelf | kHasRemote | kHasSend | kHasReceive;
constexpr std::size_t kAdBytes = kMessageHeaderBytes + kBindingBytes;
constexpr std::size_t kSkippedEntryBytes = kPublicKeyBytes + 4 + kKeyBytes;

// KDF_RK: (root', chain) from the root key and one DH output.
void root_step(SecretKey32& root, SecretKey32& chain, const SecretKey32& dh_output) {
  Bytes message;
  message.reserve(kLengthBytes + kKeyBytes);
  detail::append_prefixed(message, {dh_output.view()});
  const WipeOnExit wipe_message(message);
  chain = detail::derive_key(root.view(), kLabelRatchetChain, message);
  root = detail::derive_key(root.view(), kLabelRatchetRoot, message);
}

// KDF_CK: the message key of this chain position, and the chain key moved on.
SecretKey32 chain_step(SecretKey32& chain) {
  SecretKey32 message_key = detail::derive_key(chain.view(), kLabelMessageKey, {});
  chain = detail::derive_key(chain.view(), kLabelChainStep, {});
  return message_key;
}

std::array<std::uint8_t, kAdBytes> associated_data(const MessageHeader& header, const Binding& binding) {
  std::array<std::uint8_t, kAdBytes> ad{};
  const auto encoded = encode_message_header(header);
  std::copy(encoded.begin(), encoded.end(), ad.begin());
  std::copy(binding.begin(), binding.end(), ad.begin() + kMessageHeaderBytes);
  return ad;
}

template <std::size_t N>
std::array<std::uint8_t, N> to_array(ByteView view) noexcept {
  std::array<std::uint8_t, N> out{};
  std::copy_n(view.begin(), N, out.begin());
  return out;
}

// Opens `message` with `key`; the plaintext once its padding checked.
Result<Bytes> open_message(const mix::sphinx::Geometry& geometry, const MessageEnvelope& message,
                           const SecretKey32& key, const Binding& binding) {
  const std::size_t text_size = message.sealed.size() - kTagBytes;
  Bytes inner(message.sealed.begin(), message.sealed.begin() + static_cast<std::ptrdiff_t>(text_size));
  const WipeOnExit wipe_inner(inner);
  const auto ad = associated_data(message.header, binding);
  if (!detail::aead_open(key, message.nonce, ad, inner, ByteView(message.sealed).subspan(text_size))) {
    return make_error(Errc::crypto, "cannot open this message");
  }
  const std::size_t length = (std::size_t{inner[0]} << 8U) | inner[1];
  if (length > plaintext_capacity(geometry) || !is_all_zero(ByteView(inner).subspan(kLengthBytes + length))) {
    return make_error(Errc::malformed, "message plaintext: bad length or non-zero padding");
  }
  return Bytes(inner.begin() + kLengthBytes, inner.begin() + static_cast<std::ptrdiff_t>(kLengthBytes + length));
}

}  // namespace

Ratchet::Ratchet(SessionRole role, const Binding& binding, SecretKey32 root) noexcept
    : m_role(role), m_binding(binding), m_root(std::move(root)) {}

Ratchet Ratchet::start_as_inviter(SecretKey32 root_key, const PublicKey& invitee_ratchet, const Binding& binding) {
  Ratchet out(SessionRole::inviter, binding, std::move(root_key));
  out.m_remote = invitee_ratchet;
  return out;
}

Ratchet Ratchet::start_as_invitee(SecretKey32 root_key, SecretKey32 ratchet_secret, const Binding& binding) {
  Ratchet out(SessionRole::invitee, binding, std::move(root_key));
  KeyPair self{std::move(ratchet_secret), {}};
  detail::x25519_base(self.public_key, self.secret);
  out.m_self = std::move(self);
  return out;
}

Ratchet Ratchet::clone() const {
  Ratchet out(m_role, m_binding, m_root.clone());
  if (m_self) out.m_self = KeyPair{m_self->secret.clone(), m_self->public_key};
  out.m_remote = m_remote;
  if (m_send) out.m_send = m_send->clone();
  if (m_receive) out.m_receive = m_receive->clone();
  out.m_send_number = m_send_number;
  out.m_receive_number = m_receive_number;
  out.m_previous_send = m_previous_send;
  out.m_skipped.reserve(m_skipped.size());
  for (const auto& skipped : m_skipped) out.m_skipped.push_back({skipped.ratchet, skipped.number, skipped.key.clone()});
  return out;
}

// The sending half of a DH ratchet step: a fresh key pair against the
// remote's current ratchet key. Run lazily by the first encrypt after a
// received step, so decrypt needs no randomness.
Status Ratchet::step_sending_chain(Random& rng) {
  KeyPair fresh;
  rng.fill(fresh.secret.span());
  detail::x25519_base(fresh.public_key, fresh.secret);
  SecretKey32 dh_output;
  if (!detail::x25519(dh_output, fresh.secret, *m_remote)) {
    return make_error(Errc::crypto, "the peer's ratchet key is not usable");
  }
  SecretKey32 chain;
  root_step(m_root, chain, dh_output);
  m_send = std::move(chain);
  m_self = std::move(fresh);
  m_previous_send = m_send_number;
  m_send_number = 0;
  return {};
}

// The receiving half of a DH ratchet step, on a header with a new ratchet
// key: close the current receiving chain (keeping keys of messages still to
// come), then derive the new one. The sending chain is dropped; the next
// encrypt starts a new one.
Status Ratchet::step_receiving_chain(const MessageHeader& header) {
  if (m_receive) {
    if (auto skipped = skip_until(header.previous_chain_length); !skipped) return skipped;
  }
  if (!m_self) return make_error(Errc::crypto, "cannot open this message");
  SecretKey32 dh_output;
  if (!detail::x25519(dh_output, m_self->secret, header.ratchet_public)) {
    return make_error(Errc::crypto, "cannot open this message");
  }
  SecretKey32 chain;
  root_step(m_root, chain, dh_output);
  m_receive = std::move(chain);
  m_remote = header.ratchet_public;
  m_receive_number = 0;
  m_send.reset();
  return {};
}

std::size_t Ratchet::skipped_in_chain(const PublicKey& ratchet) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(m_skipped.begin(), m_skipped.end(), [&](const SkippedKey& key) { return key.ratchet == ratchet; }));
}

// Stores the keys of receiving-chain messages m_receive_number .. until-1.
Status Ratchet::skip_until(std::uint32_t until) {
  if (!m_receive || until <= m_receive_number) return {};
  const std::size_t count = until - m_receive_number;
  if (count + skipped_in_chain(*m_remote) > kMaxSkippedPerChain) {
    return make_error(Errc::exhausted, "message is " + std::to_string(count) + " ahead of its chain; at most " +
                                           std::to_string(kMaxSkippedPerChain) + " skipped keys are kept per chain");
  }
  while (m_receive_number < until) {
    m_skipped.push_back({*m_remote, m_receive_number, chain_step(*m_receive)});
    ++m_receive_number;
  }
  if (m_skipped.size() > kMaxSkippedTotal) {
    const auto excess = static_cast<std::ptrdiff_t>(m_skipped.size() - kMaxSkippedTotal);
    m_skipped.erase(m_skipped.begin(), m_skipped.begin() + excess);
  }
  return {};
}

std::optional<std::size_t> Ratchet::find_skipped(const MessageHeader& header) const noexcept {
  for (std::size_t i = 0; i < m_skipped.size(); ++i) {
    if (m_skipped[i].number == header.message_number && m_skipped[i].ratchet == header.ratchet_public) return i;
  }
  return std::nullopt;
}

Result<Bytes> Ratchet::encrypt(const mix::sphinx::Geometry& geometry, ByteView plaintext, Random& rng) {
  if (auto ok = check_geometry(geometry); !ok) return std::move(ok).error();
  const std::size_t capacity = plaintext_capacity(geometry);
  if (plaintext.size() > capacity) {
    return make_error(Errc::invalid_argument, "plaintext of " + std::to_string(plaintext.size()) +
                                                  " bytes exceeds the capacity of " + std::to_string(capacity));
  }
  if (!m_remote) {
    return make_error(Errc::invalid_argument, "the invitee can send only after the inviter's first message");
  }
  if (!m_send) {
    Ratchet next = clone();
    if (auto stepped = next.step_sending_chain(rng); !stepped) return std::move(stepped).error();
    *this = std::move(next);
  }
  if (m_send_number == std::numeric_limits<std::uint32_t>::max()) {
    return make_error(Errc::exhausted, "sending chain is exhausted");
  }
  const SecretKey32 message_key = chain_step(*m_send);
  MessageEnvelope message;
  message.header = {m_self->public_key, m_previous_send, m_send_number};
  ++m_send_number;
  rng.fill(message.nonce);

  message.sealed.assign(kLengthBytes + capacity + kTagBytes, 0);
  message.sealed[0] = static_cast<std::uint8_t>(plaintext.size() >> 8U);
  message.sealed[1] = static_cast<std::uint8_t>(plaintext.size() & 0xFFU);
  std::copy(plaintext.begin(), plaintext.end(), message.sealed.begin() + kLengthBytes);
  const auto ad = associated_data(message.header, m_binding);
  const MutableByteView sealed(message.sealed);
  detail::aead_seal(message_key, message.nonce, ad, sealed.first(kLengthBytes + capacity),
                    sealed.subspan(kLengthBytes + capacity));
  return encode_envelope(geometry, Envelope{std::move(message)});
}

Result<Bytes> Ratchet::decrypt(const mix::sphinx::Geometry& geometry, ByteView envelope) {
  auto decoded = decode_envelope(geometry, envelope);
  if (!decoded) return std::move(decoded).error();
  const auto* message = std::get_if<MessageEnvelope>(&*decoded);
  if (message == nullptr) return make_error(Errc::malformed, "not a message envelope (a handshake)");
  const MessageHeader& header = message->header;

  if (const auto index = find_skipped(header)) {
    auto plaintext = open_message(geometry, *message, m_skipped[*index].key, m_binding);
    if (plaintext) m_skipped.erase(m_skipped.begin() + static_cast<std::ptrdiff_t>(*index));
    return plaintext;
  }
  if (header.message_number == std::numeric_limits<std::uint32_t>::max()) {
    return make_error(Errc::exhausted, "message number out of range");
  }
  // Work on a copy; it replaces the state only once the message opened.
  Ratchet next = clone();
  if (!next.m_remote || header.ratchet_public != *next.m_remote) {
    if (auto stepped = next.step_receiving_chain(header); !stepped) return std::move(stepped).error();
  }
  if (!next.m_receive || header.message_number < next.m_receive_number) {
    return make_error(Errc::crypto, "cannot open this message: its key is gone (replayed or already opened)");
  }
  if (auto skipped = next.skip_until(header.message_number); !skipped) return std::move(skipped).error();
  const SecretKey32 message_key = chain_step(*next.m_receive);
  ++next.m_receive_number;
  auto plaintext = open_message(geometry, *message, message_key, next.m_binding);
  if (plaintext) *this = std::move(next);
  return plaintext;
}

SecretBytes Ratchet::encode() const {
  Bytes out;
  out.reserve(3 + kBindingBytes + 5 * kKeyBytes + 12 + 2 + m_skipped.size() * kSkippedEntryBytes);
  ByteWriter writer(out);
  writer.u8(kRatchetStateVersion);
  writer.u8(static_cast<std::uint8_t>(m_role));
  std::uint8_t flags = 0;
  if (m_self) flags |= kHasSelf;
  if (m_remote) flags |= kHasRemote;
  if (m_send) flags |= kHasSend;
  if (m_receive) flags |= kHasReceive;
  writer.u8(flags);
  writer.bytes(m_binding);
  writer.bytes(m_root.view());
  if (m_self) writer.bytes(m_self->secret.view());
  if (m_remote) writer.bytes(*m_remote);
  if (m_send) writer.bytes(m_send->view());
  if (m_receive) writer.bytes(m_receive->view());
  writer.u32_be(m_send_number);
  writer.u32_be(m_receive_number);
  writer.u32_be(m_previous_send);
  writer.u16_be(static_cast<std::uint16_t>(m_skipped.size()));
  for (const auto& skipped : m_skipped) {
    writer.bytes(skipped.ratchet);
    writer.u32_be(skipped.number);
    writer.bytes(skipped.key.view());
  }
  return SecretBytes(std::move(out));
}

Result<Ratchet> Ratchet::decode(ByteView encoded) {
  ByteReader reader(encoded);
  auto version = reader.u8();
  if (!version) return make_error(Errc::malformed, "ratchet state: empty");
  if (*version != kRatchetStateVersion) {
    return make_error(Errc::unsupported, "ratchet state: unknown version " + std::to_string(*version));
  }
  auto decoded = decode_body(reader);
  if (!decoded) return decoded;
  if (!reader.at_end()) return make_error(Errc::malformed, "ratchet state: trailing bytes");
  return decoded;
}

Result<Ratchet> Ratchet::decode_body(ByteReader& reader) {
  const auto bad = [](const char* what) { return make_error(Errc::malformed, std::string("ratchet state: ") + what); };
  auto role = reader.u8();
  auto flags = reader.u8();
  if (!role || !flags) return bad("truncated");
  if (*role != static_cast<std::uint8_t>(SessionRole::inviter) &&
      *role != static_cast<std::uint8_t>(SessionRole::invitee)) {
    return bad("unknown role");
  }
  if ((*flags & ~kKnownFlags) != 0) return bad("unknown flags");
  const bool has_self = (*flags & kHasSelf) != 0;
  const bool has_remote = (*flags & kHasRemote) != 0;
  const bool has_send = (*flags & kHasSend) != 0;
  const bool has_receive = (*flags & kHasReceive) != 0;
  if ((has_send && !(has_self && has_remote)) || (has_receive && !has_remote) || !(has_self || has_remote)) {
    return bad("inconsistent chains");
  }
  if (static_cast<SessionRole>(*role) == SessionRole::invitee && !has_self) return bad("invitee without a ratchet key");

  auto binding = reader.take(kBindingBytes);
  auto root = reader.take(kKeyBytes);
  if (!binding || !root) return bad("truncated");
  Ratchet out(static_cast<SessionRole>(*role), to_array<kBindingBytes>(*binding),
              SecretKey32(root->first<kKeyBytes>()));
  if (has_self) {
    auto secret = reader.take(kKeyBytes);
    if (!secret) return bad("truncated");
    KeyPair self{SecretKey32(secret->first<kKeyBytes>()), {}};
    detail::x25519_base(self.public_key, self.secret);
    out.m_self = std::move(self);
  }
  if (has_remote) {
    auto remote = reader.take(kPublicKeyBytes);
    if (!remote) return bad("truncated");
    out.m_remote = to_array<kPublicKeyBytes>(*remote);
    if (!is_canonical_public_key(*out.m_remote)) return bad("remote ratchet key is not canonical");
  }
  if (has_send) {
    auto chain = reader.take(kKeyBytes);
    if (!chain) return bad("truncated");
    out.m_send = SecretKey32(chain->first<kKeyBytes>());
  }
  if (has_receive) {
    auto chain = reader.take(kKeyBytes);
    if (!chain) return bad("truncated");
    out.m_receive = SecretKey32(chain->first<kKeyBytes>());
  }
  auto send_number = reader.u32_be();
  auto receive_number = reader.u32_be();
  auto previous_send = reader.u32_be();
  auto skipped_count = reader.u16_be();
  if (!send_number || !receive_number || !previous_send || !skipped_count) return bad("truncated");
  out.m_send_number = *send_number;
  out.m_receive_number = *receive_number;
  out.m_previous_send = *previous_send;
  if (*skipped_count > kMaxSkippedTotal) return bad("too many skipped keys");
  if (reader.remaining() != std::size_t{*skipped_count} * kSkippedEntryBytes) return bad("wrong length");
  out.m_skipped.reserve(*skipped_count);
  for (std::size_t i = 0; i < *skipped_count; ++i) {
    auto ratchet = reader.take(kPublicKeyBytes);
    auto number = reader.u32_be();
    auto key = reader.take(kKeyBytes);
    if (!ratchet || !number || !key) return bad("truncated");
    const MessageHeader header{to_array<kPublicKeyBytes>(*ratchet), 0, *number};
    if (!is_canonical_public_key(header.ratchet_public)) return bad("skipped key of a non-canonical ratchet key");
    if (out.find_skipped(header)) return bad("duplicate skipped key");
    if (out.skipped_in_chain(header.ratchet_public) >= kMaxSkippedPerChain)
      return bad("too many skipped keys in a chain");
    out.m_skipped.push_back({header.ratchet_public, *number, SecretKey32(key->first<kKeyBytes>())});
  }
  return out;
}

}  // namespace tenebra::rendezvous::session
