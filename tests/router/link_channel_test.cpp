// LinkChannel over real loopback streams (onion's tcp transport): the
// handshake in both roles, frames both ways, a tampered frame closing the
// link, a receive timeout that keeps a half-received frame, a silent peer.
#include "tenebra/router/link_channel.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "co_assert.hpp"
#include "link_test_util.hpp"
#include "tenebra/onion/tcp_transport.hpp"

namespace tenebra::router::link {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using testing::accept_all;
using testing::config_with;
using testing::identity_from_byte;

struct StreamPair {
  onion::Stream dialer;
  onion::Stream acceptor;
};

asio::awaitable<Result<StreamPair>> connected_pair() {
  auto executor = co_await asio::this_coro::executor;
  onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
  auto listener = co_await tcp.listen(0, 1s);
  if (!listener) co_return listener.error();
  auto [dialed, accepted] = co_await (tcp.dial((*listener)->public_address(), "t", 2s) && (*listener)->accept(2s));
  if (!dialed) co_return dialed.error();
  if (!accepted) co_return accepted.error();
  co_return StreamPair{std::move(*dialed), std::move(*accepted)};
}

void run(const std::function<asio::awaitable<void>()>& body) {
  asio::io_context io;
  bool finished = false;
  asio::co_spawn(io, body(), [&](const std::exception_ptr& error) {
    EXPECT_FALSE(error) << "exception escaped the test body";
    finished = true;
  });
  io.run_for(20s);
  EXPECT_TRUE(finished) << "the test body did not finish in time";
}

Bytes a_packet(std::uint8_t fill) {
  return Bytes(mix::sphinx::Geometry::default_geometry().packet_bytes(), fill);
}

class LinkChannelTest : public ::testing::Test {
 protected:
  DeterministicRandom m_rng{5};
  LinkConfig m_config = config_with(7);
  IdentityKeyPair m_node_a = identity_from_byte(1);
  IdentityKeyPair m_node_b = identity_from_byte(2);
};

TEST_F(LinkChannelTest, NodesHandshakeAndExchangeFramesBothWays) {
  run([this]() -> asio::awaitable<void> {
    auto pair = co_await connected_pair();
    CO_ASSERT(pair.ok(), pair.error().message);
    auto [a, b] =
        co_await (LinkChannel::establish(std::move(pair->dialer),
                                         LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a), m_rng, 5s) &&
                  LinkChannel::establish(std::move(pair->acceptor),
                                         LinkSession::responder(m_config, m_node_b, accept_all()), m_rng, 5s));
    CO_ASSERT(a.ok(), a.error().message);
    CO_ASSERT(b.ok(), b.error().message);
    EXPECT_EQ(a->session().handshake_hash(), b->session().handshake_hash());
    CO_ASSERT(b->session().peer_identity().has_value(), "the responder knows the initiator");
    EXPECT_EQ(*b->session().peer_identity(), m_node_a.public_key);

    auto sent = co_await a->send_packet(a_packet(0x11), 2s);
    CO_ASSERT(sent.ok(), sent.error().message);
    auto got = co_await b->receive(2s);
    CO_ASSERT(got.ok(), got.error().message);
    EXPECT_EQ(got->type, FrameType::packet);
    EXPECT_EQ(got->packet, a_packet(0x11));
    const std::uint64_t sequence = got->sequence;
    auto acked = co_await b->send_ack(std::span(&sequence, 1), 2s);
    CO_ASSERT(acked.ok(), acked.error().message);
    auto ack = co_await a->receive(2s);
    CO_ASSERT(ack.ok(), ack.error().message);
    EXPECT_EQ(ack->type, FrameType::ack);
    EXPECT_EQ(ack->acks, std::vector<std::uint64_t>{*sent});
    CO_ASSERT((co_await b->send_padding(2s)).ok(), "padding");
    auto padding = co_await a->receive(2s);
    CO_ASSERT(padding.ok(), padding.error().message);
    EXPECT_EQ(padding->type, FrameType::padding);
  });
}

TEST_F(LinkChannelTest, AnonymousClientReachesAProviderThatAllowsIt) {
  run([this]() -> asio::awaitable<void> {
    auto pair = co_await connected_pair();
    CO_ASSERT(pair.ok(), pair.error().message);
    ResponderPolicy clients_only;
    clients_only.accept_anonymous = true;
    auto [client, provider] =
        co_await (LinkChannel::establish(std::move(pair->dialer),
                                         LinkSession::initiator(m_config, m_node_b.public_key, nullptr), m_rng, 5s) &&
                  LinkChannel::establish(std::move(pair->acceptor),
                                         LinkSession::responder(m_config, m_node_b, clients_only), m_rng, 5s));
    CO_ASSERT(client.ok(), client.error().message);
    CO_ASSERT(provider.ok(), provider.error().message);
    EXPECT_FALSE(provider->session().peer_identity().has_value());
  });
}

TEST_F(LinkChannelTest, WrongResponderIdentityFailsAndClosesBothEnds) {
  run([this]() -> asio::awaitable<void> {
    auto pair = co_await connected_pair();
    CO_ASSERT(pair.ok(), pair.error().message);
    const IdentityKeyPair impostor = identity_from_byte(9);
    auto [a, b] =
        co_await (LinkChannel::establish(std::move(pair->dialer),
                                         LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a), m_rng, 3s) &&
                  LinkChannel::establish(std::move(pair->acceptor),
                                         LinkSession::responder(m_config, impostor, accept_all()), m_rng, 3s));
    EXPECT_FALSE(a.ok());
    // The initiator closed without a confirm: the responder sees the close.
    CO_ASSERT(!b.ok(), "the responder must not establish");
    EXPECT_EQ(b.error().code, Errc::closed);
  });
}

// The initiator's side driven by hand on the raw stream, so tests can put
// arbitrary bytes on the wire after the handshake.
asio::awaitable<Status> hand_handshake(onion::Stream& stream, LinkSession& session, Random& rng) {
  auto hello = session.start(rng);
  if (!hello) co_return hello.error();
  auto [sent_error, sent_count] =
      co_await asio::async_write(stream, asio::buffer(*hello), asio::as_tuple(asio::use_awaitable));
  if (sent_error) co_return make_error(Errc::io, "write hello");
  Bytes response(session.expected_handshake_bytes());
  auto [read_error, read_count] =
      co_await asio::async_read(stream, asio::buffer(response), asio::as_tuple(asio::use_awaitable));
  if (read_error) co_return make_error(Errc::io, "read response");
  auto confirm = session.on_handshake(response, rng);
  if (!confirm) co_return confirm.error();
  auto [confirm_error, confirm_count] =
      co_await asio::async_write(stream, asio::buffer(*confirm), asio::as_tuple(asio::use_awaitable));
  if (confirm_error) co_return make_error(Errc::io, "write confirm");
  co_return Status{};
}

asio::awaitable<Status> write_raw(onion::Stream& stream, ByteView bytes) {
  auto [error, count] =
      co_await asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), asio::as_tuple(asio::use_awaitable));
  if (error) co_return make_error(Errc::io, "raw write");
  co_return Status{};
}

TEST_F(LinkChannelTest, TamperedFrameClosesTheLinkAndIsNeverAnswered) {
  run([this]() -> asio::awaitable<void> {
    auto pair = co_await connected_pair();
    CO_ASSERT(pair.ok(), pair.error().message);
    LinkSession sender = LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a);
    auto [handshake, channel] =
        co_await (hand_handshake(pair->dialer, sender, m_rng) &&
                  LinkChannel::establish(std::move(pair->acceptor),
                                         LinkSession::responder(m_config, m_node_b, accept_all()), m_rng, 5s));
    CO_ASSERT(handshake.ok(), handshake.error().message);
    CO_ASSERT(channel.ok(), channel.error().message);
    auto sealed = sender.seal_packet(a_packet(0x22));
    CO_ASSERT(sealed.ok(), sealed.error().message);
    sealed->bytes[100] ^= 0x01;
    CO_ASSERT((co_await write_raw(pair->dialer, sealed->bytes)).ok(), "write");
    auto got = co_await channel->receive(2s);
    CO_ASSERT(!got.ok(), "a tampered frame must not open");
    EXPECT_EQ(got.error().code, Errc::crypto);
    EXPECT_FALSE(channel->open());
    EXPECT_EQ(channel->session().drops().get(FrameDropReason::bad_auth), 1U);
    // Nothing comes back: the dialer reads EOF, no bytes.
    std::array<std::uint8_t, 16> buffer{};
    auto [error, count] =
        co_await pair->dialer.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    EXPECT_TRUE(error);
    EXPECT_EQ(count, 0U);
  });
}

TEST_F(LinkChannelTest, ReceiveTimeoutKeepsAHalfReceivedFrame) {
  run([this]() -> asio::awaitable<void> {
    auto pair = co_await connected_pair();
    CO_ASSERT(pair.ok(), pair.error().message);
    LinkSession sender = LinkSession::initiator(m_config, m_node_b.public_key, &m_node_a);
    auto [handshake, channel] =
        co_await (hand_handshake(pair->dialer, sender, m_rng) &&
                  LinkChannel::establish(std::move(pair->acceptor),
                                         LinkSession::responder(m_config, m_node_b, accept_all()), m_rng, 5s));
    CO_ASSERT(handshake.ok() && channel.ok(), "handshake");
    auto sealed = sender.seal_packet(a_packet(0x33));
    CO_ASSERT(sealed.ok(), sealed.error().message);
    const ByteView wire(sealed->bytes);
    const std::size_t half = wire.size() / 2;
    CO_ASSERT((co_await write_raw(pair->dialer, wire.first(half))).ok(), "first half");
    auto early = co_await channel->receive(200ms);
    CO_ASSERT(!early.ok(), "half a frame is no frame");
    EXPECT_EQ(early.error().code, Errc::timeout);
    EXPECT_TRUE(channel->open());
    CO_ASSERT((co_await write_raw(pair->dialer, wire.subspan(half))).ok(), "second half");
    auto got = co_await channel->receive(2s);
    CO_ASSERT(got.ok(), got.error().message);
    EXPECT_EQ(got->packet, a_packet(0x33));
  });
}

TEST_F(LinkChannelTest, SilentPeerTimesOutTheHandshake) {
  run([this]() -> asio::awaitable<void> {
    auto pair = co_await connected_pair();
    CO_ASSERT(pair.ok(), pair.error().message);
    auto channel = co_await LinkChannel::establish(
        std::move(pair->acceptor), LinkSession::responder(m_config, m_node_b, accept_all()), m_rng, 300ms);
    CO_ASSERT(!channel.ok(), "nobody said hello");
    EXPECT_EQ(channel.error().code, Errc::timeout);
  });
}

}  // namespace
}  // namespace tenebra::router::link
