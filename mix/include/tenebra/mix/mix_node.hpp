// MixNode: what a mix or provider does with each packet it receives, as
// pure logic (time and randomness are parameters; no sockets).
//
//   accept(packet, now): unwrap with this epoch's Sphinx key (or, within the
//   grace period, the previous epoch's), drop replays (one replay cache per
//   epoch key), then either hold a Forward in the stop-and-go queue until
//   now + its sender-chosen delay, or hand a Deliver / Reply to the caller
//   (providers only: a mix has no mailboxes, and takes only its own loop
//   cover back, as a Deliver to its loop mailbox). Every drop is counted by
//   reason and nothing is answered.
//   due(now): the held packets whose time has come, earliest first.
//   rotate(current, previous): installs the keys of a new epoch; the replay
//   cache of a key that is no longer held goes with it.
//
// Bounds: the queue has a fixed capacity (queue_full drops beyond it) and a
// sender's delay is capped (delay_too_long), so a flood cannot grow memory
// or hold packets forever. Not thread-safe: one per mixing worker.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/mix/mix_queue.hpp"
#include "tenebra/mix/node_key.hpp"
#include "tenebra/mix/replay_cache.hpp"
#include "tenebra/mix/sphinx.hpp"

namespace tenebra::mix {

enum class NodeRole { mix, provider };

// Why a packet was dropped: Sphinx's reasons, then the node's own.
enum class MixDrop : std::uint8_t {
  bad_length,
  bad_version,
  bad_group_element,
  bad_mac,
  replay,
  bad_command,
  bad_payload,
  queue_full,       // the stop-and-go queue is at capacity
  delay_too_long,   // the sender asked for more than max_delay
  not_for_role,     // a delivery reached a mix (only providers host mailboxes)
  no_key,           // no Sphinx key installed yet
  no_replay_cache,  // the replay cache could not be had: fail closed
};
inline constexpr std::size_t kMixDropReasons = 12;
[[nodiscard]] const char* mix_drop_name(MixDrop reason) noexcept;

struct MixNodeConfig {
  sphinx::Geometry geometry = sphinx::Geometry::default_geometry();
  NodeRole role = NodeRole::mix;
  std::size_t queue_capacity = 100'000;
  sphinx::Delay max_delay{std::chrono::minutes(10)};
  ReplayCacheConfig replay{};
  // A mix only: the secret mailbox id its loop cover packets are delivered
  // to when they come back; such a delivery is handed to the caller.
  std::optional<sphinx::MailboxId> loop_mailbox;
};

struct Queued {
  TimePoint release{};
};
struct Dropped {
  MixDrop reason;
};
// Queued (a Forward now held), a Deliver or Reply for the provider to store,
// or a drop.
using MixOutcome = std::variant<Queued, sphinx::Deliver, sphinx::Reply, Dropped>;

class MixNode {
 public:
  MixNode(MixNodeConfig config, Random& rng);

  // The key of the current epoch and, during its grace period, the previous
  // one. Replay caches of keys not passed here are dropped.
  void rotate(sphinx::NodeKeyPair current, std::optional<sphinx::NodeKeyPair> previous);

  [[nodiscard]] MixOutcome accept(ByteView packet, TimePoint now);
  [[nodiscard]] std::vector<HeldPacket> due(TimePoint now, std::size_t max) { return m_queue.pop_due(now, max); }
  [[nodiscard]] std::optional<TimePoint> next_release() const { return m_queue.next_release(); }

  [[nodiscard]] std::size_t queued() const noexcept { return m_queue.size(); }
  [[nodiscard]] std::uint64_t dropped(MixDrop reason) const noexcept {
    return m_drops[static_cast<std::size_t>(reason)];
  }
  [[nodiscard]] std::uint64_t accepted() const noexcept { return m_accepted; }
  [[nodiscard]] std::size_t replay_caches() const noexcept { return m_replay.size(); }

 private:
  Dropped drop(MixDrop reason) noexcept;
  // nullopt when the key's replay cache cannot be had.
  [[nodiscard]] std::optional<sphinx::Unwrapped> unwrap_with(const sphinx::NodeKeyPair& key, ByteView packet);

  MixNodeConfig m_config;
  MixQueue m_queue;
  ReplayCaches m_replay;
  std::optional<sphinx::NodeKeyPair> m_current;
  std::optional<sphinx::NodeKeyPair> m_previous;
  std::array<std::uint64_t, kMixDropReasons> m_drops{};
  std::uint64_t m_accepted = 0;
};

}  // namespace tenebra::mix
