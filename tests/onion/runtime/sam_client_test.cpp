// SamConnection against a scripted fake SAM bridge on 127.0.0.1.
#include "tenebra/onion/sam_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>

#include "fake_sam_bridge.hpp"
#include "onion/i2p_test_vectors.hpp"
#include "run_coroutine.hpp"

namespace tenebra::onion::sam {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using onion::test::answer_hello;
using onion::test::FakeSamBridge;
using onion::test::read_request;
using onion::test::run_coroutine;
using onion::test::send_text;

constexpr std::chrono::milliseconds kTimeout{2'000};

// A bridge whose every connection answers HELLO, reads one request, then
// sends `reply` (verbatim) and keeps the connection open briefly.
// A reply without its final '\n' is truncated: the bridge then closes.
FakeSamBridge::Script reply_with(std::string reply, std::string* request = nullptr) {
  const bool close_after = reply.empty() || reply.back() != '\n';
  return [reply, request, close_after](Stream& connection, int) -> asio::awaitable<void> {
    if (!co_await answer_hello(connection)) co_return;
    std::string line = co_await read_request(connection);
    if (request != nullptr) *request = line;
    co_await send_text(connection, reply);
    if (!close_after) co_await onion::test::hold_open(connection, 2s);
  };
}

Error open_error(std::string hello_reply) {
  Error error;
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    FakeSamBridge bridge(io, [hello_reply](Stream& connection, int) -> asio::awaitable<void> {
      (void)co_await read_request(connection);
      co_await send_text(connection, hello_reply);
    });
    auto connection = co_await SamConnection::open(bridge.port(), kTimeout);
    EXPECT_FALSE(connection.ok());
    if (!connection) error = connection.error();
  });
  return error;
}

TEST(SamClient, HelloOk) {
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    FakeSamBridge bridge(io, [](Stream& connection, int) -> asio::awaitable<void> {
      co_await answer_hello(connection);
      co_await onion::test::hold_open(connection, 2s);
    });
    auto connection = co_await SamConnection::open(bridge.port(), kTimeout);
    EXPECT_TRUE(connection.ok()) << connection.error().message;
  });
}

TEST(SamClient, HelloVersionMismatch) {
  EXPECT_EQ(open_error("HELLO REPLY RESULT=NOVERSION\n").code, Errc::unsupported);
  EXPECT_EQ(open_error("HELLO REPLY RESULT=OK VERSION=3.3\n").code, Errc::unsupported);
  EXPECT_EQ(open_error("HELLO REPLY RESULT=I2P_ERROR MESSAGE=no\n").code, Errc::io);
  EXPECT_EQ(open_error("SESSION STATUS RESULT=OK\n").code, Errc::malformed);
}

TEST(SamClient, HelloBridgeClosesOrStalls) {
  EXPECT_EQ(open_error("").code, Errc::closed);                 // closed before any reply
  EXPECT_EQ(open_error("HELLO REPLY RES").code, Errc::closed);  // closed mid-reply
  EXPECT_EQ(open_error(std::string(20'000, 'A')).code, Errc::exhausted);
  EXPECT_EQ(open_error("HELLO REPLY RESULT=OK\x01 VERSION=3.1\n").code, Errc::malformed);
}

TEST(SamClient, NoReplyTimesOut) {
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    FakeSamBridge bridge(
        io, [](Stream& connection, int) -> asio::awaitable<void> { co_await onion::test::hold_open(connection, 2s); });
    const auto start = std::chrono::steady_clock::now();
    auto connection = co_await SamConnection::open(bridge.port(), 200ms);
    EXPECT_EQ(connection.error().code, Errc::timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  });
}

TEST(SamClient, NothingListening) {
  run_coroutine([&](asio::io_context&) -> asio::awaitable<void> {
    auto connection = co_await SamConnection::open(1, kTimeout);
    EXPECT_FALSE(connection.ok());
  });
}

Status create_with_reply(const std::string& reply, std::string* request = nullptr) {
  Status result;
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    FakeSamBridge bridge(io, reply_with(reply, request));
    auto connection = co_await SamConnection::open(bridge.port(), kTimeout);
    if (!connection) {
      result = std::move(connection).error();
      co_return;
    }
    result = co_await connection->create_session("tnbtest", test::kPriv, TunnelOptions{}, kTimeout);
  });
  return result;
}

TEST(SamClient, SessionCreateOk) {
  std::string request;
  auto status = create_with_reply("SESSION STATUS RESULT=OK DESTINATION=" + std::string(test::kPriv) + "\n", &request);
  EXPECT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(request.rfind("SESSION CREATE STYLE=STREAM ID=tnbtest DESTINATION=", 0), 0U);
}

TEST(SamClient, SessionCreateErrors) {
  auto duplicated = create_with_reply("SESSION STATUS RESULT=DUPLICATED_ID\n");
  EXPECT_EQ(duplicated.error().code, Errc::invalid_argument);
  auto dest = create_with_reply("SESSION STATUS RESULT=DUPLICATED_DEST\n");
  EXPECT_EQ(dest.error().code, Errc::invalid_argument);
  auto failed = create_with_reply("SESSION STATUS RESULT=I2P_ERROR MESSAGE=Session not ready for " +
                                  std::string(test::kB32) + "\n");
  EXPECT_EQ(failed.error().code, Errc::io);
  // Errors never repeat what the bridge said (it can name destinations).
  EXPECT_EQ(failed.error().message.find("b32"), std::string::npos);
  EXPECT_EQ(create_with_reply("SESSION STATUS RESULT=WHATEVER\n").error().code, Errc::malformed);
  EXPECT_EQ(create_with_reply("SESSION STATUS RESULT=OK DESTINATION=AAAA\n").error().code, Errc::malformed);
  EXPECT_EQ(create_with_reply("SESSION STATUS RESULT=O").error().code, Errc::closed);
  EXPECT_EQ(create_with_reply(std::string(17 * 1024, 'S') + "\n").error().code, Errc::exhausted);
}

Status connect_with_reply(const std::string& reply) {
  Status result;
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    FakeSamBridge bridge(io, reply_with(reply));
    auto connection = co_await SamConnection::open(bridge.port(), kTimeout);
    if (!connection) {
      result = std::move(connection).error();
      co_return;
    }
    result = co_await connection->stream_connect("tnd1", test::kB32, kTimeout);
  });
  return result;
}

TEST(SamClient, StreamConnectErrorsAreMapped) {
  EXPECT_EQ(connect_with_reply("STREAM STATUS RESULT=CANT_REACH_PEER MESSAGE=Can't reach peer\n").error().code,
            Errc::not_found);
  EXPECT_EQ(connect_with_reply("STREAM STATUS RESULT=TIMEOUT\n").error().code, Errc::timeout);
  EXPECT_EQ(connect_with_reply("STREAM STATUS RESULT=I2P_ERROR\n").error().code, Errc::io);
  EXPECT_EQ(connect_with_reply("SESSION STATUS RESULT=I2P_ERROR MESSAGE=bad\n").error().code, Errc::io);
  EXPECT_EQ(connect_with_reply("STREAM STATUS RESULT=INVALID_KEY\n").error().code, Errc::invalid_argument);
  EXPECT_EQ(connect_with_reply("STREAM STATUS RESULT=INVALID_ID\n").error().code, Errc::closed);
  EXPECT_EQ(connect_with_reply("").error().code, Errc::closed);
  EXPECT_TRUE(connect_with_reply("STREAM STATUS RESULT=OK\n").ok());
}

TEST(SamClient, StreamConnectLeavesTheBytesAfterTheStatus) {
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    std::string request;
    FakeSamBridge bridge(io, reply_with("STREAM STATUS RESULT=OK\npayload-bytes", &request));
    auto connection = co_await SamConnection::open(bridge.port(), kTimeout);
    EXPECT_TRUE(connection.ok());
    if (!connection) co_return;
    auto status = co_await connection->stream_connect("tnd1", test::kB32, kTimeout);
    EXPECT_TRUE(status.ok());
    EXPECT_EQ(request, "STREAM CONNECT ID=tnd1 DESTINATION=" + std::string(test::kB32) + " SILENT=false");
    Stream stream = std::move(*connection).release();
    std::string data(13, '\0');
    auto [ec, got] = co_await asio::async_read(stream, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(ec);
    EXPECT_EQ(data, "payload-bytes");
  });
}

TEST(SamClient, AcceptReadsThePeerLineThenData) {
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    std::string request;
    FakeSamBridge bridge(io, [&request](Stream& connection, int) -> asio::awaitable<void> {
      co_await answer_hello(connection);
      request = co_await read_request(connection);
      co_await send_text(connection, "STREAM STATUS RESULT=OK\n");
      asio::steady_timer pause(co_await asio::this_coro::executor, 300ms);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      co_await send_text(connection, std::string(test::kPub) + "\nhello");
      co_await onion::test::hold_open(connection, 2s);
    });
    auto connection = co_await SamConnection::open(bridge.port(), kTimeout);
    EXPECT_TRUE(connection.ok());
    if (!connection) co_return;
    EXPECT_TRUE((co_await connection->stream_accept("tnbtest", kTimeout)).ok());
    EXPECT_EQ(request, "STREAM ACCEPT ID=tnbtest SILENT=false");
    // The peer comes later than the first wait: a timeout, then the line.
    auto early = co_await connection->read_accepted_peer(100ms);
    EXPECT_EQ(early.error().code, Errc::timeout);
    auto peer = co_await connection->read_accepted_peer(kTimeout);
    EXPECT_TRUE(peer.ok()) << peer.error().message;
    if (peer) {
      EXPECT_EQ(*peer, test::kPub);
    }
    Stream stream = std::move(*connection).release();
    std::string data(5, '\0');
    auto [ec, got] = co_await asio::async_read(stream, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
    EXPECT_FALSE(ec);
    EXPECT_EQ(data, "hello");
  });
}

Error accept_peer_error(std::string peer_text) {
  Error error;
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    FakeSamBridge bridge(io, [peer_text](Stream& connection, int) -> asio::awaitable<void> {
      co_await answer_hello(connection);
      (void)co_await read_request(connection);
      co_await send_text(connection, "STREAM STATUS RESULT=OK\n" + peer_text);
    });
    auto connection = co_await SamConnection::open(bridge.port(), kTimeout);
    if (!connection) co_return;
    EXPECT_TRUE((co_await connection->stream_accept("tnbtest", kTimeout)).ok());
    auto peer = co_await connection->read_accepted_peer(kTimeout);
    EXPECT_FALSE(peer.ok());
    if (!peer) error = peer.error();
    EXPECT_FALSE(connection->is_open());
  });
  return error;
}

TEST(SamClient, AcceptRejectsBadPeerLines) {
  EXPECT_EQ(accept_peer_error(std::string(kMaxPeerLineBytes + 10, 'A')).code, Errc::exhausted);
  EXPECT_EQ(accept_peer_error("not a destination\n").code, Errc::malformed);
  EXPECT_EQ(accept_peer_error(std::string(test::kPub).substr(0, 100)).code, Errc::closed);
}

TEST(SamClient, DestGenerateAndNaming) {
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    FakeSamBridge bridge(io, [](Stream& connection, int index) -> asio::awaitable<void> {
      co_await answer_hello(connection);
      (void)co_await read_request(connection);
      if (index == 0) {
        co_await send_text(connection,
                           "DEST REPLY PUB=" + std::string(test::kPub) + " PRIV=" + std::string(test::kPriv) + "\n");
      } else {
        co_await send_text(connection, "NAMING REPLY RESULT=KEY_NOT_FOUND NAME=nobody.i2p\n");
      }
      co_await onion::test::hold_open(connection, 2s);
    });
    auto first = co_await SamConnection::open(bridge.port(), kTimeout);
    EXPECT_TRUE(first.ok());
    if (!first) co_return;
    auto dest = co_await first->generate_destination(kTimeout);
    EXPECT_TRUE(dest.ok()) << dest.error().message;
    if (dest) {
      EXPECT_EQ(dest->pub, test::kPub);
      dest->wipe();
    }
    auto second = co_await SamConnection::open(bridge.port(), kTimeout);
    EXPECT_TRUE(second.ok());
    if (!second) co_return;
    auto name = co_await second->naming_lookup("nobody.i2p", kTimeout);
    EXPECT_EQ(name.error().code, Errc::not_found);
  });
}

}  // namespace
}  // namespace tenebra::onion::sam
