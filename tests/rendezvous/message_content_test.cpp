#include "tenebra/rendezvous/message_content.hpp"

#include <gtest/gtest.h>

#include "tenebra/rendezvous/delivery_constants.hpp"

namespace tenebra::rendezvous::delivery {
namespace {

Bytes bytes_of(std::initializer_list<int> values) {
  Bytes out;
  for (int value : values) out.push_back(static_cast<std::uint8_t>(value));
  return out;
}

FileContent sample_file() {
  return FileContent{"report.pdf", "application/pdf", bytes_of({0xDE, 0xAD, 0x00})};
}

Errc encode_error(const MessageContent& content) {
  auto encoded = encode_message_content(content);
  EXPECT_FALSE(encoded.ok());
  return encoded.ok() ? Errc::internal : encoded.error().code;
}

Errc decode_error(const Bytes& encoded) {
  auto decoded = decode_message_content(encoded);
  EXPECT_FALSE(decoded.ok());
  return decoded.ok() ? Errc::internal : decoded.error().code;
}

TEST(DeliveryContent, TextEncodesToItsLayoutAndBack) {
  auto encoded = encode_message_content(TextContent{"hello"});
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(*encoded, bytes_of({0x01, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'}));
  auto decoded = decode_message_content(*encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<TextContent>(*decoded).text, "hello");
}

TEST(DeliveryContent, FileEncodesToItsLayoutAndBack) {
  const FileContent file{"a.b", "x/y", bytes_of({7, 8})};
  auto encoded = encode_message_content(file);
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(*encoded, bytes_of({0x02, 3, 'a', '.', 'b', 3, 'x', '/', 'y', 0, 0, 0, 2, 7, 8}));
  auto decoded = decode_message_content(*encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<FileContent>(*decoded), file);
}

TEST(DeliveryContent, EmptyFileAndMultibyteTextAreFine) {
  const FileContent empty{"empty", "text/plain", {}};
  auto encoded = encode_message_content(empty);
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(std::get<FileContent>(*decode_message_content(*encoded)), empty);
  const std::string text = "h\xC3\xA9llo \xF0\x9F\x94\x92 \xE2\x82\xAC";  // é, a lock emoji, €
  auto text_encoded = encode_message_content(TextContent{text});
  ASSERT_TRUE(text_encoded.ok());
  EXPECT_EQ(std::get<TextContent>(*decode_message_content(*text_encoded)).text, text);
}

TEST(DeliveryContent, Utf8ValidatorRefusesIllFormedSequences) {
  EXPECT_TRUE(is_valid_utf8(as_bytes("plain ascii")));
  EXPECT_TRUE(is_valid_utf8(as_bytes("\xF4\x8F\xBF\xBF")));       // U+10FFFF
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xC0\x80")));              // overlong NUL
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xE0\x80\xAF")));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xED\xA0\x80")));          // surrogate
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xF4\x90\x80\x80")));      // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xE2\x82")));              // truncated
  EXPECT_FALSE(is_valid_utf8(as_bytes("\x80")));                  // lone continuation
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xF8\x88\x80\x80\x80")));  // 5-byte form
}

TEST(DeliveryContent, EncoderRefusesContentThatBreaksTheRules) {
  EXPECT_EQ(encode_error(TextContent{""}), Errc::invalid_argument);
  EXPECT_EQ(encode_error(TextContent{"bad \xC0\x80"}), Errc::invalid_argument);
  const std::vector<std::string> bad_names = {"",
                                              ".",
                                              "..",
                                              "a/b",
                                              std::string("a\0b", 3),
                                              std::string(256, 'n'),
                                              "\xFF",
                                              "..\\..\\evil.exe",
                                              "a\x1B[2Jb",
                                              "tab\tname",
                                              "del\x7F"};
  for (const auto& name : bad_names) {
    FileContent file = sample_file();
    file.name = name;
    EXPECT_EQ(encode_error(file), Errc::invalid_argument) << name;
  }
  const std::vector<std::string> bad_types = {"", "text plain", "text/\x7F", std::string(128, 't'), "t\xC3\xA9"};
  for (const auto& type : bad_types) {
    FileContent file = sample_file();
    file.media_type = type;
    EXPECT_EQ(encode_error(file), Errc::invalid_argument) << type;
  }
  FileContent longest = sample_file();
  longest.name = std::string(255, 'n');
  longest.media_type = std::string(127, 't');
  EXPECT_TRUE(encode_message_content(longest).ok());
}

TEST(DeliveryContent, LargestMessageIsTheCap) {
  FileContent file{"big", "application/octet-stream", {}};
  const std::size_t header = kFileHeaderBytes + file.name.size() + file.media_type.size();
  file.data.assign(kMaxMessageBytes - header, 0x5A);
  auto encoded = encode_message_content(file);
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->size(), kMaxMessageBytes);
  file.data.push_back(0);
  EXPECT_EQ(encode_error(file), Errc::invalid_argument);
  encoded->push_back(0);
  EXPECT_EQ(decode_error(*encoded), Errc::malformed);
}

TEST(DeliveryContent, DecoderRefusesEveryBrokenEncoding) {
  EXPECT_EQ(decode_error({}), Errc::malformed);
  EXPECT_EQ(decode_error(bytes_of({0x03, 0, 0, 0, 1, 'x'})), Errc::unsupported);
  EXPECT_EQ(decode_error(bytes_of({0x00})), Errc::unsupported);
  EXPECT_EQ(decode_error(bytes_of({0x01, 0, 0, 0})), Errc::malformed);                              // truncated length
  EXPECT_EQ(decode_error(bytes_of({0x01, 0, 0, 0, 6, 'h', 'e', 'l', 'l', 'o'})), Errc::malformed);  // short
  EXPECT_EQ(decode_error(bytes_of({0x01, 0, 0, 0, 4, 'h', 'e', 'l', 'l', 'o'})), Errc::malformed);  // trailing
  EXPECT_EQ(decode_error(bytes_of({0x01, 0, 0, 0, 0})), Errc::malformed);                           // empty text
  EXPECT_EQ(decode_error(bytes_of({0x01, 0, 0, 0, 2, 0xC0, 0x80})), Errc::malformed);               // bad UTF-8
  EXPECT_EQ(decode_error(bytes_of({0x01, 0xFF, 0xFF, 0xFF, 0xFF, 'x'})), Errc::malformed);          // huge length
  const Bytes good = *encode_message_content(sample_file());
  for (std::size_t cut = 1; cut < good.size(); ++cut) {
    EXPECT_EQ(decode_error(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut))), Errc::malformed)
        << cut;
  }
  // Names and types are checked on the way in too.
  EXPECT_EQ(decode_error(bytes_of({0x02, 1, '/', 1, 'x', 0, 0, 0, 0})), Errc::malformed);
  EXPECT_EQ(decode_error(bytes_of({0x02, 2, '.', '.', 1, 'x', 0, 0, 0, 0})), Errc::malformed);
  EXPECT_EQ(decode_error(bytes_of({0x02, 0, 1, 'x', 0, 0, 0, 0})), Errc::malformed);
  EXPECT_EQ(decode_error(bytes_of({0x02, 1, 'a', 0, 0, 0, 0, 0})), Errc::malformed);
  EXPECT_EQ(decode_error(bytes_of({0x02, 1, 'a', 1, ' ', 0, 0, 0, 0})), Errc::malformed);
  EXPECT_TRUE(decode_message_content(bytes_of({0x02, 1, 'a', 1, 'x', 0, 0, 0, 0})).ok());
}

}  // namespace
}  // namespace tenebra::rendezvous::delivery
