// Fuzzes the delivery codecs (docs/delivery.md). The first input byte picks
// the frame capacity C from a few (the smallest, odd sizes, the default);
// the rest, cut or zero-padded to C bytes, is the frame, so short seeds
// reach deep. Nothing may crash; whatever decode_delivery_frame accepts must
// re-encode to the same C bytes; a fragment goes (twice) through a
// Reassembler under small caps, an ack through an Outbox holding a message
// of that id. The raw input is also decoded as message content, which must
// re-encode to the same bytes.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>

#include "tenebra/core/random.hpp"
#include "tenebra/core/sodium.hpp"
#include "tenebra/rendezvous/delivery_frame.hpp"
#include "tenebra/rendezvous/message_content.hpp"
#include "tenebra/rendezvous/outbox.hpp"
#include "tenebra/rendezvous/reassembler.hpp"

using namespace tenebra;
using namespace tenebra::rendezvous::delivery;

namespace {

constexpr std::array<std::size_t, 4> kCapacities = {128, 129, 300, 1980};

void check_equal(const Bytes& encoded, ByteView input) {
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
}

void fuzz_fragment(std::size_t capacity, const FragmentFrame& fragment) {
  ReassemblyLimits limits;
  limits.max_partial_messages = 2;
  limits.max_buffered_bytes = 1 << 16;
  limits.remembered_messages = 4;
  auto reassembler = Reassembler::create(capacity, limits);
  if (!reassembler) std::abort();
  for (int round = 0; round < 2; ++round) {
    auto received = reassembler->receive(fragment, std::chrono::steady_clock::time_point{});
    if (received && received->ack && !encode_delivery_frame(capacity, *received->ack)) std::abort();
    if (reassembler->buffered_bytes() > limits.max_buffered_bytes) std::abort();
  }
}

void fuzz_ack(std::size_t capacity, const AckFrame& ack) {
  OutboxConfig config;
  config.capacity = capacity;
  config.initial_timeout = std::chrono::milliseconds{1000};
  auto outbox = Outbox::create(config);
  if (!outbox) std::abort();
  const Bytes message(fragment_data_bytes(capacity) * 20 - 3, 0x5A);  // 20 fragments
  if (!outbox->restore(StoredOutboxMessage{ack.message_id, message, {}, {}}).ok()) std::abort();
  DeterministicRandom random(1);
  (void)outbox->next_frames(std::chrono::steady_clock::time_point{}, 8, random);
  auto result = outbox->on_ack(ack);
  if (result && result->acked > result->total) std::abort();
  if (result && result->completed != (outbox->pending_messages() == 0)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool sodium_ready = init_sodium().ok();
  if (!sodium_ready) std::abort();
  const ByteView input(data, size);
  if (auto content = decode_message_content(input)) {
    auto encoded = encode_message_content(*content);
    if (!encoded) std::abort();
    check_equal(*encoded, input);
  }
  if (input.empty()) return 0;

  const std::size_t capacity = kCapacities[input[0] % kCapacities.size()];
  const ByteView body = input.subspan(1, std::min(size - 1, capacity));
  Bytes frame(body.begin(), body.end());
  frame.resize(capacity, 0);
  auto decoded = decode_delivery_frame(capacity, frame);
  if (!decoded) return 0;
  auto encoded = encode_delivery_frame(capacity, *decoded);
  if (!encoded) std::abort();
  check_equal(*encoded, frame);
  if (const auto* fragment = std::get_if<FragmentFrame>(&*decoded)) fuzz_fragment(capacity, *fragment);
  if (const auto* ack = std::get_if<AckFrame>(&*decoded)) fuzz_ack(capacity, *ack);
  return 0;
}
