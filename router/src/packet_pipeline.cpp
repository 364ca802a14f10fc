#include "tenebra/router/packet_pipeline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <variant>

#include "quiet_cancel.hpp"
#include "tenebra/core/log.hpp"
#include "tenebra/router/provider_service.hpp"

namespace tenebra::router {
namespace {

namespace asio = boost::asio;

// Packets released per turn of the event loop, so a burst of due packets
// does not starve the links' reads.
constexpr std::size_t kReleaseBatch = 256;

}  // namespace

PacketPipeline::PacketPipeline(const asio::any_io_executor& executor, const Clock& clock, Random& rng,
                               mix::MixNodeConfig config, PeerLinks& links, provider::ProviderService* provider)
    : m_clock(&clock),
      m_node(config, rng),
      m_links(&links),
      m_provider(provider),
      m_loop_mailbox(config.loop_mailbox),
      m_timer(executor) {}

bool PacketPipeline::on_packet(ByteView packet, const LinkPeer& /*from*/) {
  const auto now = m_clock->now();
  auto outcome = m_node.accept(packet, now);
  bool ack = false;
  if (const auto* queued = std::get_if<mix::Queued>(&outcome)) {
    // The queue holds it in memory only: nothing durable to acknowledge.
    if (queued->release < m_timer.expiry()) cancel_quietly(m_timer);
  } else if (const auto* delivered = std::get_if<mix::sphinx::Deliver>(&outcome)) {
    deliver(*delivered, ack);
  } else if (const auto* reply = std::get_if<mix::sphinx::Reply>(&outcome)) {
    store_reply(*reply, ack);
  }
  return ack;
}

void PacketPipeline::deliver(const mix::sphinx::Deliver& deliver, bool& ack) {
  if (m_provider == nullptr) {
    // MixNode hands a mix only deliveries to its own loop mailbox.
    ++m_counters.loops_returned;
    return;
  }
  auto action = m_provider->on_deliver(deliver, m_clock->wall_now());
  if (!action) {
    ++m_counters.store_failures;
    log::debug("provider: a delivery was refused: {}", action.error().message);
    return;
  }
  if (std::holds_alternative<provider::Stored>(*action)) {
    ++m_counters.stored;
    ack = true;  // committed: the link may acknowledge it now
    return;
  }
  if (std::holds_alternative<provider::Discarded>(*action)) {
    ++m_counters.drop_cover;
    return;
  }
  auto& answer = std::get<provider::FetchAnswer>(*action);
  ++m_counters.fetches;
  bool all_queued = true;
  for (auto& reply : answer.replies) {
    if (m_links->send(reply.first_hop, std::move(reply.packet))) {
      ++m_counters.fetch_replies;
    } else {
      all_queued = false;
    }
  }
  // Items are deleted only once every reply carrying them is on its way;
  // otherwise they stay for the next fetch.
  if (all_queued) {
    if (auto removed = m_provider->confirm_sent(answer); !removed) {
      log::warn("provider: fetched items could not be removed: {}", removed.error().message);
    }
  }
  ack = true;
}

void PacketPipeline::store_reply(const mix::sphinx::Reply& reply, bool& ack) {
  auto action = m_provider->on_reply(reply, m_clock->wall_now());
  if (!action) {
    ++m_counters.store_failures;
    log::debug("provider: a reply was refused: {}", action.error().message);
    return;
  }
  ++m_counters.stored;
  ack = true;
}

void PacketPipeline::send_cover(const IdentityPublicKey& first_hop, Bytes packet) {
  if (m_links->send(first_hop, std::move(packet))) {
    ++m_counters.loops_sent;
  } else {
    ++m_counters.forward_dropped;
  }
}

void PacketPipeline::release_due() {
  for (auto& held : m_node.due(m_clock->now(), kReleaseBatch)) {
    if (m_links->send(held.next_hop, std::move(held.packet))) {
      ++m_counters.forwarded;
    } else {
      ++m_counters.forward_dropped;
    }
  }
}

asio::awaitable<void> PacketPipeline::run() {
  while (!m_stopping) {
    release_due();
    const auto next = m_node.next_release();
    if (next && *next <= m_clock->now()) {
      // More are due: let the links run before the next batch.
      m_timer.expires_after(std::chrono::steady_clock::duration::zero());
    } else {
      m_timer.expires_at(next ? *next : asio::steady_timer::time_point::max());
    }
    co_await m_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void PacketPipeline::stop() noexcept {
  m_stopping = true;
  cancel_quietly(m_timer);
}

}  // namespace tenebra::router
