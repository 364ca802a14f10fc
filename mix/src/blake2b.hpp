// Keyed, personalised BLAKE2b used by every Sphinx derivation (private to mix/).
#pragma once

#include <sodium.h>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/mix/sphinx_constants.hpp"

namespace tenebra::mix::sphinx::detail {

// out = BLAKE2b(out.size(), message, key, salt = 0^16, personal = label)
inline void keyed_blake2b(MutableByteView out, ByteView key, const Label& label, ByteView message) {
  static_assert(sizeof(Label) == crypto_generichash_blake2b_PERSONALBYTES);
  crypto_generichash_blake2b_salt_personal(out.data(), out.size(), message.data(), message.size(), key.data(),
                                           key.size(), nullptr, reinterpret_cast<const unsigned char*>(label.data()));
}

inline SecretKey32 derive_key(const SecretKey32& key, const Label& label, ByteView message = {}) {
  SecretKey32 out;
  keyed_blake2b(out.span(), key.view(), label, message);
  return out;
}

}  // namespace tenebra::mix::sphinx::detail
