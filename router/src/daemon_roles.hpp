// From a NodeConfig to the configuration of each role (daemon.cpp's
// helper; not a public module).
#pragma once

#include "tenebra/router/authority_node.hpp"
#include "tenebra/router/node_config.hpp"
#include "tenebra/router/relay_node.hpp"

namespace tenebra::router::daemon_detail {

[[nodiscard]] Result<directory::TrustConfig> trust_config(const NodeConfig& config);
[[nodiscard]] Result<RelayNodeConfig> relay_config(const NodeConfig& config);
// `self` is the authority's identity (it signs with it).
[[nodiscard]] Result<AuthorityNodeConfig> authority_config(const NodeConfig& config, const IdentityKeyPair& self);

}  // namespace tenebra::router::daemon_detail
