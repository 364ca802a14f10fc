#include "tenebra/rendezvous/message_content.hpp"

#include <algorithm>

#include "tenebra/rendezvous/delivery_constants.hpp"

namespace tenebra::rendezvous::delivery {
namespace {

// Length of the UTF-8 sequence at `at`, or 0 when it is not a well-formed
// sequence (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
std::size_t utf8_sequence_length(ByteView bytes, std::size_t at) noexcept {
  const std::uint8_t lead = bytes[at];
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80;
  std::uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (bytes.size() - at < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const std::uint8_t next = bytes[at + i];
    const std::uint8_t lower = i == 1 ? low : std::uint8_t{0x80};
    const std::uint8_t upper = i == 1 ? high : std::uint8_t{0xBF};
    if (next < lower || next > upper) return 0;
  }
  return length;
}

Status check_content(const MessageContent& content) {
  if (const auto* text = std::get_if<TextContent>(&content)) {
    if (text->text.empty()) return make_error(Errc::invalid_argument, "a text message is empty");
    if (!is_valid_utf8(as_bytes(text->text))) return make_error(Errc::invalid_argument, "text is not valid UTF-8");
    if (text->text.size() > kMaxMessageBytes - kTextHeaderBytes) {
      return make_error(Errc::invalid_argument, "text is larger than the largest message");
    }
    return {};
  }
  const auto& file = std::get<FileContent>(content);
  if (auto named = check_file_name(file.name); !named) return named;
  if (auto typed = check_media_type(file.media_type); !typed) return typed;
  if (file.data.size() > kMaxMessageBytes - kFileHeaderBytes - file.name.size() - file.media_type.size()) {
    return make_error(Errc::invalid_argument, "file is larger than the largest message");
  }
  return {};
}

// Maps a rule broken by decoded bytes to Errc::malformed, keeping the text.
Error as_malformed(Error error) {
  error.code = Errc::malformed;
  return error;
}

Result<MessageContent> decode_text(ByteReader& reader) {
  auto length = reader.u32_be();
  if (!length) return make_error(Errc::malformed, "text message is truncated");
  auto text = reader.take(*length);
  if (!text) return make_error(Errc::malformed, "text message is shorter than its length");
  return MessageContent(TextContent{std::string(text->begin(), text->end())});
}

Result<MessageContent> decode_file(ByteReader& reader) {
  FileContent file;
  auto name_length = reader.u8();
  if (!name_length) return make_error(Errc::malformed, "file message is truncated");
  auto name = reader.take(*name_length);
  if (!name) return make_error(Errc::malformed, "file name is truncated");
  auto media_length = reader.u8();
  if (!media_length) return make_error(Errc::malformed, "file message is truncated");
  auto media = reader.take(*media_length);
  if (!media) return make_error(Errc::malformed, "file media type is truncated");
  auto data_length = reader.u32_be();
  if (!data_length) return make_error(Errc::malformed, "file message is truncated");
  auto data = reader.take(*data_length);
  if (!data) return make_error(Errc::malformed, "file data is shorter than its length");
  file.name.assign(name->begin(), name->end());
  file.media_type.assign(media->begin(), media->end());
  file.data.assign(data->begin(), data->end());
  return MessageContent(std::move(file));
}

}  // namespace

bool is_valid_utf8(ByteView bytes) noexcept {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t length = utf8_sequence_length(bytes, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

Status check_file_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxFileNameBytes) {
    return make_error(Errc::invalid_argument, "file name must be 1..255 bytes");
  }
  if (name == "." || name == "..") return make_error(Errc::invalid_argument, "file name may not be . or ..");
  // Neither separator (a recipient on Windows saves too), nor any C0 control
  // or DEL: a peer's name must not steer a path or a terminal.
  if (name.find_first_of("/\\") != std::string_view::npos) {
    return make_error(Errc::invalid_argument, "file name contains a path separator");
  }
  if (std::ranges::any_of(name, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return make_error(Errc::invalid_argument, "file name contains a control character");
  }
  if (!is_valid_utf8(as_bytes(name))) return make_error(Errc::invalid_argument, "file name is not valid UTF-8");
  return {};
}

Status check_media_type(std::string_view media_type) {
  if (media_type.empty() || media_type.size() > kMaxMediaTypeBytes) {
    return make_error(Errc::invalid_argument, "media type must be 1..127 bytes");
  }
  for (const char c : media_type) {
    if (c < 0x21 || c > 0x7E) {
      return make_error(Errc::invalid_argument, "media type must be printable ASCII without spaces");
    }
  }
  return {};
}

Result<Bytes> encode_message_content(const MessageContent& content) {
  if (auto checked = check_content(content); !checked) return std::move(checked).error();
  Bytes out;
  ByteWriter writer(out);
  if (const auto* text = std::get_if<TextContent>(&content)) {
    out.reserve(kTextHeaderBytes + text->text.size());
    writer.u8(static_cast<std::uint8_t>(ContentType::text));
    writer.u32_be(static_cast<std::uint32_t>(text->text.size()));
    writer.bytes(as_bytes(text->text));
    return out;
  }
  const auto& file = std::get<FileContent>(content);
  out.reserve(kFileHeaderBytes + file.name.size() + file.media_type.size() + file.data.size());
  writer.u8(static_cast<std::uint8_t>(ContentType::file));
  writer.u8(static_cast<std::uint8_t>(file.name.size()));
  writer.bytes(as_bytes(file.name));
  writer.u8(static_cast<std::uint8_t>(file.media_type.size()));
  writer.bytes(as_bytes(file.media_type));
  writer.u32_be(static_cast<std::uint32_t>(file.data.size()));
  writer.bytes(file.data);
  return out;
}

Result<MessageContent> decode_message_content(ByteView encoded) {
  if (encoded.size() > kMaxMessageBytes)
    return make_error(Errc::malformed, "message is larger than the largest message");
  ByteReader reader(encoded);
  auto type = reader.u8();
  if (!type) return make_error(Errc::malformed, "message is empty");
  Result<MessageContent> decoded = make_error(Errc::unsupported, "unknown message content type");
  if (*type == static_cast<std::uint8_t>(ContentType::text)) {
    decoded = decode_text(reader);
  } else if (*type == static_cast<std::uint8_t>(ContentType::file)) {
    decoded = decode_file(reader);
  }
  if (!decoded) return decoded;
  if (!reader.at_end()) return make_error(Errc::malformed, "message has trailing bytes");
  if (auto checked = check_content(*decoded); !checked) return as_malformed(std::move(checked).error());
  return decoded;
}

}  // namespace tenebra::rendezvous::delivery
