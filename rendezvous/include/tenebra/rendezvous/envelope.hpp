// The envelope codec (docs/messaging.md §5): every end-to-end envelope, a
// handshake or a ratchet message, is exactly envelope_bytes(geometry) long,
// the data of one provider STORE (P - 3 bytes), so a provider sees only
// equal-size items. Plaintexts are padded to a fixed capacity before
// encryption. The codec is strict and canonical: whatever decodes re-encodes
// to exactly the same bytes (fuzz_envelope checks it); the sealed part is
// opaque here and opened by handshake.hpp or ratchet.hpp.
//
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/rendezvous/session_constants.hpp"

namespace tenebra::rendezvous::session {

using PublicKey = std::array<std::uint8_t, kPublicKeyBytes>;  // X25519
using Nonce = std::array<std::uint8_t, kNonceBytes>;

// Bytes of every envelope: P - 3 (2045 at the default geometry).
std::size_t envelope_bytes(const mix::sphinx::Geometry& geometry) noexcept;
// User bytes one ratchet message carries: envelope_bytes - 83 (1962 at the
// default geometry).
std::size_t plaintext_capacity(const mix::sphinx::Geometry& geometry) noexcept;
// Bytes of the opaque blob a handshake carries (SURBs for the first
// replies): envelope_bytes - 195 (1850 at the default geometry).
std::size_t handshake_blob_capacity(const mix::sphinx::Geometry& geometry) noexcept;
// Errc::unsupported when P is too small for this protocol
// (envelope_bytes < kMinEnvelopeBytes).
[[nodiscard]] Status check_geometry(const mix::sphinx::Geometry& geometry);

struct HandshakeEnvelope {
  PublicKey ephemeral{};
  Bytes sealed;  // ciphertext || tag, envelope_bytes - 33 bytes
  bool operator==(const HandshakeEnvelope&) const = default;
};

struct MessageHeader {
  PublicKey ratchet_public{};
  std::uint32_t previous_chain_length = 0;
  std::uint32_t message_number = 0;
  bool operator==(const MessageHeader&) const = default;
};

struct MessageEnvelope {
  MessageHeader header;
  Nonce nonce{};
  Bytes sealed;  // ciphertext || tag, envelope_bytes - 65 bytes
  bool operator==(const MessageEnvelope&) const = default;
};

using Envelope = std::variant<HandshakeEnvelope, MessageEnvelope>;

// The header as it is on the wire (type byte included): the start of the
// AEAD associated data of a message.
std::array<std::uint8_t, kMessageHeaderBytes> encode_message_header(const MessageHeader& header) noexcept;

// True for a canonical X25519 public key encoding (u < 2^255 - 19).
[[nodiscard]] bool is_canonical_public_key(const PublicKey& key) noexcept;

// Errc::malformed for a wrong length, a sealed part of the wrong size or a
// non-canonical public key; Errc::unsupported for an unknown type byte or a
// geometry too small for this protocol.
[[nodiscard]] Result<Envelope> decode_envelope(const mix::sphinx::Geometry& geometry, ByteView bytes);
[[nodiscard]] Result<Bytes> encode_envelope(const mix::sphinx::Geometry& geometry, const Envelope& envelope);

}  // namespace tenebra::rendezvous::session
