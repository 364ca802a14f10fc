#include "tenebra/onion/tcp_transport.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <vector>

#include "run_coroutine.hpp"

namespace tenebra::onion {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::run_coroutine;

TEST(LoopbackAddress, OnlyLoopbackLiterals) {
  EXPECT_TRUE(parse_loopback_address("127.0.0.1:80").ok());
  EXPECT_TRUE(parse_loopback_address("127.3.4.5:65535").ok());
  EXPECT_EQ(parse_loopback_address("10.0.0.1:80").error().code, Errc::unsupported);
  EXPECT_EQ(parse_loopback_address("192.0.2.1:80").error().code, Errc::unsupported);
  EXPECT_EQ(parse_loopback_address("localhost:80").error().code, Errc::invalid_argument);
  EXPECT_EQ(parse_loopback_address("[::1]:80").error().code, Errc::invalid_argument);
  EXPECT_EQ(parse_loopback_address("127.0.0.1").error().code, Errc::invalid_argument);
  EXPECT_EQ(parse_loopback_address("127.0.0.1:0").error().code, Errc::invalid_argument);
  EXPECT_EQ(parse_loopback_address("127.0.0.1:65536").error().code, Errc::invalid_argument);
  EXPECT_EQ(parse_loopback_address("127.0.0.1:80x").error().code, Errc::invalid_argument);
}

TEST(TcpTransport, RefusedWithoutTheFlag) {
  run_coroutine([](asio::io_context& io) -> asio::awaitable<void> {
    TcpTransport transport(io.get_executor(), TcpTransportOptions{});
    auto listener = co_await transport.listen(0, 1s);
    EXPECT_FALSE(listener.ok());
    if (!listener) {
      EXPECT_EQ(listener.error().code, Errc::unsupported);
    }
    auto stream = co_await transport.dial("127.0.0.1:9", "peer", 1s);
    EXPECT_FALSE(stream.ok());
    if (!stream) {
      EXPECT_EQ(stream.error().code, Errc::unsupported);
    }
  });
}

TEST(TcpTransport, RefusesNonLoopbackDial) {
  run_coroutine([](asio::io_context& io) -> asio::awaitable<void> {
    TcpTransport transport(io.get_executor(), TcpTransportOptions{true});
    auto stream = co_await transport.dial("192.0.2.1:80", "peer", 1s);
    EXPECT_FALSE(stream.ok());
    if (!stream) {
      EXPECT_EQ(stream.error().code, Errc::unsupported);
    }
  });
}

TEST(TcpTransport, BytesBothWays) {
  run_coroutine([](asio::io_context& io) -> asio::awaitable<void> {
    TcpTransport transport(io.get_executor(), TcpTransportOptions{true});
    auto listener = co_await transport.listen(0, 1s);
    if (!listener) {
      ADD_FAILURE() << listener.error().message;
      co_return;
    }
    const std::string address = (*listener)->public_address();
    EXPECT_EQ(address.rfind("127.0.0.1:", 0), 0U);
    auto client = co_await transport.dial(address, "peer", 2s);
    auto server = co_await (*listener)->accept(2s);
    if (!client || !server) {
      ADD_FAILURE() << "dial or accept failed";
      co_return;
    }
    const std::string ping = "ping from client";
    const std::string pong = "pong from server";
    co_await asio::async_write(*client, asio::buffer(ping), asio::use_awaitable);
    std::string got(ping.size(), '\0');
    co_await asio::async_read(*server, asio::buffer(got), asio::use_awaitable);
    EXPECT_EQ(got, ping);
    co_await asio::async_write(*server, asio::buffer(pong), asio::use_awaitable);
    got.assign(pong.size(), '\0');
    co_await asio::async_read(*client, asio::buffer(got), asio::use_awaitable);
    EXPECT_EQ(got, pong);
  });
}

TEST(TcpTransport, AcceptTimesOutAndCloseEndsIt) {
  run_coroutine([](asio::io_context& io) -> asio::awaitable<void> {
    TcpTransport transport(io.get_executor(), TcpTransportOptions{true});
    auto listener = co_await transport.listen(0, 1s);
    if (!listener) co_return ADD_FAILURE();
    const auto start = std::chrono::steady_clock::now();
    auto none = co_await (*listener)->accept(50ms);
    EXPECT_FALSE(none.ok());
    if (!none) {
      EXPECT_EQ(none.error().code, Errc::timeout);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    (*listener)->close();
    auto closed = co_await (*listener)->accept(1s);
    EXPECT_FALSE(closed.ok());
    if (!closed) {
      EXPECT_EQ(closed.error().code, Errc::closed);
    }
  });
}

// A listening socket that never accepts and whose backlog is full: Linux
// drops further SYNs, so a connect to it hangs until our timeout.
struct FullBacklog {
  int listener = -1;
  std::vector<int> fillers;
  std::uint16_t port = 0;
  FullBacklog() {
    listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener, 0) != 0) return;
    (void)::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    for (int i = 0; i < 4; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), len);
      fillers.push_back(fd);
    }
  }
  ~FullBacklog() {
    for (int fd : fillers) ::close(fd);
    ::close(listener);
  }
};

TEST(TcpTransport, DialTimesOut) {
  FullBacklog full;
  ASSERT_NE(full.port, 0);
  run_coroutine([&full](asio::io_context& io) -> asio::awaitable<void> {
    TcpTransport transport(io.get_executor(), TcpTransportOptions{true});
    const auto start = std::chrono::steady_clock::now();
    auto stream = co_await transport.dial("127.0.0.1:" + std::to_string(full.port), "peer", 300ms);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(stream.ok());
    if (!stream) {
      EXPECT_EQ(stream.error().code, Errc::timeout) << stream.error().message;
    }
    EXPECT_GE(took, 250ms);
    EXPECT_LT(took, 2s);
  });
}

TEST(TcpTransport, DialToClosedPortIsAnIoError) {
  run_coroutine([](asio::io_context& io) -> asio::awaitable<void> {
    TcpTransport transport(io.get_executor(), TcpTransportOptions{true});
    // Bind then close to learn a port nobody listens on.
    std::uint16_t port = 0;
    {
      auto listener = LoopbackListener::open(io.get_executor(), 0);
      if (!listener) co_return ADD_FAILURE();
      port = (*listener)->local_port();
    }
    auto stream = co_await transport.dial("127.0.0.1:" + std::to_string(port), "peer", 1s);
    EXPECT_FALSE(stream.ok());
    if (!stream) {
      EXPECT_EQ(stream.error().code, Errc::io);
    }
  });
}

}  // namespace
}  // namespace tenebra::onion
