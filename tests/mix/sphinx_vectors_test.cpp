// Checks the implementation against tests/data/sphinx_vectors.json: every
// byte of every vector, and that exactly the documented randomness is used.
#include <gtest/gtest.h>

#include <fstream>

#include "../../mix/src/hop_keys.hpp"
#include "sphinx_vector_json.hpp"
#include "tenebra/mix/lioness.hpp"
#include "tenebra/mix/surb.hpp"

namespace tenebra::mix::sphinx {
namespace {

using nlohmann::json;
using testing::hex;

const json& vectors() {
  static const json doc = [] {
    std::ifstream in(std::string(TENEBRA_TEST_DATA_DIR) + "/sphinx_vectors.json");
    return json::parse(in);
  }();
  return doc;
}

SecretKey32 key_from(const json& j) {
  return SecretKey32(std::span<const std::uint8_t, 32>(hex(j)));
}

struct VectorPath {
  std::vector<NodeKeyPair> keys;
  std::vector<PathHop> path;
};

VectorPath load_path(const json& hops) {
  VectorPath out;
  for (const auto& hop : hops) {
    auto pair = NodeKeyPair::from_secret(std::span<const std::uint8_t, 32>(hex(hop["secret_key"]))).value();
    EXPECT_EQ(to_hex(pair.public_key), hop["public_key"].get<std::string>());
    out.path.push_back({pair.public_key, testing::command_from_json(hop["command"])});
    out.keys.push_back(std::move(pair));
  }
  return out;
}

void check_trace(const Geometry& g, const VectorPath& p, Bytes packet, const json& trace) {
  ASSERT_EQ(trace.size(), p.keys.size());
  for (std::size_t i = 0; i < p.keys.size(); ++i) {
    auto out = unwrap(g, p.keys[i], packet);
    ASSERT_TRUE(out.tag.has_value());
    EXPECT_EQ(to_hex(*out.tag), trace[i]["replay_tag"].get<std::string>()) << "hop " << i;
    if (trace[i].contains("forward")) {
      ASSERT_TRUE(std::holds_alternative<Forward>(out.action)) << "hop " << i;
      packet = std::get<Forward>(out.action).packet;
      ASSERT_EQ(to_hex(packet), trace[i]["forward"].get<std::string>()) << "hop " << i;
    } else if (trace[i].contains("deliver")) {
      ASSERT_TRUE(std::holds_alternative<Deliver>(out.action));
      EXPECT_EQ(to_hex(std::get<Deliver>(out.action).payload), trace[i]["deliver"].get<std::string>());
    } else {
      ASSERT_TRUE(std::holds_alternative<Reply>(out.action));
      EXPECT_EQ(to_hex(std::get<Reply>(out.action).payload_block), trace[i]["reply_block"].get<std::string>());
    }
  }
}

TEST(SphinxVectors, Commands) {
  for (const auto& v : vectors()["commands"]) {
    EXPECT_EQ(to_hex(encode_command(testing::command_from_json(v["command"]))), v["encoded"].get<std::string>());
    EXPECT_TRUE(decode_command(hex(v["encoded"])).ok());
  }
}

TEST(SphinxVectors, KeySchedule) {
  for (const auto& v : vectors()["key_schedule"]) {
    const SecretKey32 shared = key_from(v["shared_secret"]);
    const auto keys = detail::derive_hop_keys(shared);
    EXPECT_EQ(to_hex(keys.mac.view()), v["mac_key"].get<std::string>());
    EXPECT_EQ(to_hex(keys.stream.view()), v["stream_key"].get<std::string>());
    EXPECT_EQ(to_hex(keys.payload.view()), v["payload_key"].get<std::string>());
    EXPECT_EQ(to_hex(keys.replay_tag), v["replay_tag"].get<std::string>());
    const auto alpha = array_from_hex<32>(v["alpha"].get<std::string>()).value();
    EXPECT_EQ(to_hex(detail::blinding_factor(shared, alpha).view()), v["blinding_factor"].get<std::string>());
    Bytes stream(64);
    detail::header_stream(keys.stream, stream);
    EXPECT_EQ(to_hex(stream), v["stream_first_64"].get<std::string>());
    EXPECT_EQ(to_hex(detail::header_mac(keys.mac, hex(v["mac_input"]))), v["mac"].get<std::string>());
  }
}

TEST(SphinxVectors, Lioness) {
  for (const auto& v : vectors()["lioness"]) {
    Bytes block = hex(v["plaintext"]);
    lioness_encrypt(key_from(v["key"]), block);
    EXPECT_EQ(to_hex(block), v["ciphertext"].get<std::string>());
    lioness_decrypt(key_from(v["key"]), block);
    EXPECT_EQ(to_hex(block), v["plaintext"].get<std::string>());
  }
}

TEST(SphinxVectors, Packets) {
  ASSERT_GE(vectors()["packets"].size(), 3u);
  for (const auto& v : vectors()["packets"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    const auto g = Geometry::make(v["max_hops"], v["payload_bytes"]).value();
    const auto p = load_path(v["hops"]);
    ScriptedRandom rng;
    rng.push(hex(v["randomness"]));
    auto packet = create_packet(g, p.path, hex(v["payload"]), rng);
    ASSERT_TRUE(packet.ok());
    EXPECT_EQ(rng.remaining(), 0u) << "the spec's randomness was not all consumed";
    ASSERT_EQ(to_hex(*packet), v["packet"].get<std::string>());
    check_trace(g, p, *packet, v["unwrap"]);
  }
}

TEST(SphinxVectors, Surbs) {
  for (const auto& v : vectors()["surbs"]) {
    const auto g = Geometry::make(v["max_hops"], v["payload_bytes"]).value();
    const auto p = load_path(v["hops"]);
    ScriptedRandom rng;
    rng.push(hex(v["randomness"]));
    auto made = create_surb(g, array_from_hex<kNodeIdBytes>(v["first_hop"].get<std::string>()).value(), p.path, rng);
    ASSERT_TRUE(made.ok());
    EXPECT_EQ(rng.remaining(), 0u);
    EXPECT_EQ(to_hex(encode_surb(made->surb)), v["surb"].get<std::string>());
    auto reply = create_surb_reply(g, made->surb, hex(v["reply_payload"])).value();
    ASSERT_EQ(to_hex(reply), v["reply_packet"].get<std::string>());
    check_trace(g, p, reply, v["unwrap"]);
    auto opened = open_surb_reply(g, made->keys, hex(v["unwrap"].back()["reply_block"]));
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(to_hex(*opened), v["opened"].get<std::string>());
  }
}

TEST(SphinxVectors, Drops) {
  ASSERT_EQ(vectors()["drops"].size(), 5u);
  for (const auto& v : vectors()["drops"]) {
    SCOPED_TRACE(v["reason"].get<std::string>());
    const auto g = Geometry::make(v["max_hops"], v["payload_bytes"]).value();
    const auto key = NodeKeyPair::from_secret(std::span<const std::uint8_t, 32>(hex(v["node_secret_key"]))).value();
    const auto out = unwrap(g, key, hex(v["packet"]));
    ASSERT_TRUE(out.dropped());
    EXPECT_EQ(drop_reason_name(std::get<Drop>(out.action).reason), v["reason"].get<std::string>());
  }
}

}  // namespace
}  // namespace tenebra::mix::sphinx
