// The recipient's side of delivery (docs/delivery.md §5), one per contact:
// collects the fragments of that contact's messages in any order, refuses
// fragments that disagree with what is held for their message, verifies the
// digest when a message is complete and hands it out once. Every fragment it
// takes or has already taken is answered with the Ack to send back; a
// fragment of a message delivered earlier is acked again (complete) but not
// delivered twice.
//
// Memory is capped: partial messages and their bytes (each partial reserves
// its total_length when its first fragment arrives). A new message that does
// not fit is refused, not acked, and the sender retries later; partials are
// never evicted to make room unless idle for limits.idle_eviction, because
// the sender will not resend fragments this side has acked.
//
// Persistence (rebuild after a crash): the store keeps one row per accepted
// fragment (before its ack is sent) and the ids of delivered messages in
// delivery order. Rebuild = construct, remember_delivered() each id oldest
// first, then receive() each stored fragment. On `completed`, the caller
// commits the message, its id and the removal of its fragment rows in one
// transaction before sending the ack; the inbox's unique message id is the
// last guard against a duplicate older than the remembered window.
//
// Thread-safety: one Reassembler belongs to one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/rendezvous/delivery_constants.hpp"
#include "tenebra/rendezvous/delivery_frame.hpp"

namespace tenebra::rendezvous::delivery {

struct ReassemblyLimits {
  std::size_t max_partial_messages = kDefaultMaxPartialMessages;
  std::size_t max_buffered_bytes = kDefaultMaxBufferedBytes;  // sum of the partials' total_length
  std::size_t remembered_messages = kDefaultRememberedMessages;
  std::chrono::steady_clock::duration idle_eviction = kDefaultPartialIdleEviction;
};

enum class FragmentOutcome {
  stored,             // a new fragment of a partial message: persist it, then send the ack
  duplicate,          // held already: send the ack again
  completed,          // the message is whole and verified: `message` holds it
  already_delivered,  // of a message delivered before: send the (complete) ack, deliver nothing
  refused,            // no room under the caps: dropped, no ack; the sender will retry
};

struct DeliveredMessage {
  MessageId message_id{};
  Bytes encoded;  // decode with decode_message_content
};

struct ReceivedFragment {
  FragmentOutcome outcome = FragmentOutcome::refused;
  std::optional<AckFrame> ack;              // absent only when refused
  std::optional<DeliveredMessage> message;  // present only when completed
};

class Reassembler {
 public:
  // Errc::invalid_argument for a capacity out of range.
  [[nodiscard]] static Result<Reassembler> create(std::size_t capacity, ReassemblyLimits limits = {});

  // Errc::malformed for a fragment that breaks the frame rules, disagrees
  // with its message's count, length or digest, or differs from the copy
  // held of its index: it is dropped and nothing changes. Errc::crypto when
  // the completed message does not match its digest: the partial message is
  // discarded (the sender's version is broken).
  [[nodiscard]] Result<ReceivedFragment> receive(const FragmentFrame& fragment,
                                                 std::chrono::steady_clock::time_point now);

  // The ack for what is held of `message_id` now: complete when delivered,
  // otherwise the ranges nearest to fragment `around` that fit one frame.
  // Nothing for a message this side does not know.
  [[nodiscard]] std::optional<AckFrame> ack_for(const MessageId& message_id, std::uint32_t around) const;

  // Restores a delivered id from the store (oldest first).
  void remember_delivered(const MessageId& message_id);
  // Remembered delivered ids, oldest first (what the store persists).
  [[nodiscard]] std::vector<MessageId> delivered_ids() const;
  [[nodiscard]] bool was_delivered(const MessageId& message_id) const { return m_done.contains(message_id); }

  // Drops a partial message (user action); its sender must start it again.
  bool abandon(const MessageId& message_id);

  [[nodiscard]] std::size_t partial_messages() const noexcept { return m_partials.size(); }
  [[nodiscard]] std::size_t buffered_bytes() const noexcept { return m_buffered; }
  // Fragments held of a partial message (0 when unknown).
  [[nodiscard]] std::uint32_t received_fragments(const MessageId& message_id) const;

 private:
  // Holds message plaintext: wiped whenever it is dropped (evicted,
  // abandoned, refused by its digest, or the Reassembler destroyed).
  struct Partial {
    Partial() = default;
    Partial(Partial&&) noexcept = default;
    Partial& operator=(Partial&&) noexcept = delete;
    Partial(const Partial&) = delete;
    Partial& operator=(const Partial&) = delete;
    ~Partial() { wipe_bytes(bytes); }

    std::uint32_t count = 0;
    std::uint32_t received = 0;
    MessageDigest digest{};
    Bytes bytes;                                  // total_length, filled as fragments arrive
    std::map<std::uint32_t, std::uint32_t> held;  // first index -> one past the last, disjoint, not touching
    std::chrono::steady_clock::time_point last_activity{};
  };

  Reassembler(std::size_t capacity, ReassemblyLimits limits) : m_capacity(capacity), m_limits(limits) {}
  static void wipe_bytes(Bytes& bytes) noexcept;
  [[nodiscard]] bool make_room(std::size_t total_length, std::chrono::steady_clock::time_point now);
  [[nodiscard]] Result<ReceivedFragment> add_to(Partial& partial, const FragmentFrame& fragment);
  [[nodiscard]] Result<ReceivedFragment> complete(const MessageId& message_id);
  [[nodiscard]] AckFrame ranges_ack(const MessageId& message_id, const Partial& partial, std::uint32_t around) const;
  static bool holds(const Partial& partial, std::uint32_t index);
  static void mark(Partial& partial, std::uint32_t index);

  std::size_t m_capacity;
  ReassemblyLimits m_limits;
  std::map<MessageId, Partial> m_partials;
  std::size_t m_buffered = 0;
  std::set<MessageId> m_done;
  std::deque<MessageId> m_done_order;
};

}  // namespace tenebra::rendezvous::delivery
