// Link frames: the fixed-size encrypted units that follow a link handshake.
//
// Every frame of a geometry has frame_bytes(geometry) bytes on the wire and
// carries one Sphinx packet, padding, or link-level acks; the type is inside
// the ciphertext, so padding looks like any other frame. Each direction has
// its own key and a counter nonce that is never sent: a frame that was
// replayed, reordered, dropped in between, cut or tampered with fails
// authentication. Any failure to open a frame means the link must be closed:
// the opener then refuses everything (Errc::closed) and forgets its key.
// FrameSealer/FrameOpener are the codec; LinkSession (link_session.hpp)
// wires them to a handshake. Thread-safety: one instance per link, used from
// one thread (or strand) at a time.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/router/link_constants.hpp"

namespace tenebra::router::link {

struct SealedFrame {
  std::uint64_t sequence = 0;  // the counter it was sealed under (what an ack names)
  Bytes bytes;                 // frame_bytes(geometry)
};

struct Frame {
  FrameType type = FrameType::padding;
  std::uint64_t sequence = 0;
  Bytes packet;                     // type packet: geometry.packet_bytes()
  std::vector<std::uint64_t> acks;  // type ack: at least one sequence number
};

enum class FrameDropReason : std::uint8_t {
  bad_length,  // not exactly frame_bytes(geometry)
  bad_auth,    // authentication failed: tampered, replayed, reordered or wrong key
  bad_type,    // authenticated, but an unknown frame type
  bad_body,    // authenticated, but padding not zero or a bad ack list
  exhausted,   // the counter reached kMaxFrameCounter
  closed,      // the link already failed
};
inline constexpr std::size_t kFrameDropReasonCount = 6;
const char* frame_drop_reason_name(FrameDropReason reason) noexcept;

class FrameDropCounters {
 public:
  void count(FrameDropReason reason) noexcept { ++m_counts.at(static_cast<std::size_t>(reason)); }
  std::uint64_t get(FrameDropReason reason) const noexcept { return m_counts.at(static_cast<std::size_t>(reason)); }
  std::uint64_t total() const noexcept;
  void add(const FrameDropCounters& other) noexcept;

 private:
  std::array<std::uint64_t, kFrameDropReasonCount> m_counts{};
};

// Seals frames for one direction. A refused seal (bad argument, counter
// exhausted) consumes no counter value.
class FrameSealer {
 public:
  FrameSealer(const mix::sphinx::Geometry& geometry, SecretKey32 key, std::uint64_t next_counter = 0) noexcept;

  std::size_t frame_bytes() const noexcept { return link::frame_bytes(m_geometry); }
  std::uint64_t next_counter() const noexcept { return m_counter; }

  // `packet` must have exactly geometry.packet_bytes() bytes.
  [[nodiscard]] Result<SealedFrame> seal_packet(ByteView packet);
  [[nodiscard]] Result<SealedFrame> seal_padding();
  // 1 .. max_acks_per_frame(geometry) sequence numbers.
  [[nodiscard]] Result<SealedFrame> seal_ack(std::span<const std::uint64_t> sequences);

 private:
  [[nodiscard]] Result<SealedFrame> seal(Bytes plain);

  mix::sphinx::Geometry m_geometry;
  SecretKey32 m_key;
  std::uint64_t m_counter;
};

// Opens the frames of one direction, strictly in order.
class FrameOpener {
 public:
  FrameOpener(const mix::sphinx::Geometry& geometry, SecretKey32 key, std::uint64_t next_counter = 0) noexcept;

  std::size_t frame_bytes() const noexcept { return link::frame_bytes(m_geometry); }
  std::uint64_t next_counter() const noexcept { return m_counter; }
  bool closed() const noexcept { return m_closed; }
  const FrameDropCounters& drops() const noexcept { return m_drops; }

  // Any error closes the opener for good; the caller must close the link.
  [[nodiscard]] Result<Frame> open(ByteView wire);

 private:
  [[nodiscard]] Result<Frame> fail(FrameDropReason reason);

  mix::sphinx::Geometry m_geometry;
  SecretKey32 m_key;
  std::uint64_t m_counter;
  bool m_closed = false;
  FrameDropCounters m_drops;
};

}  // namespace tenebra::router::link
