#include "tenebra/onion/tor_control_fields.hpp"

#include <gtest/gtest.h>

namespace tenebra::onion::tor {
namespace {

Fields fields_of(std::string_view text) {
  auto fields = parse_fields(text);
  EXPECT_TRUE(fields.ok()) << fields.error().message;
  return fields.ok() ? std::move(fields).value() : Fields{};
}

Errc error_of(std::string_view text) {
  auto fields = parse_fields(text);
  EXPECT_FALSE(fields.ok());
  return fields.ok() ? Errc::internal : fields.error().code;
}

std::string unquote(std::string_view text) {
  std::size_t consumed = 0;
  auto value = parse_quoted_string(text, consumed);
  EXPECT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(consumed, text.size());
  return value.ok() ? *value : std::string();
}

TEST(TorFields, WordsAndNamedFields) {
  const Fields f = fields_of("AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\"/a b/c\"");
  ASSERT_EQ(f.words.size(), 1U);
  EXPECT_EQ(f.words[0], "AUTH");
  ASSERT_NE(f.find("METHODS"), nullptr);
  EXPECT_EQ(*f.find("METHODS"), "COOKIE,SAFECOOKIE");
  EXPECT_EQ(*f.find("COOKIEFILE"), "/a b/c");
  EXPECT_EQ(f.find("cookiefile"), nullptr);  // keys are case-sensitive
}

TEST(TorFields, BootstrapLine) {
  const Fields f = fields_of("NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\"");
  EXPECT_EQ(f.words, (std::vector<std::string>{"NOTICE", "BOOTSTRAP"}));
  EXPECT_EQ(*f.find("PROGRESS"), "100");
  EXPECT_EQ(*f.find("SUMMARY"), "Done");
}

TEST(TorFields, ValueMayContainEqualsAndColons) {
  const Fields f = fields_of("PrivateKey=ED25519-V3:kDHw/Q8C+PU4pdg==");
  EXPECT_EQ(*f.find("PrivateKey"), "ED25519-V3:kDHw/Q8C+PU4pdg==");
}

TEST(TorFields, EmptyValues) {
  const Fields f = fields_of("A= B=\"\"");
  EXPECT_EQ(*f.find("A"), "");
  EXPECT_EQ(*f.find("B"), "");
}

TEST(TorFields, WordsWithOddCharactersStayWords) {
  const Fields f = fields_of("$E64C1825~relay3 =x a-b=c");
  EXPECT_EQ(f.words, (std::vector<std::string>{"$E64C1825~relay3", "=x", "a-b=c"}));
}

TEST(TorFields, ExtraSpacesIgnored) {
  const Fields f = fields_of("  A  B=1  ");
  EXPECT_EQ(f.words, (std::vector<std::string>{"A"}));
  EXPECT_EQ(*f.find("B"), "1");
}

TEST(TorFields, DuplicateKeyRejected) {
  EXPECT_EQ(error_of("A=1 A=2"), Errc::malformed);
}

TEST(TorFields, StrayQuotesRejected) {
  EXPECT_EQ(error_of("A=b\"c"), Errc::malformed);
  EXPECT_EQ(error_of("\"word\""), Errc::malformed);
  EXPECT_EQ(error_of("A=\"x\"y"), Errc::malformed);
}

TEST(TorFields, UnterminatedQuoteRejected) {
  EXPECT_EQ(error_of("A=\"abc"), Errc::malformed);
  EXPECT_EQ(error_of("A=\"abc\\\""), Errc::malformed);
}

TEST(TorQuotedString, SimpleEscapes) {
  EXPECT_EQ(unquote(R"("a\"b\\c\'d")"), "a\"b\\c'd");
  EXPECT_EQ(unquote(R"("\n\r\t")"), "\n\r\t");
}

TEST(TorQuotedString, HexAndOctalEscapes) {
  EXPECT_EQ(unquote(R"("\x41\X62")"), "Ab");
  EXPECT_EQ(unquote(R"("\101\1010")"), "AA0");  // octal takes at most 3 digits
  EXPECT_EQ(unquote(R"("\7")"), "\x07");
  EXPECT_EQ(unquote(R"("\377")"), "\xff");
}

TEST(TorQuotedString, RejectsBadEscapes) {
  std::size_t consumed = 0;
  EXPECT_FALSE(parse_quoted_string(R"("\q")", consumed).ok());
  EXPECT_FALSE(parse_quoted_string(R"("\x4")", consumed).ok());
  EXPECT_FALSE(parse_quoted_string(R"("\xzz")", consumed).ok());
  EXPECT_FALSE(parse_quoted_string(R"("\400")", consumed).ok());  // > 255
  EXPECT_FALSE(parse_quoted_string(R"("\0")", consumed).ok());    // NUL
  EXPECT_FALSE(parse_quoted_string(R"("\x00")", consumed).ok());  // NUL
  EXPECT_FALSE(parse_quoted_string(R"("\)", consumed).ok());
  EXPECT_FALSE(parse_quoted_string("abc", consumed).ok());
  EXPECT_FALSE(parse_quoted_string("", consumed).ok());
}

TEST(TorQuotedString, ConsumedStopsAtClosingQuote) {
  std::size_t consumed = 0;
  auto value = parse_quoted_string(R"("ab" rest)", consumed);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "ab");
  EXPECT_EQ(consumed, 4U);
}

TEST(TorQuote, RoundTripsEveryByteButNul) {
  std::string raw;
  for (int c = 1; c < 256; ++c) raw.push_back(static_cast<char>(c));
  const std::string quoted = quote(raw);
  EXPECT_EQ(quoted.find('\n'), std::string::npos);
  EXPECT_EQ(quoted.find('\r'), std::string::npos);
  EXPECT_EQ(unquote(quoted), raw);
}

TEST(TorQuote, KnownEncoding) {
  EXPECT_EQ(quote("a\"b\\c\n\x01"), R"("a\"b\\c\n\001")");
}

}  // namespace
}  // namespace tenebra::onion::tor
