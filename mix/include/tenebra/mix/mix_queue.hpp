// The stop-and-go mixing queue: holds each unwrapped packet until the
// release time its sender chose, then hands it out for forwarding.
//
// A binary heap on release time (O(log n) push and pop), so it stays cheap
// with 100 000 packets held. Capacity is fixed: a push beyond it fails with
// Errc::exhausted and the caller drops and counts the packet, so a flood
// cannot grow memory without bound. Pure logic: time is a parameter.
// Not thread-safe: one queue per mixing worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/commands.hpp"

namespace tenebra::mix {

using TimePoint = std::chrono::steady_clock::time_point;

struct HeldPacket {
  TimePoint release{};
  std::uint64_t sequence = 0;  // arrival order: breaks ties between equal release times
  sphinx::NodeId next_hop{};
  Bytes packet;
};

class MixQueue {
 public:
  explicit MixQueue(std::size_t capacity) : m_capacity(capacity) {}

  [[nodiscard]] Status push(TimePoint release, const sphinx::NodeId& next_hop, Bytes packet);
  // Removes and returns up to `max` packets whose release time is <= now,
  // earliest first.
  std::vector<HeldPacket> pop_due(TimePoint now, std::size_t max);
  // When the earliest held packet is due (to arm a timer), if any.
  std::optional<TimePoint> next_release() const;

  std::size_t size() const noexcept { return m_heap.size(); }
  std::size_t capacity() const noexcept { return m_capacity; }
  bool empty() const noexcept { return m_heap.empty(); }

 private:
  std::size_t m_capacity;
  std::uint64_t m_next_sequence = 0;
  std::vector<HeldPacket> m_heap;  // std::push_heap / pop_heap, earliest on top
};

}  // namespace tenebra::mix
