// The topology document of one epoch (docs/directory.md §4): network id,
// epoch and its start and length, Sphinx geometry, Poisson rates, the
// providers and the mixes of each layer (full self-signed descriptors), and
// the authorities' signatures over one canonical body.
//
// This header is the codec: encode_topology gives the only encoding of a
// document; decode_topology checks every bound and rejects non-canonical
// input (unsorted or duplicate entries, wrong roles or layers, trailing
// bytes). It checks no signature: topology_accept.hpp decides whether a
// document is trusted. Pure functions, safe from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/epoch.hpp"

namespace tenebra::router::directory {

// A rate in fixed point: events per second times 10^6, so 2.5/s is 2'500'000.
class Rate {
 public:
  constexpr Rate() = default;
  static constexpr Rate from_micro_hz(std::uint32_t micro_hz) noexcept {
    Rate rate;
    rate.m_micro_hz = micro_hz;
    return rate;
  }
  constexpr std::uint32_t micro_hz() const noexcept { return m_micro_hz; }
  double per_second() const noexcept { return static_cast<double>(m_micro_hz) / 1e6; }
  bool operator==(const Rate&) const = default;

 private:
  std::uint32_t m_micro_hz = 0;
};

// The Loopix rates of a network. A zero stream rate turns that stream off;
// `delay` (mu) must be positive: per-hop delays are Exp(mu), mean 1/mu.
struct Rates {
  Rate payload;   // lambda_P, per client
  Rate drop;      // lambda_D, per client
  Rate loop;      // lambda_L, per client
  Rate mix_loop;  // lambda_M, per mix
  Rate delay;     // mu
  bool operator==(const Rates&) const = default;
};

struct AuthoritySignature {
  IdentityKey signer{};
  Signature signature{};
  bool operator==(const AuthoritySignature&) const = default;
};

struct Topology {
  std::string network_id;
  Epoch epoch = 0;
  UnixSeconds epoch_start{};
  std::chrono::seconds epoch_length{0};
  mix::sphinx::Geometry geometry = mix::sphinx::Geometry::default_geometry();
  Rates rates;
  std::vector<Descriptor> providers;                       // sorted by identity
  std::array<std::vector<Descriptor>, kMixLayers> layers;  // layers[k - 1]: layer k, sorted by identity
  std::vector<AuthoritySignature> signatures;              // sorted by signer

  bool operator==(const Topology&) const = default;
};

// 1..kMaxNetworkIdBytes of [a-z0-9-].
[[nodiscard]] Status check_network_id(std::string_view network_id);
// The network id as a fixed 32-byte field (ASCII, zero-padded), for
// fixed-size uses such as the link handshake. Injective on valid ids.
std::array<std::uint8_t, kMaxNetworkIdBytes> network_id_bytes(std::string_view network_id);
// Every rule of §4 on the signed body (descriptors checked field by field,
// not their signatures).
[[nodiscard]] Status check_topology_body(const Topology& topology);
// At most kMaxAuthorities signatures, strictly increasing by signer.
[[nodiscard]] Status check_signature_order(const Topology& topology);

// The bytes the authorities sign, without the domain label.
Bytes topology_body(const Topology& topology);
// body || signatures. `topology` must pass both checks above.
Bytes encode_topology(const Topology& topology);
[[nodiscard]] Result<Topology> decode_topology(ByteView encoded);

// Adds `key`'s signature over the body, keeping the list sorted. Fails if the
// body breaks a rule or `key` has signed already.
[[nodiscard]] Status add_authority_signature(Topology& topology, const IdentityKeyPair& key);

}  // namespace tenebra::router::directory
