// Helpers shared by the tests of the router's runtime modules (PeerLinks,
// LinkAcceptor, PacketPipeline) over real loopback streams: a bounded
// driver for an async test body that also checks that every task ended, a
// bounded poll, free ports, and a sink that records what a LinkAcceptor
// hands its PacketHandler.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "link_test_util.hpp"
#include "tenebra/core/bytes.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/onion/tcp_transport.hpp"
#include "tenebra/router/link_acceptor.hpp"

namespace tenebra::router::runtime_testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Runs `body` on a fresh io_context for at most `limit`. The body must
// finish, and once it has, nothing it started may still be running: the
// context must run out of work (a task left behind fails the test).
inline void run_io(const std::function<asio::awaitable<void>()>& body, std::chrono::seconds limit = 20s) {
  asio::io_context io;
  bool finished = false;
  asio::co_spawn(io, body(), [&](const std::exception_ptr& error) {
    EXPECT_FALSE(error) << "exception escaped the test body";
    finished = true;
  });
  io.run_for(limit);
  EXPECT_TRUE(finished) << "the test body did not finish in time";
  EXPECT_TRUE(io.stopped()) << "tasks were still running when the test body ended";
}

// Polls `done` every 5 ms, at most `turns` times; true once it held.
inline asio::awaitable<bool> poll_until(std::function<bool()> done, int turns = 2000) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int turn = 0; turn < turns; ++turn) {
    if (done()) co_return true;
    timer.expires_after(5ms);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return done();
}

// Waits `duration` (to give something the chance to happen that must not).
inline asio::awaitable<void> pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// A port on 127.0.0.1 that was free a moment ago (nobody listens on it now).
inline std::uint16_t free_port(const asio::any_io_executor& executor) {
  auto listener = onion::LoopbackListener::open(executor, 0);
  EXPECT_TRUE(listener.ok());
  if (!listener) return 0;
  const std::uint16_t port = (*listener)->local_port();
  (*listener)->close();
  return port;
}

inline std::string loopback_address(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

// A packet of the default geometry's size, every byte `fill`.
inline Bytes a_packet(std::uint8_t fill) {
  return Bytes(mix::sphinx::Geometry::default_geometry().packet_bytes(), fill);
}

// Records every packet a LinkAcceptor delivers, with its sender and time.
struct Sink {
  struct Delivery {
    Bytes packet;
    LinkPeer from;
    std::chrono::steady_clock::time_point at;
  };
  std::vector<Delivery> deliveries;
  bool ack = false;

  PacketHandler handler() {
    return [this](ByteView packet, const LinkPeer& from) {
      deliveries.push_back({Bytes(packet.begin(), packet.end()), from, std::chrono::steady_clock::now()});
      return ack;
    };
  }
};

inline link::LinkConfig test_link_config() {
  return link::testing::config_with(7);
}

inline link::ResponderPolicy accept_only(const IdentityPublicKey& initiator) {
  link::ResponderPolicy policy;
  policy.accept_identity = [initiator](const IdentityPublicKey& key) { return key == initiator; };
  return policy;
}

}  // namespace tenebra::router::runtime_testing
