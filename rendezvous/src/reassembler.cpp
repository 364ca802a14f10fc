#include "tenebra/rendezvous/reassembler.hpp"

#include <sodium.h>

#include <algorithm>
#include <iterator>

#include "tenebra/rendezvous/fragmenter.hpp"

namespace tenebra::rendezvous::delivery {
namespace {

AckFrame complete_ack(const MessageId& message_id) {
  AckFrame ack;
  ack.message_id = message_id;
  ack.complete = true;
  return ack;
}

}  // namespace

Result<Reassembler> Reassembler::create(std::size_t capacity, ReassemblyLimits limits) {
  if (auto checked = check_frame_capacity(capacity); !checked) return std::move(checked).error();
  return Reassembler(capacity, limits);
}

Result<ReceivedFragment> Reassembler::receive(const FragmentFrame& fragment,
                                              std::chrono::steady_clock::time_point now) {
  if (auto checked = check_fragment_frame(m_capacity, fragment); !checked) return std::move(checked).error();
  if (m_done.contains(fragment.message_id)) {
    return ReceivedFragment{FragmentOutcome::already_delivered, complete_ack(fragment.message_id), std::nullopt};
  }
  auto it = m_partials.find(fragment.message_id);
  if (it == m_partials.end()) {
    if (!make_room(fragment.total_length, now)) return ReceivedFragment{};
    Partial partial;
    partial.count = fragment.count;
    partial.digest = fragment.digest;
    partial.bytes.assign(fragment.total_length, 0);
    it = m_partials.emplace(fragment.message_id, std::move(partial)).first;
    m_buffered += fragment.total_length;
  }
  Partial& partial = it->second;
  if (partial.count != fragment.count || partial.bytes.size() != fragment.total_length ||
      sodium_memcmp(partial.digest.data(), fragment.digest.data(), kDigestBytes) != 0) {
    return make_error(Errc::malformed, "fragment disagrees with its message's count, length or digest");
  }
  auto added = add_to(partial, fragment);
  if (!added) return added;
  partial.last_activity = now;
  if (added->outcome == FragmentOutcome::stored && partial.received == partial.count) {
    return complete(fragment.message_id);
  }
  return added;
}

Result<ReceivedFragment> Reassembler::add_to(Partial& partial, const FragmentFrame& fragment) {
  const std::size_t offset = static_cast<std::size_t>(fragment.index) * fragment_data_bytes(m_capacity);
  const auto held_at = partial.bytes.begin() + static_cast<std::ptrdiff_t>(offset);
  if (holds(partial, fragment.index)) {
    if (!std::equal(fragment.data.begin(), fragment.data.end(), held_at)) {
      return make_error(Errc::malformed, "fragment differs from the copy held of its index");
    }
    return ReceivedFragment{FragmentOutcome::duplicate, ranges_ack(fragment.message_id, partial, fragment.index),
                            std::nullopt};
  }
  std::copy(fragment.data.begin(), fragment.data.end(), held_at);
  mark(partial, fragment.index);
  ++partial.received;
  return ReceivedFragment{FragmentOutcome::stored, ranges_ack(fragment.message_id, partial, fragment.index),
                          std::nullopt};
}

Result<ReceivedFragment> Reassembler::complete(const MessageId& message_id) {
  auto it = m_partials.find(message_id);
  Partial partial = std::move(it->second);
  m_partials.erase(it);
  m_buffered -= partial.bytes.size();
  const MessageDigest digest = message_digest(message_id, partial.bytes);
  if (sodium_memcmp(digest.data(), partial.digest.data(), kDigestBytes) != 0) {
    return make_error(Errc::crypto, "reassembled message does not match its digest; discarded");
  }
  remember_delivered(message_id);
  return ReceivedFragment{FragmentOutcome::completed, complete_ack(message_id),
                          DeliveredMessage{message_id, std::move(partial.bytes)}};
}

bool Reassembler::make_room(std::size_t total_length, std::chrono::steady_clock::time_point now) {
  if (total_length > m_limits.max_buffered_bytes || m_limits.max_partial_messages == 0) return false;
  while (m_partials.size() >= m_limits.max_partial_messages ||
         m_buffered + total_length > m_limits.max_buffered_bytes) {
    auto idlest = std::min_element(m_partials.begin(), m_partials.end(), [](const auto& a, const auto& b) {
      return a.second.last_activity < b.second.last_activity;
    });
    if (idlest == m_partials.end() || now - idlest->second.last_activity < m_limits.idle_eviction) return false;
    m_buffered -= idlest->second.bytes.size();
    m_partials.erase(idlest);
  }
  return true;
}

void Reassembler::wipe_bytes(Bytes& bytes) noexcept {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

bool Reassembler::holds(const Partial& partial, std::uint32_t index) {
  auto after = partial.held.upper_bound(index);
  if (after == partial.held.begin()) return false;
  return index < std::prev(after)->second;
}

void Reassembler::mark(Partial& partial, std::uint32_t index) {
  // index is not held: join it to the range ending at it and/or starting after it.
  const std::uint32_t end = index + 1;
  auto next = partial.held.find(end);
  auto after = partial.held.upper_bound(index);
  std::uint32_t new_end = end;
  if (next != partial.held.end()) {
    new_end = next->second;
    partial.held.erase(next);
    after = partial.held.upper_bound(index);
  }
  if (after != partial.held.begin()) {
    auto before = std::prev(after);
    if (before->second == index) {
      before->second = new_end;
      return;
    }
  }
  partial.held.emplace(index, new_end);
}

AckFrame Reassembler::ranges_ack(const MessageId& message_id, const Partial& partial, std::uint32_t around) const {
  // The range holding `around` first, then its neighbours right and left in
  // turn: a fragment's sender learns about the fragments it sent with it.
  std::deque<AckRange> picked;
  const std::size_t limit = max_ack_ranges(m_capacity);
  auto right = partial.held.upper_bound(around);
  auto left = right;  // ranges before `left` are still to take
  while (picked.size() < limit && (right != partial.held.end() || left != partial.held.begin())) {
    if (left != partial.held.begin()) {
      --left;
      picked.push_front(AckRange{left->first, left->second - left->first});
    }
    if (picked.size() < limit && right != partial.held.end()) {
      picked.push_back(AckRange{right->first, right->second - right->first});
      ++right;
    }
  }
  AckFrame ack;
  ack.message_id = message_id;
  ack.ranges.assign(picked.begin(), picked.end());
  return ack;
}

std::optional<AckFrame> Reassembler::ack_for(const MessageId& message_id, std::uint32_t around) const {
  if (m_done.contains(message_id)) return complete_ack(message_id);
  auto it = m_partials.find(message_id);
  if (it == m_partials.end()) return std::nullopt;
  return ranges_ack(message_id, it->second, around);
}

void Reassembler::remember_delivered(const MessageId& message_id) {
  if (m_limits.remembered_messages == 0 || m_done.contains(message_id)) return;
  if (m_done_order.size() >= m_limits.remembered_messages) {
    m_done.erase(m_done_order.front());
    m_done_order.pop_front();
  }
  m_done.insert(message_id);
  m_done_order.push_back(message_id);
}

std::vector<MessageId> Reassembler::delivered_ids() const {
  return {m_done_order.begin(), m_done_order.end()};
}

bool Reassembler::abandon(const MessageId& message_id) {
  auto it = m_partials.find(message_id);
  if (it == m_partials.end()) return false;
  m_buffered -= it->second.bytes.size();
  m_partials.erase(it);
  return true;
}

std::uint32_t Reassembler::received_fragments(const MessageId& message_id) const {
  auto it = m_partials.find(message_id);
  return it == m_partials.end() ? 0 : it->second.received;
}

}  // namespace tenebra::rendezvous::delivery
