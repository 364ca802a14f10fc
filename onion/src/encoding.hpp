// Text encodings the onion codecs need and core does not offer: RFC 4648
// base32 (lowercase, unpadded: onion service ids and .b32.i2p addresses) and
// base64 in the standard and I2P alphabets (I2P swaps "+/" for "-~").
// Decoders are strict: a wrong character, wrong padding or non-zero unused
// bits is an error, so one value has exactly one accepted spelling.
// Internal to onion/. Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"

namespace tenebra::onion::detail {

std::string base32_encode_lower(ByteView bytes);
Result<Bytes> base32_decode_lower(std::string_view text);

// Standard alphabet, '=' padding required.
Result<Bytes> base64_decode(std::string_view text);
std::string base64_encode(ByteView bytes);

// I2P alphabet (A-Z a-z 0-9 - ~), '=' padding required.
bool is_i2p_base64(std::string_view text) noexcept;
Result<Bytes> i2p_base64_decode(std::string_view text);
std::string i2p_base64_encode(ByteView bytes);

}  // namespace tenebra::onion::detail
