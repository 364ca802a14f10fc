// LIONESS (Anderson & Biham 1996): a wide-block cipher over the whole Sphinx
// payload, built from ChaCha20 (stream) and keyed BLAKE2b-256 (hash), so that
// changing any ciphertext byte garbles every plaintext byte. Blocks must be
// longer than 32 bytes. In-place; the key is a 32-byte per-hop payload key.
#pragma once

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/secret.hpp"

namespace tenebra::mix::sphinx {

inline constexpr std::size_t kLionessMinBlockBytes = 33;

void lioness_encrypt(const SecretKey32& key, MutableByteView block);
void lioness_decrypt(const SecretKey32& key, MutableByteView block);

}  // namespace tenebra::mix::sphinx
