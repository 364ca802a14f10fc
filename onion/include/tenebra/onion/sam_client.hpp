// A SAM v3.1 client connection to i2pd's bridge on 127.0.0.1, built on the
// codecs of sam_request.hpp and sam_reply.hpp: connect and HELLO (MIN=3.1
// MAX=3.1), then one request at a time — DEST GENERATE, SESSION CREATE
// STYLE=STREAM, STREAM CONNECT, STREAM ACCEPT (and the peer line that
// follows it), NAMING LOOKUP.
//
// Every reply line is read with a size cap (kMaxLineBytes; the accepted
// peer's line with a smaller one) and never past its '\n', so after STREAM
// STATUS RESULT=OK the socket can be taken with release() as a raw byte
// stream. Every wait has a timeout; failures are Result values:
// Errc::timeout, Errc::closed (the bridge closed the connection, also in
// the middle of a line), Errc::exhausted (a line longer than its cap),
// Errc::malformed (a reply that does not parse), and the SAM results mapped
// as documented below. Error messages never carry a destination, a key or
// the bridge's MESSAGE text (which can name destinations).
//
// Requests and replies that carry a private destination are wiped after
// use. Thread-safety: one connection belongs to one executor; one request
// at a time.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "tenebra/core/result.hpp"
#include "tenebra/onion/sam_reply.hpp"
#include "tenebra/onion/sam_request.hpp"
#include "tenebra/onion/transport.hpp"

namespace tenebra::onion::sam {

// The peer line after STREAM ACCEPT: a destination and, from SAM 3.2, a few
// short fields.
inline constexpr std::size_t kMaxPeerLineBytes = kMaxDestinationBase64Chars + 256;

// Maps a SESSION STATUS that is not OK: DUPLICATED_ID, DUPLICATED_DEST,
// INVALID_ID and INVALID_KEY are Errc::invalid_argument, I2P_ERROR is
// Errc::io.
[[nodiscard]] Error session_error(SessionResult result);
// Maps a STREAM STATUS that is not OK: CANT_REACH_PEER is Errc::not_found
// (no lease set yet or the peer's tunnels are down: retry with a backoff),
// TIMEOUT is Errc::timeout, I2P_ERROR is Errc::io, INVALID_KEY is
// Errc::invalid_argument, INVALID_ID is Errc::closed (the session is gone,
// e.g. i2pd restarted: create it again).
[[nodiscard]] Error stream_error(StreamResult result);

class SamConnection {
 public:
  // Connects to 127.0.0.1:`port` and does HELLO within `timeout`.
  // Errc::unsupported when the bridge offers no version we speak.
  [[nodiscard]] static boost::asio::awaitable<Result<SamConnection>> open(std::uint16_t port,
                                                                          std::chrono::milliseconds timeout);

  SamConnection(SamConnection&&) noexcept = default;
  SamConnection& operator=(SamConnection&&) noexcept = default;
  SamConnection(const SamConnection&) = delete;
  SamConnection& operator=(const SamConnection&) = delete;
  ~SamConnection() = default;

  // Sends `line` (wiped afterwards) and reads one reply line (wiped after
  // parsing; the caller wipes the Reply if it may hold a key).
  [[nodiscard]] boost::asio::awaitable<Result<Reply>> request(std::string line, std::chrono::milliseconds timeout);

  // DEST GENERATE: a new Ed25519 destination. Wipe the result.
  [[nodiscard]] boost::asio::awaitable<Result<DestReply>> generate_destination(std::chrono::milliseconds timeout);
  // SESSION CREATE STYLE=STREAM; the connection must stay open for the
  // session's life (closing it ends the session and its streams).
  [[nodiscard]] boost::asio::awaitable<Status> create_session(std::string_view id, std::string_view private_destination,
                                                              const TunnelOptions& options,
                                                              std::chrono::milliseconds timeout);
  // STREAM CONNECT on a fresh connection; on success release() the stream.
  // RESULT=OK is local to i2pd: the peer may still be unreachable, so the
  // application needs its own handshake with a timeout.
  [[nodiscard]] boost::asio::awaitable<Status> stream_connect(std::string_view id, std::string_view destination,
                                                              std::chrono::milliseconds timeout);
  // STREAM ACCEPT on a fresh connection (the STATUS reply only).
  [[nodiscard]] boost::asio::awaitable<Status> stream_accept(std::string_view id, std::chrono::milliseconds timeout);
  // After stream_accept: waits for the peer's line and returns its checked
  // public destination. A timeout keeps what was read, so the call can be
  // repeated on the same connection.
  [[nodiscard]] boost::asio::awaitable<Result<std::string>> read_accepted_peer(std::chrono::milliseconds timeout);
  // NAMING LOOKUP: the public destination of a ".i2p" name (or ME).
  // KEY_NOT_FOUND is Errc::not_found, INVALID_KEY Errc::invalid_argument.
  [[nodiscard]] boost::asio::awaitable<Result<std::string>> naming_lookup(std::string_view name,
                                                                          std::chrono::milliseconds timeout);

  // Waits until the bridge closes the connection (or `timeout`); whatever it
  // sends meanwhile is read and dropped. Used to watch a session link.
  [[nodiscard]] boost::asio::awaitable<Status> wait_closed(std::chrono::milliseconds timeout);

  [[nodiscard]] bool is_open() const noexcept { return m_socket.is_open(); }
  void close() noexcept;
  // The socket, as a raw byte stream (after STREAM STATUS RESULT=OK and,
  // for accepts, the peer line).
  [[nodiscard]] Stream release() &&;

 private:
  explicit SamConnection(Stream socket) : m_socket(std::move(socket)) {}
  boost::asio::awaitable<Result<std::string>> read_line(std::size_t cap, std::chrono::milliseconds timeout);

  Stream m_socket;
  std::string m_partial;  // bytes of a line whose read timed out
};

}  // namespace tenebra::onion::sam
