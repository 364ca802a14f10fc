// SOCKS5 client codec (RFC 1928, RFC 1929) for dialing through tor's
// SocksPort: the greeting, the username/password request that tor uses for
// stream isolation (IsolateSOCKSAuth: a fresh user name means a fresh
// circuit), CONNECT to a host name (an onion address or an I2P name) and an
// incremental reader of the CONNECT reply.
//
// Builders refuse what they cannot encode (empty or over-long credentials,
// host names outside [A-Za-z0-9.-], port 0). Readers check VER, REP, RSV,
// ATYP and address lengths before using any of them. Reply codes map to
// errors that say whether trying again later can help (tor's extended onion
// codes 0xF0-0xF7 included). Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/socks5_constants.hpp"

namespace tenebra::onion::socks5 {

// Offers exactly one method: username/password when `with_credentials`
// (so a server cannot silently drop isolation by picking "no auth"),
// otherwise "no auth".
[[nodiscard]] Bytes build_greeting(bool with_credentials);

// The 2-byte method selection. The method must be the one offered; 0xFF
// (no acceptable method) is Errc::unsupported.
[[nodiscard]] Status parse_method_selection(ByteView reply, bool offered_credentials);

// RFC 1929 request; user name and password are 1..255 bytes each.
[[nodiscard]] Result<Bytes> build_auth_request(std::string_view username, std::string_view password);

// The 2-byte RFC 1929 reply; a non-zero status is Errc::invalid_argument.
[[nodiscard]] Status parse_auth_reply(ByteView reply);

// CONNECT to `host`:`port` as a DOMAINNAME: host 1..255 bytes of
// [A-Za-z0-9.-], port 1..65535.
[[nodiscard]] Result<Bytes> build_connect_request(std::string_view host, std::uint16_t port);

struct ConnectReply {
  ReplyCode code = ReplyCode::succeeded;
  std::uint8_t address_type = kAddressIpv4;
  std::size_t size = 0;  // bytes the reply took; stream data follows them
};

// More bytes are needed before the reply can be read: at least `bytes`.
struct NeedMore {
  std::size_t bytes = 0;
};

// Reads the CONNECT reply at the start of `received` (all bytes read so
// far). Returns NeedMore until the whole reply is there, then ConnectReply
// (whose code may be a failure: see describe_failure). Fields are checked as
// soon as they arrive, so garbage fails at its first byte.
[[nodiscard]] Result<std::variant<NeedMore, ConnectReply>> parse_connect_reply(ByteView received);

struct Failure {
  Errc errc = Errc::io;
  std::string_view reason;   // fixed text, never an address
  bool retry_later = false;  // worth another attempt after a backoff
};

// What a reply code means. `succeeded` is not a failure; it maps to
// Errc::internal with retry_later false.
[[nodiscard]] Failure describe_failure(ReplyCode code) noexcept;
// The same as an Error for Result-returning callers.
[[nodiscard]] Error failure_error(ReplyCode code);

}  // namespace tenebra::onion::socks5
