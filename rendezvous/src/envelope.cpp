#include "tenebra/rendezvous/envelope.hpp"

#include <string>

namespace tenebra::rendezvous::session {
namespace {

constexpr std::size_t kStoreHeaderBytes = 3;  // router::provider::kStoreHeaderBytes: type | u16 length

std::size_t handshake_sealed_bytes(std::size_t envelope) noexcept {
  return envelope - kHandshakeHeaderBytes;
}
std::size_t message_sealed_bytes(std::size_t envelope) noexcept {
  return envelope - kMessageHeaderBytes - kNonceBytes;
}

template <std::size_t N>
std::array<std::uint8_t, N> to_array(ByteView view) noexcept {
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = view[i];
  return out;
}

Result<Envelope> decode_handshake(std::size_t envelope, ByteReader& reader) {
  auto ephemeral = reader.take(kPublicKeyBytes);
  if (!ephemeral) return std::move(ephemeral).error();
  HandshakeEnvelope out;
  out.ephemeral = to_array<kPublicKeyBytes>(*ephemeral);
  if (!is_canonical_public_key(out.ephemeral)) {
    return make_error(Errc::malformed, "handshake envelope: ephemeral key is not a canonical X25519 key");
  }
  auto sealed = reader.take(handshake_sealed_bytes(envelope));
  if (!sealed) return std::move(sealed).error();
  out.sealed.assign(sealed->begin(), sealed->end());
  return Envelope{std::move(out)};
}

Result<Envelope> decode_message(std::size_t envelope, ByteReader& reader) {
  MessageEnvelope out;
  auto ratchet = reader.take(kPublicKeyBytes);
  if (!ratchet) return std::move(ratchet).error();
  out.header.ratchet_public = to_array<kPublicKeyBytes>(*ratchet);
  if (!is_canonical_public_key(out.header.ratchet_public)) {
    return make_error(Errc::malformed, "message envelope: ratchet key is not a canonical X25519 key");
  }
  auto previous = reader.u32_be();
  if (!previous) return std::move(previous).error();
  auto number = reader.u32_be();
  if (!number) return std::move(number).error();
  auto nonce = reader.take(kNonceBytes);
  if (!nonce) return std::move(nonce).error();
  auto sealed = reader.take(message_sealed_bytes(envelope));
  if (!sealed) return std::move(sealed).error();
  out.header.previous_chain_length = *previous;
  out.header.message_number = *number;
  out.nonce = to_array<kNonceBytes>(*nonce);
  out.sealed.assign(sealed->begin(), sealed->end());
  return Envelope{std::move(out)};
}

}  // namespace

std::size_t envelope_bytes(const mix::sphinx::Geometry& geometry) noexcept {
  return geometry.payload_bytes() - kStoreHeaderBytes;
}

std::size_t plaintext_capacity(const mix::sphinx::Geometry& geometry) noexcept {
  const std::size_t envelope = envelope_bytes(geometry);
  const std::size_t overhead = kMessageOverheadBytes + kLengthBytes;
  return envelope > overhead ? envelope - overhead : 0;
}

std::size_t handshake_blob_capacity(const mix::sphinx::Geometry& geometry) noexcept {
  const std::size_t envelope = envelope_bytes(geometry);
  const std::size_t overhead = kHandshakeHeaderBytes + kTagBytes + kHandshakeFixedPlaintextBytes;
  return envelope > overhead ? envelope - overhead : 0;
}

Status check_geometry(const mix::sphinx::Geometry& geometry) {
  if (envelope_bytes(geometry) < kMinEnvelopeBytes) {
    return make_error(Errc::unsupported, "payload of " + std::to_string(geometry.payload_bytes()) +
                                             " bytes is too small for end-to-end envelopes (need " +
                                             std::to_string(kMinEnvelopeBytes + kStoreHeaderBytes) + ")");
  }
  return {};
}

bool is_canonical_public_key(const PublicKey& key) noexcept {
  // Little-endian u; p = 2^255 - 19 is 0xed, 0xff * 30, 0x7f.
  if (key[31] < 0x7F) return true;
  if (key[31] > 0x7F) return false;
  for (std::size_t i = 30; i >= 1; --i) {
    if (key[i] != 0xFF) return true;
  }
  return key[0] < 0xED;
}

std::array<std::uint8_t, kMessageHeaderBytes> encode_message_header(const MessageHeader& header) noexcept {
  std::array<std::uint8_t, kMessageHeaderBytes> out{};
  out[0] = kMessageType;
  for (std::size_t i = 0; i < kPublicKeyBytes; ++i) out[kTypeBytes + i] = header.ratchet_public[i];
  store_u32_be(MutableByteView(out).subspan(kTypeBytes + kPublicKeyBytes, 4), header.previous_chain_length);
  store_u32_be(MutableByteView(out).subspan(kTypeBytes + kPublicKeyBytes + 4, 4), header.message_number);
  return out;
}

Result<Envelope> decode_envelope(const mix::sphinx::Geometry& geometry, ByteView bytes) {
  if (auto ok = check_geometry(geometry); !ok) return std::move(ok).error();
  const std::size_t envelope = envelope_bytes(geometry);
  if (bytes.size() != envelope) {
    return make_error(Errc::malformed,
                      "envelope of " + std::to_string(bytes.size()) + " bytes, expected " + std::to_string(envelope));
  }
  ByteReader reader(bytes);
  auto type = reader.u8();
  if (!type) return std::move(type).error();
  Result<Envelope> out = make_error(Errc::internal, "unreachable");
  if (*type == kHandshakeType) {
    out = decode_handshake(envelope, reader);
  } else if (*type == kMessageType) {
    out = decode_message(envelope, reader);
  } else {
    return make_error(Errc::unsupported, "unknown envelope type " + std::to_string(*type));
  }
  if (out && !reader.at_end()) return make_error(Errc::internal, "envelope decoder left bytes unread");
  return out;
}

Result<Bytes> encode_envelope(const mix::sphinx::Geometry& geometry, const Envelope& envelope) {
  if (auto ok = check_geometry(geometry); !ok) return std::move(ok).error();
  const std::size_t size = envelope_bytes(geometry);
  Bytes out;
  out.reserve(size);
  ByteWriter writer(out);
  if (const auto* handshake = std::get_if<HandshakeEnvelope>(&envelope)) {
    if (handshake->sealed.size() != handshake_sealed_bytes(size)) {
      return make_error(Errc::invalid_argument, "handshake envelope: sealed part has the wrong size");
    }
    if (!is_canonical_public_key(handshake->ephemeral)) {
      return make_error(Errc::invalid_argument, "handshake envelope: ephemeral key is not canonical");
    }
    writer.u8(kHandshakeType);
    writer.bytes(handshake->ephemeral);
    writer.bytes(handshake->sealed);
  } else {
    const auto& message = std::get<MessageEnvelope>(envelope);
    if (message.sealed.size() != message_sealed_bytes(size)) {
      return make_error(Errc::invalid_argument, "message envelope: sealed part has the wrong size");
    }
    if (!is_canonical_public_key(message.header.ratchet_public)) {
      return make_error(Errc::invalid_argument, "message envelope: ratchet key is not canonical");
    }
    writer.bytes(encode_message_header(message.header));
    writer.bytes(message.nonce);
    writer.bytes(message.sealed);
  }
  return out;
}

}  // namespace tenebra::rendezvous::session
