// PacketPipeline: what a running mix or provider does with packets, between
// its incoming links (LinkAcceptor) and its outgoing ones (PeerLinks).
//
//   on_packet: unwrap through MixNode (replay cache, per-epoch keys); a
//   Forward is held for its sender-chosen delay; at a provider, a Deliver or
//   a SURB Reply goes to the ProviderService, and the link acknowledges the
//   frame only once the store has committed it; a fetch's replies are queued
//   to their first hops and the fetched items deleted after that.
//   run: a timer that wakes at the earliest release time and hands due
//   packets to their next hop's link.
//   send_cover: a loop cover packet built by the caller goes out like any
//   other (its first hop's link).
//
// Every drop is counted by reason (MixNode's, plus the ones here). Nothing
// logged at info names a peer, a mailbox or a packet.
// Thread-safety: one executor; call everything from it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <optional>

#include "tenebra/core/clock.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/mix/mix_node.hpp"
#include "tenebra/router/link_acceptor.hpp"
#include "tenebra/router/peer_links.hpp"

namespace tenebra::router {

namespace provider {
class ProviderService;
}

struct PipelineCounters {
  std::uint64_t forwarded = 0;        // handed to a next hop's link
  std::uint64_t forward_dropped = 0;  // next hop's queue full or unknown
  std::uint64_t stored = 0;           // committed to a mailbox (provider)
  std::uint64_t store_failures = 0;   // refused by the store (quota, bad payload, I/O)
  std::uint64_t drop_cover = 0;       // drop cover delivered and discarded (provider)
  std::uint64_t fetches = 0;          // fetch requests answered (provider)
  std::uint64_t fetch_replies = 0;    // SURB reply packets queued (provider)
  std::uint64_t loops_sent = 0;       // own loop cover sent (mix)
  std::uint64_t loops_returned = 0;   // own loop cover back (mix)
};

class PacketPipeline {
 public:
  // `provider` is null for a mix. Every reference must outlive the pipeline.
  PacketPipeline(const boost::asio::any_io_executor& executor, const Clock& clock, Random& rng,
                 mix::MixNodeConfig config, PeerLinks& links, provider::ProviderService* provider);

  // The LinkAcceptor's PacketHandler: true when the frame may be acked.
  bool on_packet(ByteView packet, const LinkPeer& from);
  // Hands `packet` straight to `first_hop`'s link (cover built elsewhere).
  void send_cover(const IdentityPublicKey& first_hop, Bytes packet);

  void rotate(mix::sphinx::NodeKeyPair current, std::optional<mix::sphinx::NodeKeyPair> previous) {
    m_node.rotate(std::move(current), std::move(previous));
  }

  // The release loop; ends after stop().
  [[nodiscard]] boost::asio::awaitable<void> run();
  void stop() noexcept;

  [[nodiscard]] const mix::MixNode& node() const noexcept { return m_node; }
  [[nodiscard]] const PipelineCounters& counters() const noexcept { return m_counters; }

 private:
  void release_due();
  void deliver(const mix::sphinx::Deliver& deliver, bool& ack);
  void store_reply(const mix::sphinx::Reply& reply, bool& ack);

  const Clock* m_clock;
  mix::MixNode m_node;
  PeerLinks* m_links;
  provider::ProviderService* m_provider;
  std::optional<mix::sphinx::MailboxId> m_loop_mailbox;
  boost::asio::steady_timer m_timer;
  bool m_stopping = false;
  PipelineCounters m_counters;
};

}  // namespace tenebra::router
