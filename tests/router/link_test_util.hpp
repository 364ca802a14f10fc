// Helpers shared by the link tests, the vector generator and the fuzzers:
// fixed identities and a driver that runs a full handshake in memory.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "tenebra/router/link_session.hpp"

namespace tenebra::router::link::testing {

inline IdentityKeyPair identity_from_byte(std::uint8_t fill) {
  std::array<std::uint8_t, kIdentitySeedBytes> seed{};
  seed.fill(fill);
  return IdentityKeyPair::from_seed(seed);
}

inline LinkConfig config_with(std::uint8_t network_fill,
                              mix::sphinx::Geometry geometry = mix::sphinx::Geometry::default_geometry()) {
  LinkConfig config;
  config.network_id.fill(network_fill);
  config.geometry = geometry;
  return config;
}

inline ResponderPolicy accept_all() {
  ResponderPolicy policy;
  policy.accept_anonymous = true;
  policy.accept_identity = [](const IdentityPublicKey&) { return true; };
  return policy;
}

// Runs hello, response, confirm between the two; returns the first error.
inline Status run_handshake(LinkSession& initiator, LinkSession& responder, Random& rng) {
  auto hello = initiator.start(rng);
  if (!hello) return std::move(hello).error();
  auto response = responder.on_handshake(*hello, rng);
  if (!response) return std::move(response).error();
  auto confirm = initiator.on_handshake(*response, rng);
  if (!confirm) return std::move(confirm).error();
  auto last = responder.on_handshake(*confirm, rng);
  if (!last) return std::move(last).error();
  return {};
}

}  // namespace tenebra::router::link::testing
