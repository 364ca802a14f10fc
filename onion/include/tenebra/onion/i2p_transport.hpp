// The I2P backend of Transport, on top of i2pd's SAM v3.1 bridge (run by an
// I2pdSupervisor, seen through I2pSessionSource).
//
// Addresses are "<52 base32 chars>.b32.i2p:<port>". SAM 3.1 streams carry
// no ports (i2pd 2.45.1 neither sends nor filters them), so the port is
// checked for syntax only: a node's destination hosts one service, and at
// most one listener may be open per transport at a time (i2pd 3.1 sessions
// allow a single pending STREAM ACCEPT).
//
// listen() returns the node's persisted destination ("<b32>.b32.i2p:<port>",
// stable across i2pd restarts); accept() keeps one STREAM ACCEPT
// connection pending, reads the peer's destination line (size-capped, then
// dropped: it is never logged or returned) and hands over the socket.
//
// Isolation: dial() never uses the node's own destination. Each isolation
// token gets its own SAM session with a TRANSIENT destination (created on
// first use, reused for later dials with the same token), so peers dialed
// with different tokens see different source destinations and the streams
// use disjoint tunnel pools. What is shared: the i2pd router (its
// RouterInfo, transport connections and the peers chosen for tunnels).
// Cost: a new token waits for SESSION CREATE (20 to 60 s on i2pd 2.45.1,
// whose SAM checks readiness on a 20 s tick). At most max_dial_sessions
// tokens are kept; beyond that the least recently used session is closed,
// which ends its streams. Sessions made before an i2pd restart are
// recreated on the next dial.
//
// Failures are Errors: Errc::not_found for CANT_REACH_PEER (no lease set
// yet, or the peer's tunnels are down: retry with a backoff, e.g.
// dial_with_retry), Errc::timeout, Errc::io, Errc::closed (session gone,
// retried transparently on the next dial), Errc::invalid_argument for
// addresses or tokens that cannot work. STREAM STATUS RESULT=OK is local to
// i2pd: a stream may still carry nothing, so applications need their own
// handshake with a timeout.
// Thread-safety: as Transport; the source must outlive the transport.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "tenebra/core/random.hpp"
#include "tenebra/onion/i2p_session_source.hpp"
#include "tenebra/onion/sam_client.hpp"
#include "tenebra/onion/transport.hpp"

namespace tenebra::onion {

struct I2pAddress {
  std::string host;  // "<52 chars>.b32.i2p", lowercase
  std::uint16_t port = 0;
};

// "<52 base32 chars>.b32.i2p:<port>", port 1..65535.
[[nodiscard]] Result<I2pAddress> parse_i2p_address(std::string_view text);

inline constexpr std::size_t kMaxIsolationTokenBytes = 256;

struct I2pTransportOptions {
  // Tunnels of the per-token dial sessions.
  sam::TunnelOptions dial_tunnels;
  std::size_t max_dial_sessions = 16;
  // SESSION CREATE: i2pd 2.45.1 answers at its 20, 40 or 60 s tick.
  std::chrono::milliseconds session_timeout{90'000};
};

class I2pTransport final : public Transport {
 public:
  I2pTransport(boost::asio::any_io_executor executor, I2pSessionSource& source, Random& rng,
               I2pTransportOptions options = {});
  ~I2pTransport() override;
  I2pTransport(const I2pTransport&) = delete;
  I2pTransport& operator=(const I2pTransport&) = delete;

  [[nodiscard]] boost::asio::awaitable<Result<std::unique_ptr<Listener>>> listen(
      std::uint16_t public_port, std::chrono::milliseconds timeout) override;
  [[nodiscard]] boost::asio::awaitable<Result<Stream>> dial(std::string address, std::string isolation_token,
                                                            std::chrono::milliseconds timeout) override;

  // forget_token(isolation_token): see below.
  boost::asio::awaitable<void> forget_peer(std::string address, std::string isolation_token) override;

  [[nodiscard]] std::size_t dial_sessions() const noexcept { return m_sessions.size(); }
  // Closes every dial session (and so their streams).
  void close_dial_sessions() noexcept;
  // Closes the dial session of `token` (and its streams); the next dial
  // with it creates a fresh one. Use it when a stream to a peer died: an old
  // session keeps using the peer's cached lease set, which is stale after
  // the peer's i2pd restarted (i2pd 2.45.1 keeps it until it expires).
  void forget_token(const std::string& token) noexcept;

 private:
  struct DialSession {
    std::string id;
    std::shared_ptr<sam::SamConnection> link;  // null while being created
    std::uint64_t generation = 0;
    std::uint64_t last_used = 0;
  };

  boost::asio::awaitable<Result<std::string>> session_for(const std::string& token,
                                                          std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<Result<std::string>> create_session(const std::string& token,
                                                             std::chrono::steady_clock::time_point deadline);
  void evict_oldest();

  boost::asio::any_io_executor m_executor;
  I2pSessionSource* m_source;
  Random* m_rng;
  I2pTransportOptions m_options;
  std::map<std::string, DialSession> m_sessions;  // by isolation token
  std::uint64_t m_use_counter = 0;
  std::shared_ptr<bool> m_listener_open;
};

}  // namespace tenebra::onion
