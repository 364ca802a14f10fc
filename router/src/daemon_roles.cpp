#include "daemon_roles.hpp"

#include <algorithm>
#include <cmath>

#include "tenebra/router/provider_protocol.hpp"

namespace tenebra::router::daemon_detail {
namespace {

std::vector<AuthorityContact> contacts(const NodeConfig& config) {
  std::vector<AuthorityContact> out;
  out.reserve(config.authorities.size());
  for (const auto& entry : config.authorities) out.push_back({entry.identity, entry.address});
  return out;
}

Result<directory::Rate> rate_of(double per_second, const char* name) {
  // The config checked the range; the document stores micro-hertz.
  const double micro = std::round(per_second * 1e6);
  if (!(micro >= 0.0) || micro > static_cast<double>(UINT32_MAX)) {
    return make_error(Errc::invalid_argument, std::string("config: [authority.rates] ") + name + " is out of range");
  }
  return directory::Rate::from_micro_hz(static_cast<std::uint32_t>(micro));
}

}  // namespace

Result<directory::TrustConfig> trust_config(const NodeConfig& config) {
  auto schedule = directory::EpochSchedule::make(config.genesis, config.epoch_length);
  if (!schedule) return std::move(schedule).error();
  directory::TrustConfig trust{config.network_id, {}, config.threshold, *schedule};
  for (const auto& entry : config.authorities) trust.authorities.push_back(entry.identity);
  if (auto checked = directory::check_trust_config(trust); !checked) return std::move(checked).error();
  return trust;
}

Result<RelayNodeConfig> relay_config(const NodeConfig& config) {
  auto trust = trust_config(config);
  if (!trust) return std::move(trust).error();
  mix::MixNodeConfig mixing;
  mixing.queue_capacity = config.queue_capacity;
  mixing.max_delay = mix::sphinx::Delay(static_cast<std::uint32_t>(
      std::min<std::int64_t>(config.max_delay.count(), std::numeric_limits<std::uint32_t>::max())));
  PeerLinksConfig links;
  links.queue_packets = config.send_queue_packets;
  links.handshake_timeout = config.handshake_timeout;
  links.reconnect = {config.reconnect_min, config.reconnect_max};
  LinkAcceptorConfig acceptor;
  acceptor.max_links = config.max_incoming_links;
  acceptor.handshake_timeout = config.handshake_timeout;
  RelayNodeConfig relay{
      .role = config.role == NodeRole::provider ? directory::Role::provider : directory::Role::mix,
      .layer = config.layer,
      .transport = transport_kind(config.transport),
      .network_id = config.network_id,
      .grace = config.grace,
      .mixing = mixing,
      .mailbox_limits = {.max_packet_bytes = provider::max_item_bytes(mixing.geometry),
                         .max_packets_per_mailbox = config.mailbox_quota},
      .mailbox_retention = config.mailbox_retention,
      .links = links,
      .acceptor = acceptor,
      .follower = TopologyFollowerConfig{.trust = std::move(*trust), .authorities = contacts(config)},
  };
  return relay;
}

Result<AuthorityNodeConfig> authority_config(const NodeConfig& config, const IdentityKeyPair& self) {
  auto trust = trust_config(config);
  if (!trust) return std::move(trust).error();
  auto geometry = mix::sphinx::Geometry::make(config.max_hops, config.payload_bytes);
  if (!geometry) return std::move(geometry).error();
  AuthorityNodeConfig node{.authority =
                               directory::AuthorityConfig{
                                   .network_id = config.network_id,
                                   .self = IdentityKeyPair{self.secret.clone(), self.public_key},
                                   .authorities = trust->authorities,
                                   .threshold = config.threshold,
                                   .schedule = trust->schedule,
                                   .geometry = *geometry,
                                   .rates = {},
                                   .transport = transport_kind(config.transport),
                                   .admit = {},
                               },
                           .peers = {}};
  auto& authority = node.authority;
  const auto& r = config.rates;
  for (auto [target, value, name] : {std::tuple{&authority.rates.payload, r.payload_hz, "payload_hz"},
                                     std::tuple{&authority.rates.drop, r.drop_hz, "drop_hz"},
                                     std::tuple{&authority.rates.loop, r.loop_hz, "loop_hz"},
                                     std::tuple{&authority.rates.mix_loop, r.mix_loop_hz, "mix_loop_hz"},
                                     std::tuple{&authority.rates.delay, r.delay_hz, "delay_hz"}}) {
    auto rate = rate_of(value, name);
    if (!rate) return std::move(rate).error();
    *target = *rate;
  }
  if (!config.admit_any) {
    authority.admit = [admitted = config.admitted](const directory::IdentityKey& key) {
      return std::find(admitted.begin(), admitted.end(), key) != admitted.end();
    };
  }
  bool found_self = false;
  for (const auto& entry : config.authorities) {
    if (entry.identity == self.public_key) {
      found_self = true;
    } else {
      node.peers.push_back({entry.identity, entry.address});
    }
  }
  if (!found_self) {
    return make_error(Errc::invalid_argument,
                      "config: this authority's own identity is not in [[directory.authority]] (run tenebrad "
                      "--init to print it)");
  }
  return node;
}

}  // namespace tenebra::router::daemon_detail
