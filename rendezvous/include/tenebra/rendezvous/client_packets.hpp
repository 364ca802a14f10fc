// The Sphinx packets a client sends for its scheduler's events
// (docs/cover-traffic.md §3). Every packet has the geometry's packet size,
// its first hop is the client's entry provider (its own provider), and it
// crosses the three mix layers on a router::client_path:
//
//   store: deliver(mailbox) at the mailbox's provider, a STORE of the data
//   fetch: deliver(mailbox) at the mailbox's provider, a FETCH whose SURBs
//          lead the answer back into the client's reply mailbox at the entry
//   drop:  deliver(random id) at a random provider, the all-zero payload
//   loop:  deliver(loop mailbox) back at the entry provider, a STORE of loop
//          data (loop_monitor.hpp) that only this client can recognise
//
// `entry` and every named provider must be providers of `topology` (matched
// by identity and Sphinx key, so a descriptor from another epoch is refused
// with Errc::not_found). Pure functions: randomness is a parameter, nothing
// is kept; safe from any thread on distinct Random objects.
#pragma once

#include <cstdint>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/commands.hpp"
#include "tenebra/mix/surb.hpp"
#include "tenebra/rendezvous/loop_monitor.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/route.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::rendezvous {

// Randomness: client_path's (mixes, delays), then create_packet's.
[[nodiscard]] Result<router::OutgoingPacket> make_store_packet(const router::directory::Topology& topology,
                                                               const router::directory::Descriptor& entry,
                                                               const router::directory::Descriptor& provider,
                                                               const mix::sphinx::MailboxId& mailbox, ByteView data,
                                                               Random& rng);

struct FetchPacket {
  router::OutgoingPacket packet;
  // One per SURB in the FETCH, in order. The caller keeps them (a
  // SurbKeyring) to open the replies that land in the reply mailbox. The
  // SURBs themselves went into the packet and are not kept.
  std::vector<mix::sphinx::SurbKeys> surb_keys;
};

// A FETCH of `mailbox` at `provider` carrying `surb_count` SURBs (1 ..
// provider::max_fetch_surbs; send at least 2, docs/provider.md §5), each
// leading its reply to `reply_mailbox` at the entry provider.
// Randomness: per SURB a 16-byte SURB id then reply_surb's; then
// client_path's and create_packet's.
[[nodiscard]] Result<FetchPacket> make_fetch_packet(const router::directory::Topology& topology,
                                                    const router::directory::Descriptor& entry,
                                                    const router::directory::Descriptor& provider,
                                                    const mix::sphinx::MailboxId& mailbox,
                                                    const mix::sphinx::MailboxId& reply_mailbox, std::size_t surb_count,
                                                    std::uint8_t max_items, Random& rng);

// A drop to a provider picked uniformly from the topology. Randomness: the
// provider, a 32-byte mailbox id (so the command looks like any deliver),
// then client_path's and create_packet's.
[[nodiscard]] Result<router::OutgoingPacket> make_drop_packet(const router::directory::Topology& topology,
                                                              const router::directory::Descriptor& entry, Random& rng);

struct LoopPacket {
  router::OutgoingPacket packet;
  LoopId id{};  // record it in the LoopMonitor when the packet is sent
};

// A loop back to `loop_mailbox` at the entry provider. Randomness: the
// 16-byte loop id, the loop data's filler, then client_path's and
// create_packet's.
[[nodiscard]] Result<LoopPacket> make_loop_packet(const router::directory::Topology& topology,
                                                  const router::directory::Descriptor& entry,
                                                  const mix::sphinx::MailboxId& loop_mailbox, const LoopKey& loop_key,
                                                  Random& rng);

}  // namespace tenebra::rendezvous
