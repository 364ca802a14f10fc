// The invite handshake (docs/messaging.md §3): accepting an invite sends one
// handshake envelope through the mixnet (the data of one STORE into the
// invite's mailbox); opening it leaves both sides with a contact: a ratchet
// root key, a fresh rendezvous seed for the contact's mailboxes, each
// other's keys and, for the inviter, the invitee's opaque blob (SURBs for
// the first replies).
//
// The invitee (Bob) holds the invite's parts (invite_id, one-time X25519
// public key, seed) and an identity (Ed25519 public key, X25519 key pair).
// The handshake proves that he holds the X25519 identity secret and binds
// his Ed25519 key; the inviter (Alice) is authenticated by the invite
// itself: only the holder of the one-time secret can derive the keys. The
// inviter's first ratchet message confirms the handshake for the invitee
// (his ratchet can send once it opened one).
//
// Errors when opening say nothing an attacker can use: every failure of a
// well-sized envelope is Errc::crypto "cannot open this handshake".
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <array>
#include <cstdint>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/rendezvous/envelope.hpp"
#include "tenebra/rendezvous/ratchet.hpp"
#include "tenebra/rendezvous/session_constants.hpp"

namespace tenebra::rendezvous::session {

using InviteId = std::array<std::uint8_t, kInviteIdBytes>;
using SigningPublicKey = std::array<std::uint8_t, kSigningKeyBytes>;  // Ed25519

// The public keys of one identity, as the handshake carries them.
struct IdentityPublicKeys {
  SigningPublicKey signing{};  // Ed25519
  PublicKey agreement{};       // X25519
  bool operator==(const IdentityPublicKeys&) const = default;
};

// What the invitee keeps after sending the handshake.
struct InviteeHandshake {
  Bytes envelope;  // envelope_bytes(geometry): STORE it into the invite's mailbox
  SessionRole role = SessionRole::invitee;
  SecretKey32 contact_seed;  // the contact's rendezvous seed (not the invite's)
  Ratchet ratchet;           // can_send() once the inviter's first message opened
};

// What the inviter learns from an opened handshake.
struct InviterHandshake {
  SessionRole role = SessionRole::inviter;
  IdentityPublicKeys invitee;
  Bytes blob;  // as the invitee gave it
  SecretKey32 contact_seed;
  Ratchet ratchet;  // can send at once; its first message confirms the handshake
};

// Bob's side. `identity` must be the public half of `agreement_secret`
// (Errc::invalid_argument otherwise); `blob` at most
// handshake_blob_capacity(geometry) bytes. Draws 32 bytes (the ephemeral
// secret) then 32 bytes (the first ratchet secret) from `rng`.
[[nodiscard]] Result<InviteeHandshake> accept_invite(const mix::sphinx::Geometry& geometry, const InviteId& invite_id,
                                                     const PublicKey& invite_public, const SecretKey32& invite_seed,
                                                     const IdentityPublicKeys& identity,
                                                     const SecretKey32& agreement_secret, ByteView blob, Random& rng);

// Alice's side, with the invite's one-time secret and seed (from her invite
// book). Errc::malformed / unsupported for bytes that are not a handshake
// envelope of this geometry; Errc::crypto for anything else (wrong key or
// seed, tampered bytes, another invite's id, a failed identity proof).
[[nodiscard]] Result<InviterHandshake> open_handshake(const mix::sphinx::Geometry& geometry, const InviteId& invite_id,
                                                      const SecretKey32& invite_secret, const SecretKey32& invite_seed,
                                                      ByteView envelope);

}  // namespace tenebra::rendezvous::session
