// Link identities: the Ed25519 key pair a node proves on every link it opens
// or accepts, and the parameters both ends of a link must agree on.
//
// A node's identity public key is what the directory publishes for it; the
// link handshake (link_session.hpp) checks it. Clients have no identity on
// links (they stay anonymous to their provider). Thread-safety: plain value
// types.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/router/identity.hpp"
#include "tenebra/router/link_constants.hpp"

namespace tenebra::router::link {

// One identity type for the whole router (identity.hpp).
using IdentityPublicKey = router::IdentityPublicKey;
using IdentityKeyPair = router::IdentityKeyPair;
static_assert(kIdentityPublicKeyBytes == kIdentityPublicBytes && kIdentitySecretKeyBytes == kIdentitySecretLength &&
              kIdentitySeedBytes == kIdentitySeedLength);
using NetworkId = std::array<std::uint8_t, kNetworkIdBytes>;

// What both ends of a link must share, or the handshake fails: the network
// (so links of different networks never open) and its Sphinx geometry (so
// both ends agree on the frame size).
struct LinkConfig {
  NetworkId network_id{};
  mix::sphinx::Geometry geometry = mix::sphinx::Geometry::default_geometry();
};

}  // namespace tenebra::router::link
