// Sphinx benchmarks. The baseline is BM_X25519 (one crypto_scalarmult):
// a per-hop unwrap needs two, so BM_SphinxUnwrap / BM_X25519 >= 2 and the
// target is <= 2.5. BM_Ristretto255 is the alternative group, measured in the
// same run to justify the choice of X25519 (docs/sphinx.md).
#include <benchmark/benchmark.h>
#include <sodium.h>

#include "tenebra/mix/lioness.hpp"
#include "tenebra/mix/surb.hpp"

namespace {

using namespace tenebra;
using namespace tenebra::mix::sphinx;

struct Network {
  Geometry geometry = Geometry::default_geometry();
  SystemRandom rng;
  std::vector<NodeId> ids;
  std::vector<NodeKeyPair> keys;
  std::vector<PathHop> path;

  explicit Network(const Command& last) {
    for (std::size_t i = 0; i < geometry.max_hops(); ++i) {
      ids.emplace_back();
      rng.fill(ids.back());
      keys.push_back(NodeKeyPair::generate(rng));
    }
    for (std::size_t i = 0; i < geometry.max_hops(); ++i) {
      const Command cmd = i + 1 < geometry.max_hops() ? Command{RelayCommand{ids[i + 1], Delay(50)}} : last;
      path.push_back({keys[i].public_key, cmd});
    }
  }
};

void BM_X25519(benchmark::State& state) {
  std::uint8_t scalar[32], point[32], out[32];
  randombytes_buf(scalar, sizeof scalar);
  crypto_scalarmult_base(point, scalar);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_scalarmult(out, scalar, point));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_X25519);

void BM_Ristretto255(benchmark::State& state) {
  std::uint8_t scalar[crypto_scalarmult_ristretto255_SCALARBYTES];
  std::uint8_t point[crypto_scalarmult_ristretto255_BYTES], out[crypto_scalarmult_ristretto255_BYTES];
  crypto_core_ristretto255_scalar_random(scalar);
  crypto_scalarmult_ristretto255_base(point, scalar);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_scalarmult_ristretto255(out, scalar, point));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Ristretto255);

// One hop of a 5-hop packet with the default geometry (the entry hop).
void BM_SphinxUnwrap(benchmark::State& state) {
  Network net(DeliverCommand{});
  const Bytes payload(net.geometry.payload_bytes(), 0x61);
  const Bytes packet = create_packet(net.geometry, net.path, payload, net.rng).value();
  for (auto _ : state) {
    auto out = unwrap(net.geometry, net.keys[0], packet);
    if (out.dropped()) state.SkipWithError("unwrap dropped a valid packet");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * packet.size()));
}
BENCHMARK(BM_SphinxUnwrap);

void BM_SphinxCreate(benchmark::State& state) {
  Network net(DeliverCommand{});
  const Bytes payload(net.geometry.payload_bytes(), 0x61);
  for (auto _ : state) {
    auto packet = create_packet(net.geometry, net.path, payload, net.rng);
    if (!packet) state.SkipWithError("create failed");
    benchmark::DoNotOptimize(packet);
  }
}
BENCHMARK(BM_SphinxCreate);

void BM_SurbCreate(benchmark::State& state) {
  Network net(SurbReplyCommand{});
  for (auto _ : state) {
    auto surb = create_surb(net.geometry, net.ids[0], net.path, net.rng);
    if (!surb) state.SkipWithError("create_surb failed");
    benchmark::DoNotOptimize(surb);
  }
}
BENCHMARK(BM_SurbCreate);

void BM_Lioness(benchmark::State& state) {
  SecretKey32 key;
  randombytes_buf(key.data(), key.size());
  Bytes block(2048, 0x5a);
  for (auto _ : state) {
    lioness_decrypt(key, block);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * block.size()));
}
BENCHMARK(BM_Lioness);

}  // namespace
