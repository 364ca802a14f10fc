// Deterministic directory fixtures shared by the directory tests and the
// vector generator: identities from fixed seeds, real-looking tunnel
// addresses, descriptors and a small signed topology.
#pragma once

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "tenebra/mix/node_key.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/topology.hpp"
#include "tenebra/router/topology_accept.hpp"

namespace tenebra::router::directory::testing {

// v3 onion addresses with valid checksums and canonical .b32.i2p names.
inline constexpr const char* kOnionHosts[] = {
    "n4ou6gnbnjeads32klqhean7b6gaklngxl2qmndtagro747ccbhcryad.onion",
    "exdrhvwnsazwhk3lnmztdaby3axkcke2c2d7qknfhuf556rr3im6gkyd.onion",
    "3tvjgzps7gjzihm7vvqvrpqbiq4j5ufzfsbl2bmxdhi45v3ubvogprid.onion",
    "iizvc6dwxyskxklyrcjvmihmec4qqfieqjeo2eatic6vtlsrldl7q7ad.onion",
};
inline constexpr const char* kI2pHosts[] = {
    "fogkuenkh6lhobniuncyel2agwzinzkg5yqeuowjuvxojki2foxa.b32.i2p",
    "tjqscr3o6tz3ktz576rxnplxcsilsxpdfwef53quqs7hyadnnx5a.b32.i2p",
};

inline constexpr std::int64_t kGenesisUnix = 1'767'225'600;  // 2026-01-01T00:00:00Z
inline constexpr std::chrono::seconds kTestEpochLength{60};
inline constexpr char kTestNetwork[] = "tenebra-testnet";

inline std::array<std::uint8_t, 32> seed_of(std::uint8_t tag, std::uint8_t index) {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(tag + index * 7 + i);
  return seed;
}

inline IdentityKeyPair identity(std::uint8_t tag, std::uint8_t index) {
  const auto seed = seed_of(tag, index);
  return IdentityKeyPair::from_seed(seed);
}

inline SphinxKey sphinx_public(std::uint8_t tag, std::uint8_t index, Epoch epoch) {
  auto seed = seed_of(static_cast<std::uint8_t>(tag ^ 0x55), index);
  // Byte 0 loses its low bits to X25519 clamping: vary bytes 1 and 2.
  seed[1] ^= static_cast<std::uint8_t>(epoch);
  seed[2] ^= static_cast<std::uint8_t>(epoch >> 8);
  return mix::sphinx::NodeKeyPair::from_secret(seed).value().public_key;
}

inline std::string address_for(TransportKind kind, std::size_t index) {
  const std::string port = std::to_string(9000 + index);
  switch (kind) {
    case TransportKind::onion:
      return std::string(kOnionHosts[index % 4]) + ":" + port;
    case TransportKind::i2p:
      return std::string(kI2pHosts[index % 2]) + ":" + port;
    case TransportKind::tcp:
      break;
  }
  return "127.0.0.1:" + port;
}

// A signed descriptor; `tag` picks the identity family, `index` the member.
inline Descriptor make_node(Role role, std::uint8_t layer, std::uint8_t tag, std::uint8_t index, Epoch epoch,
                            TransportKind kind = TransportKind::onion) {
  const auto key = identity(tag, index);
  Descriptor d;
  d.role = role;
  d.layer = layer;
  d.transport = kind;
  d.address = address_for(kind, index);
  d.link_x25519 = sphinx_public(static_cast<std::uint8_t>(tag + 1), index, 0);
  d.epoch = epoch;
  if (role != Role::authority) {
    d.sphinx_current = sphinx_public(tag, index, epoch);
    d.sphinx_next = sphinx_public(tag, index, epoch + 1);
  }
  return sign_descriptor(d, key).value();
}

inline void sort_by_identity(std::vector<Descriptor>& list) {
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.identity < b.identity; });
}

inline EpochSchedule test_schedule() {
  return EpochSchedule::make(UnixSeconds(std::chrono::seconds(kGenesisUnix)), kTestEpochLength).value();
}

// An unsigned document for `epoch` with `per_list` nodes in every list.
inline Topology make_topology(Epoch epoch, std::uint8_t per_list = 2, TransportKind kind = TransportKind::onion) {
  Topology t;
  t.network_id = kTestNetwork;
  t.epoch = epoch;
  t.epoch_start = test_schedule().start_of(epoch).value();
  t.epoch_length = kTestEpochLength;
  t.geometry = mix::sphinx::Geometry::make(5, 2048).value();
  t.rates = Rates{Rate::from_micro_hz(2'000'000), Rate::from_micro_hz(1'000'000), Rate::from_micro_hz(500'000),
                  Rate::from_micro_hz(500'000), Rate::from_micro_hz(1'000'000)};
  for (std::uint8_t i = 0; i < per_list; ++i) t.providers.push_back(make_node(Role::provider, 0, 0x10, i, epoch, kind));
  sort_by_identity(t.providers);
  for (std::uint8_t k = 1; k <= kMixLayers; ++k) {
    auto& layer = t.layers[k - 1];
    for (std::uint8_t i = 0; i < per_list; ++i) {
      layer.push_back(make_node(Role::mix, k, static_cast<std::uint8_t>(0x20 * k), i, epoch, kind));
    }
    sort_by_identity(layer);
  }
  return t;
}

inline std::vector<IdentityKeyPair> authorities(std::size_t n) {
  std::vector<IdentityKeyPair> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(identity(0xA0, static_cast<std::uint8_t>(i)));
  return out;
}

inline TrustConfig trust_for(std::span<const IdentityKeyPair> keys, std::size_t threshold) {
  TrustConfig trust{kTestNetwork, {}, threshold, test_schedule()};
  for (const auto& k : keys) trust.authorities.push_back(k.public_key);
  return trust;
}

inline void sign_by(Topology& t, const std::vector<IdentityKeyPair>& keys, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if (!add_authority_signature(t, keys[i])) std::abort();
  }
}

// A wall time inside `epoch` of the test schedule, `offset` after its start.
inline std::chrono::system_clock::time_point time_in(Epoch epoch, std::chrono::seconds offset = {}) {
  return test_schedule().start_of(epoch).value() + offset;
}

}  // namespace tenebra::router::directory::testing
