#include "tenebra/rendezvous/client_packets.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "tenebra/mix/sphinx.hpp"
#include "tenebra/router/provider_protocol.hpp"

namespace tenebra::rendezvous {
namespace {

using router::OutgoingPacket;
using router::directory::Descriptor;
using router::directory::Topology;

// The topology's own entry for `node`: a descriptor of another epoch (other
// Sphinx key) would build a packet its hop cannot open.
Result<const Descriptor*> provider_in(const Topology& topology, const Descriptor& node, const char* what) {
  const auto found = std::find_if(topology.providers.begin(), topology.providers.end(),
                                  [&](const Descriptor& p) { return p.identity == node.identity; });
  if (found == topology.providers.end() || found->sphinx_current != node.sphinx_current) {
    return make_error(Errc::not_found, std::string(what) + " is not a provider of this topology");
  }
  return &*found;
}

// entry -> L1 -> L2 -> L3 -> destination(last), carrying `payload`.
Result<OutgoingPacket> packet_to(const Topology& topology, const Descriptor& entry, const Descriptor& destination,
                                 const mix::sphinx::Command& last, ByteView payload, Random& rng) {
  auto path = router::client_path(topology, entry, destination, last, rng);
  if (!path) return std::move(path).error();
  auto packet = mix::sphinx::create_packet(topology.geometry, path->hops, payload, rng);
  if (!packet) return std::move(packet).error();
  return OutgoingPacket{path->first_hop, std::move(*packet)};
}

}  // namespace

Result<OutgoingPacket> make_store_packet(const Topology& topology, const Descriptor& entry, const Descriptor& provider,
                                         const mix::sphinx::MailboxId& mailbox, ByteView data, Random& rng) {
  auto from = provider_in(topology, entry, "the entry");
  if (!from) return std::move(from).error();
  auto to = provider_in(topology, provider, "the mailbox's provider");
  if (!to) return std::move(to).error();
  auto payload = router::provider::make_store_payload(topology.geometry, data);
  if (!payload) return std::move(payload).error();
  return packet_to(topology, **from, **to, mix::sphinx::DeliverCommand{mailbox}, *payload, rng);
}

Result<FetchPacket> make_fetch_packet(const Topology& topology, const Descriptor& entry, const Descriptor& provider,
                                      const mix::sphinx::MailboxId& mailbox,
                                      const mix::sphinx::MailboxId& reply_mailbox, std::size_t surb_count,
                                      std::uint8_t max_items, Random& rng) {
  auto from = provider_in(topology, entry, "the entry");
  if (!from) return std::move(from).error();
  auto to = provider_in(topology, provider, "the mailbox's provider");
  if (!to) return std::move(to).error();
  const std::size_t most = router::provider::max_fetch_surbs(topology.geometry);
  if (surb_count == 0 || surb_count > most) {
    return make_error(Errc::invalid_argument,
                      "a FETCH carries 1.." + std::to_string(most) + " SURBs, not " + std::to_string(surb_count));
  }
  if (max_items == 0) return make_error(Errc::invalid_argument, "a FETCH asks for at least one item");

  std::vector<mix::sphinx::Surb> surbs;
  std::vector<mix::sphinx::SurbKeys> keys;
  surbs.reserve(surb_count);
  keys.reserve(surb_count);
  for (std::size_t i = 0; i < surb_count; ++i) {
    mix::sphinx::SurbId id{};
    rng.fill(id);
    auto made = router::reply_surb(topology, **from, reply_mailbox, id, rng);
    if (!made) return std::move(made).error();
    surbs.push_back(std::move(made->surb));
    keys.push_back(std::move(made->keys));
  }
  auto payload = router::provider::make_fetch_payload(topology.geometry, surbs, max_items);
  if (!payload) return std::move(payload).error();
  // The payload holds the SURBs' payload keys: wipe it once the packet is built.
  WipeOnExit wipe_payload(*payload);
  auto packet = packet_to(topology, **from, **to, mix::sphinx::DeliverCommand{mailbox}, *payload, rng);
  if (!packet) return std::move(packet).error();
  return FetchPacket{std::move(*packet), std::move(keys)};
}

Result<OutgoingPacket> make_drop_packet(const Topology& topology, const Descriptor& entry, Random& rng) {
  auto from = provider_in(topology, entry, "the entry");
  if (!from) return std::move(from).error();
  if (topology.providers.size() > UINT32_MAX) return make_error(Errc::invalid_argument, "too many providers");
  const Descriptor& to = topology.providers[rng.uniform(static_cast<std::uint32_t>(topology.providers.size()))];
  mix::sphinx::MailboxId mailbox{};
  rng.fill(mailbox);
  return packet_to(topology, **from, to, mix::sphinx::DeliverCommand{mailbox},
                   router::provider::make_drop_payload(topology.geometry), rng);
}

Result<LoopPacket> make_loop_packet(const Topology& topology, const Descriptor& entry,
                                    const mix::sphinx::MailboxId& loop_mailbox, const LoopKey& loop_key, Random& rng) {
  auto from = provider_in(topology, entry, "the entry");
  if (!from) return std::move(from).error();
  LoopId id{};
  rng.fill(id);
  auto data = make_loop_data(topology.geometry, loop_key, id, rng);
  if (!data) return std::move(data).error();
  auto payload = router::provider::make_store_payload(topology.geometry, *data);
  if (!payload) return std::move(payload).error();
  auto packet = packet_to(topology, **from, **from, mix::sphinx::DeliverCommand{loop_mailbox}, *payload, rng);
  if (!packet) return std::move(packet).error();
  return LoopPacket{std::move(*packet), id};
}

}  // namespace tenebra::rendezvous
