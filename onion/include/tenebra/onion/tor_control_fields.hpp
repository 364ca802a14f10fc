// Words and KEY=VALUE fields of one Tor control reply line (control-spec
// §2.1, §2.3), with QuotedString values decoded the way tor writes them
// (C escapes: \n \r \t \" \' \\, \xHH and octal \ooo; tor's
// unescape_string). Also the reverse, quote(), for values Tenebra sends.
//
// Typed parsers look up only the keys they know, so unknown fields are
// ignored; a key given twice is an error, because two readers of the same
// line could otherwise disagree on its value. Decoded values never contain
// NUL. Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/result.hpp"

namespace tenebra::onion::tor {

struct Field {
  std::string key;
  std::string value;
};

struct Fields {
  std::vector<std::string> words;  // tokens without '=', in order ("AUTH", "NOTICE")
  std::vector<Field> named;        // KEY=VALUE tokens, in order

  // The value of `key` (case-sensitive), or nullptr when absent.
  const std::string* find(std::string_view key) const noexcept;
  void wipe() noexcept;
};

// Splits `text` at spaces into words and KEY=VALUE fields. A token is a
// field when it has '=' after a non-empty key of [A-Za-z0-9_]; its value is
// either a QuotedString or runs to the next space.
[[nodiscard]] Result<Fields> parse_fields(std::string_view text);

// Decodes the QuotedString at the start of `text` (which must begin with
// '"'); `consumed` receives the number of characters it spanned.
[[nodiscard]] Result<std::string> parse_quoted_string(std::string_view text, std::size_t& consumed);

// Encodes `raw` as a QuotedString that parse_quoted_string (and tor) decode
// back to `raw`.
[[nodiscard]] std::string quote(std::string_view raw);

}  // namespace tenebra::onion::tor
