// The sender's reliable delivery, one per contact (docs/delivery.md §6): a
// pure state machine that turns queued messages into fragment frames, keeps
// at most `window` fragments in flight, retransmits each unacknowledged one
// when its timer runs out (exponential backoff, jitter from Random&), and
// completes a message when an ack says the recipient has all of it. It never
// gives up on its own: the user sees progress and age ("still trying").
//
// Exactly once: the recipient suppresses duplicates by message id, so the
// sender may always send a fragment again (after a lost ack, or a crash).
//
// Persistence: per message the store keeps a row (message_id, encoded
// message, the capacity C, when it was added) written before add() returns
// to the user, and the acked bitmap (acked_bitmap(), updated after on_ack
// when it changed; a stale bitmap only costs resends). Retransmission timers
// are not kept: after a restart restore() each row, and every unacked
// fragment is sent again under the window. A completed message's row goes.
//
// Thread-safety: one Outbox belongs to one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/rendezvous/delivery_constants.hpp"
#include "tenebra/rendezvous/delivery_frame.hpp"
#include "tenebra/rendezvous/fragmenter.hpp"

namespace tenebra::rendezvous::delivery {

struct OutboxConfig {
  std::size_t capacity = 0;                      // C, kMinFrameCapacity..kMaxFrameCapacity
  std::size_t window = kDefaultWindowFragments;  // fragments sent and not yet acked, >= 1
  // First retransmission timeout: the caller derives it from the route's
  // mixing delays and the recipient's fetch interval (a round trip), > 0.
  std::chrono::milliseconds initial_timeout{0};
  std::chrono::milliseconds max_timeout = kDefaultMaxRetransmitTimeout;  // >= initial_timeout
  double backoff = kDefaultBackoffFactor;                                // each resend multiplies the timeout, 1..16
  double jitter = kDefaultRetransmitJitter;  // each timeout is scaled by 1 +- jitter, 0..0.5
};

struct OutgoingFrame {
  MessageId message_id{};
  std::uint32_t index = 0;
  std::uint32_t attempt = 0;  // 1 for the first transmission
  Bytes frame;                // C bytes, the plaintext of one envelope
};

struct AckResult {
  bool known = false;  // false: an ack for no pending message (late, or completed already)
  MessageId message_id{};
  std::uint32_t newly_acked = 0;
  std::uint32_t acked = 0;
  std::uint32_t total = 0;
  bool completed = false;  // the message left the outbox: delete its row
};

struct MessageProgress {
  MessageId message_id{};
  std::uint32_t acked = 0;
  std::uint32_t total = 0;
  std::uint64_t transmissions = 0;  // frames sent for it, resends included
  std::chrono::steady_clock::duration age{};
};

// One row of the store (see above). added_at is the caller's mapping of the
// stored wall time onto the steady clock of this run.
struct StoredOutboxMessage {
  MessageId message_id{};
  Bytes encoded;
  Bytes acked_bitmap;  // ceil(count / 8) bytes, fragment i is bit (i % 8) of byte i / 8; empty = none acked
  std::chrono::steady_clock::time_point added_at{};
};

class Outbox {
 public:
  // Errc::invalid_argument for a configuration out of the bounds above.
  [[nodiscard]] static Result<Outbox> create(OutboxConfig config);

  // Queues an encoded message (message_content.hpp) under a fresh random id.
  // Errc::invalid_argument when it is empty or too large.
  [[nodiscard]] Result<MessageId> add(Bytes encoded_message, Random& random, std::chrono::steady_clock::time_point now);
  // Rebuilds a message from its row. Returns false (and keeps nothing) when
  // the bitmap says every fragment was acked: the message is complete and
  // its row can go. Errc::malformed for a bad bitmap or message,
  // Errc::invalid_argument for an id already pending.
  [[nodiscard]] Result<bool> restore(const StoredOutboxMessage& stored);

  // Up to max_frames frames to send now: retransmissions that are due
  // (oldest deadline first), then new fragments in queue order while fewer
  // than `window` are in flight. Each gets its next timeout.
  [[nodiscard]] std::vector<OutgoingFrame> next_frames(std::chrono::steady_clock::time_point now,
                                                       std::size_t max_frames, Random& random);

  // Marks what the ack covers. Errc::malformed for a range past the
  // message's last fragment (nothing changes).
  [[nodiscard]] Result<AckResult> on_ack(const AckFrame& ack);

  // The earliest retransmission deadline, if anything is in flight.
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> next_retransmission() const;
  // True when a new fragment could go now (something unsent, window open).
  [[nodiscard]] bool can_send_new() const;

  [[nodiscard]] std::vector<MessageProgress> progress(std::chrono::steady_clock::time_point now) const;
  [[nodiscard]] std::optional<Bytes> acked_bitmap(const MessageId& message_id) const;
  [[nodiscard]] std::size_t pending_messages() const noexcept { return m_messages.size(); }
  [[nodiscard]] std::size_t in_flight() const noexcept { return m_in_flight.size(); }

 private:
  struct FragmentState {
    std::chrono::steady_clock::time_point deadline{};
    std::uint32_t attempts = 0;  // 0: never sent in this run
    bool acked = false;
  };
  struct Pending {
    Fragmenter fragmenter;
    std::vector<FragmentState> fragments;
    std::uint32_t acked = 0;
    std::uint32_t next_unsent = 0;  // every index below is acked or sent
    std::uint64_t transmissions = 0;
    std::chrono::steady_clock::time_point added_at{};
  };
  using FragmentKey = std::pair<MessageId, std::uint32_t>;

  explicit Outbox(OutboxConfig config) : m_config(config) {}
  Pending* find(const MessageId& message_id);
  const Pending* find(const MessageId& message_id) const;
  std::chrono::steady_clock::duration timeout_for(std::uint32_t attempt, Random& random) const;
  std::optional<OutgoingFrame> transmit(Pending& pending, std::uint32_t index,
                                        std::chrono::steady_clock::time_point now, Random& random);
  void mark_acked(Pending& pending, std::uint32_t index, AckResult& result);
  void complete(const MessageId& message_id);
  std::vector<FragmentKey> due(std::chrono::steady_clock::time_point now) const;

  OutboxConfig m_config;
  std::deque<Pending> m_messages;  // queue order
  std::set<FragmentKey> m_in_flight;
};

}  // namespace tenebra::rendezvous::delivery
