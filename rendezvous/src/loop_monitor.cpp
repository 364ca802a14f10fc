#include "tenebra/rendezvous/loop_monitor.hpp"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "tenebra/router/provider_protocol.hpp"
#include "tenebra/router/route.hpp"

namespace tenebra::rendezvous {
namespace {

using LoopTag = std::array<std::uint8_t, kLoopTagBytes>;

// BLAKE2b-256(key, "tenebra/loop-tag", u32 |filler| || id || filler).
LoopTag loop_tag(const LoopKey& key, ByteView id, ByteView filler) {
  static_assert(sizeof(kLabelLoopTag) == crypto_generichash_blake2b_PERSONALBYTES);
  crypto_generichash_blake2b_state state;
  WipeOnExit wipe_state({reinterpret_cast<std::uint8_t*>(&state), sizeof(state)});
  crypto_generichash_blake2b_init_salt_personal(&state, key.data(), key.size(), kLoopTagBytes, nullptr,
                                                reinterpret_cast<const unsigned char*>(kLabelLoopTag.data()));
  std::array<std::uint8_t, 4> length{};
  store_u32_be(length, static_cast<std::uint32_t>(filler.size()));
  crypto_generichash_blake2b_update(&state, length.data(), length.size());
  crypto_generichash_blake2b_update(&state, id.data(), id.size());
  crypto_generichash_blake2b_update(&state, filler.data(), filler.size());
  LoopTag tag{};
  crypto_generichash_blake2b_final(&state, tag.data(), tag.size());
  return tag;
}

Status check_geometry(const mix::sphinx::Geometry& geometry) {
  if (loop_data_bytes(geometry) < kLoopHeaderBytes) {
    return make_error(Errc::invalid_argument, "the geometry's STORE is too small for loop data");
  }
  return {};
}

}  // namespace

std::size_t loop_data_bytes(const mix::sphinx::Geometry& geometry) noexcept {
  return router::provider::max_store_bytes(geometry);
}

Result<Bytes> make_loop_data(const mix::sphinx::Geometry& geometry, const LoopKey& key, const LoopId& id, Random& rng) {
  if (auto checked = check_geometry(geometry); !checked) return std::move(checked).error();
  Bytes data(loop_data_bytes(geometry));
  const MutableByteView filler = MutableByteView(data).subspan(kLoopHeaderBytes);
  rng.fill(filler);
  const LoopTag tag = loop_tag(key, id, filler);
  std::copy(id.begin(), id.end(), data.begin());
  std::copy(tag.begin(), tag.end(), data.begin() + kLoopIdBytes);
  return data;
}

Result<LoopId> open_loop_data(const mix::sphinx::Geometry& geometry, const LoopKey& key, ByteView data) {
  if (auto checked = check_geometry(geometry); !checked) return std::move(checked).error();
  if (data.size() != loop_data_bytes(geometry)) {
    return make_error(Errc::malformed, "loop data of " + std::to_string(data.size()) + " bytes, expected " +
                                           std::to_string(loop_data_bytes(geometry)));
  }
  const ByteView id = data.first(kLoopIdBytes);
  const LoopTag expected = loop_tag(key, id, data.subspan(kLoopHeaderBytes));
  if (sodium_memcmp(expected.data(), data.data() + kLoopIdBytes, kLoopTagBytes) != 0) {
    return make_error(Errc::crypto, "the loop tag does not verify");
  }
  LoopId out{};
  std::copy(id.begin(), id.end(), out.begin());
  return out;
}

Result<std::chrono::milliseconds> loop_deadline(const router::directory::Topology& topology,
                                                std::chrono::milliseconds fetch_interval,
                                                std::chrono::milliseconds link_slack) {
  if (fetch_interval.count() < 0 || link_slack.count() < 0) {
    return make_error(Errc::invalid_argument, "a loop deadline term is negative");
  }
  auto mean = router::mean_hop_delay(topology);
  if (!mean) return std::move(mean).error();
  const auto transit = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::ceil(kLoopTransitMeanHops * static_cast<double>(mean->count()))));
  return transit + fetch_interval + link_slack;
}

const char* loop_outcome_name(LoopOutcome outcome) noexcept {
  switch (outcome) {
    case LoopOutcome::in_time:
      return "in_time";
    case LoopOutcome::late:
      return "late";
    case LoopOutcome::duplicate:
      return "duplicate";
    case LoopOutcome::unknown:
      return "unknown";
    case LoopOutcome::forged:
      return "forged";
    case LoopOutcome::malformed:
      return "malformed";
  }
  return "invalid";
}

Result<LoopMonitor> LoopMonitor::make(const mix::sphinx::Geometry& geometry, LoopKey key, LoopHealthPolicy policy) {
  if (auto checked = check_geometry(geometry); !checked) return std::move(checked).error();
  if (policy.deadline.count() <= 0) return make_error(Errc::invalid_argument, "the loop deadline must be positive");
  if (policy.window == 0 || policy.broken_after == 0 || policy.broken_after > policy.window ||
      policy.max_tracked < policy.window) {
    return make_error(Errc::invalid_argument, "loop health policy needs 1 <= broken_after <= window <= max_tracked");
  }
  return LoopMonitor(geometry, std::move(key), policy);
}

void LoopMonitor::record_sent(const LoopId& id, TimePoint sent_at) {
  if (m_loops.size() >= m_policy.max_tracked) {
    if (!m_loops.front().returned_at) ++m_counters.evicted;
    m_loops.pop_front();
  }
  m_loops.push_back(Sent{id, sent_at, std::nullopt});
  ++m_counters.sent;
}

LoopOutcome LoopMonitor::on_returned(ByteView data, TimePoint now) {
  auto opened = open_loop_data(m_geometry, m_key, data);
  if (!opened) {
    if (opened.error().code == Errc::malformed) {
      ++m_counters.malformed;
      return LoopOutcome::malformed;
    }
    ++m_counters.forged;
    return LoopOutcome::forged;
  }
  const auto found = std::find_if(m_loops.begin(), m_loops.end(), [&](const Sent& sent) { return sent.id == *opened; });
  if (found == m_loops.end()) {
    ++m_counters.unknown;
    return LoopOutcome::unknown;
  }
  if (found->returned_at) {
    ++m_counters.duplicate;
    return LoopOutcome::duplicate;
  }
  found->returned_at = now;
  if (now - found->sent_at <= m_policy.deadline) {
    ++m_counters.in_time;
    return LoopOutcome::in_time;
  }
  ++m_counters.late;
  return LoopOutcome::late;
}

LoopHealth LoopMonitor::health(TimePoint now) const {
  LoopHealth health;
  std::size_t latest_misses = 0;  // misses among the newest decided loops, before the first success
  bool success_seen = false;
  for (auto it = m_loops.rbegin(); it != m_loops.rend(); ++it) {
    const bool back_in_time = it->returned_at && *it->returned_at - it->sent_at <= m_policy.deadline;
    const bool past_deadline = now - it->sent_at > m_policy.deadline;
    if (!back_in_time && !past_deadline) {
      ++health.pending;
      continue;
    }
    if (health.decided == m_policy.window) continue;  // keep counting pending ones only
    ++health.decided;
    if (back_in_time) {
      ++health.in_time;
      success_seen = true;
    } else if (!success_seen) {
      ++latest_misses;
    }
  }
  health.broken = latest_misses >= m_policy.broken_after;
  return health;
}

}  // namespace tenebra::rendezvous
