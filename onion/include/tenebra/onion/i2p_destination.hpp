// I2P destinations as SAM v3 prints them: I2P base64 (A-Z a-z 0-9 - ~ with
// '=' padding) of public key(256) | signing key(128) | certificate(3 + n).
// Checks the alphabet, the certificate and the exact length before anything
// uses a destination, and derives the "<52 chars>.b32.i2p" address (base32
// of SHA-256 of the destination bytes, lowercase, unpadded).
// Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"

namespace tenebra::onion::sam {

[[nodiscard]] bool is_i2p_base64(std::string_view text) noexcept;
[[nodiscard]] Result<Bytes> decode_i2p_base64(std::string_view text);
[[nodiscard]] std::string encode_i2p_base64(ByteView bytes);

// The length of the destination at the start of `bytes`: 387 plus its
// certificate's length, once the certificate type and length check out.
[[nodiscard]] Result<std::size_t> destination_length(ByteView bytes);

// PUB=, NAMING VALUE= and the peer line of STREAM ACCEPT: exactly one
// destination.
[[nodiscard]] Status check_public_destination(std::string_view base64);
// PRIV= (and SESSION CREATE DESTINATION=): a destination followed by its
// private keys. The decoded bytes are wiped.
[[nodiscard]] Status check_private_destination(std::string_view base64);

// "<52 lowercase base32 chars>.b32.i2p" for a public destination.
[[nodiscard]] Result<std::string> b32_address(std::string_view public_destination_base64);

}  // namespace tenebra::onion::sam
