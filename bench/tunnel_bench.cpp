// Tunnel benchmarks: echo round trips and bulk echo through the private Tor
// network (two supervised tors, one hosting an onion service, one dialing
// it), next to the same over a direct loopback TCP connection in the same
// run, which is the baseline of every ratio (bench/ratios --baseline).
//
// main() brings the private network up (scripts/tornet, ~15 s) and the two
// nodes, runs the benchmarks, then stops everything. All I/O runs on one
// Asio thread; each iteration hands it one operation and waits, so both
// transports pay the same hand-off cost. Times are wall-clock (UseRealTime):
// a round trip is waiting, not computing.
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "echo.hpp"
#include "private_tornet.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/sodium.hpp"
#include "tenebra/onion/tcp_transport.hpp"
#include "tenebra/onion/tor_supervisor.hpp"
#include "tenebra/onion/tor_transport.hpp"

namespace {

namespace asio = boost::asio;
namespace onion = tenebra::onion;
using namespace std::chrono_literals;

constexpr std::size_t kRoundTripBytes = 64;
constexpr std::size_t kBulkBytes = 256 * 1024;
constexpr auto kOperationTimeout = 60s;

// The streams under test, owned by main(); used only from the io thread.
struct Links {
  asio::io_context* io = nullptr;
  onion::Stream* tcp = nullptr;
  onion::Stream* tor = nullptr;
};
Links g_links;  // NOLINT: Google Benchmark functions take no context argument

// Runs `operation` on the io thread and waits for its Status.
tenebra::Status run_on_io(asio::awaitable<tenebra::Status> operation) {
  auto future = asio::co_spawn(*g_links.io, std::move(operation), asio::use_future);
  if (future.wait_for(kOperationTimeout + 5s) != std::future_status::ready) {
    return tenebra::make_error(tenebra::Errc::timeout, "operation did not finish");
  }
  return future.get();
}

void round_trip(benchmark::State& state, onion::Stream* stream) {
  const std::string message(kRoundTripBytes, 'r');
  for (auto _ : state) {
    auto status = run_on_io(tenebra::test::echo_round_trip(*stream, message, kOperationTimeout));
    if (!status) {
      state.SkipWithError(status.error().message.c_str());
      break;
    }
  }
}

void bulk(benchmark::State& state, onion::Stream* stream) {
  for (auto _ : state) {
    auto status = run_on_io(tenebra::test::echo_bulk(*stream, kBulkBytes, kOperationTimeout));
    if (!status) {
      state.SkipWithError(status.error().message.c_str());
      break;
    }
  }
  // Bytes that went out and came back: one payload per iteration.
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kBulkBytes));
}

void BM_LoopbackRoundTrip(benchmark::State& state) {
  round_trip(state, g_links.tcp);
}
void BM_TorRoundTrip(benchmark::State& state) {
  round_trip(state, g_links.tor);
}
void BM_LoopbackBulk256K(benchmark::State& state) {
  bulk(state, g_links.tcp);
}
void BM_TorBulk256K(benchmark::State& state) {
  bulk(state, g_links.tor);
}

BENCHMARK(BM_LoopbackRoundTrip)->UseRealTime();
BENCHMARK(BM_TorRoundTrip)->UseRealTime();
BENCHMARK(BM_LoopbackBulk256K)->UseRealTime();
BENCHMARK(BM_TorBulk256K)->UseRealTime();

onion::TorSupervisorConfig node_config(const tenebra::test::PrivateTornet& net, const std::string& name) {
  onion::TorSupervisorConfig config;
  auto options = net.node_options(name);
  if (options) config.torrc = std::move(*options);
  // Above tor's own first circuit-build timeout (60 s): a hung first
  // circuit is retried by tor only then, and is not a stall of ours.
  config.bootstrap_stall_timeout = 90s;
  return config;
}

// Everything the benchmarks need, set up on the io thread.
struct Setup {
  std::unique_ptr<onion::Listener> tcp_listener;
  std::unique_ptr<onion::Listener> tor_listener;
  std::optional<onion::Stream> tcp_stream;
  std::optional<onion::Stream> tor_stream;
  bool tcp_echo_running = false;
  bool tor_echo_running = false;
};

asio::awaitable<tenebra::Status> set_up(Setup& setup, onion::TorSupervisor& a, onion::TorSupervisor& b,
                                        tenebra::Random& rng) {
  auto executor = co_await asio::this_coro::executor;
  if (auto started = co_await a.start(); !started) co_return started.error();
  if (auto started = co_await b.start(); !started) co_return started.error();

  onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
  auto tcp_listener = co_await tcp.listen(0, 5s);
  if (!tcp_listener) co_return tcp_listener.error();
  setup.tcp_listener = std::move(*tcp_listener);
  asio::co_spawn(executor, tenebra::test::echo_server(*setup.tcp_listener, setup.tcp_echo_running),
                 [](const std::exception_ptr&) {});
  auto tcp_stream = co_await tcp.dial(setup.tcp_listener->public_address(), "bench", 5s);
  if (!tcp_stream) co_return tcp_stream.error();
  setup.tcp_stream.emplace(std::move(*tcp_stream));

  onion::TorTransport tor_a(executor, a);
  onion::TorTransport tor_b(executor, b);
  auto tor_listener = co_await tor_a.listen(80, 30s);
  if (!tor_listener) co_return tor_listener.error();
  setup.tor_listener = std::move(*tor_listener);
  asio::co_spawn(executor, tenebra::test::echo_server(*setup.tor_listener, setup.tor_echo_running),
                 [](const std::exception_ptr&) {});
  auto backoff = onion::Backoff::create(onion::BackoffPolicy{250ms, 4s}, rng);
  if (!backoff) co_return backoff.error();
  auto tor_stream = co_await onion::dial_with_retry(tor_b, setup.tor_listener->public_address(), "bench", *backoff);
  if (!tor_stream) co_return tor_stream.error();
  setup.tor_stream.emplace(std::move(*tor_stream));
  co_return tenebra::Status{};
}

asio::awaitable<void> tear_down(Setup& setup, onion::TorSupervisor& a, onion::TorSupervisor& b) {
  if (setup.tcp_stream) setup.tcp_stream->close();
  if (setup.tor_stream) setup.tor_stream->close();
  if (setup.tcp_listener) setup.tcp_listener->close();
  if (setup.tor_listener) setup.tor_listener->close();
  co_await a.stop();
  co_await b.stop();
}

int run(int argc, char** argv) {
  auto net = tenebra::test::PrivateTornet::start(TENEBRA_SOURCE_DIR);
  if (!net) {
    std::fprintf(stderr, "tunnel bench: %s\n", net.error().message.c_str());
    return 1;
  }
  if ((*net)->startup_seconds() > 0) {
    std::fprintf(stderr, "tunnel bench: private tor network up in %.1f s\n", (*net)->startup_seconds());
  }
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&io] { io.run(); });
  tenebra::SystemRandom rng;
  onion::TorSupervisor a(io.get_executor(), node_config(**net, "a"), rng);
  onion::TorSupervisor b(io.get_executor(), node_config(**net, "b"), rng);
  Setup setup;

  int rc = 0;
  auto ready = asio::co_spawn(io, set_up(setup, a, b, rng), asio::use_future);
  if (ready.wait_for(180s) != std::future_status::ready) {
    std::fprintf(stderr, "tunnel bench: setup timed out\n");
    rc = 1;
  } else if (auto status = ready.get(); !status) {
    std::fprintf(stderr, "tunnel bench: setup failed: %s\n", status.error().message.c_str());
    rc = 1;
  } else {
    g_links = Links{&io, &*setup.tcp_stream, &*setup.tor_stream};
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
      rc = 1;
    } else {
      benchmark::RunSpecifiedBenchmarks();
    }
    benchmark::Shutdown();
  }
  auto stopped = asio::co_spawn(io, tear_down(setup, a, b), asio::use_future);
  if (stopped.wait_for(30s) != std::future_status::ready) rc = 1;
  work.reset();
  io.stop();
  io_thread.join();
  if (rc != 0) (*net)->keep_logs();
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  if (!tenebra::init_sodium()) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    return 1;
  }
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tunnel bench: %s\n", error.what());
    return 1;
  }
}
