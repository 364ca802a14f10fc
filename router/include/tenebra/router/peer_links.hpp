// PeerLinks: the links a node opens to the nodes it sends to (the next
// layer, or for a layer-3 mix the providers). One task per peer dials its
// tunnel address with an isolation token of its own, runs the link handshake
// as an identified initiator (docs/link.md), then sends the peer's queued
// packets one frame each. A link that fails (dial, handshake, a write, a
// frame from the peer that does not open) is closed and redialed after an
// exponential backoff with jitter; the packet being written is kept at the
// head of the queue (a duplicate is dropped by the peer's replay cache).
//
// Bounds: each peer's queue holds at most `queue_packets`; a packet beyond
// it, or for a peer that is not in the current set, is dropped and counted.
// Nothing here logs an address.
//
// Thread-safety: one executor; call everything from coroutines or handlers
// running on it. stop() must be awaited before destruction.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/onion/backoff.hpp"
#include "tenebra/onion/transport.hpp"
#include "tenebra/router/identity.hpp"
#include "tenebra/router/link_identity.hpp"

namespace tenebra::router {

struct PeerAddress {
  IdentityPublicKey identity{};
  std::string address;  // tunnel address; identifies the peer: never logged
  bool operator==(const PeerAddress&) const = default;
};

struct PeerLinksConfig {
  link::LinkConfig link;
  const IdentityKeyPair* self = nullptr;  // must outlive the PeerLinks
  std::size_t queue_packets = 4096;
  // One dial attempt; a failed one makes the transport forget the peer's
  // cached state (Transport::forget_peer) before the next.
  std::chrono::milliseconds dial_timeout{30'000};
  std::chrono::milliseconds handshake_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  onion::BackoffPolicy reconnect{std::chrono::milliseconds(500), std::chrono::milliseconds(30'000)};
};

struct PeerLinkCounters {
  std::uint64_t sent = 0;          // packet frames written
  std::uint64_t queue_full = 0;    // dropped: the peer's queue was full
  std::uint64_t unknown_peer = 0;  // dropped: no link to that node
  std::uint64_t dial_failures = 0;
  std::uint64_t peers_forgotten = 0;  // transport caches dropped after a failure
  std::uint64_t handshake_failures = 0;
  std::uint64_t links_opened = 0;
  std::uint64_t links_lost = 0;
};

class PeerLinks {
 public:
  PeerLinks(boost::asio::any_io_executor executor, onion::Transport& transport, PeerLinksConfig config, Random& rng);
  ~PeerLinks();
  PeerLinks(const PeerLinks&) = delete;
  PeerLinks& operator=(const PeerLinks&) = delete;

  // The peers to keep links to: links to new peers start, links to peers no
  // longer listed end (their queued packets are dropped). A peer whose
  // address changed is redialed.
  void set_peers(const std::vector<PeerAddress>& peers);
  // Queues `packet` for `to`; false (and counted) when dropped.
  bool send(const IdentityPublicKey& to, Bytes packet);
  // Ends every task and closes every link; waits at most `timeout`.
  [[nodiscard]] boost::asio::awaitable<void> stop(std::chrono::milliseconds timeout);

  [[nodiscard]] const PeerLinkCounters& counters() const noexcept { return m_counters; }
  [[nodiscard]] std::size_t peers() const noexcept { return m_peers.size(); }
  [[nodiscard]] std::size_t connected() const noexcept;
  [[nodiscard]] std::size_t queued() const noexcept;

  struct Peer;

 private:
  boost::asio::awaitable<void> run_peer(std::shared_ptr<Peer> peer);
  boost::asio::awaitable<void> write_loop(Peer& peer);
  boost::asio::awaitable<void> read_loop(Peer& peer);
  boost::asio::awaitable<void> wait_before_retry(Peer& peer, onion::Backoff& backoff);
  boost::asio::awaitable<void> forget_peer(Peer& peer);
  void start_peer(const PeerAddress& address);

  boost::asio::any_io_executor m_executor;
  onion::Transport* m_transport;
  PeerLinksConfig m_config;
  Random* m_rng;
  std::map<IdentityPublicKey, std::shared_ptr<Peer>> m_peers;
  std::size_t m_running = 0;
  bool m_stopping = false;
  PeerLinkCounters m_counters;
};

}  // namespace tenebra::router
