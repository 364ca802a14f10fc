// Constants of the delivery protocol (docs/delivery.md): message content,
// the frames that carry it inside end-to-end envelopes, and the defaults of
// the reassembler and the outbox. One header, so every size and limit of the
// wire format is in one place. Thread-safety: constants only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace tenebra::rendezvous::delivery {

// ---- Message content (message_content.hpp) ---------------------------------

// Largest encoded message (content header included). 64 MiB: six times the
// 10 MiB the project promises for files (documents, photos, short
// recordings), still small enough to hold in memory on a phone while it is
// reassembled, and 35 340 fragments at the default geometry, so the acked
// bitmap a store keeps per message stays under 4.5 KiB. total_length is a u32,
// so the wire allows more; this cap is policy and keeps the reassembler's
// default memory cap (below) bounded.
inline constexpr std::size_t kMaxMessageBytes = std::size_t{64} << 20;
inline constexpr std::size_t kMaxFileNameBytes = 255;
inline constexpr std::size_t kMaxMediaTypeBytes = 127;

enum class ContentType : std::uint8_t {
  text = 0x01,  // 0x01 | u32 length | UTF-8 text
  file = 0x02,  // 0x02 | u8 name_len | name | u8 media_len | media | u32 length | data
};
inline constexpr std::size_t kTextHeaderBytes = 1 + 4;
inline constexpr std::size_t kFileHeaderBytes = 1 + 1 + 1 + 4;  // without name and media type

// ---- Frames (delivery_frame.hpp) -------------------------------------------

// Frame capacity C is the plaintext capacity of one end-to-end envelope; it
// is a parameter (1962 bytes at the default geometry).
inline constexpr std::size_t kMinFrameCapacity = 128;
inline constexpr std::size_t kMaxFrameCapacity = std::size_t{64} << 10;

enum class FrameType : std::uint8_t {
  padding = 0x00,   // all C bytes zero: cover, or nothing to say
  fragment = 0x01,  // one piece of a message
  ack = 0x02,       // what the recipient holds of a message
};

inline constexpr std::size_t kMessageIdBytes = 16;
inline constexpr std::size_t kDigestBytes = 32;  // BLAKE2b-256
// BLAKE2b personalisation of the message digest (exactly 16 bytes).
inline constexpr char kDigestPersonal[] = "tenebra-delivery";

// type | message_id | u32 index | u32 count | u32 total_length | digest | u16 data_length
inline constexpr std::size_t kFragmentHeaderBytes = 1 + kMessageIdBytes + 4 + 4 + 4 + kDigestBytes + 2;
// type | message_id | u8 flags | u16 range_count
inline constexpr std::size_t kAckHeaderBytes = 1 + kMessageIdBytes + 1 + 2;
inline constexpr std::size_t kAckRangeBytes = 4 + 4;  // u32 first | u32 count
inline constexpr std::uint8_t kAckFlagComplete = 0x01;

// ---- Reassembler defaults (reassembler.hpp) --------------------------------

inline constexpr std::size_t kDefaultMaxPartialMessages = 16;
// One largest message plus room for the small ones that arrive meanwhile.
inline constexpr std::size_t kDefaultMaxBufferedBytes = kMaxMessageBytes + (std::size_t{16} << 20);
inline constexpr std::size_t kDefaultRememberedMessages = 4096;
// A partial message that received nothing for this long may be evicted,
// and only to make room for another message.
inline constexpr std::chrono::hours kDefaultPartialIdleEviction{24 * 7};

// ---- Outbox defaults (outbox.hpp) ------------------------------------------

inline constexpr std::size_t kDefaultWindowFragments = 64;
inline constexpr std::chrono::milliseconds kDefaultMaxRetransmitTimeout = std::chrono::hours{1};
inline constexpr double kDefaultBackoffFactor = 2.0;
inline constexpr double kDefaultRetransmitJitter = 0.25;  // +-25 % of each timeout

static_assert(kDefaultMaxBufferedBytes >= kMaxMessageBytes, "the largest message must fit the reassembler");
static_assert(sizeof(kDigestPersonal) - 1 == 16, "BLAKE2b personal is 16 bytes");
static_assert(kMinFrameCapacity > kFragmentHeaderBytes + 1 && kMinFrameCapacity >= kAckHeaderBytes + kAckRangeBytes);
static_assert(kMaxFrameCapacity - kFragmentHeaderBytes <= 0xFFFF, "fragment data length is a u16");

}  // namespace tenebra::rendezvous::delivery
