// Routes through a topology (docs/provider.md §7): which nodes a packet
// crosses and the Sphinx path (keys, commands, delays) that makes it do so.
//
//   client_path:     entry provider -> layer 1 -> layer 2 -> layer 3 ->
//                    destination provider (kPathHops = 5 hops)
//   reply_surb:      layer 1 -> layer 2 -> layer 3 -> provider, ending in a
//                    SurbReplyCommand for the creator's mailbox
//   mix_loop_packet: a mix's own cover loop (Loopix lambda_M), back to itself
//
// Conventions: a node's Sphinx NodeId is its Ed25519 identity key; a path
// built from the document of epoch E uses each hop's `sphinx_current` key;
// every relay hop holds the packet for a delay drawn from Exp(mu), mu =
// topology.rates.delay (mean 1/mu). Mixes are picked uniformly per layer.
//
// Pure functions: randomness is a parameter, nothing is kept. Safe from any
// thread on distinct Random objects. Returned pointers point into the
// topology passed in.
#pragma once

#include <array>
#include <chrono>
#include <vector>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/commands.hpp"
#include "tenebra/mix/sphinx.hpp"
#include "tenebra/mix/surb.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::router {

// A ready packet and the node to hand it to.
struct OutgoingPacket {
  mix::sphinx::NodeId first_hop{};
  Bytes packet;
};

// The node's Sphinx id: its identity public key.
mix::sphinx::NodeId node_id(const directory::Descriptor& descriptor);

// The mean per-hop delay 1/mu, rounded to milliseconds. Errc::invalid_argument
// when mu is zero.
[[nodiscard]] Result<std::chrono::milliseconds> mean_hop_delay(const directory::Topology& topology);

// One mix per layer, each uniform at random in its layer.
struct Route {
  std::array<const directory::Descriptor*, directory::kMixLayers> mixes{};
};
// Errc::invalid_argument when a layer is empty.
[[nodiscard]] Result<Route> choose_mixes(const directory::Topology& topology, Random& rng);

struct BuiltPath {
  mix::sphinx::NodeId first_hop{};
  std::vector<mix::sphinx::PathHop> hops;
};

// entry -> mixes -> destination, whose command is `last` (a DeliverCommand
// or SurbReplyCommand). The four relay hops, the entry provider's included,
// each get an Exp(mu) delay. entry and destination must be providers.
// Randomness drawn, in order: the mix of layer 1, 2, 3, then the delays of
// hops 0..3.
[[nodiscard]] Result<BuiltPath> client_path(const directory::Topology& topology, const directory::Descriptor& entry,
                                            const directory::Descriptor& destination, const mix::sphinx::Command& last,
                                            Random& rng);

// A SURB whose reply reaches `mailbox` at `provider` tagged with `id`:
// first hop a layer-1 mix (the replier sends to surb.first_hop), then layers
// 2 and 3, then the provider. Randomness: mixes, three delays, then
// create_surb's.
[[nodiscard]] Result<mix::sphinx::SurbAndKeys> reply_surb(const directory::Topology& topology,
                                                          const directory::Descriptor& provider,
                                                          const mix::sphinx::MailboxId& mailbox,
                                                          const mix::sphinx::SurbId& id, Random& rng);

// The loop cover packet of the mix `self` at layer k: through layers
// k+1..3, a random provider, layers 1..k-1, and back to `self` with
// DeliverCommand{loop_mailbox}. The mix knows its own loop by that secret
// id. The payload is all zero. Randomness: the provider and mixes in path
// order, the delays, then create_packet's.
[[nodiscard]] Result<OutgoingPacket> mix_loop_packet(const directory::Topology& topology,
                                                     const directory::Descriptor& self,
                                                     const mix::sphinx::MailboxId& loop_mailbox, Random& rng);

}  // namespace tenebra::router
