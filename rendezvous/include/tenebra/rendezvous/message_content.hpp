// What a user sends: a text or a file (docs/delivery.md §2). The encoded
// content is the message that the fragmenter cuts into frames and the
// reassembler puts back together; its codec is strict and canonical (every
// length checked, decode then encode gives the same bytes).
//
// Thread-safety: pure functions and value types, safe from any thread.
#pragma once

#include <string>
#include <variant>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"

namespace tenebra::rendezvous::delivery {

struct TextContent {
  std::string text;  // UTF-8, not empty
  bool operator==(const TextContent&) const = default;
};

struct FileContent {
  std::string name;        // 1..255 bytes of UTF-8; no / or \\, no control byte; not "." or ".."
  std::string media_type;  // 1..127 printable ASCII bytes without spaces, e.g. "application/pdf"
  Bytes data;              // may be empty; the whole encoding is at most kMaxMessageBytes
  bool operator==(const FileContent&) const = default;
};

using MessageContent = std::variant<TextContent, FileContent>;

// Errc::invalid_argument when the content breaks a rule above or is too big.
[[nodiscard]] Result<Bytes> encode_message_content(const MessageContent& content);
// Errc::malformed for any broken length, field or trailing byte;
// Errc::unsupported for an unknown content type.
[[nodiscard]] Result<MessageContent> decode_message_content(ByteView encoded);

// The rules, for callers that check user input before encoding.
[[nodiscard]] bool is_valid_utf8(ByteView bytes) noexcept;
[[nodiscard]] Status check_file_name(std::string_view name);
[[nodiscard]] Status check_media_type(std::string_view media_type);

}  // namespace tenebra::rendezvous::delivery
