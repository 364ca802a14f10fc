#include "tenebra/onion/safecookie.hpp"

#include <sodium.h>

#include <utility>

namespace tenebra::onion::tor {

Result<Cookie> cookie_from_file_bytes(ByteView contents) {
  if (contents.size() != kCookieBytes) {
    return make_error(Errc::malformed, "tor cookie file is " + std::to_string(contents.size()) + " bytes, expected " +
                                           std::to_string(kCookieBytes));
  }
  return Cookie(std::span<const std::uint8_t, kCookieBytes>(contents.data(), kCookieBytes));
}

SafecookieHash safecookie_hmac(std::string_view key, const Cookie& cookie, const ClientNonce& client_nonce,
                               const std::array<std::uint8_t, kSafecookieNonceBytes>& server_nonce) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, cookie.data(), cookie.size());
  crypto_auth_hmacsha256_update(&state, client_nonce.data(), client_nonce.size());
  crypto_auth_hmacsha256_update(&state, server_nonce.data(), server_nonce.size());
  SafecookieHash out;
  crypto_auth_hmacsha256_final(&state, out.data());
  sodium_memzero(&state, sizeof state);
  return out;
}

SafecookieSession::SafecookieSession(Cookie cookie, Random& rng) : m_cookie(std::move(cookie)) {
  rng.fill(m_client_nonce);
}

std::string SafecookieSession::challenge_command() const {
  return "AUTHCHALLENGE SAFECOOKIE " + to_hex(m_client_nonce) + "\r\n";
}

Result<SafecookieHash> SafecookieSession::respond(const AuthChallenge& challenge) const {
  const SafecookieHash expected =
      safecookie_hmac(kSafecookieServerToControllerKey, m_cookie, m_client_nonce, challenge.server_nonce);
  static_assert(kSafecookieHashBytes == crypto_verify_32_BYTES);
  if (crypto_verify_32(expected.data(), challenge.server_hash.data()) != 0) {
    return make_error(Errc::crypto, "tor's SAFECOOKIE server hash does not match our cookie");
  }
  return safecookie_hmac(kSafecookieControllerToServerKey, m_cookie, m_client_nonce, challenge.server_nonce);
}

std::string SafecookieSession::authenticate_command(const SafecookieHash& hash) {
  return "AUTHENTICATE " + to_hex(hash.view()) + "\r\n";
}

}  // namespace tenebra::onion::tor
