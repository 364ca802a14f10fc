// PeerLinks over real loopback streams, with a LinkAcceptor (or a silent
// listener) at the other end: queued packets arrive in order under the
// sender's identity, redialing with backoff until a peer comes up and after
// it goes away, queue and peer bounds, set_peers ending links, and stop()
// ending every task (also one stuck in a handshake).
#include "tenebra/router/peer_links.hpp"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "co_assert.hpp"
#include "runtime_test_util.hpp"
#include "tenebra/router/link_acceptor.hpp"
#include "tenebra/router/link_channel.hpp"

namespace tenebra::router {
namespace {

using link::testing::identity_from_byte;
using runtime_testing::a_packet;
using runtime_testing::accept_only;
using runtime_testing::free_port;
using runtime_testing::loopback_address;
using runtime_testing::poll_until;
using runtime_testing::run_io;
using runtime_testing::Sink;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// One receiving node: a listener, an acceptor on it and what it delivered.
// Kept in the test body's outer scope so it is always stopped.
struct Receiver {
  std::unique_ptr<onion::LoopbackListener> listener;
  std::unique_ptr<LinkAcceptor> acceptor;
  Sink sink;

  asio::awaitable<void> stop() {
    if (acceptor) co_await acceptor->stop(2s);
  }
};

std::vector<std::uint8_t> fills_of(const Sink& sink) {
  std::vector<std::uint8_t> fills;
  for (const auto& delivery : sink.deliveries) fills.push_back(delivery.packet.empty() ? 0 : delivery.packet[0]);
  return fills;
}

// Loopback tcp that records what PeerLinks asks it to forget.
class ForgetfulTcp final : public onion::Transport {
 public:
  explicit ForgetfulTcp(const asio::any_io_executor& executor)
      : m_tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true}) {}
  asio::awaitable<Result<std::unique_ptr<onion::Listener>>> listen(std::uint16_t port,
                                                                   std::chrono::milliseconds timeout) override {
    co_return co_await m_tcp.listen(port, timeout);
  }
  asio::awaitable<Result<onion::Stream>> dial(std::string address, std::string token,
                                              std::chrono::milliseconds timeout) override {
    tokens.insert(token);
    co_return co_await m_tcp.dial(std::move(address), std::move(token), timeout);
  }
  asio::awaitable<void> forget_peer(std::string address, std::string token) override {
    forgotten.emplace_back(std::move(address), std::move(token));
    co_return;
  }
  std::set<std::string> tokens;
  std::vector<std::pair<std::string, std::string>> forgotten;

 private:
  onion::TcpTransport m_tcp;
};

class PeerLinksTest : public ::testing::Test {
 protected:
  PeerLinksConfig links_config() {
    PeerLinksConfig config;
    config.link = m_link;
    config.self = &m_sender;
    config.dial_timeout = 2s;
    config.handshake_timeout = 5s;
    config.write_timeout = 5s;
    config.reconnect = onion::BackoffPolicy{10ms, 40ms};
    return config;
  }

  // Opens a listener on `port` (0: any) and starts an acceptor on it that
  // lets only the sender in.
  Status start_receiver(const asio::any_io_executor& executor, Receiver& receiver, std::uint16_t port = 0) {
    auto listener = onion::LoopbackListener::open(executor, port);
    if (!listener) return listener.error();
    receiver.listener = std::move(*listener);
    LinkAcceptorConfig config;
    config.link = m_link;
    config.self = &m_receiver;
    config.handshake_timeout = 5s;
    config.write_timeout = 5s;
    receiver.acceptor = std::make_unique<LinkAcceptor>(executor, config, accept_only(m_sender.public_key),
                                                       receiver.sink.handler(), m_rng);
    receiver.acceptor->start(*receiver.listener);
    return {};
  }

  PeerAddress receiver_at(const Receiver& receiver) const {
    return PeerAddress{m_receiver.public_key, receiver.listener->public_address()};
  }

  asio::awaitable<void> deliver_in_order(PeerLinks& links, Receiver& receiver) {
    links.set_peers({receiver_at(receiver)});
    EXPECT_EQ(links.peers(), 1U);
    // Queued before the link exists: they wait for it.
    for (std::uint8_t fill = 1; fill <= 5; ++fill) CO_ASSERT(links.send(m_receiver.public_key, a_packet(fill)), +fill);
    CO_ASSERT(co_await poll_until([&] { return receiver.sink.deliveries.size() >= 5; }), "5 packets arrive");
    // Queued while the link is idle: they wake the writer.
    for (std::uint8_t fill = 6; fill <= 8; ++fill) CO_ASSERT(links.send(m_receiver.public_key, a_packet(fill)), +fill);
    CO_ASSERT(co_await poll_until([&] { return receiver.sink.deliveries.size() >= 8; }), "3 more arrive");

    EXPECT_EQ(fills_of(receiver.sink), (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
    for (const auto& delivery : receiver.sink.deliveries) {
      EXPECT_EQ(delivery.packet, a_packet(delivery.packet[0]));
      CO_ASSERT(delivery.from.has_value(), "a node's link carries its identity");
      EXPECT_EQ(*delivery.from, m_sender.public_key);
    }
    // Counted when the write completes, which may trail the peer's read.
    EXPECT_TRUE(co_await poll_until([&] { return links.counters().sent >= 8; }));
    EXPECT_EQ(links.counters().sent, 8U);
    EXPECT_EQ(links.counters().links_opened, 1U);
    EXPECT_EQ(links.counters().dial_failures, 0U);
    EXPECT_EQ(links.counters().handshake_failures, 0U);
    EXPECT_EQ(links.counters().links_lost, 0U);
    EXPECT_EQ(links.connected(), 1U);
    EXPECT_EQ(links.queued(), 0U);
    const auto& accepted = receiver.acceptor->counters();
    EXPECT_EQ(accepted.links_accepted, 1U);
    EXPECT_EQ(accepted.packets, 8U);
    EXPECT_EQ(accepted.acks_sent, 0U);  // the sink never asks for acks
    EXPECT_EQ(accepted.handshake_failures, 0U);
    EXPECT_EQ(receiver.acceptor->links(), 1U);
  }

  DeterministicRandom m_rng{11};
  link::LinkConfig m_link = runtime_testing::test_link_config();
  IdentityKeyPair m_sender = identity_from_byte(1);
  IdentityKeyPair m_receiver = identity_from_byte(2);
  IdentityKeyPair m_stranger = identity_from_byte(3);
};

TEST_F(PeerLinksTest, QueuedPacketsArriveInOrderUnderTheSendersIdentity) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    Receiver receiver;
    CO_ASSERT(start_receiver(executor, receiver).ok(), "listen");
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    PeerLinks links(executor, tcp, links_config(), m_rng);
    co_await deliver_in_order(links, receiver);
    co_await links.stop(2s);
    EXPECT_EQ(links.peers(), 0U);
    // The acceptor sees the sender's close as the end of that link.
    EXPECT_TRUE(co_await poll_until([&] { return receiver.acceptor->links() == 0; }));
    co_await receiver.stop();
    EXPECT_EQ(receiver.acceptor->counters().links_closed, 1U);
    EXPECT_EQ(receiver.acceptor->counters().frame_drops.total(), 0U);
  });
}

TEST_F(PeerLinksTest, RedialsWithBackoffUntilThePeerListensAndAfterItLeaves) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    const std::uint16_t port = free_port(executor);
    CO_ASSERT(port != 0, "a free port");
    ForgetfulTcp tcp(executor);
    PeerLinks links(executor, tcp, links_config(), m_rng);
    Receiver first;
    Receiver second;
    co_await [&]() -> asio::awaitable<void> {
      const std::string address = loopback_address(port);
      links.set_peers({PeerAddress{m_receiver.public_key, address}});
      for (std::uint8_t fill = 1; fill <= 3; ++fill)
        CO_ASSERT(links.send(m_receiver.public_key, a_packet(fill)), +fill);
      CO_ASSERT(co_await poll_until([&] { return links.counters().dial_failures >= 3; }), "dials keep failing");
      EXPECT_EQ(links.counters().links_opened, 0U);
      EXPECT_EQ(links.connected(), 0U);
      EXPECT_EQ(links.queued(), 3U);

      // Every failed dial made the transport forget the peer's cached
      // state, always with the one isolation token of this peer.
      CO_ASSERT(tcp.tokens.size() == 1U, "one isolation token per peer");
      EXPECT_GE(tcp.forgotten.size(), 3U);
      for (const auto& [forgotten_address, token] : tcp.forgotten) {
        EXPECT_EQ(forgotten_address, address);
        EXPECT_EQ(token, *tcp.tokens.begin());
      }

      // The peer comes up on the address it was dialed at.
      auto started = start_receiver(executor, first, port);
      CO_ASSERT(started.ok(), started.error().message);
      CO_ASSERT(co_await poll_until([&] { return first.sink.deliveries.size() >= 3; }), "queued packets arrive");
      EXPECT_EQ(fills_of(first.sink), (std::vector<std::uint8_t>{1, 2, 3}));
      EXPECT_EQ(links.counters().links_opened, 1U);
      EXPECT_TRUE(co_await poll_until([&] { return links.counters().sent >= 3; }));
      EXPECT_EQ(links.counters().sent, 3U);

      // The peer goes away: the link is lost and redialed.
      co_await first.stop();
      const std::size_t forgotten_before_loss = tcp.forgotten.size();
      CO_ASSERT(co_await poll_until([&] { return links.counters().links_lost >= 1; }), "the loss is noticed");
      EXPECT_EQ(links.counters().links_lost, 1U);
      EXPECT_EQ(links.connected(), 0U);
      // A lost link is forgotten too (a restarted peer has new tunnel state).
      EXPECT_TRUE(co_await poll_until([&] { return tcp.forgotten.size() > forgotten_before_loss; }));
      EXPECT_GE(links.counters().peers_forgotten, tcp.forgotten.size());
      for (std::uint8_t fill = 4; fill <= 5; ++fill)
        CO_ASSERT(links.send(m_receiver.public_key, a_packet(fill)), +fill);
      started = start_receiver(executor, second, port);
      CO_ASSERT(started.ok(), started.error().message);
      CO_ASSERT(co_await poll_until([&] { return second.sink.deliveries.size() >= 2; }), "later packets arrive");
      EXPECT_EQ(fills_of(second.sink), (std::vector<std::uint8_t>{4, 5}));
      EXPECT_EQ(first.sink.deliveries.size(), 3U);
      EXPECT_EQ(links.counters().links_opened, 2U);
      EXPECT_TRUE(co_await poll_until([&] { return links.counters().sent >= 5; }));
      EXPECT_EQ(links.counters().sent, 5U);
      EXPECT_EQ(links.counters().handshake_failures, 0U);
    }();
    co_await links.stop(2s);
    co_await first.stop();
    co_await second.stop();
  });
}

TEST_F(PeerLinksTest, QueueAndPeerBoundsDropAndCount) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    const std::uint16_t port = free_port(executor);
    CO_ASSERT(port != 0, "a free port");
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    auto config = links_config();
    config.queue_packets = 3;
    PeerLinks links(executor, tcp, config, m_rng);
    links.set_peers({PeerAddress{m_receiver.public_key, loopback_address(port)}});
    EXPECT_TRUE(links.send(m_receiver.public_key, a_packet(1)));
    EXPECT_TRUE(links.send(m_receiver.public_key, a_packet(2)));
    EXPECT_TRUE(links.send(m_receiver.public_key, a_packet(3)));
    EXPECT_FALSE(links.send(m_receiver.public_key, a_packet(4)));
    EXPECT_EQ(links.counters().queue_full, 1U);
    EXPECT_EQ(links.queued(), 3U);
    EXPECT_FALSE(links.send(m_stranger.public_key, a_packet(5)));
    EXPECT_EQ(links.counters().unknown_peer, 1U);
    // Still full after the peer was tried a few times.
    EXPECT_TRUE(co_await poll_until([&] { return links.counters().dial_failures >= 2; }));
    EXPECT_FALSE(links.send(m_receiver.public_key, a_packet(6)));
    EXPECT_EQ(links.counters().queue_full, 2U);
    EXPECT_EQ(links.counters().sent, 0U);
    co_await links.stop(2s);
    EXPECT_EQ(links.queued(), 0U);
    // Stopped for good: no peers, nothing accepted.
    links.set_peers({PeerAddress{m_receiver.public_key, loopback_address(port)}});
    EXPECT_EQ(links.peers(), 0U);
    EXPECT_FALSE(links.send(m_receiver.public_key, a_packet(7)));
    EXPECT_EQ(links.counters().unknown_peer, 2U);
  });
}

TEST_F(PeerLinksTest, RemovingAPeerEndsItsLinkAndDropsItsPackets) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    Receiver receiver;
    CO_ASSERT(start_receiver(executor, receiver).ok(), "listen");
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    PeerLinks links(executor, tcp, links_config(), m_rng);
    co_await [&]() -> asio::awaitable<void> {
      links.set_peers({receiver_at(receiver)});
      CO_ASSERT(links.send(m_receiver.public_key, a_packet(1)), "queued");
      CO_ASSERT(co_await poll_until([&] { return receiver.sink.deliveries.size() >= 1; }), "delivered");
      links.set_peers({});
      EXPECT_EQ(links.peers(), 0U);
      EXPECT_EQ(links.connected(), 0U);
      CO_ASSERT(co_await poll_until([&] { return receiver.acceptor->counters().links_closed >= 1; }),
                "the receiver sees the link end");
      EXPECT_EQ(receiver.acceptor->links(), 0U);
      EXPECT_FALSE(links.send(m_receiver.public_key, a_packet(2)));
      EXPECT_EQ(links.counters().unknown_peer, 1U);
      // Ended on purpose: not a lost link, and never redialed.
      co_await runtime_testing::pause(100ms);
      EXPECT_EQ(links.counters().links_lost, 0U);
      EXPECT_EQ(links.counters().links_opened, 1U);
      EXPECT_EQ(receiver.acceptor->counters().links_accepted, 1U);
    }();
    co_await links.stop(2s);
    co_await receiver.stop();
  });
}

TEST_F(PeerLinksTest, AChangedAddressIsRedialed) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    Receiver old_home;
    Receiver new_home;
    CO_ASSERT(start_receiver(executor, old_home).ok(), "listen");
    CO_ASSERT(start_receiver(executor, new_home).ok(), "listen");
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    PeerLinks links(executor, tcp, links_config(), m_rng);
    co_await [&]() -> asio::awaitable<void> {
      links.set_peers({receiver_at(old_home)});
      CO_ASSERT(links.send(m_receiver.public_key, a_packet(1)), "queued");
      CO_ASSERT(co_await poll_until([&] { return old_home.sink.deliveries.size() >= 1; }), "delivered");
      links.set_peers({receiver_at(new_home)});
      EXPECT_EQ(links.peers(), 1U);
      CO_ASSERT(links.send(m_receiver.public_key, a_packet(2)), "queued");
      CO_ASSERT(co_await poll_until([&] { return new_home.sink.deliveries.size() >= 1; }), "delivered at the new one");
      EXPECT_EQ(fills_of(new_home.sink), std::vector<std::uint8_t>{2});
      EXPECT_EQ(old_home.sink.deliveries.size(), 1U);
      CO_ASSERT(co_await poll_until([&] { return old_home.acceptor->links() == 0; }), "the old link ends");
      EXPECT_EQ(links.counters().links_opened, 2U);
      EXPECT_EQ(links.counters().links_lost, 0U);
    }();
    co_await links.stop(2s);
    co_await old_home.stop();
    co_await new_home.stop();
  });
}

// A raw responder acks a frame that was never sent: the frame does not open
// at PeerLinks, which drops that link and redials; the packet queued
// afterwards goes out on the new link.
TEST_F(PeerLinksTest, AFrameThatDoesNotOpenLosesTheLinkAndItIsRedialed) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto listener = onion::LoopbackListener::open(executor, 0);
    CO_ASSERT(listener.ok(), listener.error().message);
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    PeerLinks links(executor, tcp, links_config(), m_rng);
    co_await [&]() -> asio::awaitable<void> {
      links.set_peers({PeerAddress{m_receiver.public_key, (*listener)->public_address()}});
      const auto respond = [&]() -> asio::awaitable<Result<link::LinkChannel>> {
        auto accepted = co_await (*listener)->accept(5s);
        if (!accepted) co_return accepted.error();
        co_return co_await link::LinkChannel::establish(
            std::move(*accepted), link::LinkSession::responder(m_link, m_receiver, accept_only(m_sender.public_key)),
            m_rng, 5s);
      };
      auto first = co_await respond();
      CO_ASSERT(first.ok(), first.error().message);
      const std::array<std::uint64_t, 1> never_sent{41};
      CO_ASSERT((co_await first->send_ack(never_sent, 2s)).ok(), "the bogus ack is written");
      // PeerLinks closes the link without a word and dials again.
      auto answer = co_await first->receive(5s);
      CO_ASSERT(!answer.ok(), "nothing answers a bad frame");
      EXPECT_EQ(answer.error().code, Errc::closed);
      auto second = co_await respond();
      CO_ASSERT(second.ok(), second.error().message);
      EXPECT_EQ(links.counters().links_lost, 1U);
      EXPECT_TRUE(co_await poll_until([&] { return links.counters().links_opened == 2; }));
      CO_ASSERT(links.send(m_receiver.public_key, a_packet(0x44)), "queued");
      auto packet = co_await second->receive(5s);
      CO_ASSERT(packet.ok(), packet.error().message);
      EXPECT_EQ(packet->type, link::FrameType::packet);
      EXPECT_EQ(packet->packet, a_packet(0x44));
      EXPECT_TRUE(co_await poll_until([&] { return links.counters().sent >= 1; }));
      EXPECT_EQ(links.counters().sent, 1U);
    }();
    co_await links.stop(2s);
  });
}

// A peer that accepts the stream and never answers the hello: stop() must
// still end the task at once (not when the handshake times out), and close
// the stream.
TEST_F(PeerLinksTest, StopEndsALinkStuckInItsHandshake) {
  run_io(
      [this]() -> asio::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        auto listener = onion::LoopbackListener::open(executor, 0);
        CO_ASSERT(listener.ok(), listener.error().message);
        onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
        auto config = links_config();
        config.handshake_timeout = 15s;
        PeerLinks links(executor, tcp, config, m_rng);
        std::optional<onion::Stream> silent;
        co_await [&]() -> asio::awaitable<void> {
          links.set_peers({PeerAddress{m_receiver.public_key, (*listener)->public_address()}});
          auto accepted = co_await (*listener)->accept(5s);
          CO_ASSERT(accepted.ok(), accepted.error().message);
          silent.emplace(std::move(*accepted));
          Bytes hello(link::kHelloBytes);
          auto got = co_await onion::with_timeout(
              asio::async_read(*silent, asio::buffer(hello), asio::as_tuple(asio::use_awaitable)), 5s);
          CO_ASSERT(got.has_value() && !std::get<0>(*got), "the hello arrives");
        }();
        co_await links.stop(300ms);
        if (silent) {
          std::array<std::uint8_t, 16> buffer{};
          auto got = co_await onion::with_timeout(
              silent->async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable)), 2s);
          EXPECT_TRUE(got.has_value()) << "stop() left the half-open link's stream open";
          if (got) {
            EXPECT_TRUE(std::get<0>(*got)) << "the stream ends without another byte";
          }
          // If the task outlived stop(), end it before `links` goes: closing
          // our end fails its handshake, and stop() waits for that.
          silent->close();
        }
        co_await links.stop(2s);
      },
      5s);
}

}  // namespace
}  // namespace tenebra::router
