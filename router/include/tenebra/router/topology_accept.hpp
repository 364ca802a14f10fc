// Whether to trust a topology document (docs/directory.md §5): it must be
// for our network and schedule, not older than the current epoch nor more
// than one epoch ahead, carry valid signatures from at least t distinct
// configured authorities (and no signature that is forged, duplicated or by
// an unknown key), and every descriptor in it must verify under its own
// identity. Every refusal has its own reason.
// Pure functions (time comes from an injected Clock), safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "tenebra/core/clock.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/router/epoch.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::router::directory {

// What the caller trusts: n authority keys and a threshold t (1 <= t <= n).
struct TrustConfig {
  std::string network_id;
  std::vector<IdentityKey> authorities;
  std::size_t threshold = 0;
  EpochSchedule schedule;
};

[[nodiscard]] Status check_trust_config(const TrustConfig& trust);

enum class Refusal : std::uint8_t {
  malformed,                 // the bytes are not a canonical document
  bad_trust_config,          // the caller's own config is unusable
  clock_before_genesis,      // our clock is before the network's genesis
  wrong_network,             // network id differs from ours
  wrong_schedule,            // epoch start or length disagrees with our schedule
  stale_epoch,               // older than our current epoch
  future_epoch,              // more than one epoch ahead of ours
  duplicate_signer,          // one authority signed twice
  unknown_signer,            // a signature by a key we do not trust
  forged_signature,          // a trusted key's signature does not verify
  too_few_signatures,        // fewer than t valid signatures
  bad_descriptor_signature,  // a node's self-signature does not verify
};

const char* refusal_name(Refusal reason) noexcept;

// The verdict on one document: the trusted topology, or why it was refused.
class [[nodiscard]] Acceptance {
 public:
  static Acceptance accepted(Topology topology) { return Acceptance(std::move(topology)); }
  static Acceptance refused(Refusal reason, std::string detail) { return Acceptance(reason, std::move(detail)); }

  bool ok() const noexcept { return m_topology.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  // Reading the topology of a refusal, or the refusal of an acceptance, is a bug.
  const Topology& topology() const&;
  Topology&& topology() &&;
  Refusal refusal() const;
  // The refusal as an Error: "topology refused (<reason>): <detail>".
  Error error() const;

 private:
  explicit Acceptance(Topology topology) : m_topology(std::move(topology)) {}
  Acceptance(Refusal reason, std::string detail) : m_reason(reason), m_detail(std::move(detail)) {}
  std::optional<Topology> m_topology;
  Refusal m_reason = Refusal::malformed;
  std::string m_detail;
};

// Decodes (strictly) and judges `encoded` at clock.wall_now().
Acceptance accept_topology(ByteView encoded, const TrustConfig& trust, const Clock& clock);
// Judges an already decoded document (its signatures may be in any order).
Acceptance accept_topology(Topology topology, const TrustConfig& trust, const Clock& clock);

}  // namespace tenebra::router::directory
