#include "tenebra/onion/safecookie.hpp"

#include <gtest/gtest.h>

namespace tenebra::onion::tor {
namespace {

// Vector made independently of this code with Python's hmac module:
//   python3 -c 'import hmac,hashlib
//   c=bytes(range(32)); cn=bytes(range(0x20,0x40)); sn=bytes(range(0x40,0x60))
//   for k in (b"Tor safe cookie authentication server-to-controller hash",
//             b"Tor safe cookie authentication controller-to-server hash"):
//       print(hmac.new(k, c+cn+sn, hashlib.sha256).hexdigest())'
constexpr std::string_view kServerHashHex = "3c8780ab52365c0d080750447e5f64dabc00428c6c434579c2043e18c1f85389";
constexpr std::string_view kClientHashHex = "b47642df2d5abb84f69e6d02d41bed6b44aee33e69562528a82166fc98bc0b1e";

Bytes counting(std::uint8_t first, std::size_t count) {
  Bytes out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

Cookie test_cookie() {
  auto cookie = cookie_from_file_bytes(counting(0x00, 32));
  EXPECT_TRUE(cookie.ok());
  return std::move(cookie).value();
}

AuthChallenge test_challenge(std::string_view server_hash_hex) {
  AuthChallenge challenge;
  challenge.server_hash = array_from_hex<32>(server_hash_hex).value();
  const Bytes nonce = counting(0x40, 32);
  std::copy(nonce.begin(), nonce.end(), challenge.server_nonce.begin());
  return challenge;
}

TEST(Safecookie, CookieMustBe32Bytes) {
  EXPECT_TRUE(cookie_from_file_bytes(Bytes(32, 1)).ok());
  for (std::size_t size : {0, 1, 31, 33, 64}) {
    auto cookie = cookie_from_file_bytes(Bytes(size, 1));
    ASSERT_FALSE(cookie.ok()) << size;
    EXPECT_EQ(cookie.error().code, Errc::malformed);
  }
}

TEST(Safecookie, KnownAnswerHmac) {
  ClientNonce client_nonce{};
  const Bytes nonce = counting(0x20, 32);
  std::copy(nonce.begin(), nonce.end(), client_nonce.begin());
  const AuthChallenge challenge = test_challenge(kServerHashHex);
  const Cookie cookie = test_cookie();
  EXPECT_EQ(
      to_hex(safecookie_hmac(kSafecookieServerToControllerKey, cookie, client_nonce, challenge.server_nonce).view()),
      kServerHashHex);
  EXPECT_EQ(
      to_hex(safecookie_hmac(kSafecookieControllerToServerKey, cookie, client_nonce, challenge.server_nonce).view()),
      kClientHashHex);
}

TEST(Safecookie, SessionDrawsNonceAndAnswers) {
  ScriptedRandom rng;
  rng.push(counting(0x20, 32));
  SafecookieSession session(test_cookie(), rng);
  EXPECT_EQ(rng.remaining(), 0U);
  EXPECT_EQ(session.challenge_command(), "AUTHCHALLENGE SAFECOOKIE " + to_hex(counting(0x20, 32)) + "\r\n");

  auto hash = session.respond(test_challenge(kServerHashHex));
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  EXPECT_EQ(to_hex(hash->view()), kClientHashHex);
  EXPECT_EQ(SafecookieSession::authenticate_command(*hash), "AUTHENTICATE " + std::string(kClientHashHex) + "\r\n");
}

TEST(Safecookie, WrongServerHashIsRejected) {
  ScriptedRandom rng;
  rng.push(counting(0x20, 32));
  SafecookieSession session(test_cookie(), rng);
  std::string wrong(kServerHashHex);
  wrong[63] = wrong[63] == '0' ? '1' : '0';
  auto hash = session.respond(test_challenge(wrong));
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.error().code, Errc::crypto);
}

TEST(Safecookie, DifferentCookieFailsVerification) {
  ScriptedRandom rng;
  rng.push(counting(0x20, 32));
  SafecookieSession session(cookie_from_file_bytes(Bytes(32, 0xEE)).value(), rng);
  EXPECT_FALSE(session.respond(test_challenge(kServerHashHex)).ok());
}

TEST(Safecookie, SystemRandomGivesFreshNonces) {
  SystemRandom rng;
  SafecookieSession a(test_cookie(), rng);
  SafecookieSession b(test_cookie(), rng);
  EXPECT_NE(a.client_nonce(), b.client_nonce());
}

}  // namespace
}  // namespace tenebra::onion::tor
