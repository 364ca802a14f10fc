#include "tenebra/mix/node_key.hpp"

#include <sodium.h>

namespace tenebra::mix::sphinx {

NodeKeyPair NodeKeyPair::generate(Random& rng) {
  for (;;) {
    SecretKey32 secret;
    rng.fill(secret.span());
    auto pair = from_secret(secret.view());
    if (pair) return std::move(pair).value();
  }
}

Result<NodeKeyPair> NodeKeyPair::from_secret(std::span<const std::uint8_t, 32> secret) {
  NodeKeyPair pair;
  pair.secret = SecretKey32(secret);
  if (crypto_scalarmult_base(pair.public_key.data(), pair.secret.data()) != 0) {
    return make_error(Errc::crypto, "invalid X25519 secret key");
  }
  return pair;
}

}  // namespace tenebra::mix::sphinx
