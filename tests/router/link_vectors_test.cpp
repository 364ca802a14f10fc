// Checks the implementation against tests/data/link_vectors.json: every byte
// of every handshake message, the key schedule, and every frame; and that
// exactly the documented randomness is used.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "link_test_util.hpp"

namespace tenebra::router::link {
namespace {

using mix::sphinx::Geometry;
using nlohmann::json;

const json& vectors() {
  static const json doc = [] {
    std::ifstream in(std::string(TENEBRA_TEST_DATA_DIR) + "/link_vectors.json");
    return json::parse(in);
  }();
  return doc;
}

Bytes hex(const json& j) {
  return from_hex(j.get<std::string>()).value();
}
std::string str(const json& j) {
  return j.get<std::string>();
}
std::uint64_t u64(const json& j) {
  return std::stoull(j.get<std::string>());
}
SecretKey32 key_from(const json& j) {
  return SecretKey32(std::span<const std::uint8_t, 32>(hex(j)));
}
IdentityKeyPair identity_from(const json& j) {
  return IdentityKeyPair::from_seed(std::span<const std::uint8_t, 32>(hex(j)));
}

struct VectorSetup {
  LinkConfig config;
  IdentityKeyPair responder;
  std::optional<IdentityKeyPair> initiator;
};

VectorSetup setup_from(const json& v) {
  VectorSetup s{{}, identity_from(v["responder_identity_seed"]), std::nullopt};
  s.config.network_id = array_from_hex<kNetworkIdBytes>(str(v["network_id"])).value();
  s.config.geometry = Geometry::make(v["max_hops"], v["payload_bytes"]).value();
  if (!v["initiator_identity_seed"].is_null()) s.initiator.emplace(identity_from(v["initiator_identity_seed"]));
  return s;
}

std::string label_hex(const Label& label) {
  return to_hex(ByteView(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
}

TEST(LinkVectors, Labels) {
  const json& l = vectors()["labels"];
  EXPECT_EQ(label_hex(kLabelTranscript), str(l["transcript"]));
  EXPECT_EQ(label_hex(kLabelHandshakeKey), str(l["handshake_key"]));
  EXPECT_EQ(label_hex(kLabelInitiatorKey), str(l["initiator_key"]));
  EXPECT_EQ(label_hex(kLabelResponderKey), str(l["responder_key"]));
  EXPECT_EQ(label_hex(kLabelResponderSignature), str(l["responder_signature"]));
  EXPECT_EQ(label_hex(kLabelInitiatorSignature), str(l["initiator_signature"]));
}

TEST(LinkVectors, HandshakeMessagesThroughSessions) {
  ASSERT_EQ(vectors()["handshakes"].size(), 3u);
  for (const auto& v : vectors()["handshakes"]) {
    SCOPED_TRACE(str(v["name"]));
    const VectorSetup s = setup_from(v);
    EXPECT_EQ(to_hex(s.responder.public_key), str(v["responder_identity"]));
    if (s.initiator) {
      EXPECT_EQ(to_hex(s.initiator->public_key), str(v["initiator_identity"]));
    }
    ScriptedRandom rng_i;
    rng_i.push(hex(v["initiator_ephemeral_secret"]));
    ScriptedRandom rng_r;
    rng_r.push(hex(v["responder_ephemeral_secret"]));
    auto initiator = LinkSession::initiator(s.config, s.responder.public_key, s.initiator ? &*s.initiator : nullptr);
    auto responder = LinkSession::responder(s.config, s.responder, testing::accept_all());
    const Bytes hello = initiator.start(rng_i).value();
    ASSERT_EQ(to_hex(hello), str(v["hello"]));
    const Bytes response = responder.on_handshake(hello, rng_r).value();
    ASSERT_EQ(to_hex(response), str(v["response"]));
    const Bytes confirm = initiator.on_handshake(response, rng_i).value();
    ASSERT_EQ(to_hex(confirm), str(v["confirm"]));
    ASSERT_TRUE(responder.on_handshake(confirm, rng_r).ok());
    EXPECT_EQ(rng_i.remaining(), 0u);
    EXPECT_EQ(rng_r.remaining(), 0u);
    EXPECT_EQ(to_hex(initiator.handshake_hash()), str(v["handshake_hash"]));
    EXPECT_EQ(to_hex(responder.handshake_hash()), str(v["handshake_hash"]));

    // The sessions' first frames open under the vector's keys.
    FrameOpener at_responder(s.config.geometry, key_from(v["key_initiator_to_responder"]));
    EXPECT_TRUE(at_responder.open(initiator.seal_padding()->bytes).ok());
    FrameOpener at_initiator(s.config.geometry, key_from(v["key_responder_to_initiator"]));
    EXPECT_TRUE(at_initiator.open(responder.seal_padding()->bytes).ok());
  }
}

TEST(LinkVectors, KeySchedule) {
  for (const auto& v : vectors()["handshakes"]) {
    SCOPED_TRACE(str(v["name"]));
    const VectorSetup s = setup_from(v);
    HandshakeState r = HandshakeState::make(s.config, s.responder.public_key);
    EXPECT_EQ(to_hex(r.hash), str(v["h0"]));
    ASSERT_TRUE(read_hello(r, hex(v["hello"])).ok());
    ScriptedRandom rng;
    rng.push(hex(v["responder_ephemeral_secret"]));
    ASSERT_TRUE(write_response(r, s.responder, rng).ok());
    EXPECT_EQ(to_hex(r.shared.view()), str(v["shared_secret"]));
    EXPECT_EQ(to_hex(r.handshake_key.view()), str(v["handshake_key"]));
    auto identity = read_confirm(r, hex(v["confirm"]));
    ASSERT_TRUE(identity.ok());
    EXPECT_EQ(identity->has_value(), s.initiator.has_value());
    const SessionKeys keys = split(r);
    EXPECT_EQ(to_hex(keys.initiator_to_responder.view()), str(v["key_initiator_to_responder"]));
    EXPECT_EQ(to_hex(keys.responder_to_initiator.view()), str(v["key_responder_to_initiator"]));
    EXPECT_EQ(to_hex(keys.handshake_hash), str(v["handshake_hash"]));
  }
}

TEST(LinkVectors, ResponseFailsForAnyOtherResponderKey) {
  const json& v = vectors()["handshakes"][0];
  const VectorSetup s = setup_from(v);
  const auto other = testing::identity_from_byte(0x77);
  ScriptedRandom rng;
  rng.push(hex(v["initiator_ephemeral_secret"]));
  auto initiator = LinkSession::initiator(s.config, other.public_key, nullptr);
  ASSERT_TRUE(initiator.start(rng).ok());
  auto out = initiator.on_handshake(hex(v["response"]), rng);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::crypto);
}

TEST(LinkVectors, Frames) {
  ASSERT_GE(vectors()["frames"].size(), 5u);
  for (const auto& v : vectors()["frames"]) {
    SCOPED_TRACE(str(v["type"]) + " at " + str(v["counter"]));
    const auto g = Geometry::make(v["max_hops"], v["payload_bytes"]).value();
    const std::uint64_t counter = u64(v["counter"]);
    FrameSealer sealer(g, key_from(v["key"]), counter);
    FrameOpener opener(g, key_from(v["key"]), counter);
    const std::string type = str(v["type"]);
    Result<SealedFrame> sealed = make_error(Errc::internal, "unknown vector type");
    std::vector<std::uint64_t> acks;
    if (type == "packet") {
      sealed = sealer.seal_packet(hex(v["packet"]));
    } else if (type == "ack") {
      for (const auto& a : v["acks"]) acks.push_back(u64(a));
      sealed = sealer.seal_ack(acks);
    } else {
      sealed = sealer.seal_padding();
    }
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(sealed->sequence, counter);
    ASSERT_EQ(to_hex(sealed->bytes), str(v["frame"]));
    EXPECT_EQ(sealed->bytes.size(), frame_bytes(g));
    auto frame = opener.open(hex(v["frame"]));
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(frame->sequence, counter);
    if (type == "packet") {
      EXPECT_EQ(to_hex(frame->packet), str(v["packet"]));
    }
    if (type == "ack") {
      EXPECT_EQ(frame->acks, acks);
    }
  }
}

}  // namespace
}  // namespace tenebra::router::link
