#include "tenebra/router/topology.hpp"

#include <algorithm>
#include <limits>

#include "descriptor_signing.hpp"
#include "topology_codec.hpp"

namespace tenebra::router::directory {
namespace {

constexpr std::int64_t kLastUnixSecond = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;

bool less(const IdentityKey& a, const IdentityKey& b) {
  return a < b;
}

Status check_list(std::span<const Descriptor> list, Role role, std::uint8_t layer, Epoch epoch, std::size_t cap,
                  const std::string& what) {
  if (list.empty() || list.size() > cap) {
    return make_error(Errc::malformed, what + " must have 1.." + std::to_string(cap) + " entries");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Descriptor& d = list[i];
    if (auto fields = check_descriptor_fields(d); !fields) {
      return make_error(fields.error().code, what + " entry " + std::to_string(i) + ": " + fields.error().message);
    }
    if (d.role != role || d.layer != layer) return make_error(Errc::malformed, what + " holds a node of another role");
    if (d.epoch != epoch) return make_error(Errc::malformed, what + " holds a descriptor of another epoch");
    if (i > 0 && !less(list[i - 1].identity, d.identity)) {
      return make_error(Errc::malformed, what + " is not sorted by identity or has a duplicate");
    }
  }
  return {};
}

Status check_rates_and_timing(const Topology& t) {
  if (t.epoch_length < std::chrono::seconds(1) || t.epoch_length > kMaxEpochLength) {
    return make_error(Errc::malformed, "epoch length is out of range");
  }
  const auto start = t.epoch_start.time_since_epoch().count();
  if (start < 0 || start > kLastUnixSecond) return make_error(Errc::malformed, "epoch start is out of range");
  if (t.geometry.max_hops() < kPathHops) {
    return make_error(Errc::malformed, "Sphinx geometry allows fewer hops than a full path needs");
  }
  if (t.rates.delay.micro_hz() == 0) return make_error(Errc::malformed, "per-hop delay rate mu must be positive");
  return {};
}

void put_list(ByteWriter& w, std::span<const Descriptor> list) {
  w.u16_be(static_cast<std::uint16_t>(list.size()));
  for (const auto& d : list) {
    const Bytes encoded = encode_descriptor(d);
    w.u16_be(static_cast<std::uint16_t>(encoded.size()));
    w.bytes(encoded);
  }
}

Result<std::vector<Descriptor>> take_list(ByteReader& r, std::size_t cap) {
  auto count = r.u16_be();
  if (!count) return make_error(Errc::malformed, "topology is truncated");
  if (*count > cap) return make_error(Errc::malformed, "topology list is over its cap");
  std::vector<Descriptor> list;
  list.reserve(*count);
  for (std::size_t i = 0; i < *count; ++i) {
    auto length = r.u16_be();
    if (!length) return make_error(Errc::malformed, "topology is truncated");
    if (*length > kMaxDescriptorBytes) return make_error(Errc::malformed, "topology entry is over the size cap");
    auto bytes = r.take(*length);
    if (!bytes) return make_error(Errc::malformed, "topology is truncated");
    auto descriptor = decode_descriptor(*bytes);
    if (!descriptor) return std::move(descriptor).error();
    list.push_back(std::move(*descriptor));
  }
  return list;
}

Result<mix::sphinx::Geometry> take_geometry(ByteReader& r) {
  auto max_hops = r.u8();
  auto payload = r.u32_be();
  if (!max_hops || !payload) return make_error(Errc::malformed, "topology is truncated");
  auto geometry = mix::sphinx::Geometry::make(*max_hops, *payload);
  if (!geometry) return make_error(Errc::malformed, geometry.error().message);
  return geometry;
}

Result<Rates> take_rates(ByteReader& r) {
  std::array<Rate, 5> values{};
  for (auto& value : values) {
    auto raw = r.u32_be();
    if (!raw) return make_error(Errc::malformed, "topology is truncated");
    value = Rate::from_micro_hz(*raw);
  }
  return Rates{values[0], values[1], values[2], values[3], values[4]};
}

Status take_header(ByteReader& r, Topology& t) {
  auto version = r.u8();
  if (!version) return make_error(Errc::malformed, "topology is empty");
  if (*version != kTopologyVersion) return make_error(Errc::unsupported, "unknown topology version");
  auto id_len = r.u8();
  if (!id_len) return make_error(Errc::malformed, "topology is truncated");
  auto id = r.take(*id_len);
  auto epoch = r.u64_be();
  auto start = r.u64_be();
  auto length = r.u32_be();
  if (!id || !epoch || !start || !length) return make_error(Errc::malformed, "topology is truncated");
  if (*start > static_cast<std::uint64_t>(kLastUnixSecond)) {
    return make_error(Errc::malformed, "epoch start is out of range");
  }
  t.network_id.assign(id->begin(), id->end());
  t.epoch = *epoch;
  t.epoch_start = UnixSeconds(std::chrono::seconds(static_cast<std::int64_t>(*start)));
  t.epoch_length = std::chrono::seconds(*length);
  return {};
}

Result<std::vector<AuthoritySignature>> take_signatures(ByteReader& r) {
  auto count = r.u8();
  if (!count) return make_error(Errc::malformed, "topology has no signature section");
  if (*count > kMaxAuthorities) return make_error(Errc::malformed, "topology has too many signatures");
  std::vector<AuthoritySignature> out(*count);
  for (auto& entry : out) {
    auto signer = r.take(kIdentityKeyBytes);
    auto signature = r.take(kSignatureBytes);
    if (!signer || !signature) return make_error(Errc::malformed, "topology signature section is truncated");
    std::copy(signer->begin(), signer->end(), entry.signer.begin());
    std::copy(signature->begin(), signature->end(), entry.signature.begin());
  }
  return out;
}

}  // namespace

Status check_network_id(std::string_view network_id) {
  const bool ok_chars = std::all_of(network_id.begin(), network_id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (network_id.empty() || network_id.size() > kMaxNetworkIdBytes || !ok_chars) {
    return make_error(Errc::malformed, "network id must be 1.." + std::to_string(kMaxNetworkIdBytes) + " of [a-z0-9-]");
  }
  return {};
}

std::array<std::uint8_t, kMaxNetworkIdBytes> network_id_bytes(std::string_view network_id) {
  std::array<std::uint8_t, kMaxNetworkIdBytes> out{};
  std::copy_n(network_id.begin(), std::min(network_id.size(), out.size()), out.begin());
  return out;
}

Status check_topology_body(const Topology& t) {
  if (auto id = check_network_id(t.network_id); !id) return id;
  if (auto timing = check_rates_and_timing(t); !timing) return timing;
  if (auto p = check_list(t.providers, Role::provider, 0, t.epoch, kMaxProviders, "provider list"); !p) return p;
  std::vector<IdentityKey> all;
  for (const auto& d : t.providers) all.push_back(d.identity);
  for (std::uint8_t k = 1; k <= kMixLayers; ++k) {
    const auto& layer = t.layers[k - 1];
    const std::string what = "mix layer " + std::to_string(k);
    if (auto m = check_list(layer, Role::mix, k, t.epoch, kMaxMixesPerLayer, what); !m) return m;
    for (const auto& d : layer) all.push_back(d.identity);
  }
  std::sort(all.begin(), all.end());
  if (std::adjacent_find(all.begin(), all.end()) != all.end()) {
    return make_error(Errc::malformed, "a node appears in more than one list");
  }
  return {};
}

Status check_signature_order(const Topology& t) {
  if (t.signatures.size() > kMaxAuthorities) return make_error(Errc::malformed, "topology has too many signatures");
  for (std::size_t i = 1; i < t.signatures.size(); ++i) {
    if (t.signatures[i - 1].signer == t.signatures[i].signer) {
      return make_error(Errc::malformed, "topology has two signatures by one authority");
    }
    if (!less(t.signatures[i - 1].signer, t.signatures[i].signer)) {
      return make_error(Errc::malformed, "topology signatures are not sorted by signer");
    }
  }
  return {};
}

Bytes topology_body(const Topology& t) {
  Bytes out;
  ByteWriter w(out);
  w.u8(kTopologyVersion);
  w.u8(static_cast<std::uint8_t>(t.network_id.size()));
  w.bytes(as_bytes(t.network_id));
  w.u64_be(t.epoch);
  w.u64_be(static_cast<std::uint64_t>(t.epoch_start.time_since_epoch().count()));
  w.u32_be(static_cast<std::uint32_t>(t.epoch_length.count()));
  w.u8(static_cast<std::uint8_t>(t.geometry.max_hops()));
  w.u32_be(static_cast<std::uint32_t>(t.geometry.payload_bytes()));
  for (const Rate rate : {t.rates.payload, t.rates.drop, t.rates.loop, t.rates.mix_loop, t.rates.delay}) {
    w.u32_be(rate.micro_hz());
  }
  put_list(w, t.providers);
  for (const auto& layer : t.layers) put_list(w, layer);
  return out;
}

Bytes encode_topology(const Topology& t) {
  Bytes out = topology_body(t);
  ByteWriter w(out);
  w.u8(static_cast<std::uint8_t>(t.signatures.size()));
  for (const auto& entry : t.signatures) {
    w.bytes(entry.signer);
    w.bytes(entry.signature);
  }
  return out;
}

Result<Topology> decode_topology(ByteView encoded) {
  auto topology = detail::decode_topology_any_order(encoded);
  if (!topology) return topology;
  if (auto order = check_signature_order(*topology); !order) return std::move(order).error();
  return topology;
}

Status add_authority_signature(Topology& t, const IdentityKeyPair& key) {
  if (auto body = check_topology_body(t); !body) return body;
  if (auto order = check_signature_order(t); !order) return order;
  const auto pos =
      std::lower_bound(t.signatures.begin(), t.signatures.end(), key.public_key,
                       [](const AuthoritySignature& s, const IdentityKey& k) { return less(s.signer, k); });
  if (pos != t.signatures.end() && pos->signer == key.public_key) {
    return make_error(Errc::invalid_argument, "this authority has signed the document already");
  }
  if (t.signatures.size() >= kMaxAuthorities) return make_error(Errc::exhausted, "topology has too many signatures");
  const Signature signature = detail::sign_with_domain(kTopologySignatureDomain, topology_body(t), key);
  t.signatures.insert(pos, AuthoritySignature{key.public_key, signature});
  return {};
}

namespace detail {

Result<Topology> decode_topology_any_order(ByteView encoded) {
  ByteReader r(encoded);
  Topology t;
  if (auto header = take_header(r, t); !header) return std::move(header).error();
  auto geometry = take_geometry(r);
  if (!geometry) return std::move(geometry).error();
  t.geometry = *geometry;
  auto rates = take_rates(r);
  if (!rates) return std::move(rates).error();
  t.rates = *rates;
  auto providers = take_list(r, kMaxProviders);
  if (!providers) return std::move(providers).error();
  t.providers = std::move(*providers);
  for (auto& layer : t.layers) {
    auto mixes = take_list(r, kMaxMixesPerLayer);
    if (!mixes) return std::move(mixes).error();
    layer = std::move(*mixes);
  }
  if (auto body = check_topology_body(t); !body) return std::move(body).error();
  auto signatures = take_signatures(r);
  if (!signatures) return std::move(signatures).error();
  t.signatures = std::move(*signatures);
  if (!r.at_end()) return make_error(Errc::malformed, "topology has trailing bytes");
  return t;
}

}  // namespace detail
}  // namespace tenebra::router::directory
