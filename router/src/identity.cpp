#include "tenebra/router/identity.hpp"

namespace tenebra::router {

IdentityKeyPair IdentityKeyPair::generate(Random& rng) {
  SecretArray<kIdentitySeedLength> seed;
  rng.fill(seed.span());
  return from_seed(seed.view());
}

IdentityKeyPair IdentityKeyPair::from_seed(std::span<const std::uint8_t, kIdentitySeedLength> seed) {
  IdentityKeyPair pair;
  crypto_sign_seed_keypair(pair.public_key.data(), pair.secret.data(), seed.data());
  return pair;
}

}  // namespace tenebra::router
