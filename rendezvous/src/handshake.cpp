#include "tenebra/rendezvous/handshake.hpp"

#include <algorithm>
#include <string>

#include "session_kdf.hpp"

namespace tenebra::rendezvous::session {
namespace {

// Everything derived from the two DH outputs and the invite seed.
struct SessionSecrets {
  SecretKey32 root;
  SecretKey32 contact_seed;
  SecretKey32 proof;
  Binding binding{};
};

// The handshake AEAD key and nonce: keyed by the seed, so only invite
// holders can open the envelope; the nonce is derived, not carried, because
// the key is fresh for every ephemeral key (one message per key).
struct HandshakeKey {
  SecretKey32 key;
  Nonce nonce{};
};

struct Plaintext {
  InviteId invite_id{};
  IdentityPublicKeys identity;
  PublicKey ratchet{};
  std::array<std::uint8_t, kProofBytes> proof{};
};

HandshakeKey handshake_key(const SecretKey32& dh1, const PublicKey& invite_public, const PublicKey& ephemeral,
                           const SecretKey32& seed) {
  Bytes input;
  input.reserve(3 * (kLengthBytes + kKeyBytes));
  detail::append_prefixed(input, {dh1.view(), invite_public, ephemeral});
  const WipeOnExit wipe_input(input);
  HandshakeKey out;
  out.key = detail::derive_key(seed.view(), kLabelHandshakeKey, input);
  detail::blake2b(out.nonce, seed.view(), kLabelHandshakeNonce, input);
  return out;
}

// T = lp(invite_id) || lp(invite_public) || lp(ephemeral) || lp(signing) ||
// lp(agreement) || lp(ratchet)
Bytes transcript(const InviteId& invite_id, const PublicKey& invite_public, const PublicKey& ephemeral,
                 const IdentityPublicKeys& identity, const PublicKey& ratchet) {
  Bytes out;
  out.reserve(6 * (kLengthBytes + kKeyBytes));
  detail::append_prefixed(out, {invite_id, invite_public, ephemeral, identity.signing, identity.agreement, ratchet});
  return out;
}

SessionSecrets session_secrets(const SecretKey32& dh1, const SecretKey32& dh2, const SecretKey32& seed,
                               const Bytes& transcript_bytes) {
  Bytes input;
  input.reserve(2 * (kLengthBytes + kKeyBytes) + transcript_bytes.size());
  detail::append_prefixed(input, {dh1.view(), dh2.view()});
  input.insert(input.end(), transcript_bytes.begin(), transcript_bytes.end());
  const WipeOnExit wipe_input(input);
  SessionSecrets out;
  out.root = detail::derive_key(seed.view(), kLabelRootKey, input);
  out.contact_seed = detail::derive_key(seed.view(), kLabelContactSeed, input);
  out.proof = detail::derive_key(seed.view(), kLabelProof, input);
  detail::blake2b(out.binding, {}, kLabelBinding, transcript_bytes);
  return out;
}

std::array<std::uint8_t, kHandshakeHeaderBytes> handshake_ad(const PublicKey& ephemeral) {
  std::array<std::uint8_t, kHandshakeHeaderBytes> ad{};
  ad[0] = kHandshakeType;
  std::copy(ephemeral.begin(), ephemeral.end(), ad.begin() + kTypeBytes);
  return ad;
}

template <std::size_t N>
std::array<std::uint8_t, N> take_array(ByteReader& reader) {
  std::array<std::uint8_t, N> out{};
  if (auto bytes = reader.take(N)) std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Error cannot_open() {
  return make_error(Errc::crypto, "cannot open this handshake");
}

// Reads the fixed part and the blob of an opened plaintext; false when the
// blob length or padding is wrong.
bool parse_plaintext(const mix::sphinx::Geometry& geometry, ByteView text, Plaintext& out, Bytes& blob) {
  ByteReader reader(text);
  out.invite_id = take_array<kInviteIdBytes>(reader);
  out.identity.signing = take_array<kSigningKeyBytes>(reader);
  out.identity.agreement = take_array<kPublicKeyBytes>(reader);
  out.ratchet = take_array<kPublicKeyBytes>(reader);
  out.proof = take_array<kProofBytes>(reader);
  auto length = reader.u16_be();
  if (!length || *length > handshake_blob_capacity(geometry)) return false;
  auto data = reader.take(*length);
  if (!data || !is_all_zero(reader.rest())) return false;
  blob.assign(data->begin(), data->end());
  return true;
}

}  // namespace

Result<InviteeHandshake> accept_invite(const mix::sphinx::Geometry& geometry, const InviteId& invite_id,
                                       const PublicKey& invite_public, const SecretKey32& invite_seed,
                                       const IdentityPublicKeys& identity, const SecretKey32& agreement_secret,
                                       ByteView blob, Random& rng) {
  if (auto ok = check_geometry(geometry); !ok) return std::move(ok).error();
  if (blob.size() > handshake_blob_capacity(geometry)) {
    return make_error(Errc::invalid_argument, "handshake blob of " + std::to_string(blob.size()) +
                                                  " bytes exceeds the capacity of " +
                                                  std::to_string(handshake_blob_capacity(geometry)));
  }
  PublicKey derived_agreement{};
  detail::x25519_base(derived_agreement, agreement_secret);
  if (sodium_memcmp(derived_agreement.data(), identity.agreement.data(), kPublicKeyBytes) != 0) {
    return make_error(Errc::invalid_argument, "identity agreement key does not match its secret");
  }
  SecretKey32 ephemeral_secret;
  rng.fill(ephemeral_secret.span());
  SecretKey32 ratchet_secret;
  rng.fill(ratchet_secret.span());
  PublicKey ephemeral{};
  detail::x25519_base(ephemeral, ephemeral_secret);
  PublicKey ratchet{};
  detail::x25519_base(ratchet, ratchet_secret);

  SecretKey32 dh1;
  SecretKey32 dh2;
  if (!is_canonical_public_key(invite_public) || !detail::x25519(dh1, ephemeral_secret, invite_public) ||
      !detail::x25519(dh2, agreement_secret, invite_public)) {
    return make_error(Errc::invalid_argument, "the invite's one-time key is not a usable X25519 key");
  }
  const Bytes transcript_bytes = transcript(invite_id, invite_public, ephemeral, identity, ratchet);
  SessionSecrets secrets = session_secrets(dh1, dh2, invite_seed, transcript_bytes);
  const HandshakeKey key = handshake_key(dh1, invite_public, ephemeral, invite_seed);

  HandshakeEnvelope sealed_envelope;
  sealed_envelope.ephemeral = ephemeral;
  Bytes& sealed = sealed_envelope.sealed;
  sealed.reserve(envelope_bytes(geometry) - kHandshakeHeaderBytes);
  ByteWriter writer(sealed);
  writer.bytes(invite_id);
  writer.bytes(identity.signing);
  writer.bytes(identity.agreement);
  writer.bytes(ratchet);
  writer.bytes(secrets.proof.view());
  writer.u16_be(static_cast<std::uint16_t>(blob.size()));
  writer.bytes(blob);
  const std::size_t text_size = envelope_bytes(geometry) - kHandshakeHeaderBytes - kTagBytes;
  sealed.resize(text_size + kTagBytes, 0);
  const auto ad = handshake_ad(ephemeral);
  const MutableByteView sealed_view(sealed);
  detail::aead_seal(key.key, key.nonce, ad, sealed_view.first(text_size), sealed_view.subspan(text_size));

  auto envelope = encode_envelope(geometry, Envelope{std::move(sealed_envelope)});
  if (!envelope) return std::move(envelope).error();
  return InviteeHandshake{
      std::move(*envelope), SessionRole::invitee, std::move(secrets.contact_seed),
      Ratchet::start_as_invitee(std::move(secrets.root), std::move(ratchet_secret), secrets.binding)};
}

Result<InviterHandshake> open_handshake(const mix::sphinx::Geometry& geometry, const InviteId& invite_id,
                                        const SecretKey32& invite_secret, const SecretKey32& invite_seed,
                                        ByteView envelope) {
  auto decoded = decode_envelope(geometry, envelope);
  if (!decoded) return std::move(decoded).error();
  const auto* handshake = std::get_if<HandshakeEnvelope>(&*decoded);
  if (handshake == nullptr) return make_error(Errc::malformed, "not a handshake envelope");

  PublicKey invite_public{};
  detail::x25519_base(invite_public, invite_secret);
  SecretKey32 dh1;
  if (!detail::x25519(dh1, invite_secret, handshake->ephemeral)) return cannot_open();
  const HandshakeKey key = handshake_key(dh1, invite_public, handshake->ephemeral, invite_seed);

  const std::size_t text_size = handshake->sealed.size() - kTagBytes;
  Bytes text(handshake->sealed.begin(), handshake->sealed.begin() + static_cast<std::ptrdiff_t>(text_size));
  const WipeOnExit wipe_text(text);
  const auto ad = handshake_ad(handshake->ephemeral);
  if (!detail::aead_open(key.key, key.nonce, ad, text, ByteView(handshake->sealed).subspan(text_size))) {
    return cannot_open();
  }
  Plaintext plain;
  Bytes blob;
  if (!parse_plaintext(geometry, text, plain, blob)) return cannot_open();
  const WipeOnExit wipe_proof(plain.proof);
  if (sodium_memcmp(plain.invite_id.data(), invite_id.data(), kInviteIdBytes) != 0) return cannot_open();

  SecretKey32 dh2;
  SecretKey32 ratchet_check;
  if (!is_canonical_public_key(plain.identity.agreement) || !is_canonical_public_key(plain.ratchet) ||
      !detail::x25519(dh2, invite_secret, plain.identity.agreement) ||
      !detail::x25519(ratchet_check, invite_secret, plain.ratchet)) {
    return cannot_open();
  }
  const Bytes transcript_bytes =
      transcript(invite_id, invite_public, handshake->ephemeral, plain.identity, plain.ratchet);
  SessionSecrets secrets = session_secrets(dh1, dh2, invite_seed, transcript_bytes);
  if (sodium_memcmp(secrets.proof.data(), plain.proof.data(), kProofBytes) != 0) return cannot_open();

  return InviterHandshake{SessionRole::inviter, plain.identity, std::move(blob), std::move(secrets.contact_seed),
                          Ratchet::start_as_inviter(std::move(secrets.root), plain.ratchet, secrets.binding)};
}

}  // namespace tenebra::rendezvous::session
