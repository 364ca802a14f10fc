// The client's loop cover packets (Loopix lambda_L) as a health probe
// (docs/cover-traffic.md §4): what a loop carries, how the client knows its
// own loops and nothing else, and how the returns tell whether the network
// still carries its packets.
//
// A loop is a STORE into the client's loop mailbox at its own provider. Its
// data fills the whole STORE (max_store_bytes) so the provider sees an item
// exactly like a full message fragment:
//
//   loop_id(16) || tag(32) || filler (random)
//   tag = BLAKE2b-256(key = loop key, personal = "tenebra/loop-tag",
//                     u32 filler length || loop_id || filler)
//
// LoopMonitor remembers the loops sent (a bounded window), matches returned
// loop data against them after a constant-time tag check, counts and
// ignores forged, unknown and duplicate ones, and reports health: the share
// of recent loops that came back within the deadline, and "broken" when
// none of the last N did.
//
// make_loop_data/open_loop_data are pure. A LoopMonitor is not thread-safe:
// one per client, driven from one thread. Its key wipes itself.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/mix/sphinx_constants.hpp"
#include "tenebra/rendezvous/cover_scheduler.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::rendezvous {

inline constexpr std::size_t kLoopIdBytes = 16;
inline constexpr std::size_t kLoopTagBytes = 32;
inline constexpr std::size_t kLoopHeaderBytes = kLoopIdBytes + kLoopTagBytes;
inline constexpr mix::sphinx::Label kLabelLoopTag = mix::sphinx::make_label("tenebra/loop-tag");

using LoopId = std::array<std::uint8_t, kLoopIdBytes>;
// The client's secret for tagging its loops; never leaves the client.
using LoopKey = SecretKey32;

// Bytes of loop data at `geometry`: the largest STORE, P - 3.
std::size_t loop_data_bytes(const mix::sphinx::Geometry& geometry) noexcept;

// loop_id || tag || filler. Randomness: the filler only (the caller draws
// the id, so it can record it). Errc::invalid_argument when the geometry's
// STORE cannot hold the 48-byte header.
[[nodiscard]] Result<Bytes> make_loop_data(const mix::sphinx::Geometry& geometry, const LoopKey& key, const LoopId& id,
                                           Random& rng);
// The loop id of data this key tagged. Errc::malformed for a wrong length,
// Errc::crypto when the tag does not verify (compared in constant time).
[[nodiscard]] Result<LoopId> open_loop_data(const mix::sphinx::Geometry& geometry, const LoopKey& key, ByteView data);

// A loop crosses four delaying hops (entry provider, layers 1-3), so its
// transit is Erlang(4, mu). 13.1 mean hop delays bound it with probability
// 0.999 (tail e^-x (1 + x + x^2/2 + x^3/6) at x = 13.1 is 9.7e-4), so a
// healthy network loses a loop to the deadline about once in a thousand.
inline constexpr double kLoopTransitMeanHops = 13.1;

// When a loop sent now should be back: the 0.999 transit bound above, plus
// the client's fetch interval (loops wait in the loop mailbox until
// fetched) and `link_slack` for the tunnels' own latency.
[[nodiscard]] Result<std::chrono::milliseconds> loop_deadline(const router::directory::Topology& topology,
                                                              std::chrono::milliseconds fetch_interval,
                                                              std::chrono::milliseconds link_slack);

struct LoopHealthPolicy {
  std::chrono::nanoseconds deadline{0};  // see loop_deadline; > 0
  std::size_t window = 32;               // decided loops the in-time share is taken over; >= 1
  std::size_t broken_after = 8;          // "broken" when this many latest decided loops all missed; 1..window
  std::size_t max_tracked = 256;         // loops remembered; >= window (bounds memory)
};

enum class LoopOutcome : std::uint8_t {
  in_time,    // ours, first return, within the deadline
  late,       // ours, first return, after the deadline (counts as a miss)
  duplicate,  // ours, already returned: ignored
  unknown,    // tagged with our key but not tracked (evicted, or an older run): ignored
  forged,     // the tag does not verify: not ours, ignored
  malformed,  // wrong length: ignored
};
const char* loop_outcome_name(LoopOutcome outcome) noexcept;

struct LoopHealth {
  std::size_t decided = 0;  // loops of the window that came back in time or are past their deadline
  std::size_t in_time = 0;
  std::size_t pending = 0;  // sent, not back, deadline not reached (not in the window)
  bool broken = false;      // the latest broken_after decided loops all missed

  // in_time / decided; 1 with nothing decided yet (no evidence of loss).
  double in_time_fraction() const noexcept {
    return decided == 0 ? 1.0 : static_cast<double>(in_time) / static_cast<double>(decided);
  }
};

struct LoopCounters {
  std::uint64_t sent = 0;
  std::uint64_t in_time = 0;
  std::uint64_t late = 0;
  std::uint64_t duplicate = 0;
  std::uint64_t unknown = 0;
  std::uint64_t forged = 0;
  std::uint64_t malformed = 0;
  std::uint64_t evicted = 0;  // forgotten unreturned to stay within max_tracked
};

class LoopMonitor {
 public:
  // Errc::invalid_argument for a policy outside the bounds above or a
  // geometry too small for loop data.
  [[nodiscard]] static Result<LoopMonitor> make(const mix::sphinx::Geometry& geometry, LoopKey key,
                                                LoopHealthPolicy policy);

  // A loop handed to the link at `sent_at` (times should not go backwards).
  // Past max_tracked the oldest loop is forgotten.
  void record_sent(const LoopId& id, TimePoint sent_at);
  // Loop data fetched from the loop mailbox at `now`.
  LoopOutcome on_returned(ByteView data, TimePoint now);
  LoopHealth health(TimePoint now) const;

  const LoopCounters& counters() const noexcept { return m_counters; }
  std::size_t tracked() const noexcept { return m_loops.size(); }

 private:
  struct Sent {
    LoopId id{};
    TimePoint sent_at{};
    std::optional<TimePoint> returned_at;
  };
  LoopMonitor(const mix::sphinx::Geometry& geometry, LoopKey key, LoopHealthPolicy policy)
      : m_geometry(geometry), m_key(std::move(key)), m_policy(policy) {}

  mix::sphinx::Geometry m_geometry;
  LoopKey m_key;
  LoopHealthPolicy m_policy;
  std::deque<Sent> m_loops;  // in send order, at most max_tracked
  LoopCounters m_counters;
};

}  // namespace tenebra::rendezvous
