#include "tenebra/router/authority.hpp"

#include <algorithm>

#include "authority_tally.hpp"
#include "descriptor_signing.hpp"

namespace tenebra::router::directory {
namespace {

std::string epoch_text(Epoch epoch) {
  return "epoch " + std::to_string(epoch);
}

Status check_config(const AuthorityConfig& c) {
  if (auto id = check_network_id(c.network_id); !id) return id;
  const std::size_t n = c.authorities.size();
  if (n == 0 || n > kMaxAuthorities) {
    return make_error(Errc::invalid_argument, "an authority set has 1.." + std::to_string(kMaxAuthorities) + " keys");
  }
  std::vector<IdentityKey> sorted = c.authorities;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return make_error(Errc::invalid_argument, "an authority key is listed twice");
  }
  if (!std::binary_search(sorted.begin(), sorted.end(), c.self.public_key)) {
    return make_error(Errc::invalid_argument, "this authority's own key is not in the authority set");
  }
  // A majority threshold: two different bodies can never both gather t
  // signatures from authorities that each sign one body per epoch.
  if (c.threshold <= n / 2 || c.threshold > n) {
    return make_error(Errc::invalid_argument, "threshold must be a majority: n/2 < t <= n");
  }
  if (c.geometry.max_hops() < kPathHops) {
    return make_error(Errc::invalid_argument, "Sphinx geometry allows fewer hops than a full path needs");
  }
  if (c.rates.delay.micro_hz() == 0)
    return make_error(Errc::invalid_argument, "per-hop delay rate mu must be positive");
  return {};
}

std::size_t list_cap(const Descriptor& d) {
  return d.role == Role::provider ? kMaxProviders : kMaxMixesPerLayer;
}

bool same_list(const Descriptor& a, const Descriptor& b) {
  return a.role == b.role && a.layer == b.layer;
}

}  // namespace

Result<AuthorityState> AuthorityState::make(AuthorityConfig config) {
  if (auto ok = check_config(config); !ok) return std::move(ok).error();
  return AuthorityState(std::move(config));
}

bool AuthorityState::is_peer(const IdentityKey& key) const {
  return key != m_config.self.public_key &&
         std::find(m_config.authorities.begin(), m_config.authorities.end(), key) != m_config.authorities.end();
}

// Uploads and votes are taken for the current and the next epoch only, which
// bounds the epochs held to two, plus the documents kept until forget_before.
Status AuthorityState::check_epoch_is_open(Epoch epoch, WallTime now) const {
  auto current = m_config.schedule.epoch_at(now);
  if (!current) return std::move(current).error();
  if (epoch == 0) return make_error(Errc::invalid_argument, "epoch 0 has no directory round");
  if (epoch != *current && epoch != *current + 1) {
    return make_error(Errc::invalid_argument, epoch_text(epoch) + " is neither the current nor the next epoch");
  }
  return {};
}

Status AuthorityState::check_room(const EpochState& state, const Descriptor& d) const {
  const auto existing = state.uploads.find(d.identity);
  const bool replaces_in_place = existing != state.uploads.end() && same_list(existing->second, d);
  if (replaces_in_place) return {};
  const auto in_list = static_cast<std::size_t>(std::count_if(
      state.uploads.begin(), state.uploads.end(), [&](const auto& entry) { return same_list(entry.second, d); }));
  if (in_list >= list_cap(d)) return make_error(Errc::exhausted, "the list this node belongs to is full");
  return {};
}

Status AuthorityState::add_descriptor(const Descriptor& d, WallTime now) {
  if (auto fields = check_descriptor_fields(d); !fields) return fields;
  if (d.role != Role::provider && d.role != Role::mix) {
    return make_error(Errc::invalid_argument, "only providers and mixes are listed");
  }
  if (d.transport != m_config.transport) {
    return make_error(Errc::invalid_argument,
                      std::string("this network's nodes use transport ") + transport_name(m_config.transport));
  }
  if (auto open = check_epoch_is_open(d.epoch, now); !open) return open;
  if (m_config.admit && !m_config.admit(d.identity)) {
    return make_error(Errc::invalid_argument, "this node is not admitted to the directory");
  }
  if (auto signed_ok = verify_descriptor(d); !signed_ok) return signed_ok;
  EpochState& state = m_epochs[d.epoch];
  if (state.own_vote) {
    const auto frozen = state.uploads.find(d.identity);
    if (frozen != state.uploads.end() && frozen->second == d) return {};
    return make_error(Errc::invalid_argument, "the vote of " + epoch_text(d.epoch) + " is frozen");
  }
  if (auto room = check_room(state, d); !room) return room;
  state.uploads.insert_or_assign(d.identity, d);
  return {};
}

Result<Bytes> AuthorityState::vote(Epoch epoch, WallTime now) {
  if (auto it = m_epochs.find(epoch); it != m_epochs.end() && it->second.own_vote) return it->second.own_vote_encoded;
  auto round = directory_round(m_config.schedule, epoch);
  if (!round) return std::move(round).error();
  if (now < round->vote_at) return make_error(Errc::not_found, "the vote of " + epoch_text(epoch) + " is not due yet");
  if (auto open = check_epoch_is_open(epoch, now); !open) {
    return make_error(Errc::not_found, "no vote: " + open.error().message);
  }
  EpochState& state = m_epochs[epoch];
  Vote own;
  own.epoch = epoch;
  own.descriptors.reserve(state.uploads.size());
  for (const auto& [identity, d] : state.uploads) own.descriptors.push_back(d);
  auto signed_vote = sign_vote(std::move(own), m_config.self);
  if (!signed_vote) return std::move(signed_vote).error();
  state.own_vote_encoded = encode_vote(*signed_vote);
  state.own_vote = std::move(*signed_vote);
  return state.own_vote_encoded;
}

Status AuthorityState::add_peer_vote(ByteView encoded_vote, WallTime now) {
  auto vote = decode_vote(encoded_vote);
  if (!vote) return std::move(vote).error();
  return add_peer_vote(*vote, now);
}

Status AuthorityState::add_peer_vote(const Vote& vote, WallTime now) {
  if (!is_peer(vote.voter)) return make_error(Errc::invalid_argument, "the voter is not one of the other authorities");
  if (auto open = check_epoch_is_open(vote.epoch, now); !open) return open;
  if (auto it = m_epochs.find(vote.epoch); it != m_epochs.end()) {
    if (const auto known = it->second.peer_votes.find(vote.voter); known != it->second.peer_votes.end()) {
      if (known->second == vote) return {};
      return make_error(Errc::invalid_argument,
                        "this authority already sent a different vote for " + epoch_text(vote.epoch));
    }
    if (it->second.document) return make_error(Errc::invalid_argument, epoch_text(vote.epoch) + " is tallied already");
  }
  if (auto verified = verify_vote(vote); !verified) return verified;
  m_epochs[vote.epoch].peer_votes.emplace(vote.voter, vote);
  return {};
}

Result<Topology> AuthorityState::build_body(Epoch epoch, const EpochState& state) const {
  std::vector<const Vote*> votes{&*state.own_vote};
  for (const auto& [voter, vote] : state.peer_votes) votes.push_back(&vote);
  detail::AgreedLists agreed = detail::agreed_descriptors(votes, m_config.threshold);
  std::string missing;
  if (agreed.providers.empty()) missing += " a provider";
  for (std::size_t k = 0; k < kMixLayers; ++k) {
    if (agreed.layers[k].empty()) missing += " a mix of layer " + std::to_string(k + 1);
  }
  if (!missing.empty()) {
    return make_error(Errc::not_found, "the votes of " + epoch_text(epoch) + " (" + std::to_string(votes.size()) +
                                           " of " + std::to_string(m_config.authorities.size()) +
                                           ") agree on no document: it lacks" + missing);
  }
  auto start = m_config.schedule.start_of(epoch);
  if (!start) return std::move(start).error();
  Topology t;
  t.network_id = m_config.network_id;
  t.epoch = epoch;
  t.epoch_start = *start;
  t.epoch_length = m_config.schedule.length();
  t.geometry = m_config.geometry;
  t.rates = m_config.rates;
  t.providers = std::move(agreed.providers);
  t.layers = std::move(agreed.layers);
  if (auto body = check_topology_body(t); !body) return std::move(body).error();
  return t;
}

Result<Topology> AuthorityState::tally(Epoch epoch, WallTime now) {
  if (auto it = m_epochs.find(epoch); it != m_epochs.end() && it->second.document) return *it->second.document;
  auto own = vote(epoch, now);
  if (!own) return std::move(own).error();
  EpochState& state = m_epochs[epoch];
  auto round = directory_round(m_config.schedule, epoch);
  if (!round) return std::move(round).error();
  const bool all_votes_in = state.peer_votes.size() + 1 == m_config.authorities.size();
  if (now < round->tally_at && !all_votes_in) {
    return make_error(Errc::not_found, "the tally of " + epoch_text(epoch) + " is not due yet");
  }
  auto document = build_body(epoch, state);
  if (!document) return document;
  if (auto signed_ok = add_authority_signature(*document, m_config.self); !signed_ok) {
    return std::move(signed_ok).error();
  }
  state.body = topology_body(*document);
  state.hash = body_hash(state.body);
  state.document = std::move(*document);
  return *state.document;
}

std::optional<SignatureShare> AuthorityState::own_signature(Epoch epoch) const {
  const auto it = m_epochs.find(epoch);
  if (it == m_epochs.end() || !it->second.document) return std::nullopt;
  for (const auto& s : it->second.document->signatures) {
    if (s.signer == m_config.self.public_key) return SignatureShare{s.signer, epoch, it->second.hash, s.signature};
  }
  return std::nullopt;
}

Status AuthorityState::add_peer_signature(const SignatureShare& share) {
  if (!is_peer(share.signer))
    return make_error(Errc::invalid_argument, "the signer is not one of the other authorities");
  const auto it = m_epochs.find(share.epoch);
  if (it == m_epochs.end() || !it->second.document) {
    return make_error(Errc::not_found, "no tally of " + epoch_text(share.epoch) + " to merge into yet");
  }
  EpochState& state = it->second;
  if (share.body_hash != state.hash) {
    return make_error(Errc::invalid_argument, "the other authority signed a different body for " +
                                                  epoch_text(share.epoch) + " (configs or votes differ)");
  }
  if (!detail::verify_with_domain(kTopologySignatureDomain, state.body, share.signature, share.signer)) {
    return make_error(Errc::crypto, "the other authority's document signature does not verify");
  }
  auto& signatures = state.document->signatures;
  const auto pos = std::lower_bound(signatures.begin(), signatures.end(), share.signer,
                                    [](const AuthoritySignature& s, const IdentityKey& k) { return s.signer < k; });
  if (pos != signatures.end() && pos->signer == share.signer) return {};  // Ed25519 is deterministic: same signature
  signatures.insert(pos, AuthoritySignature{share.signer, share.signature});
  return {};
}

std::optional<Bytes> AuthorityState::document(Epoch epoch) const {
  const auto it = m_epochs.find(epoch);
  if (it == m_epochs.end() || !it->second.document) return std::nullopt;
  if (it->second.document->signatures.size() < m_config.threshold) return std::nullopt;
  return encode_topology(*it->second.document);
}

void AuthorityState::forget_before(Epoch epoch) {
  m_epochs.erase(m_epochs.begin(), m_epochs.lower_bound(epoch));
}

}  // namespace tenebra::router::directory
