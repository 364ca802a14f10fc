// Framing and tokens of SAM reply lines. The typed readers are in
// sam_typed_replies.cpp.
#include "tenebra/onion/sam_reply.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "tenebra/onion/i2p_destination.hpp"
#include "wipe.hpp"

namespace tenebra::onion::sam {
namespace {

bool is_upper_word(std::string_view word) noexcept {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool is_key_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

bool has_control_character(std::string_view line) noexcept {
  return std::any_of(line.begin(), line.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7F;
  });
}

Error malformed(const char* problem) {
  return make_error(Errc::malformed, std::string("SAM reply: ") + problem);
}

// Strips "\n" and then "\r" from the end, and checks what is left.
Result<std::string_view> clean_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > kMaxLineBytes) return make_error(Errc::exhausted, "SAM reply: line longer than the cap");
  if (has_control_character(line)) return malformed("control character inside the line");
  return line;
}

// The next space-delimited word at `pos`, skipping leading spaces.
std::string_view next_word(std::string_view line, std::size_t& pos) {
  while (pos < line.size() && line[pos] == ' ') ++pos;
  const std::size_t end = std::min(line.find(' ', pos), line.size());
  const std::string_view word = line.substr(pos, end - pos);
  pos = end;
  return word;
}

// A quoted value at line[pos] == '"'; only \" and \\ are escapes.
Result<std::string> parse_quoted(std::string_view line, std::size_t& pos) {
  std::string out;
  for (std::size_t i = pos + 1; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      pos = i + 1;
      if (pos < line.size() && line[pos] != ' ') return malformed("text right after a quoted value");
      return out;
    }
    if (c == '\\') {
      if (i + 1 >= line.size() || (line[i + 1] != '"' && line[i + 1] != '\\')) return malformed("bad escape");
      ++i;
    }
    out.push_back(line[i]);
  }
  return malformed("unterminated quoted value");
}

Result<Field> parse_field(std::string_view line, std::size_t& pos) {
  const std::size_t key_start = pos;
  while (pos < line.size() && is_key_char(line[pos])) ++pos;
  Field field;
  field.key.assign(line.substr(key_start, pos - key_start));
  if (field.key.empty()) return malformed("field without a key");
  if (pos == line.size() || line[pos] == ' ') return field;  // bare KEY
  if (line[pos] != '=') return malformed("bad character in a key");
  ++pos;
  if (pos < line.size() && line[pos] == '"') {
    auto value = parse_quoted(line, pos);
    if (!value) return std::move(value).error();
    field.value = std::move(*value);
    return field;
  }
  // i2pd writes "MESSAGE=<text with spaces>" without quotes, always last.
  const std::size_t end = field.key == "MESSAGE" ? line.size() : std::min(line.find(' ', pos), line.size());
  field.value.assign(line.substr(pos, end - pos));
  pos = end;
  if (field.value.find('"') != std::string::npos) return malformed("stray '\"' in a value");
  return field;
}

}  // namespace

Result<std::optional<std::size_t>> find_line_end(ByteView buffered, std::size_t max_line_bytes) {
  // The line may take max_line_bytes plus "\r\n".
  const std::size_t window = std::min(buffered.size(), max_line_bytes + 2);
  const void* newline = window == 0 ? nullptr : std::memchr(buffered.data(), '\n', window);
  if (newline != nullptr) {
    return std::optional<std::size_t>(static_cast<const std::uint8_t*>(newline) - buffered.data() + 1);
  }
  if (buffered.size() >= max_line_bytes + 2) return make_error(Errc::exhausted, "SAM reply: line longer than the cap");
  return std::optional<std::size_t>();
}

const std::string* Reply::find(std::string_view key) const noexcept {
  const auto it = std::find_if(fields.begin(), fields.end(), [key](const Field& f) { return f.key == key; });
  return it == fields.end() ? nullptr : &it->value;
}

void Reply::wipe() noexcept {
  for (Field& field : fields) {
    detail::wipe_string(field.key);
    detail::wipe_string(field.value);
  }
  fields.clear();
}

Result<Reply> parse_reply(std::string_view raw_line) {
  auto line = clean_line(raw_line);
  if (!line) return std::move(line).error();
  std::size_t pos = 0;
  Reply reply;
  reply.topic.assign(next_word(*line, pos));
  reply.subtopic.assign(next_word(*line, pos));
  if (!is_upper_word(reply.topic) || !is_upper_word(reply.subtopic)) {
    return malformed("topic and subtopic must be upper-case words");
  }
  while (true) {
    while (pos < line->size() && (*line)[pos] == ' ') ++pos;
    if (pos == line->size()) break;
    if (reply.fields.size() == kMaxFieldsPerLine) return make_error(Errc::exhausted, "SAM reply: too many fields");
    auto field = parse_field(*line, pos);
    if (!field) {
      reply.wipe();
      return std::move(field).error();
    }
    if (reply.find(field->key) != nullptr) {
      reply.wipe();
      return malformed("key given twice");
    }
    reply.fields.push_back(std::move(*field));
  }
  return reply;
}

Result<std::string> parse_accepted_peer(std::string_view raw_line) {
  auto line = clean_line(raw_line);
  if (!line) return std::move(line).error();
  std::size_t pos = 0;
  const std::string_view destination = next_word(*line, pos);
  if (auto status = check_public_destination(destination); !status) return std::move(status).error();
  return std::string(destination);
}

}  // namespace tenebra::onion::sam
