// SecretBytes: a variable-length byte string holding secrets. Thread-safety:
// a plain value type.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <utility>

#include "tenebra/core/bytes.hpp"

namespace tenebra::rendezvous {

// A byte string holding secrets (an encoded ratchet state, a stored seed):
// move-only, wiped when destroyed or moved from. It wipes only its own
// buffer: build the Bytes it takes with their final capacity reserved, so no
// reallocation leaves a copy behind.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(Bytes bytes) noexcept : m_bytes(std::move(bytes)) {}
  ~SecretBytes() { wipe(); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : m_bytes(std::move(other.m_bytes)) { other.m_bytes.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      m_bytes = std::move(other.m_bytes);
      other.m_bytes.clear();
    }
    return *this;
  }

  [[nodiscard]] ByteView view() const noexcept { return m_bytes; }
  [[nodiscard]] std::size_t size() const noexcept { return m_bytes.size(); }
  void wipe() noexcept {
    if (!m_bytes.empty()) sodium_memzero(m_bytes.data(), m_bytes.size());
  }

 private:
  Bytes m_bytes;
};

}  // namespace tenebra::rendezvous
