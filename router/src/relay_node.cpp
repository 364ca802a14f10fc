#include "tenebra/router/relay_node.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>

#include "quiet_cancel.hpp"
#include "tenebra/core/log.hpp"
#include "tenebra/mix/poisson.hpp"
#include "tenebra/router/route.hpp"

namespace tenebra::router {
namespace {

namespace asio = boost::asio;
using directory::Descriptor;
using directory::Epoch;
using directory::Topology;

constexpr std::chrono::milliseconds kEpochCheck{250};
constexpr std::chrono::milliseconds kNoCoverRetry{1'000};
constexpr std::chrono::seconds kExpiryInterval{60};
constexpr std::chrono::milliseconds kStopTimeout{3'000};

// The nodes a relay sends to: a mix of layer k the mixes of layer k+1 (the
// providers after layer 3), a provider the mixes of layer 1.
const std::vector<Descriptor>& next_hops(const Topology& topology, directory::Role role, std::uint8_t layer) {
  if (role == directory::Role::provider) return topology.layers[0];
  if (layer >= directory::kMixLayers) return topology.providers;
  return topology.layers[layer];  // layers[k] is layer k + 1
}

const Descriptor* find_self(const Topology& topology, const IdentityPublicKey& self) {
  for (const auto& layer : topology.layers) {
    for (const auto& descriptor : layer) {
      if (descriptor.identity == self) return &descriptor;
    }
  }
  return nullptr;
}

bool is_listed(const Topology& topology, const IdentityPublicKey& self) {
  const auto same = [&self](const Descriptor& descriptor) { return descriptor.identity == self; };
  return std::any_of(topology.providers.begin(), topology.providers.end(), same) ||
         find_self(topology, self) != nullptr;
}

}  // namespace

Result<std::unique_ptr<RelayNode>> RelayNode::create(const asio::any_io_executor& executor, onion::Transport& transport,
                                                     onion::Listener& listener, const Clock& clock, Random& rng,
                                                     Store& store, NodeKeys& keys, RelayNodeConfig config) {
  if (config.role != directory::Role::mix && config.role != directory::Role::provider) {
    return make_error(Errc::invalid_argument, "a relay is a mix or a provider");
  }
  std::unique_ptr<RelayNode> node(new RelayNode(executor, listener, clock, rng, keys, std::move(config)));
  RelayNodeConfig& c = node->m_config;
  const bool provider = c.role == directory::Role::provider;
  rng.fill(node->m_loop_mailbox);

  link::LinkConfig link_config;
  link_config.network_id = directory::network_id_bytes(c.network_id);
  link_config.geometry = c.mixing.geometry;

  if (provider) {
    auto mailboxes = MailboxStore::attach(store, c.mailbox_limits);
    if (!mailboxes) return std::move(mailboxes).error();
    node->m_mailboxes = std::make_unique<MailboxStore>(*mailboxes);
    node->m_provider = std::make_unique<provider::ProviderService>(*node->m_mailboxes, c.mixing.geometry);
  }
  c.links.link = link_config;
  c.links.self = &keys.identity();
  node->m_links = std::make_unique<PeerLinks>(executor, transport, c.links, rng);

  c.mixing.role = provider ? mix::NodeRole::provider : mix::NodeRole::mix;
  if (!provider) c.mixing.loop_mailbox = node->m_loop_mailbox;
  node->m_pipeline =
      std::make_unique<PacketPipeline>(executor, clock, rng, c.mixing, *node->m_links, node->m_provider.get());

  c.acceptor.link = link_config;
  c.acceptor.self = &keys.identity();
  link::ResponderPolicy policy;
  policy.accept_anonymous = provider;  // clients enter at providers only
  PacketPipeline* pipeline = node->m_pipeline.get();
  node->m_acceptor = std::make_unique<LinkAcceptor>(
      executor, c.acceptor, std::move(policy),
      [pipeline](ByteView packet, const LinkPeer& from) { return pipeline->on_packet(packet, from); }, rng);

  RelayNode* self = node.get();
  node->m_follower = std::make_unique<TopologyFollower>(executor, transport, clock, rng, c.follower,
                                                        [self](Epoch epoch) { return self->descriptor_for(epoch); });
  node->m_follower->on_documents([self] { self->refresh(); });
  return node;
}

RelayNode::RelayNode(const asio::any_io_executor& executor, onion::Listener& listener, const Clock& clock, Random& rng,
                     NodeKeys& keys, RelayNodeConfig config)
    : m_executor(executor),
      m_listener(&listener),
      m_clock(&clock),
      m_rng(&rng),
      m_keys(&keys),
      m_config(std::move(config)),
      m_epoch_timer(executor),
      m_cover_timer(executor),
      m_expiry_timer(executor) {}

RelayNode::~RelayNode() = default;

Result<Descriptor> RelayNode::descriptor_for(Epoch epoch) {
  auto current = m_keys->sphinx_key(epoch, *m_rng);
  if (!current) return std::move(current).error();
  auto next = m_keys->sphinx_key(epoch + 1, *m_rng);
  if (!next) return std::move(next).error();
  Descriptor descriptor;
  descriptor.role = m_config.role;
  descriptor.layer = m_config.role == directory::Role::mix ? m_config.layer : 0;
  descriptor.transport = m_config.transport;
  descriptor.address = m_listener->public_address();
  descriptor.epoch = epoch;
  descriptor.sphinx_current = current->public_key;
  descriptor.sphinx_next = next->public_key;
  return directory::sign_descriptor(std::move(descriptor), m_keys->identity());
}

void RelayNode::start() {
  auto spawn = [this](asio::awaitable<void> task) {
    ++m_running;
    asio::co_spawn(m_executor, std::move(task), [this](const std::exception_ptr& error) {
      --m_running;
      if (error) log::error("node: a task ended with an exception");
    });
  };
  refresh();
  m_acceptor->start(*m_listener);
  spawn(m_pipeline->run());
  spawn(m_follower->run());
  spawn(epoch_loop());
  if (m_config.role == directory::Role::mix) spawn(cover_loop());
  if (m_mailboxes) spawn(expiry_loop());
}

asio::awaitable<void> RelayNode::stop() {
  m_stopping = true;
  m_follower->stop();
  m_pipeline->stop();
  cancel_quietly(m_epoch_timer);
  cancel_quietly(m_cover_timer);
  cancel_quietly(m_expiry_timer);
  co_await m_acceptor->stop(kStopTimeout);
  co_await m_links->stop(kStopTimeout);
  asio::steady_timer poll(m_executor);
  for (int turn = 0; turn < 300 && m_running > 0; ++turn) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (m_running > 0) log::warn("node: {} task(s) still ending at shutdown", m_running);
}

void RelayNode::refresh() {
  if (m_stopping) return;
  const auto& schedule = m_config.follower.trust.schedule;
  const auto now = m_clock->wall_now();
  auto window = schedule.key_window(now, m_config.grace);
  if (!window) return;  // before genesis
  if (m_current_epoch != window->current) {
    m_current_epoch = window->current;
    log::info("node: epoch {} began", window->current);
  }
  if (m_installed_window != *window) install_keys(*window);
  install_peers(window->current, window->previous.has_value());
}

void RelayNode::install_keys(const directory::KeyWindow& window) {
  auto current = m_keys->sphinx_key(window.current, *m_rng);
  if (!current) {
    log::error("node: the Sphinx key of epoch {} is unavailable: {}", window.current, current.error().message);
    return;
  }
  std::optional<mix::sphinx::NodeKeyPair> previous;
  if (window.previous) {
    auto key = m_keys->sphinx_key(*window.previous, *m_rng);
    if (key) previous = std::move(*key);
  }
  m_pipeline->rotate(std::move(*current), std::move(previous));
  // Forward secrecy: a key outside the window is never needed again.
  if (auto forgotten = m_keys->forget_sphinx_keys_before(window.previous.value_or(window.current)); !forgotten) {
    log::error("node: old Sphinx keys could not be deleted: {}", forgotten.error().message);
  }
  if (!window.previous && m_installed_window && m_installed_window->previous) {
    log::info("node: grace period of epoch {} over; its key and replay cache are gone", *m_installed_window->previous);
  }
  m_installed_window = window;
}

void RelayNode::install_peers(Epoch current, bool in_grace) {
  std::vector<const Topology*> documents;
  if (in_grace && current > 0) documents.push_back(m_follower->document(current - 1));
  documents.push_back(m_follower->document(current));
  documents.push_back(m_follower->document(current + 1));
  std::map<IdentityPublicKey, PeerAddress> peers;
  auto admitted = std::make_shared<std::set<IdentityPublicKey>>();
  const IdentityPublicKey& self = m_keys->identity().public_key;
  for (const Topology* topology : documents) {
    if (topology == nullptr) continue;
    if (topology->geometry != m_config.mixing.geometry) {
      log::error("node: the topology of epoch {} uses another packet geometry than this node", topology->epoch);
      continue;
    }
    // A node that a document does not list is not part of that epoch's
    // network: its links would be refused, so it opens none for it.
    if (is_listed(*topology, self)) {
      for (const auto& hop : next_hops(*topology, m_config.role, m_config.layer)) {
        if (hop.identity != self) peers.insert_or_assign(hop.identity, PeerAddress{hop.identity, hop.address});
      }
    }
    for (const auto& descriptor : topology->providers) admitted->insert(descriptor.identity);
    for (const auto& layer : topology->layers) {
      for (const auto& descriptor : layer) admitted->insert(descriptor.identity);
    }
  }
  std::vector<PeerAddress> list;
  list.reserve(peers.size());
  for (auto& [identity, peer] : peers) list.push_back(std::move(peer));
  m_links->set_peers(list);
  link::ResponderPolicy policy;
  policy.accept_anonymous = m_config.role == directory::Role::provider;
  policy.accept_identity = [admitted](const IdentityPublicKey& key) { return admitted->contains(key); };
  m_acceptor->set_policy(std::move(policy));
  if (m_follower->document(current) != nullptr && m_installed_epoch != current) {
    m_installed_epoch = current;
    log::info("node: serving epoch {} with {} next-hop peer(s)", current, list.size());
  }
}

asio::awaitable<void> RelayNode::epoch_loop() {
  while (!m_stopping) {
    refresh();
    m_epoch_timer.expires_after(until_next_key_change());
    co_await m_epoch_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

std::chrono::milliseconds RelayNode::until_next_key_change() const {
  // Wake at the next epoch start or grace end itself, so the new key is in
  // place within milliseconds of the boundary (clients switch documents
  // there), and at least every kEpochCheck to notice new documents.
  const auto& schedule = m_config.follower.trust.schedule;
  const auto now = m_clock->wall_now();
  auto current = schedule.epoch_at(now);
  if (!current) return kEpochCheck;
  auto next_start = schedule.start_of(*current + 1);
  auto this_start = schedule.start_of(*current);
  if (!next_start || !this_start) return kEpochCheck;
  auto next_change = std::chrono::system_clock::time_point(*next_start);
  const auto grace_end = std::chrono::system_clock::time_point(*this_start) + m_config.grace;
  if (grace_end > now && grace_end < next_change) next_change = grace_end;
  const auto until = std::chrono::ceil<std::chrono::milliseconds>(next_change - now) + std::chrono::milliseconds(1);
  return std::clamp(until, std::chrono::milliseconds(1), kEpochCheck);
}

asio::awaitable<void> RelayNode::cover_loop() {
  while (!m_stopping) {
    const Topology* topology = m_current_epoch ? m_follower->document(*m_current_epoch) : nullptr;
    const double rate = topology != nullptr ? topology->rates.mix_loop.per_second() : 0.0;
    auto interval = rate > 0.0 ? mix::poisson_interval(*m_rng, rate) : std::nullopt;
    if (interval) {
      m_cover_timer.expires_after(*interval);
    } else {
      m_cover_timer.expires_after(kNoCoverRetry);
    }
    co_await m_cover_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (m_stopping || !interval) continue;
    // The document may have changed while waiting: build on the current one.
    topology = m_current_epoch ? m_follower->document(*m_current_epoch) : nullptr;
    const Descriptor* self = topology != nullptr ? find_self(*topology, m_keys->identity().public_key) : nullptr;
    if (self == nullptr) continue;  // not listed this epoch: nothing to loop through
    auto loop = mix_loop_packet(*topology, *self, m_loop_mailbox, *m_rng);
    if (!loop) {
      log::warn("node: could not build a loop cover packet: {}", loop.error().message);
      continue;
    }
    m_pipeline->send_cover(loop->first_hop, std::move(loop->packet));
  }
}

asio::awaitable<void> RelayNode::expiry_loop() {
  while (!m_stopping) {
    m_expiry_timer.expires_after(kExpiryInterval);
    co_await m_expiry_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (m_stopping) break;
    auto expired = m_mailboxes->expire(m_clock->wall_now() - m_config.mailbox_retention);
    if (!expired) {
      log::error("provider: expiring old packets failed: {}", expired.error().message);
    } else if (*expired > 0) {
      log::info("provider: {} packet(s) past the retention period deleted", *expired);
    }
  }
}

RelayStatus RelayNode::status() const {
  RelayStatus status;
  status.epoch = m_current_epoch;
  status.installed = m_installed_epoch;
  status.peers = m_links->peers();
  status.peers_connected = m_links->connected();
  status.incoming_links = m_acceptor->links();
  status.queued = m_pipeline->node().queued();
  status.link_queued = m_links->queued();
  return status;
}

}  // namespace tenebra::router
