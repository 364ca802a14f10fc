// The plain TCP transport: for loopback tests and benchmarks only. It binds
// and connects on 127.0.0.0/8 and nowhere else (addresses are IPv4 literals,
// never resolved), and it refuses to work at all (Errc::unsupported) unless
// the configuration sets allow_plain_tcp, because plain TCP reveals the IP
// address that every other transport hides. Isolation tokens are accepted
// and ignored (there are no circuits to isolate).
//
// LoopbackListener (an acceptor on 127.0.0.1) is public because the tor
// backend forwards its onion services to one.
// Thread-safety: as Transport — one executor, coroutines on it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tenebra/onion/transport.hpp"

namespace tenebra::onion {

struct TcpTransportOptions {
  bool allow_plain_tcp = false;
};

struct LoopbackEndpoint {
  boost::asio::ip::address_v4 address;
  std::uint16_t port = 0;
};

// "127.x.y.z:port" with port 1..65535; anything else (names, other
// networks, IPv6) is refused.
[[nodiscard]] Result<LoopbackEndpoint> parse_loopback_address(std::string_view text);

class LoopbackListener final : public Listener {
 public:
  // Binds 127.0.0.1:`port` (0: any free port). `public_address` overrides
  // the advertised address (the tor backend advertises its .onion).
  [[nodiscard]] static Result<std::unique_ptr<LoopbackListener>> open(const boost::asio::any_io_executor& executor,
                                                                      std::uint16_t port);

  [[nodiscard]] const std::string& public_address() const noexcept override { return m_public_address; }
  void set_public_address(std::string address) { m_public_address = std::move(address); }
  [[nodiscard]] std::uint16_t local_port() const noexcept { return m_local_port; }
  [[nodiscard]] boost::asio::awaitable<Result<Stream>> accept(std::chrono::milliseconds timeout) override;
  void close() noexcept override;

 private:
  explicit LoopbackListener(boost::asio::ip::tcp::acceptor acceptor, std::uint16_t port);

  boost::asio::ip::tcp::acceptor m_acceptor;
  std::uint16_t m_local_port;
  std::string m_public_address;
};

class TcpTransport final : public Transport {
 public:
  TcpTransport(boost::asio::any_io_executor executor, TcpTransportOptions options);

  [[nodiscard]] boost::asio::awaitable<Result<std::unique_ptr<Listener>>> listen(
      std::uint16_t public_port, std::chrono::milliseconds timeout) override;
  [[nodiscard]] boost::asio::awaitable<Result<Stream>> dial(std::string address, std::string isolation_token,
                                                            std::chrono::milliseconds timeout) override;

 private:
  boost::asio::any_io_executor m_executor;
  TcpTransportOptions m_options;
};

// Connects a stream to a loopback TCP endpoint within `timeout` (shared with
// the tor backend, which reaches a TCP SocksPort this way).
[[nodiscard]] boost::asio::awaitable<Result<Stream>> connect_loopback(LoopbackEndpoint endpoint,
                                                                      std::chrono::milliseconds timeout);

}  // namespace tenebra::onion
