// Zeroing of std::string contents that held key material. Internal to onion/.
#pragma once

#include <sodium.h>

#include <string>

namespace tenebra::onion::detail {

inline void wipe_string(std::string& text) noexcept {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
  text.clear();
}

}  // namespace tenebra::onion::detail
