// Builds a Sphinx header for a path (private to mix/): shared by forward
// packets and SURBs.
#pragma once

#include <span>
#include <vector>

#include "tenebra/mix/sphinx.hpp"

namespace tenebra::mix::sphinx::detail {

struct BuiltHeader {
  Bytes header;                           // geometry.header_bytes()
  std::vector<SecretKey32> payload_keys;  // one per hop, in path order
};

[[nodiscard]] Status validate_path(const Geometry& geometry, std::span<const PathHop> path);
[[nodiscard]] Result<BuiltHeader> build_header(const Geometry& geometry, std::span<const PathHop> path, Random& rng);

// 0^16 | payload | zero padding, as one LIONESS block.
[[nodiscard]] Result<Bytes> plaintext_block(const Geometry& geometry, ByteView payload);

}  // namespace tenebra::mix::sphinx::detail
