// Delivering marked items to a mailbox through the mixnet and checking that
// they arrived: send_markers sends STORE packets, each carrying a fresh
// random 32-byte marker, from an anonymous client link; wait_for_markers
// polls the hosting provider's store until every marker is there (or a
// duplicate or foreign item shows up, or the time is over).
//
// Thread-safety: coroutines on the probe's one io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <vector>

#include "network.hpp"
#include "node_files.hpp"
#include "probe.hpp"

namespace tenebra::mixnet_probe {

struct DeliveryOptions {
  std::size_t count = 5;
  std::chrono::milliseconds spacing{100};
  // Set: send one packet every `spacing` for this long instead of `count`.
  std::optional<std::chrono::seconds> duration;
};

struct Delivery {
  mix::sphinx::MailboxId mailbox{};
  std::vector<Marker> markers;                    // one per packet sent
  std::vector<const NetNode*> hosts;              // providers the packets went to (one unless the topology moved M)
  directory::Topology topology;                   // the last document used
  directory::IdentityKey entry{};                 // the entry provider (its keys come from `topology`)
  std::optional<router::link::LinkChannel> link;  // kept open until the caller is done
};

// Sends the packets; an error means not all could be sent.
[[nodiscard]] boost::asio::awaitable<Result<Delivery>> send_markers(const ProbeContext& ctx,
                                                                    const mix::sphinx::MailboxId& mailbox,
                                                                    const DeliveryOptions& options);

struct MarkerTally {
  std::size_t present = 0;     // distinct markers found
  std::size_t duplicated = 0;  // extra copies of found markers
  std::size_t foreign = 0;     // items that are none of the markers
  [[nodiscard]] bool exact(std::size_t expected) const {
    return present == expected && duplicated == 0 && foreign == 0;
  }
};

// Counts `markers` among the items of `mailbox` in every store.
[[nodiscard]] Result<MarkerTally> tally_markers(std::vector<ProviderStore>& stores,
                                                const mix::sphinx::MailboxId& mailbox,
                                                const std::vector<Marker>& markers);

// Opens the store of every host.
[[nodiscard]] Result<std::vector<ProviderStore>> open_stores(const ProbeContext& ctx,
                                                             const std::vector<const NetNode*>& hosts,
                                                             const mix::sphinx::Geometry& geometry);

// Polls until every marker is present, or anything is off, or ctx.timeout.
[[nodiscard]] boost::asio::awaitable<Result<MarkerTally>> wait_for_markers(const ProbeContext& ctx,
                                                                           std::vector<ProviderStore>& stores,
                                                                           const mix::sphinx::MailboxId& mailbox,
                                                                           const std::vector<Marker>& markers);

// "delivered X/N" plus what is off, for the report.
[[nodiscard]] std::string describe(const MarkerTally& tally, std::size_t expected);

}  // namespace tenebra::mixnet_probe
