// MailboxStore: a provider's durable mailboxes, in its encrypted Store.
//
// put() returns only after the packet is committed to disk, so a provider
// acknowledges a packet (link-level ack, or by forwarding nothing further)
// only after put() succeeded: a crash, even SIGKILL, loses nothing that was
// acknowledged. A fetch reads with peek() and deletes with remove() only
// after the packets were sent back through the fetcher's SURBs. Deleted rows
// are overwritten on disk (the Store's secure_delete).
//
// Bounds: packets have a fixed maximum size and every mailbox a quota
// (Errc::exhausted when full); both come from the caller. Mailbox ids are
// 32 opaque bytes; they are never logged.
//
// Thread-safety: as Store (one thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/router/store.hpp"

namespace tenebra::router {

inline constexpr std::size_t kMailboxIdBytes = 32;

struct MailboxLimits {
  std::size_t max_packet_bytes = 0;         // > 0: packets over this are refused
  std::size_t max_packets_per_mailbox = 0;  // > 0
};

struct StoredPacket {
  std::int64_t sequence = 0;  // increasing per store; what remove() takes
  Bytes packet;
};

class MailboxStore {
 public:
  // Creates the schema on first use. `store` must outlive the MailboxStore.
  [[nodiscard]] static Result<MailboxStore> attach(Store& store, MailboxLimits limits);

  // Durably appends `packet` to `mailbox`; `received` is the wall-clock time
  // used by expire(). Errc::exhausted when the mailbox is full,
  // Errc::invalid_argument for a bad id or size.
  [[nodiscard]] Status put(ByteView mailbox, ByteView packet, std::chrono::system_clock::time_point received);
  // Up to `max_count` oldest packets of `mailbox`, oldest first.
  [[nodiscard]] Result<std::vector<StoredPacket>> peek(ByteView mailbox, std::size_t max_count);
  // Deletes the given packets of `mailbox` (ones already gone are ignored).
  [[nodiscard]] Status remove(ByteView mailbox, std::span<const std::int64_t> sequences);
  [[nodiscard]] Result<std::size_t> count(ByteView mailbox);
  // Deletes every packet received before `cutoff`; returns how many.
  [[nodiscard]] Result<std::size_t> expire(std::chrono::system_clock::time_point cutoff);

 private:
  MailboxStore(Store& store, MailboxLimits limits) : m_store(&store), m_limits(limits) {}
  Store* m_store;
  MailboxLimits m_limits;
};

}  // namespace tenebra::router
