#include "delivery.hpp"

#include <algorithm>
#include <map>

#include "tenebra/router/provider_protocol.hpp"

namespace tenebra::mixnet_probe {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

std::string host_names(const std::vector<const NetNode*>& hosts) {
  std::string names;
  for (const NetNode* host : hosts) names += (names.empty() ? "" : ",") + host->name;
  return names;
}

// Makes `delivery` hold the current document and its host for the mailbox.
asio::awaitable<Status> refresh_topology(const ProbeContext& ctx, Delivery& delivery, bool first) {
  if (!first && !time_to_refresh(ctx, delivery.topology)) co_return Status{};
  auto topology = co_await fetch_current_topology(ctx);
  if (!topology) co_return std::move(topology).error();
  auto host = hosting_provider(ctx, *topology, delivery.mailbox);
  if (!host) co_return std::move(host).error();
  if (std::find(delivery.hosts.begin(), delivery.hosts.end(), host->node) == delivery.hosts.end()) {
    delivery.hosts.push_back(host->node);
  }
  delivery.topology = std::move(*topology);
  ctx.report.step("topology of epoch " + std::to_string(delivery.topology.epoch) + " trusted; mailbox host " +
                  host->node->name);
  co_return Status{};
}

// The entry provider's descriptor in the current document: its Sphinx key
// changes every epoch. When it left the network, another entry and a new link.
const directory::Descriptor& current_entry(const ProbeContext& ctx, Delivery& delivery,
                                           const directory::IdentityKey& host) {
  const auto& providers = delivery.topology.providers;
  auto it = std::find_if(providers.begin(), providers.end(),
                         [&](const directory::Descriptor& p) { return p.identity == delivery.entry; });
  if (it != providers.end()) return *it;
  const auto& entry = pick_entry(delivery.topology, host, ctx.rng);
  delivery.entry = entry.identity;
  delivery.link.reset();
  ctx.report.step("entry provider " + node_name(ctx, entry));
  return entry;
}

// One STORE packet with a fresh marker, sent on the link (reopened once if
// it broke).
asio::awaitable<Status> send_one(const ProbeContext& ctx, Delivery& delivery) {
  const auto& topology = delivery.topology;
  auto host = hosting_provider(ctx, topology, delivery.mailbox);
  if (!host) co_return std::move(host).error();
  const auto& entry = current_entry(ctx, delivery, host->descriptor.identity);
  const Marker marker = random_array<32>(ctx.rng);
  auto payload = router::provider::make_store_payload(topology.geometry, marker);
  if (!payload) co_return std::move(payload).error();
  auto packet =
      build_packet(topology, entry, host->descriptor, mix::sphinx::DeliverCommand{delivery.mailbox}, *payload, ctx.rng);
  if (!packet) co_return std::move(packet).error();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!delivery.link || !delivery.link->open()) {
      auto link = co_await open_client_link(ctx, topology, entry);
      if (!link) co_return make_error(link.error().code, "client link to the entry provider: " + link.error().message);
      delivery.link.emplace(std::move(*link));
    }
    auto sent = co_await delivery.link->send_packet(*packet, ctx.timeout);
    if (sent) {
      delivery.markers.push_back(marker);
      co_return Status{};
    }
    ctx.report.step("client link broke (" + sent.error().message + "); reopening");
    delivery.link.reset();
  }
  co_return make_error(Errc::io, "could not send a packet on a fresh client link either");
}

}  // namespace

asio::awaitable<Result<Delivery>> send_markers(const ProbeContext& ctx, const mix::sphinx::MailboxId& mailbox,
                                               const DeliveryOptions& options) {
  Delivery delivery;
  delivery.mailbox = mailbox;
  if (auto fresh = co_await refresh_topology(ctx, delivery, /*first=*/true); !fresh) co_return fresh.error();
  const auto start = ctx.clock.now();
  for (std::size_t i = 0;; ++i) {
    if (options.duration ? ctx.clock.now() - start >= *options.duration : i >= options.count) break;
    if (i > 0) co_await sleep_for(options.spacing);
    if (auto fresh = co_await refresh_topology(ctx, delivery, /*first=*/false); !fresh) co_return fresh.error();
    if (auto sent = co_await send_one(ctx, delivery); !sent) {
      co_return make_error(sent.error().code, "packet " + std::to_string(i + 1) + ": " + sent.error().message);
    }
  }
  ctx.report.step("sent " + std::to_string(delivery.markers.size()) + " STORE packets to hosts " +
                  host_names(delivery.hosts));
  co_return delivery;
}

Result<std::vector<ProviderStore>> open_stores(const ProbeContext& ctx, const std::vector<const NetNode*>& hosts,
                                               const mix::sphinx::Geometry& geometry) {
  std::vector<ProviderStore> stores;
  for (const NetNode* host : hosts) {
    auto store =
        ProviderStore::open(host->data_dir, ctx.passphrase.view(), store_cost(ctx.net.transport), geometry, ctx.rng);
    if (!store) return make_error(store.error().code, host->name + "'s store: " + store.error().message);
    stores.push_back(std::move(*store));
  }
  return stores;
}

Result<MarkerTally> tally_markers(std::vector<ProviderStore>& stores, const mix::sphinx::MailboxId& mailbox,
                                  const std::vector<Marker>& markers) {
  std::map<Marker, std::size_t> seen;
  for (const auto& marker : markers) seen.emplace(marker, 0);
  MarkerTally tally;
  for (auto& store : stores) {
    auto items = store.decoded_items(mailbox);
    if (!items) return std::move(items).error();
    for (const auto& item : *items) {
      const auto* data = std::get_if<router::provider::StoredData>(&item);
      auto it = seen.end();
      if (data != nullptr && data->data.size() == Marker{}.size()) {
        Marker marker{};
        std::copy(data->data.begin(), data->data.end(), marker.begin());
        it = seen.find(marker);
      }
      if (it == seen.end()) {
        ++tally.foreign;
      } else if (++it->second == 1) {
        ++tally.present;
      } else {
        ++tally.duplicated;
      }
    }
  }
  return tally;
}

asio::awaitable<Result<MarkerTally>> wait_for_markers(const ProbeContext& ctx, std::vector<ProviderStore>& stores,
                                                      const mix::sphinx::MailboxId& mailbox,
                                                      const std::vector<Marker>& markers) {
  const auto deadline = ctx.deadline();
  for (;;) {
    auto tally = tally_markers(stores, mailbox, markers);
    if (!tally) co_return tally;
    const bool off = tally->duplicated > 0 || tally->foreign > 0;
    if (off || tally->present == markers.size() || ctx.left(deadline).count() == 0) co_return tally;
    co_await sleep_for(std::min(kPollInterval, ctx.left(deadline)));
  }
}

std::string describe(const MarkerTally& tally, std::size_t expected) {
  std::string text = "delivered " + std::to_string(tally.present) + "/" + std::to_string(expected);
  if (tally.duplicated > 0) text += ", " + std::to_string(tally.duplicated) + " duplicate copies";
  if (tally.foreign > 0) text += ", " + std::to_string(tally.foreign) + " foreign items";
  return text;
}

}  // namespace tenebra::mixnet_probe
