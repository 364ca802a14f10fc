// Topology documents: the codec (round trips, strict decoding) and the
// signing helper. Acceptance is in topology_accept_test.cpp.
#include "tenebra/router/topology.hpp"

#include <gtest/gtest.h>

#include "directory_vectors_fixtures.hpp"

namespace tenebra::router::directory {
namespace {

Topology signed_topology(std::size_t signers = 2) {
  Topology t = testing::make_topology(5);
  testing::sign_by(t, testing::authorities(3), signers);
  return t;
}

// Encodes without any check (encode_topology checks nothing), so a test can
// feed the decoder documents that break one rule.
Result<Topology> reparse(const Topology& t) {
  return decode_topology(encode_topology(t));
}

TEST(Topology, RoundTrips) {
  for (const auto kind : {TransportKind::onion, TransportKind::i2p, TransportKind::tcp}) {
    Topology t = testing::make_topology(5, 3, kind);
    testing::sign_by(t, testing::authorities(3), 3);
    const Bytes encoded = encode_topology(t);
    auto decoded = decode_topology(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, t);
    EXPECT_EQ(encode_topology(*decoded), encoded);
  }
}

TEST(Topology, SignaturesStaySortedAndUnique) {
  Topology t = testing::make_topology(5);
  const auto keys = testing::authorities(4);
  for (const auto i : {2, 0, 3, 1}) ASSERT_TRUE(add_authority_signature(t, keys[static_cast<std::size_t>(i)]).ok());
  EXPECT_TRUE(check_signature_order(t).ok());
  EXPECT_FALSE(add_authority_signature(t, keys[1]).ok());
  EXPECT_EQ(t.signatures.size(), 4u);
}

TEST(Topology, SigningRefusesABrokenBody) {
  Topology t = testing::make_topology(5);
  t.network_id = "Bad Network";
  EXPECT_FALSE(add_authority_signature(t, testing::authorities(1)[0]).ok());
}

TEST(Topology, DecodeRejectsEveryTruncationAndTrailingBytes) {
  Topology t = testing::make_topology(5, 1);
  testing::sign_by(t, testing::authorities(2), 2);
  const Bytes encoded = encode_topology(t);
  for (std::size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_FALSE(decode_topology(ByteView(encoded).first(n)).ok()) << "prefix of " << n;
  }
  Bytes longer = encoded;
  longer.push_back(0);
  EXPECT_FALSE(decode_topology(longer).ok());
}

TEST(Topology, DecodeRejectsBodyRuleBreaks) {
  const Topology good = signed_topology();
  ASSERT_TRUE(reparse(good).ok());
  auto refused = [&](auto&& mutate) {
    Topology t = good;
    mutate(t);
    return !reparse(t).ok() && !check_topology_body(t).ok();
  };
  EXPECT_TRUE(refused([](Topology& t) { std::swap(t.providers[0], t.providers[1]); }));
  EXPECT_TRUE(refused([](Topology& t) { t.layers[1][1] = t.layers[1][0]; }));
  EXPECT_TRUE(refused([](Topology& t) { t.layers[0].clear(); }));
  EXPECT_TRUE(refused([](Topology& t) { t.providers.clear(); }));
  EXPECT_TRUE(refused([](Topology& t) { std::swap(t.layers[0], t.layers[1]); }));  // wrong layer numbers
  EXPECT_TRUE(refused([](Topology& t) { t.providers[0] = testing::make_node(Role::provider, 0, 0x10, 0, 6); }));
  EXPECT_TRUE(refused([](Topology& t) {
    // The same node in two lists.
    t.layers[2] = t.layers[1];
    for (auto& d : t.layers[2]) d.layer = 3;
  }));
  EXPECT_TRUE(refused([](Topology& t) { t.network_id = ""; }));
  EXPECT_TRUE(refused([](Topology& t) { t.network_id = std::string(33, 'a'); }));
  EXPECT_TRUE(refused([](Topology& t) { t.network_id = "UPPER"; }));
  EXPECT_TRUE(refused([](Topology& t) { t.epoch_length = std::chrono::seconds(0); }));
  EXPECT_TRUE(refused([](Topology& t) { t.geometry = mix::sphinx::Geometry::make(4, 2048).value(); }));
  EXPECT_TRUE(refused([](Topology& t) { t.rates.delay = Rate::from_micro_hz(0); }));
}

TEST(Topology, DecodeRejectsBadSignatureLists) {
  Topology dup = signed_topology();
  dup.signatures[1] = dup.signatures[0];
  EXPECT_FALSE(reparse(dup).ok());
  Topology unsorted = signed_topology();
  std::swap(unsorted.signatures[0], unsorted.signatures[1]);
  EXPECT_FALSE(reparse(unsorted).ok());
  Topology many = signed_topology();
  many.signatures.resize(kMaxAuthorities + 1);
  for (std::size_t i = 0; i < many.signatures.size(); ++i) many.signatures[i].signer[0] = static_cast<std::uint8_t>(i);
  EXPECT_FALSE(reparse(many).ok());
}

TEST(Topology, DecodeRejectsBadHeaderFields) {
  const Bytes encoded = encode_topology(signed_topology());
  auto with = [&](std::size_t offset, std::uint8_t value) {
    Bytes copy = encoded;
    copy[offset] = value;
    return decode_topology(copy);
  };
  EXPECT_EQ(with(0, 0x02).error().code, Errc::unsupported);
  EXPECT_FALSE(with(1, 0).ok());  // network id length
  EXPECT_FALSE(with(1, 0xFF).ok());
  const std::size_t after_id = 2 + std::string(testing::kTestNetwork).size();
  EXPECT_FALSE(with(after_id + 8, 0x80).ok());   // epoch start beyond 2262
  EXPECT_FALSE(with(after_id + 20, 4).ok());     // max hops below a full path
  EXPECT_FALSE(with(after_id + 20, 17).ok());    // max hops above the Sphinx bound
  EXPECT_FALSE(with(after_id + 21, 0xFF).ok());  // payload size above the bound
  EXPECT_TRUE(decode_topology(Bytes{}).error().code == Errc::malformed);
}

TEST(Topology, NetworkIdBytesArePadded) {
  const auto bytes = network_id_bytes("ab-1");
  EXPECT_EQ(to_hex(bytes), "61622d31" + std::string(56, '0'));
  EXPECT_NE(network_id_bytes("ab"), network_id_bytes("ab-"));
}

TEST(Topology, GarbageNeverCrashesAndDecodedInputsReencode) {
  DeterministicRandom rng(43);
  const Bytes valid = encode_topology(signed_topology());
  int decoded_count = 0;
  for (int round = 0; round < 3000; ++round) {
    Bytes input = valid;
    if (round % 3 == 0) {
      input.resize(rng.uniform(600));
      rng.fill(input);
    } else {
      input[rng.uniform(static_cast<std::uint32_t>(input.size()))] ^= static_cast<std::uint8_t>(1 + rng.uniform(255));
      if (round % 3 == 2) input.resize(rng.uniform(static_cast<std::uint32_t>(input.size())));
    }
    auto decoded = decode_topology(input);
    if (decoded) {
      ++decoded_count;
      EXPECT_EQ(encode_topology(*decoded), input);
    }
  }
  EXPECT_GT(decoded_count, 0);  // flips inside keys and signatures still decode
}

}  // namespace
}  // namespace tenebra::router::directory
