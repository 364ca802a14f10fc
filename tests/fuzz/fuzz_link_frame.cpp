// Fuzzes link frame opening, for a small geometry and the default one.
// Input byte 0 picks the mode: even, the rest is opened as a wire frame
// under a fixed key (nearly always an authentication failure, so odd mode
// exists too); odd, the rest is sealed as a raw plaintext (type byte and
// body, cut or zero-filled to size) so the parser behind the AEAD sees
// arbitrary authenticated input. Nothing may crash; an opened frame must be
// well formed, and a failed opener must stay closed.
#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "../../router/src/link_crypto.hpp"
#include "tenebra/router/link_frame.hpp"

using namespace tenebra;
using namespace tenebra::router::link;
using mix::sphinx::Geometry;

namespace {

SecretKey32 fixed_key() {
  std::array<std::uint8_t, 32> bytes{};
  bytes.fill(0x17);
  return SecretKey32(bytes);
}

void check(const Geometry& g, Result<Frame>& frame, FrameOpener& opener) {
  if (!frame) {
    if (!opener.closed() || opener.drops().total() != 1) std::abort();
    if (opener.open(Bytes(frame_bytes(g))).error().code != Errc::closed) std::abort();
    return;
  }
  switch (frame->type) {
    case FrameType::packet:
      if (frame->packet.size() != g.packet_bytes()) std::abort();
      break;
    case FrameType::ack:
      if (frame->acks.empty() || frame->acks.size() > max_acks_per_frame(g)) std::abort();
      break;
    case FrameType::padding:
      break;
    default:
      std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
  static const Geometry small = Geometry::make(1, mix::sphinx::kMinPayloadBytes).value();
  static const Geometry standard = Geometry::default_geometry();
  if (size == 0) return 0;
  const ByteView input(data + 1, size - 1);
  for (const Geometry* g : {&small, &standard}) {
    FrameOpener opener(*g, fixed_key());
    if ((data[0] & 1) == 0) {
      auto frame = opener.open(input);
      check(*g, frame, opener);
      continue;
    }
    Bytes wire(input.begin(),
               input.begin() + static_cast<std::ptrdiff_t>(std::min(input.size(), frame_plain_bytes(*g))));
    wire.resize(frame_bytes(*g), 0);
    const MutableByteView view(wire);
    detail::aead_seal(fixed_key(), 0, {}, view.first(frame_plain_bytes(*g)), view.last(kTagBytes));
    auto frame = opener.open(wire);
    check(*g, frame, opener);
  }
  return 0;
}
