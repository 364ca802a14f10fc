// Integration: two supervised i2pd nodes in a private I2P network. Runs
// inside the network namespace that i2p_tunnel_run.sh creates (routers
// r1..r4 of scripts/i2pnet on 198.18.0.1..4; this test's nodes A and B on
// 198.18.0.5 and .6, seeded with r1..r4's router.info). A listens on its
// persisted destination (echo), B dials it with an isolation token, bytes go
// both ways; then A's i2pd is SIGKILLed mid-stream, A's supervisor restarts
// it with the same .b32.i2p address, and B reconnects. Every loop and wait
// is bounded; the nodes are stopped on every path, and their i2pd die with
// this process anyway (PDEATHSIG).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "co_assert.hpp"
#include "echo.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/onion/i2p_transport.hpp"
#include "tenebra/onion/i2pd_supervisor.hpp"
#include "tenebra/onion/tor_transport.hpp"  // dial_with_retry

namespace tenebra::onion {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

sam::TunnelOptions test_tunnels() {
  // 1-hop inbound, 0-hop outbound: the setting that works reliably with
  // i2pd 2.45.1 (see shared/i2p-testnet.md, pitfall 3).
  return sam::TunnelOptions{1, 0, 2, 2};
}

I2pdSupervisorConfig node_config(const std::filesystem::path& net, const std::filesystem::path& dir, int index,
                                 std::vector<BootstrapProgress>& progress) {
  I2pdSupervisorConfig config;
  config.conf.data_dir = dir;
  config.conf.sam_port = static_cast<std::uint16_t>(7600 + 10 * index);
  config.conf.log_level = "info";
  I2pTestnetOptions testnet;
  testnet.address = "198.18.0." + std::to_string(index);
  testnet.ntcp2_port = static_cast<std::uint16_t>(12000 + index);
  for (int router = 1; router <= 4; ++router) {
    testnet.seed_router_infos.push_back(net / ("r" + std::to_string(router)) / "router.info");
  }
  config.conf.testnet = testnet;
  config.tunnels = test_tunnels();
  config.restart_backoff = BackoffPolicy{200ms, 5s};
  config.on_progress = [&progress](const BootstrapProgress& step) { progress.push_back(step); };
  return config;
}

// Echoes every stream accepted on `listener` until `stop` is set; accept
// errors while i2pd restarts are waited out.
asio::awaitable<void> echo_server(Listener& listener, const bool& stop, bool& running) {
  running = true;
  for (int round = 0; round < 2'000 && !stop; ++round) {
    auto stream = co_await listener.accept(1s);
    if (stop) break;
    if (!stream) {
      if (stream.error().code != Errc::timeout) {
        asio::steady_timer pause(co_await asio::this_coro::executor, 200ms);
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      continue;
    }
    asio::co_spawn(co_await asio::this_coro::executor, test::echo_stream(std::move(*stream)),
                   [](const std::exception_ptr&) {});
  }
  running = false;
}

using test::echo_round_trip;

// STREAM STATUS OK is local to i2pd (the peer may be unreachable still):
// a stream counts only once an echo came back. Bounded attempts and time.
asio::awaitable<Result<Stream>> dial_until_echo(I2pTransport& transport, const std::string& address,
                                                const std::string& token, Random& rng, int& attempts) {
  auto backoff = Backoff::create(BackoffPolicy{500ms, 4s}, rng);
  if (!backoff) co_return std::move(backoff).error();
  const auto deadline = SteadyClock::now() + 150s;
  Error last = make_error(Errc::timeout, "no attempt");
  for (attempts = 1; attempts <= 20 && SteadyClock::now() < deadline; ++attempts) {
    DialRetryPolicy policy;
    policy.attempt_timeout = 100s;
    policy.total_budget = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    auto stream = co_await dial_with_retry(transport, address, token, *backoff, policy);
    if (!stream) co_return stream;
    auto echoed = co_await echo_round_trip(*stream, "hello through i2p", 15s);
    if (echoed) co_return stream;
    last = std::move(echoed).error();
    std::printf("[info] dial attempt %d: stream carried no echo (%s); redialing\n", attempts, last.message.c_str());
  }
  co_return last;
}

TEST(I2pTunnelTest, StreamRoundTripSurvivesI2pdRestart) {
  const char* net_env = std::getenv("I2PTT_NET");
  if (net_env == nullptr) GTEST_SKIP() << "run through i2p_tunnel_run.sh (it creates the network namespace)";
  const std::filesystem::path net(net_env);
  const std::filesystem::path base = net.parent_path();
  asio::io_context io;
  SystemRandom rng;
  std::vector<BootstrapProgress> progress_a;
  std::vector<BootstrapProgress> progress_b;
  I2pdSupervisor node_a(io.get_executor(), node_config(net, base / "a", 5, progress_a), rng);
  I2pdSupervisor node_b(io.get_executor(), node_config(net, base / "b", 6, progress_b), rng);
  bool finished = false;
  // Outlive the body: the echo server may still be ending (and read or
  // write them) after the body's frame is gone.
  bool stop_echo = false;
  bool echo_running = false;
  pid_t first_pid_a = -1;
  pid_t last_pid_a = -1;
  pid_t pid_b = -1;

  auto body = [&]() -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    const auto t_start = SteadyClock::now();
    auto [started_a, started_b] = co_await (node_a.start() && node_b.start());
    CO_ASSERT(started_a.ok(), started_a.error().message);
    CO_ASSERT(started_b.ok(), started_b.error().message);
    std::printf("[timing] i2pd start -> SAM session ready (both nodes): %.2f s\n", seconds_since(t_start));
    first_pid_a = node_a.i2pd_pid();
    pid_b = node_b.i2pd_pid();
    struct stat key_info {};
    CO_ASSERT(::stat((base / "a" / "i2p_destination.key").c_str(), &key_info) == 0, "destination key file missing");
    EXPECT_EQ(key_info.st_mode & 0777, 0600U);

    I2pTransportOptions options;
    options.dial_tunnels = test_tunnels();
    I2pTransport transport_a(io.get_executor(), node_a, rng, options);
    I2pTransport transport_b(io.get_executor(), node_b, rng, options);
    auto listener = co_await transport_a.listen(80, 30s);
    CO_ASSERT(listener.ok(), listener.error().message);
    const std::string address = (*listener)->public_address();
    CO_ASSERT(parse_i2p_address(address).ok(), "listen returned a bad address");
    asio::co_spawn(io, echo_server(**listener, stop_echo, echo_running), [](const std::exception_ptr&) {});

    const auto t_dial = SteadyClock::now();
    int attempts = 0;
    auto first = co_await dial_until_echo(transport_b, address, "tenebra-test-peer-1", rng, attempts);
    CO_ASSERT(first.ok(), first.error().message);
    std::printf("[timing] B: first dial (new isolation session) -> first echo: %.2f s (%d attempt(s))\n",
                seconds_since(t_dial), attempts);
    const auto t_bulk = SteadyClock::now();
    auto echoed = co_await echo_round_trip(*first, std::string(64 * 1024, 'x'), 30s);
    CO_ASSERT(echoed.ok(), echoed.error().message);
    std::printf("[timing] 64 KiB echoed A<->B: %.3f s\n", seconds_since(t_bulk));
    const auto t_rtt = SteadyClock::now();
    for (int i = 0; i < 10; ++i) {
      echoed = co_await echo_round_trip(*first, "ping-" + std::to_string(i), 10s);
      CO_ASSERT(echoed.ok(), echoed.error().message);
    }
    std::printf("[timing] mean RTT of 10 small echoes: %.2f ms\n", seconds_since(t_rtt) * 100.0);

    // Crash A's i2pd mid-stream.
    CO_ASSERT(::kill(first_pid_a, SIGKILL) == 0, "could not kill i2pd");
    const auto t_kill = SteadyClock::now();
    // The watch task notices within its interval; wait for the restart itself.
    for (int i = 0; i < 1'200 && node_a.restarts() == 0; ++i) {
      asio::steady_timer pause(io, 100ms);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto ready = co_await node_a.wait_ready(10s);
    CO_ASSERT(ready.ok(), ready.error().message);
    EXPECT_EQ(node_a.restarts(), 1U);
    EXPECT_NE(node_a.i2pd_pid(), first_pid_a);
    EXPECT_EQ(node_a.b32_address() + ":80", address) << "the .b32.i2p address changed";
    std::printf("[timing] SIGKILL -> A's i2pd restarted, session ready again: %.2f s\n", seconds_since(t_kill));
    auto stale = co_await echo_round_trip(*first, "after the crash", 10s);
    EXPECT_FALSE(stale.ok());

    auto second = co_await dial_until_echo(transport_b, address, "tenebra-test-peer-2", rng, attempts);
    CO_ASSERT(second.ok(), second.error().message);
    std::printf("[timing] SIGKILL -> B reconnected to the same .b32.i2p address: %.2f s (%d attempt(s))\n",
                seconds_since(t_kill), attempts);
    echoed = co_await echo_round_trip(*second, "hello again, same address", 30s);
    CO_ASSERT(echoed.ok(), echoed.error().message);
    EXPECT_EQ(transport_b.dial_sessions(), 2U);
    last_pid_a = node_a.i2pd_pid();

    stop_echo = true;
    (*listener)->close();
    for (int i = 0; i < 60 && echo_running; ++i) {
      asio::steady_timer pause(io, 50ms);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    first->close();
    second->close();
    transport_a.close_dial_sessions();
    transport_b.close_dial_sessions();
    finished = true;
  };
  const auto t_body = SteadyClock::now();
  asio::co_spawn(io, body(), [&io](const std::exception_ptr& error) {
    if (error) ADD_FAILURE() << "exception escaped the test body";
    io.stop();  // echo handlers and watch tasks would keep it running
  });
  io.run_for(290s);
  std::printf("[timing] whole test body: %.1f s\n", seconds_since(t_body));
  EXPECT_TRUE(finished) << "test body did not finish (failed assertion or timeout)";
  // Ordered stop, bounded, then make sure no i2pd of ours is left.
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await node_a.stop();
        co_await node_b.stop();
      },
      [&io](const std::exception_ptr&) { io.stop(); });
  io.restart();
  io.run_for(25s);
  for (pid_t pid : {first_pid_a, last_pid_a, pid_b}) {
    if (pid > 0) {
      EXPECT_NE(::kill(pid, 0), 0) << "i2pd " << pid << " still running";
    }
  }
  EXPECT_FALSE(progress_a.empty());
  if (!progress_a.empty()) {
    EXPECT_EQ(progress_a.back().percent, 100);
  }
}

}  // namespace
}  // namespace tenebra::onion
