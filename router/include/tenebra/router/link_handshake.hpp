// The link handshake's three messages (docs/link.md §4), as functions over
// one side's running state: hello (initiator), response (responder), confirm
// (initiator). LinkSession (link_session.hpp) is the state machine that
// calls them in order; use it unless you need the parts (known-answer
// vectors, tests). Every read checks the exact size, version and type before
// it looks at anything else; every failure says only which class of problem
// it was. Secrets are wiped as soon as they are no longer needed, and all of
// them when the state is destroyed. Thread-safety: plain values.
#pragma once

#include <array>
#include <optional>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/router/link_constants.hpp"
#include "tenebra/router/link_identity.hpp"

namespace tenebra::router::link {

using TranscriptHash = std::array<std::uint8_t, kHashBytes>;
using EphemeralPublicKey = std::array<std::uint8_t, kEphemeralBytes>;

struct HandshakeState {
  TranscriptHash hash{};  // h, absorbing every byte sent or received
  SecretKey32 ephemeral;  // own X25519 secret, wiped once ee is known
  EphemeralPublicKey peer_ephemeral{};
  SecretKey32 shared;         // ee = X25519(own ephemeral, peer ephemeral)
  SecretKey32 handshake_key;  // seals the response (nonce 0) and confirm (nonce 1)

  // h0: both sides start from the network, geometry and responder identity.
  static HandshakeState make(const LinkConfig& config, const IdentityPublicKey& responder);
};

struct SessionKeys {
  SecretKey32 initiator_to_responder;
  SecretKey32 responder_to_initiator;
  TranscriptHash handshake_hash{};  // h after the confirm: a channel binding
};

// Initiator: draws its 32-byte ephemeral secret.
[[nodiscard]] Bytes write_hello(HandshakeState& state, Random& rng);
// Responder.
[[nodiscard]] Status read_hello(HandshakeState& state, ByteView message);
// Responder: draws its 32-byte ephemeral secret, signs the transcript.
[[nodiscard]] Result<Bytes> write_response(HandshakeState& state, const IdentityKeyPair& self, Random& rng);
// Initiator: checks the responder's signature with the key it expected.
[[nodiscard]] Status read_response(HandshakeState& state, ByteView message, const IdentityPublicKey& responder);
// Initiator: `self` null stays anonymous.
[[nodiscard]] Bytes write_confirm(HandshakeState& state, const IdentityKeyPair* self);
// Responder: the initiator's checked identity, or nullopt when anonymous.
// Accepting it (or an anonymous peer) is the caller's decision.
[[nodiscard]] Result<std::optional<IdentityPublicKey>> read_confirm(HandshakeState& state, ByteView message);
// Both: the directional keys; wipes the state's secrets.
[[nodiscard]] SessionKeys split(HandshakeState& state);

}  // namespace tenebra::router::link
