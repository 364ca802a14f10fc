// The Transport interface: how the router reaches every link. A transport
// hosts services (listen: learn the service's public address — a .onion, a
// .b32.i2p or host:port — and accept byte streams on it) and dials peers
// (an address plus an isolation token, so unrelated peers never share a
// circuit). Streams are Boost.Asio generic stream sockets (TCP or unix),
// usable with async_read/async_write. Backends: tcp (loopback tests and
// benchmarks only), tor; i2p follows the same shape.
//
// Every operation is a C++20 coroutine with a timeout, and reports failure
// as a Result (Errc::timeout, Errc::io, Errc::unsupported, ...), never by
// exception. Thread-safety: a transport and its listeners belong to one
// executor (strand); call them from coroutines running on it.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "tenebra/core/result.hpp"

namespace tenebra::onion {

using Stream = boost::asio::generic::stream_protocol::socket;

class Listener {
 public:
  virtual ~Listener() = default;
  // The address peers dial ("<id>.onion:<port>", "127.0.0.1:<port>"). It
  // may identify this node: never log it at the default level.
  [[nodiscard]] virtual const std::string& public_address() const noexcept = 0;
  // The next incoming stream; Errc::timeout when none came in time.
  [[nodiscard]] virtual boost::asio::awaitable<Result<Stream>> accept(std::chrono::milliseconds timeout) = 0;
  // Stops accepting; pending accepts end with Errc::closed.
  virtual void close() noexcept = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Hosts a service reachable on `public_port` (0 lets the tcp backend pick).
  [[nodiscard]] virtual boost::asio::awaitable<Result<std::unique_ptr<Listener>>> listen(
      std::uint16_t public_port, std::chrono::milliseconds timeout) = 0;
  // Opens a stream to `address`. Streams with different isolation tokens
  // never share a circuit; use a fresh token per unrelated peer.
  [[nodiscard]] virtual boost::asio::awaitable<Result<Stream>> dial(std::string address, std::string isolation_token,
                                                                    std::chrono::milliseconds timeout) = 0;
  // A dial to `address` failed or its stream died: drop what the transport
  // caches about the peer so the next dial does not reuse stale state (tor
  // refetches the onion descriptor, i2p closes the token's SAM session).
  // Best effort: never fails, may do nothing.
  virtual boost::asio::awaitable<void> forget_peer(std::string address, std::string isolation_token) {
    (void)address;
    (void)isolation_token;
    co_return;
  }
};

// Runs `operation` against a timer: its result, or nullopt when `timeout`
// passed first (the operation is then cancelled and has completed before
// this returns, so nothing it touches is used afterwards). Operations must
// not throw: use as_tuple(use_awaitable) completions.
template <typename T>
[[nodiscard]] boost::asio::awaitable<std::optional<T>> with_timeout(boost::asio::awaitable<T> operation,
                                                                    std::chrono::milliseconds timeout) {
  using namespace boost::asio::experimental::awaitable_operators;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, timeout);
  auto outcome = co_await (std::move(operation) || timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
  if (outcome.index() == 0) co_return std::optional<T>(std::get<0>(std::move(outcome)));
  co_return std::nullopt;
}

}  // namespace tenebra::onion
