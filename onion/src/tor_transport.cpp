#include "tenebra/onion/tor_transport.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <charconv>

#include "tenebra/core/log.hpp"
#include "tenebra/onion/service_id.hpp"
#include "tenebra/onion/socks5.hpp"
#include "tenebra/onion/tcp_transport.hpp"

namespace tenebra::onion {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kOnionSuffix = ".onion";
// tor ignores the password for isolation beyond comparing it; a fixed one
// keeps the user name (the isolation token) the only thing that varies.
constexpr std::string_view kSocksPassword = "tenebra";
constexpr std::size_t kMaxConnectReplyBytes = 4 + 1 + 255 + 2;

std::chrono::milliseconds left_until(SteadyClock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

asio::awaitable<Status> write_all(Stream& stream, ByteView bytes, SteadyClock::time_point deadline) {
  auto outcome = co_await with_timeout(
      asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), asio::as_tuple(asio::use_awaitable)),
      left_until(deadline));
  if (!outcome) co_return make_error(Errc::timeout, "SOCKS: write timed out");
  if (std::get<0>(*outcome)) co_return make_error(Errc::io, "SOCKS: write failed");
  co_return Status{};
}

asio::awaitable<Status> read_exact(Stream& stream, MutableByteView out, SteadyClock::time_point deadline) {
  auto outcome = co_await with_timeout(
      asio::async_read(stream, asio::buffer(out.data(), out.size()), asio::as_tuple(asio::use_awaitable)),
      left_until(deadline));
  if (!outcome) co_return make_error(Errc::timeout, "SOCKS: read timed out");
  if (std::get<0>(*outcome)) co_return make_error(Errc::io, "SOCKS: tor closed the connection");
  co_return Status{};
}

// Reads the CONNECT reply exactly (no stream byte after it is consumed).
asio::awaitable<Status> read_connect_reply(Stream& stream, SteadyClock::time_point deadline) {
  Bytes received;
  for (int step = 0; step < 8; ++step) {
    auto parsed = socks5::parse_connect_reply(received);
    if (!parsed) co_return std::move(parsed).error();
    if (const auto* reply = std::get_if<socks5::ConnectReply>(&*parsed)) {
      if (reply->code != socks5::ReplyCode::succeeded) co_return socks5::failure_error(reply->code);
      co_return Status{};
    }
    const std::size_t more = std::get<socks5::NeedMore>(*parsed).bytes;
    if (received.size() + more > kMaxConnectReplyBytes) co_return make_error(Errc::malformed, "SOCKS: reply too long");
    const std::size_t had = received.size();
    received.resize(had + more);
    if (auto status = co_await read_exact(stream, MutableByteView(received).subspan(had), deadline); !status) {
      co_return status;
    }
  }
  co_return make_error(Errc::malformed, "SOCKS: reply did not complete");
}

asio::awaitable<Status> socks_handshake(Stream& stream, const OnionAddress& target, std::string_view token,
                                        SteadyClock::time_point deadline) {
  auto auth = socks5::build_auth_request(token, kSocksPassword);
  if (!auth) co_return std::move(auth).error();
  auto connect = socks5::build_connect_request(target.service_id + std::string(kOnionSuffix), target.port);
  if (!connect) co_return std::move(connect).error();

  if (auto status = co_await write_all(stream, socks5::build_greeting(true), deadline); !status) co_return status;
  std::array<std::uint8_t, socks5::kMethodSelectionBytes> method{};
  if (auto status = co_await read_exact(stream, method, deadline); !status) co_return status;
  if (auto status = socks5::parse_method_selection(method, true); !status) co_return status;
  if (auto status = co_await write_all(stream, *auth, deadline); !status) co_return status;
  std::array<std::uint8_t, socks5::kAuthReplyBytes> auth_reply{};
  if (auto status = co_await read_exact(stream, auth_reply, deadline); !status) co_return status;
  if (auto status = socks5::parse_auth_reply(auth_reply); !status) co_return status;
  if (auto status = co_await write_all(stream, *connect, deadline); !status) co_return status;
  co_return co_await read_connect_reply(stream, deadline);
}

}  // namespace

Result<OnionAddress> parse_onion_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return make_error(Errc::invalid_argument, "onion address must be host:port");
  std::string_view host = text.substr(0, colon);
  if (host.size() <= kOnionSuffix.size() || !host.ends_with(kOnionSuffix)) {
    return make_error(Errc::invalid_argument, "tor transport only dials .onion addresses");
  }
  host.remove_suffix(kOnionSuffix.size());
  if (!tor::is_valid_service_id(host)) return make_error(Errc::invalid_argument, "not a valid v3 onion service id");
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return make_error(Errc::invalid_argument, "port must be 1..65535");
  }
  return OnionAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

TorTransport::TorTransport(asio::any_io_executor executor, TorSupervisor& supervisor)
    : m_executor(std::move(executor)), m_supervisor(&supervisor) {}

asio::awaitable<Result<std::unique_ptr<Listener>>> TorTransport::listen(std::uint16_t public_port,
                                                                        std::chrono::milliseconds timeout) {
  if (public_port == 0) co_return make_error(Errc::invalid_argument, "onion services need a virtual port");
  if (auto ready = co_await m_supervisor->wait_ready(timeout); !ready) co_return std::move(ready).error();
  auto listener = LoopbackListener::open(m_executor, 0);
  if (!listener) co_return std::move(listener).error();
  auto service_id = co_await m_supervisor->add_onion(public_port, (*listener)->local_port());
  if (!service_id) co_return std::move(service_id).error();
  (*listener)->set_public_address(*service_id + std::string(kOnionSuffix) + ":" + std::to_string(public_port));
  co_return std::unique_ptr<Listener>(std::move(*listener));
}

asio::awaitable<Result<Stream>> TorTransport::dial(std::string address, std::string isolation_token,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  auto target = parse_onion_address(address);
  if (!target) co_return std::move(target).error();
  if (isolation_token.empty()) co_return make_error(Errc::invalid_argument, "dial needs an isolation token");
  Stream stream(m_executor);
  const asio::generic::stream_protocol::endpoint socks(
      asio::local::stream_protocol::endpoint(m_supervisor->socks_socket().native()));
  auto connected =
      co_await with_timeout(stream.async_connect(socks, asio::as_tuple(asio::use_awaitable)), left_until(deadline));
  if (!connected) co_return make_error(Errc::timeout, "tor SOCKS: connect timed out");
  if (std::get<0>(*connected)) co_return make_error(Errc::io, "tor SOCKS socket unavailable (tor restarting?)");
  if (auto status = co_await socks_handshake(stream, *target, isolation_token, deadline); !status) {
    co_return std::move(status).error();
  }
  co_return std::move(stream);
}

asio::awaitable<void> TorTransport::forget_peer(std::string address, std::string isolation_token) {
  (void)isolation_token;  // the descriptor cache is shared by every circuit
  auto target = parse_onion_address(address);
  if (!target) co_return;
  if (auto status = co_await m_supervisor->refetch_descriptor(target->service_id); !status) {
    log::debug("tor: descriptor refetch not started: {}", status.error().message);
  }
}

asio::awaitable<Result<Stream>> dial_with_retry(Transport& transport, std::string address, std::string isolation_token,
                                                Backoff& backoff, DialRetryPolicy policy) {
  const auto deadline = SteadyClock::now() + policy.total_budget;
  Error last = make_error(Errc::timeout, "dial: no attempt fit in the budget");
  for (unsigned attempt = 0; attempt < policy.max_attempts && SteadyClock::now() < deadline; ++attempt) {
    auto stream =
        co_await transport.dial(address, isolation_token, std::min(policy.attempt_timeout, left_until(deadline)));
    if (stream) {
      backoff.reset();
      co_return stream;
    }
    last = std::move(stream).error();
    if (last.code == Errc::invalid_argument || last.code == Errc::crypto || last.code == Errc::unsupported) break;
    asio::steady_timer pause(co_await asio::this_coro::executor, std::min(backoff.next_delay(), left_until(deadline)));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return last;
}

}  // namespace tenebra::onion
