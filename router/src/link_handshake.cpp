#include "tenebra/router/link_handshake.hpp"

#include <sodium.h>

#include <algorithm>

#include "link_crypto.hpp"

namespace tenebra::router::link {
namespace {

constexpr std::size_t kResponseSealedOffset = kHandshakeHeaderBytes + kEphemeralBytes;
constexpr std::size_t kFlagsOffset = 0;
constexpr std::size_t kIdentityOffset = 1;
constexpr std::size_t kSignatureOffset = kIdentityOffset + kIdentityPublicKeyBytes;

Error auth_failed() {
  return make_error(Errc::crypto, "link handshake authentication failed");
}

Bytes header(HandshakeType type, std::size_t total) {
  Bytes out(total, 0);
  out[0] = kLinkVersion;
  out[1] = static_cast<std::uint8_t>(type);
  return out;
}

// Size first (the bounds), then version, then type: nothing else is read
// from a message that fails one of these.
Status check_header(ByteView message, HandshakeType type, std::size_t size) {
  if (message.size() != size) return make_error(Errc::malformed, "link handshake message has wrong length");
  if (message[0] != kLinkVersion) return make_error(Errc::unsupported, "unsupported link protocol version");
  if (message[1] != static_cast<std::uint8_t>(type)) {
    return make_error(Errc::malformed, "unexpected link handshake message type");
  }
  return {};
}

void draw_ephemeral(HandshakeState& state, Random& rng, MutableByteView public_out) {
  rng.fill(state.ephemeral.span());
  crypto_scalarmult_base(public_out.data(), state.ephemeral.data());
}

// ee from the own secret and the peer's ephemeral; the own secret goes.
bool agree(HandshakeState& state) {
  const bool ok = detail::x25519(state.shared, state.ephemeral, state.peer_ephemeral);
  state.ephemeral.wipe();
  if (!ok) state.shared.wipe();
  return ok;
}

}  // namespace

HandshakeState HandshakeState::make(const LinkConfig& config, const IdentityPublicKey& responder) {
  HandshakeState state;
  state.hash = detail::initial_hash(config.network_id, config.geometry, responder);
  return state;
}

Bytes write_hello(HandshakeState& state, Random& rng) {
  Bytes message = header(HandshakeType::hello, kHelloBytes);
  draw_ephemeral(state, rng, MutableByteView(message).subspan(kHandshakeHeaderBytes, kEphemeralBytes));
  state.hash = detail::mix_hash(state.hash, message);
  return message;
}

Status read_hello(HandshakeState& state, ByteView message) {
  if (auto ok = check_header(message, HandshakeType::hello, kHelloBytes); !ok) return ok;
  std::copy_n(message.begin() + kHandshakeHeaderBytes, kEphemeralBytes, state.peer_ephemeral.begin());
  state.hash = detail::mix_hash(state.hash, message);
  return {};
}

Result<Bytes> write_response(HandshakeState& state, const IdentityKeyPair& self, Random& rng) {
  Bytes message = header(HandshakeType::response, kResponseBytes);
  const MutableByteView out(message);
  draw_ephemeral(state, rng, out.subspan(kHandshakeHeaderBytes, kEphemeralBytes));
  if (!agree(state)) return auth_failed();
  state.hash = detail::mix_hash(state.hash, out.first(kResponseSealedOffset));
  state.handshake_key = detail::kdf(state.shared, kLabelHandshakeKey, state.hash);
  const auto to_sign = detail::signed_message(kLabelResponderSignature, state.hash);
  const MutableByteView sealed = out.subspan(kResponseSealedOffset, kResponsePlainBytes);
  crypto_sign_ed25519_detached(sealed.data(), nullptr, to_sign.data(), to_sign.size(), self.secret.data());
  detail::aead_seal(state.handshake_key, kResponseNonce, state.hash, sealed, out.last(kTagBytes));
  state.hash = detail::mix_hash(state.hash, out.subspan(kResponseSealedOffset));
  return message;
}

Status read_response(HandshakeState& state, ByteView message, const IdentityPublicKey& responder) {
  if (auto ok = check_header(message, HandshakeType::response, kResponseBytes); !ok) return ok;
  std::copy_n(message.begin() + kHandshakeHeaderBytes, kEphemeralBytes, state.peer_ephemeral.begin());
  if (!agree(state)) return auth_failed();
  const TranscriptHash h2 = detail::mix_hash(state.hash, message.first(kResponseSealedOffset));
  state.handshake_key = detail::kdf(state.shared, kLabelHandshakeKey, h2);
  std::array<std::uint8_t, kResponsePlainBytes> signature{};
  std::copy_n(message.begin() + kResponseSealedOffset, kResponsePlainBytes, signature.begin());
  if (!detail::aead_open(state.handshake_key, kResponseNonce, h2, signature, message.last(kTagBytes))) {
    return auth_failed();
  }
  const auto to_verify = detail::signed_message(kLabelResponderSignature, h2);
  if (crypto_sign_ed25519_verify_detached(signature.data(), to_verify.data(), to_verify.size(), responder.data()) !=
      0) {
    return auth_failed();
  }
  state.hash = detail::mix_hash(h2, message.subspan(kResponseSealedOffset));
  return {};
}

Bytes write_confirm(HandshakeState& state, const IdentityKeyPair* self) {
  Bytes message = header(HandshakeType::confirm, kConfirmBytes);
  const MutableByteView out(message);
  state.hash = detail::mix_hash(state.hash, out.first(kHandshakeHeaderBytes));
  const MutableByteView plain = out.subspan(kHandshakeHeaderBytes, kConfirmPlainBytes);
  if (self != nullptr) {
    plain[kFlagsOffset] = kConfirmIdentified;
    std::copy(self->public_key.begin(), self->public_key.end(), plain.begin() + kIdentityOffset);
    const auto to_sign = detail::signed_message(kLabelInitiatorSignature, state.hash);
    crypto_sign_ed25519_detached(plain.data() + kSignatureOffset, nullptr, to_sign.data(), to_sign.size(),
                                 self->secret.data());
  }
  detail::aead_seal(state.handshake_key, kConfirmNonce, state.hash, plain, out.last(kTagBytes));
  state.hash = detail::mix_hash(state.hash, out.subspan(kHandshakeHeaderBytes));
  return message;
}

Result<std::optional<IdentityPublicKey>> read_confirm(HandshakeState& state, ByteView message) {
  if (auto ok = check_header(message, HandshakeType::confirm, kConfirmBytes); !ok) return std::move(ok).error();
  const TranscriptHash h3 = detail::mix_hash(state.hash, message.first(kHandshakeHeaderBytes));
  std::array<std::uint8_t, kConfirmPlainBytes> plain{};
  std::copy_n(message.begin() + kHandshakeHeaderBytes, kConfirmPlainBytes, plain.begin());
  if (!detail::aead_open(state.handshake_key, kConfirmNonce, h3, plain, message.last(kTagBytes))) {
    return auth_failed();
  }
  std::optional<IdentityPublicKey> identity;
  const ByteView rest = ByteView(plain).subspan(kIdentityOffset);
  if (plain[kFlagsOffset] == kConfirmIdentified) {
    identity.emplace();
    std::copy_n(plain.begin() + kIdentityOffset, kIdentityPublicKeyBytes, identity->begin());
    const auto to_verify = detail::signed_message(kLabelInitiatorSignature, h3);
    if (crypto_sign_ed25519_verify_detached(plain.data() + kSignatureOffset, to_verify.data(), to_verify.size(),
                                            identity->data()) != 0) {
      return auth_failed();
    }
  } else if (plain[kFlagsOffset] != kConfirmAnonymous || !is_all_zero(rest)) {
    return make_error(Errc::malformed, "invalid link handshake confirm");
  }
  state.hash = detail::mix_hash(h3, message.subspan(kHandshakeHeaderBytes));
  return identity;
}

SessionKeys split(HandshakeState& state) {
  SessionKeys keys;
  keys.initiator_to_responder = detail::kdf(state.shared, kLabelInitiatorKey, state.hash);
  keys.responder_to_initiator = detail::kdf(state.shared, kLabelResponderKey, state.hash);
  keys.handshake_hash = state.hash;
  state.ephemeral.wipe();
  state.shared.wipe();
  state.handshake_key.wipe();
  return keys;
}

}  // namespace tenebra::router::link
