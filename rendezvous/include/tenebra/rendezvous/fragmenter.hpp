// Cuts an encoded message (message_content.hpp) into the fragment frames of
// capacity C (docs/delivery.md §4). Fragments are made on demand from the
// message, so a sender holds one copy of a large file, not two.
//
// At the default geometry (C = 1962) one fragment carries 1899 bytes and a
// 10 MiB file (10 485 760 bytes of data) takes 5522 fragments.
//
// Thread-safety: message_digest is pure; a Fragmenter is immutable after
// create() and may be read from any thread.
#pragma once

#include <cstdint>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/rendezvous/delivery_frame.hpp"

namespace tenebra::rendezvous::delivery {

// 16 fresh random bytes.
[[nodiscard]] MessageId new_message_id(Random& random);

// BLAKE2b-256 with personal "tenebra-delivery", no key, over
// message_id || encoded_message: binds the digest to the message's id.
[[nodiscard]] MessageDigest message_digest(const MessageId& message_id, ByteView encoded_message);

class Fragmenter {
 public:
  // Errc::invalid_argument for a bad capacity, an empty message or one
  // larger than kMaxMessageBytes.
  [[nodiscard]] static Result<Fragmenter> create(std::size_t capacity, const MessageId& message_id,
                                                 Bytes encoded_message);

  [[nodiscard]] const MessageId& message_id() const noexcept { return m_message_id; }
  [[nodiscard]] const MessageDigest& digest() const noexcept { return m_digest; }
  [[nodiscard]] std::size_t capacity() const noexcept { return m_capacity; }
  [[nodiscard]] std::uint32_t count() const noexcept { return m_count; }
  [[nodiscard]] ByteView message() const noexcept { return m_message; }

  // Errc::invalid_argument for index >= count().
  [[nodiscard]] Result<FragmentFrame> fragment(std::uint32_t index) const;
  // The encoded C-byte frame of fragment `index`.
  [[nodiscard]] Result<Bytes> frame(std::uint32_t index) const;

 private:
  Fragmenter(std::size_t capacity, const MessageId& message_id, Bytes encoded_message, std::uint32_t count);

  std::size_t m_capacity;
  MessageId m_message_id;
  Bytes m_message;
  MessageDigest m_digest;
  std::uint32_t m_count;
};

}  // namespace tenebra::rendezvous::delivery
