// Fuzzes the provider mailbox protocol codecs (docs/provider.md) at the
// default geometry. The first input byte picks the decoder: even bytes go to
// decode_provider_payload, odd ones to decode_fetch_reply (then through a
// FetchReassembler). The rest, cut or zero-padded to P bytes, is the
// payload, so short seeds reach deep. Nothing may crash, and whatever a
// decoder accepts must re-encode to exactly the same P bytes. The raw input
// is also decoded as a stored item.
#include <algorithm>
#include <cstdlib>

#include "tenebra/core/sodium.hpp"
#include "tenebra/router/provider_protocol.hpp"

using namespace tenebra;
using namespace tenebra::router::provider;

namespace {

void check_equal(const Bytes& encoded, ByteView input) {
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
}

void fuzz_request(const mix::sphinx::Geometry& geometry, ByteView payload) {
  auto decoded = decode_provider_payload(geometry, payload);
  if (!decoded) return;
  auto encoded = encode_provider_payload(geometry, *decoded);
  if (!encoded) std::abort();
  check_equal(*encoded, payload);
}

void fuzz_reply(const mix::sphinx::Geometry& geometry, ByteView payload) {
  auto decoded = decode_fetch_reply(geometry, payload);
  if (!decoded) return;
  auto encoded = encode_fetch_reply(geometry, *decoded);
  if (!encoded) std::abort();
  check_equal(*encoded, payload);
  FetchReassembler reassembler(geometry, ReassemblerLimits{.max_partial_items = 4, .max_buffered_bytes = 8192});
  for (int round = 0; round < 2; ++round) {
    auto progress = reassembler.add(payload);
    if (!progress) std::abort();  // it decoded once already
    if (reassembler.buffered_bytes() > 8192 || reassembler.partial_items() > 4) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool sodium_ready = init_sodium().ok();
  if (!sodium_ready) std::abort();
  static const auto geometry = mix::sphinx::Geometry::default_geometry();
  const ByteView input(data, size);
  if (auto item = decode_stored_item(geometry, input); item) check_equal(encode_stored_item(*item), input);
  (void)decode_provider_payload(geometry, input).ok();
  if (input.empty()) return 0;

  const ByteView body = input.subspan(1, std::min(size - 1, geometry.payload_bytes()));
  Bytes payload(body.begin(), body.end());
  payload.resize(geometry.payload_bytes(), 0);
  const bool as_reply = (input[0] & 1) != 0;
  if (as_reply) {
    fuzz_reply(geometry, payload);
  } else {
    fuzz_request(geometry, payload);
  }
  return 0;
}
