#include "tenebra/onion/tcp_transport.hpp"

#include <charconv>

namespace tenebra::onion {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr unsigned char kLoopbackFirstOctet = 127;

Error plain_tcp_refused() {
  return make_error(Errc::unsupported,
                    "plain TCP transport refused: it exposes IP addresses and exists for loopback tests and "
                    "benchmarks only; set allow_plain_tcp to use it");
}

// Frames are written whole and their timing is the mix's to choose: Nagle's
// algorithm (with delayed ACKs on the other side) would hold a small write
// back for up to 40 ms. Best effort: a socket that refuses still works.
void disable_nagle(Stream& stream) noexcept {
  boost::system::error_code ignored;
  stream.set_option(tcp::no_delay(true), ignored);
}

}  // namespace

Result<LoopbackEndpoint> parse_loopback_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return make_error(Errc::invalid_argument, "address must be host:port");
  boost::system::error_code ec;
  const auto address = asio::ip::make_address_v4(std::string(text.substr(0, colon)), ec);
  if (ec) return make_error(Errc::invalid_argument, "address must be an IPv4 literal");
  if (address.to_bytes()[0] != kLoopbackFirstOctet) {
    return make_error(Errc::unsupported, "plain TCP transport only reaches 127.0.0.0/8");
  }
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return make_error(Errc::invalid_argument, "port must be 1..65535");
  }
  return LoopbackEndpoint{address, static_cast<std::uint16_t>(port)};
}

asio::awaitable<Result<Stream>> connect_loopback(LoopbackEndpoint endpoint, std::chrono::milliseconds timeout) {
  Stream stream(co_await asio::this_coro::executor);
  const asio::generic::stream_protocol::endpoint target(tcp::endpoint(endpoint.address, endpoint.port));
  auto outcome = co_await with_timeout(stream.async_connect(target, asio::as_tuple(asio::use_awaitable)), timeout);
  if (!outcome) co_return make_error(Errc::timeout, "connect timed out");
  if (auto [ec] = *outcome; ec) co_return make_error(Errc::io, "connect failed: " + ec.message());
  disable_nagle(stream);
  co_return std::move(stream);
}

Result<std::unique_ptr<LoopbackListener>> LoopbackListener::open(const asio::any_io_executor& executor,
                                                                 std::uint16_t port) {
  tcp::acceptor acceptor(executor);
  boost::system::error_code ec;
  const tcp::endpoint local(asio::ip::address_v4::loopback(), port);
  if (acceptor.open(local.protocol(), ec); ec) return make_error(Errc::io, "listen: open failed: " + ec.message());
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec) {
    return make_error(Errc::io, "listen: SO_REUSEADDR failed: " + ec.message());
  }
  if (acceptor.bind(local, ec); ec) return make_error(Errc::io, "listen: bind failed: " + ec.message());
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return make_error(Errc::io, "listen failed: " + ec.message());
  }
  const std::uint16_t bound = acceptor.local_endpoint(ec).port();
  if (ec) return make_error(Errc::io, "listen: local_endpoint failed: " + ec.message());
  return std::unique_ptr<LoopbackListener>(new LoopbackListener(std::move(acceptor), bound));
}

LoopbackListener::LoopbackListener(tcp::acceptor acceptor, std::uint16_t port)
    : m_acceptor(std::move(acceptor)), m_local_port(port), m_public_address("127.0.0.1:" + std::to_string(port)) {}

asio::awaitable<Result<Stream>> LoopbackListener::accept(std::chrono::milliseconds timeout) {
  if (!m_acceptor.is_open()) co_return make_error(Errc::closed, "listener closed");
  Stream peer(m_acceptor.get_executor());
  auto outcome = co_await with_timeout(m_acceptor.async_accept(peer, asio::as_tuple(asio::use_awaitable)), timeout);
  if (!outcome) co_return make_error(Errc::timeout, "accept timed out");
  if (auto [ec] = *outcome; ec) {
    if (ec == asio::error::operation_aborted || !m_acceptor.is_open()) co_return make_error(Errc::closed, "closed");
    co_return make_error(Errc::io, "accept failed: " + ec.message());
  }
  disable_nagle(peer);
  co_return std::move(peer);
}

void LoopbackListener::close() noexcept {
  boost::system::error_code ignored;
  m_acceptor.close(ignored);
}

TcpTransport::TcpTransport(asio::any_io_executor executor, TcpTransportOptions options)
    : m_executor(std::move(executor)), m_options(options) {}

asio::awaitable<Result<std::unique_ptr<Listener>>> TcpTransport::listen(std::uint16_t public_port,
                                                                        std::chrono::milliseconds /*timeout*/) {
  if (!m_options.allow_plain_tcp) co_return plain_tcp_refused();
  auto listener = LoopbackListener::open(m_executor, public_port);
  if (!listener) co_return std::move(listener).error();
  co_return std::unique_ptr<Listener>(std::move(*listener));
}

asio::awaitable<Result<Stream>> TcpTransport::dial(std::string address, std::string /*isolation_token*/,
                                                   std::chrono::milliseconds timeout) {
  if (!m_options.allow_plain_tcp) co_return plain_tcp_refused();
  auto endpoint = parse_loopback_address(address);
  if (!endpoint) co_return std::move(endpoint).error();
  co_return co_await connect_loopback(*endpoint, timeout);
}

}  // namespace tenebra::onion
