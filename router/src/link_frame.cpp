#include "tenebra/router/link_frame.hpp"

#include <algorithm>
#include <utility>

#include "link_crypto.hpp"

namespace tenebra::router::link {
namespace {

Error frame_error(FrameDropReason reason) {
  switch (reason) {
    case FrameDropReason::bad_length:
      return make_error(Errc::malformed, "link frame has wrong length");
    case FrameDropReason::bad_auth:
      return make_error(Errc::crypto, "link frame authentication failed");
    case FrameDropReason::bad_type:
      return make_error(Errc::malformed, "link frame has unknown type");
    case FrameDropReason::bad_body:
      return make_error(Errc::malformed, "link frame body is invalid");
    case FrameDropReason::exhausted:
      return make_error(Errc::exhausted, "link frame counter exhausted");
    case FrameDropReason::closed:
      break;
  }
  return make_error(Errc::closed, "link is closed");
}

Bytes plain_of(const mix::sphinx::Geometry& geometry, FrameType type) {
  Bytes plain;
  plain.reserve(frame_plain_bytes(geometry));
  plain.push_back(static_cast<std::uint8_t>(type));
  plain.resize(frame_plain_bytes(geometry), 0);
  return plain;
}

// Parses an authenticated ack body: count, sequences, zero padding.
Result<std::vector<std::uint64_t>> parse_acks(ByteView body, std::size_t max_acks) {
  ByteReader reader(body);
  auto count = reader.u16_be();
  if (!count || *count == 0 || *count > max_acks) return make_error(Errc::malformed, "bad ack count");
  std::vector<std::uint64_t> acks;
  acks.reserve(*count);
  for (std::size_t i = 0; i < *count; ++i) {
    auto sequence = reader.u64_be();
    if (!sequence) return make_error(Errc::malformed, "bad ack list");
    acks.push_back(*sequence);
  }
  if (!is_all_zero(reader.rest())) return make_error(Errc::malformed, "bad ack padding");
  return acks;
}

}  // namespace

const char* frame_drop_reason_name(FrameDropReason reason) noexcept {
  switch (reason) {
    case FrameDropReason::bad_length:
      return "bad_length";
    case FrameDropReason::bad_auth:
      return "bad_auth";
    case FrameDropReason::bad_type:
      return "bad_type";
    case FrameDropReason::bad_body:
      return "bad_body";
    case FrameDropReason::exhausted:
      return "exhausted";
    case FrameDropReason::closed:
      return "closed";
  }
  return "unknown";
}

std::uint64_t FrameDropCounters::total() const noexcept {
  std::uint64_t sum = 0;
  for (const std::uint64_t n : m_counts) sum += n;
  return sum;
}

void FrameDropCounters::add(const FrameDropCounters& other) noexcept {
  for (std::size_t i = 0; i < kFrameDropReasonCount; ++i) m_counts.at(i) += other.m_counts.at(i);
}

FrameSealer::FrameSealer(const mix::sphinx::Geometry& geometry, SecretKey32 key, std::uint64_t next_counter) noexcept
    : m_geometry(geometry), m_key(std::move(key)), m_counter(next_counter) {}

Result<SealedFrame> FrameSealer::seal_packet(ByteView packet) {
  if (packet.size() != m_geometry.packet_bytes()) {
    return make_error(Errc::invalid_argument, "a link frame carries exactly one Sphinx packet");
  }
  Bytes plain = plain_of(m_geometry, FrameType::packet);
  std::copy(packet.begin(), packet.end(), plain.begin() + kFrameTypeBytes);
  return seal(std::move(plain));
}

Result<SealedFrame> FrameSealer::seal_padding() {
  return seal(plain_of(m_geometry, FrameType::padding));
}

Result<SealedFrame> FrameSealer::seal_ack(std::span<const std::uint64_t> sequences) {
  if (sequences.empty() || sequences.size() > max_acks_per_frame(m_geometry)) {
    return make_error(Errc::invalid_argument, "an ack frame carries 1 .. max_acks_per_frame sequence numbers");
  }
  Bytes plain;
  plain.reserve(frame_plain_bytes(m_geometry));
  ByteWriter writer(plain);
  writer.u8(static_cast<std::uint8_t>(FrameType::ack));
  writer.u16_be(static_cast<std::uint16_t>(sequences.size()));
  for (const std::uint64_t sequence : sequences) writer.u64_be(sequence);
  writer.zeros(frame_plain_bytes(m_geometry) - plain.size());
  return seal(std::move(plain));
}

Result<SealedFrame> FrameSealer::seal(Bytes plain) {
  if (m_counter == kMaxFrameCounter) return frame_error(FrameDropReason::exhausted);
  SealedFrame out{m_counter, std::move(plain)};
  out.bytes.resize(out.bytes.size() + kTagBytes);
  const MutableByteView wire(out.bytes);
  detail::aead_seal(m_key, m_counter, {}, wire.first(wire.size() - kTagBytes), wire.last(kTagBytes));
  ++m_counter;
  return out;
}

FrameOpener::FrameOpener(const mix::sphinx::Geometry& geometry, SecretKey32 key, std::uint64_t next_counter) noexcept
    : m_geometry(geometry), m_key(std::move(key)), m_counter(next_counter) {}

Result<Frame> FrameOpener::fail(FrameDropReason reason) {
  m_drops.count(reason);
  m_closed = true;
  m_key.wipe();
  return frame_error(reason);
}

Result<Frame> FrameOpener::open(ByteView wire) {
  if (m_closed) return fail(FrameDropReason::closed);
  if (wire.size() != frame_bytes()) return fail(FrameDropReason::bad_length);
  if (m_counter == kMaxFrameCounter) return fail(FrameDropReason::exhausted);
  Bytes plain(wire.begin(), wire.end() - static_cast<std::ptrdiff_t>(kTagBytes));
  if (!detail::aead_open(m_key, m_counter, {}, plain, wire.last(kTagBytes))) {
    return fail(FrameDropReason::bad_auth);
  }
  Frame frame;
  frame.sequence = m_counter;
  const ByteView body = ByteView(plain).subspan(kFrameTypeBytes);
  switch (static_cast<FrameType>(plain[0])) {
    case FrameType::packet:
      frame.type = FrameType::packet;
      frame.packet.assign(body.begin(), body.end());
      break;
    case FrameType::padding:
      if (!is_all_zero(body)) return fail(FrameDropReason::bad_body);
      frame.type = FrameType::padding;
      break;
    case FrameType::ack: {
      auto acks = parse_acks(body, max_acks_per_frame(m_geometry));
      if (!acks) return fail(FrameDropReason::bad_body);
      frame.type = FrameType::ack;
      frame.acks = std::move(acks).value();
      break;
    }
    default:
      return fail(FrameDropReason::bad_type);
  }
  ++m_counter;
  return frame;
}

}  // namespace tenebra::router::link
