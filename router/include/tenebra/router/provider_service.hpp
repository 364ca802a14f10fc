// ProviderService: what a provider does with the packets that end at it
// (docs/provider.md §5), as pure logic over its MailboxStore: no sockets,
// time is a parameter.
//
//   on_deliver: a Deliver payload is a drop (discarded), a STORE (committed
//   to the mailbox before Stored is returned, so the caller may acknowledge)
//   or a FETCH (answered through the fetcher's SURBs; nothing is deleted).
//   on_reply:   a SURB reply for a mailbox owner is stored as an item.
//   confirm_sent: once every reply packet of a FetchAnswer was handed to its
//   link, deletes the items that went out whole.
//
// Bad payloads are error values (the caller counts and drops them; nothing
// is answered). The store's MailboxLimits::max_packet_bytes must be at least
// provider::max_item_bytes(geometry). Mailbox ids are never logged.
//
// Thread-safety: as MailboxStore (one thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <variant>
#include <vector>

#include "tenebra/core/result.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/mix/sphinx.hpp"
#include "tenebra/router/mailbox_store.hpp"
#include "tenebra/router/provider_protocol.hpp"
#include "tenebra/router/route.hpp"

namespace tenebra::router::provider {

struct Stored {};     // committed durably: the caller may ack now
struct Discarded {};  // a drop (cover) payload
struct FetchAnswer {
  std::vector<OutgoingPacket> replies;  // one per SURB used, in SURB order
  Bytes mailbox;
  std::vector<std::int64_t> sequences_to_remove;  // items sent whole
};
using ProviderAction = std::variant<Stored, Discarded, FetchAnswer>;

class ProviderService {
 public:
  // `store` must outlive the service.
  ProviderService(MailboxStore& store, mix::sphinx::Geometry geometry) : m_store(&store), m_geometry(geometry) {}

  [[nodiscard]] Result<ProviderAction> on_deliver(const mix::sphinx::Deliver& deliver,
                                                  std::chrono::system_clock::time_point now);
  // Stores the reply; gives Stored.
  [[nodiscard]] Result<ProviderAction> on_reply(const mix::sphinx::Reply& reply,
                                                std::chrono::system_clock::time_point now);
  // After every reply packet of `answer` was handed to its link: deletes the
  // fully sent items. An item cut off at the end of the answer stays.
  [[nodiscard]] Status confirm_sent(const FetchAnswer& answer);

 private:
  [[nodiscard]] Result<ProviderAction> answer_fetch(const mix::sphinx::MailboxId& mailbox, const FetchRequest& request);

  MailboxStore* m_store;
  mix::sphinx::Geometry m_geometry;
};

}  // namespace tenebra::router::provider
