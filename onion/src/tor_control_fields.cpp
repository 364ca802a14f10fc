#include "tenebra/onion/tor_control_fields.hpp"

#include <algorithm>
#include <utility>

#include "wipe.hpp"

namespace tenebra::onion::tor {
namespace {

bool is_key_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_octal(char c) noexcept {
  return c >= '0' && c <= '7';
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the escape starting at text[i] == '\\'. Returns the byte and moves i
// past the escape, or -1 for an escape tor would not have written.
int decode_escape(std::string_view text, std::size_t& i) {
  if (i + 1 >= text.size()) return -1;
  const char kind = text[i + 1];
  switch (kind) {
    case 'n':
      i += 2;
      return '\n';
    case 'r':
      i += 2;
      return '\r';
    case 't':
      i += 2;
      return '\t';
    case '"':
    case '\'':
    case '\\':
      i += 2;
      return static_cast<unsigned char>(kind);
    case 'x':
    case 'X': {
      if (i + 3 >= text.size()) return -1;
      const int high = hex_value(text[i + 2]);
      const int low = hex_value(text[i + 3]);
      if (high < 0 || low < 0) return -1;
      i += 4;
      return high * 16 + low;
    }
    default:
      break;
  }
  if (!is_octal(kind)) return -1;
  int value = 0;
  std::size_t digits = 0;
  std::size_t j = i + 1;
  while (digits < 3 && j < text.size() && is_octal(text[j])) {
    value = value * 8 + (text[j] - '0');
    ++digits;
    ++j;
  }
  if (value > 255) return -1;
  i = j;
  return value;
}

}  // namespace

const std::string* Fields::find(std::string_view key) const noexcept {
  const auto it = std::find_if(named.begin(), named.end(), [key](const Field& f) { return f.key == key; });
  return it == named.end() ? nullptr : &it->value;
}

void Fields::wipe() noexcept {
  for (std::string& word : words) detail::wipe_string(word);
  for (Field& field : named) {
    detail::wipe_string(field.key);
    detail::wipe_string(field.value);
  }
  words.clear();
  named.clear();
}

Result<std::string> parse_quoted_string(std::string_view text, std::size_t& consumed) {
  if (text.empty() || text.front() != '"') return make_error(Errc::malformed, "quoted string does not start with '\"'");
  std::string out;
  std::size_t i = 1;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      consumed = i + 1;
      return out;
    }
    if (c == '\\') {
      const int byte = decode_escape(text, i);
      if (byte < 0) return make_error(Errc::malformed, "bad escape in quoted string");
      if (byte == 0) return make_error(Errc::malformed, "NUL in quoted string");
      out.push_back(static_cast<char>(byte));
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return make_error(Errc::malformed, "unterminated quoted string");
}

std::string quote(std::string_view raw) {
  static constexpr char kOctal[] = "01234567";
  std::string out = "\"";
  for (char c : raw) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          out.push_back('\\');
          out.push_back(kOctal[(byte >> 6) & 7]);
          out.push_back(kOctal[(byte >> 3) & 7]);
          out.push_back(kOctal[byte & 7]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

Result<Fields> parse_fields(std::string_view text) {
  Fields fields;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t key_end = i;
    while (key_end < text.size() && is_key_char(text[key_end])) ++key_end;
    if (key_end > i && key_end < text.size() && text[key_end] == '=') {
      Field field;
      field.key.assign(text.substr(i, key_end - i));
      if (fields.find(field.key) != nullptr) return make_error(Errc::malformed, "field given twice");
      const std::size_t value_start = key_end + 1;
      const bool quoted = value_start < text.size() && text[value_start] == '"';
      if (quoted) {
        std::size_t consumed = 0;
        auto value = parse_quoted_string(text.substr(value_start), consumed);
        if (!value) return std::move(value).error();
        field.value = std::move(*value);
        i = value_start + consumed;
        if (i < text.size() && text[i] != ' ') return make_error(Errc::malformed, "text right after a quoted string");
      } else {
        const std::size_t end = std::min(text.find(' ', value_start), text.size());
        field.value.assign(text.substr(value_start, end - value_start));
        i = end;
        if (field.value.find('"') != std::string::npos) return make_error(Errc::malformed, "stray '\"' in a value");
      }
      fields.named.push_back(std::move(field));
      continue;
    }
    const std::size_t end = std::min(text.find(' ', i), text.size());
    const std::string_view word = text.substr(i, end - i);
    if (word.find('"') != std::string_view::npos) return make_error(Errc::malformed, "stray '\"' in a word");
    fields.words.emplace_back(word);
    i = end;
  }
  return fields;
}

}  // namespace tenebra::onion::tor
