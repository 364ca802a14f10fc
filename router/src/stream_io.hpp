// Small helpers for the router's coroutines on onion::Stream (link channels,
// the directory service, the acceptors): time left to a deadline, writing a
// whole buffer within a timeout, and closing a stream without an error.
// Private to router/; one executor per stream, like the streams themselves.
#pragma once

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/transport.hpp"

namespace tenebra::router::stream_io {

inline std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

// `what` names the protocol in the error ("link", "directory").
inline boost::asio::awaitable<Status> write_all(onion::Stream& stream, ByteView bytes,
                                                std::chrono::milliseconds timeout, std::string_view what) {
  namespace asio = boost::asio;
  auto written = co_await onion::with_timeout(
      asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), asio::as_tuple(asio::use_awaitable)),
      timeout);
  if (!written) co_return make_error(Errc::timeout, std::string(what) + ": write timed out");
  if (std::get<0>(*written)) co_return make_error(Errc::io, std::string(what) + ": write failed");
  co_return Status{};
}

inline void close_quietly(onion::Stream& stream) noexcept {
  boost::system::error_code ignored;
  stream.close(ignored);
}

}  // namespace tenebra::router::stream_io
