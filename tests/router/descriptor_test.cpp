// Node descriptors: round trips, address syntax, field rules, strict decoding
// and the self-signature.
#include "tenebra/router/descriptor.hpp"

#include <gtest/gtest.h>

#include "directory_vectors_fixtures.hpp"

namespace tenebra::router::directory {
namespace {

using testing::make_node;

const std::string kOnion = std::string(testing::kOnionHosts[0]);
const std::string kI2p = std::string(testing::kI2pHosts[0]);

TEST(Descriptor, RoundTripsEveryRoleAndTransport) {
  for (const auto kind : {TransportKind::onion, TransportKind::i2p, TransportKind::tcp}) {
    for (const auto& d : {make_node(Role::mix, 2, 0x30, 1, 7, kind), make_node(Role::provider, 0, 0x31, 2, 7, kind),
                          make_node(Role::authority, 0, 0x32, 3, 7, kind)}) {
      const Bytes encoded = encode_descriptor(d);
      auto decoded = decode_descriptor(encoded);
      ASSERT_TRUE(decoded.ok()) << decoded.error().message;
      EXPECT_EQ(*decoded, d);
      EXPECT_EQ(encode_descriptor(*decoded), encoded);
      EXPECT_TRUE(verify_descriptor(*decoded).ok());
      EXPECT_LE(encoded.size(), kMaxDescriptorBytes);
    }
  }
}

TEST(Descriptor, AcceptsWellFormedAddresses) {
  EXPECT_TRUE(check_address(TransportKind::onion, kOnion + ":1").ok());
  EXPECT_TRUE(check_address(TransportKind::onion, kOnion + ":65535").ok());
  EXPECT_TRUE(check_address(TransportKind::i2p, kI2p + ":443").ok());
  EXPECT_TRUE(check_address(TransportKind::tcp, "127.0.0.1:8080").ok());
}

TEST(Descriptor, RejectsMalformedAddresses) {
  std::string upper = kOnion;
  upper[0] = 'N';
  std::string i2p_noncanonical = kI2p;
  i2p_noncanonical[kI2pB32Chars - 1] = 'b';  // low bits set in the last base32 character
  const std::pair<TransportKind, std::string> bad[] = {
      {TransportKind::onion, ""},
      {TransportKind::onion, kOnion},
      {TransportKind::onion, kOnion + ":"},
      {TransportKind::onion, kOnion + ":0"},
      {TransportKind::onion, kOnion + ":080"},
      {TransportKind::onion, kOnion + ":65536"},
      {TransportKind::onion, kOnion + ":99999"},
      {TransportKind::onion, kOnion + ":+80"},
      {TransportKind::onion, kOnion + ":123456"},
      {TransportKind::onion, upper + ":80"},
      {TransportKind::onion, std::string(56, 'a') + ".onion:80"},  // version byte 0, not 3
      {TransportKind::onion, kOnion.substr(1) + ":80"},
      {TransportKind::onion, "a" + kOnion + ":80"},
      {TransportKind::onion, kI2p + ":80"},
      {TransportKind::onion, "127.0.0.1:80"},
      {TransportKind::i2p, i2p_noncanonical + ":80"},
      {TransportKind::i2p, kI2p.substr(1) + ":80"},
      {TransportKind::i2p, kOnion + ":80"},
      {TransportKind::tcp, "127.0.0.2:80"},
      {TransportKind::tcp, "localhost:80"},
      {TransportKind::tcp, "10.0.0.1:80"},
      {TransportKind::tcp, "127.0.0.1:80:80"},
      {TransportKind::tcp, std::string(80, '1') + ":80"},
      {TransportKind::tcp, std::string("127.0.0.1\0:80", 13)},
  };
  for (const auto& [kind, address] : bad) {
    EXPECT_FALSE(check_address(kind, address).ok()) << transport_name(kind) << " " << address;
  }
}

TEST(Descriptor, EnforcesFieldRules) {
  const Descriptor good = make_node(Role::mix, 1, 0x30, 0, 3);
  auto refused = [&](auto&& mutate) {
    Descriptor d = good;
    mutate(d);
    return !check_descriptor_fields(d).ok() && !sign_descriptor(d, testing::identity(0x30, 0)).ok();
  };
  EXPECT_TRUE(refused([](Descriptor& d) { d.layer = 0; }));
  EXPECT_TRUE(refused([](Descriptor& d) { d.layer = kMixLayers + 1; }));
  EXPECT_TRUE(refused([](Descriptor& d) { d.role = Role::provider; }));  // a provider has no layer
  EXPECT_TRUE(refused([](Descriptor& d) { d.role = static_cast<Role>(9); }));
  EXPECT_TRUE(refused([](Descriptor& d) { d.transport = static_cast<TransportKind>(0); }));
  EXPECT_TRUE(refused([](Descriptor& d) { d.sphinx_current = {}; }));
  EXPECT_TRUE(refused([](Descriptor& d) { d.sphinx_next = {}; }));
  EXPECT_TRUE(refused([](Descriptor& d) { d.epoch = UINT64_MAX; }));
  EXPECT_TRUE(refused([](Descriptor& d) { d.address = "127.0.0.1:1"; }));
  EXPECT_TRUE(refused([](Descriptor& d) {
    d.role = Role::authority;
    d.layer = 0;  // an authority must carry zero Sphinx keys
  }));
}

TEST(Descriptor, DecodeRejectsEveryTruncationAndTrailingBytes) {
  const Bytes encoded = encode_descriptor(make_node(Role::provider, 0, 0x30, 0, 3));
  for (std::size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_FALSE(decode_descriptor(ByteView(encoded).first(n)).ok()) << "prefix of " << n;
  }
  Bytes longer = encoded;
  longer.push_back(0);
  EXPECT_FALSE(decode_descriptor(longer).ok());
  EXPECT_FALSE(decode_descriptor(Bytes(kMaxDescriptorBytes + 1, 0x01)).ok());
}

TEST(Descriptor, DecodeRejectsUnknownVersionRoleTransportAndBadLengths) {
  const Bytes encoded = encode_descriptor(make_node(Role::mix, 3, 0x30, 0, 3));
  auto with = [&](std::size_t offset, std::uint8_t value) {
    Bytes copy = encoded;
    copy[offset] = value;
    return decode_descriptor(copy);
  };
  auto version = with(0, 0x02);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error().code, Errc::unsupported);
  EXPECT_FALSE(with(33, 0x00).ok());  // role
  EXPECT_FALSE(with(33, 0x04).ok());
  EXPECT_FALSE(with(34, 0x04).ok());                                        // layer
  EXPECT_FALSE(with(35, 0x04).ok());                                        // transport
  EXPECT_FALSE(with(36, static_cast<std::uint8_t>(encoded[36] - 1)).ok());  // address length
  EXPECT_FALSE(with(36, static_cast<std::uint8_t>(encoded[36] + 1)).ok());
  EXPECT_FALSE(with(36, 0xFF).ok());
}

TEST(Descriptor, SignatureCoversEveryByteAndTheIdentity) {
  const Descriptor d = make_node(Role::mix, 1, 0x30, 0, 3);
  const Bytes encoded = encode_descriptor(d);
  std::size_t checked = 0;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    Bytes copy = encoded;
    copy[i] ^= 0x01;
    auto decoded = decode_descriptor(copy);
    if (!decoded) continue;  // the flip broke the syntax
    EXPECT_FALSE(verify_descriptor(*decoded).ok()) << "byte " << i;
    ++checked;
  }
  EXPECT_GT(checked, encoded.size() / 2);
  Descriptor other = d;
  other.identity = testing::identity(0x30, 1).public_key;
  EXPECT_EQ(verify_descriptor(other).error().code, Errc::crypto);
}

TEST(Descriptor, GarbageNeverCrashesAndDecodedInputsReencode) {
  DeterministicRandom rng(42);
  const Bytes valid = encode_descriptor(make_node(Role::provider, 0, 0x30, 0, 3, TransportKind::tcp));
  for (int round = 0; round < 2000; ++round) {
    Bytes input = (round % 2 == 0) ? Bytes(rng.uniform(400)) : valid;
    if (round % 2 == 0) {
      rng.fill(input);
    } else {
      input[rng.uniform(static_cast<std::uint32_t>(input.size()))] = static_cast<std::uint8_t>(rng.uniform(256));
    }
    auto decoded = decode_descriptor(input);
    if (decoded) {
      EXPECT_EQ(encode_descriptor(*decoded), input);
    }
  }
}

}  // namespace
}  // namespace tenebra::router::directory
