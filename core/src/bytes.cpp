#include "tenebra/core/bytes.hpp"

#include <sodium.h>

namespace tenebra {

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::malformed:
      return "malformed";
    case Errc::crypto:
      return "crypto";
    case Errc::not_found:
      return "not_found";
    case Errc::io:
      return "io";
    case Errc::timeout:
      return "timeout";
    case Errc::closed:
      return "closed";
    case Errc::unsupported:
      return "unsupported";
    case Errc::exhausted:
      return "exhausted";
    case Errc::internal:
      return "internal";
  }
  return "unknown";
}

std::string to_hex(ByteView bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

Result<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return make_error(Errc::malformed, "hex string has odd length");
  Bytes out(hex.size() / 2);
  std::size_t written = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &written, &end) != 0 ||
      written != out.size() || end != hex.data() + hex.size()) {
    return make_error(Errc::malformed, "invalid hex string");
  }
  return out;
}

Result<ByteView> ByteReader::take(std::size_t count) {
  if (count > remaining()) {
    return make_error(Errc::malformed,
                      "truncated input: need " + std::to_string(count) + " bytes, have " + std::to_string(remaining()));
  }
  ByteView out = m_data.subspan(m_pos, count);
  m_pos += count;
  return out;
}

Result<std::uint8_t> ByteReader::u8() {
  auto b = take(1);
  if (!b) return std::move(b).error();
  return (*b)[0];
}

Result<std::uint16_t> ByteReader::u16_be() {
  auto b = take(2);
  if (!b) return std::move(b).error();
  return static_cast<std::uint16_t>(((*b)[0] << 8) | (*b)[1]);
}

Result<std::uint32_t> ByteReader::u32_be() {
  auto b = take(4);
  if (!b) return std::move(b).error();
  return load_u32_be(*b);
}

Result<std::uint64_t> ByteReader::u64_be() {
  auto b = take(8);
  if (!b) return std::move(b).error();
  std::uint64_t v = 0;
  for (std::uint8_t byte : *b) v = (v << 8) | byte;
  return v;
}

void ByteWriter::u16_be(std::uint16_t value) {
  m_out.push_back(static_cast<std::uint8_t>(value >> 8));
  m_out.push_back(static_cast<std::uint8_t>(value));
}

void ByteWriter::u32_be(std::uint32_t value) {
  std::uint8_t buf[4];
  store_u32_be(buf, value);
  bytes(buf);
}

void ByteWriter::u64_be(std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) m_out.push_back(static_cast<std::uint8_t>(value >> shift));
}

void store_u32_be(MutableByteView out, std::uint32_t value) {
  out[0] = static_cast<std::uint8_t>(value >> 24);
  out[1] = static_cast<std::uint8_t>(value >> 16);
  out[2] = static_cast<std::uint8_t>(value >> 8);
  out[3] = static_cast<std::uint8_t>(value);
}

std::uint32_t load_u32_be(ByteView in) {
  return (static_cast<std::uint32_t>(in[0]) << 24) | (static_cast<std::uint32_t>(in[1]) << 16) |
         (static_cast<std::uint32_t>(in[2]) << 8) | static_cast<std::uint32_t>(in[3]);
}

bool is_all_zero(ByteView bytes) noexcept {
  return sodium_is_zero(bytes.data(), bytes.size()) == 1;
}

}  // namespace tenebra
