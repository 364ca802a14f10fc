// Internals of the topology codec shared with acceptance (private to router/).
#pragma once

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::router::directory::detail {

// decode_topology without check_signature_order (the count cap still
// applies), so acceptance can name a duplicate signer as such.
[[nodiscard]] Result<Topology> decode_topology_any_order(ByteView encoded);

}  // namespace tenebra::router::directory::detail
