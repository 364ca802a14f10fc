#include "echo.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <vector>

namespace tenebra::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::size_t kEchoBufferBytes = 16 * 1024;
constexpr int kMaxEchoChunks = 1'000'000;
constexpr int kMaxAcceptTurns = 24 * 3600;  // one-second accept waits: a day at most

}  // namespace

asio::awaitable<void> echo_stream(onion::Stream peer) {
  std::array<char, kEchoBufferBytes> buffer{};
  for (int chunk = 0; chunk < kMaxEchoChunks; ++chunk) {
    auto got = co_await onion::with_timeout(
        peer.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable)), 120s);
    if (!got || std::get<0>(*got)) break;
    auto sent = co_await onion::with_timeout(
        asio::async_write(peer, asio::buffer(buffer.data(), std::get<1>(*got)), asio::as_tuple(asio::use_awaitable)),
        120s);
    if (!sent || std::get<0>(*sent)) break;
  }
}

asio::awaitable<void> echo_server(onion::Listener& listener, bool& running, int max_streams) {
  running = true;
  int accepted = 0;
  for (int turn = 0; turn < kMaxAcceptTurns && accepted < max_streams; ++turn) {
    auto stream = co_await listener.accept(1s);
    if (!stream) {
      if (stream.error().code == Errc::timeout) continue;
      break;
    }
    ++accepted;
    asio::co_spawn(co_await asio::this_coro::executor, echo_stream(std::move(*stream)),
                   [](const std::exception_ptr&) {});
  }
  running = false;
}

asio::awaitable<Status> echo_round_trip(onion::Stream& stream, const std::string& message,
                                        std::chrono::milliseconds timeout) {
  auto sent = co_await onion::with_timeout(
      asio::async_write(stream, asio::buffer(message), asio::as_tuple(asio::use_awaitable)), timeout);
  if (!sent || std::get<0>(*sent)) co_return make_error(Errc::io, "echo: write failed or timed out");
  std::string back(message.size(), '\0');
  auto got = co_await onion::with_timeout(
      asio::async_read(stream, asio::buffer(back), asio::as_tuple(asio::use_awaitable)), timeout);
  if (!got || std::get<0>(*got)) co_return make_error(Errc::io, "echo: read failed or timed out");
  if (back != message) co_return make_error(Errc::malformed, "echo: different bytes came back");
  co_return Status{};
}

asio::awaitable<Status> echo_bulk(onion::Stream& stream, std::size_t bytes, std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  std::vector<char> out(bytes);
  for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<char>(i * 131U);
  std::vector<char> back(bytes);
  auto write_all = [&]() -> asio::awaitable<bool> {
    auto [error, count] = co_await asio::async_write(stream, asio::buffer(out), asio::as_tuple(asio::use_awaitable));
    co_return !error && count == out.size();
  };
  auto read_all = [&]() -> asio::awaitable<bool> {
    auto [error, count] = co_await asio::async_read(stream, asio::buffer(back), asio::as_tuple(asio::use_awaitable));
    co_return !error && count == back.size();
  };
  auto both = co_await onion::with_timeout(write_all() && read_all(), timeout);
  if (!both) co_return make_error(Errc::timeout, "echo: bulk transfer timed out");
  if (!std::get<0>(*both) || !std::get<1>(*both)) co_return make_error(Errc::io, "echo: bulk transfer failed");
  if (back != out) co_return make_error(Errc::malformed, "echo: different bytes came back");
  co_return Status{};
}

}  // namespace tenebra::test
