// SAFECOOKIE authentication to a Tor control port (control-spec §3.24).
//
// The controller proves it can read tor's cookie file without sending the
// cookie: it sends a random client nonce (AUTHCHALLENGE), checks tor's
// SERVERHASH = HMAC-SHA256(server-to-controller key, cookie | client nonce |
// server nonce) in constant time, and answers with HMAC-SHA256(controller-
// to-server key, same message). The cookie must be exactly 32 bytes.
// The cookie, the HMAC state and every derived value are wiped after use.
//
// A SafecookieSession holds one attempt. Not thread-safe; use it from the
// task that runs the authentication.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/onion/tor_control_constants.hpp"
#include "tenebra/onion/tor_control_messages.hpp"

namespace tenebra::onion::tor {

using Cookie = SecretArray<kCookieBytes>;
using ClientNonce = std::array<std::uint8_t, kSafecookieNonceBytes>;
using SafecookieHash = SecretArray<kSafecookieHashBytes>;

// The contents of tor's control_auth_cookie file; anything but 32 bytes is
// an error (a truncated or foreign file).
[[nodiscard]] Result<Cookie> cookie_from_file_bytes(ByteView contents);

// HMAC-SHA256(key, cookie | client nonce | server nonce).
[[nodiscard]] SafecookieHash safecookie_hmac(std::string_view key, const Cookie& cookie,
                                             const ClientNonce& client_nonce,
                                             const std::array<std::uint8_t, kSafecookieNonceBytes>& server_nonce);

class SafecookieSession {
 public:
  // Draws the client nonce from `rng` (SystemRandom outside tests).
  SafecookieSession(Cookie cookie, Random& rng);

  const ClientNonce& client_nonce() const noexcept { return m_client_nonce; }
  // "AUTHCHALLENGE SAFECOOKIE <64 hex>\r\n"
  [[nodiscard]] std::string challenge_command() const;

  // Verifies tor's SERVERHASH (constant time; Errc::crypto on mismatch, which
  // means tor does not know this cookie) and returns the controller's hash.
  [[nodiscard]] Result<SafecookieHash> respond(const AuthChallenge& challenge) const;

  // "AUTHENTICATE <64 hex>\r\n"
  [[nodiscard]] static std::string authenticate_command(const SafecookieHash& hash);

 private:
  Cookie m_cookie;
  ClientNonce m_client_nonce{};
};

}  // namespace tenebra::onion::tor
