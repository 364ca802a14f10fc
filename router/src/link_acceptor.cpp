#include "tenebra/router/link_acceptor.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "quiet_cancel.hpp"
#include "stream_io.hpp"
#include "tenebra/core/log.hpp"
#include "tenebra/router/link_channel.hpp"

namespace tenebra::router {
namespace {

namespace asio = boost::asio;
using stream_io::close_quietly;
using namespace asio::experimental::awaitable_operators;

constexpr std::chrono::milliseconds kAcceptSlice{1'000};
constexpr std::chrono::milliseconds kReadSlice{60'000};
constexpr std::chrono::milliseconds kAcceptRetry{1'000};

}  // namespace

// One incoming stream, from the start of its handshake to its close.
struct LinkAcceptor::Link {
  explicit Link(const asio::any_io_executor& executor) : stop_signal(executor, asio::steady_timer::time_point::max()) {}

  std::optional<link::LinkChannel> channel;  // once the handshake completed
  asio::steady_timer stop_signal;            // never expires; stop() cancels it
  bool stopping = false;

  void stop() noexcept {
    stopping = true;
    cancel_quietly(stop_signal);
    if (channel) channel->close();
  }
  // Raced against the handshake, whose stream stop() cannot reach.
  asio::awaitable<void> until_stopped() {
    if (stopping) co_return;
    co_await stop_signal.async_wait(asio::as_tuple(asio::use_awaitable));
  }
};

LinkAcceptor::LinkAcceptor(asio::any_io_executor executor, LinkAcceptorConfig config, link::ResponderPolicy policy,
                           PacketHandler handler, Random& rng)
    : m_executor(std::move(executor)),
      m_config(config),
      m_policy(std::move(policy)),
      m_handler(std::move(handler)),
      m_rng(&rng) {}

LinkAcceptor::~LinkAcceptor() {
  for (auto& [id, link] : m_open) link->stop();
}

void LinkAcceptor::start(onion::Listener& listener) {
  m_listener = &listener;
  ++m_running;
  asio::co_spawn(m_executor, accept_loop(listener), asio::detached);
}

asio::awaitable<void> LinkAcceptor::stop(std::chrono::milliseconds timeout) {
  m_stopping = true;
  if (m_listener != nullptr) m_listener->close();
  for (auto& [id, link] : m_open) link->stop();
  asio::steady_timer poll(m_executor);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (m_running > 0 && std::chrono::steady_clock::now() < deadline) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (m_running > 0) log::warn("links: {} incoming link task(s) still ending at shutdown", m_running);
}

asio::awaitable<void> LinkAcceptor::accept_loop(onion::Listener& listener) {
  while (!m_stopping) {
    auto stream = co_await listener.accept(kAcceptSlice);
    if (m_stopping) break;
    if (!stream) {
      if (stream.error().code == Errc::timeout) continue;
      if (stream.error().code == Errc::closed) break;
      // Out of descriptors or memory, say: keep serving the open links and
      // try again shortly rather than stop accepting for good.
      log::error("links: accepting failed: {}", stream.error().message);
      asio::steady_timer pause(m_executor, kAcceptRetry);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (m_links + m_handshakes >= m_config.max_links || m_handshakes >= m_config.max_handshakes) {
      ++m_counters.links_refused;
      close_quietly(*stream);
      continue;
    }
    ++m_running;
    ++m_handshakes;  // counted before the task runs, so a burst cannot pass the bound
    asio::co_spawn(m_executor, serve(std::move(*stream)), asio::detached);
  }
  --m_running;
}

asio::awaitable<void> LinkAcceptor::serve(onion::Stream stream) {
  const std::uint64_t id = m_next_link_id++;
  auto link = std::make_shared<Link>(m_executor);
  m_open.emplace(id, link);
  if (m_stopping) link->stop();
  auto outcome = co_await (link::LinkChannel::establish(
                               std::move(stream), link::LinkSession::responder(m_config.link, *m_config.self, m_policy),
                               *m_rng, m_config.handshake_timeout) ||
                           link->until_stopped());
  --m_handshakes;
  auto* channel = std::get_if<0>(&outcome);
  if (channel == nullptr || !*channel || m_stopping) {
    if (channel != nullptr && !*channel) {
      ++m_counters.handshake_failures;
      log::debug("links: an incoming handshake failed: {}", channel->error().message);
    }
    m_open.erase(id);
    --m_running;
    co_return;
  }
  link->channel.emplace(std::move(**channel));
  ++m_links;
  ++m_counters.links_accepted;
  co_await serve_frames(*link);
  link->channel->close();
  m_counters.frame_drops.add(link->channel->session().drops());
  m_open.erase(id);
  --m_links;
  ++m_counters.links_closed;
  --m_running;
}

asio::awaitable<void> LinkAcceptor::serve_frames(Link& link) {
  auto& channel = *link.channel;
  const LinkPeer peer = channel.session().peer_identity();
  while (!m_stopping && channel.open()) {
    auto frame = co_await channel.receive(kReadSlice);
    if (!frame) {
      if (frame.error().code == Errc::timeout) continue;
      if (frame.error().code != Errc::closed) log::info("links: closed an incoming link: {}", frame.error().message);
      co_return;
    }
    if (frame->type != link::FrameType::packet) continue;  // padding, or acks we never asked for
    ++m_counters.packets;
    if (!m_handler(frame->packet, peer)) continue;
    const std::array<std::uint64_t, 1> sequences{frame->sequence};
    auto acked = co_await channel.send_ack(sequences, m_config.write_timeout);
    if (!acked) co_return;
    ++m_counters.acks_sent;
  }
}

}  // namespace tenebra::router
