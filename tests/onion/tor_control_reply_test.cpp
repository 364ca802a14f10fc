#include "tenebra/onion/tor_control_reply.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tenebra::onion::tor {
namespace {

// Feeds `text` and expects success.
void feed_ok(ReplyParser& parser, std::string_view text) {
  auto status = parser.feed(text);
  ASSERT_TRUE(status.ok()) << status.error().message;
}

Reply only_reply(std::string_view text) {
  ReplyParser parser;
  feed_ok(parser, text);
  auto reply = parser.next_reply();
  EXPECT_TRUE(reply.has_value());
  EXPECT_FALSE(parser.next_reply().has_value());
  return reply.value_or(Reply{});
}

Errc feed_error(std::string_view text, ReplyLimits limits = {}) {
  ReplyParser parser(limits);
  auto status = parser.feed(text);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(parser.failed());
  return status.ok() ? Errc::internal : status.error().code;
}

TEST(TorReplyParser, SingleLineReply) {
  const Reply reply = only_reply("250 OK\r\n");
  EXPECT_EQ(reply.status, 250);
  ASSERT_EQ(reply.lines.size(), 1U);
  EXPECT_EQ(reply.lines[0].separator, ' ');
  EXPECT_EQ(reply.lines[0].text, "OK");
  EXPECT_TRUE(reply.is_success());
  EXPECT_FALSE(reply.is_event());
}

TEST(TorReplyParser, MultiLineProtocolinfoFromTranscript) {
  const Reply reply = only_reply(
      "250-PROTOCOLINFO 1\r\n"
      "250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\"/var/lib/tor/control_auth_cookie\"\r\n"
      "250-VERSION Tor=\"0.4.9.11\"\r\n"
      "250 OK\r\n");
  ASSERT_EQ(reply.lines.size(), 4U);
  EXPECT_EQ(reply.lines[0].separator, '-');
  EXPECT_EQ(reply.lines[0].keyword(), "PROTOCOLINFO");
  EXPECT_EQ(reply.lines[1].keyword(), "AUTH");
  EXPECT_EQ(reply.lines[2].keyword(), "VERSION");
  EXPECT_EQ(reply.end_line().text, "OK");
}

TEST(TorReplyParser, KeywordStopsAtEquals) {
  const Reply reply = only_reply("250-ServiceID=abc\r\n250 OK\r\n");
  EXPECT_EQ(reply.lines[0].keyword(), "ServiceID");
}

TEST(TorReplyParser, BareLfAccepted) {
  const Reply reply = only_reply("250-a\n250 OK\n");
  ASSERT_EQ(reply.lines.size(), 2U);
  EXPECT_EQ(reply.lines[0].text, "a");
}

TEST(TorReplyParser, DataBlockWithDotUnstuffing) {
  const Reply reply = only_reply(
      "250+onions/current=\r\n"
      "fylpbpl4sualxbyvqc57io7f267mihuhd4zdeaqlucyyexebnn6pjsad\r\n"
      "..starts with a dot\r\n"
      ".\r\n"
      "250 OK\r\n");
  ASSERT_EQ(reply.lines.size(), 2U);
  EXPECT_TRUE(reply.lines[0].has_data());
  EXPECT_EQ(reply.lines[0].text, "onions/current=");
  EXPECT_EQ(reply.lines[0].data, "fylpbpl4sualxbyvqc57io7f267mihuhd4zdeaqlucyyexebnn6pjsad\n.starts with a dot\n");
}

TEST(TorReplyParser, EmptyDataBlock) {
  const Reply reply = only_reply("250+x=\r\n.\r\n250 OK\r\n");
  EXPECT_EQ(reply.lines[0].data, "");
}

TEST(TorReplyParser, DataLinesMayLookLikeStatusLines) {
  const Reply reply = only_reply("250+x=\r\n650 HS_DESC fake\r\n250 OK\r\n.\r\n250 OK\r\n");
  EXPECT_EQ(reply.lines[0].data, "650 HS_DESC fake\n250 OK\n");
}

TEST(TorReplyParser, ByteAtATime) {
  const std::string text = "250-a\r\n250+b=\r\nline\r\n.\r\n650 STATUS_CLIENT NOTICE X\r\n250 OK\r\n";
  ReplyParser parser;
  for (char c : text) feed_ok(parser, std::string_view(&c, 1));
  auto reply = parser.next_reply();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->lines.size(), 3U);
  EXPECT_EQ(reply->lines[1].data, "line\n");
  auto event = parser.next_event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->status, 650);
  EXPECT_TRUE(parser.idle());
}

TEST(TorReplyParser, EventsAreSeparateFromReplies) {
  ReplyParser parser;
  feed_ok(parser, "650 HS_DESC UPLOADED x\r\n250 OK\r\n");
  auto event = parser.next_event();
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(event->is_event());
  EXPECT_EQ(event->lines[0].text, "HS_DESC UPLOADED x");
  EXPECT_FALSE(parser.next_event().has_value());
  auto reply = parser.next_reply();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 250);
}

TEST(TorReplyParser, EventInterleavedInsideMultiLineReply) {
  ReplyParser parser;
  feed_ok(parser,
          "250-version=0.4.9.11\r\n"
          "650 STATUS_CLIENT NOTICE CIRCUIT_ESTABLISHED\r\n"
          "250-net/listeners/socks=\r\n");
  EXPECT_TRUE(parser.next_event().has_value());
  EXPECT_FALSE(parser.next_reply().has_value());
  EXPECT_FALSE(parser.idle());
  feed_ok(parser, "250 OK\r\n");
  auto reply = parser.next_reply();
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->lines.size(), 3U);
  EXPECT_EQ(reply->lines[1].text, "net/listeners/socks=");
}

TEST(TorReplyParser, MultiLineEvent) {
  ReplyParser parser;
  feed_ok(parser, "650-CONF_CHANGED\r\n650-DisableNetwork=0\r\n650 OK\r\n");
  auto event = parser.next_event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->lines.size(), 3U);
}

TEST(TorReplyParser, ErrorReplyIsAReply) {
  const Reply reply = only_reply("552 Unrecognized key \"bogus\"\r\n");
  EXPECT_EQ(reply.status, 552);
  EXPECT_FALSE(reply.is_success());
}

TEST(TorReplyParser, IdleTracksPartialInput) {
  ReplyParser parser;
  EXPECT_TRUE(parser.idle());
  feed_ok(parser, "250 O");
  EXPECT_FALSE(parser.idle());
  feed_ok(parser, "K\r\n");
  EXPECT_TRUE(parser.idle());
}

TEST(TorReplyParser, RejectsBadStatusCodes) {
  EXPECT_EQ(feed_error("25a OK\r\n"), Errc::malformed);
  EXPECT_EQ(feed_error("350 OK\r\n"), Errc::malformed);
  EXPECT_EQ(feed_error("OK\r\n"), Errc::malformed);
  EXPECT_EQ(feed_error("-50 OK\r\n"), Errc::malformed);
}

TEST(TorReplyParser, RejectsShortAndSeparatorlessLines) {
  EXPECT_EQ(feed_error("250\r\n"), Errc::malformed);
  EXPECT_EQ(feed_error("\r\n"), Errc::malformed);
  EXPECT_EQ(feed_error("250XOK\r\n"), Errc::malformed);
}

TEST(TorReplyParser, RejectsControlCharacters) {
  EXPECT_EQ(feed_error(std::string_view("250 O\0K\r\n", 9)), Errc::malformed);
  EXPECT_EQ(feed_error("250 O\rK\r\n"), Errc::malformed);
  EXPECT_EQ(feed_error("250+x=\r\nda\x01ta\r\n"), Errc::malformed);
}

TEST(TorReplyParser, TabIsAllowed) {
  EXPECT_EQ(only_reply("250 a\tb\r\n").lines[0].text, "a\tb");
}

TEST(TorReplyParser, RejectsStatusChangeWithinReply) {
  EXPECT_EQ(feed_error("250-a\r\n251 OK\r\n"), Errc::malformed);
}

TEST(TorReplyParser, LineCapWithoutNewlineFailsEarly) {
  ReplyLimits limits;
  limits.max_line_bytes = 16;
  EXPECT_EQ(feed_error(std::string(18, 'x'), limits), Errc::exhausted);
}

TEST(TorReplyParser, LineExactlyAtCapPasses) {
  ReplyLimits limits;
  limits.max_line_bytes = 10;
  ReplyParser parser(limits);
  feed_ok(parser, "250 ABCDEF\r\n");  // 10 bytes before CRLF
  EXPECT_TRUE(parser.next_reply().has_value());
  ReplyParser bare_lf(limits);
  feed_ok(bare_lf, "250 ABCDEF\n");
  EXPECT_TRUE(bare_lf.next_reply().has_value());
}

TEST(TorReplyParser, LineOneOverCapFails) {
  ReplyLimits limits;
  limits.max_line_bytes = 10;
  EXPECT_EQ(feed_error("250 ABCDEFG\r\n", limits), Errc::exhausted);
  EXPECT_EQ(feed_error("250 ABCDEFG\n", limits), Errc::exhausted);
}

TEST(TorReplyParser, DefaultLineCapIs16KiB) {
  ReplyParser parser;
  const std::string long_line = "250 " + std::string(kMaxLineBytes, 'a') + "\r\n";
  auto status = parser.feed(long_line);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::exhausted);
}

TEST(TorReplyParser, LinesPerReplyCap) {
  ReplyLimits limits;
  limits.max_lines_per_reply = 3;
  ReplyParser ok(limits);
  feed_ok(ok, "250-a\r\n250-b\r\n250 OK\r\n");
  EXPECT_TRUE(ok.next_reply().has_value());
  EXPECT_EQ(feed_error("250-a\r\n250-b\r\n250-c\r\n250 OK\r\n", limits), Errc::exhausted);
}

TEST(TorReplyParser, DataLinesCountTowardsLineCap) {
  ReplyLimits limits;
  limits.max_lines_per_reply = 3;
  EXPECT_EQ(feed_error("250+x=\r\n1\r\n2\r\n3\r\n", limits), Errc::exhausted);
}

TEST(TorReplyParser, ReplyBytesCap) {
  ReplyLimits limits;
  limits.max_reply_bytes = 20;
  EXPECT_EQ(feed_error("250-0123456789\r\n250-0123456789\r\n", limits), Errc::exhausted);
}

TEST(TorReplyParser, DataBlockCap) {
  ReplyLimits limits;
  limits.max_data_block_bytes = 8;
  ReplyParser ok(limits);
  feed_ok(ok, "250+x=\r\n1234567\r\n.\r\n250 OK\r\n");  // 7 bytes + newline
  EXPECT_TRUE(ok.next_reply().has_value());
  EXPECT_EQ(feed_error("250+x=\r\n12345678\r\n", limits), Errc::exhausted);
}

TEST(TorReplyParser, CapsAreCountedPerReply) {
  ReplyLimits limits;
  limits.max_lines_per_reply = 2;
  ReplyParser parser(limits);
  for (int i = 0; i < 10; ++i) feed_ok(parser, "250-a\r\n250 OK\r\n");
  int count = 0;
  while (parser.next_reply()) ++count;
  EXPECT_EQ(count, 10);
}

TEST(TorReplyParser, RefusesInputAfterError) {
  ReplyParser parser;
  feed_ok(parser, "250 OK\r\n");
  EXPECT_FALSE(parser.feed("garbage\r\n").ok());
  auto again = parser.feed("250 OK\r\n");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::malformed);
  // The reply completed before the error is still there; nothing after it.
  EXPECT_TRUE(parser.next_reply().has_value());
  EXPECT_FALSE(parser.next_reply().has_value());
}

TEST(TorReplyParser, ErrorMessagesDoNotQuoteInput) {
  ReplyParser parser;
  auto status = parser.feed("99x secret.onion\r\n");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message.find("secret"), std::string::npos);
}

TEST(TorReplyParser, WipeClearsReply) {
  Reply reply = only_reply("250-PrivateKey=ED25519-V3:abc\r\n250 OK\r\n");
  reply.wipe();
  EXPECT_TRUE(reply.lines.empty());
}

}  // namespace
}  // namespace tenebra::onion::tor
