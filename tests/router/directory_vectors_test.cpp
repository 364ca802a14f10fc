// Checks the directory code against tests/data/directory_vectors.json: every
// byte of every encoding and signature, every refusal reason, the epoch
// arithmetic and provider selection.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tenebra/router/provider_select.hpp"
#include "tenebra/router/topology_accept.hpp"

namespace tenebra::router::directory {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const json& vectors() {
  static const json doc = [] {
    std::ifstream in(std::string(TENEBRA_TEST_DATA_DIR) + "/directory_vectors.json");
    return json::parse(in);
  }();
  return doc;
}

Bytes hex(const json& j) {
  return from_hex(j.get<std::string>()).value();
}

template <std::size_t N>
std::array<std::uint8_t, N> hex_array(const json& j) {
  return array_from_hex<N>(j.get<std::string>()).value();
}

UnixSeconds unix_time(const json& j) {
  return UnixSeconds(seconds(j.get<std::int64_t>()));
}

Role role_from(const std::string& name) {
  if (name == "mix") return Role::mix;
  if (name == "provider") return Role::provider;
  return Role::authority;
}

TransportKind transport_from(const std::string& name) {
  if (name == "onion") return TransportKind::onion;
  if (name == "i2p") return TransportKind::i2p;
  return TransportKind::tcp;
}

TrustConfig trust_from(const json& j) {
  TrustConfig trust{j["network_id"],
                    {},
                    j["threshold"],
                    EpochSchedule::make(unix_time(j["genesis"]), seconds(j["epoch_length_s"])).value()};
  for (const auto& key : j["authorities"]) trust.authorities.push_back(hex_array<kIdentityKeyBytes>(key));
  return trust;
}

ManualClock clock_at(const json& unix_seconds) {
  ManualClock clock;
  clock.set_wall(unix_time(unix_seconds));
  return clock;
}

TEST(DirectoryVectors, Labels) {
  const auto& labels = vectors()["labels"];
  EXPECT_EQ(to_hex(kDescriptorSignatureDomain), labels["descriptor_signature_domain"].get<std::string>());
  EXPECT_EQ(to_hex(kTopologySignatureDomain), labels["topology_signature_domain"].get<std::string>());
  EXPECT_EQ(to_hex(as_bytes({kLabelProviderSelect.data(), kLabelProviderSelect.size()})),
            labels["provider_select_personal"].get<std::string>());
}

TEST(DirectoryVectors, Descriptors) {
  ASSERT_GE(vectors()["descriptors"].size(), 4u);
  for (const auto& v : vectors()["descriptors"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    const auto key = IdentityKeyPair::from_seed(hex_array<kIdentitySeedBytes>(v["identity_seed"]));
    EXPECT_EQ(to_hex(key.public_key), v["identity"].get<std::string>());
    Descriptor d;
    d.role = role_from(v["role"]);
    d.layer = v["layer"];
    d.transport = transport_from(v["transport"]);
    d.address = v["address"];
    d.link_x25519 = hex_array<kLinkKeyBytes>(v["link_x25519"]);
    d.epoch = v["epoch"];
    d.sphinx_current = hex_array<kSphinxKeyBytes>(v["sphinx_current"]);
    d.sphinx_next = hex_array<kSphinxKeyBytes>(v["sphinx_next"]);
    const Descriptor signed_d = sign_descriptor(d, key).value();
    EXPECT_EQ(to_hex(signed_d.signature), v["signature"].get<std::string>());
    Bytes message(kDescriptorSignatureDomain.begin(), kDescriptorSignatureDomain.end());
    const Bytes body = descriptor_body(signed_d);
    message.insert(message.end(), body.begin(), body.end());
    EXPECT_EQ(to_hex(message), v["signed_message"].get<std::string>());
    EXPECT_EQ(to_hex(encode_descriptor(signed_d)), v["encoded"].get<std::string>());
    auto decoded = decode_descriptor(hex(v["encoded"]));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, signed_d);
    EXPECT_TRUE(verify_descriptor(*decoded).ok());
  }
}

TEST(DirectoryVectors, InvalidDescriptors) {
  ASSERT_FALSE(vectors()["invalid_descriptors"].empty());
  for (const auto& v : vectors()["invalid_descriptors"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    auto decoded = decode_descriptor(hex(v["encoded"]));
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(errc_name(decoded.error().code), v["errc"].get<std::string>());
  }
}

Topology topology_from(const json& v) {
  Topology t;
  t.network_id = v["network_id"];
  t.epoch = v["epoch"];
  t.epoch_start = unix_time(v["epoch_start"]);
  t.epoch_length = seconds(v["epoch_length_s"]);
  t.geometry = mix::sphinx::Geometry::make(v["max_hops"], v["payload_bytes"]).value();
  const auto& r = v["rates_micro_hz"];
  t.rates = Rates{Rate::from_micro_hz(r["payload"]), Rate::from_micro_hz(r["drop"]), Rate::from_micro_hz(r["loop"]),
                  Rate::from_micro_hz(r["mix_loop"]), Rate::from_micro_hz(r["delay"])};
  for (const auto& d : v["providers"]) t.providers.push_back(decode_descriptor(hex(d)).value());
  for (std::size_t k = 0; k < kMixLayers; ++k) {
    for (const auto& d : v["layers"][k]) t.layers[k].push_back(decode_descriptor(hex(d)).value());
  }
  return t;
}

TEST(DirectoryVectors, Topologies) {
  ASSERT_GE(vectors()["topologies"].size(), 2u);
  for (const auto& v : vectors()["topologies"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    Topology t = topology_from(v);
    Bytes message(kTopologySignatureDomain.begin(), kTopologySignatureDomain.end());
    const Bytes body = topology_body(t);
    message.insert(message.end(), body.begin(), body.end());
    EXPECT_EQ(to_hex(message), v["signed_message"].get<std::string>());
    const std::size_t signers = v["signer_count"];
    for (std::size_t i = 0; i < signers; ++i) {
      const auto key = IdentityKeyPair::from_seed(hex_array<kIdentitySeedBytes>(v["authority_seeds"][i]));
      ASSERT_TRUE(add_authority_signature(t, key).ok());
    }
    const Bytes encoded = hex(v["encoded"]);
    EXPECT_EQ(to_hex(encode_topology(t)), v["encoded"].get<std::string>());
    auto decoded = decode_topology(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, t);
    const ManualClock clock = clock_at(v["now"]);
    const auto verdict = accept_topology(encoded, trust_from(v["trust"]), clock);
    ASSERT_TRUE(verdict.ok()) << verdict.error().message;
  }
}

TEST(DirectoryVectors, Refusals) {
  ASSERT_GE(vectors()["refusals"].size(), 10u);
  for (const auto& v : vectors()["refusals"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    const ManualClock clock = clock_at(v["now"]);
    const auto verdict = accept_topology(hex(v["encoded"]), trust_from(v["trust"]), clock);
    ASSERT_FALSE(verdict.ok());
    EXPECT_EQ(refusal_name(verdict.refusal()), v["refusal"].get<std::string>());
  }
}

TEST(DirectoryVectors, Epochs) {
  ASSERT_FALSE(vectors()["epochs"].empty());
  for (const auto& v : vectors()["epochs"]) {
    const auto schedule = EpochSchedule::make(unix_time(v["genesis"]), seconds(v["epoch_length_s"])).value();
    const ManualClock clock = clock_at(v["time"]);
    const auto window = schedule.key_window(clock, seconds(v["grace_s"])).value();
    EXPECT_EQ(window.current, v["epoch"].get<Epoch>());
    EXPECT_EQ(schedule.start_of(window.current).value(), unix_time(v["epoch_start"]));
    if (v["previous_key_epoch"].is_null()) {
      EXPECT_FALSE(window.previous.has_value());
    } else {
      EXPECT_EQ(window.previous, v["previous_key_epoch"].get<Epoch>());
    }
  }
}

TEST(DirectoryVectors, ProviderSelection) {
  ASSERT_FALSE(vectors()["provider_selection"].empty());
  for (const auto& v : vectors()["provider_selection"]) {
    const auto mailbox = hex_array<kMailboxIdBytes>(v["mailbox_id"]);
    std::vector<Descriptor> providers;
    for (std::size_t i = 0; i < v["providers"].size(); ++i) {
      Descriptor d;
      d.identity = hex_array<kIdentityKeyBytes>(v["providers"][i]);
      EXPECT_EQ(to_hex(provider_score(mailbox, d.identity)), v["scores"][i].get<std::string>());
      providers.push_back(d);
    }
    EXPECT_EQ(select_provider_index(providers, mailbox).value(), v["selected"].get<std::size_t>());
  }
}

}  // namespace
}  // namespace tenebra::router::directory
