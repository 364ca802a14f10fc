// A mix node's Sphinx key pair for one epoch (X25519). The secret wipes
// itself; the public key is what the topology document publishes.
#pragma once

#include <array>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/mix/sphinx_constants.hpp"

namespace tenebra::mix::sphinx {

using PublicKey = std::array<std::uint8_t, kGroupElementBytes>;

struct NodeKeyPair {
  SecretKey32 secret;
  PublicKey public_key{};

  static NodeKeyPair generate(Random& rng);
  // Rejects a secret whose public key would be degenerate (cannot happen for
  // a clamped scalar, but the check is cheap and keeps the contract explicit).
  static Result<NodeKeyPair> from_secret(std::span<const std::uint8_t, 32> secret);
};

}  // namespace tenebra::mix::sphinx
