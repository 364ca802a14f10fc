// RelayNode: a running mix or provider, wired from the parts below it.
//
//   TopologyFollower  uploads this node's descriptor each round and fetches
//                     the trusted documents;
//   LinkAcceptor      takes links from the previous layer (and, at a
//                     provider, from clients), handing packets to
//   PacketPipeline    which unwraps, drops replays, holds each packet for its
//                     delay and forwards it through
//   PeerLinks         to the next layer (a layer-3 mix: the providers; a
//                     provider: layer 1).
// At a provider, deliveries go to the ProviderService over the node's
// MailboxStore; a mix sends its own loop cover at the document's lambda_M.
//
// Epochs: at every epoch start the pipeline gets the Sphinx key of the new
// epoch and keeps the previous one for the grace period; when that ends
// the old key, its replay cache and its stored secret go. The peers and the
// initiators let in come from the documents of the previous (in grace),
// current and next epochs.
//
// Thread-safety: one executor; stop() must be awaited before destruction.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>

#include "tenebra/core/clock.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/onion/transport.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/link_acceptor.hpp"
#include "tenebra/router/mailbox_store.hpp"
#include "tenebra/router/node_keys.hpp"
#include "tenebra/router/packet_pipeline.hpp"
#include "tenebra/router/peer_links.hpp"
#include "tenebra/router/provider_service.hpp"
#include "tenebra/router/topology_follower.hpp"

namespace tenebra::router {

struct RelayNodeConfig {
  directory::Role role = directory::Role::mix;  // mix or provider
  std::uint8_t layer = 0;                       // 1..3 for a mix
  directory::TransportKind transport = directory::TransportKind::onion;
  std::string network_id;
  std::chrono::seconds grace{600};
  mix::MixNodeConfig mixing;     // geometry, capacity, max delay
  MailboxLimits mailbox_limits;  // provider
  std::chrono::seconds mailbox_retention{7 * 24 * 3600};
  PeerLinksConfig links;        // link and self are filled in by the node
  LinkAcceptorConfig acceptor;  // likewise
  TopologyFollowerConfig follower;
};

// What the status file shows (counts and states only, no addresses).
struct RelayStatus {
  std::optional<directory::Epoch> epoch;      // the current epoch, once known
  std::optional<directory::Epoch> installed;  // whose document and keys are in use
  std::size_t peers = 0, peers_connected = 0, incoming_links = 0;
  std::size_t queued = 0, link_queued = 0;
};

class RelayNode {
 public:
  // `store` and `keys` must outlive the node; `listener` is the node's
  // service (its public address goes into the descriptor).
  [[nodiscard]] static Result<std::unique_ptr<RelayNode>> create(const boost::asio::any_io_executor& executor,
                                                                 onion::Transport& transport, onion::Listener& listener,
                                                                 const Clock& clock, Random& rng, Store& store,
                                                                 NodeKeys& keys, RelayNodeConfig config);
  ~RelayNode();
  RelayNode(const RelayNode&) = delete;
  RelayNode& operator=(const RelayNode&) = delete;

  void start();
  [[nodiscard]] boost::asio::awaitable<void> stop();

  [[nodiscard]] RelayStatus status() const;
  [[nodiscard]] const PacketPipeline& pipeline() const noexcept { return *m_pipeline; }
  [[nodiscard]] const PeerLinks& links() const noexcept { return *m_links; }
  [[nodiscard]] const LinkAcceptor& acceptor() const noexcept { return *m_acceptor; }
  [[nodiscard]] const TopologyFollower& follower() const noexcept { return *m_follower; }

 private:
  RelayNode(const boost::asio::any_io_executor& executor, onion::Listener& listener, const Clock& clock, Random& rng,
            NodeKeys& keys, RelayNodeConfig config);
  [[nodiscard]] Result<directory::Descriptor> descriptor_for(directory::Epoch epoch);
  // Keys, peers and admission for the epoch at the clock's time.
  void refresh();
  void install_keys(const directory::KeyWindow& window);
  void install_peers(directory::Epoch current, bool in_grace);
  [[nodiscard]] boost::asio::awaitable<void> epoch_loop();
  [[nodiscard]] std::chrono::milliseconds until_next_key_change() const;
  [[nodiscard]] boost::asio::awaitable<void> cover_loop();
  [[nodiscard]] boost::asio::awaitable<void> expiry_loop();

  boost::asio::any_io_executor m_executor;
  onion::Listener* m_listener;
  const Clock* m_clock;
  Random* m_rng;
  NodeKeys* m_keys;
  RelayNodeConfig m_config;
  std::optional<directory::EpochSchedule> m_schedule;
  std::unique_ptr<MailboxStore> m_mailboxes;
  std::unique_ptr<provider::ProviderService> m_provider;
  std::unique_ptr<PeerLinks> m_links;
  std::unique_ptr<PacketPipeline> m_pipeline;
  std::unique_ptr<LinkAcceptor> m_acceptor;
  std::unique_ptr<TopologyFollower> m_follower;
  mix::sphinx::MailboxId m_loop_mailbox{};
  std::optional<directory::KeyWindow> m_installed_window;
  std::optional<directory::Epoch> m_installed_epoch;
  std::optional<directory::Epoch> m_current_epoch;
  boost::asio::steady_timer m_epoch_timer;
  boost::asio::steady_timer m_cover_timer;
  boost::asio::steady_timer m_expiry_timer;
  std::size_t m_running = 0;
  bool m_stopping = false;
};

}  // namespace tenebra::router
