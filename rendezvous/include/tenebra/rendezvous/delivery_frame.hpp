// Delivery frames (docs/delivery.md §3): the plaintext of one end-to-end
// envelope, exactly C bytes (the envelope's plaintext capacity, a parameter
// from kMinFrameCapacity to kMaxFrameCapacity). A frame is a fragment of a
// message, an acknowledgement of what the recipient holds, or padding.
//
// The codec is strict and canonical: the decoder checks the size, every
// length and field, the fragment layout implied by C, the order of ack
// ranges and that the padding is zero; whatever it accepts re-encodes to the
// same C bytes (fuzz_delivery_frame checks it).
//
// Thread-safety: pure functions and value types, safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/rendezvous/delivery_constants.hpp"

namespace tenebra::rendezvous::delivery {

using MessageId = std::array<std::uint8_t, kMessageIdBytes>;
using MessageDigest = std::array<std::uint8_t, kDigestBytes>;

struct PaddingFrame {
  bool operator==(const PaddingFrame&) const = default;
};

// Every fragment of a message repeats (count, total_length, digest), so the
// recipient can start reassembly from any fragment and refuse one that
// belongs to a different version of the message.
struct FragmentFrame {
  MessageId message_id{};
  std::uint32_t index = 0;         // < count
  std::uint32_t count = 0;         // ceil(total_length / fragment_data_bytes(C))
  std::uint32_t total_length = 0;  // bytes of the encoded message, 1..kMaxMessageBytes
  MessageDigest digest{};          // message_digest(message_id, encoded message)
  Bytes data;                      // fragment_data_bytes(C), the last one the remainder
  bool operator==(const FragmentFrame&) const = default;
};

// Fragment indices [first, first + count).
struct AckRange {
  std::uint32_t first = 0;
  std::uint32_t count = 0;  // >= 1
  bool operator==(const AckRange&) const = default;
};

// What the recipient holds of a message. complete: it has the whole message
// and delivered it (then ranges is empty). Otherwise 1..max_ack_ranges(C)
// ranges, ascending, neither overlapping nor touching; they may be a part of
// what the recipient holds when all of it does not fit one frame.
struct AckFrame {
  MessageId message_id{};
  bool complete = false;
  std::vector<AckRange> ranges;
  bool operator==(const AckFrame&) const = default;
};

using DeliveryFrame = std::variant<PaddingFrame, FragmentFrame, AckFrame>;

// Errc::invalid_argument unless kMinFrameCapacity <= capacity <= kMaxFrameCapacity.
[[nodiscard]] Status check_frame_capacity(std::size_t capacity);
// Message bytes in one full fragment: C - kFragmentHeaderBytes.
[[nodiscard]] std::size_t fragment_data_bytes(std::size_t capacity) noexcept;
// Most ranges in one ack: (C - kAckHeaderBytes) / kAckRangeBytes.
[[nodiscard]] std::size_t max_ack_ranges(std::size_t capacity) noexcept;
// Fragments of a message of `message_bytes` at capacity C (0 for an empty message).
[[nodiscard]] std::uint64_t fragment_count(std::size_t message_bytes, std::size_t capacity) noexcept;

// Errc::malformed unless `fragment` keeps every rule of a fragment at C
// (what the decoder checks; for fragments built by hand).
[[nodiscard]] Status check_fragment_frame(std::size_t capacity, const FragmentFrame& fragment);

// The C zero bytes of a padding frame.
[[nodiscard]] Result<Bytes> make_padding_frame(std::size_t capacity);
// Errc::invalid_argument for a frame that breaks a rule above.
[[nodiscard]] Result<Bytes> encode_delivery_frame(std::size_t capacity, const DeliveryFrame& frame);
// Errc::malformed for a wrong size, bad field or non-zero padding;
// Errc::unsupported for an unknown frame type.
[[nodiscard]] Result<DeliveryFrame> decode_delivery_frame(std::size_t capacity, ByteView frame);

}  // namespace tenebra::rendezvous::delivery
