// Link protocol wire constants: the handshake that opens a node-to-node (or
// client-to-provider) link over a Transport stream, and the fixed-size
// encrypted frames that follow it. docs/link.md is the spec; every size of a
// message or frame follows from these and a Sphinx Geometry.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "tenebra/mix/geometry.hpp"
#include "tenebra/mix/sphinx_constants.hpp"

namespace tenebra::router::link {

inline constexpr std::uint8_t kLinkVersion = 0x01;  // first byte of every handshake message

inline constexpr std::size_t kNetworkIdBytes = 32;
inline constexpr std::size_t kIdentityPublicKeyBytes = 32;  // Ed25519
inline constexpr std::size_t kIdentitySecretKeyBytes = 64;  // libsodium's seed || public key
inline constexpr std::size_t kIdentitySeedBytes = 32;
inline constexpr std::size_t kSignatureBytes = 64;  // Ed25519
inline constexpr std::size_t kEphemeralBytes = 32;  // X25519 u-coordinate
inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kHashBytes = 32;   // transcript hash, BLAKE2b-256
inline constexpr std::size_t kTagBytes = 16;    // Poly1305
inline constexpr std::size_t kNonceBytes = 12;  // ChaCha20-Poly1305 IETF

// Handshake messages: version(1) | type(1) | body. Each has one fixed size.
enum class HandshakeType : std::uint8_t {
  hello = 0x01,     // initiator -> responder: ephemeral key
  response = 0x02,  // responder -> initiator: ephemeral key, sealed signature
  confirm = 0x03,   // initiator -> responder: sealed identity and signature (or anonymous)
};
inline constexpr std::size_t kHandshakeHeaderBytes = 2;
inline constexpr std::size_t kHelloBytes = kHandshakeHeaderBytes + kEphemeralBytes;
inline constexpr std::size_t kResponsePlainBytes = kSignatureBytes;
inline constexpr std::size_t kResponseBytes = kHandshakeHeaderBytes + kEphemeralBytes + kResponsePlainBytes + kTagBytes;
// flags(1) | identity(32) | signature(64)
inline constexpr std::size_t kConfirmPlainBytes = 1 + kIdentityPublicKeyBytes + kSignatureBytes;
inline constexpr std::size_t kConfirmBytes = kHandshakeHeaderBytes + kConfirmPlainBytes + kTagBytes;
inline constexpr std::size_t kMaxHandshakeBytes = kConfirmBytes;

// Flags byte of the confirm plaintext.
inline constexpr std::uint8_t kConfirmAnonymous = 0x00;
inline constexpr std::uint8_t kConfirmIdentified = 0x01;

// AEAD nonces of the handshake key.
inline constexpr std::uint64_t kResponseNonce = 0;
inline constexpr std::uint64_t kConfirmNonce = 1;

// Frames: AEAD(type(1) | body(packet_bytes)) | tag(16). One size per geometry.
enum class FrameType : std::uint8_t {
  packet = 0x01,   // body: one Sphinx packet
  padding = 0x02,  // body: zeros (cover; indistinguishable on the wire)
  ack = 0x03,      // body: count(2, u16 BE) | count x sequence(8, u64 BE) | zeros
};
inline constexpr std::size_t kFrameTypeBytes = 1;
inline constexpr std::size_t kAckCountBytes = 2;
inline constexpr std::size_t kSequenceBytes = 8;

inline std::size_t frame_body_bytes(const mix::sphinx::Geometry& geometry) noexcept {
  return geometry.packet_bytes();
}
inline std::size_t frame_plain_bytes(const mix::sphinx::Geometry& geometry) noexcept {
  return kFrameTypeBytes + frame_body_bytes(geometry);
}
inline std::size_t frame_bytes(const mix::sphinx::Geometry& geometry) noexcept {
  return frame_plain_bytes(geometry) + kTagBytes;
}
inline std::size_t max_acks_per_frame(const mix::sphinx::Geometry& geometry) noexcept {
  return (frame_body_bytes(geometry) - kAckCountBytes) / kSequenceBytes;
}

// A direction seals at most this many frames (counters 0 .. kMaxFrameCounter - 1);
// the counter value kMaxFrameCounter is never used as a nonce.
inline constexpr std::uint64_t kMaxFrameCounter = std::numeric_limits<std::uint64_t>::max();

// Personalisation strings for BLAKE2b (16 bytes, zero-padded, the same
// encoding as Sphinx's), and the context prefixes of the two handshake
// signatures.
using mix::sphinx::Label;
using mix::sphinx::make_label;
inline constexpr Label kLabelTranscript = make_label("tenebra/link-h");
inline constexpr Label kLabelHandshakeKey = make_label("tenebra/link-hs");
inline constexpr Label kLabelInitiatorKey = make_label("tenebra/link-i2r");
inline constexpr Label kLabelResponderKey = make_label("tenebra/link-r2i");
inline constexpr Label kLabelResponderSignature = make_label("tenebra/link-sr");
inline constexpr Label kLabelInitiatorSignature = make_label("tenebra/link-si");

}  // namespace tenebra::router::link
