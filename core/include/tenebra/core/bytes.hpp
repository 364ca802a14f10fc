// Byte helpers: owned and borrowed byte strings, hex, and bounds-checked
// big-endian readers and writers for every wire codec.
//
// ByteReader never reads past its view: every take/read returns a Result,
// so a codec cannot trust a length before checking it. Not thread-safe
// (readers and writers are per-call values).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/result.hpp"

namespace tenebra {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string to_hex(ByteView bytes);
Result<Bytes> from_hex(std::string_view hex);

template <std::size_t N>
Result<std::array<std::uint8_t, N>> array_from_hex(std::string_view hex) {
  auto bytes = from_hex(hex);
  if (!bytes) return std::move(bytes).error();
  if (bytes->size() != N) {
    return make_error(Errc::malformed,
                      "expected " + std::to_string(N) + " bytes of hex, got " + std::to_string(bytes->size()));
  }
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = (*bytes)[i];
  return out;
}

class ByteReader {
 public:
  explicit ByteReader(ByteView data) : m_data(data) {}

  Result<ByteView> take(std::size_t count);
  Result<std::uint8_t> u8();
  Result<std::uint16_t> u16_be();
  Result<std::uint32_t> u32_be();
  Result<std::uint64_t> u64_be();

  std::size_t remaining() const noexcept { return m_data.size() - m_pos; }
  bool at_end() const noexcept { return m_pos == m_data.size(); }
  ByteView rest() const noexcept { return m_data.subspan(m_pos); }

 private:
  ByteView m_data;
  std::size_t m_pos = 0;
};

class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : m_out(out) {}

  void u8(std::uint8_t value) { m_out.push_back(value); }
  void u16_be(std::uint16_t value);
  void u32_be(std::uint32_t value);
  void u64_be(std::uint64_t value);
  void bytes(ByteView data) { m_out.insert(m_out.end(), data.begin(), data.end()); }
  void zeros(std::size_t count) { m_out.insert(m_out.end(), count, 0); }

 private:
  Bytes& m_out;
};

void store_u32_be(MutableByteView out, std::uint32_t value);
std::uint32_t load_u32_be(ByteView in);

// True when every byte is zero; runs in time that depends only on the length.
bool is_all_zero(ByteView bytes) noexcept;

}  // namespace tenebra
