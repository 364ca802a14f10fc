#include "net_file.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "tenebra/onion/tcp_transport.hpp"
#include "tenebra/onion/tor_transport.hpp"
#include "tenebra/router/directory_constants.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::mixnet_probe {
namespace {

using nlohmann::json;
namespace directory = router::directory;

// A net file is a few KiB; anything much larger is not one.
constexpr std::size_t kMaxNetFileBytes = 1 << 20;
constexpr std::size_t kMaxPassphraseBytes = 4096;
constexpr std::size_t kMaxNameBytes = 64;
constexpr std::size_t kMaxNodesPerRole = 256;

Error field_error(const std::string& field, const std::string& what) {
  return make_error(Errc::malformed, "net file: " + field + " " + what);
}

Result<const json*> member(const json& object, const std::string& parent, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return field_error(parent + key, "is missing");
  return &*it;
}

Result<std::string> string_field(const json& object, const std::string& parent, const char* key,
                                 std::size_t max_bytes) {
  auto value = member(object, parent, key);
  if (!value) return std::move(value).error();
  if (!(*value)->is_string()) return field_error(parent + key, "must be a string");
  auto text = (*value)->get<std::string>();
  if (text.empty() || text.size() > max_bytes) {
    return field_error(parent + key, "must be 1.." + std::to_string(max_bytes) + " bytes");
  }
  return text;
}

Result<std::uint64_t> integer_field(const json& object, const std::string& parent, const char* key, std::uint64_t min,
                                    std::uint64_t max) {
  auto value = member(object, parent, key);
  if (!value) return std::move(value).error();
  if (!(*value)->is_number_unsigned()) return field_error(parent + key, "must be a non-negative integer");
  const auto number = (*value)->get<std::uint64_t>();
  if (number < min || number > max) {
    return field_error(parent + key, "must be in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return number;
}

Result<std::filesystem::path> absolute_path_field(const json& object, const std::string& parent, const char* key) {
  auto text = string_field(object, parent, key, PATH_MAX);
  if (!text) return std::move(text).error();
  std::filesystem::path path(*text);
  if (!path.is_absolute()) return field_error(parent + key, "must be an absolute path");
  return path;
}

bool valid_name(std::string_view name) {
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

// The probe can only dial what its transport reaches: no onion address on a
// tcp network, no plain address on a tor one.
Status check_node_address(NetTransport transport, const std::string& field, const std::string& address) {
  if (transport == NetTransport::tor) {
    if (auto onion_address = onion::parse_onion_address(address); !onion_address) {
      return field_error(field, "must be <service id>.onion:port (" + onion_address.error().message + ")");
    }
    return {};
  }
  if (auto loopback = onion::parse_loopback_address(address); !loopback) {
    return field_error(field, "must be 127.x.y.z:port (" + loopback.error().message + ")");
  }
  return {};
}

Result<NetNode> parse_node(const json& entry, const std::string& where, bool is_mix, NetTransport transport) {
  if (!entry.is_object()) return field_error(where, "must be an object");
  NetNode node;
  auto name = string_field(entry, where + ".", "name", kMaxNameBytes);
  if (!name) return std::move(name).error();
  if (!valid_name(*name)) return field_error(where + ".name", "must be [a-z0-9_-]");
  node.name = std::move(*name);
  const std::string at = where + "(" + node.name + ").";
  auto identity = string_field(entry, at, "identity", 2 * directory::kIdentityKeyBytes);
  if (!identity) return std::move(identity).error();
  auto key = array_from_hex<directory::kIdentityKeyBytes>(*identity);
  if (!key) return field_error(at + "identity", "must be 64 hex digits");
  node.identity = *key;
  auto address = string_field(entry, at, "address", directory::kMaxAddressBytes);
  if (!address) return std::move(address).error();
  if (auto valid = check_node_address(transport, at + "address", *address); !valid) return std::move(valid).error();
  node.address = std::move(*address);
  auto data_dir = absolute_path_field(entry, at, "data_dir");
  if (!data_dir) return std::move(data_dir).error();
  node.data_dir = std::move(*data_dir);
  if (is_mix) {
    auto layer = integer_field(entry, at, "layer", 1, directory::kMixLayers);
    if (!layer) return std::move(layer).error();
    node.layer = static_cast<std::uint8_t>(*layer);
  }
  return node;
}

Result<std::vector<NetNode>> parse_nodes(const json& root, const char* key, std::size_t max_count,
                                         NetTransport transport) {
  auto list = member(root, "", key);
  if (!list) return std::move(list).error();
  if (!(*list)->is_array() || (*list)->empty() || (*list)->size() > max_count) {
    return field_error(key, "must be an array of 1.." + std::to_string(max_count) + " nodes");
  }
  std::vector<NetNode> nodes;
  for (std::size_t i = 0; i < (*list)->size(); ++i) {
    auto node = parse_node((**list)[i], std::string(key) + "[" + std::to_string(i) + "]",
                           std::string_view(key) == "mixes", transport);
    if (!node) return std::move(node).error();
    nodes.push_back(std::move(*node));
  }
  return nodes;
}

Status check_distinct(const NetFile& net) {
  std::set<std::string> names;
  std::set<directory::IdentityKey> identities;
  std::set<std::string> addresses;
  for (const auto* list : {&net.authorities, &net.providers, &net.mixes}) {
    for (const auto& node : *list) {
      if (!names.insert(node.name).second) return field_error("node name " + node.name, "appears twice");
      if (!identities.insert(node.identity).second) return field_error(node.name + ".identity", "appears twice");
      if (!addresses.insert(node.address).second) return field_error(node.name + ".address", "appears twice");
    }
  }
  for (std::uint8_t layer = 1; layer <= directory::kMixLayers; ++layer) {
    const bool present =
        std::any_of(net.mixes.begin(), net.mixes.end(), [layer](const NetNode& m) { return m.layer == layer; });
    if (!present) return field_error("mixes", "has no mix of layer " + std::to_string(layer));
  }
  return {};
}

struct TransportParts {
  NetTransport transport = NetTransport::tcp;
  std::filesystem::path tor_testnet_config;
};

Result<TransportParts> parse_transport(const json& root) {
  auto transport = string_field(root, "", "transport", 16);
  if (!transport) return std::move(transport).error();
  if (*transport == "tcp") return TransportParts{};
  if (*transport != "tor") return field_error("transport", "must be \"tcp\" or \"tor\"");
  auto config = absolute_path_field(root, "", "tor_testnet_config");
  if (!config) return std::move(config).error();
  return TransportParts{NetTransport::tor, std::move(*config)};
}

struct TrustParts {
  directory::TrustConfig trust;
  std::chrono::seconds grace{0};
};

Result<TrustParts> parse_trust(const json& root, const std::vector<NetNode>& authorities) {
  auto network_id = string_field(root, "", "network_id", directory::kMaxNetworkIdBytes);
  if (!network_id) return std::move(network_id).error();
  if (auto valid = directory::check_network_id(*network_id); !valid) {
    return field_error("network_id", valid.error().message);
  }
  auto genesis = integer_field(root, "", "genesis", 0, std::numeric_limits<std::uint32_t>::max());
  if (!genesis) return std::move(genesis).error();
  auto length =
      integer_field(root, "", "epoch_length_s", 1, static_cast<std::uint64_t>(directory::kMaxEpochLength.count()));
  if (!length) return std::move(length).error();
  auto grace = integer_field(root, "", "grace_s", 0, *length);
  if (!grace) return std::move(grace).error();
  auto schedule = directory::EpochSchedule::make(directory::UnixSeconds(std::chrono::seconds(*genesis)),
                                                 std::chrono::seconds(*length));
  if (!schedule) return field_error("genesis/epoch_length_s", schedule.error().message);
  auto threshold = integer_field(root, "", "threshold", 1, authorities.size());
  if (!threshold) return std::move(threshold).error();
  TrustParts parts{directory::TrustConfig{*network_id, {}, static_cast<std::size_t>(*threshold), *schedule},
                   std::chrono::seconds(*grace)};
  for (const auto& authority : authorities) parts.trust.authorities.push_back(authority.identity);
  if (auto usable = directory::check_trust_config(parts.trust); !usable) {
    return field_error("authorities/threshold", usable.error().message);
  }
  return parts;
}

Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, "cannot open " + path.string());
  std::string text;
  text.reserve(max_bytes + 1);
  std::array<char, 4096> chunk{};
  while (in && text.size() <= max_bytes) {
    in.read(chunk.data(), chunk.size());
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  sodium_memzero(chunk.data(), chunk.size());
  if (in.bad()) return make_error(Errc::io, "cannot read " + path.string());
  if (text.size() > max_bytes) {
    sodium_memzero(text.data(), text.size());
    return make_error(Errc::malformed, path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  return text;
}

void wipe_string(std::string& text) noexcept {
  text.resize(text.capacity());  // also the bytes past size() that once held the secret
  sodium_memzero(text.data(), text.size());
  text.clear();
}

}  // namespace

const NetNode* NetFile::find(const directory::IdentityKey& identity) const {
  for (const auto* list : {&authorities, &providers, &mixes}) {
    for (const auto& node : *list) {
      if (node.identity == identity) return &node;
    }
  }
  return nullptr;
}

const NetNode* NetFile::find_provider(std::string_view name) const {
  for (const auto& node : providers) {
    if (node.name == name) return &node;
  }
  return nullptr;
}

Result<NetFile> load_net_file(const std::filesystem::path& path) {
  auto text = read_small_file(path, kMaxNetFileBytes);
  if (!text) return std::move(text).error();
  const json root = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return make_error(Errc::malformed, "net file: " + path.string() + " is not valid JSON");
  if (!root.is_object()) return make_error(Errc::malformed, "net file: the top level must be an object");
  auto transport = parse_transport(root);
  if (!transport) return std::move(transport).error();
  auto authorities = parse_nodes(root, "authorities", directory::kMaxAuthorities, transport->transport);
  if (!authorities) return std::move(authorities).error();
  auto providers = parse_nodes(root, "providers", kMaxNodesPerRole, transport->transport);
  if (!providers) return std::move(providers).error();
  auto mixes = parse_nodes(root, "mixes", kMaxNodesPerRole * directory::kMixLayers, transport->transport);
  if (!mixes) return std::move(mixes).error();
  auto trust = parse_trust(root, *authorities);
  if (!trust) return std::move(trust).error();
  auto passphrase_file = absolute_path_field(root, "", "passphrase_file");
  if (!passphrase_file) return std::move(passphrase_file).error();
  NetFile net{trust->trust.network_id, transport->transport,  std::move(transport->tor_testnet_config),
              std::move(trust->trust), trust->grace,          std::move(*passphrase_file),
              std::move(*authorities), std::move(*providers), std::move(*mixes)};
  if (auto distinct = check_distinct(net); !distinct) return std::move(distinct).error();
  return net;
}

Result<Passphrase> Passphrase::read(const std::filesystem::path& path) {
  auto text = read_small_file(path, kMaxPassphraseBytes);
  if (!text) return std::move(text).error();
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  if (text->empty()) return make_error(Errc::malformed, "passphrase file " + path.string() + " is empty");
  return Passphrase(std::move(*text));
}

Passphrase::~Passphrase() {
  wipe_string(m_text);
}

Passphrase::Passphrase(Passphrase&& other) noexcept : m_text(std::move(other.m_text)) {
  wipe_string(other.m_text);
}

}  // namespace tenebra::mixnet_probe
