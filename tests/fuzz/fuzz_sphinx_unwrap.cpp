// Fuzzes Sphinx unwrap with arbitrary bytes at a node with a fixed key, for a
// small geometry (so the fuzzer reaches the exact packet length) and the
// default one. Nothing may crash; a packet of the wrong length must be
// dropped for its length, and nothing unauthenticated may be forwarded.
#include <sodium.h>

#include <cstdlib>

#include "tenebra/mix/sphinx.hpp"

using namespace tenebra;
using namespace tenebra::mix::sphinx;

namespace {
const NodeKeyPair& node_key() {
  static const NodeKeyPair key = [] {
    if (sodium_init() < 0) std::abort();
    std::array<std::uint8_t, 32> secret{};
    secret.fill(0x42);
    return NodeKeyPair::from_secret(secret).value();
  }();
  return key;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Geometry small = Geometry::make(2, kMinPayloadBytes).value();
  static const Geometry standard = Geometry::default_geometry();
  const ByteView input(data, size);
  for (const Geometry* g : {&small, &standard}) {
    const Unwrapped out = unwrap(*g, node_key(), input);
    if (size != g->packet_bytes()) {
      if (!out.dropped() || std::get<Drop>(out.action).reason != DropReason::bad_length) std::abort();
      continue;
    }
    if (const auto* fwd = std::get_if<Forward>(&out.action)) {
      if (fwd->packet.size() != g->packet_bytes()) std::abort();
    }
  }
  return 0;
}
