// The store passphrase of a node: read from the file or the environment
// variable that NodeConfig's [store] table names, into a SecretString.
//
// A passphrase file must be a regular file (no symlink) that group and
// others cannot read or write ("chmod 600 FILE"), of at most 4 KiB; one
// trailing newline ("\n" or "\r\n") is stripped and an empty passphrase is
// refused. An environment variable must be set and non-empty; it is not
// unset (the operator's service manager owns the environment).
//
// SecretString keeps its bytes in libsodium's guarded, locked memory
// (sodium_malloc: no swap, no core dump where the system supports it) and
// wipes them when destroyed. Thread-safety: plain value types; read_passphrase
// reads the process environment (getenv), so no thread may call setenv then.
#pragma once

#include <cstddef>
#include <string_view>

#include "tenebra/core/result.hpp"
#include "tenebra/router/node_config.hpp"

namespace tenebra::router {

inline constexpr std::size_t kMaxPassphraseBytes = 4096;

class SecretString {
 public:
  SecretString() noexcept = default;
  // Errc::exhausted when locked memory cannot be had.
  [[nodiscard]] static Result<SecretString> copy_of(std::string_view text);
  // An empty string with room for `capacity` bytes (data() to fill it,
  // set_size() to say how many are used).
  [[nodiscard]] static Result<SecretString> with_capacity(std::size_t capacity);
  ~SecretString();
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;

  std::string_view view() const noexcept { return {m_data, m_size}; }
  std::size_t size() const noexcept { return m_size; }
  bool empty() const noexcept { return m_size == 0; }
  std::size_t capacity() const noexcept { return m_capacity; }
  char* data() noexcept { return m_data; }
  // Keeps the first `size` bytes (at most capacity()) and wipes the rest.
  void set_size(std::size_t size) noexcept;

 private:
  void release() noexcept;
  char* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_capacity = 0;
};

// The passphrase from config.passphrase_file or config.passphrase_env.
// Errc::invalid_argument for a file others can read, an oversized or empty
// passphrase, or an unset variable; Errc::not_found / Errc::io when the file
// cannot be read.
[[nodiscard]] Result<SecretString> read_passphrase(const NodeConfig& config);
[[nodiscard]] Result<SecretString> read_passphrase_file(const std::filesystem::path& file);
[[nodiscard]] Result<SecretString> read_passphrase_env(const std::string& variable);

}  // namespace tenebra::router
