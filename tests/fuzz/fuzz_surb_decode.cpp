// Fuzzes SURB decoding and reply creation with whatever decodes: no crash,
// and a reply made from a decoded SURB always has the packet length.
#include <sodium.h>

#include <cstdlib>

#include "tenebra/mix/surb.hpp"

using namespace tenebra;
using namespace tenebra::mix::sphinx;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
  static const Geometry small = Geometry::make(2, kMinPayloadBytes).value();
  auto surb = decode_surb(small, ByteView(data, size));
  if (!surb) return 0;
  if (size != surb_bytes(small)) std::abort();
  const std::uint8_t answer[3] = {1, 2, 3};
  auto packet = create_surb_reply(small, *surb, answer);
  if (!packet || packet->size() != small.packet_bytes()) std::abort();
  return 0;
}
