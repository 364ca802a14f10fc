// Acceptance of topology documents: t of n authorities, and every refusal
// with its own reason.
#include "tenebra/router/topology_accept.hpp"

#include <gtest/gtest.h>

#include <set>

#include "directory_vectors_fixtures.hpp"

namespace tenebra::router::directory {
namespace {

using namespace std::chrono_literals;

class TopologyAccept : public ::testing::Test {
 protected:
  TopologyAccept() : m_keys(testing::authorities(4)), m_trust(testing::trust_for(std::span(m_keys).first(3), 2)) {
    m_clock.set_wall(testing::time_in(5, 10s));
  }

  // Signed by the first `signers` configured authorities.
  Topology document(std::size_t signers = 2, Epoch epoch = 5) const {
    Topology t = testing::make_topology(epoch);
    testing::sign_by(t, m_keys, signers);
    return t;
  }

  Refusal refusal_of(const Topology& t) const {
    const auto verdict = accept_topology(encode_topology(t), m_trust, m_clock);
    EXPECT_FALSE(verdict.ok());
    return verdict.ok() ? Refusal::malformed : verdict.refusal();
  }

  std::vector<IdentityKeyPair> m_keys;  // [0..3) configured, [3] is not
  TrustConfig m_trust;
  ManualClock m_clock;
};

TEST_F(TopologyAccept, AcceptsThresholdSignatures) {
  for (std::size_t signers : {2u, 3u}) {
    const Topology t = document(signers);
    auto verdict = accept_topology(encode_topology(t), m_trust, m_clock);
    ASSERT_TRUE(verdict.ok()) << verdict.error().message;
    EXPECT_EQ(verdict.topology(), t);
  }
}

TEST_F(TopologyAccept, AcceptsTheNextEpochAhead) {
  EXPECT_TRUE(accept_topology(encode_topology(document(2, 6)), m_trust, m_clock).ok());
  EXPECT_EQ(refusal_of(document(2, 7)), Refusal::future_epoch);
}

TEST_F(TopologyAccept, RefusesTooFewSignatures) {
  EXPECT_EQ(refusal_of(document(1)), Refusal::too_few_signatures);
  EXPECT_EQ(refusal_of(document(0)), Refusal::too_few_signatures);
}

TEST_F(TopologyAccept, RefusesAForgedSignature) {
  Topology t = document(3);
  t.signatures[1].signature[10] ^= 0x01;
  EXPECT_EQ(refusal_of(t), Refusal::forged_signature);
  // A signature over another document does not carry over.
  Topology other = document(3);
  other.rates.loop = Rate::from_micro_hz(1);
  other.signatures = t.signatures;
  other.signatures[1] = document(3).signatures[1];
  EXPECT_EQ(refusal_of(other), Refusal::forged_signature);
}

TEST_F(TopologyAccept, RefusesADuplicateSigner) {
  Topology t = document(2);
  t.signatures.push_back(t.signatures[0]);  // valid twice: still one authority
  EXPECT_EQ(accept_topology(t, m_trust, m_clock).refusal(), Refusal::duplicate_signer);
  EXPECT_EQ(refusal_of(t), Refusal::duplicate_signer);
  EXPECT_FALSE(decode_topology(encode_topology(t)).ok());
}

TEST_F(TopologyAccept, RefusesAnUnknownSigner) {
  Topology t = document(2);
  ASSERT_TRUE(add_authority_signature(t, m_keys[3]).ok());
  EXPECT_EQ(refusal_of(t), Refusal::unknown_signer);
}

TEST_F(TopologyAccept, RefusesUnsortedSignaturesAsMalformed) {
  Topology t = document(3);
  std::swap(t.signatures[0], t.signatures[2]);
  EXPECT_EQ(refusal_of(t), Refusal::malformed);
}

TEST_F(TopologyAccept, RefusesAnotherNetwork) {
  m_trust.network_id = "tenebra-mainnet";
  EXPECT_EQ(refusal_of(document()), Refusal::wrong_network);
}

TEST_F(TopologyAccept, RefusesAStaleEpoch) {
  const Bytes encoded = encode_topology(document());
  m_clock.advance(49s);  // still epoch 5 (its last second)
  EXPECT_TRUE(accept_topology(encoded, m_trust, m_clock).ok());
  m_clock.advance(1s);  // epoch 6
  const auto verdict = accept_topology(encoded, m_trust, m_clock);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.refusal(), Refusal::stale_epoch);
  EXPECT_NE(verdict.error().message.find("stale_epoch"), std::string::npos);
}

TEST_F(TopologyAccept, RefusesAnotherSchedule) {
  Topology t = testing::make_topology(5);
  t.epoch_start += 1s;
  testing::sign_by(t, m_keys, 2);
  EXPECT_EQ(refusal_of(t), Refusal::wrong_schedule);
  m_trust.schedule = EpochSchedule::make(testing::test_schedule().genesis(), 30s).value();
  EXPECT_EQ(refusal_of(document()), Refusal::wrong_schedule);
}

TEST_F(TopologyAccept, RefusesWhenOurClockIsBeforeGenesis) {
  m_clock.set_wall(testing::test_schedule().genesis() - 1s);
  EXPECT_EQ(refusal_of(document()), Refusal::clock_before_genesis);
}

TEST_F(TopologyAccept, RefusesABadDescriptorSignature) {
  Topology t = testing::make_topology(5);
  t.layers[1][0].address = testing::address_for(TransportKind::onion, 3);  // changed after the node signed
  testing::sign_by(t, m_keys, 3);                                          // the authorities signed it anyway
  EXPECT_EQ(refusal_of(t), Refusal::bad_descriptor_signature);
}

TEST_F(TopologyAccept, RefusesMalformedBytes) {
  Bytes encoded = encode_topology(document());
  encoded.push_back(0);
  const auto verdict = accept_topology(encoded, m_trust, m_clock);
  EXPECT_EQ(verdict.refusal(), Refusal::malformed);
  EXPECT_EQ(verdict.error().code, Errc::malformed);
  EXPECT_EQ(accept_topology(Bytes{}, m_trust, m_clock).refusal(), Refusal::malformed);
}

TEST_F(TopologyAccept, RefusesAnUnusableTrustConfig) {
  const Topology t = document(3);
  for (std::size_t threshold : {0u, 4u}) {
    m_trust.threshold = threshold;
    EXPECT_EQ(accept_topology(t, m_trust, m_clock).refusal(), Refusal::bad_trust_config);
  }
  m_trust.threshold = 2;
  m_trust.authorities.push_back(m_trust.authorities[0]);
  EXPECT_EQ(accept_topology(t, m_trust, m_clock).refusal(), Refusal::bad_trust_config);
  m_trust.authorities.clear();
  EXPECT_EQ(accept_topology(t, m_trust, m_clock).refusal(), Refusal::bad_trust_config);
}

TEST_F(TopologyAccept, EveryRefusalHasItsOwnName) {
  std::set<std::string> names;
  for (int r = 0; r <= static_cast<int>(Refusal::bad_descriptor_signature); ++r) {
    names.insert(refusal_name(static_cast<Refusal>(r)));
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(Refusal::bad_descriptor_signature) + 1);
}

}  // namespace
}  // namespace tenebra::router::directory
