#include "tenebra/router/route.hpp"

#include <algorithm>
#include <cmath>

#include "tenebra/mix/poisson.hpp"

namespace tenebra::router {
namespace {

using directory::Descriptor;
using directory::Role;
using directory::Topology;
using mix::sphinx::PathHop;
using mix::sphinx::RelayCommand;

const Descriptor& pick(const std::vector<Descriptor>& list, Random& rng) {
  return list[rng.uniform(static_cast<std::uint32_t>(list.size()))];
}

Status check_provider(const Descriptor& node, const char* what) {
  if (node.role != Role::provider) return make_error(Errc::invalid_argument, std::string(what) + " is not a provider");
  return {};
}

// Every node but the last relays to the next after an Exp(mu) delay; the
// last gets `last`. Delays are drawn in path order.
Result<std::vector<PathHop>> hops_through(const Topology& topology, std::span<const Descriptor* const> nodes,
                                          const mix::sphinx::Command& last, Random& rng) {
  if (!mix::sphinx::is_final(last)) return make_error(Errc::invalid_argument, "the last command must be final");
  auto mean = mean_hop_delay(topology);
  if (!mean) return std::move(mean).error();
  std::vector<PathHop> hops(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    hops[i].node_key = nodes[i]->sphinx_current;
    if (i + 1 < nodes.size()) {
      hops[i].command = RelayCommand{node_id(*nodes[i + 1]), mix::exponential_delay(rng, *mean)};
    } else {
      hops[i].command = last;
    }
  }
  return hops;
}

}  // namespace

mix::sphinx::NodeId node_id(const Descriptor& descriptor) {
  static_assert(sizeof(mix::sphinx::NodeId) == sizeof(directory::IdentityKey));
  mix::sphinx::NodeId id{};
  std::copy(descriptor.identity.begin(), descriptor.identity.end(), id.begin());
  return id;
}

Result<std::chrono::milliseconds> mean_hop_delay(const Topology& topology) {
  const std::uint32_t mu = topology.rates.delay.micro_hz();
  if (mu == 0) return make_error(Errc::invalid_argument, "the topology's delay rate mu is zero");
  // 1/mu seconds = 10^9 / micro_hz milliseconds.
  return std::chrono::milliseconds(std::llround(1e9 / static_cast<double>(mu)));
}

Result<Route> choose_mixes(const Topology& topology, Random& rng) {
  Route route;
  for (std::size_t k = 0; k < directory::kMixLayers; ++k) {
    if (topology.layers[k].empty()) return make_error(Errc::invalid_argument, "a mix layer of the topology is empty");
    route.mixes[k] = &pick(topology.layers[k], rng);
  }
  return route;
}

Result<BuiltPath> client_path(const Topology& topology, const Descriptor& entry, const Descriptor& destination,
                              const mix::sphinx::Command& last, Random& rng) {
  if (auto checked = check_provider(entry, "the entry"); !checked) return std::move(checked).error();
  if (auto checked = check_provider(destination, "the destination"); !checked) return std::move(checked).error();
  auto route = choose_mixes(topology, rng);
  if (!route) return std::move(route).error();
  const std::array<const Descriptor*, directory::kPathHops> nodes{&entry, route->mixes[0], route->mixes[1],
                                                                  route->mixes[2], &destination};
  auto hops = hops_through(topology, nodes, last, rng);
  if (!hops) return std::move(hops).error();
  return BuiltPath{node_id(entry), std::move(*hops)};
}

Result<mix::sphinx::SurbAndKeys> reply_surb(const Topology& topology, const Descriptor& provider,
                                            const mix::sphinx::MailboxId& mailbox, const mix::sphinx::SurbId& id,
                                            Random& rng) {
  if (auto checked = check_provider(provider, "a SURB's provider"); !checked) return std::move(checked).error();
  auto route = choose_mixes(topology, rng);
  if (!route) return std::move(route).error();
  const std::array<const Descriptor*, directory::kMixLayers + 1> nodes{route->mixes[0], route->mixes[1],
                                                                       route->mixes[2], &provider};
  auto hops = hops_through(topology, nodes, mix::sphinx::SurbReplyCommand{mailbox, id}, rng);
  if (!hops) return std::move(hops).error();
  return mix::sphinx::create_surb(topology.geometry, node_id(*route->mixes[0]), *hops, rng);
}

Result<OutgoingPacket> mix_loop_packet(const Topology& topology, const Descriptor& self,
                                       const mix::sphinx::MailboxId& loop_mailbox, Random& rng) {
  if (self.role != Role::mix || self.layer < 1 || self.layer > directory::kMixLayers) {
    return make_error(Errc::invalid_argument, "a loop starts at a mix of layer 1..3");
  }
  if (topology.providers.empty()) return make_error(Errc::invalid_argument, "the topology has no provider");
  std::vector<const Descriptor*> nodes;
  for (std::size_t k = self.layer + 1; k <= directory::kMixLayers; ++k) {
    if (topology.layers[k - 1].empty()) return make_error(Errc::invalid_argument, "a mix layer is empty");
    nodes.push_back(&pick(topology.layers[k - 1], rng));
  }
  nodes.push_back(&pick(topology.providers, rng));
  for (std::size_t k = 1; k < self.layer; ++k) {
    if (topology.layers[k - 1].empty()) return make_error(Errc::invalid_argument, "a mix layer is empty");
    nodes.push_back(&pick(topology.layers[k - 1], rng));
  }
  nodes.push_back(&self);
  auto hops = hops_through(topology, nodes, mix::sphinx::DeliverCommand{loop_mailbox}, rng);
  if (!hops) return std::move(hops).error();
  auto packet = mix::sphinx::create_packet(topology.geometry, *hops, ByteView{}, rng);
  if (!packet) return std::move(packet).error();
  return OutgoingPacket{node_id(*nodes.front()), std::move(*packet)};
}

}  // namespace tenebra::router
