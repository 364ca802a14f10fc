#include "tenebra/rendezvous/envelope.hpp"

#include <gtest/gtest.h>

#include "tenebra/router/provider_protocol.hpp"

namespace tenebra::rendezvous::session {
namespace {

const mix::sphinx::Geometry kGeometry = mix::sphinx::Geometry::default_geometry();

MessageEnvelope sample_message() {
  MessageEnvelope message;
  message.header.ratchet_public.fill(0x21);
  message.header.previous_chain_length = 0x01020304;
  message.header.message_number = 0x0A0B0C0D;
  message.nonce.fill(0x5A);
  message.sealed.assign(envelope_bytes(kGeometry) - kMessageHeaderBytes - kNonceBytes, 0xC3);
  return message;
}

HandshakeEnvelope sample_handshake() {
  HandshakeEnvelope handshake;
  handshake.ephemeral.fill(0x42);
  handshake.sealed.assign(envelope_bytes(kGeometry) - kHandshakeHeaderBytes, 0x99);
  return handshake;
}

TEST(SessionEnvelope, SizesAtTheDefaultGeometry) {
  EXPECT_EQ(envelope_bytes(kGeometry), 2045U);
  EXPECT_EQ(envelope_bytes(kGeometry), router::provider::max_store_bytes(kGeometry));
  EXPECT_EQ(plaintext_capacity(kGeometry), 1962U);
  EXPECT_EQ(handshake_blob_capacity(kGeometry), 1850U);
  // Three SURBs (539 bytes each at the default geometry) fit one handshake.
  EXPECT_GE(handshake_blob_capacity(kGeometry), 3U * 539U);
}

TEST(SessionEnvelope, MessageRoundTripIsExactAndCanonical) {
  auto encoded = encode_envelope(kGeometry, Envelope{sample_message()});
  ASSERT_TRUE(encoded) << encoded.error().message;
  ASSERT_EQ(encoded->size(), envelope_bytes(kGeometry));
  EXPECT_EQ((*encoded)[0], kMessageType);
  // Header bytes: type | key | u32 | u32, big-endian.
  EXPECT_EQ((*encoded)[33], 0x01);
  EXPECT_EQ((*encoded)[36], 0x04);
  EXPECT_EQ((*encoded)[37], 0x0A);
  EXPECT_EQ((*encoded)[41], 0x5A);
  auto decoded = decode_envelope(kGeometry, *encoded);
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_TRUE(std::holds_alternative<MessageEnvelope>(*decoded));
  EXPECT_EQ(std::get<MessageEnvelope>(*decoded), sample_message());
  auto again = encode_envelope(kGeometry, *decoded);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *encoded);
}

TEST(SessionEnvelope, HandshakeRoundTrip) {
  auto encoded = encode_envelope(kGeometry, Envelope{sample_handshake()});
  ASSERT_TRUE(encoded);
  ASSERT_EQ(encoded->size(), envelope_bytes(kGeometry));
  EXPECT_EQ((*encoded)[0], kHandshakeType);
  auto decoded = decode_envelope(kGeometry, *encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(std::get<HandshakeEnvelope>(*decoded), sample_handshake());
}

TEST(SessionEnvelope, RefusesWrongLengthsAndTypes) {
  auto encoded = encode_envelope(kGeometry, Envelope{sample_message()});
  ASSERT_TRUE(encoded);
  Bytes shorter(encoded->begin(), encoded->end() - 1);
  EXPECT_EQ(decode_envelope(kGeometry, shorter).error().code, Errc::malformed);
  Bytes longer = *encoded;
  longer.push_back(0);
  EXPECT_EQ(decode_envelope(kGeometry, longer).error().code, Errc::malformed);
  EXPECT_EQ(decode_envelope(kGeometry, {}).error().code, Errc::malformed);
  for (const std::uint8_t type : {0x00, 0x01, 0x02, 0x10, 0x13, 0x21, 0xFF}) {
    Bytes other = *encoded;
    other[0] = type;
    EXPECT_EQ(decode_envelope(kGeometry, other).error().code, Errc::unsupported) << int{type};
  }
}

TEST(SessionEnvelope, RefusesNonCanonicalKeys) {
  PublicKey key{};
  key.fill(0xFF);
  key[31] = 0x7F;
  key[0] = 0xEC;  // p - 1
  EXPECT_TRUE(is_canonical_public_key(key));
  key[0] = 0xED;  // p
  EXPECT_FALSE(is_canonical_public_key(key));
  key[0] = 0x00;
  key[31] = 0x80;  // high bit
  EXPECT_FALSE(is_canonical_public_key(key));

  auto encoded = encode_envelope(kGeometry, Envelope{sample_message()});
  ASSERT_TRUE(encoded);
  (*encoded)[32] = 0x80;  // top byte of the ratchet key
  EXPECT_EQ(decode_envelope(kGeometry, *encoded).error().code, Errc::malformed);

  auto handshake = encode_envelope(kGeometry, Envelope{sample_handshake()});
  ASSERT_TRUE(handshake);
  (*handshake)[32] = 0xFF;
  EXPECT_EQ(decode_envelope(kGeometry, *handshake).error().code, Errc::malformed);

  MessageEnvelope message = sample_message();
  message.header.ratchet_public[31] = 0x80;
  EXPECT_EQ(encode_envelope(kGeometry, Envelope{message}).error().code, Errc::invalid_argument);
}

TEST(SessionEnvelope, EncoderRefusesWrongSealedSizes) {
  MessageEnvelope message = sample_message();
  message.sealed.pop_back();
  EXPECT_EQ(encode_envelope(kGeometry, Envelope{message}).error().code, Errc::invalid_argument);
  HandshakeEnvelope handshake = sample_handshake();
  handshake.sealed.push_back(0);
  EXPECT_EQ(encode_envelope(kGeometry, Envelope{handshake}).error().code, Errc::invalid_argument);
}

TEST(SessionEnvelope, TooSmallGeometryIsUnsupported) {
  auto small = mix::sphinx::Geometry::make(3, 258);
  ASSERT_TRUE(small);
  EXPECT_EQ(check_geometry(*small).error().code, Errc::unsupported);
  EXPECT_EQ(decode_envelope(*small, Bytes(envelope_bytes(*small), 0)).error().code, Errc::unsupported);
  auto smallest = mix::sphinx::Geometry::make(3, 259);
  ASSERT_TRUE(smallest);
  EXPECT_TRUE(check_geometry(*smallest));
  EXPECT_EQ(plaintext_capacity(*smallest), 256U - 83U);
}

}  // namespace
}  // namespace tenebra::rendezvous::session
