// Link layer benchmarks: sealing and opening one frame of the default
// geometry (one Sphinx packet, 2556 bytes on the wire), and one complete
// handshake (both ends, identified initiator) for scale.
#include <benchmark/benchmark.h>

#include "tenebra/router/link_session.hpp"

namespace {

using namespace tenebra;
using namespace tenebra::router::link;
using mix::sphinx::Geometry;

SecretKey32 bench_key() {
  SecretKey32 key;
  SystemRandom().fill(key.span());
  return key;
}

void BM_LinkFrameSeal(benchmark::State& state) {
  const Geometry g = Geometry::default_geometry();
  FrameSealer sealer(g, bench_key());
  Bytes packet(g.packet_bytes());
  SystemRandom().fill(packet);
  for (auto _ : state) {
    auto frame = sealer.seal_packet(packet);
    benchmark::DoNotOptimize(frame);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(frame_bytes(g)));
}
BENCHMARK(BM_LinkFrameSeal);

void BM_LinkFrameOpen(benchmark::State& state) {
  const Geometry g = Geometry::default_geometry();
  const SecretKey32 key = bench_key();
  FrameSealer sealer(g, key.clone());
  Bytes packet(g.packet_bytes());
  SystemRandom().fill(packet);
  const Bytes wire = sealer.seal_packet(packet).value().bytes;
  for (auto _ : state) {
    FrameOpener opener(g, key.clone());  // counter 0 again: the same frame opens every time
    auto frame = opener.open(wire);
    benchmark::DoNotOptimize(frame);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(frame_bytes(g)));
}
BENCHMARK(BM_LinkFrameOpen);

void BM_LinkHandshake(benchmark::State& state) {
  SystemRandom rng;
  const auto node_a = IdentityKeyPair::generate(rng);
  const auto node_b = IdentityKeyPair::generate(rng);
  const LinkConfig config{};
  ResponderPolicy policy;
  policy.accept_identity = [](const IdentityPublicKey&) { return true; };
  for (auto _ : state) {
    auto initiator = LinkSession::initiator(config, node_b.public_key, &node_a);
    auto responder = LinkSession::responder(config, node_b, policy);
    auto hello = initiator.start(rng);
    auto response = responder.on_handshake(*hello, rng);
    auto confirm = initiator.on_handshake(*response, rng);
    auto done = responder.on_handshake(*confirm, rng);
    if (!done || !initiator.established()) state.SkipWithError("handshake failed");
    benchmark::DoNotOptimize(done);
  }
}
BENCHMARK(BM_LinkHandshake);

}  // namespace
