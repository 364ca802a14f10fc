// Generates tests/data/sphinx_vectors.json (known answers for docs/sphinx.md)
// and seed corpora for the Sphinx fuzzers, from fixed seeds.
//   make_sphinx_vectors VECTORS_JSON [CORPUS_DIR]
// Run by hand when the format changes (it never changes silently: the vector
// test fails first), then review the diff.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../../mix/src/hop_keys.hpp"
#include "sphinx_test_util.hpp"
#include "sphinx_vector_json.hpp"
#include "tenebra/core/sodium.hpp"
#include "tenebra/mix/lioness.hpp"
#include "tenebra/mix/surb.hpp"

using namespace tenebra;
using namespace tenebra::mix::sphinx;
using nlohmann::json;

namespace {

Bytes draw(Random& rng, std::size_t n) {
  Bytes out(n);
  rng.fill(out);
  return out;
}

json hops_json(std::span<const testing::TestNode> nodes, std::span<const PathHop> path) {
  json hops = json::array();
  for (std::size_t i = 0; i < path.size(); ++i) {
    hops.push_back({{"node_id", to_hex(nodes[i].id)},
                    {"secret_key", to_hex(nodes[i].keys.secret.view())},
                    {"public_key", to_hex(nodes[i].keys.public_key)},
                    {"command", testing::command_to_json(path[i].command)}});
  }
  return hops;
}

// Peels `packet` along `nodes`, recording each hop's tag and output.
json unwrap_trace(const Geometry& g, std::span<const testing::TestNode> nodes, Bytes packet) {
  json trace = json::array();
  for (const auto& node : nodes) {
    auto out = unwrap(g, node.keys, packet);
    json step = {{"replay_tag", to_hex(*out.tag)}};
    if (auto* fwd = std::get_if<Forward>(&out.action)) {
      step["forward"] = to_hex(fwd->packet);
      packet = fwd->packet;
    } else if (auto* deliver = std::get_if<Deliver>(&out.action)) {
      step["deliver"] = to_hex(deliver->payload);
    } else if (auto* reply = std::get_if<Reply>(&out.action)) {
      step["reply_block"] = to_hex(reply->payload_block);
    }
    trace.push_back(step);
  }
  return trace;
}

json packet_vector(const std::string& name, const Geometry& g, std::size_t hop_count, std::uint64_t seed,
                   std::vector<Bytes>* seeds_out) {
  DeterministicRandom rng(seed);
  const auto nodes = testing::make_nodes(hop_count, rng);
  const auto mailbox = testing::mailbox_from(rng);
  const auto path = testing::make_path(nodes, DeliverCommand{mailbox});
  const Bytes payload = draw(rng, g.payload_bytes() / 2 + hop_count);
  const Bytes randomness = draw(rng, kKeyBytes + g.routing_bytes() - hop_count * kSlotBytes);
  ScriptedRandom scripted;
  scripted.push(randomness);
  const Bytes packet = create_packet(g, path, payload, scripted).value();
  if (seeds_out != nullptr) seeds_out->push_back(packet);
  return {{"name", name},
          {"max_hops", g.max_hops()},
          {"payload_bytes", g.payload_bytes()},
          {"hops", hops_json(nodes, path)},
          {"payload", to_hex(payload)},
          {"randomness", to_hex(randomness)},
          {"packet", to_hex(packet)},
          {"unwrap", unwrap_trace(g, nodes, packet)}};
}

json surb_vector(const std::string& name, const Geometry& g, std::size_t hop_count, std::uint64_t seed) {
  DeterministicRandom rng(seed);
  const auto nodes = testing::make_nodes(hop_count, rng);
  const auto mailbox = testing::mailbox_from(rng);
  SurbId surb_id{};
  rng.fill(surb_id);
  const auto path = testing::make_path(nodes, SurbReplyCommand{mailbox, surb_id});
  const Bytes randomness = draw(rng, kKeyBytes + g.routing_bytes() - hop_count * kSlotBytes + kKeyBytes);
  ScriptedRandom scripted;
  scripted.push(randomness);
  auto made = create_surb(g, nodes[0].id, path, scripted).value();
  const Bytes answer = draw(rng, 20);
  const Bytes reply = create_surb_reply(g, made.surb, answer).value();
  auto trace = unwrap_trace(g, nodes, reply);
  const Bytes block = from_hex(trace.back()["reply_block"].get<std::string>()).value();
  return {{"name", name},
          {"max_hops", g.max_hops()},
          {"payload_bytes", g.payload_bytes()},
          {"first_hop", to_hex(nodes[0].id)},
          {"hops", hops_json(nodes, path)},
          {"randomness", to_hex(randomness)},
          {"surb", to_hex(encode_surb(made.surb))},
          {"reply_payload", to_hex(answer)},
          {"reply_packet", to_hex(reply)},
          {"unwrap", trace},
          {"opened", to_hex(open_surb_reply(g, made.keys, block).value())}};
}

json key_schedule_vector(std::uint64_t seed) {
  DeterministicRandom rng(seed);
  SecretKey32 shared;
  rng.fill(shared.span());
  PublicKey alpha{};
  rng.fill(alpha);
  const auto keys = detail::derive_hop_keys(shared);
  Bytes stream(64);
  detail::header_stream(keys.stream, stream);
  const Bytes mac_input = draw(rng, 40);
  return {{"shared_secret", to_hex(shared.view())},
          {"alpha", to_hex(alpha)},
          {"mac_key", to_hex(keys.mac.view())},
          {"stream_key", to_hex(keys.stream.view())},
          {"payload_key", to_hex(keys.payload.view())},
          {"replay_tag", to_hex(keys.replay_tag)},
          {"blinding_factor", to_hex(detail::blinding_factor(shared, alpha).view())},
          {"stream_first_64", to_hex(stream)},
          {"mac_input", to_hex(mac_input)},
          {"mac", to_hex(detail::header_mac(keys.mac, mac_input))}};
}

json lioness_vector(std::uint64_t seed, std::size_t size) {
  DeterministicRandom rng(seed);
  SecretKey32 key;
  rng.fill(key.span());
  const Bytes plain = draw(rng, size);
  Bytes cipher = plain;
  lioness_encrypt(key, cipher);
  return {{"key", to_hex(key.view())}, {"plaintext", to_hex(plain)}, {"ciphertext", to_hex(cipher)}};
}

// Packets a node must drop, one per drop reason that bytes alone can cause.
json drop_vectors(const Geometry& g, std::uint64_t seed) {
  DeterministicRandom rng(seed);
  const auto nodes = testing::make_nodes(2, rng);
  const auto path = testing::make_path(nodes, DeliverCommand{testing::mailbox_from(rng)});
  const Bytes good = create_packet(g, path, Bytes{'d', 'r', 'o', 'p'}, rng).value();
  const Bytes at_second = std::get<Forward>(unwrap(g, nodes[0].keys, good).action).packet;
  json drops = json::array();
  auto add = [&](const std::string& reason, std::size_t hop, Bytes packet) {
    drops.push_back({{"reason", reason},
                     {"max_hops", g.max_hops()},
                     {"payload_bytes", g.payload_bytes()},
                     {"node_secret_key", to_hex(nodes[hop].keys.secret.view())},
                     {"packet", to_hex(packet)}});
  };
  add("bad_length", 0, Bytes(good.begin(), good.end() - 1));
  Bytes v = good;
  v[0] = 0x02;
  add("bad_version", 0, v);
  Bytes zero_alpha = good;
  std::fill(zero_alpha.begin() + 1, zero_alpha.begin() + 1 + kGroupElementBytes, 0);
  add("bad_group_element", 0, zero_alpha);
  Bytes flipped_beta = good;
  flipped_beta[1 + kGroupElementBytes + 5] ^= 0x01;
  add("bad_mac", 0, flipped_beta);
  Bytes flipped_payload = at_second;
  flipped_payload[g.header_bytes() + 3] ^= 0x01;
  add("bad_payload", 1, flipped_payload);
  return drops;
}

void write_seed(const std::filesystem::path& dir, const std::string& name, ByteView bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !init_sodium()) {
    std::fprintf(stderr, "usage: make_sphinx_vectors VECTORS_JSON [CORPUS_DIR]\n");
    return 2;
  }
  const auto small = Geometry::make(3, kMinPayloadBytes).value();
  const auto standard = Geometry::default_geometry();
  std::vector<Bytes> small_packets;
  json commands = json::array();
  for (const Command& c : {Command{RelayCommand{NodeId{1, 2, 3}, Delay(1500)}}, Command{DeliverCommand{MailboxId{9}}},
                           Command{SurbReplyCommand{MailboxId{7}, SurbId{8}}}}) {
    commands.push_back({{"command", testing::command_to_json(c)}, {"encoded", to_hex(encode_command(c))}});
  }
  json doc = {
      {"about",
       "Known-answer vectors for docs/sphinx.md. Hex strings; 'randomness' is consumed in the order "
       "the spec gives (ephemeral secret, padding, then for SURBs the payload key)."},
      {"commands", commands},
      {"key_schedule", json::array({key_schedule_vector(1), key_schedule_vector(2)})},
      {"lioness", json::array({lioness_vector(3, 33), lioness_vector(4, 80)})},
      {"packets", json::array({packet_vector("small-1-hop", small, 1, 10, &small_packets),
                               packet_vector("small-2-of-3-hops", small, 2, 16, &small_packets),
                               packet_vector("small-3-hops", small, 3, 11, &small_packets),
                               packet_vector("default-5-hops", standard, 5, 12, nullptr)})},
      {"surbs", json::array({surb_vector("surb-3-hops", small, 3, 13), surb_vector("surb-2-of-3-hops", small, 2, 14)})},
      {"drops", drop_vectors(small, 15)},
  };
  std::ofstream(argv[1]) << doc.dump(1) << "\n";

  if (argc >= 3) {
    const std::filesystem::path corpus = argv[2];
    // Unwrap seeds: packets for the fuzzer's fixed key (secret 0x42...).
    std::array<std::uint8_t, 32> secret{};
    secret.fill(0x42);
    const auto fuzz_key = NodeKeyPair::from_secret(secret).value();
    const auto fuzz_geometry = Geometry::make(2, kMinPayloadBytes).value();
    DeterministicRandom rng(99);
    for (int i = 0; i < 2; ++i) {
      PathHop hops[2];
      hops[0] = {fuzz_key.public_key, RelayCommand{NodeId{5}, Delay(10)}};
      hops[1] = {NodeKeyPair::generate(rng).public_key, DeliverCommand{}};
      const Bytes payload{'s', 'e', 'e', 'd'};
      std::span<const PathHop> path(hops, i == 0 ? 2 : 1);
      if (i == 1) hops[0].command = DeliverCommand{MailboxId{3}};
      write_seed(corpus / "fuzz_sphinx_unwrap", "valid-" + std::to_string(i),
                 create_packet(fuzz_geometry, path, payload, rng).value());
    }
    for (const auto& c : commands)
      write_seed(corpus / "fuzz_sphinx_command", c["command"]["type"], testing::hex(c["encoded"]));
    DeterministicRandom surb_rng(98);
    auto surb_nodes = testing::make_nodes(2, surb_rng);
    auto made =
        create_surb(fuzz_geometry, surb_nodes[0].id, testing::make_path(surb_nodes, SurbReplyCommand{}), surb_rng)
            .value();
    write_seed(corpus / "fuzz_surb_decode", "valid", encode_surb(made.surb));
    for (int i = 0; i < 3; ++i)
      write_seed(corpus / "fuzz_sphinx_roundtrip", "seed-" + std::to_string(i), draw(surb_rng, 64 + 100 * i));
  }
  return 0;
}
