#include "tenebra/router/peer_links.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <iterator>
#include <optional>

#include "quiet_cancel.hpp"
#include "tenebra/core/log.hpp"
#include "tenebra/router/link_channel.hpp"

namespace tenebra::router {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

// How long a read waits before the loop looks again whether it should end.
constexpr std::chrono::milliseconds kReadSlice{60'000};
// How long a link must last before a loss starts the backoff over.
constexpr std::chrono::seconds kStableLink{10};
// Packets written with one system call when several are queued.
constexpr std::size_t kWriteBatch = 16;

std::string fresh_isolation_token(Random& rng) {
  std::array<std::uint8_t, 16> bytes{};
  rng.fill(bytes);
  return to_hex(bytes);
}

}  // namespace

struct PeerLinks::Peer {
  Peer(const asio::any_io_executor& executor, PeerAddress peer_address, std::string token)
      : address(std::move(peer_address)),
        isolation_token(std::move(token)),
        wake(executor),
        retry(executor),
        retired_signal(executor, asio::steady_timer::time_point::max()) {}

  PeerAddress address;
  std::string isolation_token;  // one per peer: peers never share a circuit
  std::deque<Bytes> queue;
  asio::steady_timer wake;            // the writer waits on it for packets
  asio::steady_timer retry;           // backoff between attempts
  asio::steady_timer retired_signal;  // never expires; retire() cancels it
  std::optional<link::LinkChannel> channel;
  bool retired = false;

  void retire() noexcept {
    retired = true;
    queue.clear();
    cancel_quietly(wake);
    cancel_quietly(retry);
    cancel_quietly(retired_signal);
    if (channel) channel->close();
  }

  // Completes once the peer is retired: raced against a dial or a handshake,
  // whose stream retire() cannot reach, so that it ends at once.
  asio::awaitable<void> until_retired() {
    if (retired) co_return;
    co_await retired_signal.async_wait(asio::as_tuple(asio::use_awaitable));
  }
};

PeerLinks::PeerLinks(asio::any_io_executor executor, onion::Transport& transport, PeerLinksConfig config, Random& rng)
    : m_executor(std::move(executor)), m_transport(&transport), m_config(config), m_rng(&rng) {}

PeerLinks::~PeerLinks() {
  for (auto& [identity, peer] : m_peers) peer->retire();
}

void PeerLinks::set_peers(const std::vector<PeerAddress>& peers) {
  if (m_stopping) return;
  std::map<IdentityPublicKey, const PeerAddress*> wanted;
  for (const auto& peer : peers) wanted[peer.identity] = &peer;
  for (auto it = m_peers.begin(); it != m_peers.end();) {
    auto found = wanted.find(it->first);
    if (found == wanted.end() || found->second->address != it->second->address.address) {
      it->second->retire();
      it = m_peers.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [identity, peer] : wanted) {
    if (!m_peers.contains(identity)) start_peer(*peer);
  }
}

void PeerLinks::start_peer(const PeerAddress& address) {
  auto peer = std::make_shared<Peer>(m_executor, address, fresh_isolation_token(*m_rng));
  m_peers.emplace(address.identity, peer);
  ++m_running;
  asio::co_spawn(m_executor, run_peer(std::move(peer)), asio::detached);
}

bool PeerLinks::send(const IdentityPublicKey& to, Bytes packet) {
  auto it = m_peers.find(to);
  if (it == m_peers.end()) {
    ++m_counters.unknown_peer;
    return false;
  }
  Peer& peer = *it->second;
  if (peer.queue.size() >= m_config.queue_packets) {
    ++m_counters.queue_full;
    return false;
  }
  peer.queue.push_back(std::move(packet));
  if (peer.queue.size() == 1) cancel_quietly(peer.wake);
  return true;
}

std::size_t PeerLinks::connected() const noexcept {
  std::size_t count = 0;
  for (const auto& [identity, peer] : m_peers) {
    if (peer->channel && peer->channel->open()) ++count;
  }
  return count;
}

std::size_t PeerLinks::queued() const noexcept {
  std::size_t count = 0;
  for (const auto& [identity, peer] : m_peers) count += peer->queue.size();
  return count;
}

asio::awaitable<void> PeerLinks::stop(std::chrono::milliseconds timeout) {
  m_stopping = true;
  for (auto& [identity, peer] : m_peers) peer->retire();
  m_peers.clear();
  asio::steady_timer poll(m_executor);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (m_running > 0 && std::chrono::steady_clock::now() < deadline) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (m_running > 0) log::warn("links: {} peer task(s) still ending at shutdown", m_running);
}

asio::awaitable<void> PeerLinks::wait_before_retry(Peer& peer, onion::Backoff& backoff) {
  peer.retry.expires_after(backoff.next_delay());
  co_await peer.retry.async_wait(asio::as_tuple(asio::use_awaitable));
}

// A peer that restarted has new introduction points (tor) or a new lease
// set (i2p) that the transport's cache does not know yet.
asio::awaitable<void> PeerLinks::forget_peer(Peer& peer) {
  ++m_counters.peers_forgotten;
  co_await (m_transport->forget_peer(peer.address.address, peer.isolation_token) || peer.until_retired());
}

asio::awaitable<void> PeerLinks::run_peer(std::shared_ptr<Peer> peer) {
  auto backoff = onion::Backoff::create(m_config.reconnect, *m_rng);
  if (!backoff) {
    log::error("links: bad reconnect policy: {}", backoff.error().message);
    --m_running;
    co_return;
  }
  while (!peer->retired) {
    auto dialed = co_await (m_transport->dial(peer->address.address, peer->isolation_token, m_config.dial_timeout) ||
                            peer->until_retired());
    if (peer->retired || dialed.index() != 0) break;
    auto& stream = std::get<0>(dialed);
    if (!stream) {
      ++m_counters.dial_failures;
      log::debug("links: dial failed: {}", stream.error().message);
      co_await forget_peer(*peer);
      co_await wait_before_retry(*peer, *backoff);
      continue;
    }
    // Cancelled by retire(): establish then closes the stream.
    auto established = co_await (
        link::LinkChannel::establish(std::move(*stream),
                                     link::LinkSession::initiator(m_config.link, peer->address.identity, m_config.self),
                                     *m_rng, m_config.handshake_timeout) ||
        peer->until_retired());
    if (peer->retired || established.index() != 0) break;
    auto& channel = std::get<0>(established);
    if (!channel) {
      ++m_counters.handshake_failures;
      log::info("links: handshake with a peer failed: {}", channel.error().message);
      co_await wait_before_retry(*peer, *backoff);
      continue;
    }
    peer->channel.emplace(std::move(*channel));
    ++m_counters.links_opened;
    const auto opened = std::chrono::steady_clock::now();
    co_await (write_loop(*peer) || read_loop(*peer));
    peer->channel->close();
    peer->channel.reset();
    if (peer->retired) break;
    ++m_counters.links_lost;
    // Only a link that lasted starts the backoff over: a peer that closes
    // every link at once (it does not admit us yet, say) is not redialed in
    // a tight loop.
    if (std::chrono::steady_clock::now() - opened >= kStableLink) backoff->reset();
    log::info("links: a link to a peer was lost; redialing");
    co_await forget_peer(*peer);
    co_await wait_before_retry(*peer, *backoff);
  }
  --m_running;
}

asio::awaitable<void> PeerLinks::write_loop(Peer& peer) {
  auto& channel = *peer.channel;
  while (!peer.retired && channel.open()) {
    if (peer.queue.empty()) {
      peer.wake.expires_at(asio::steady_timer::time_point::max());
      co_await peer.wake.async_wait(asio::as_tuple(asio::use_awaitable));
      // Cancelled by send() (a packet came) or by the reader ending the link.
      auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) co_return;
      continue;
    }
    // Everything queued (up to a batch) goes out in one write.
    const std::size_t count = std::min(peer.queue.size(), kWriteBatch);
    std::vector<Bytes> batch(std::make_move_iterator(peer.queue.begin()),
                             std::make_move_iterator(peer.queue.begin() + static_cast<std::ptrdiff_t>(count)));
    peer.queue.erase(peer.queue.begin(), peer.queue.begin() + static_cast<std::ptrdiff_t>(count));
    auto sent = co_await channel.send_packets(batch, m_config.write_timeout);
    if (!sent) {
      // The batch goes back to the head of the queue for the next link
      // (unless the peer was retired meanwhile), within the queue's bound.
      if (!peer.retired) {
        for (auto it = batch.rbegin(); it != batch.rend() && peer.queue.size() < m_config.queue_packets; ++it) {
          peer.queue.push_front(std::move(*it));
        }
      }
      co_return;
    }
    m_counters.sent += *sent;
  }
}

asio::awaitable<void> PeerLinks::read_loop(Peer& peer) {
  auto& channel = *peer.channel;
  while (!peer.retired && channel.open()) {
    // Only acks and padding come back on a link we opened; reading them
    // notices a closed or tampered link at once.
    auto frame = co_await channel.receive(kReadSlice);
    auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return;
    if (!frame && frame.error().code != Errc::timeout) {
      log::info("links: a peer's link closed: {}", frame.error().message);
      co_return;
    }
  }
}

}  // namespace tenebra::router
