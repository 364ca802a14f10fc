// Echo helpers over onion::Stream for tunnel tests and benchmarks: a server
// that echoes every stream accepted on a Listener, and a client round trip
// that checks the bytes that come back. Every wait has a timeout and every
// loop a bound. Coroutines on the listener's / stream's executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "tenebra/core/result.hpp"
#include "tenebra/onion/transport.hpp"

namespace tenebra::test {

// Echoes one stream until the peer closes it, an error, or a 120 s silence.
boost::asio::awaitable<void> echo_stream(onion::Stream peer);

// Accepts up to `max_streams` streams until the listener is closed and echoes
// each one (in its own coroutine). `running` is true while it accepts.
boost::asio::awaitable<void> echo_server(onion::Listener& listener, bool& running, int max_streams = 64);

// Writes `message` and expects the same bytes back within `timeout`.
[[nodiscard]] boost::asio::awaitable<Status> echo_round_trip(onion::Stream& stream, const std::string& message,
                                                             std::chrono::milliseconds timeout);

// Sends `bytes` bytes while reading the echo concurrently (so neither side
// blocks on a full buffer), within `timeout`.
[[nodiscard]] boost::asio::awaitable<Status> echo_bulk(onion::Stream& stream, std::size_t bytes,
                                                       std::chrono::milliseconds timeout);

}  // namespace tenebra::test
