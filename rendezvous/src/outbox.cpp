#include "tenebra/rendezvous/outbox.hpp"

#include <algorithm>
#include <cmath>

namespace tenebra::rendezvous::delivery {
namespace {

constexpr double kMaxBackoff = 16.0;
constexpr double kMaxJitter = 0.5;

Status check_config(const OutboxConfig& config) {
  if (auto checked = check_frame_capacity(config.capacity); !checked) return checked;
  if (config.window == 0) return make_error(Errc::invalid_argument, "outbox window must be at least one fragment");
  if (config.initial_timeout.count() <= 0 || config.max_timeout < config.initial_timeout) {
    return make_error(Errc::invalid_argument, "retransmission timeouts must satisfy 0 < initial <= max");
  }
  if (!(config.backoff >= 1.0 && config.backoff <= kMaxBackoff)) {
    return make_error(Errc::invalid_argument, "retransmission backoff must be 1..16");
  }
  if (!(config.jitter >= 0.0 && config.jitter <= kMaxJitter)) {
    return make_error(Errc::invalid_argument, "retransmission jitter must be 0..0.5");
  }
  return {};
}

}  // namespace

Result<Outbox> Outbox::create(OutboxConfig config) {
  if (auto checked = check_config(config); !checked) return std::move(checked).error();
  return Outbox(config);
}

Result<MessageId> Outbox::add(Bytes encoded_message, Random& random, std::chrono::steady_clock::time_point now) {
  MessageId id = new_message_id(random);
  while (find(id) != nullptr) id = new_message_id(random);  // 2^-128, but never two rows with one id
  auto fragmenter = Fragmenter::create(m_config.capacity, id, std::move(encoded_message));
  if (!fragmenter) return std::move(fragmenter).error();
  const std::uint32_t count = fragmenter->count();
  m_messages.push_back(Pending{std::move(*fragmenter), std::vector<FragmentState>(count), 0, 0, 0, now});
  return id;
}

Result<bool> Outbox::restore(const StoredOutboxMessage& stored) {
  if (find(stored.message_id) != nullptr) return make_error(Errc::invalid_argument, "message is already in the outbox");
  auto fragmenter = Fragmenter::create(m_config.capacity, stored.message_id, stored.encoded);
  if (!fragmenter) return make_error(Errc::malformed, "stored outbox message: " + fragmenter.error().message);
  const std::uint32_t count = fragmenter->count();
  std::vector<FragmentState> fragments(count);
  std::uint32_t acked = 0;
  if (!stored.acked_bitmap.empty()) {
    if (stored.acked_bitmap.size() != (std::size_t{count} + 7) / 8) {
      return make_error(Errc::malformed, "stored acked bitmap has the wrong length");
    }
    for (std::size_t bit = 0; bit < stored.acked_bitmap.size() * 8; ++bit) {
      const bool set = ((stored.acked_bitmap[bit / 8] >> (bit % 8)) & 1U) != 0;
      if (bit >= count) {
        if (set) return make_error(Errc::malformed, "stored acked bitmap marks a fragment past the last");
        continue;
      }
      fragments[bit].acked = set;
      acked += set ? 1 : 0;
    }
  }
  if (acked == count) return false;
  m_messages.push_back(Pending{std::move(*fragmenter), std::move(fragments), acked, 0, 0, stored.added_at});
  return true;
}

std::vector<OutgoingFrame> Outbox::next_frames(std::chrono::steady_clock::time_point now, std::size_t max_frames,
                                               Random& random) {
  std::vector<OutgoingFrame> out;
  for (const auto& key : due(now)) {
    if (out.size() >= max_frames) return out;
    if (auto frame = transmit(*find(key.first), key.second, now, random)) out.push_back(std::move(*frame));
  }
  for (auto& pending : m_messages) {
    while (out.size() < max_frames && m_in_flight.size() < m_config.window &&
           pending.next_unsent < pending.fragments.size()) {
      const std::uint32_t index = pending.next_unsent++;
      const FragmentState& state = pending.fragments[index];
      if (state.acked || state.attempts > 0) continue;
      if (auto frame = transmit(pending, index, now, random)) out.push_back(std::move(*frame));
    }
    if (out.size() >= max_frames || m_in_flight.size() >= m_config.window) break;
  }
  return out;
}

std::vector<Outbox::FragmentKey> Outbox::due(std::chrono::steady_clock::time_point now) const {
  std::vector<std::pair<std::chrono::steady_clock::time_point, FragmentKey>> expired;
  for (const auto& key : m_in_flight) {
    const Pending* pending = find(key.first);
    const auto deadline = pending->fragments[key.second].deadline;
    if (deadline <= now) expired.emplace_back(deadline, key);
  }
  std::sort(expired.begin(), expired.end());
  std::vector<FragmentKey> keys;
  keys.reserve(expired.size());
  for (auto& entry : expired) keys.push_back(entry.second);
  return keys;
}

std::optional<OutgoingFrame> Outbox::transmit(Pending& pending, std::uint32_t index,
                                              std::chrono::steady_clock::time_point now, Random& random) {
  auto frame = pending.fragmenter.frame(index);
  if (!frame) return std::nullopt;  // index < count by construction
  FragmentState& state = pending.fragments[index];
  ++state.attempts;
  state.deadline = now + timeout_for(state.attempts, random);
  ++pending.transmissions;
  m_in_flight.emplace(pending.fragmenter.message_id(), index);
  return OutgoingFrame{pending.fragmenter.message_id(), index, state.attempts, std::move(*frame)};
}

std::chrono::steady_clock::duration Outbox::timeout_for(std::uint32_t attempt, Random& random) const {
  using Millis = std::chrono::duration<double, std::milli>;
  const double initial = Millis(m_config.initial_timeout).count();
  const double ceiling = Millis(m_config.max_timeout).count();
  // attempt - 1 doublings, computed in doubles and capped before they grow large.
  const double exponent = std::min<double>(attempt - 1, 64.0);
  const double base = std::min(ceiling, initial * std::pow(m_config.backoff, exponent));
  const double scale = 1.0 + m_config.jitter * (2.0 * random.uniform_open01() - 1.0);
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(Millis(base * scale));
}

Result<AckResult> Outbox::on_ack(const AckFrame& ack) {
  AckResult result;
  result.message_id = ack.message_id;
  Pending* pending = find(ack.message_id);
  if (pending == nullptr) return result;
  const std::size_t count = pending->fragments.size();
  for (const auto& range : ack.ranges) {
    if (std::uint64_t{range.first} + range.count > count) {
      return make_error(Errc::malformed, "ack names a fragment past the message's last");
    }
  }
  result.known = true;
  result.total = static_cast<std::uint32_t>(count);
  if (ack.complete) {
    for (std::uint32_t index = 0; index < count; ++index) mark_acked(*pending, index, result);
  } else {
    for (const auto& range : ack.ranges) {
      for (std::uint32_t i = 0; i < range.count; ++i) mark_acked(*pending, range.first + i, result);
    }
  }
  result.acked = pending->acked;
  if (pending->acked == count) {
    result.completed = true;
    complete(ack.message_id);
  }
  return result;
}

void Outbox::mark_acked(Pending& pending, std::uint32_t index, AckResult& result) {
  FragmentState& state = pending.fragments[index];
  if (state.acked) return;
  state.acked = true;
  ++pending.acked;
  ++result.newly_acked;
  m_in_flight.erase(FragmentKey{pending.fragmenter.message_id(), index});
}

void Outbox::complete(const MessageId& message_id) {
  auto it = std::find_if(m_messages.begin(), m_messages.end(),
                         [&](const Pending& pending) { return pending.fragmenter.message_id() == message_id; });
  if (it == m_messages.end()) return;
  for (auto flight = m_in_flight.lower_bound(FragmentKey{message_id, 0});
       flight != m_in_flight.end() && flight->first == message_id;) {
    flight = m_in_flight.erase(flight);
  }
  m_messages.erase(it);
}

std::optional<std::chrono::steady_clock::time_point> Outbox::next_retransmission() const {
  std::optional<std::chrono::steady_clock::time_point> earliest;
  for (const auto& key : m_in_flight) {
    const auto deadline = find(key.first)->fragments[key.second].deadline;
    if (!earliest || deadline < *earliest) earliest = deadline;
  }
  return earliest;
}

bool Outbox::can_send_new() const {
  if (m_in_flight.size() >= m_config.window) return false;
  return std::any_of(m_messages.begin(), m_messages.end(), [](const Pending& pending) {
    for (std::size_t i = pending.next_unsent; i < pending.fragments.size(); ++i) {
      if (!pending.fragments[i].acked && pending.fragments[i].attempts == 0) return true;
    }
    return false;
  });
}

std::vector<MessageProgress> Outbox::progress(std::chrono::steady_clock::time_point now) const {
  std::vector<MessageProgress> out;
  out.reserve(m_messages.size());
  for (const auto& pending : m_messages) {
    out.push_back(MessageProgress{pending.fragmenter.message_id(), pending.acked,
                                  static_cast<std::uint32_t>(pending.fragments.size()), pending.transmissions,
                                  now - pending.added_at});
  }
  return out;
}

std::optional<Bytes> Outbox::acked_bitmap(const MessageId& message_id) const {
  const Pending* pending = find(message_id);
  if (pending == nullptr) return std::nullopt;
  Bytes bitmap((pending->fragments.size() + 7) / 8, 0);
  for (std::size_t i = 0; i < pending->fragments.size(); ++i) {
    if (pending->fragments[i].acked) bitmap[i / 8] = static_cast<std::uint8_t>(bitmap[i / 8] | (1U << (i % 8)));
  }
  return bitmap;
}

Outbox::Pending* Outbox::find(const MessageId& message_id) {
  for (auto& pending : m_messages) {
    if (pending.fragmenter.message_id() == message_id) return &pending;
  }
  return nullptr;
}

const Outbox::Pending* Outbox::find(const MessageId& message_id) const {
  for (const auto& pending : m_messages) {
    if (pending.fragmenter.message_id() == message_id) return &pending;
  }
  return nullptr;
}

}  // namespace tenebra::rendezvous::delivery
