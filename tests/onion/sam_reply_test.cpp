#include "tenebra/onion/sam_reply.hpp"

#include <gtest/gtest.h>

#include <tuple>

#include "i2p_test_vectors.hpp"

namespace tenebra::onion::sam {
namespace {

using test::kPriv;
using test::kPub;

Reply reply_of(std::string_view line) {
  auto reply = parse_reply(line);
  EXPECT_TRUE(reply.ok()) << reply.error().message;
  return reply.ok() ? std::move(reply).value() : Reply{};
}

Errc error_of(std::string_view line) {
  auto reply = parse_reply(line);
  EXPECT_FALSE(reply.ok());
  return reply.ok() ? Errc::internal : reply.error().code;
}

template <typename T>
Errc code_of(const Result<T>& result) {
  return result.ok() ? Errc::internal : result.error().code;
}

TEST(SamFraming, FindsFirstLineOnly) {
  const std::string buffered = "STREAM STATUS RESULT=OK\nraw stream bytes";
  auto end = find_line_end(as_bytes(buffered));
  ASSERT_TRUE(end.ok());
  ASSERT_TRUE(end->has_value());
  EXPECT_EQ(**end, 24U);
}

TEST(SamFraming, NeedsMoreWithoutNewline) {
  auto end = find_line_end(as_bytes("HELLO REPLY"));
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
  auto empty = find_line_end(ByteView{});
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
}

TEST(SamFraming, CapOnUnendedLine) {
  EXPECT_TRUE(find_line_end(as_bytes(std::string(11, 'a')), 10).ok());
  EXPECT_EQ(code_of(find_line_end(as_bytes(std::string(12, 'a')), 10)), Errc::exhausted);
  // A newline past the cap does not rescue the line.
  EXPECT_EQ(code_of(find_line_end(as_bytes(std::string(12, 'a') + "\n"), 10)), Errc::exhausted);
  // At the cap, with "\r\n", it is fine.
  auto at_cap = find_line_end(as_bytes(std::string(10, 'a') + "\r\n"), 10);
  ASSERT_TRUE(at_cap.ok());
  EXPECT_EQ(**at_cap, 12U);
}

TEST(SamReply, TopicSubtopicAndFields) {
  const Reply r = reply_of("HELLO REPLY RESULT=OK VERSION=3.1\n");
  EXPECT_EQ(r.topic, "HELLO");
  EXPECT_EQ(r.subtopic, "REPLY");
  ASSERT_EQ(r.fields.size(), 2U);
  EXPECT_EQ(*r.find("RESULT"), "OK");
  EXPECT_EQ(*r.find("VERSION"), "3.1");
  EXPECT_EQ(r.find("MISSING"), nullptr);
}

TEST(SamReply, QuotedValuesAndBareKeys) {
  const Reply r = reply_of(R"(SESSION STATUS RESULT=I2P_ERROR MESSAGE="a \"quoted\" \\ text" FLAG)");
  EXPECT_EQ(*r.find("MESSAGE"), R"(a "quoted" \ text)");
  EXPECT_EQ(*r.find("FLAG"), "");
}

TEST(SamReply, UnquotedMessageRunsToEndOfLine) {
  // i2pd 2.45: SAM_SESSION_STATUS_I2P_ERROR is "... MESSAGE=%s\n" without quotes.
  const Reply r = reply_of("SESSION STATUS RESULT=I2P_ERROR MESSAGE=Wrong session type\n");
  EXPECT_EQ(*r.find("MESSAGE"), "Wrong session type");
}

TEST(SamReply, CrLfAndExtraSpaces) {
  const Reply r = reply_of("STREAM  STATUS   RESULT=OK  \r\n");
  EXPECT_EQ(*r.find("RESULT"), "OK");
}

TEST(SamReply, DottedKeys) {
  EXPECT_EQ(*reply_of("X Y i2cp.leaseSetEncType=4,0").find("i2cp.leaseSetEncType"), "4,0");
}

TEST(SamReply, Rejections) {
  EXPECT_EQ(error_of(""), Errc::malformed);
  EXPECT_EQ(error_of("HELLO\n"), Errc::malformed);
  EXPECT_EQ(error_of("hello REPLY\n"), Errc::malformed);
  EXPECT_EQ(error_of("HELLO REPLY RESULT=OK RESULT=OK\n"), Errc::malformed);
  EXPECT_EQ(error_of("HELLO REPLY RESULT=O\"K\n"), Errc::malformed);
  EXPECT_EQ(error_of("HELLO REPLY RESULT=\"OK\n"), Errc::malformed);
  EXPECT_EQ(error_of("HELLO REPLY RESULT=\"OK\"X\n"), Errc::malformed);
  EXPECT_EQ(error_of("HELLO REPLY RESULT=\"\\n\"\n"), Errc::malformed);
  EXPECT_EQ(error_of("HELLO REPLY =OK\n"), Errc::malformed);
  EXPECT_EQ(error_of("HELLO REPLY KEY\"=x\n"), Errc::malformed);
  EXPECT_EQ(error_of("HELLO REPLY RESULT=OK\tVERSION=3.1\n"), Errc::malformed);
  EXPECT_EQ(error_of(std::string_view("HELLO REPLY\0 RESULT=OK\n", 23)), Errc::malformed);
  EXPECT_EQ(error_of("HELLO REPLY A=1\nB=2\n"), Errc::malformed);
}

TEST(SamReply, Caps) {
  EXPECT_EQ(error_of("HELLO REPLY X=" + std::string(kMaxLineBytes, 'a')), Errc::exhausted);
  std::string many = "HELLO REPLY";
  for (std::size_t i = 0; i <= kMaxFieldsPerLine; ++i) many += " K" + std::to_string(i) + "=v";
  EXPECT_EQ(error_of(many), Errc::exhausted);
}

TEST(SamHello, AcceptsVersions) {
  EXPECT_EQ(parse_hello_reply(reply_of("HELLO REPLY RESULT=OK VERSION=3.1\n"))->version, "3.1");
  EXPECT_EQ(parse_hello_reply(reply_of("HELLO REPLY RESULT=OK VERSION=3.0\n"))->version, "3.0");
}

TEST(SamHello, Rejections) {
  EXPECT_EQ(code_of(parse_hello_reply(reply_of("HELLO REPLY RESULT=NOVERSION\n"))), Errc::unsupported);
  EXPECT_EQ(code_of(parse_hello_reply(reply_of("HELLO REPLY RESULT=I2P_ERROR\n"))), Errc::io);
  EXPECT_EQ(code_of(parse_hello_reply(reply_of("HELLO REPLY RESULT=OK VERSION=3.3\n"))), Errc::unsupported);
  EXPECT_EQ(code_of(parse_hello_reply(reply_of("HELLO REPLY RESULT=OK VERSION=2.0\n"))), Errc::unsupported);
  EXPECT_EQ(code_of(parse_hello_reply(reply_of("HELLO REPLY RESULT=OK\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_hello_reply(reply_of("HELLO REPLY VERSION=3.1\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_hello_reply(reply_of("HELLO REPLY RESULT=MAYBE VERSION=3.1\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_hello_reply(reply_of("STREAM STATUS RESULT=OK\n"))), Errc::malformed);
}

TEST(SamSession, OkEchoesPrivateDestination) {
  auto status = parse_session_status(reply_of("SESSION STATUS RESULT=OK DESTINATION=" + std::string(kPriv) + "\n"));
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->result, SessionResult::ok);
  EXPECT_EQ(*status->destination, kPriv);
  status->wipe();
  EXPECT_FALSE(status->destination.has_value());
}

TEST(SamSession, EveryResult) {
  const std::pair<std::string_view, SessionResult> cases[] = {
      {"DUPLICATED_ID", SessionResult::duplicated_id}, {"DUPLICATED_DEST", SessionResult::duplicated_dest},
      {"INVALID_ID", SessionResult::invalid_id},       {"INVALID_KEY", SessionResult::invalid_key},
      {"I2P_ERROR", SessionResult::i2p_error},
  };
  for (const auto& [text, result] : cases) {
    auto status = parse_session_status(reply_of("SESSION STATUS RESULT=" + std::string(text) + "\n"));
    ASSERT_TRUE(status.ok()) << text;
    EXPECT_EQ(status->result, result);
  }
  auto error = parse_session_status(reply_of("SESSION STATUS RESULT=I2P_ERROR MESSAGE=Can't create session\n"));
  EXPECT_EQ(error->message, "Can't create session");
}

TEST(SamSession, Rejections) {
  EXPECT_EQ(code_of(parse_session_status(reply_of("SESSION STATUS RESULT=WEIRD\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_session_status(reply_of("SESSION STATUS\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_session_status(reply_of("SESSION STATUS RESULT=OK DESTINATION=" + std::string(kPub) + "\n"))),
            Errc::malformed);
  EXPECT_EQ(code_of(parse_session_status(reply_of("SESSION STATUS RESULT=OK DESTINATION=A+/=\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_session_status(reply_of("STREAM STATUS RESULT=OK\n"))), Errc::malformed);
}

TEST(SamStream, EveryResultAndRetryAdvice) {
  const std::tuple<std::string_view, StreamResult, bool> cases[] = {
      {"OK", StreamResult::ok, false},
      {"CANT_REACH_PEER", StreamResult::cant_reach_peer, true},
      {"I2P_ERROR", StreamResult::i2p_error, true},
      {"INVALID_KEY", StreamResult::invalid_key, false},
      {"INVALID_ID", StreamResult::invalid_id, false},
      {"TIMEOUT", StreamResult::timeout, true},
  };
  for (const auto& [text, result, retry] : cases) {
    auto status = parse_stream_status(reply_of("STREAM STATUS RESULT=" + std::string(text) + "\n"));
    ASSERT_TRUE(status.ok()) << text;
    EXPECT_EQ(status->result, result);
    EXPECT_EQ(status->retry_later(), retry) << text;
  }
}

TEST(SamStream, SessionStatusErrorOnStreamSocket) {
  auto status = parse_stream_status(reply_of("SESSION STATUS RESULT=I2P_ERROR MESSAGE=Session not found\n"));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->result, StreamResult::i2p_error);
  EXPECT_EQ(status->message, "Session not found");
  EXPECT_EQ(code_of(parse_stream_status(reply_of("SESSION STATUS RESULT=OK\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_stream_status(reply_of("STREAM STATUS RESULT=LATER\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_stream_status(reply_of("STREAM STATUS\n"))), Errc::malformed);
}

TEST(SamDest, ParsesGeneratedPair) {
  auto dest = parse_dest_reply(reply_of("DEST REPLY PUB=" + std::string(kPub) + " PRIV=" + std::string(kPriv) + "\n"));
  ASSERT_TRUE(dest.ok()) << dest.error().message;
  EXPECT_EQ(dest->pub, kPub);
  EXPECT_EQ(dest->priv, kPriv);
  dest->wipe();
  EXPECT_TRUE(dest->priv.empty());
}

TEST(SamDest, Rejections) {
  const std::string pub(kPub);
  const std::string priv(kPriv);
  EXPECT_EQ(code_of(parse_dest_reply(reply_of("DEST REPLY RESULT=I2P_ERROR\n"))), Errc::io);
  EXPECT_EQ(code_of(parse_dest_reply(reply_of("DEST REPLY PUB=" + pub + "\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_dest_reply(reply_of("DEST REPLY PUB=" + priv + " PRIV=" + priv + "\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_dest_reply(reply_of("DEST REPLY PUB=" + pub + " PRIV=" + pub + "\n"))), Errc::malformed);
  std::string other_priv = priv;
  other_priv[0] = 'B';
  EXPECT_EQ(code_of(parse_dest_reply(reply_of("DEST REPLY PUB=" + pub + " PRIV=" + other_priv + "\n"))),
            Errc::malformed);
  std::string bad_alphabet = pub;
  bad_alphabet[bad_alphabet.find('-')] = '+';
  EXPECT_EQ(code_of(parse_dest_reply(reply_of("DEST REPLY PUB=" + bad_alphabet + " PRIV=" + priv + "\n"))),
            Errc::malformed);
}

TEST(SamNaming, Results) {
  auto ok = parse_naming_reply(reply_of("NAMING REPLY RESULT=OK NAME=ME VALUE=" + std::string(kPub) + "\n"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->result, NamingResult::ok);
  EXPECT_EQ(ok->name, "ME");
  EXPECT_EQ(ok->value, kPub);
  auto missing = parse_naming_reply(reply_of("NAMING REPLY RESULT=KEY_NOT_FOUND NAME=x.i2p\n"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->result, NamingResult::key_not_found);
  auto invalid = parse_naming_reply(reply_of("NAMING REPLY RESULT=INVALID_KEY NAME=x.i2p\n"));
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(invalid->result, NamingResult::invalid_key);
}

TEST(SamNaming, Rejections) {
  EXPECT_EQ(code_of(parse_naming_reply(reply_of("NAMING REPLY RESULT=OK NAME=ME\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_naming_reply(reply_of("NAMING REPLY RESULT=OK NAME=ME VALUE=AAAA\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_naming_reply(reply_of("NAMING REPLY RESULT=HUH\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_naming_reply(reply_of("NAMING LOOKUP NAME=ME\n"))), Errc::malformed);
}

TEST(SamAcceptedPeer, DestinationLine) {
  auto peer = parse_accepted_peer(std::string(kPub) + "\n");
  ASSERT_TRUE(peer.ok()) << peer.error().message;
  EXPECT_EQ(*peer, kPub);
  auto with_ports = parse_accepted_peer(std::string(kPub) + " FROM_PORT=0 TO_PORT=0\n");
  ASSERT_TRUE(with_ports.ok());
  EXPECT_EQ(*with_ports, kPub);
}

TEST(SamAcceptedPeer, Rejections) {
  EXPECT_FALSE(parse_accepted_peer("\n").ok());
  EXPECT_FALSE(parse_accepted_peer("STREAM STATUS RESULT=OK\n").ok());
  EXPECT_FALSE(parse_accepted_peer(std::string(kPriv) + "\n").ok());
  EXPECT_FALSE(parse_accepted_peer(std::string(kPub) + "\x01\n").ok());
}

}  // namespace
}  // namespace tenebra::onion::sam
