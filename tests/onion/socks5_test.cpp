#include "tenebra/onion/socks5.hpp"

#include <gtest/gtest.h>

namespace tenebra::onion::socks5 {
namespace {

using ParseResult = Result<std::variant<NeedMore, ConnectReply>>;

std::size_t need_more(const ParseResult& result) {
  EXPECT_TRUE(result.ok()) << result.error().message;
  if (!result.ok() || !std::holds_alternative<NeedMore>(*result)) {
    ADD_FAILURE() << "expected NeedMore";
    return 0;
  }
  return std::get<NeedMore>(*result).bytes;
}

ConnectReply complete(const ParseResult& result) {
  EXPECT_TRUE(result.ok()) << result.error().message;
  if (!result.ok() || !std::holds_alternative<ConnectReply>(*result)) {
    ADD_FAILURE() << "expected a complete reply";
    return {};
  }
  return std::get<ConnectReply>(*result);
}

Errc error_of(const ParseResult& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? Errc::internal : result.error().code;
}

TEST(Socks5Greeting, OffersExactlyOneMethod) {
  EXPECT_EQ(build_greeting(true), (Bytes{0x05, 0x01, 0x02}));
  EXPECT_EQ(build_greeting(false), (Bytes{0x05, 0x01, 0x00}));
}

TEST(Socks5Greeting, MethodSelection) {
  EXPECT_TRUE(parse_method_selection(Bytes{0x05, 0x02}, true).ok());
  EXPECT_TRUE(parse_method_selection(Bytes{0x05, 0x00}, false).ok());
  // A server that drops to "no auth" when we asked for isolation is refused.
  EXPECT_EQ(parse_method_selection(Bytes{0x05, 0x00}, true).error().code, Errc::malformed);
  EXPECT_EQ(parse_method_selection(Bytes{0x05, 0xFF}, true).error().code, Errc::unsupported);
  EXPECT_EQ(parse_method_selection(Bytes{0x04, 0x02}, true).error().code, Errc::malformed);
  EXPECT_EQ(parse_method_selection(Bytes{0x05}, true).error().code, Errc::malformed);
  EXPECT_EQ(parse_method_selection(Bytes{0x05, 0x02, 0x00}, true).error().code, Errc::malformed);
}

TEST(Socks5Auth, BuildsRfc1929Request) {
  auto request = build_auth_request("alice", "x");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(*request, (Bytes{0x01, 5, 'a', 'l', 'i', 'c', 'e', 1, 'x'}));
}

TEST(Socks5Auth, CredentialLengths) {
  EXPECT_TRUE(build_auth_request(std::string(255, 'u'), std::string(255, 'p')).ok());
  EXPECT_EQ(build_auth_request("", "p").error().code, Errc::invalid_argument);
  EXPECT_EQ(build_auth_request("u", "").error().code, Errc::invalid_argument);
  EXPECT_EQ(build_auth_request(std::string(256, 'u'), "p").error().code, Errc::invalid_argument);
  EXPECT_EQ(build_auth_request("u", std::string(256, 'p')).error().code, Errc::invalid_argument);
}

TEST(Socks5Auth, Reply) {
  EXPECT_TRUE(parse_auth_reply(Bytes{0x01, 0x00}).ok());
  EXPECT_EQ(parse_auth_reply(Bytes{0x01, 0x01}).error().code, Errc::invalid_argument);
  EXPECT_EQ(parse_auth_reply(Bytes{0x05, 0x00}).error().code, Errc::malformed);
  EXPECT_EQ(parse_auth_reply(Bytes{0x01}).error().code, Errc::malformed);
}

TEST(Socks5Connect, BuildsDomainRequest) {
  auto request = build_connect_request("ab.onion", 80);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(*request, (Bytes{0x05, 0x01, 0x00, 0x03, 8, 'a', 'b', '.', 'o', 'n', 'i', 'o', 'n', 0x00, 80}));
  auto high_port = build_connect_request("x.i2p", 0xABCD);
  ASSERT_TRUE(high_port.ok());
  EXPECT_EQ(high_port->at(high_port->size() - 2), 0xAB);
  EXPECT_EQ(high_port->back(), 0xCD);
}

TEST(Socks5Connect, HostAndPortChecks) {
  EXPECT_TRUE(build_connect_request(std::string(255, 'a'), 1).ok());
  EXPECT_EQ(build_connect_request(std::string(256, 'a'), 1).error().code, Errc::invalid_argument);
  EXPECT_EQ(build_connect_request("", 1).error().code, Errc::invalid_argument);
  EXPECT_EQ(build_connect_request("a b.onion", 1).error().code, Errc::invalid_argument);
  EXPECT_EQ(build_connect_request(std::string("a\0b", 3), 1).error().code, Errc::invalid_argument);
  EXPECT_EQ(build_connect_request("a.onion", 0).error().code, Errc::invalid_argument);
}

TEST(Socks5Reply, TorSuccessReply) {
  const Bytes reply{0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
  const ConnectReply parsed = complete(parse_connect_reply(reply));
  EXPECT_EQ(parsed.code, ReplyCode::succeeded);
  EXPECT_EQ(parsed.size, 10U);
}

TEST(Socks5Reply, IncrementalNeeds) {
  const Bytes reply{0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(need_more(parse_connect_reply(ByteView(reply).first(0))), 4U);
  EXPECT_EQ(need_more(parse_connect_reply(ByteView(reply).first(2))), 2U);
  EXPECT_EQ(need_more(parse_connect_reply(ByteView(reply).first(4))), 6U);
  EXPECT_EQ(need_more(parse_connect_reply(ByteView(reply).first(9))), 1U);
}

TEST(Socks5Reply, TrailingStreamBytesAreNotConsumed) {
  const Bytes reply{0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 'h', 'i'};
  EXPECT_EQ(complete(parse_connect_reply(reply)).size, 10U);
}

TEST(Socks5Reply, Ipv6AndDomainAddresses) {
  Bytes v6{0x05, 0x00, 0x00, 0x04};
  v6.resize(4 + 16 + 2, 0);
  EXPECT_EQ(complete(parse_connect_reply(v6)).size, 22U);
  const Bytes domain{0x05, 0x00, 0x00, 0x03, 3, 'a', 'b', 'c', 0, 80};
  EXPECT_EQ(need_more(parse_connect_reply(ByteView(domain).first(4))), 1U);
  EXPECT_EQ(need_more(parse_connect_reply(ByteView(domain).first(5))), 5U);
  EXPECT_EQ(complete(parse_connect_reply(domain)).size, 10U);
}

TEST(Socks5Reply, OnionErrorCodes) {
  const Bytes reply{0x05, 0xF0, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(complete(parse_connect_reply(reply)).code, ReplyCode::onion_descriptor_not_found);
}

TEST(Socks5Reply, RejectsGarbageAtFirstBadByte) {
  EXPECT_EQ(error_of(parse_connect_reply(Bytes{0x04})), Errc::malformed);
  EXPECT_EQ(error_of(parse_connect_reply(Bytes{0x05, 0x09})), Errc::malformed);
  EXPECT_EQ(error_of(parse_connect_reply(Bytes{0x05, 0xEF})), Errc::malformed);
  EXPECT_EQ(error_of(parse_connect_reply(Bytes{0x05, 0xF8})), Errc::malformed);
  EXPECT_EQ(error_of(parse_connect_reply(Bytes{0x05, 0x00, 0x01})), Errc::malformed);
  EXPECT_EQ(error_of(parse_connect_reply(Bytes{0x05, 0x00, 0x00, 0x02})), Errc::malformed);
  EXPECT_EQ(error_of(parse_connect_reply(Bytes{0x05, 0x00, 0x00, 0x03, 0})), Errc::malformed);
}

TEST(Socks5Failure, RetryAdvice) {
  EXPECT_TRUE(describe_failure(ReplyCode::onion_descriptor_not_found).retry_later);
  EXPECT_EQ(describe_failure(ReplyCode::onion_descriptor_not_found).errc, Errc::not_found);
  EXPECT_TRUE(describe_failure(ReplyCode::onion_introduction_failed).retry_later);
  EXPECT_TRUE(describe_failure(ReplyCode::onion_rendezvous_failed).retry_later);
  EXPECT_TRUE(describe_failure(ReplyCode::onion_introduction_timed_out).retry_later);
  EXPECT_EQ(describe_failure(ReplyCode::onion_introduction_timed_out).errc, Errc::timeout);
  EXPECT_TRUE(describe_failure(ReplyCode::general_failure).retry_later);
  EXPECT_TRUE(describe_failure(ReplyCode::ttl_expired).retry_later);

  EXPECT_FALSE(describe_failure(ReplyCode::onion_invalid_address).retry_later);
  EXPECT_EQ(describe_failure(ReplyCode::onion_invalid_address).errc, Errc::invalid_argument);
  EXPECT_FALSE(describe_failure(ReplyCode::onion_missing_client_auth).retry_later);
  EXPECT_FALSE(describe_failure(ReplyCode::onion_wrong_client_auth).retry_later);
  EXPECT_FALSE(describe_failure(ReplyCode::not_allowed).retry_later);
  EXPECT_FALSE(describe_failure(ReplyCode::command_not_supported).retry_later);
  EXPECT_FALSE(describe_failure(ReplyCode::address_type_not_supported).retry_later);
  EXPECT_FALSE(describe_failure(ReplyCode::succeeded).retry_later);
}

TEST(Socks5Failure, EveryKnownCodeHasAReason) {
  for (int code = 0; code < 256; ++code) {
    const auto rep = static_cast<std::uint8_t>(code);
    const Bytes reply{0x05, rep, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
    auto parsed = parse_connect_reply(reply);
    if (!parsed.ok()) continue;
    const Failure failure = describe_failure(complete(parsed).code);
    EXPECT_FALSE(failure.reason.empty()) << code;
    EXPECT_NE(failure.reason, "unknown reply code") << code;
  }
}

TEST(Socks5Failure, ErrorText) {
  const Error error = failure_error(ReplyCode::onion_descriptor_not_found);
  EXPECT_EQ(error.code, Errc::not_found);
  EXPECT_NE(error.message.find("descriptor can not be found"), std::string::npos);
  EXPECT_NE(error.message.find("retry later"), std::string::npos);
}

}  // namespace
}  // namespace tenebra::onion::socks5
