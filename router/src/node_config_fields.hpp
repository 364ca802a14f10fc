// Internal to node_config: typed, bounds-checked reads of one TOML table
// that remember which keys were asked for, so whatever is left over is
// reported as unknown. The first error of a parse wins (later reads are
// no-ops), which keeps the section parsers free of error plumbing.
// toml++ is used header-only and without exceptions; no other part of the
// router includes it. Thread-safety: per-parse values.
#pragma once

// toml++ 3.3 asserts preconditions that malformed input can break (the
// fuzzer found `[!x]` reaching parse_key), then handles the case with a
// parse error. Its asserts therefore become no-ops in every build, never
// aborts, and never __builtin_assume (what clang gets under NDEBUG, which
// would make the error path undefined behaviour).
#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) static_assert(true)
#ifndef TOML_EXCEPTIONS
#define TOML_EXCEPTIONS 0
#endif
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "tenebra/core/result.hpp"

namespace tenebra::router::config_detail {

// toml++ 3.3 reaches __builtin_unreachable() (undefined behaviour) when it
// asks whether some non-ASCII characters are whitespace, which happens for
// non-ASCII text outside strings and comments (invalid TOML anyway). This
// scan refuses such text before toml++ sees it; it ends single-line strings
// at a newline, where toml++ stops with an error too.
[[nodiscard]] Status check_ascii_outside_strings(std::string_view text);

// `text` quoted for an error message: at most 64 characters, control and
// non-ASCII bytes escaped.
std::string quote(std::string_view text);
const char* type_name(const toml::node& node) noexcept;

class Section {
 public:
  // `table` is null for an absent table; `label` is "" for the top level,
  // otherwise the table's name without brackets ("transport.tor"), or a
  // label used as is when it starts with '[' ("[[directory.authority]] #2").
  Section(const toml::table* table, std::string label, Status& status) noexcept
      : m_table(table), m_label(std::move(label)), m_status(&status) {}

  bool present() const noexcept { return m_table != nullptr; }
  bool has(std::string_view key) const;
  bool failed() const noexcept { return !m_status->ok(); }
  // "[mix] layer", or "role" at the top level.
  std::string name(std::string_view key) const;
  // Records the first error (prefixed "config: ").
  void fail(const std::string& message) const;

  // Each read marks `key` as known. Absent keys give nullopt and leave
  // outputs alone; so does any read after the first error.
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max,
                                      std::string_view allowed = {});
  template <typename T>
  void integer_to(std::string_view key, std::int64_t min, std::int64_t max, T& out) {
    if (auto value = integer(key, min, max)) out = static_cast<T>(*value);
  }
  // An integer or a float in [min, max] (finite).
  std::optional<double> number(std::string_view key, double min, double max);
  std::optional<bool> boolean(std::string_view key);
  // A string of 1..max_bytes bytes without control characters.
  std::optional<std::string> string(std::string_view key, std::size_t max_bytes = 4096);
  // One of `choices`; gives its index.
  std::optional<std::size_t> choice(std::string_view key, std::initializer_list<std::string_view> choices);
  // A non-empty path, made absolute against `base`.
  std::optional<std::filesystem::path> path(std::string_view key, const std::filesystem::path& base);
  const toml::array* array(std::string_view key);
  // A sub-table (absent: a Section that is not present).
  Section table(std::string_view key);
  // A Section for a table reached some other way (an array element) that
  // shares this parse's first error.
  Section adopt(const toml::table* table, std::string label) const {
    return Section(table, std::move(label), *m_status);
  }
  // Fails unless `key` is present.
  void require(std::string_view key);

  // Fails on the first key that was never asked for, listing the known ones.
  void finish() const;

 private:
  std::string bracketed() const;
  const toml::node* lookup(std::string_view key);
  void wrong_type(std::string_view key, const toml::node& node, std::string_view wanted) const;

  const toml::table* m_table;
  std::string m_label;
  Status* m_status;
  std::set<std::string, std::less<>> m_known;
};

}  // namespace tenebra::router::config_detail
