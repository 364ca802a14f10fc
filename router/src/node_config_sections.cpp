#include "node_config_sections.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>

#include "tenebra/core/bytes.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/mix/sphinx_constants.hpp"
#include "tenebra/router/directory_constants.hpp"

namespace tenebra::router::config_detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kMaxGenesis = 253'402'300'799;  // 9999-12-31T23:59:59Z
constexpr std::int64_t kMaxQueueCapacity = 10'000'000;
constexpr std::int64_t kMaxDelayMs = 86'400'000;
constexpr std::int64_t kMaxMailboxQuota = 1'000'000;
constexpr std::int64_t kMaxRetentionS = 365LL * 24 * 3600;
constexpr std::int64_t kMaxIncomingLinks = 65'536;
constexpr std::int64_t kMaxSendQueue = 1'000'000;
constexpr std::int64_t kMinHandshakeMs = 100;
constexpr std::int64_t kMaxHandshakeMs = 600'000;
constexpr std::int64_t kMinReconnectMs = 10;
constexpr std::int64_t kMaxReconnectMs = 3'600'000;
constexpr std::size_t kMaxAdmitted = 1024;
constexpr double kMaxRateHz = 1000.0;
constexpr double kMinDelayHz = 1e-6;  // the smallest rate a topology document can carry

// An Ed25519 public key written as 64 hex digits.
std::optional<directory::IdentityKey> identity_key(const Section& section, const std::string& what,
                                                   std::string_view text) {
  auto key = array_from_hex<directory::kIdentityKeyBytes>(text);
  if (!key) {
    section.fail(what + " must be 64 hex digits, an Ed25519 public key (got " + quote(text) + ")");
    return std::nullopt;
  }
  if (crypto_core_ed25519_is_valid_point(key->data()) != 1) {
    section.fail(what + " is not a valid Ed25519 public key (got " + quote(text) + ")");
    return std::nullopt;
  }
  return *key;
}

void parse_authority_entry(Section entry, NodeConfig& config) {
  entry.require("identity");
  entry.require("address");
  auto identity_text = entry.string("identity", 64);
  auto address = entry.string("address", directory::kMaxAddressBytes);
  entry.finish();
  if (entry.failed() || !identity_text || !address) return;
  auto identity = identity_key(entry, entry.name("identity"), *identity_text);
  if (!identity) return;
  const auto kind = transport_kind(config.transport);
  if (auto checked = directory::check_address(kind, *address); !checked) {
    entry.fail(entry.name("address") + " must be a " + directory::transport_name(kind) + " address for transport " +
               transport_choice_name(config.transport) + " (got " + quote(*address) + "): " + checked.error().message);
    return;
  }
  for (const auto& known : config.authorities) {
    if (known.identity == *identity) {
      entry.fail(entry.name("identity") + " appears twice; each authority must be listed once");
      return;
    }
  }
  config.authorities.push_back(AuthorityEntry{*identity, *address});
}

}  // namespace

void parse_directory(Section directory, NodeConfig& config) {
  if (!directory.present()) {
    directory.fail("[directory] is required: list the authorities in [[directory.authority]] tables");
    return;
  }
  directory.integer_to("threshold", 1, static_cast<std::int64_t>(directory::kMaxAuthorities), config.threshold);
  if (auto genesis = directory.integer("genesis", 0, kMaxGenesis))
    config.genesis = std::chrono::sys_seconds(seconds(*genesis));
  const std::int64_t max_length = directory::kMaxEpochLength.count();
  if (auto length = directory.integer("epoch_length_s", 1, max_length)) config.epoch_length = seconds(*length);
  if (auto grace = directory.integer("grace_s", 0, max_length)) config.grace = seconds(*grace);
  const toml::array* entries = directory.array("authority");
  directory.finish();
  if (directory.failed()) return;
  const std::string label = "[[directory.authority]]";
  if (entries == nullptr || entries->empty() || entries->size() > directory::kMaxAuthorities) {
    directory.fail(label + " must appear 1 to " + std::to_string(directory::kMaxAuthorities) + " times (got " +
                   std::to_string(entries == nullptr ? 0 : entries->size()) + ")");
    return;
  }
  for (std::size_t i = 0; i < entries->size() && !directory.failed(); ++i) {
    const std::string entry_label = label + " #" + std::to_string(i + 1);
    const toml::table* table = (*entries)[i].as_table();
    if (table == nullptr) {
      directory.fail(entry_label + " must be a table with identity and address");
      return;
    }
    parse_authority_entry(directory.adopt(table, entry_label), config);
  }
  if (directory.failed()) return;
  if (config.threshold > config.authorities.size()) {
    directory.fail("[directory] threshold must be from 1 to the number of authorities, " +
                   std::to_string(config.authorities.size()) + " (got " + std::to_string(config.threshold) + ")");
  } else if (config.grace > config.epoch_length) {
    directory.fail("[directory] grace_s must be from 0 to epoch_length_s, " +
                   std::to_string(config.epoch_length.count()) + " (got " + std::to_string(config.grace.count()) + ")");
  }
}

void parse_mix(Section mix, NodeConfig& config) {
  mix.require("layer");
  if (auto layer = mix.integer("layer", 1, directory::kMixLayers, "1, 2 or 3")) {
    config.layer = static_cast<std::uint8_t>(*layer);
  }
  mix.integer_to("queue_capacity", 1, kMaxQueueCapacity, config.queue_capacity);
  if (auto delay = mix.integer("max_delay_ms", 1, kMaxDelayMs)) config.max_delay = milliseconds(*delay);
  mix.finish();
}

void parse_provider(Section provider, NodeConfig& config) {
  provider.integer_to("mailbox_quota", 1, kMaxMailboxQuota, config.mailbox_quota);
  if (auto retention = provider.integer("retention_s", 1, kMaxRetentionS))
    config.mailbox_retention = seconds(*retention);
  provider.finish();
}

void parse_links(Section links, NodeConfig& config) {
  links.integer_to("max_incoming", 1, kMaxIncomingLinks, config.max_incoming_links);
  links.integer_to("send_queue", 1, kMaxSendQueue, config.send_queue_packets);
  if (auto timeout = links.integer("handshake_timeout_ms", kMinHandshakeMs, kMaxHandshakeMs)) {
    config.handshake_timeout = milliseconds(*timeout);
  }
  if (auto min = links.integer("reconnect_min_ms", kMinReconnectMs, kMaxReconnectMs)) {
    config.reconnect_min = milliseconds(*min);
  }
  if (auto max = links.integer("reconnect_max_ms", kMinReconnectMs, kMaxReconnectMs)) {
    config.reconnect_max = milliseconds(*max);
  }
  links.finish();
  if (!links.failed() && config.reconnect_min > config.reconnect_max) {
    links.fail("[links] reconnect_max_ms must be at least reconnect_min_ms, " +
               std::to_string(config.reconnect_min.count()) + " (got " + std::to_string(config.reconnect_max.count()) +
               ")");
  }
}

namespace {

void parse_rates(Section rates, PeerRates& out) {
  if (auto v = rates.number("payload_hz", 0, kMaxRateHz)) out.payload_hz = *v;
  if (auto v = rates.number("drop_hz", 0, kMaxRateHz)) out.drop_hz = *v;
  if (auto v = rates.number("loop_hz", 0, kMaxRateHz)) out.loop_hz = *v;
  if (auto v = rates.number("mix_loop_hz", 0, kMaxRateHz)) out.mix_loop_hz = *v;
  if (auto v = rates.number("delay_hz", kMinDelayHz, kMaxRateHz)) out.delay_hz = *v;
  rates.finish();
}

void parse_admitted(Section& authority, const toml::array& admit, NodeConfig& config) {
  if (admit.empty() || admit.size() > kMaxAdmitted) {
    authority.fail("[authority] admit must list 1 to " + std::to_string(kMaxAdmitted) + " identities (got " +
                   std::to_string(admit.size()) + ")");
    return;
  }
  for (std::size_t i = 0; i < admit.size(); ++i) {
    const std::string what = "[authority] admit[" + std::to_string(i) + "]";
    const auto* text = admit[i].as_string();
    if (text == nullptr) {
      authority.fail(what + " must be a string of 64 hex digits (got " + type_name(admit[i]) + ")");
      return;
    }
    auto key = identity_key(authority, what, text->get());
    if (!key) return;
    if (std::find(config.admitted.begin(), config.admitted.end(), *key) != config.admitted.end()) {
      authority.fail(what + " appears twice in admit");
      return;
    }
    config.admitted.push_back(*key);
  }
}

}  // namespace

void parse_authority(Section authority, NodeConfig& config) {
  authority.require("admission");
  const auto admission = authority.choice("admission", {"open", "list"});
  const toml::array* admit = authority.array("admit");
  authority.integer_to("max_hops", static_cast<std::int64_t>(directory::kPathHops),
                       static_cast<std::int64_t>(mix::sphinx::kMaxMaxHops), config.max_hops);
  authority.integer_to("payload_bytes", static_cast<std::int64_t>(mix::sphinx::kMinPayloadBytes),
                       static_cast<std::int64_t>(mix::sphinx::kMaxPayloadBytes), config.payload_bytes);
  parse_rates(authority.table("rates"), config.rates);
  authority.finish();
  if (authority.failed() || !admission) return;
  config.admit_any = *admission == 0;
  if (config.admit_any && admit != nullptr) {
    authority.fail("[authority] admit must be absent with admission = \"open\" (every node is admitted)");
  } else if (!config.admit_any && admit == nullptr) {
    authority.fail("[authority] admission = \"list\" needs admit = [\"<64 hex>\", ...] with at least one identity");
  } else if (admit != nullptr) {
    parse_admitted(authority, *admit, config);
  }
  if (auto geometry = mix::sphinx::Geometry::make(config.max_hops, config.payload_bytes); !geometry) {
    authority.fail("[authority] max_hops and payload_bytes do not make a Sphinx geometry: " + geometry.error().message);
  }
}

}  // namespace tenebra::router::config_detail
