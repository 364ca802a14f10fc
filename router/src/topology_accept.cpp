#include "tenebra/router/topology_accept.hpp"

#include <algorithm>
#include <cstdlib>

#include "descriptor_signing.hpp"
#include "topology_codec.hpp"

namespace tenebra::router::directory {
namespace {

struct Refused {
  Refusal reason;
  std::string detail;
};
using Check = std::optional<Refused>;

Check check_freshness(const Topology& t, const TrustConfig& trust, const Clock& clock) {
  auto start = trust.schedule.start_of(t.epoch);
  if (t.epoch_length != trust.schedule.length() || !start || *start != t.epoch_start) {
    return Refused{Refusal::wrong_schedule, "epoch start or length differs from the configured schedule"};
  }
  auto current = trust.schedule.current_epoch(clock);
  if (!current) return Refused{Refusal::clock_before_genesis, current.error().message};
  if (t.epoch < *current) {
    return Refused{Refusal::stale_epoch,
                   "document is for epoch " + std::to_string(t.epoch) + ", current is " + std::to_string(*current)};
  }
  if (t.epoch > *current + 1) {
    return Refused{Refusal::future_epoch,
                   "document is for epoch " + std::to_string(t.epoch) + ", current is " + std::to_string(*current)};
  }
  return std::nullopt;
}

Check check_signatures(const Topology& t, const TrustConfig& trust) {
  std::vector<IdentityKey> signers;
  for (const auto& s : t.signatures) signers.push_back(s.signer);
  std::sort(signers.begin(), signers.end());
  if (std::adjacent_find(signers.begin(), signers.end()) != signers.end()) {
    return Refused{Refusal::duplicate_signer, "one authority signed the document twice"};
  }
  if (auto order = check_signature_order(t); !order) return Refused{Refusal::malformed, order.error().message};
  for (const auto& s : t.signatures) {
    if (std::find(trust.authorities.begin(), trust.authorities.end(), s.signer) == trust.authorities.end()) {
      return Refused{Refusal::unknown_signer, "a signature is by a key that is not a configured authority"};
    }
  }
  const Bytes body = topology_body(t);
  std::size_t valid = 0;
  for (const auto& s : t.signatures) {
    if (!detail::verify_with_domain(kTopologySignatureDomain, body, s.signature, s.signer)) {
      return Refused{Refusal::forged_signature, "an authority signature does not verify"};
    }
    ++valid;
  }
  if (valid < trust.threshold) {
    return Refused{Refusal::too_few_signatures,
                   std::to_string(valid) + " valid signatures, " + std::to_string(trust.threshold) + " needed"};
  }
  return std::nullopt;
}

Check check_descriptors(const Topology& t) {
  auto check = [](const std::vector<Descriptor>& list) {
    return std::all_of(list.begin(), list.end(), [](const Descriptor& d) { return verify_descriptor(d).ok(); });
  };
  if (!check(t.providers) || !std::all_of(t.layers.begin(), t.layers.end(), check)) {
    return Refused{Refusal::bad_descriptor_signature, "a node descriptor's self-signature does not verify"};
  }
  return std::nullopt;
}

}  // namespace

const char* refusal_name(Refusal reason) noexcept {
  switch (reason) {
    case Refusal::malformed:
      return "malformed";
    case Refusal::bad_trust_config:
      return "bad_trust_config";
    case Refusal::clock_before_genesis:
      return "clock_before_genesis";
    case Refusal::wrong_network:
      return "wrong_network";
    case Refusal::wrong_schedule:
      return "wrong_schedule";
    case Refusal::stale_epoch:
      return "stale_epoch";
    case Refusal::future_epoch:
      return "future_epoch";
    case Refusal::duplicate_signer:
      return "duplicate_signer";
    case Refusal::unknown_signer:
      return "unknown_signer";
    case Refusal::forged_signature:
      return "forged_signature";
    case Refusal::too_few_signatures:
      return "too_few_signatures";
    case Refusal::bad_descriptor_signature:
      return "bad_descriptor_signature";
  }
  return "unknown";
}

const Topology& Acceptance::topology() const& {
  if (!m_topology) std::abort();
  return *m_topology;
}

Topology&& Acceptance::topology() && {
  if (!m_topology) std::abort();
  return std::move(*m_topology);
}

Refusal Acceptance::refusal() const {
  if (m_topology) std::abort();
  return m_reason;
}

Error Acceptance::error() const {
  Errc code = Errc::malformed;
  switch (refusal()) {
    case Refusal::bad_trust_config:
    case Refusal::clock_before_genesis:
      code = Errc::invalid_argument;
      break;
    case Refusal::duplicate_signer:
    case Refusal::unknown_signer:
    case Refusal::forged_signature:
    case Refusal::too_few_signatures:
    case Refusal::bad_descriptor_signature:
      code = Errc::crypto;
      break;
    default:
      break;
  }
  return make_error(code, std::string("topology refused (") + refusal_name(m_reason) + "): " + m_detail);
}

Status check_trust_config(const TrustConfig& trust) {
  if (auto id = check_network_id(trust.network_id); !id) return id;
  const std::size_t n = trust.authorities.size();
  if (n == 0 || n > kMaxAuthorities) {
    return make_error(Errc::invalid_argument,
                      "trust config needs 1.." + std::to_string(kMaxAuthorities) + " authorities");
  }
  if (trust.threshold < 1 || trust.threshold > n) {
    return make_error(Errc::invalid_argument, "trust threshold must be 1..n");
  }
  auto keys = trust.authorities;
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
    return make_error(Errc::invalid_argument, "trust config lists an authority twice");
  }
  return {};
}

Acceptance accept_topology(ByteView encoded, const TrustConfig& trust, const Clock& clock) {
  auto topology = detail::decode_topology_any_order(encoded);
  if (!topology) return Acceptance::refused(Refusal::malformed, topology.error().message);
  return accept_topology(std::move(*topology), trust, clock);
}

Acceptance accept_topology(Topology topology, const TrustConfig& trust, const Clock& clock) {
  if (auto config = check_trust_config(trust); !config) {
    return Acceptance::refused(Refusal::bad_trust_config, config.error().message);
  }
  if (auto body = check_topology_body(topology); !body)
    return Acceptance::refused(Refusal::malformed, body.error().message);
  if (topology.signatures.size() > kMaxAuthorities) {
    return Acceptance::refused(Refusal::malformed, "topology has too many signatures");
  }
  if (topology.network_id != trust.network_id) {
    return Acceptance::refused(Refusal::wrong_network, "document is for another network");
  }
  // Cheapest first; the first failing check names the refusal.
  Check refused = check_freshness(topology, trust, clock);
  if (!refused) refused = check_signatures(topology, trust);
  if (!refused) refused = check_descriptors(topology);
  if (refused) return Acceptance::refused(refused->reason, std::move(refused->detail));
  return Acceptance::accepted(std::move(topology));
}

}  // namespace tenebra::router::directory
