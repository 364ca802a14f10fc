// The mixing queue with 100 000 full-size packets held: one push plus one
// pop of a due packet, as a mix does per packet in steady state. Compared
// with BM_X25519 / BM_SphinxUnwrap from the same run, it shows the queue is
// not what limits a mix.
#include <benchmark/benchmark.h>

#include "tenebra/core/random.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/mix/mix_queue.hpp"

namespace {

using namespace tenebra;
using namespace tenebra::mix;
using std::chrono::milliseconds;

void BM_MixQueueAt100k(benchmark::State& state) {
  constexpr std::size_t kHeld = 100000;
  const std::size_t packet_bytes = sphinx::Geometry::default_geometry().packet_bytes();
  MixQueue queue(kHeld + 1);
  DeterministicRandom rng(1);
  const TimePoint t0{};
  for (std::size_t i = 0; i < kHeld; ++i) {
    (void)queue.push(t0 + milliseconds(1 + rng.uniform(1000000)), {}, Bytes(packet_bytes, 0x42));
  }
  TimePoint now = t0;
  for (auto _ : state) {
    // Each new packet is due before every held one, so exactly it comes out.
    if (!queue.push(now, {}, Bytes(packet_bytes, 0x17)).ok()) state.SkipWithError("queue full");
    auto due = queue.pop_due(now, 1);
    benchmark::DoNotOptimize(due);
  }
  state.counters["held"] = static_cast<double>(queue.size());
}
BENCHMARK(BM_MixQueueAt100k);

}  // namespace
