// LinkAcceptor over real loopback streams, with raw LinkChannel initiators
// (and a bit-flipping proxy) or a PeerLinks at the other end: acks after the
// handler commits, a tampered frame closing its link unanswered, the
// max_links and max_handshakes bounds, the responder policy, anonymous
// clients, and stop() ending every task (also one stuck in a handshake).
#include "tenebra/router/link_acceptor.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "co_assert.hpp"
#include "runtime_test_util.hpp"
#include "tenebra/router/link_channel.hpp"
#include "tenebra/router/peer_links.hpp"

namespace tenebra::router {
namespace {

using link::testing::identity_from_byte;
using runtime_testing::a_packet;
using runtime_testing::accept_only;
using runtime_testing::poll_until;
using runtime_testing::run_io;
using runtime_testing::Sink;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

// Copies `from` to `to` until either side fails, counting the bytes and
// flipping the lowest bit of the byte at offset `flip_at` (counted from the
// first byte this direction carried); then closes both.
asio::awaitable<void> pump(onion::Stream& from, onion::Stream& to, std::size_t& count,
                           std::optional<std::size_t> flip_at) {
  std::array<std::uint8_t, 4096> buffer{};
  for (;;) {
    auto [read_error, got] = co_await from.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (read_error) break;
    if (flip_at && *flip_at >= count && *flip_at < count + got) buffer.at(*flip_at - count) ^= 0x01;
    count += got;
    auto [write_error, put] =
        co_await asio::async_write(to, asio::buffer(buffer.data(), got), asio::as_tuple(asio::use_awaitable));
    if (write_error) break;
  }
  boost::system::error_code ignored;
  from.close(ignored);
  to.close(ignored);
}

class LinkAcceptorTest : public ::testing::Test {
 protected:
  LinkAcceptorConfig acceptor_config() {
    LinkAcceptorConfig config;
    config.link = m_link;
    config.self = &m_receiver;
    config.handshake_timeout = 5s;
    config.write_timeout = 5s;
    return config;
  }

  // A raw initiator: dials `address` and runs the handshake as `self`
  // (null: an anonymous client).
  asio::awaitable<Result<link::LinkChannel>> dial_link(onion::Transport& transport, const std::string& address,
                                                       const IdentityKeyPair* self) {
    auto stream = co_await transport.dial(address, "t", 2s);
    if (!stream) co_return stream.error();
    co_return co_await link::LinkChannel::establish(
        std::move(*stream), link::LinkSession::initiator(m_link, m_receiver.public_key, self), m_rng, 5s);
  }

  std::size_t frame_bytes() const { return link::frame_bytes(m_link.geometry); }

  DeterministicRandom m_rng{13};
  link::LinkConfig m_link = runtime_testing::test_link_config();
  IdentityKeyPair m_sender = identity_from_byte(1);
  IdentityKeyPair m_receiver = identity_from_byte(2);
  IdentityKeyPair m_stranger = identity_from_byte(3);
};

TEST_F(LinkAcceptorTest, AcksExactlyTheFramesTheHandlerCommitted) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto listener = onion::LoopbackListener::open(executor, 0);
    CO_ASSERT(listener.ok(), listener.error().message);
    std::vector<Bytes> handled;
    // Commits (asks for an ack) only packets filled with 0xc0.
    PacketHandler handler = [&](ByteView packet, const LinkPeer& /*from*/) {
      handled.emplace_back(packet.begin(), packet.end());
      return packet[0] == 0xc0;
    };
    LinkAcceptor acceptor(executor, acceptor_config(), accept_only(m_sender.public_key), handler, m_rng);
    acceptor.start(**listener);
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    std::optional<link::LinkChannel> channel;
    co_await [&]() -> asio::awaitable<void> {
      auto opened = co_await dial_link(tcp, (*listener)->public_address(), &m_sender);
      CO_ASSERT(opened.ok(), opened.error().message);
      channel.emplace(std::move(*opened));
      auto kept = co_await channel->send_packet(a_packet(0x01), 2s);
      auto committed = co_await channel->send_packet(a_packet(0xc0), 2s);
      CO_ASSERT(kept.ok() && committed.ok(), "sent");
      // Frames are served in order: an ack of the first would come first.
      auto ack = co_await channel->receive(5s);
      CO_ASSERT(ack.ok(), ack.error().message);
      EXPECT_EQ(ack->type, link::FrameType::ack);
      EXPECT_EQ(ack->acks, std::vector<std::uint64_t>{*committed});
      auto again = co_await channel->send_packet(a_packet(0xc0), 2s);
      CO_ASSERT(again.ok(), again.error().message);
      auto second_ack = co_await channel->receive(5s);
      CO_ASSERT(second_ack.ok(), second_ack.error().message);
      EXPECT_EQ(second_ack->acks, std::vector<std::uint64_t>{*again});
      EXPECT_EQ(handled.size(), 3U);
      EXPECT_EQ(acceptor.counters().packets, 3U);
      // Counted when the ack's write completes, which may trail our read.
      EXPECT_TRUE(co_await poll_until([&] { return acceptor.counters().acks_sent >= 2; }));
      EXPECT_EQ(acceptor.counters().acks_sent, 2U);
      EXPECT_EQ(acceptor.links(), 1U);
    }();
    co_await acceptor.stop(2s);
    EXPECT_EQ(acceptor.links(), 0U);
    EXPECT_EQ(acceptor.counters().links_closed, 1U);
    if (channel) {
      // stop() closed the link: the initiator reads its end.
      auto after = co_await channel->receive(2s);
      CO_ASSERT(!after.ok(), "no frame after stop");
      EXPECT_EQ(after.error().code, Errc::closed);
    }
  });
}

TEST_F(LinkAcceptorTest, TamperedFrameClosesTheLinkUnansweredAndIsNeverHandled) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto listener = onion::LoopbackListener::open(executor, 0);
    CO_ASSERT(listener.ok(), listener.error().message);
    auto proxy_listener = onion::LoopbackListener::open(executor, 0);
    CO_ASSERT(proxy_listener.ok(), proxy_listener.error().message);
    Sink sink;
    sink.ack = true;
    LinkAcceptor acceptor(executor, acceptor_config(), accept_only(m_sender.public_key), sink.handler(), m_rng);
    acceptor.start(**listener);
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});

    std::size_t upstream = 0;
    std::size_t downstream = 0;
    // Bit 0 of byte 100 of the second frame after the handshake.
    const std::size_t flip_at = link::kHelloBytes + link::kConfirmBytes + frame_bytes() + 100;
    auto proxy = [&]() -> asio::awaitable<void> {
      auto from_initiator = co_await (*proxy_listener)->accept(5s);
      CO_ASSERT(from_initiator.ok(), from_initiator.error().message);
      auto to_acceptor = co_await tcp.dial((*listener)->public_address(), "p", 2s);
      CO_ASSERT(to_acceptor.ok(), to_acceptor.error().message);
      co_await (pump(*from_initiator, *to_acceptor, upstream, flip_at) &&
                pump(*to_acceptor, *from_initiator, downstream, std::nullopt));
    };
    auto initiator = [&]() -> asio::awaitable<void> {
      auto channel = co_await dial_link(tcp, (*proxy_listener)->public_address(), &m_sender);
      CO_ASSERT(channel.ok(), channel.error().message);
      auto first = co_await channel->send_packet(a_packet(0x01), 2s);
      CO_ASSERT(first.ok(), first.error().message);
      auto ack = co_await channel->receive(5s);
      CO_ASSERT(ack.ok(), ack.error().message);
      EXPECT_EQ(ack->acks, std::vector<std::uint64_t>{*first});
      CO_ASSERT((co_await channel->send_packet(a_packet(0x02), 2s)).ok(), "second frame written");
      auto answer = co_await channel->receive(5s);
      CO_ASSERT(!answer.ok(), "the tampered frame is never answered");
      EXPECT_EQ(answer.error().code, Errc::closed);
    };
    co_await (proxy() && initiator());

    EXPECT_TRUE(co_await poll_until([&] { return acceptor.counters().links_closed >= 1; }));
    EXPECT_EQ(acceptor.counters().frame_drops.get(link::FrameDropReason::bad_auth), 1U);
    EXPECT_EQ(acceptor.counters().frame_drops.total(), 1U);
    EXPECT_EQ(acceptor.counters().packets, 1U);
    EXPECT_EQ(acceptor.counters().acks_sent, 1U);
    CO_ASSERT(sink.deliveries.size() == 1U, sink.deliveries.size());
    EXPECT_EQ(sink.deliveries[0].packet, a_packet(0x01));
    EXPECT_EQ(upstream, link::kHelloBytes + link::kConfirmBytes + 2 * frame_bytes());
    // The handshake response and the first frame's ack; nothing after.
    EXPECT_EQ(downstream, link::kResponseBytes + frame_bytes());
    co_await acceptor.stop(2s);
  });
}

TEST_F(LinkAcceptorTest, LinksBeyondMaxLinksAreRefusedWhileTheFirstKeepsWorking) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto listener = onion::LoopbackListener::open(executor, 0);
    CO_ASSERT(listener.ok(), listener.error().message);
    Sink sink;
    auto config = acceptor_config();
    config.max_links = 1;
    LinkAcceptor acceptor(executor, config, link::testing::accept_all(), sink.handler(), m_rng);
    acceptor.start(**listener);
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    co_await [&]() -> asio::awaitable<void> {
      const std::string address = (*listener)->public_address();
      auto first = co_await dial_link(tcp, address, &m_sender);
      CO_ASSERT(first.ok(), first.error().message);
      CO_ASSERT(co_await poll_until([&] { return acceptor.links() == 1; }), "first link open");
      auto second = co_await dial_link(tcp, address, &m_stranger);
      EXPECT_FALSE(second.ok()) << "a second link must be refused";
      EXPECT_EQ(acceptor.counters().links_refused, 1U);
      EXPECT_EQ(acceptor.counters().handshake_failures, 0U);
      CO_ASSERT((co_await first->send_packet(a_packet(0x09), 2s)).ok(), "the first link still writes");
      CO_ASSERT(co_await poll_until([&] { return sink.deliveries.size() >= 1; }), "and still delivers");
      CO_ASSERT(sink.deliveries[0].from.has_value(), "identified");
      EXPECT_EQ(*sink.deliveries[0].from, m_sender.public_key);
      EXPECT_EQ(acceptor.counters().links_accepted, 1U);
      // The bound is on links at a time: once the first ends, a new one fits.
      first->close();
      CO_ASSERT(co_await poll_until([&] { return acceptor.links() == 0; }), "first link ended");
      auto third = co_await dial_link(tcp, address, &m_stranger);
      CO_ASSERT(third.ok(), third.error().message);
      CO_ASSERT((co_await third->send_packet(a_packet(0x0a), 2s)).ok(), "write");
      CO_ASSERT(co_await poll_until([&] { return sink.deliveries.size() >= 2; }), "delivered");
      EXPECT_EQ(*sink.deliveries[1].from, m_stranger.public_key);
      EXPECT_EQ(acceptor.counters().links_refused, 1U);
    }();
    co_await acceptor.stop(2s);
  });
}

TEST_F(LinkAcceptorTest, RefusedInitiatorsFailTheHandshakeAndDeliverNothing) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto listener = onion::LoopbackListener::open(executor, 0);
    CO_ASSERT(listener.ok(), listener.error().message);
    Sink sink;
    // Only the stranger may open links: neither the sender nor clients.
    LinkAcceptor acceptor(executor, acceptor_config(), accept_only(m_stranger.public_key), sink.handler(), m_rng);
    acceptor.start(**listener);
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    PeerLinksConfig links_config;
    links_config.link = m_link;
    links_config.self = &m_sender;
    links_config.handshake_timeout = 5s;
    links_config.reconnect = onion::BackoffPolicy{10ms, 40ms};
    PeerLinks links(executor, tcp, links_config, m_rng);
    co_await [&]() -> asio::awaitable<void> {
      links.set_peers({PeerAddress{m_receiver.public_key, (*listener)->public_address()}});
      CO_ASSERT(links.send(m_receiver.public_key, a_packet(0x01)), "queued");
      CO_ASSERT(co_await poll_until([&] { return acceptor.counters().handshake_failures >= 2; }),
                "the node keeps being refused");
      // The initiator's handshake ends before the responder's verdict, so
      // PeerLinks sees a refusal as a link lost at once (or a failed
      // handshake); either way it redialed.
      EXPECT_GE(links.counters().links_lost + links.counters().handshake_failures, 1U);
      auto client = co_await dial_link(tcp, (*listener)->public_address(), nullptr);
      if (client) {
        // Established on the client's side; the acceptor closes it unanswered.
        auto answer = co_await client->receive(5s);
        EXPECT_FALSE(answer.ok());
      }
      EXPECT_TRUE(co_await poll_until([&] { return acceptor.counters().handshake_failures >= 3; }));
      EXPECT_EQ(acceptor.counters().links_accepted, 0U);
      EXPECT_EQ(acceptor.counters().packets, 0U);
      EXPECT_TRUE(sink.deliveries.empty());
    }();
    co_await links.stop(2s);
    co_await acceptor.stop(2s);
  });
}

TEST_F(LinkAcceptorTest, AnonymousClientsAreDeliveredWithoutAnIdentity) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto listener = onion::LoopbackListener::open(executor, 0);
    CO_ASSERT(listener.ok(), listener.error().message);
    Sink sink;
    link::ResponderPolicy clients;
    clients.accept_anonymous = true;
    LinkAcceptor acceptor(executor, acceptor_config(), clients, sink.handler(), m_rng);
    acceptor.start(**listener);
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    co_await [&]() -> asio::awaitable<void> {
      auto client = co_await dial_link(tcp, (*listener)->public_address(), nullptr);
      CO_ASSERT(client.ok(), client.error().message);
      CO_ASSERT((co_await client->send_packet(a_packet(0x05), 2s)).ok(), "write");
      CO_ASSERT(co_await poll_until([&] { return sink.deliveries.size() >= 1; }), "delivered");
      EXPECT_FALSE(sink.deliveries[0].from.has_value());
      // A node is not a client: this policy has no accept_identity.
      auto node = co_await dial_link(tcp, (*listener)->public_address(), &m_sender);
      if (node) {
        // The write may land before the refusal; it is never handled.
        auto written = co_await node->send_packet(a_packet(0x06), 2s);
        (void)written;
        auto answer = co_await node->receive(5s);
        EXPECT_FALSE(answer.ok());
      }
      EXPECT_TRUE(co_await poll_until([&] { return acceptor.counters().handshake_failures >= 1; }));
      EXPECT_EQ(sink.deliveries.size(), 1U);
      EXPECT_EQ(acceptor.counters().links_accepted, 1U);
    }();
    co_await acceptor.stop(2s);
  });
}

// Streams that never say hello: with max_handshakes = 1 the second is
// refused at once, and stop() must end the first one's handshake at once
// (not when it times out) and close its stream.
TEST_F(LinkAcceptorTest, StopEndsAHandshakeInProgress) {
  run_io(
      [this]() -> asio::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        auto listener = onion::LoopbackListener::open(executor, 0);
        CO_ASSERT(listener.ok(), listener.error().message);
        Sink sink;
        auto config = acceptor_config();
        config.max_handshakes = 1;
        config.handshake_timeout = 15s;
        LinkAcceptor acceptor(executor, config, accept_only(m_sender.public_key), sink.handler(), m_rng);
        acceptor.start(**listener);
        onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
        std::optional<onion::Stream> silent;
        co_await [&]() -> asio::awaitable<void> {
          auto first = co_await tcp.dial((*listener)->public_address(), "a", 2s);
          CO_ASSERT(first.ok(), first.error().message);
          silent.emplace(std::move(*first));
          auto second = co_await tcp.dial((*listener)->public_address(), "b", 2s);
          CO_ASSERT(second.ok(), second.error().message);
          CO_ASSERT(co_await poll_until([&] { return acceptor.counters().links_refused >= 1; }),
                    "the second stream is over max_handshakes");
          EXPECT_EQ(acceptor.counters().links_refused, 1U);
        }();
        co_await acceptor.stop(300ms);
        if (silent) {
          std::array<std::uint8_t, 16> buffer{};
          auto got = co_await onion::with_timeout(
              silent->async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable)), 2s);
          EXPECT_TRUE(got.has_value()) << "stop() left the stream of a handshake in progress open";
          if (got) {
            EXPECT_TRUE(std::get<0>(*got)) << "the stream ends without a byte";
          }
          // If the task outlived stop(), end it before `acceptor` goes:
          // closing our end fails its handshake, and stop() waits for that.
          silent->close();
        }
        co_await acceptor.stop(2s);
      },
      5s);
}

}  // namespace
}  // namespace tenebra::router
