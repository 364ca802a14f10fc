// LinkAcceptor: the links other nodes (and, at a provider, clients) open to
// this node. It accepts streams on the node's listener, runs the responder
// side of the link handshake (docs/link.md) with the node's ResponderPolicy,
// then hands every packet frame to the node's PacketHandler. When the
// handler says so (a provider has committed the packet to its store) the
// frame is acknowledged on the same link, after the handler returned.
//
// A frame that fails to open closes its link at once, unanswered, and its
// reason is counted. Bounds: at most `max_links` links at a time and at most
// `max_handshakes` handshakes in progress; streams beyond either are closed
// at once (a bogus hello costs the responder a signature).
//
// Thread-safety: one executor; the handler is called on it. stop() must be
// awaited before destruction.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/onion/transport.hpp"
#include "tenebra/router/identity.hpp"
#include "tenebra/router/link_frame.hpp"
#include "tenebra/router/link_session.hpp"

namespace tenebra::router {

// Who sent a packet: a node's identity, or nullopt for an anonymous client.
using LinkPeer = std::optional<IdentityPublicKey>;

// Returns true when the frame should be acknowledged (the packet is
// committed); false when there is nothing to acknowledge (kept in memory,
// forwarded, or dropped).
using PacketHandler = std::function<bool(ByteView packet, const LinkPeer& from)>;

struct LinkAcceptorConfig {
  link::LinkConfig link;
  const IdentityKeyPair* self = nullptr;  // must outlive the acceptor
  std::size_t max_links = 512;
  std::size_t max_handshakes = 32;
  std::chrono::milliseconds handshake_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
};

struct LinkAcceptorCounters {
  std::uint64_t links_accepted = 0;  // handshakes that completed
  std::uint64_t links_refused = 0;   // over a bound, closed at once
  std::uint64_t handshake_failures = 0;
  std::uint64_t links_closed = 0;
  std::uint64_t packets = 0;
  std::uint64_t acks_sent = 0;
  link::FrameDropCounters frame_drops;  // frames that closed their link, by reason
};

class LinkAcceptor {
 public:
  // `policy` decides which initiators may open links; it is read at each
  // handshake, so the node can change it as topologies come and go.
  LinkAcceptor(boost::asio::any_io_executor executor, LinkAcceptorConfig config, link::ResponderPolicy policy,
               PacketHandler handler, Random& rng);
  ~LinkAcceptor();
  LinkAcceptor(const LinkAcceptor&) = delete;
  LinkAcceptor& operator=(const LinkAcceptor&) = delete;

  // Accepts on `listener` until stop(). The listener must outlive the run.
  void start(onion::Listener& listener);
  void set_policy(link::ResponderPolicy policy) { m_policy = std::move(policy); }
  // Stops accepting, closes every link, waits at most `timeout` for the
  // tasks to end.
  [[nodiscard]] boost::asio::awaitable<void> stop(std::chrono::milliseconds timeout);

  [[nodiscard]] const LinkAcceptorCounters& counters() const noexcept { return m_counters; }
  [[nodiscard]] std::size_t links() const noexcept { return m_links; }

  struct Link;

 private:
  boost::asio::awaitable<void> accept_loop(onion::Listener& listener);
  boost::asio::awaitable<void> serve(onion::Stream stream);
  boost::asio::awaitable<void> serve_frames(Link& link);

  boost::asio::any_io_executor m_executor;
  LinkAcceptorConfig m_config;
  link::ResponderPolicy m_policy;
  PacketHandler m_handler;
  Random* m_rng;
  onion::Listener* m_listener = nullptr;
  std::map<std::uint64_t, std::shared_ptr<Link>> m_open;
  std::uint64_t m_next_link_id = 0;
  std::size_t m_links = 0;
  std::size_t m_handshakes = 0;
  std::size_t m_running = 0;
  bool m_stopping = false;
  LinkAcceptorCounters m_counters;
};

}  // namespace tenebra::router
