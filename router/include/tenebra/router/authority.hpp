// The directory authority's logic (docs/directory.md §10): it collects the
// descriptors nodes upload, freezes and signs its vote for an epoch, checks
// the votes of the other authorities, tallies them into one canonical
// document body (every descriptor that t votes carry byte for byte), signs
// it, merges the other authorities' signatures over the same body, and hands
// out the document once it holds t signatures.
//
// Pure: wall time comes in as a parameter, there are no sockets, and every
// input is checked (a bad upload, vote or signature gets an error value and
// changes nothing). Two authorities that see the same votes under the same
// config compute byte-identical bodies; if their configs differ (network id,
// schedule, geometry, rates) their bodies differ and their signatures do not
// merge: add_peer_signature reports it and the caller should log it as an
// error. Memory is bounded by the caps per epoch and by forget_before.
// Thread-safety: none; one owner (the authority's executor) calls it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/directory_protocol.hpp"
#include "tenebra/router/directory_schedule.hpp"
#include "tenebra/router/epoch.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::router::directory {

struct AuthorityConfig {
  std::string network_id;
  IdentityKeyPair self;                  // this authority's key (owned: the state signs with it)
  std::vector<IdentityKey> authorities;  // all n, including self; distinct; 1..kMaxAuthorities
  std::size_t threshold = 0;             // t, a strict majority: n/2 < t <= n
  EpochSchedule schedule;
  mix::sphinx::Geometry geometry = mix::sphinx::Geometry::default_geometry();
  Rates rates;
  TransportKind transport = TransportKind::onion;  // every listed node uses it
  std::function<bool(const IdentityKey&)> admit;   // which nodes may be listed; empty admits all
};

class AuthorityState {
 public:
  [[nodiscard]] static Result<AuthorityState> make(AuthorityConfig config);

  AuthorityState(AuthorityState&&) noexcept = default;
  AuthorityState& operator=(AuthorityState&&) noexcept = default;
  AuthorityState(const AuthorityState&) = delete;
  AuthorityState& operator=(const AuthorityState&) = delete;

  // A node's upload. Accepted when the self-signature verifies, the node is
  // a provider or a mix on our transport, admit() lets it in, its epoch is
  // the current or the next one at `now`, and the caps hold. One descriptor
  // per identity and epoch: a newer upload replaces the older one until the
  // epoch's vote is frozen; after that only the frozen one is accepted again
  // (as a no-op, so node retries succeed).
  [[nodiscard]] Status add_descriptor(const Descriptor& descriptor, WallTime now);

  // This authority's signed vote for `epoch`, encoded (§9.3). The first call
  // at or after vote_at(epoch) freezes the descriptor set; later calls return
  // the same bytes. Errc::not_found before vote_at or after the epoch ended.
  [[nodiscard]] Result<Bytes> vote(Epoch epoch, WallTime now);

  // Another authority's vote: the voter is one of ours (not self), its
  // signature and every descriptor's verify, its epoch is current or next.
  // A second, different vote by the same voter is refused (equivocation);
  // the same vote again is a no-op. Votes after our tally are refused.
  [[nodiscard]] Status add_peer_vote(const Vote& vote, WallTime now);
  [[nodiscard]] Status add_peer_vote(ByteView encoded_vote, WallTime now);

  // The document of `epoch` as this authority signs it (own signature plus
  // those merged so far). The first call freezes the body: from tally_at, or
  // earlier once all n votes are in (at once when n = 1); it votes first if
  // needed. Errc::not_found naming what is missing when the agreed set lacks
  // a provider or a mix of some layer (nothing is frozen then).
  [[nodiscard]] Result<Topology> tally(Epoch epoch, WallTime now);

  // This authority's share for GET_SIGNATURE, once it has tallied `epoch`.
  [[nodiscard]] std::optional<SignatureShare> own_signature(Epoch epoch) const;

  // Another authority's share: merged only if the signer is one of ours, the
  // body hash equals ours and the signature verifies over our body.
  // Errc::invalid_argument when the bodies differ (configs or votes
  // disagree), Errc::crypto when it does not verify, Errc::not_found before
  // our tally.
  [[nodiscard]] Status add_peer_signature(const SignatureShare& share);

  // The encoded document, once it holds at least t signatures.
  [[nodiscard]] std::optional<Bytes> document(Epoch epoch) const;

  // Drops everything about epochs before `epoch`.
  void forget_before(Epoch epoch);

  [[nodiscard]] const AuthorityConfig& config() const noexcept { return m_config; }

 private:
  struct EpochState {
    std::map<IdentityKey, Descriptor> uploads;
    std::optional<Vote> own_vote;
    Bytes own_vote_encoded;
    std::map<IdentityKey, Vote> peer_votes;
    std::optional<Topology> document;  // body frozen, signatures merged
    Bytes body;
    BodyHash hash{};
  };

  explicit AuthorityState(AuthorityConfig config) : m_config(std::move(config)) {}
  [[nodiscard]] Status check_epoch_is_open(Epoch epoch, WallTime now) const;
  [[nodiscard]] Status check_room(const EpochState& state, const Descriptor& descriptor) const;
  [[nodiscard]] Result<Topology> build_body(Epoch epoch, const EpochState& state) const;
  [[nodiscard]] bool is_peer(const IdentityKey& key) const;

  AuthorityConfig m_config;
  std::map<Epoch, EpochState> m_epochs;
};

}  // namespace tenebra::router::directory
