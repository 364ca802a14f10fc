// Sphinx geometry: the two numbers a network publishes (maximum hops and
// payload size) and every size that follows from them. All packets of one
// geometry have exactly the same length.
#pragma once

#include <cstddef>

#include "tenebra/core/result.hpp"
#include "tenebra/mix/sphinx_constants.hpp"

namespace tenebra::mix::sphinx {

class Geometry {
 public:
  // Checks the bounds (kMinMaxHops..kMaxMaxHops, kMinPayloadBytes..kMaxPayloadBytes).
  static Result<Geometry> make(std::size_t max_hops, std::size_t payload_bytes);
  static Geometry default_geometry() { return Geometry(kDefaultMaxHops, kDefaultPayloadBytes); }

  std::size_t max_hops() const noexcept { return m_max_hops; }
  // Bytes of user data one packet carries (what a final hop delivers).
  std::size_t payload_bytes() const noexcept { return m_payload_bytes; }
  // beta: one slot per possible hop.
  std::size_t routing_bytes() const noexcept { return m_max_hops * kSlotBytes; }
  // version | alpha | beta | gamma
  std::size_t header_bytes() const noexcept { return kVersionBytes + kGroupElementBytes + routing_bytes() + kMacBytes; }
  // The LIONESS block: zero prefix then payload.
  std::size_t payload_block_bytes() const noexcept { return kPayloadZeroPrefixBytes + m_payload_bytes; }
  std::size_t packet_bytes() const noexcept { return header_bytes() + payload_block_bytes(); }

  bool operator==(const Geometry&) const = default;

 private:
  Geometry(std::size_t max_hops, std::size_t payload_bytes) : m_max_hops(max_hops), m_payload_bytes(payload_bytes) {}
  std::size_t m_max_hops;
  std::size_t m_payload_bytes;
};

}  // namespace tenebra::mix::sphinx
