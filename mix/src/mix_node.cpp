#include "tenebra/mix/mix_node.hpp"

#include <sodium.h>

namespace tenebra::mix {
namespace {

MixDrop from_sphinx(sphinx::DropReason reason) noexcept {
  switch (reason) {
    case sphinx::DropReason::bad_length:
      return MixDrop::bad_length;
    case sphinx::DropReason::bad_version:
      return MixDrop::bad_version;
    case sphinx::DropReason::bad_group_element:
      return MixDrop::bad_group_element;
    case sphinx::DropReason::bad_mac:
      return MixDrop::bad_mac;
    case sphinx::DropReason::replay:
      return MixDrop::replay;
    case sphinx::DropReason::bad_command:
      return MixDrop::bad_command;
    case sphinx::DropReason::bad_payload:
      return MixDrop::bad_payload;
  }
  return MixDrop::bad_command;
}

}  // namespace

const char* mix_drop_name(MixDrop reason) noexcept {
  switch (reason) {
    case MixDrop::bad_length:
      return "bad_length";
    case MixDrop::bad_version:
      return "bad_version";
    case MixDrop::bad_group_element:
      return "bad_group_element";
    case MixDrop::bad_mac:
      return "bad_mac";
    case MixDrop::replay:
      return "replay";
    case MixDrop::bad_command:
      return "bad_command";
    case MixDrop::bad_payload:
      return "bad_payload";
    case MixDrop::queue_full:
      return "queue_full";
    case MixDrop::delay_too_long:
      return "delay_too_long";
    case MixDrop::not_for_role:
      return "not_for_role";
    case MixDrop::no_key:
      return "no_key";
    case MixDrop::no_replay_cache:
      return "no_replay_cache";
  }
  return "unknown";
}

MixNode::MixNode(MixNodeConfig config, Random& rng)
    : m_config(config), m_queue(config.queue_capacity), m_replay(config.replay, rng) {}

void MixNode::rotate(sphinx::NodeKeyPair current, std::optional<sphinx::NodeKeyPair> previous) {
  // Caches of keys that are not kept any more go with them.
  for (const auto* old :
       {m_current ? &m_current->public_key : nullptr, m_previous ? &m_previous->public_key : nullptr}) {
    if (old == nullptr) continue;
    const bool kept = *old == current.public_key || (previous && *old == previous->public_key);
    if (!kept) m_replay.drop_key(*old);
  }
  m_current = std::move(current);
  m_previous = std::move(previous);
}

Dropped MixNode::drop(MixDrop reason) noexcept {
  ++m_drops[static_cast<std::size_t>(reason)];
  return Dropped{reason};
}

std::optional<sphinx::Unwrapped> MixNode::unwrap_with(const sphinx::NodeKeyPair& key, ByteView packet) {
  auto cache = m_replay.for_key(key.public_key);
  if (!cache) return std::nullopt;
  return sphinx::unwrap(m_config.geometry, key, packet, *cache);
}

MixOutcome MixNode::accept(ByteView packet, TimePoint now) {
  if (!m_current) return drop(MixDrop::no_key);
  auto unwrapped = unwrap_with(*m_current, packet);
  if (!unwrapped) return drop(MixDrop::no_replay_cache);
  // A packet built for the previous epoch's key fails the MAC under the
  // current one; during the grace period it gets a second chance.
  if (m_previous && unwrapped->dropped() &&
      std::get<sphinx::Drop>(unwrapped->action).reason == sphinx::DropReason::bad_mac) {
    unwrapped = unwrap_with(*m_previous, packet);
    if (!unwrapped) return drop(MixDrop::no_replay_cache);
  }
  if (const auto* dropped = std::get_if<sphinx::Drop>(&unwrapped->action)) return drop(from_sphinx(dropped->reason));

  if (auto* forward = std::get_if<sphinx::Forward>(&unwrapped->action)) {
    if (forward->delay > m_config.max_delay) return drop(MixDrop::delay_too_long);
    const TimePoint release = now + std::chrono::duration_cast<TimePoint::duration>(forward->delay);
    if (!m_queue.push(release, forward->next_hop, std::move(forward->packet))) return drop(MixDrop::queue_full);
    ++m_accepted;
    return Queued{release};
  }
  if (m_config.role != NodeRole::provider) {
    // A mix's own loop cover comes back to it as a delivery to its secret
    // loop mailbox; any other delivery is not for a mix.
    auto* deliver = std::get_if<sphinx::Deliver>(&unwrapped->action);
    if (deliver == nullptr || !m_config.loop_mailbox ||
        sodium_memcmp(deliver->mailbox.data(), m_config.loop_mailbox->data(), deliver->mailbox.size()) != 0) {
      return drop(MixDrop::not_for_role);
    }
  }
  ++m_accepted;
  if (auto* deliver = std::get_if<sphinx::Deliver>(&unwrapped->action)) return std::move(*deliver);
  return std::move(std::get<sphinx::Reply>(unwrapped->action));
}

}  // namespace tenebra::mix
