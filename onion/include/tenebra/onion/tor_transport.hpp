// The tor backend of Transport, on top of a running TorSupervisor.
//
// listen() opens a LoopbackListener on 127.0.0.1 (a free port) and publishes
// it as this node's onion service (persisted key: the address survives tor
// restarts). dial() opens a stream to "<service id>.onion:<port>" through
// tor's SocksPort with SOCKS5 username/password authentication, the
// isolation token as user name, so streams with different tokens get
// different circuits. Failures come back as Errors mapped from tor's
// extended SOCKS codes: Errc::not_found for "descriptor not found" (the
// peer's onion is not published yet: retry with a Backoff, do not hammer),
// Errc::io / Errc::timeout for failed or timed-out circuits (retryable),
// Errc::invalid_argument / Errc::crypto for addresses that cannot work.
// Thread-safety: as Transport; the supervisor must outlive the transport.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "tenebra/onion/backoff.hpp"
#include "tenebra/onion/tor_supervisor.hpp"
#include "tenebra/onion/transport.hpp"

namespace tenebra::onion {

struct OnionAddress {
  std::string service_id;  // 56 base32 characters, no ".onion"
  std::uint16_t port = 0;
};

// "<service id>.onion:<port>", port 1..65535; the service id is checked
// (alphabet, length, checksum, version).
[[nodiscard]] Result<OnionAddress> parse_onion_address(std::string_view text);

class TorTransport final : public Transport {
 public:
  TorTransport(boost::asio::any_io_executor executor, TorSupervisor& supervisor);

  [[nodiscard]] boost::asio::awaitable<Result<std::unique_ptr<Listener>>> listen(
      std::uint16_t public_port, std::chrono::milliseconds timeout) override;
  [[nodiscard]] boost::asio::awaitable<Result<Stream>> dial(std::string address, std::string isolation_token,
                                                            std::chrono::milliseconds timeout) override;
  // HSFETCH for the peer's onion (see TorSupervisor::refetch_descriptor).
  boost::asio::awaitable<void> forget_peer(std::string address, std::string isolation_token) override;

 private:
  boost::asio::any_io_executor m_executor;
  TorSupervisor* m_supervisor;
};

struct DialRetryPolicy {
  std::chrono::milliseconds attempt_timeout{30'000};
  std::chrono::milliseconds total_budget{120'000};
  unsigned max_attempts = 30;
};

// Dials until it works, waiting backoff.next_delay() between attempts, for
// peers whose onion is not published yet or whose tor is restarting. Gives
// up at once on errors that cannot heal (Errc::invalid_argument, crypto,
// unsupported), and after max_attempts or total_budget. The backoff is reset
// on success.
[[nodiscard]] boost::asio::awaitable<Result<Stream>> dial_with_retry(Transport& transport, std::string address,
                                                                     std::string isolation_token, Backoff& backoff,
                                                                     DialRetryPolicy policy = {});

}  // namespace tenebra::onion
