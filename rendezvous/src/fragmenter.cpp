#include "tenebra/rendezvous/fragmenter.hpp"

#include <sodium.h>

#include <algorithm>

namespace tenebra::rendezvous::delivery {

MessageId new_message_id(Random& random) {
  MessageId id{};
  random.fill(id);
  return id;
}

MessageDigest message_digest(const MessageId& message_id, ByteView encoded_message) {
  crypto_generichash_blake2b_state state;
  std::array<std::uint8_t, crypto_generichash_blake2b_SALTBYTES> salt{};
  std::array<std::uint8_t, crypto_generichash_blake2b_PERSONALBYTES> personal{};
  std::copy_n(kDigestPersonal, personal.size(), personal.begin());
  MessageDigest digest{};
  // Cannot fail with these sizes (libsodium checks only lengths).
  (void)crypto_generichash_blake2b_init_salt_personal(&state, nullptr, 0, digest.size(), salt.data(), personal.data());
  (void)crypto_generichash_blake2b_update(&state, message_id.data(), message_id.size());
  (void)crypto_generichash_blake2b_update(&state, encoded_message.data(), encoded_message.size());
  (void)crypto_generichash_blake2b_final(&state, digest.data(), digest.size());
  return digest;
}

Result<Fragmenter> Fragmenter::create(std::size_t capacity, const MessageId& message_id, Bytes encoded_message) {
  if (auto checked = check_frame_capacity(capacity); !checked) return std::move(checked).error();
  if (encoded_message.empty() || encoded_message.size() > kMaxMessageBytes) {
    return make_error(Errc::invalid_argument, "a message must be 1.." + std::to_string(kMaxMessageBytes) + " bytes");
  }
  const auto count = static_cast<std::uint32_t>(fragment_count(encoded_message.size(), capacity));
  return Fragmenter(capacity, message_id, std::move(encoded_message), count);
}

Fragmenter::Fragmenter(std::size_t capacity, const MessageId& message_id, Bytes encoded_message, std::uint32_t count)
    : m_capacity(capacity),
      m_message_id(message_id),
      m_message(std::move(encoded_message)),
      m_digest(message_digest(message_id, m_message)),
      m_count(count) {}

Result<FragmentFrame> Fragmenter::fragment(std::uint32_t index) const {
  if (index >= m_count) return make_error(Errc::invalid_argument, "fragment index is past the last fragment");
  const std::size_t full = fragment_data_bytes(m_capacity);
  const std::size_t offset = static_cast<std::size_t>(index) * full;
  const std::size_t length = std::min(full, m_message.size() - offset);
  FragmentFrame fragment;
  fragment.message_id = m_message_id;
  fragment.index = index;
  fragment.count = m_count;
  fragment.total_length = static_cast<std::uint32_t>(m_message.size());
  fragment.digest = m_digest;
  const auto begin = m_message.begin() + static_cast<std::ptrdiff_t>(offset);
  fragment.data.assign(begin, begin + static_cast<std::ptrdiff_t>(length));
  return fragment;
}

Result<Bytes> Fragmenter::frame(std::uint32_t index) const {
  auto made = fragment(index);
  if (!made) return std::move(made).error();
  return encode_delivery_frame(m_capacity, DeliveryFrame(std::move(*made)));
}

}  // namespace tenebra::rendezvous::delivery
