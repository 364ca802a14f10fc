// Mix node throughput and memory.
//
// BM_MixNode: one mix (LinkAcceptor -> PacketPipeline -> PeerLinks, the
// daemon's own pipeline) on its own thread and io_context, fed over a
// loopback tcp link by a load generator and forwarding to a sink node on a
// second thread. Each packet is distinct (the replay cache would drop
// repeats) and asks for no delay, so the rate is the mix's work: open the
// frame, unwrap (two X25519), queue, seal towards the sink. Reports
// `packets_per_second` (through the mix, wall time) and `cores` (CPU time of
// the mix's thread / wall time). bench/mix_rate_check compares
// packets_per_second / cores with 1 / BM_SphinxUnwrap from the same run.
//
// BM_MixNodeHeld100k: 100 000 packets held in one MixNode (five-minute
// delays), reporting the resident memory they take (`rss_mib`,
// `bytes_per_packet`): the queue's capacity bounds it.
#include <benchmark/benchmark.h>
#include <pthread.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tenebra/core/clock.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/mix/mix_node.hpp"
#include "tenebra/mix/sphinx.hpp"
#include "tenebra/onion/tcp_transport.hpp"
#include "tenebra/router/link_acceptor.hpp"
#include "tenebra/router/link_channel.hpp"
#include "tenebra/router/packet_pipeline.hpp"
#include "tenebra/router/peer_links.hpp"

namespace {

namespace asio = boost::asio;
using namespace tenebra;
using namespace std::chrono_literals;
using mix::sphinx::Geometry;

constexpr std::size_t kBatch = 1000;
constexpr std::int64_t kIterations = 4;
constexpr std::size_t kPoolPackets = 16 * kBatch;
constexpr auto kBatchTimeout = 60s;

router::IdentityKeyPair identity(std::uint8_t fill) {
  std::array<std::uint8_t, router::kIdentitySeedLength> seed{};
  seed.fill(fill);
  return router::IdentityKeyPair::from_seed(seed);
}

// Distinct two-hop packets: the mix (relay to the sink, no delay), then
// the sink. Built on every core.
std::vector<Bytes> make_packets(std::size_t count, const mix::sphinx::PublicKey& mix_key,
                                const router::IdentityPublicKey& sink_id, std::chrono::milliseconds delay) {
  const Geometry geometry = Geometry::default_geometry();
  std::vector<Bytes> packets(count);
  const unsigned threads = std::max(1U, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      SystemRandom rng;
      mix::sphinx::MailboxId mailbox{};
      mix::sphinx::NodeId next{};
      std::copy(sink_id.begin(), sink_id.end(), next.begin());
      const mix::sphinx::PublicKey sink_key = mix::sphinx::NodeKeyPair::generate(rng).public_key;
      std::vector<mix::sphinx::PathHop> path{
          {mix_key, mix::sphinx::RelayCommand{next, mix::sphinx::Delay(static_cast<std::uint32_t>(delay.count()))}},
          {sink_key, mix::sphinx::DeliverCommand{mailbox}}};
      const Bytes payload(geometry.payload_bytes(), 0);
      for (std::size_t i = t; i < count; i += threads)
        packets[i] = mix::sphinx::create_packet(geometry, path, payload, rng).value();
    });
  }
  for (auto& worker : workers) worker.join();
  return packets;
}

std::chrono::nanoseconds thread_cpu(pthread_t thread) {
  clockid_t clock{};
  if (pthread_getcpuclockid(thread, &clock) != 0) return {};
  timespec now{};
  clock_gettime(clock, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

// A thread running an io_context until destroyed.
struct IoThread {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::thread thread{[this] { io.run(); }};
  ~IoThread() {
    guard.reset();
    io.stop();
    thread.join();
  }
  template <typename T>
  T run(asio::awaitable<T> operation) {
    return asio::co_spawn(io, std::move(operation), asio::use_future).get();
  }
};

// The mix, the sink and the generator's link, set up once.
struct Network {
  SystemClock clock;
  SystemRandom rng;
  router::link::LinkConfig link_config;
  router::IdentityKeyPair mix_identity = identity(1);
  router::IdentityKeyPair sink_identity = identity(2);
  router::IdentityKeyPair generator_identity = identity(3);
  mix::sphinx::NodeKeyPair mix_key = mix::sphinx::NodeKeyPair::generate(rng);
  std::vector<Bytes> pool;
  std::size_t next_packet = 0;
  std::atomic<std::uint64_t> sunk{0};

  IoThread mix_thread;
  IoThread load_thread;
  std::unique_ptr<onion::TcpTransport> mix_tcp, load_tcp;
  std::unique_ptr<onion::Listener> mix_listener, sink_listener;
  std::unique_ptr<router::PeerLinks> mix_links;
  std::unique_ptr<router::PacketPipeline> pipeline;
  std::unique_ptr<router::LinkAcceptor> mix_acceptor, sink_acceptor;
  std::optional<router::link::LinkChannel> generator;
  std::string error;

  Network() {
    pool = make_packets(kPoolPackets, mix_key.public_key, sink_identity.public_key, 0ms);
    if (auto status = load_thread.run(start_sink()); !status) error = "sink: " + status.error().message;
    if (error.empty()) {
      if (auto status = mix_thread.run(start_mix()); !status) error = "mix: " + status.error().message;
    }
    if (error.empty()) {
      if (auto status = load_thread.run(connect_generator()); !status) error = "generator: " + status.error().message;
    }
  }
  ~Network() {
    mix_thread.run(stop_mix());
    load_thread.run(stop_load());
  }

  router::link::ResponderPolicy only(const router::IdentityPublicKey& allowed) {
    router::link::ResponderPolicy policy;
    policy.accept_identity = [allowed](const router::IdentityPublicKey& key) { return key == allowed; };
    return policy;
  }

  asio::awaitable<Status> start_sink() {
    auto executor = co_await asio::this_coro::executor;
    load_tcp = std::make_unique<onion::TcpTransport>(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    auto listener = co_await load_tcp->listen(0, 5s);
    if (!listener) co_return listener.error();
    sink_listener = std::move(*listener);
    sink_acceptor = std::make_unique<router::LinkAcceptor>(
        executor, router::LinkAcceptorConfig{.link = link_config, .self = &sink_identity},
        only(mix_identity.public_key),
        [this](ByteView, const router::LinkPeer&) {
          sunk.fetch_add(1, std::memory_order_relaxed);
          return false;
        },
        rng);
    sink_acceptor->start(*sink_listener);
    co_return Status{};
  }

  asio::awaitable<Status> start_mix() {
    auto executor = co_await asio::this_coro::executor;
    mix_tcp = std::make_unique<onion::TcpTransport>(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    auto listener = co_await mix_tcp->listen(0, 5s);
    if (!listener) co_return listener.error();
    mix_listener = std::move(*listener);
    mix_links = std::make_unique<router::PeerLinks>(
        executor, *mix_tcp, router::PeerLinksConfig{.link = link_config, .self = &mix_identity}, rng);
    mix_links->set_peers({{sink_identity.public_key, sink_listener->public_address()}});
    pipeline =
        std::make_unique<router::PacketPipeline>(executor, clock, rng, mix::MixNodeConfig{}, *mix_links, nullptr);
    pipeline->rotate(mix::sphinx::NodeKeyPair::from_secret(mix_key.secret.view()).value(), std::nullopt);
    asio::co_spawn(executor, pipeline->run(), asio::detached);
    mix_acceptor = std::make_unique<router::LinkAcceptor>(
        executor, router::LinkAcceptorConfig{.link = link_config, .self = &mix_identity},
        only(generator_identity.public_key),
        [this](ByteView packet, const router::LinkPeer& from) { return pipeline->on_packet(packet, from); }, rng);
    mix_acceptor->start(*mix_listener);
    asio::steady_timer wait(executor);
    for (int turn = 0; turn < 500 && mix_links->connected() == 0; ++turn) {
      wait.expires_after(10ms);
      co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (mix_links->connected() == 0) co_return make_error(Errc::timeout, "no link to the sink");
    co_return Status{};
  }

  asio::awaitable<Status> connect_generator() {
    auto stream = co_await load_tcp->dial(mix_listener->public_address(), "g", 5s);
    if (!stream) co_return stream.error();
    auto channel = co_await router::link::LinkChannel::establish(
        std::move(*stream),
        router::link::LinkSession::initiator(link_config, mix_identity.public_key, &generator_identity), rng, 5s);
    if (!channel) co_return channel.error();
    generator.emplace(std::move(*channel));
    co_return Status{};
  }

  asio::awaitable<Status> send_batch(std::size_t first, std::size_t count) {
    for (std::size_t i = first; i < first + count; ++i) {
      auto sent = co_await generator->send_packet(pool[i], 10s);
      if (!sent) co_return sent.error();
    }
    co_return Status{};
  }

  asio::awaitable<bool> stop_mix() {
    pipeline->stop();
    co_await mix_acceptor->stop(2s);
    co_await mix_links->stop(2s);
    co_return true;
  }
  asio::awaitable<bool> stop_load() {
    if (generator) generator->close();
    co_await sink_acceptor->stop(2s);
    co_return true;
  }
};

Network& network() {
  static Network instance;  // NOLINT: shared by the repetitions of one run
  return instance;
}

void BM_MixNode(benchmark::State& state) {
  Network& net = network();
  if (!net.error.empty()) {
    state.SkipWithError(net.error.c_str());
    return;
  }
  const auto cpu_before = thread_cpu(net.mix_thread.thread.native_handle());
  const auto wall_before = std::chrono::steady_clock::now();
  std::uint64_t through = 0;
  for (auto _ : state) {
    if (net.next_packet + kBatch > net.pool.size()) {
      state.SkipWithError("packet pool used up: run fewer repetitions");
      return;
    }
    const std::uint64_t target = net.sunk.load() + kBatch;
    auto sent = asio::co_spawn(net.load_thread.io, net.send_batch(net.next_packet, kBatch), asio::use_future);
    net.next_packet += kBatch;
    const auto deadline = std::chrono::steady_clock::now() + kBatchTimeout;
    while (net.sunk.load() < target && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200us);
    if (auto status = sent.get(); !status || net.sunk.load() < target) {
      state.SkipWithError("packets did not come through the mix in time");
      return;
    }
    through += kBatch;
  }
  const auto wall = std::chrono::steady_clock::now() - wall_before;
  const auto cpu = thread_cpu(net.mix_thread.thread.native_handle()) - cpu_before;
  state.counters["packets_per_second"] = benchmark::Counter(static_cast<double>(through), benchmark::Counter::kIsRate);
  state.counters["cores"] = std::chrono::duration<double>(cpu).count() / std::chrono::duration<double>(wall).count();
}
BENCHMARK(BM_MixNode)->Iterations(kIterations)->UseRealTime()->Unit(benchmark::kMillisecond);

std::size_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      std::size_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(4096, '\n');
  }
  return 0;
}

void BM_MixNodeHeld100k(benchmark::State& state) {
  constexpr std::size_t kHeld = 100'000;
  SystemRandom rng;
  const auto key = mix::sphinx::NodeKeyPair::generate(rng);
  const auto packets = make_packets(kHeld, key.public_key, identity(2).public_key, 5min);
  for (auto _ : state) {
    state.PauseTiming();
    const std::size_t before = resident_bytes();
    auto node = std::make_unique<mix::MixNode>(mix::MixNodeConfig{}, rng);
    node->rotate(mix::sphinx::NodeKeyPair::from_secret(key.secret.view()).value(), std::nullopt);
    state.ResumeTiming();
    const auto now = std::chrono::steady_clock::now();
    for (const auto& packet : packets) benchmark::DoNotOptimize(node->accept(packet, now));
    state.PauseTiming();
    if (node->queued() != kHeld) state.SkipWithError("not every packet was held");
    const std::size_t after = resident_bytes();
    state.counters["rss_mib"] = static_cast<double>(after - before) / (1024.0 * 1024.0);
    state.counters["bytes_per_packet"] = static_cast<double>(after - before) / kHeld;
    node.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_MixNodeHeld100k)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
