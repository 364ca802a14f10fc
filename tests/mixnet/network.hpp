// The probe's client side, done the way a client does it: fetch and trust
// the current topology document from the authorities, open an anonymous
// link to an entry provider, and build Sphinx packets through
// entry provider -> layer 1 -> layer 2 -> layer 3 -> destination provider.
//
// Thread-safety: coroutines on the probe's one io_context.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "probe.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/commands.hpp"
#include "tenebra/router/link_channel.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::mixnet_probe {

namespace directory = router::directory;

// A stream to the node at `address` (the peer's isolation token from
// ctx.tokens), within `budget`. Over tor a fresh onion can be unreachable
// for a while (descriptor not yet fetched, circuits failing): dials are
// retried with backoff until the budget is spent; tcp dials once.
[[nodiscard]] boost::asio::awaitable<Result<onion::Stream>> dial_peer(const ProbeContext& ctx,
                                                                      const std::string& address,
                                                                      std::chrono::milliseconds budget);

// The trusted document of the current epoch, asking the authorities in
// turn until one has it; Errc::timeout (with the last problem seen) after
// ctx.timeout.
[[nodiscard]] boost::asio::awaitable<Result<directory::Topology>> fetch_current_topology(const ProbeContext& ctx);

// Whether to fetch a newer document before building the next packet: the
// epoch changed. Nodes install a new epoch's key only shortly after the
// boundary (they poll the clock), while they keep the previous key for the
// grace period, so a client switches a little late: kSwitchDelay after the
// boundary (at most half the grace period).
inline constexpr std::chrono::milliseconds kSwitchDelay{1'000};
[[nodiscard]] bool time_to_refresh(const ProbeContext& ctx, const directory::Topology& topology);

// The provider hosting `mailbox` in `topology` (directory.md §7), and the
// net file's entry for it (Errc::not_found when the net file has none).
struct HostingProvider {
  directory::Descriptor descriptor;
  const NetNode* node = nullptr;
};
[[nodiscard]] Result<HostingProvider> hosting_provider(const ProbeContext& ctx, const directory::Topology& topology,
                                                       const mix::sphinx::MailboxId& mailbox);

// A random provider, other than `avoid` when there is another.
[[nodiscard]] const directory::Descriptor& pick_entry(const directory::Topology& topology,
                                                      const directory::IdentityKey& avoid, Random& rng);

// The net file's name of a node of the document ("?" if unknown).
[[nodiscard]] std::string node_name(const ProbeContext& ctx, const directory::Descriptor& descriptor);

// The link parameters of the network `topology` belongs to.
[[nodiscard]] router::link::LinkConfig link_config(const directory::Topology& topology);

// An anonymous client link to `entry`, handshake done, within ctx.timeout.
[[nodiscard]] boost::asio::awaitable<Result<router::link::LinkChannel>> open_client_link(
    const ProbeContext& ctx, const directory::Topology& topology, const directory::Descriptor& entry);

// A Sphinx packet entry -> 3 mixes -> destination, whose last command is
// `last` and whose payload is `payload` (geometry.payload_bytes()).
[[nodiscard]] Result<Bytes> build_packet(const directory::Topology& topology, const directory::Descriptor& entry,
                                         const directory::Descriptor& destination, const mix::sphinx::Command& last,
                                         ByteView payload, Random& rng);

}  // namespace tenebra::mixnet_probe
