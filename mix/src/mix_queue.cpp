#include "tenebra/mix/mix_queue.hpp"

#include <algorithm>
#include <string>

namespace tenebra::mix {
namespace {

// std heaps keep the "largest" on top: invert so the earliest release wins.
bool later(const HeldPacket& a, const HeldPacket& b) {
  if (a.release != b.release) return a.release > b.release;
  return a.sequence > b.sequence;
}

}  // namespace

Status MixQueue::push(TimePoint release, const sphinx::NodeId& next_hop, Bytes packet) {
  if (m_heap.size() >= m_capacity) {
    return make_error(Errc::exhausted, "mixing queue full (" + std::to_string(m_capacity) + " packets)");
  }
  m_heap.push_back(HeldPacket{release, m_next_sequence++, next_hop, std::move(packet)});
  std::push_heap(m_heap.begin(), m_heap.end(), later);
  return {};
}

std::vector<HeldPacket> MixQueue::pop_due(TimePoint now, std::size_t max) {
  std::vector<HeldPacket> due;
  while (!m_heap.empty() && due.size() < max && m_heap.front().release <= now) {
    std::pop_heap(m_heap.begin(), m_heap.end(), later);
    due.push_back(std::move(m_heap.back()));
    m_heap.pop_back();
  }
  return due;
}

std::optional<TimePoint> MixQueue::next_release() const {
  if (m_heap.empty()) return std::nullopt;
  return m_heap.front().release;
}

}  // namespace tenebra::mix
