// Domain-separated Ed25519 signatures for the directory (private to router/):
// the signed message is always label(32) || body (docs/directory.md §2).
#pragma once

#include "tenebra/core/bytes.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/directory_constants.hpp"

namespace tenebra::router::directory::detail {

Signature sign_with_domain(const DomainLabel& domain, ByteView body, const IdentityKeyPair& key);
[[nodiscard]] bool verify_with_domain(const DomainLabel& domain, ByteView body, const Signature& signature,
                                      const IdentityKey& signer);

}  // namespace tenebra::router::directory::detail
