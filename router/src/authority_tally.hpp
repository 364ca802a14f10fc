// The tally rule of docs/directory.md §10.3 (private to router/): which
// descriptors the votes of one epoch agree on, as document lists.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "tenebra/router/directory_protocol.hpp"

namespace tenebra::router::directory::detail {

struct AgreedLists {
  std::vector<Descriptor> providers;                       // sorted by identity
  std::array<std::vector<Descriptor>, kMixLayers> layers;  // layers[k - 1], sorted by identity
};

// Every descriptor whose exact encoding appears in at least `threshold` of
// `votes`. When two versions of one node both reach the threshold, the one in
// more votes wins, then the smaller encoding. A list over its cap keeps its
// smallest identities. Depends only on the set of votes, not their order.
AgreedLists agreed_descriptors(std::span<const Vote* const> votes, std::size_t threshold);

}  // namespace tenebra::router::directory::detail
