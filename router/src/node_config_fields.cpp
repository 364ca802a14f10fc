#include "node_config_fields.hpp"

#include <cmath>
#include <cstdio>

namespace tenebra::router::config_detail {
namespace {

constexpr std::size_t kMaxQuotedChars = 64;

bool has_control(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

// Skips the string that starts at text[i] (a quote); returns the index after
// it, or text.size() if it does not end. `line` counts the newlines inside.
std::size_t skip_string(std::string_view text, std::size_t i, std::size_t& line) {
  const char quote_char = text[i];
  const bool basic = quote_char == '"';
  const std::string triple(3, quote_char);
  if (text.compare(i, 3, triple) == 0) {
    for (i += 3; i < text.size(); ++i) {
      if (text[i] == '\n') ++line;
      if (basic && text[i] == '\\') {
        if (i + 1 < text.size() && text[i + 1] == '\n') ++line;
        ++i;
      } else if (text.compare(i, 3, triple) == 0) {
        i += 3;
        // A closing delimiter may follow up to two quotes of the content.
        for (int extra = 0; extra < 2 && i < text.size() && text[i] == quote_char; ++extra) ++i;
        return i;
      }
    }
    return text.size();
  }
  for (++i; i < text.size() && text[i] != '\n'; ++i) {
    if (text[i] == quote_char) return i + 1;
    if (basic && text[i] == '\\' && i + 1 < text.size() && text[i + 1] != '\n') ++i;
  }
  return i;
}

}  // namespace

Status check_ascii_outside_strings(std::string_view text) {
  std::size_t line = 1;
  // toml++ skips a UTF-8 byte order mark at the very start.
  std::size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      i = skip_string(text, i, line);
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else {
      if (c == '\n') ++line;
      if (static_cast<unsigned char>(c) >= 0x80) {
        return make_error(Errc::invalid_argument, "config: TOML syntax error at line " + std::to_string(line) +
                                                      ": a non-ASCII character outside a string or comment");
      }
      ++i;
    }
  }
  return {};
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxQuotedChars; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
    } else if (byte < 0x20 || byte >= 0x7f) {
      char escaped[8];
      (void)std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += static_cast<char>(byte);
    }
  }
  if (text.size() > kMaxQuotedChars) out += "...";
  return out + "\"";
}

const char* type_name(const toml::node& node) noexcept {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

bool Section::has(std::string_view key) const {
  return m_table != nullptr && m_table->get(key) != nullptr;
}

std::string Section::bracketed() const {
  if (!m_label.empty() && m_label.front() == '[') return m_label;
  return "[" + m_label + "]";
}

std::string Section::name(std::string_view key) const {
  if (m_label.empty()) return std::string(key);
  return bracketed() + " " + std::string(key);
}

void Section::fail(const std::string& message) const {
  if (m_status->ok()) *m_status = make_error(Errc::invalid_argument, "config: " + message);
}

const toml::node* Section::lookup(std::string_view key) {
  m_known.emplace(key);
  if (failed() || m_table == nullptr) return nullptr;
  return m_table->get(key);
}

void Section::wrong_type(std::string_view key, const toml::node& node, std::string_view wanted) const {
  fail(name(key) + " must be " + std::string(wanted) + " (got " + type_name(node) + ")");
}

std::optional<std::int64_t> Section::integer(std::string_view key, std::int64_t min, std::int64_t max,
                                             std::string_view allowed) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return std::nullopt;
  const auto* value = node->as_integer();
  if (value == nullptr) {
    wrong_type(key, *node, "an integer");
    return std::nullopt;
  }
  const std::int64_t got = value->get();
  if (got < min || got > max) {
    const std::string range = allowed.empty() ? "an integer from " + std::to_string(min) + " to " + std::to_string(max)
                                              : std::string(allowed);
    fail(name(key) + " must be " + range + " (got " + std::to_string(got) + ")");
    return std::nullopt;
  }
  return got;
}

std::optional<double> Section::number(std::string_view key, double min, double max) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return std::nullopt;
  double got = 0;
  if (const auto* integer_value = node->as_integer()) {
    got = static_cast<double>(integer_value->get());
  } else if (const auto* float_value = node->as_floating_point()) {
    got = float_value->get();
  } else {
    wrong_type(key, *node, "a number");
    return std::nullopt;
  }
  // Written so that NaN fails too.
  if (!(got >= min && got <= max)) {
    char text[64];
    (void)std::snprintf(text, sizeof text, "%g", got);
    char range[96];
    (void)std::snprintf(range, sizeof range, "a number from %g to %g", min, max);
    fail(name(key) + " must be " + range + " (got " + text + ")");
    return std::nullopt;
  }
  return got;
}

std::optional<bool> Section::boolean(std::string_view key) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return std::nullopt;
  const auto* value = node->as_boolean();
  if (value == nullptr) {
    wrong_type(key, *node, "true or false");
    return std::nullopt;
  }
  return value->get();
}

std::optional<std::string> Section::string(std::string_view key, std::size_t max_bytes) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return std::nullopt;
  const auto* value = node->as_string();
  if (value == nullptr) {
    wrong_type(key, *node, "a string");
    return std::nullopt;
  }
  const std::string& text = value->get();
  if (text.empty() || text.size() > max_bytes || has_control(text)) {
    fail(name(key) + " must be a string of 1 to " + std::to_string(max_bytes) +
         " bytes without control characters (got " + quote(text) + ")");
    return std::nullopt;
  }
  return text;
}

std::optional<std::size_t> Section::choice(std::string_view key, std::initializer_list<std::string_view> choices) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return std::nullopt;
  const auto* value = node->as_string();
  std::string allowed;
  std::size_t index = 0;
  for (const std::string_view option : choices) {
    if (value != nullptr && value->get() == option) return index;
    if (index > 0) allowed += index + 1 == choices.size() ? " or " : ", ";
    allowed += "\"" + std::string(option) + "\"";
    ++index;
  }
  const std::string got = value != nullptr ? quote(value->get()) : type_name(*node);
  fail(name(key) + " must be " + allowed + " (got " + got + ")");
  return std::nullopt;
}

std::optional<std::filesystem::path> Section::path(std::string_view key, const std::filesystem::path& base) {
  auto text = string(key);
  if (!text) return std::nullopt;
  std::filesystem::path value(*text);
  if (value.is_relative()) value = base / value;
  return value.lexically_normal();
}

const toml::array* Section::array(std::string_view key) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return nullptr;
  const auto* value = node->as_array();
  if (value == nullptr) wrong_type(key, *node, "an array");
  return value;
}

Section Section::table(std::string_view key) {
  const toml::node* node = lookup(key);
  const std::string label = m_label.empty() ? std::string(key) : m_label + "." + std::string(key);
  if (node == nullptr) return Section(nullptr, label, *m_status);
  const auto* value = node->as_table();
  if (value == nullptr) fail((m_label.empty() ? std::string(key) : name(key)) + " must be a table [" + label + "]");
  return Section(value, label, *m_status);
}

void Section::require(std::string_view key) {
  m_known.emplace(key);
  if (failed()) return;
  if (m_table == nullptr) {
    fail(bracketed() + " is required");
  } else if (!has(key)) {
    fail(name(key) + " is required");
  }
}

void Section::finish() const {
  if (failed() || m_table == nullptr) return;
  for (const auto& [key, node] : *m_table) {
    if (m_known.count(key.str()) != 0) continue;
    std::string known;
    for (const auto& name : m_known) known += (known.empty() ? "" : ", ") + name;
    std::string message = node.is_table() || node.is_array_of_tables() ? "unknown table " : "unknown key ";
    message += quote(key.str());
    message += m_label.empty() ? " at the top level" : " in " + bracketed();
    message += " (allowed: ";
    message += known;
    message += ")";
    fail(message);
    return;
  }
}

}  // namespace tenebra::router::config_detail
