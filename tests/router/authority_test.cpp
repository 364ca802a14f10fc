// The authority logic without sockets: uploads and their refusals, frozen
// votes, and authorities exchanging votes and signature shares into one
// document (n = 1; 3 of 3; 2 of 3 with one missing; an extra descriptor in
// only one vote; two versions of one node; disagreeing configs).
#include "tenebra/router/authority.hpp"

#include <gtest/gtest.h>

#include "directory_vectors_fixtures.hpp"

namespace tenebra::router::directory {
namespace {

using namespace std::chrono_literals;
using testing::time_in;

constexpr Epoch kTarget = 5;
// Times inside epoch 4, the one before the target.
const WallTime kUploadTime = time_in(kTarget - 1, 10s);
const WallTime kVoteTime = time_in(kTarget - 1, 30s);
const WallTime kTallyTime = time_in(kTarget - 1, 45s);

AuthorityConfig config_for(std::size_t self, std::size_t n, std::size_t threshold) {
  const Topology reference = testing::make_topology(kTarget);
  std::vector<IdentityKey> keys;
  for (const auto& key : testing::authorities(n)) keys.push_back(key.public_key);
  return AuthorityConfig{
      .network_id = testing::kTestNetwork,
      .self = testing::identity(0xA0, static_cast<std::uint8_t>(self)),
      .authorities = std::move(keys),
      .threshold = threshold,
      .schedule = testing::test_schedule(),
      .geometry = reference.geometry,
      .rates = reference.rates,
      .transport = TransportKind::onion,
      .admit = {},
  };
}

AuthorityState make_state(std::size_t self, std::size_t n, std::size_t threshold) {
  return AuthorityState::make(config_for(self, n, threshold)).value();
}

std::vector<Descriptor> network_nodes(Epoch epoch = kTarget) {
  const Topology t = testing::make_topology(epoch);
  std::vector<Descriptor> all = t.providers;
  for (const auto& layer : t.layers) all.insert(all.end(), layer.begin(), layer.end());
  return all;
}

void upload_all(AuthorityState& state, const std::vector<Descriptor>& nodes) {
  for (const auto& d : nodes) ASSERT_TRUE(state.add_descriptor(d, kUploadTime).ok());
}

TrustConfig trust(std::size_t n, std::size_t threshold) {
  const auto keys = testing::authorities(n);
  return testing::trust_for(keys, threshold);
}

bool accepted(const Bytes& document, std::size_t n, std::size_t threshold) {
  ManualClock clock;
  clock.set_wall(time_in(kTarget, 1s));
  return accept_topology(document, trust(n, threshold), clock).ok();
}

// Every authority fetches every other one's vote, tallies, then merges every
// other one's signature share.
void run_round(std::vector<AuthorityState*> states) {
  for (auto* s : states) ASSERT_TRUE(s->vote(kTarget, kVoteTime).ok());
  for (auto* s : states) {
    for (auto* peer : states) {
      if (peer == s) continue;
      auto vote = peer->vote(kTarget, kVoteTime);
      ASSERT_TRUE(vote.ok());
      auto added = s->add_peer_vote(*vote, kVoteTime + 1s);
      ASSERT_TRUE(added.ok()) << added.error().message;
    }
  }
  for (auto* s : states) {
    auto tallied = s->tally(kTarget, kTallyTime);
    ASSERT_TRUE(tallied.ok()) << tallied.error().message;
  }
  for (auto* s : states) {
    for (auto* peer : states) {
      if (peer == s) continue;
      auto share = peer->own_signature(kTarget);
      ASSERT_TRUE(share.has_value());
      auto merged = s->add_peer_signature(*share);
      ASSERT_TRUE(merged.ok()) << merged.error().message;
    }
  }
}

TEST(Authority, MakeRefusesUnusableConfigs) {
  EXPECT_TRUE(AuthorityState::make(config_for(0, 3, 2)).ok());
  EXPECT_FALSE(AuthorityState::make(config_for(0, 3, 1)).ok()) << "1 of 3 is no majority";
  EXPECT_FALSE(AuthorityState::make(config_for(0, 4, 2)).ok()) << "2 of 4 is no majority";
  EXPECT_FALSE(AuthorityState::make(config_for(0, 3, 4)).ok());
  EXPECT_FALSE(AuthorityState::make(config_for(5, 3, 2)).ok()) << "self is not in the set";
  AuthorityConfig twice = config_for(0, 3, 2);
  twice.authorities[2] = twice.authorities[1];
  EXPECT_FALSE(AuthorityState::make(std::move(twice)).ok());
  AuthorityConfig bad_id = config_for(0, 1, 1);
  bad_id.network_id = "Bad";
  EXPECT_FALSE(AuthorityState::make(std::move(bad_id)).ok());
  AuthorityConfig no_mu = config_for(0, 1, 1);
  no_mu.rates.delay = Rate::from_micro_hz(0);
  EXPECT_FALSE(AuthorityState::make(std::move(no_mu)).ok());
}

TEST(Authority, SingleAuthorityPublishesAtOnce) {
  AuthorityState a = make_state(0, 1, 1);
  upload_all(a, network_nodes());
  EXPECT_FALSE(a.document(kTarget).has_value());
  auto tallied = a.tally(kTarget, kVoteTime);  // n = 1: nothing to wait for
  ASSERT_TRUE(tallied.ok()) << tallied.error().message;
  auto document = a.document(kTarget);
  ASSERT_TRUE(document.has_value());
  EXPECT_TRUE(accepted(*document, 1, 1));
  const Topology reference = testing::make_topology(kTarget);
  EXPECT_EQ(tallied->providers, reference.providers);
  EXPECT_EQ(tallied->layers, reference.layers);
  EXPECT_EQ(tallied->epoch_start, reference.epoch_start);
}

TEST(Authority, UploadsAreChecked) {
  AuthorityState a = make_state(0, 1, 1);
  const Descriptor good = testing::make_node(Role::mix, 1, 0x20, 0, kTarget);
  Descriptor forged = good;
  forged.signature[0] ^= 1;
  EXPECT_EQ(a.add_descriptor(forged, kUploadTime).error().code, Errc::crypto);
  EXPECT_FALSE(a.add_descriptor(testing::make_node(Role::authority, 0, 0x70, 0, kTarget), kUploadTime).ok());
  EXPECT_FALSE(
      a.add_descriptor(testing::make_node(Role::mix, 1, 0x20, 0, kTarget, TransportKind::i2p), kUploadTime).ok())
      << "wrong transport";
  EXPECT_FALSE(a.add_descriptor(testing::make_node(Role::mix, 1, 0x20, 0, kTarget + 1), kUploadTime).ok())
      << "two epochs ahead";
  EXPECT_FALSE(a.add_descriptor(testing::make_node(Role::mix, 1, 0x20, 0, kTarget - 2), kUploadTime).ok())
      << "an old epoch";
  EXPECT_TRUE(a.add_descriptor(good, kUploadTime).ok());
  EXPECT_TRUE(a.add_descriptor(testing::make_node(Role::mix, 1, 0x20, 1, kTarget - 1), kUploadTime).ok())
      << "the current epoch is still open";

  AuthorityConfig picky = config_for(0, 1, 1);
  const IdentityKey banned = good.identity;
  picky.admit = [banned](const IdentityKey& key) { return key != banned; };
  AuthorityState b = AuthorityState::make(std::move(picky)).value();
  EXPECT_FALSE(b.add_descriptor(good, kUploadTime).ok());
  EXPECT_TRUE(b.add_descriptor(testing::make_node(Role::mix, 1, 0x20, 1, kTarget), kUploadTime).ok());
}

TEST(Authority, ANewerUploadReplacesUntilTheVoteFreezes) {
  AuthorityState a = make_state(0, 1, 1);
  upload_all(a, network_nodes());
  Descriptor moved = testing::make_node(Role::mix, 1, 0x20, 0, kTarget);
  moved.address = testing::address_for(TransportKind::onion, 3);
  moved = sign_descriptor(moved, testing::identity(0x20, 0)).value();
  ASSERT_TRUE(a.add_descriptor(moved, kUploadTime + 5s).ok());

  EXPECT_EQ(a.vote(kTarget, kVoteTime - 1s).error().code, Errc::not_found) << "not due yet";
  auto vote = a.vote(kTarget, kVoteTime);
  ASSERT_TRUE(vote.ok());
  const Vote decoded = decode_vote(*vote).value();
  EXPECT_EQ(decoded.descriptors.size(), network_nodes().size());
  EXPECT_NE(std::find(decoded.descriptors.begin(), decoded.descriptors.end(), moved), decoded.descriptors.end());

  // Frozen: a retry of a listed descriptor is fine, anything new is not.
  EXPECT_TRUE(a.add_descriptor(moved, kVoteTime + 1s).ok());
  EXPECT_FALSE(a.add_descriptor(testing::make_node(Role::mix, 1, 0x20, 0, kTarget), kVoteTime + 1s).ok());
  EXPECT_FALSE(a.add_descriptor(testing::make_node(Role::mix, 2, 0x40, 7, kTarget), kVoteTime + 1s).ok());
  EXPECT_EQ(a.vote(kTarget, kVoteTime + 10s).value(), *vote);
}

TEST(Authority, ListCapsHold) {
  AuthorityState a = make_state(0, 1, 1);
  for (std::size_t i = 0; i < kMaxProviders; ++i) {
    std::array<std::uint8_t, 32> seed{};
    seed[0] = static_cast<std::uint8_t>(i);
    seed[1] = 0xC4;
    Descriptor d = testing::make_node(Role::provider, 0, 0x10, 0, kTarget);
    d = sign_descriptor(d, IdentityKeyPair::from_seed(seed)).value();
    ASSERT_TRUE(a.add_descriptor(d, kUploadTime).ok()) << i;
  }
  const Descriptor one_more = testing::make_node(Role::provider, 0, 0x10, 1, kTarget);
  EXPECT_EQ(a.add_descriptor(one_more, kUploadTime).error().code, Errc::exhausted);
  EXPECT_TRUE(a.add_descriptor(testing::make_node(Role::mix, 3, 0x60, 0, kTarget), kUploadTime).ok())
      << "other lists have room";
}

TEST(Authority, ThreeAuthoritiesAgreeOnOneDocument) {
  AuthorityState a = make_state(0, 3, 2), b = make_state(1, 3, 2), c = make_state(2, 3, 2);
  for (auto* s : {&a, &b, &c}) upload_all(*s, network_nodes());
  run_round({&a, &b, &c});
  auto doc_a = a.document(kTarget), doc_b = b.document(kTarget), doc_c = c.document(kTarget);
  ASSERT_TRUE(doc_a && doc_b && doc_c);
  EXPECT_EQ(*doc_a, *doc_b);
  EXPECT_EQ(*doc_a, *doc_c);
  EXPECT_EQ(decode_topology(*doc_a).value().signatures.size(), 3u);
  EXPECT_TRUE(accepted(*doc_a, 3, 3));
}

TEST(Authority, TwoOfThreeSufficeWhenOneIsMissing) {
  AuthorityState a = make_state(0, 3, 2), b = make_state(1, 3, 2);
  for (auto* s : {&a, &b}) upload_all(*s, network_nodes());
  ASSERT_TRUE(a.add_peer_vote(b.vote(kTarget, kVoteTime).value(), kVoteTime).ok());
  EXPECT_EQ(a.tally(kTarget, kTallyTime - 1s).error().code, Errc::not_found) << "waits for the third until tally_at";
  run_round({&a, &b});
  auto document = a.document(kTarget);
  ASSERT_TRUE(document.has_value());
  EXPECT_EQ(document, b.document(kTarget));
  EXPECT_TRUE(accepted(*document, 3, 2));
  EXPECT_FALSE(accepted(*document, 3, 3));
}

TEST(Authority, ADescriptorInOnlyOneVoteIsLeftOut) {
  AuthorityState a = make_state(0, 3, 2), b = make_state(1, 3, 2), c = make_state(2, 3, 2);
  for (auto* s : {&a, &b, &c}) upload_all(*s, network_nodes());
  const Descriptor extra = testing::make_node(Role::mix, 2, 0x40, 9, kTarget);
  ASSERT_TRUE(a.add_descriptor(extra, kUploadTime).ok());
  run_round({&a, &b, &c});
  auto document = a.document(kTarget);
  ASSERT_TRUE(document.has_value());
  EXPECT_EQ(document, c.document(kTarget));
  const Topology t = decode_topology(*document).value();
  EXPECT_EQ(t.layers[1].size(), 2u);
  EXPECT_EQ(std::find(t.layers[1].begin(), t.layers[1].end(), extra), t.layers[1].end());
  EXPECT_EQ(t.signatures.size(), 3u);
}

TEST(Authority, TheVersionMostVotesCarryWins) {
  AuthorityState a = make_state(0, 3, 2), b = make_state(1, 3, 2), c = make_state(2, 3, 2);
  for (auto* s : {&a, &b, &c}) upload_all(*s, network_nodes());
  Descriptor newer = testing::make_node(Role::provider, 0, 0x10, 0, kTarget);
  newer.address = testing::address_for(TransportKind::onion, 2);
  newer = sign_descriptor(newer, testing::identity(0x10, 0)).value();
  ASSERT_TRUE(b.add_descriptor(newer, kUploadTime + 1s).ok());
  ASSERT_TRUE(c.add_descriptor(newer, kUploadTime + 1s).ok());
  run_round({&a, &b, &c});
  const Topology t = decode_topology(a.document(kTarget).value()).value();
  EXPECT_NE(std::find(t.providers.begin(), t.providers.end(), newer), t.providers.end());
  EXPECT_EQ(t.providers.size(), 2u);
}

TEST(Authority, MissingLayerIsNamedAndNothingFreezes) {
  AuthorityState a = make_state(0, 1, 1);
  for (const auto& d : network_nodes()) {
    if (d.role != Role::mix || d.layer != 3) {
      ASSERT_TRUE(a.add_descriptor(d, kUploadTime).ok());
    }
  }
  auto tallied = a.tally(kTarget, kTallyTime);
  ASSERT_FALSE(tallied.ok());
  EXPECT_NE(tallied.error().message.find("layer 3"), std::string::npos) << tallied.error().message;
  EXPECT_FALSE(a.own_signature(kTarget).has_value());
  EXPECT_FALSE(a.document(kTarget).has_value());
}

TEST(Authority, PeerVotesAreChecked) {
  AuthorityState a = make_state(0, 3, 2), b = make_state(1, 3, 2);
  upload_all(b, network_nodes());
  const Bytes vote_b = b.vote(kTarget, kVoteTime).value();
  AuthorityState outsider = make_state(0, 1, 1);
  // Key 0 of a one-authority set is a's own key: a refuses its own vote.
  upload_all(outsider, network_nodes());
  EXPECT_FALSE(a.add_peer_vote(outsider.vote(kTarget, kVoteTime).value(), kVoteTime).ok());
  Vote forged = decode_vote(vote_b).value();
  forged.descriptors.pop_back();
  EXPECT_EQ(a.add_peer_vote(forged, kVoteTime).error().code, Errc::crypto);
  EXPECT_FALSE(a.add_peer_vote(vote_b, time_in(kTarget + 1)).ok()) << "the epoch is over";
  EXPECT_TRUE(a.add_peer_vote(vote_b, kVoteTime).ok());
  EXPECT_TRUE(a.add_peer_vote(vote_b, kVoteTime).ok()) << "the same vote again is a no-op";
  Vote other = decode_vote(vote_b).value();
  other.descriptors.pop_back();
  other = sign_vote(other, testing::identity(0xA0, 1)).value();
  EXPECT_FALSE(a.add_peer_vote(other, kVoteTime).ok()) << "equivocation";
  EXPECT_FALSE(a.add_peer_vote(Bytes{1, 2, 3}, kVoteTime).ok());
}

TEST(Authority, DifferentConfigsDoNotMerge) {
  AuthorityState a = make_state(0, 3, 2);
  AuthorityConfig other = config_for(1, 3, 2);
  other.rates.loop = Rate::from_micro_hz(1);
  AuthorityState b = AuthorityState::make(std::move(other)).value();
  for (auto* s : {&a, &b}) upload_all(*s, network_nodes());
  ASSERT_TRUE(a.add_peer_vote(b.vote(kTarget, kVoteTime).value(), kVoteTime).ok());
  ASSERT_TRUE(b.add_peer_vote(a.vote(kTarget, kVoteTime).value(), kVoteTime).ok());
  ASSERT_TRUE(a.tally(kTarget, kTallyTime).ok());
  ASSERT_TRUE(b.tally(kTarget, kTallyTime).ok());
  auto merged = a.add_peer_signature(b.own_signature(kTarget).value());
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().code, Errc::invalid_argument);
  EXPECT_FALSE(a.document(kTarget).has_value());

  // A share that claims our hash but signs something else does not verify.
  SignatureShare lying = b.own_signature(kTarget).value();
  lying.body_hash = a.own_signature(kTarget).value().body_hash;
  EXPECT_EQ(a.add_peer_signature(lying).error().code, Errc::crypto);
}

TEST(Authority, ForgetBeforeDropsOldEpochs) {
  AuthorityState a = make_state(0, 1, 1);
  upload_all(a, network_nodes());
  ASSERT_TRUE(a.tally(kTarget, kTallyTime).ok());
  a.forget_before(kTarget);
  EXPECT_TRUE(a.document(kTarget).has_value());
  a.forget_before(kTarget + 1);
  EXPECT_FALSE(a.document(kTarget).has_value());
  EXPECT_FALSE(a.own_signature(kTarget).has_value());
}

}  // namespace
}  // namespace tenebra::router::directory
