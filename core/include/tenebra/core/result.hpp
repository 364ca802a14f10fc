// Result<T>: errors travel as values across module boundaries.
//
// A Result holds either a value or an Error (a code for programs, a message
// for people). Every function that can fail on input from the network, a
// file, tor, i2pd or the user returns one; asserting on such input is a bug.
// Thread-safety: a plain value type, no shared state.
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace tenebra {

enum class Errc {
  invalid_argument,  // the caller passed something out of contract
  malformed,         // bytes from outside failed a bounds or format check
  crypto,            // a MAC, signature or key agreement failed
  not_found,
  io,
  timeout,
  closed,
  unsupported,  // a version or feature this build does not speak
  exhausted,    // a quota, cap or capacity was reached
  internal,
};

const char* errc_name(Errc code) noexcept;

struct Error {
  Errc code = Errc::internal;
  std::string message;
};

inline Error make_error(Errc code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return m_state.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // Reading the value of a failed Result is a programming error.
  T& value() & {
    check();
    return std::get<0>(m_state);
  }
  const T& value() const& {
    check();
    return std::get<0>(m_state);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(m_state));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    if (ok()) std::abort();
    return std::get<1>(m_state);
  }
  Error&& error() && {
    if (ok()) std::abort();
    return std::get<1>(std::move(m_state));
  }

 private:
  void check() const {
    if (!ok()) std::abort();
  }
  std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_ok(false) {}  // NOLINT

  bool ok() const noexcept { return m_ok; }
  explicit operator bool() const noexcept { return m_ok; }
  const Error& error() const& {
    if (m_ok) std::abort();
    return m_error;
  }
  Error&& error() && {
    if (m_ok) std::abort();
    return std::move(m_error);
  }

 private:
  Error m_error;
  bool m_ok = true;
};

using Status = Result<void>;

}  // namespace tenebra
