// SAM v3 replies from i2pd's bridge: framing of one reply line, its tokens
// ("TOPIC SUBTOPIC KEY=VALUE ...", values optionally quoted, where a
// backslash escapes only '"' and itself), and typed readers for the replies
// Tenebra acts on: HELLO REPLY,
// SESSION STATUS, STREAM STATUS, DEST REPLY, NAMING REPLY, and the peer
// destination line that STREAM ACCEPT delivers.
//
// A line is capped (kMaxLineBytes) and must not hold control characters;
// a key given twice is an error. Framing never consumes past the first '\n',
// because after STREAM STATUS RESULT=OK the socket carries the peer's raw
// bytes. i2pd 2.45 writes MESSAGE= unquoted with spaces; an unquoted MESSAGE
// therefore runs to the end of the line.
//
// Replies can carry a private destination (DEST REPLY PRIV=, SESSION STATUS
// DESTINATION=); wipe() them when done, and never log a reply or a message
// (they can name destinations). Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/sam_constants.hpp"

namespace tenebra::onion::sam {

// The length of the first line in `buffered`, '\n' included, once it is
// complete; nullopt while it is not. Errc::exhausted when `max_line_bytes`
// pass without a '\n'.
[[nodiscard]] Result<std::optional<std::size_t>> find_line_end(ByteView buffered,
                                                               std::size_t max_line_bytes = kMaxLineBytes);

struct Field {
  std::string key;
  std::string value;  // unescaped; empty for a bare KEY
};

struct Reply {
  std::string topic;     // "SESSION"
  std::string subtopic;  // "STATUS"
  std::vector<Field> fields;

  const std::string* find(std::string_view key) const noexcept;
  void wipe() noexcept;
};

// One line, with or without its "\n" (or "\r\n").
[[nodiscard]] Result<Reply> parse_reply(std::string_view line);

struct HelloReply {
  std::string version;  // "3.1" or "3.0"
};

// RESULT=OK with VERSION 3.1 or 3.0. NOVERSION is Errc::unsupported,
// I2P_ERROR is Errc::io.
[[nodiscard]] Result<HelloReply> parse_hello_reply(const Reply& reply);

enum class SessionResult { ok, duplicated_id, duplicated_dest, invalid_id, invalid_key, i2p_error };

struct SessionStatus {
  SessionResult result = SessionResult::ok;
  std::string message;
  // On OK, i2pd echoes the private destination: checked, and secret.
  std::optional<std::string> destination;
  void wipe() noexcept;
};

[[nodiscard]] Result<SessionStatus> parse_session_status(const Reply& reply);

enum class StreamResult { ok, cant_reach_peer, i2p_error, invalid_key, invalid_id, timeout };

struct StreamStatus {
  StreamResult result = StreamResult::ok;
  std::string message;
  // CANT_REACH_PEER, TIMEOUT and I2P_ERROR can pass (the peer's lease set
  // was not found yet, tunnels were not ready); the others cannot.
  bool retry_later() const noexcept;
};

// STREAM STATUS; also "SESSION STATUS RESULT=I2P_ERROR", which i2pd sends
// on a stream socket when the request itself fails.
[[nodiscard]] Result<StreamStatus> parse_stream_status(const Reply& reply);

struct DestReply {
  std::string pub;   // checked public destination
  std::string priv;  // checked private destination: secret
  void wipe() noexcept;
};

// DEST REPLY PUB= PRIV=; RESULT=I2P_ERROR is Errc::io.
[[nodiscard]] Result<DestReply> parse_dest_reply(const Reply& reply);

enum class NamingResult { ok, invalid_key, key_not_found };

struct NamingReply {
  NamingResult result = NamingResult::ok;
  std::string name;
  std::string value;  // on OK: a checked public destination
  std::string message;
};

[[nodiscard]] Result<NamingReply> parse_naming_reply(const Reply& reply);

// The first line on a STREAM ACCEPT socket after RESULT=OK: the peer's
// public destination, optionally followed by fields (SAM 3.2 FROM_PORT=...).
// Returns the checked destination.
[[nodiscard]] Result<std::string> parse_accepted_peer(std::string_view line);

}  // namespace tenebra::onion::sam
