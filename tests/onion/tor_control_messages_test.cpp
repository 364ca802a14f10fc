#include "tenebra/onion/tor_control_messages.hpp"

#include <gtest/gtest.h>

#include "tenebra/core/bytes.hpp"
#include "tor_reply_test_util.hpp"

namespace tenebra::onion::tor {
namespace {

using test::reply_from;

constexpr std::string_view kServiceA = "fylpbpl4sualxbyvqc57io7f267mihuhd4zdeaqlucyyexebnn6pjsad";
constexpr std::string_view kServiceB = "732ldfzx2hdcwcom4uzdqva6byx32k4y5v2jb65wlr3gojkndsxhd2id";
// base64 of the 64 bytes (i*3+9) mod 256, made with python3 base64.b64encode.
constexpr std::string_view kKeyBase64 =
    "CQwPEhUYGx4hJCcqLTAzNjk8P0JFSEtOUVRXWl1gY2ZpbG9ydXh7foGEh4qNkJOWmZyfoqWoq66xtLe6vcDDxg==";

Errc code_of(const Status& status) {
  return status.ok() ? Errc::internal : status.error().code;
}

template <typename T>
Errc code_of(const Result<T>& result) {
  return result.ok() ? Errc::internal : result.error().code;
}

TEST(TorCheckSuccess, SuccessCodes) {
  EXPECT_TRUE(check_success(reply_from("250 OK\r\n")).ok());
  EXPECT_TRUE(check_success(reply_from("251 Unnecessary\r\n")).ok());
}

TEST(TorCheckSuccess, ErrorCodesMapToErrc) {
  EXPECT_EQ(code_of(check_success(reply_from("552 Unknown onion service id\r\n"))), Errc::not_found);
  EXPECT_EQ(code_of(check_success(reply_from("551 Internal error\r\n"))), Errc::internal);
  EXPECT_EQ(code_of(check_success(reply_from("515 Authentication failed\r\n"))), Errc::crypto);
  EXPECT_EQ(code_of(check_success(reply_from("514 Authentication required\r\n"))), Errc::crypto);
  EXPECT_EQ(code_of(check_success(reply_from("510 Unrecognized command\r\n"))), Errc::unsupported);
  EXPECT_EQ(code_of(check_success(reply_from("512 Bad arguments\r\n"))), Errc::invalid_argument);
  EXPECT_EQ(code_of(check_success(reply_from("451 Resource exhausted\r\n"))), Errc::exhausted);
  EXPECT_EQ(code_of(check_success(reply_from("599 Who knows\r\n"))), Errc::internal);
}

TEST(TorCheckSuccess, ErrorMessageNamesStatusNotText) {
  auto status = check_success(reply_from("552 Unrecognized key \"secretaddress\"\r\n"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("552"), std::string::npos);
  EXPECT_EQ(status.error().message.find("secretaddress"), std::string::npos);
}

TEST(TorProtocolinfo, FromTranscript) {
  auto info = parse_protocolinfo(
      reply_from("250-PROTOCOLINFO 1\r\n"
                 "250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\"/var/lib/tenebra/tor/control_auth_cookie\"\r\n"
                 "250-VERSION Tor=\"0.4.9.11\"\r\n"
                 "250 OK\r\n"));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_TRUE(info->supports(AuthMethod::safecookie));
  EXPECT_TRUE(info->supports(AuthMethod::cookie));
  EXPECT_FALSE(info->supports(AuthMethod::null));
  EXPECT_FALSE(info->supports(AuthMethod::hashed_password));
  ASSERT_TRUE(info->cookie_file.has_value());
  EXPECT_EQ(*info->cookie_file, "/var/lib/tenebra/tor/control_auth_cookie");
  EXPECT_EQ(info->tor_version, "0.4.9.11");
}

TEST(TorProtocolinfo, EscapedCookiePathAndUnknownLines) {
  auto info = parse_protocolinfo(
      reply_from("250-PROTOCOLINFO 1\r\n"
                 "250-FUTURE thing=\"x\"\r\n"
                 "250-AUTH METHODS=NULL,HASHEDPASSWORD,FUTUREMETHOD COOKIEFILE=\"/tmp/a\\\"b\\\\c\" FUTURE=1\r\n"
                 "250 OK\r\n"));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_TRUE(info->supports(AuthMethod::null));
  EXPECT_TRUE(info->supports(AuthMethod::hashed_password));
  EXPECT_FALSE(info->supports(AuthMethod::safecookie));
  EXPECT_EQ(*info->cookie_file, "/tmp/a\"b\\c");
  EXPECT_TRUE(info->tor_version.empty());
}

TEST(TorProtocolinfo, NoCookieFile) {
  auto info = parse_protocolinfo(reply_from("250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250 OK\r\n"));
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->cookie_file.has_value());
}

TEST(TorProtocolinfo, Rejections) {
  EXPECT_EQ(code_of(parse_protocolinfo(reply_from("250-PROTOCOLINFO 1\r\n250 OK\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_protocolinfo(reply_from("250-AUTH METHODS=NULL\r\n250 OK\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_protocolinfo(reply_from("250-PROTOCOLINFO 2\r\n250-AUTH METHODS=NULL\r\n250 OK\r\n"))),
            Errc::unsupported);
  EXPECT_EQ(code_of(parse_protocolinfo(reply_from("250-PROTOCOLINFO 1\r\n250-AUTH COOKIEFILE=\"/x\"\r\n250 OK\r\n"))),
            Errc::malformed);
  EXPECT_EQ(code_of(parse_protocolinfo(
                reply_from("250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE COOKIEFILE=\"relative\"\r\n250 OK\r\n"))),
            Errc::malformed);
  EXPECT_EQ(code_of(parse_protocolinfo(
                reply_from("250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250-AUTH METHODS=COOKIE\r\n250 OK\r\n"))),
            Errc::malformed);
  EXPECT_EQ(code_of(parse_protocolinfo(reply_from("515 Authentication failed\r\n"))), Errc::crypto);
  EXPECT_EQ(code_of(parse_protocolinfo(
                reply_from("250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE COOKIEFILE=\"/x\\0\"\r\n250 OK\r\n"))),
            Errc::malformed);
}

TEST(TorAuthchallenge, Parses) {
  const std::string hash(64, 'A');
  const std::string nonce = std::string(62, '0') + "ff";
  auto challenge =
      parse_authchallenge(reply_from("250 AUTHCHALLENGE SERVERHASH=" + hash + " SERVERNONCE=" + nonce + "\r\n"));
  ASSERT_TRUE(challenge.ok()) << challenge.error().message;
  EXPECT_EQ(challenge->server_hash[0], 0xAA);
  EXPECT_EQ(challenge->server_nonce[31], 0xFF);
}

TEST(TorAuthchallenge, WrongLengthsAndGarbage) {
  const std::string good(64, 'a');
  auto make = [](const std::string& hash, const std::string& nonce) {
    return parse_authchallenge(reply_from("250 AUTHCHALLENGE SERVERHASH=" + hash + " SERVERNONCE=" + nonce + "\r\n"));
  };
  EXPECT_EQ(code_of(make(std::string(62, 'a'), good)), Errc::malformed);
  EXPECT_EQ(code_of(make(good, std::string(66, 'a'))), Errc::malformed);
  EXPECT_EQ(code_of(make(std::string(63, 'a'), good)), Errc::malformed);
  EXPECT_EQ(code_of(make(good, std::string(63, 'a') + "g")), Errc::malformed);
  EXPECT_EQ(code_of(parse_authchallenge(reply_from("250 AUTHCHALLENGE SERVERHASH=" + good + "\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_authchallenge(reply_from("250 OK\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_authchallenge(reply_from("515 Bad\r\n"))), Errc::crypto);
}

TEST(TorAddOnion, DiscardedKey) {
  auto result = parse_add_onion(reply_from("250-ServiceID=" + std::string(kServiceA) + "\r\n250 OK\r\n"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->service_id, kServiceA);
  EXPECT_FALSE(result->private_key.has_value());
}

TEST(TorAddOnion, WithKey) {
  auto result = parse_add_onion(reply_from("250-ServiceID=" + std::string(kServiceB) +
                                           "\r\n250-PrivateKey=ED25519-V3:" + std::string(kKeyBase64) +
                                           "\r\n250-ClientAuthV3=ignored\r\n250 OK\r\n"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(result->private_key.has_value());
  EXPECT_EQ(result->private_key->view()[0], 9);
  EXPECT_EQ(result->private_key->view()[63], (63 * 3 + 9) % 256);
}

TEST(TorAddOnion, Rejections) {
  const std::string id_line = "250-ServiceID=" + std::string(kServiceA) + "\r\n";
  EXPECT_EQ(code_of(parse_add_onion(reply_from("250 OK\r\n"))), Errc::malformed);
  // 55 characters, uppercase, and a wrong version byte.
  EXPECT_EQ(
      code_of(parse_add_onion(reply_from("250-ServiceID=" + std::string(kServiceA.substr(1)) + "\r\n250 OK\r\n"))),
      Errc::malformed);
  std::string upper(kServiceA);
  upper[0] = 'F';
  EXPECT_EQ(code_of(parse_add_onion(reply_from("250-ServiceID=" + upper + "\r\n250 OK\r\n"))), Errc::malformed);
  std::string version2(kServiceA);
  version2.back() = 'c';
  EXPECT_EQ(code_of(parse_add_onion(reply_from("250-ServiceID=" + version2 + "\r\n250 OK\r\n"))), Errc::malformed);
  // Keys of the wrong type, length and encoding.
  EXPECT_EQ(code_of(parse_add_onion(reply_from(id_line + "250-PrivateKey=RSA1024:AAAA\r\n250 OK\r\n"))),
            Errc::unsupported);
  EXPECT_EQ(code_of(parse_add_onion(reply_from(id_line + "250-PrivateKey=ED25519-V3:AAAA\r\n250 OK\r\n"))),
            Errc::malformed);
  EXPECT_EQ(code_of(parse_add_onion(reply_from(
                id_line + "250-PrivateKey=ED25519-V3:" + std::string(kKeyBase64.substr(0, 84)) + "\r\n250 OK\r\n"))),
            Errc::malformed);
  EXPECT_EQ(code_of(parse_add_onion(reply_from(id_line + "250-PrivateKey=ED25519-V3:!!!!\r\n250 OK\r\n"))),
            Errc::malformed);
  EXPECT_EQ(code_of(parse_add_onion(reply_from(id_line + id_line + "250 OK\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_add_onion(reply_from("552 Onion address collision\r\n"))), Errc::not_found);
}

TEST(TorGetinfo, SimpleAndDataValues) {
  auto entries =
      parse_getinfo(reply_from("250-version=0.4.9.11\r\n"
                               "250-status/bootstrap-phase=NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\"\r\n"
                               "250-net/listeners/socks=\r\n"
                               "250+onions/current=\r\n" +
                               std::string(kServiceA) + "\r\n" + std::string(kServiceB) + "\r\n.\r\n250 OK\r\n"));
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries->size(), 4U);
  EXPECT_EQ(find_getinfo(*entries, "version")->value, "0.4.9.11");
  EXPECT_EQ(find_getinfo(*entries, "status/bootstrap-phase")->value,
            "NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\"");
  EXPECT_EQ(find_getinfo(*entries, "net/listeners/socks")->value, "");
  EXPECT_EQ(find_getinfo(*entries, "onions/current")->value, std::string(kServiceA) + "\n" + std::string(kServiceB));
  EXPECT_EQ(find_getinfo(*entries, "missing"), nullptr);
}

TEST(TorGetinfo, Rejections) {
  EXPECT_EQ(code_of(parse_getinfo(reply_from("250-novalue\r\n250 OK\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_getinfo(reply_from("250-=x\r\n250 OK\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_getinfo(reply_from("250-a b=x\r\n250 OK\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_getinfo(reply_from("250-a=1\r\n250-a=2\r\n250 OK\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_getinfo(reply_from("250+a=junk\r\nx\r\n.\r\n250 OK\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_getinfo(reply_from("250 a=1\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_getinfo(reply_from("552 Unrecognized key \"x\"\r\n"))), Errc::not_found);
}

TEST(TorGetinfo, EmptyReplyIsEmptyList) {
  auto entries = parse_getinfo(reply_from("250 OK\r\n"));
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
}

}  // namespace
}  // namespace tenebra::onion::tor
