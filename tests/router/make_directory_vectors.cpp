// Generates tests/data/directory_vectors.json (known answers for
// docs/directory.md) and seed corpora for fuzz_descriptor and fuzz_topology,
// from fixed seeds.
//   make_directory_vectors VECTORS_JSON [CORPUS_DIR]
// Run by hand when the format changes (the vector test fails first), then
// review the diff.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "directory_vectors_fixtures.hpp"
#include "tenebra/core/sodium.hpp"
#include "tenebra/router/provider_select.hpp"

using namespace tenebra;
using namespace tenebra::router::directory;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::int64_t unix_of(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

Bytes with_domain(const DomainLabel& domain, const Bytes& body) {
  Bytes out(domain.begin(), domain.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

json descriptor_vector(const std::string& name, Role role, std::uint8_t layer, std::uint8_t tag, std::uint8_t index,
                       Epoch epoch, TransportKind kind, std::vector<Bytes>& seeds) {
  const Descriptor d = testing::make_node(role, layer, tag, index, epoch, kind);
  const Bytes encoded = encode_descriptor(d);
  seeds.push_back(encoded);
  return {{"name", name},
          {"identity_seed", to_hex(testing::seed_of(tag, index))},
          {"identity", to_hex(d.identity)},
          {"role", role_name(d.role)},
          {"layer", d.layer},
          {"transport", transport_name(d.transport)},
          {"address", d.address},
          {"link_x25519", to_hex(d.link_x25519)},
          {"epoch", d.epoch},
          {"sphinx_current", to_hex(d.sphinx_current)},
          {"sphinx_next", to_hex(d.sphinx_next)},
          {"signed_message", to_hex(with_domain(kDescriptorSignatureDomain, descriptor_body(d)))},
          {"signature", to_hex(d.signature)},
          {"encoded", to_hex(encoded)}};
}

json invalid_descriptors(std::vector<Bytes>& seeds) {
  const Bytes good = encode_descriptor(testing::make_node(Role::mix, 2, 0x40, 0, 9, TransportKind::tcp));
  json out = json::array();
  auto add = [&](const std::string& name, Bytes bytes) {
    auto decoded = decode_descriptor(bytes);
    if (decoded) std::abort();  // every invalid vector must be refused
    out.push_back({{"name", name}, {"encoded", to_hex(bytes)}, {"errc", errc_name(decoded.error().code)}});
    seeds.push_back(std::move(bytes));
  };
  Bytes b = good;
  b[0] = 0x02;
  add("unknown version", b);
  b = good;
  b[33] = 0x04;
  add("unknown role", b);
  b = good;
  b[34] = 0x00;
  add("mix without a layer", b);
  b = good;
  b[35] = 0x07;
  add("unknown transport", b);
  b = good;
  b[37] = '8';  // 827.0.0.1
  add("tcp host not loopback", b);
  b = good;
  b.push_back(0x00);
  add("trailing byte", b);
  b = good;
  b.pop_back();
  add("truncated signature", b);
  return out;
}

json topology_fields(const Topology& t) {
  json layers = json::array();
  for (const auto& layer : t.layers) {
    json list = json::array();
    for (const auto& d : layer) list.push_back(to_hex(encode_descriptor(d)));
    layers.push_back(list);
  }
  json providers = json::array();
  for (const auto& d : t.providers) providers.push_back(to_hex(encode_descriptor(d)));
  return {{"network_id", t.network_id},
          {"epoch", t.epoch},
          {"epoch_start", t.epoch_start.time_since_epoch().count()},
          {"epoch_length_s", t.epoch_length.count()},
          {"max_hops", t.geometry.max_hops()},
          {"payload_bytes", t.geometry.payload_bytes()},
          {"rates_micro_hz",
           {{"payload", t.rates.payload.micro_hz()},
            {"drop", t.rates.drop.micro_hz()},
            {"loop", t.rates.loop.micro_hz()},
            {"mix_loop", t.rates.mix_loop.micro_hz()},
            {"delay", t.rates.delay.micro_hz()}}},
          {"providers", providers},
          {"layers", layers}};
}

json trust_json(const TrustConfig& trust) {
  json keys = json::array();
  for (const auto& k : trust.authorities) keys.push_back(to_hex(k));
  return {{"network_id", trust.network_id},
          {"authorities", keys},
          {"threshold", trust.threshold},
          {"genesis", trust.schedule.genesis().time_since_epoch().count()},
          {"epoch_length_s", trust.schedule.length().count()}};
}

json topology_vector(const std::string& name, Topology t, std::size_t signers, std::vector<Bytes>& seeds) {
  const auto keys = testing::authorities(3);
  testing::sign_by(t, keys, signers);
  const Bytes encoded = encode_topology(t);
  seeds.push_back(encoded);
  json seeds_json = json::array();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    seeds_json.push_back(to_hex(testing::seed_of(0xA0, static_cast<std::uint8_t>(i))));
  }
  json v = topology_fields(t);
  v["name"] = name;
  v["authority_seeds"] = seeds_json;
  v["signer_count"] = signers;
  v["trust"] = trust_json(testing::trust_for(keys, 2));
  v["now"] = unix_of(testing::time_in(t.epoch, 30s));
  v["signed_message"] = to_hex(with_domain(kTopologySignatureDomain, topology_body(t)));
  v["encoded"] = to_hex(encoded);
  return v;
}

json refusal_vectors(std::vector<Bytes>& seeds) {
  const auto keys = testing::authorities(4);
  const TrustConfig trust = testing::trust_for(std::span(keys).first(3), 2);
  const auto now = testing::time_in(8, 5s);
  json out = json::array();
  auto add = [&](const std::string& name, const Topology& t, const TrustConfig& tc,
                 std::chrono::system_clock::time_point at, Refusal expected, Bytes encoded = {}) {
    if (encoded.empty()) encoded = encode_topology(t);
    ManualClock clock;
    clock.set_wall(at);
    const auto verdict = accept_topology(encoded, tc, clock);
    if (verdict.ok() || verdict.refusal() != expected) std::abort();
    out.push_back({{"name", name},
                   {"encoded", to_hex(encoded)},
                   {"trust", trust_json(tc)},
                   {"now", unix_of(at)},
                   {"refusal", refusal_name(expected)}});
    seeds.push_back(std::move(encoded));
  };
  auto signed_doc = [&](std::size_t n, Epoch epoch = 8) {
    Topology t = testing::make_topology(epoch, 1);
    testing::sign_by(t, keys, n);
    return t;
  };
  Topology t = signed_doc(2);
  t.signatures[0].signature[0] ^= 0x01;
  add("forged signature", t, trust, now, Refusal::forged_signature);
  t = signed_doc(2);
  t.signatures.insert(t.signatures.begin(), t.signatures[0]);
  add("duplicate signer", t, trust, now, Refusal::duplicate_signer);
  t = signed_doc(2);
  if (!add_authority_signature(t, keys[3])) std::abort();
  add("unknown signer", t, trust, now, Refusal::unknown_signer);
  add("too few signatures", signed_doc(1), trust, now, Refusal::too_few_signatures);
  TrustConfig other = trust;
  other.network_id = "tenebra-mainnet";
  add("wrong network", signed_doc(2), other, now, Refusal::wrong_network);
  add("stale epoch", signed_doc(2, 7), trust, now, Refusal::stale_epoch);
  add("future epoch", signed_doc(2, 10), trust, now, Refusal::future_epoch);
  other = trust;
  other.schedule = EpochSchedule::make(trust.schedule.genesis() + 1s, trust.schedule.length()).value();
  add("wrong schedule", signed_doc(2), other, now, Refusal::wrong_schedule);
  t = testing::make_topology(8, 1);
  t.providers[0].link_x25519[0] ^= 0x01;
  testing::sign_by(t, keys, 2);
  add("bad descriptor signature", t, trust, now, Refusal::bad_descriptor_signature);
  Bytes trailing = encode_topology(signed_doc(2));
  trailing.push_back(0x00);
  add("trailing byte", signed_doc(2), trust, now, Refusal::malformed, trailing);
  return out;
}

json epoch_vectors() {
  json out = json::array();
  const UnixSeconds genesis{std::chrono::seconds(testing::kGenesisUnix)};
  struct Case {
    std::chrono::seconds length, grace, offset;
  };
  const Case cases[] = {{3600s, 600s, 0s},    {3600s, 600s, 599s},
                        {3600s, 600s, 600s},  {3600s, 600s, 3600s},
                        {3600s, 600s, 4199s}, {3600s, 600s, 4200s},
                        {60s, 10s, 125s},     {60s, 10s, 130s},
                        {60s, 0s, 120s},      {3600s, 600s, 86'400s * 59 + 45'296s}};
  for (const auto& c : cases) {
    const auto schedule = EpochSchedule::make(genesis, c.length).value();
    const auto when = genesis + c.offset;
    const auto window = schedule.key_window(when, c.grace).value();
    out.push_back({{"genesis", testing::kGenesisUnix},
                   {"epoch_length_s", c.length.count()},
                   {"grace_s", c.grace.count()},
                   {"time", unix_of(when)},
                   {"epoch", window.current},
                   {"epoch_start", schedule.start_of(window.current).value().time_since_epoch().count()},
                   {"previous_key_epoch", window.previous ? json(*window.previous) : json(nullptr)}});
  }
  return out;
}

json selection_vectors() {
  json out = json::array();
  DeterministicRandom rng(2026);
  for (std::uint8_t count : {1, 3, 5}) {
    std::vector<Descriptor> providers;
    for (std::uint8_t i = 0; i < count; ++i) providers.push_back(testing::make_node(Role::provider, 0, 0x10, i, 1));
    for (int round = 0; round < 2; ++round) {
      MailboxId id{};
      rng.fill(id);
      json identities = json::array();
      json scores = json::array();
      for (const auto& p : providers) {
        identities.push_back(to_hex(p.identity));
        scores.push_back(to_hex(provider_score(id, p.identity)));
      }
      out.push_back({{"mailbox_id", to_hex(id)},
                     {"providers", identities},
                     {"scores", scores},
                     {"selected", select_provider_index(providers, id).value()}});
    }
  }
  return out;
}

void write_seeds(const std::filesystem::path& dir, const std::string& prefix, const std::vector<Bytes>& seeds) {
  std::filesystem::create_directories(dir);
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    std::ofstream out(dir / (prefix + std::to_string(i)), std::ios::binary);
    out.write(reinterpret_cast<const char*>(seeds[i].data()), static_cast<std::streamsize>(seeds[i].size()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !init_sodium()) {
    std::fprintf(stderr, "usage: make_directory_vectors VECTORS_JSON [CORPUS_DIR]\n");
    return 2;
  }
  std::vector<Bytes> descriptor_seeds;
  std::vector<Bytes> topology_seeds;
  json doc;
  doc["about"] =
      "Known-answer vectors for docs/directory.md. Hex strings; integers are decimal; times are Unix seconds.";
  doc["labels"] = {{"descriptor_signature_domain", to_hex(kDescriptorSignatureDomain)},
                   {"topology_signature_domain", to_hex(kTopologySignatureDomain)},
                   {"provider_select_personal", to_hex(as_bytes({kLabelProviderSelect.data(), 16}))}};
  doc["descriptors"] = {
      descriptor_vector("mix layer 1 over onion", Role::mix, 1, 0x20, 0, 42, TransportKind::onion, descriptor_seeds),
      descriptor_vector("mix layer 3 over i2p", Role::mix, 3, 0x60, 1, 42, TransportKind::i2p, descriptor_seeds),
      descriptor_vector("provider over tcp", Role::provider, 0, 0x10, 2, 0, TransportKind::tcp, descriptor_seeds),
      descriptor_vector("authority over onion", Role::authority, 0, 0xA0, 0, 42, TransportKind::onion,
                        descriptor_seeds)};
  doc["invalid_descriptors"] = invalid_descriptors(descriptor_seeds);
  doc["topologies"] = {
      topology_vector("one node per list, 2 of 3 signatures", testing::make_topology(3, 1), 2, topology_seeds),
      topology_vector("two nodes per list over i2p, 3 of 3 signatures",
                      testing::make_topology(4, 2, TransportKind::i2p), 3, topology_seeds)};
  doc["refusals"] = refusal_vectors(topology_seeds);
  doc["epochs"] = epoch_vectors();
  doc["provider_selection"] = selection_vectors();
  std::ofstream(argv[1]) << doc.dump(1) << "\n";
  if (argc > 2) {
    write_seeds(std::filesystem::path(argv[2]) / "fuzz_descriptor", "seed_", descriptor_seeds);
    write_seeds(std::filesystem::path(argv[2]) / "fuzz_topology", "seed_", topology_seeds);
  }
  return 0;
}
