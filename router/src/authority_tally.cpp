#include "authority_tally.hpp"

#include <map>

namespace tenebra::router::directory::detail {
namespace {

struct Version {
  std::size_t votes = 0;
  const Descriptor* descriptor = nullptr;
};

// The winning version of one node, or nullptr when none reaches the threshold.
// The map iterates in encoding order, so `>` keeps the smaller encoding on ties.
const Descriptor* winner(const std::map<Bytes, Version>& versions, std::size_t threshold) {
  const Version* best = nullptr;
  for (const auto& [encoding, version] : versions) {
    if (version.votes >= threshold && (best == nullptr || version.votes > best->votes)) best = &version;
  }
  return best == nullptr ? nullptr : best->descriptor;
}

}  // namespace

AgreedLists agreed_descriptors(std::span<const Vote* const> votes, std::size_t threshold) {
  std::map<IdentityKey, std::map<Bytes, Version>> seen;
  for (const Vote* vote : votes) {
    for (const Descriptor& d : vote->descriptors) {
      Version& version = seen[d.identity][encode_descriptor(d)];
      ++version.votes;
      version.descriptor = &d;
    }
  }
  AgreedLists out;
  for (const auto& [identity, versions] : seen) {
    const Descriptor* chosen = winner(versions, threshold);
    if (chosen == nullptr) continue;
    if (chosen->role == Role::provider) {
      if (out.providers.size() < kMaxProviders) out.providers.push_back(*chosen);
    } else if (chosen->role == Role::mix && chosen->layer >= 1 && chosen->layer <= kMixLayers) {
      auto& layer = out.layers[chosen->layer - 1];
      if (layer.size() < kMaxMixesPerLayer) layer.push_back(*chosen);
    }
  }
  return out;
}

}  // namespace tenebra::router::directory::detail
