// Generates tests/data/link_vectors.json (known answers for docs/link.md)
// and the seed corpora of the link fuzzers, from fixed seeds.
//   make_link_vectors VECTORS_JSON [CORPUS_ROOT]
// CORPUS_ROOT is tests/fuzz/corpus: seeds go to fuzz_link_handshake/ and
// fuzz_link_frame/ below it. Run by hand when the protocol changes (the
// vector test fails first), then review the diff. Built by
// tests/router/link_vectors.cmake.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "link_test_util.hpp"
#include "tenebra/core/sodium.hpp"

using namespace tenebra;
using namespace tenebra::router::link;
using mix::sphinx::Geometry;
using nlohmann::json;

namespace {

Bytes draw(Random& rng, std::size_t n) {
  Bytes out(n);
  rng.fill(out);
  return out;
}

struct Seeds {
  std::vector<std::pair<std::string, Bytes>> handshake;
  std::vector<std::pair<std::string, Bytes>> frame;
};

json handshake_vector(const std::string& name, const Geometry& g, bool identified, std::uint64_t seed, Seeds& seeds) {
  DeterministicRandom rng(seed);
  LinkConfig config;
  rng.fill(config.network_id);
  config.geometry = g;
  const Bytes initiator_seed = draw(rng, kIdentitySeedBytes);
  const Bytes responder_seed = draw(rng, kIdentitySeedBytes);
  const Bytes initiator_ephemeral = draw(rng, kKeyBytes);
  const Bytes responder_ephemeral = draw(rng, kKeyBytes);
  const auto initiator_id = IdentityKeyPair::from_seed(std::span<const std::uint8_t, 32>(initiator_seed));
  const auto responder_id = IdentityKeyPair::from_seed(std::span<const std::uint8_t, 32>(responder_seed));

  ScriptedRandom scripted;
  scripted.push(initiator_ephemeral);
  scripted.push(responder_ephemeral);
  HandshakeState i = HandshakeState::make(config, responder_id.public_key);
  HandshakeState r = HandshakeState::make(config, responder_id.public_key);
  const json h0 = to_hex(i.hash);
  const Bytes hello = write_hello(i, scripted);
  if (!read_hello(r, hello).ok()) std::abort();
  const Bytes response = write_response(r, responder_id, scripted).value();
  const json shared = to_hex(r.shared.view());
  const json handshake_key = to_hex(r.handshake_key.view());
  if (!read_response(i, response, responder_id.public_key).ok()) std::abort();
  const Bytes confirm = write_confirm(i, identified ? &initiator_id : nullptr);
  if (!read_confirm(r, confirm).ok()) std::abort();
  const SessionKeys ki = split(i);
  const SessionKeys kr = split(r);
  if (!ki.initiator_to_responder.equals(kr.initiator_to_responder) || ki.handshake_hash != kr.handshake_hash) {
    std::abort();
  }
  seeds.handshake.push_back({name + "_hello_confirm", [&] {
                               Bytes both = hello;
                               both.insert(both.end(), confirm.begin(), confirm.end());
                               return both;
                             }()});
  seeds.handshake.push_back({name + "_response", response});
  return {{"name", name},
          {"network_id", to_hex(config.network_id)},
          {"max_hops", g.max_hops()},
          {"payload_bytes", g.payload_bytes()},
          {"initiator_identity_seed", identified ? json(to_hex(initiator_seed)) : json(nullptr)},
          {"initiator_identity", identified ? json(to_hex(initiator_id.public_key)) : json(nullptr)},
          {"responder_identity_seed", to_hex(responder_seed)},
          {"responder_identity", to_hex(responder_id.public_key)},
          {"initiator_ephemeral_secret", to_hex(initiator_ephemeral)},
          {"responder_ephemeral_secret", to_hex(responder_ephemeral)},
          {"h0", h0},
          {"hello", to_hex(hello)},
          {"shared_secret", shared},
          {"handshake_key", handshake_key},
          {"response", to_hex(response)},
          {"confirm", to_hex(confirm)},
          {"handshake_hash", to_hex(ki.handshake_hash)},
          {"key_initiator_to_responder", to_hex(ki.initiator_to_responder.view())},
          {"key_responder_to_initiator", to_hex(ki.responder_to_initiator.view())}};
}

json frame_vector(const Geometry& g, std::uint64_t counter, FrameType type, std::uint64_t seed, Seeds& seeds) {
  DeterministicRandom rng(seed);
  const Bytes key_bytes = draw(rng, kKeyBytes);
  FrameSealer sealer(g, SecretKey32(std::span<const std::uint8_t, 32>(key_bytes)), counter);
  json out = {{"max_hops", g.max_hops()},
              {"payload_bytes", g.payload_bytes()},
              {"key", to_hex(key_bytes)},
              {"counter", std::to_string(counter)}};
  SealedFrame frame;
  if (type == FrameType::packet) {
    const Bytes packet = draw(rng, g.packet_bytes());
    out["type"] = "packet";
    out["packet"] = to_hex(packet);
    frame = sealer.seal_packet(packet).value();
  } else if (type == FrameType::ack) {
    const std::vector<std::uint64_t> acks = {0, 1, counter + 5};
    out["type"] = "ack";
    out["acks"] = json::array();
    for (const auto a : acks) out["acks"].push_back(std::to_string(a));
    frame = sealer.seal_ack(acks).value();
  } else {
    out["type"] = "padding";
    frame = sealer.seal_padding().value();
  }
  out["frame"] = to_hex(frame.bytes);
  if (counter == 0) {  // fuzz_link_frame: mode byte 0x00 (open the wire bytes), then the frame
    Bytes corpus_seed{0x00};
    corpus_seed.insert(corpus_seed.end(), frame.bytes.begin(), frame.bytes.end());
    seeds.frame.push_back({std::string(out["type"]) + "_" + std::to_string(g.packet_bytes()), corpus_seed});
  }
  return out;
}

json labels() {
  json out;
  auto hex = [](const Label& l) { return to_hex(ByteView(reinterpret_cast<const std::uint8_t*>(l.data()), l.size())); };
  out["transcript"] = hex(kLabelTranscript);
  out["handshake_key"] = hex(kLabelHandshakeKey);
  out["initiator_key"] = hex(kLabelInitiatorKey);
  out["responder_key"] = hex(kLabelResponderKey);
  out["responder_signature"] = hex(kLabelResponderSignature);
  out["initiator_signature"] = hex(kLabelInitiatorSignature);
  return out;
}

void write_seeds(const std::filesystem::path& dir, const std::vector<std::pair<std::string, Bytes>>& seeds) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, bytes] : seeds) {
    std::ofstream out(dir / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: make_link_vectors VECTORS_JSON [CORPUS_ROOT]\n";
    return 2;
  }
  if (!init_sodium().ok()) return 1;
  const Geometry small = Geometry::make(1, mix::sphinx::kMinPayloadBytes).value();
  const Geometry standard = Geometry::default_geometry();
  Seeds seeds;
  json doc;
  doc["about"] =
      "Known-answer vectors for docs/link.md. Hex strings; counters and ack sequence numbers are decimal strings "
      "(u64). Randomness: the initiator's ephemeral secret, then the responder's.";
  doc["labels"] = labels();
  doc["handshakes"] = json::array({handshake_vector("identified_default", standard, true, 1, seeds),
                                   handshake_vector("anonymous_default", standard, false, 2, seeds),
                                   handshake_vector("identified_small", small, true, 3, seeds)});
  doc["frames"] = json::array({frame_vector(small, 0, FrameType::packet, 10, seeds),
                               frame_vector(small, 0, FrameType::padding, 11, seeds),
                               frame_vector(small, 0, FrameType::ack, 12, seeds),
                               frame_vector(small, 0x0102030405060708ULL, FrameType::packet, 13, seeds),
                               frame_vector(standard, 0, FrameType::padding, 14, seeds),
                               frame_vector(standard, kMaxFrameCounter - 1, FrameType::padding, 15, seeds)});
  // fuzz_link_handshake: a hello and confirm that its responder (identity
  // seed 0x42.., randomness DeterministicRandom(1)) accepts, so the fuzzer
  // starts from an established session too.
  {
    const auto fuzz_responder = testing::identity_from_byte(0x42);
    DeterministicRandom initiator_rng(5);
    DeterministicRandom responder_rng(1);
    auto initiator = LinkSession::initiator(LinkConfig{}, fuzz_responder.public_key, nullptr);
    auto responder = LinkSession::responder(LinkConfig{}, fuzz_responder, testing::accept_all());
    Bytes both = initiator.start(initiator_rng).value();
    const Bytes confirm =
        initiator.on_handshake(responder.on_handshake(both, responder_rng).value(), initiator_rng).value();
    if (!responder.on_handshake(confirm, responder_rng).ok()) std::abort();
    both.insert(both.end(), confirm.begin(), confirm.end());
    seeds.handshake.push_back({"fuzz_responder_established", both});
  }
  // fuzz_link_frame raw mode (0x01): plaintexts the harness seals itself.
  seeds.frame.push_back({"raw_ack", {0x01, 0x03, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9}});
  seeds.frame.push_back({"raw_padding", {0x01, 0x02}});
  seeds.frame.push_back({"raw_packet", {0x01, 0x01, 0xde, 0xad, 0xbe, 0xef}});
  std::ofstream(argv[1]) << doc.dump(1) << "\n";
  if (argc > 2) {
    write_seeds(std::filesystem::path(argv[2]) / "fuzz_link_handshake", seeds.handshake);
    write_seeds(std::filesystem::path(argv[2]) / "fuzz_link_frame", seeds.frame);
  }
  return 0;
}
