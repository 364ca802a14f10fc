#include "tenebra/onion/sam_client.hpp"

#include <sodium.h>

#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "tenebra/onion/tcp_transport.hpp"
#include "wipe.hpp"

namespace tenebra::onion::sam {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

std::chrono::milliseconds left_until(SteadyClock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

// Appends bytes to `line` one at a time until '\n' (never reading past it),
// so what follows a reply stays in the socket.
asio::awaitable<Status> read_line_into(Stream& socket, std::string& line, std::size_t cap) {
  for (std::size_t turn = 0; turn <= cap + 1; ++turn) {
    if (!line.empty() && line.back() == '\n') co_return Status{};
    if (line.size() > cap) co_return make_error(Errc::exhausted, "SAM: reply line longer than its cap");
    char byte = 0;
    auto [ec, got] = co_await asio::async_read(socket, asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
    if (ec || got != 1) {
      co_return make_error(ec == asio::error::eof ? Errc::closed : Errc::io,
                           line.empty() ? "SAM: bridge closed the connection" : "SAM: bridge closed mid-reply");
    }
    line.push_back(byte);
  }
  co_return make_error(Errc::exhausted, "SAM: reply line longer than its cap");
}

}  // namespace

Error session_error(SessionResult result) {
  switch (result) {
    case SessionResult::duplicated_id:
      return make_error(Errc::invalid_argument, "SAM SESSION CREATE: the session id is already in use");
    case SessionResult::duplicated_dest:
      return make_error(Errc::invalid_argument, "SAM SESSION CREATE: the destination already has a session");
    case SessionResult::invalid_id:
      return make_error(Errc::invalid_argument, "SAM SESSION CREATE: invalid session id");
    case SessionResult::invalid_key:
      return make_error(Errc::invalid_argument, "SAM SESSION CREATE: invalid destination key");
    case SessionResult::i2p_error:
    case SessionResult::ok:
      break;
  }
  return make_error(Errc::io, "SAM SESSION CREATE: i2pd failed to create the session");
}

Error stream_error(StreamResult result) {
  switch (result) {
    case StreamResult::cant_reach_peer:
      return make_error(Errc::not_found, "I2P peer unreachable (lease set not found or tunnels down); retry later");
    case StreamResult::timeout:
      return make_error(Errc::timeout, "I2P stream: i2pd timed out reaching the peer");
    case StreamResult::invalid_key:
      return make_error(Errc::invalid_argument, "I2P stream: invalid destination");
    case StreamResult::invalid_id:
      return make_error(Errc::closed, "I2P stream: the SAM session no longer exists (i2pd restarted?)");
    case StreamResult::i2p_error:
    case StreamResult::ok:
      break;
  }
  return make_error(Errc::io, "I2P stream: i2pd reported an error");
}

asio::awaitable<Result<SamConnection>> SamConnection::open(std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  auto socket = co_await connect_loopback(LoopbackEndpoint{asio::ip::address_v4::loopback(), port}, timeout);
  if (!socket) co_return make_error(socket.error().code, "SAM bridge: " + socket.error().message);
  SamConnection connection(std::move(*socket));
  auto reply = co_await connection.request(build_hello(), left_until(deadline));
  if (!reply) co_return std::move(reply).error();
  auto hello = parse_hello_reply(*reply);
  if (!hello) co_return std::move(hello).error();
  co_return std::move(connection);
}

asio::awaitable<Result<std::string>> SamConnection::read_line(std::size_t cap, std::chrono::milliseconds timeout) {
  auto outcome = co_await with_timeout(read_line_into(m_socket, m_partial, cap), timeout);
  if (!outcome) co_return make_error(Errc::timeout, "SAM: no reply in time");
  if (!*outcome) {
    detail::wipe_string(m_partial);
    close();
    co_return std::move(*outcome).error();
  }
  std::string line = std::move(m_partial);
  m_partial.clear();
  co_return line;
}

asio::awaitable<Result<Reply>> SamConnection::request(std::string line, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  if (!m_socket.is_open()) {
    detail::wipe_string(line);
    co_return make_error(Errc::closed, "SAM: connection is closed");
  }
  auto written = co_await with_timeout(
      asio::async_write(m_socket, asio::buffer(line), asio::as_tuple(asio::use_awaitable)), timeout);
  detail::wipe_string(line);
  if (!written) {
    close();
    co_return make_error(Errc::timeout, "SAM: write timed out");
  }
  if (std::get<0>(*written)) {
    close();
    co_return make_error(Errc::closed, "SAM: bridge closed the connection");
  }
  auto text = co_await read_line(kMaxLineBytes, left_until(deadline));
  if (!text) {
    // A reply that did not come in time can no longer be matched to its request.
    if (text.error().code == Errc::timeout) close();
    co_return std::move(text).error();
  }
  auto reply = parse_reply(*text);
  detail::wipe_string(*text);
  co_return reply;
}

asio::awaitable<Result<DestReply>> SamConnection::generate_destination(std::chrono::milliseconds timeout) {
  auto reply = co_await request(build_dest_generate(), timeout);
  if (!reply) co_return std::move(reply).error();
  auto dest = parse_dest_reply(*reply);
  reply->wipe();
  co_return dest;
}

asio::awaitable<Status> SamConnection::create_session(std::string_view id, std::string_view private_destination,
                                                      const TunnelOptions& options, std::chrono::milliseconds timeout) {
  auto line = build_session_create(id, private_destination, options);
  if (!line) co_return std::move(line).error();
  auto reply = co_await request(std::move(*line), timeout);
  if (!reply) co_return std::move(reply).error();
  auto status = parse_session_status(*reply);
  reply->wipe();
  if (!status) co_return std::move(status).error();
  const SessionResult result = status->result;
  status->wipe();
  if (result != SessionResult::ok) co_return session_error(result);
  co_return Status{};
}

asio::awaitable<Status> SamConnection::stream_connect(std::string_view id, std::string_view destination,
                                                      std::chrono::milliseconds timeout) {
  auto line = build_stream_connect(id, destination);
  if (!line) co_return std::move(line).error();
  auto reply = co_await request(std::move(*line), timeout);
  if (!reply) co_return std::move(reply).error();
  auto status = parse_stream_status(*reply);
  if (!status) co_return std::move(status).error();
  if (status->result != StreamResult::ok) co_return stream_error(status->result);
  co_return Status{};
}

asio::awaitable<Status> SamConnection::stream_accept(std::string_view id, std::chrono::milliseconds timeout) {
  auto line = build_stream_accept(id);
  if (!line) co_return std::move(line).error();
  auto reply = co_await request(std::move(*line), timeout);
  if (!reply) co_return std::move(reply).error();
  auto status = parse_stream_status(*reply);
  if (!status) co_return std::move(status).error();
  if (status->result != StreamResult::ok) co_return stream_error(status->result);
  co_return Status{};
}

asio::awaitable<Result<std::string>> SamConnection::read_accepted_peer(std::chrono::milliseconds timeout) {
  if (!m_socket.is_open()) co_return make_error(Errc::closed, "SAM: connection is closed");
  auto line = co_await read_line(kMaxPeerLineBytes, timeout);
  if (!line) co_return std::move(line).error();
  auto peer = parse_accepted_peer(*line);
  if (!peer) close();
  co_return peer;
}

asio::awaitable<Result<std::string>> SamConnection::naming_lookup(std::string_view name,
                                                                  std::chrono::milliseconds timeout) {
  auto line = build_naming_lookup(name);
  if (!line) co_return std::move(line).error();
  auto reply = co_await request(std::move(*line), timeout);
  if (!reply) co_return std::move(reply).error();
  auto naming = parse_naming_reply(*reply);
  if (!naming) co_return std::move(naming).error();
  if (naming->result == NamingResult::key_not_found) co_return make_error(Errc::not_found, "SAM NAMING: not found");
  if (naming->result == NamingResult::invalid_key) {
    co_return make_error(Errc::invalid_argument, "SAM NAMING: invalid name");
  }
  co_return std::move(naming->value);
}

asio::awaitable<Status> SamConnection::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  std::array<char, 512> buffer{};
  for (int turn = 0; turn < 100'000 && m_socket.is_open(); ++turn) {
    auto outcome = co_await with_timeout(
        m_socket.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable)), left_until(deadline));
    if (!outcome) co_return make_error(Errc::timeout, "SAM: still open");
    sodium_memzero(buffer.data(), buffer.size());
    if (std::get<0>(*outcome)) break;
  }
  close();
  co_return Status{};
}

void SamConnection::close() noexcept {
  boost::system::error_code ignored;
  m_socket.close(ignored);
}

Stream SamConnection::release() && {
  return std::move(m_socket);
}

}  // namespace tenebra::onion::sam
