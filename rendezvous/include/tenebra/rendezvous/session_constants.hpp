// Constants of the end-to-end session protocol (docs/messaging.md): the
// envelope type bytes, field sizes, the 16-byte BLAKE2b personalisation
// labels of every key derivation, and the caps on skipped message keys.
// One header for the whole wire protocol, so sizes are named once.
// Thread-safety: constants only.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace tenebra::rendezvous::session {

// First byte of every envelope: protocol version 1 in the high nibble, the
// envelope type in the low nibble. A later version gets new type bytes.
inline constexpr std::uint8_t kHandshakeType = 0x11;
inline constexpr std::uint8_t kMessageType = 0x12;

inline constexpr std::size_t kTypeBytes = 1;
inline constexpr std::size_t kPublicKeyBytes = crypto_scalarmult_curve25519_BYTES;  // X25519
inline constexpr std::size_t kSigningKeyBytes = crypto_sign_PUBLICKEYBYTES;         // Ed25519
inline constexpr std::size_t kKeyBytes = 32;                                        // every symmetric key
inline constexpr std::size_t kSeedBytes = 32;                                       // rendezvous seeds
inline constexpr std::size_t kInviteIdBytes = 16;
inline constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
inline constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
inline constexpr std::size_t kProofBytes = 32;
inline constexpr std::size_t kBindingBytes = 32;
inline constexpr std::size_t kLengthBytes = 2;  // u16 length of the data inside a padded plaintext

// Handshake envelope: type | ephemeral public | sealed(plaintext) | tag.
inline constexpr std::size_t kHandshakeHeaderBytes = kTypeBytes + kPublicKeyBytes;
// Handshake plaintext before the blob: invite_id | signing key | agreement
// key | first ratchet key | proof | blob length.
inline constexpr std::size_t kHandshakeFixedPlaintextBytes =
    kInviteIdBytes + kSigningKeyBytes + kPublicKeyBytes + kPublicKeyBytes + kProofBytes + kLengthBytes;

// Message envelope: type | ratchet public | previous chain length (u32) |
// message number (u32) | nonce | sealed(plaintext) | tag.
inline constexpr std::size_t kMessageHeaderBytes = kTypeBytes + kPublicKeyBytes + 4 + 4;
inline constexpr std::size_t kMessageOverheadBytes = kMessageHeaderBytes + kNonceBytes + kTagBytes;

// The smallest envelope this protocol accepts (P >= 259): room for the
// fixed part of a handshake and a useful message.
inline constexpr std::size_t kMinEnvelopeBytes = 256;
static_assert(kMinEnvelopeBytes >= kHandshakeHeaderBytes + kHandshakeFixedPlaintextBytes + kTagBytes);
static_assert(kMinEnvelopeBytes >= kMessageOverheadBytes + kLengthBytes + 128);

// Skipped message keys (out-of-order delivery): at most this many held for
// one receiving chain (a message further ahead is refused) and in total (the
// oldest are dropped first; delivery retransmits what they would have opened).
inline constexpr std::size_t kMaxSkippedPerChain = 1000;
inline constexpr std::size_t kMaxSkippedTotal = 2000;

// Version byte of an encoded ratchet state (the client store's format).
inline constexpr std::uint8_t kRatchetStateVersion = 0x01;

// BLAKE2b personalisation labels: ASCII, zero-padded to 16 bytes.
using Label = std::array<char, crypto_generichash_blake2b_PERSONALBYTES>;

template <std::size_t N>
consteval Label make_label(const char (&text)[N]) {
  static_assert(N - 1 <= crypto_generichash_blake2b_PERSONALBYTES, "a label has at most 16 bytes");
  Label label{};
  for (std::size_t i = 0; i + 1 < N; ++i) label[i] = text[i];
  return label;
}

inline constexpr Label kLabelHandshakeKey = make_label("tenebra-hs-key");
inline constexpr Label kLabelHandshakeNonce = make_label("tenebra-hs-nonce");
inline constexpr Label kLabelRootKey = make_label("tenebra-hs-root");
inline constexpr Label kLabelContactSeed = make_label("tenebra-hs-seed");
inline constexpr Label kLabelProof = make_label("tenebra-hs-prove");
inline constexpr Label kLabelBinding = make_label("tenebra-hs-bind");
inline constexpr Label kLabelRatchetRoot = make_label("tenebra-dr-root");
inline constexpr Label kLabelRatchetChain = make_label("tenebra-dr-chain");
inline constexpr Label kLabelChainStep = make_label("tenebra-dr-step");
inline constexpr Label kLabelMessageKey = make_label("tenebra-dr-msg");

}  // namespace tenebra::rendezvous::session
