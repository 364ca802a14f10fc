#include "encoding.hpp"

#include <sodium.h>

namespace tenebra::onion::detail {
namespace {

constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

int base32_value(char c) noexcept {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

bool is_i2p_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '~';
}

}  // namespace

std::string base32_encode_lower(ByteView bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  unsigned buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 31U]);
    }
    buffer &= (1U << bits) - 1U;
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 31U]);
  return out;
}

Result<Bytes> base32_decode_lower(std::string_view text) {
  // Lengths that leave 1, 3 or 6 characters over cannot come from whole bytes.
  const std::size_t tail = text.size() % 8;
  if (tail == 1 || tail == 3 || tail == 6) return make_error(Errc::malformed, "base32 text has an impossible length");
  Bytes out;
  out.reserve(text.size() * 5 / 8);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = base32_value(c);
    if (value < 0) return make_error(Errc::malformed, "base32 text has a character outside [a-z2-7]");
    buffer = (buffer << 5) | static_cast<unsigned>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
      buffer &= (1U << bits) - 1U;
    }
  }
  if (buffer != 0) return make_error(Errc::malformed, "base32 text has non-zero unused bits");
  return out;
}

Result<Bytes> base64_decode(std::string_view text) {
  Bytes out(text.size() / 4 * 3 + 3);
  std::size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &written, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    sodium_memzero(out.data(), out.size());
    return make_error(Errc::malformed, "invalid base64 text");
  }
  out.resize(written);
  return out;
}

std::string base64_encode(ByteView bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

bool is_i2p_base64(std::string_view text) noexcept {
  if (text.empty() || text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  while (padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (!is_i2p_base64_char(text[i])) return false;
  }
  return true;
}

Result<Bytes> i2p_base64_decode(std::string_view text) {
  if (!is_i2p_base64(text)) return make_error(Errc::malformed, "text is not I2P base64");
  // Same value set as standard base64 once the two odd characters are swapped.
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-')
      c = '+';
    else if (c == '~')
      c = '/';
  }
  auto decoded = base64_decode(standard);
  sodium_memzero(standard.data(), standard.size());
  return decoded;
}

std::string i2p_base64_encode(ByteView bytes) {
  std::string out = base64_encode(bytes);
  for (char& c : out) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '~';
  }
  return out;
}

}  // namespace tenebra::onion::detail
