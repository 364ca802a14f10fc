#include "tenebra/onion/i2p_destination.hpp"

#include <sodium.h>

#include "encoding.hpp"
#include "tenebra/onion/sam_constants.hpp"

namespace tenebra::onion::sam {
namespace {

Result<Bytes> decode_capped(std::string_view base64) {
  if (base64.size() > kMaxDestinationBase64Chars) {
    return make_error(Errc::malformed, "I2P destination: longer than the cap");
  }
  auto decoded = detail::i2p_base64_decode(base64);
  if (!decoded) return make_error(Errc::malformed, "I2P destination: not I2P base64");
  return decoded;
}

Result<Bytes> decode_public(std::string_view base64) {
  auto decoded = decode_capped(base64);
  if (!decoded) return decoded;
  auto length = destination_length(*decoded);
  if (!length) return std::move(length).error();
  if (*length != decoded->size()) return make_error(Errc::malformed, "I2P destination: bytes after the certificate");
  return decoded;
}

}  // namespace

bool is_i2p_base64(std::string_view text) noexcept {
  return detail::is_i2p_base64(text);
}

Result<Bytes> decode_i2p_base64(std::string_view text) {
  return detail::i2p_base64_decode(text);
}

std::string encode_i2p_base64(ByteView bytes) {
  return detail::i2p_base64_encode(bytes);
}

Result<std::size_t> destination_length(ByteView bytes) {
  ByteReader reader(bytes);
  if (!reader.take(kPublicKeyBytes + kSigningKeyBytes)) {
    return make_error(Errc::malformed, "I2P destination: shorter than its keys");
  }
  auto type = reader.u8();
  auto length = reader.u16_be();
  if (!type || !length) return make_error(Errc::malformed, "I2P destination: certificate header truncated");
  if (*type > kMaxCertificateType) return make_error(Errc::malformed, "I2P destination: unknown certificate type");
  if (*type == kCertificateTypeNull && *length != 0) {
    return make_error(Errc::malformed, "I2P destination: null certificate with a payload");
  }
  if (*type == kCertificateTypeKey && *length < kKeyCertificateMinBytes) {
    return make_error(Errc::malformed, "I2P destination: key certificate too short");
  }
  if (*length > reader.remaining()) return make_error(Errc::malformed, "I2P destination: certificate truncated");
  return kMinDestinationBytes + *length;
}

Status check_public_destination(std::string_view base64) {
  auto decoded = decode_public(base64);
  if (!decoded) return std::move(decoded).error();
  return {};
}

Status check_private_destination(std::string_view base64) {
  auto decoded = decode_capped(base64);
  if (!decoded) return std::move(decoded).error();
  auto length = destination_length(*decoded);
  const std::size_t total = decoded->size();
  sodium_memzero(decoded->data(), decoded->size());
  if (!length) return std::move(length).error();
  if (*length >= total) return make_error(Errc::malformed, "I2P private destination: no private keys");
  return {};
}

Result<std::string> b32_address(std::string_view public_destination_base64) {
  auto decoded = decode_public(public_destination_base64);
  if (!decoded) return std::move(decoded).error();
  std::uint8_t hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, decoded->data(), decoded->size());
  std::string address = detail::base32_encode_lower(hash);
  address.append(kB32Suffix);
  return address;
}

}  // namespace tenebra::onion::sam
