// NodeKeys: a node's persisted keys in its encrypted Store. The Ed25519
// identity is created on first use and kept for the node's life; one X25519
// Sphinx key pair per epoch is created (and committed durably) the first
// time that epoch's key is asked for and returned unchanged after that,
// also after the store is reopened. forget_sphinx_keys_before() deletes old
// epochs' keys so a seized node does not give them up (forward secrecy; the
// Store overwrites deleted rows and the WAL is checkpointed and truncated).
//
// Tables: node_identity (one row: the 32-byte seed and the public key, which
// is checked on load) and node_sphinx_keys (epoch -> 32-byte secret). The
// store's user_version is left alone (other modules share the store).
// Secrets read from the store go straight into wiping types; scratch copies
// are wiped with sodium_memzero.
//
// Thread-safety: as Store (one thread). A NodeKeys refers to its Store,
// which must outlive it.
#pragma once

#include <cstddef>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/node_key.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/identity.hpp"
#include "tenebra/router/store.hpp"

namespace tenebra::router {

class NodeKeys {
 public:
  // Creates the tables on first use; creates the identity (from `rng`) on
  // first use and keeps it. Errc::crypto when the stored identity is corrupt.
  [[nodiscard]] static Result<NodeKeys> attach(Store& store, Random& rng);

  const IdentityKeyPair& identity() const noexcept { return m_identity; }

  // The Sphinx key pair for `epoch` (at most INT64_MAX): drawn from `rng`
  // and committed the first time, the stored one after that.
  [[nodiscard]] Result<mix::sphinx::NodeKeyPair> sphinx_key(directory::Epoch epoch, Random& rng);

  // Deletes every Sphinx key of an epoch < `epoch`; returns how many went.
  [[nodiscard]] Result<std::size_t> forget_sphinx_keys_before(directory::Epoch epoch);

 private:
  NodeKeys(Store& store, IdentityKeyPair identity) noexcept : m_store(&store), m_identity(std::move(identity)) {}
  Store* m_store;
  IdentityKeyPair m_identity;
};

}  // namespace tenebra::router
