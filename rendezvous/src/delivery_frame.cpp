#include "tenebra/rendezvous/delivery_frame.hpp"

#include <algorithm>
#include <string>

namespace tenebra::rendezvous::delivery {
namespace {

// The rules shared by encoder and decoder; `code` is invalid_argument for
// the encoder and malformed for the decoder.
Status check_fragment(std::size_t capacity, const FragmentFrame& fragment, Errc code) {
  if (fragment.total_length == 0 || fragment.total_length > kMaxMessageBytes) {
    return make_error(code, "fragment total_length out of bounds");
  }
  if (fragment.count != fragment_count(fragment.total_length, capacity)) {
    return make_error(code, "fragment count does not match total_length at this capacity");
  }
  if (fragment.index >= fragment.count) return make_error(code, "fragment index is not below its count");
  const std::size_t full = fragment_data_bytes(capacity);
  const std::size_t expected = fragment.index + 1 < fragment.count
                                   ? full
                                   : fragment.total_length - static_cast<std::size_t>(fragment.index) * full;
  if (fragment.data.size() != expected) return make_error(code, "fragment data length does not match its index");
  return {};
}

Status check_ack(std::size_t capacity, const AckFrame& ack, Errc code) {
  if (ack.complete) {
    if (!ack.ranges.empty()) return make_error(code, "a complete ack carries no ranges");
    return {};
  }
  if (ack.ranges.empty()) return make_error(code, "an incomplete ack needs at least one range");
  if (ack.ranges.size() > max_ack_ranges(capacity)) return make_error(code, "ack has more ranges than fit a frame");
  std::uint64_t next_allowed = 0;
  for (const auto& range : ack.ranges) {
    if (range.count == 0) return make_error(code, "ack range is empty");
    const std::uint64_t end = std::uint64_t{range.first} + range.count;
    if (end > std::uint64_t{0xFFFFFFFF} + 1) return make_error(code, "ack range runs past the last index");
    if (range.first < next_allowed) return make_error(code, "ack ranges are not ascending and separate");
    next_allowed = end + 1;  // touching ranges must be one range
  }
  return {};
}

Status check_size(std::size_t capacity, ByteView frame) {
  if (auto checked = check_frame_capacity(capacity); !checked) return checked;
  if (frame.size() != capacity) {
    return make_error(Errc::malformed, "delivery frame must be exactly " + std::to_string(capacity) + " bytes");
  }
  return {};
}

Result<DeliveryFrame> decode_fragment(std::size_t capacity, ByteReader& reader) {
  FragmentFrame fragment;
  auto id = reader.take(kMessageIdBytes);
  auto index = reader.u32_be();
  auto count = reader.u32_be();
  auto total = reader.u32_be();
  auto digest = reader.take(kDigestBytes);
  auto length = reader.u16_be();
  if (!id || !index || !count || !total || !digest || !length) {
    return make_error(Errc::malformed, "fragment header is truncated");
  }
  auto data = reader.take(*length);
  if (!data) return make_error(Errc::malformed, "fragment data runs past the frame");
  std::copy(id->begin(), id->end(), fragment.message_id.begin());
  std::copy(digest->begin(), digest->end(), fragment.digest.begin());
  fragment.index = *index;
  fragment.count = *count;
  fragment.total_length = *total;
  fragment.data.assign(data->begin(), data->end());
  if (auto checked = check_fragment(capacity, fragment, Errc::malformed); !checked) return std::move(checked).error();
  return DeliveryFrame(std::move(fragment));
}

Result<DeliveryFrame> decode_ack(std::size_t capacity, ByteReader& reader) {
  AckFrame ack;
  auto id = reader.take(kMessageIdBytes);
  auto flags = reader.u8();
  auto range_count = reader.u16_be();
  if (!id || !flags || !range_count) return make_error(Errc::malformed, "ack header is truncated");
  if ((*flags & ~kAckFlagComplete) != 0) return make_error(Errc::malformed, "ack has unknown flags");
  if (*range_count > max_ack_ranges(capacity))
    return make_error(Errc::malformed, "ack has more ranges than fit a frame");
  std::copy(id->begin(), id->end(), ack.message_id.begin());
  ack.complete = (*flags & kAckFlagComplete) != 0;
  ack.ranges.reserve(*range_count);
  for (std::size_t i = 0; i < *range_count; ++i) {
    auto first = reader.u32_be();
    auto count = reader.u32_be();
    if (!first || !count) return make_error(Errc::malformed, "ack range is truncated");
    ack.ranges.push_back(AckRange{*first, *count});
  }
  if (auto checked = check_ack(capacity, ack, Errc::malformed); !checked) return std::move(checked).error();
  return DeliveryFrame(std::move(ack));
}

}  // namespace

Status check_frame_capacity(std::size_t capacity) {
  if (capacity < kMinFrameCapacity || capacity > kMaxFrameCapacity) {
    return make_error(Errc::invalid_argument, "frame capacity must be " + std::to_string(kMinFrameCapacity) + ".." +
                                                  std::to_string(kMaxFrameCapacity) + " bytes");
  }
  return {};
}

std::size_t fragment_data_bytes(std::size_t capacity) noexcept {
  return capacity > kFragmentHeaderBytes ? capacity - kFragmentHeaderBytes : 0;
}

std::size_t max_ack_ranges(std::size_t capacity) noexcept {
  if (capacity < kAckHeaderBytes) return 0;
  return std::min<std::size_t>((capacity - kAckHeaderBytes) / kAckRangeBytes, 0xFFFF);
}

std::uint64_t fragment_count(std::size_t message_bytes, std::size_t capacity) noexcept {
  const std::size_t full = fragment_data_bytes(capacity);
  if (full == 0) return 0;
  return (std::uint64_t{message_bytes} + full - 1) / full;
}

Status check_fragment_frame(std::size_t capacity, const FragmentFrame& fragment) {
  if (auto checked = check_frame_capacity(capacity); !checked) return checked;
  return check_fragment(capacity, fragment, Errc::malformed);
}

Result<Bytes> make_padding_frame(std::size_t capacity) {
  if (auto checked = check_frame_capacity(capacity); !checked) return std::move(checked).error();
  return Bytes(capacity, 0);
}

Result<Bytes> encode_delivery_frame(std::size_t capacity, const DeliveryFrame& frame) {
  if (auto checked = check_frame_capacity(capacity); !checked) return std::move(checked).error();
  Bytes out;
  out.reserve(capacity);
  ByteWriter writer(out);
  if (const auto* fragment = std::get_if<FragmentFrame>(&frame)) {
    if (auto checked = check_fragment(capacity, *fragment, Errc::invalid_argument); !checked) {
      return std::move(checked).error();
    }
    writer.u8(static_cast<std::uint8_t>(FrameType::fragment));
    writer.bytes(fragment->message_id);
    writer.u32_be(fragment->index);
    writer.u32_be(fragment->count);
    writer.u32_be(fragment->total_length);
    writer.bytes(fragment->digest);
    writer.u16_be(static_cast<std::uint16_t>(fragment->data.size()));
    writer.bytes(fragment->data);
  } else if (const auto* ack = std::get_if<AckFrame>(&frame)) {
    if (auto checked = check_ack(capacity, *ack, Errc::invalid_argument); !checked) return std::move(checked).error();
    writer.u8(static_cast<std::uint8_t>(FrameType::ack));
    writer.bytes(ack->message_id);
    writer.u8(ack->complete ? kAckFlagComplete : 0);
    writer.u16_be(static_cast<std::uint16_t>(ack->ranges.size()));
    for (const auto& range : ack->ranges) {
      writer.u32_be(range.first);
      writer.u32_be(range.count);
    }
  }
  writer.zeros(capacity - out.size());
  return out;
}

Result<DeliveryFrame> decode_delivery_frame(std::size_t capacity, ByteView frame) {
  if (auto sized = check_size(capacity, frame); !sized) return std::move(sized).error();
  ByteReader reader(frame);
  auto type = reader.u8();
  if (!type) return make_error(Errc::malformed, "delivery frame is empty");
  Result<DeliveryFrame> decoded = DeliveryFrame(PaddingFrame{});
  switch (*type) {
    case static_cast<std::uint8_t>(FrameType::padding):
      break;
    case static_cast<std::uint8_t>(FrameType::fragment):
      decoded = decode_fragment(capacity, reader);
      break;
    case static_cast<std::uint8_t>(FrameType::ack):
      decoded = decode_ack(capacity, reader);
      break;
    default:
      return make_error(Errc::unsupported, "unknown delivery frame type");
  }
  if (!decoded) return decoded;
  if (!is_all_zero(reader.rest())) return make_error(Errc::malformed, "delivery frame has non-zero padding");
  return decoded;
}

}  // namespace tenebra::rendezvous::delivery
