// Integration: two supervised tors in a private Tor network on 127.0.0.1.
// Node A hosts an onion service (echo), node B dials it through its own
// SocksPort with SOCKS5 isolation, bytes go both ways; then A's tor is
// SIGKILLed, A's supervisor restarts it with the same onion address and B
// reconnects. The network is brought up by scripts/tornet and always torn
// down (fixture teardown; the relays also carry __OwningControllerProcess of
// this test, so they exit on their own if the test process dies).
#include <gtest/gtest.h>
#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "co_assert.hpp"
#include "echo.hpp"
#include "private_tornet.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/onion/tor_supervisor.hpp"
#include "tenebra/onion/tor_transport.hpp"

namespace tenebra::onion {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

class TorTunnelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto net = test::PrivateTornet::start(TENEBRA_SOURCE_DIR);
    ASSERT_TRUE(net.ok()) << net.error().message;
    s_net = std::move(*net);
    if (s_net->startup_seconds() > 0) {
      std::printf("[timing] private network up (first consensus): %.1f s\n", s_net->startup_seconds());
    }
  }

  static void TearDownTestSuite() {
    // HasFailure() is always false outside a test: ask the suite.
    const auto* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    if (s_net && suite != nullptr && suite->failed_test_count() > 0) s_net->keep_logs();
    s_net.reset();  // always `tornet down`
  }

  static TorSupervisorConfig node_config(const std::string& name, std::vector<BootstrapProgress>& progress) {
    TorSupervisorConfig config;
    auto options = s_net->node_options(name);
    EXPECT_TRUE(options.ok()) << options.error().message;
    if (options) config.torrc = std::move(*options);
    // Above tor's own first circuit-build timeout (60 s): a hung first
    // circuit is retried by tor only then, and is not a stall of ours.
    config.bootstrap_stall_timeout = 90s;
    config.restart_backoff = BackoffPolicy{200ms, 5s};
    config.on_progress = [&progress](const BootstrapProgress& step) { progress.push_back(step); };
    return config;
  }

  static inline std::unique_ptr<test::PrivateTornet> s_net;
};

asio::awaitable<Status> echo_round_trip(Stream& stream, const std::string& message) {
  return test::echo_round_trip(stream, message, 30s);
}

TEST_F(TorTunnelTest, OnionRoundTripSurvivesTorRestart) {
  asio::io_context io;
  SystemRandom rng;
  std::vector<BootstrapProgress> progress_a;
  std::vector<BootstrapProgress> progress_b;
  TorSupervisor node_a(io.get_executor(), node_config("a", progress_a), rng);
  TorSupervisor node_b(io.get_executor(), node_config("b", progress_b), rng);
  bool finished = false;
  // Outlives the body: the echo server may still be ending (and write it)
  // after the body's frame is gone.
  bool echo_running = false;
  pid_t first_pid_a = -1;
  pid_t last_pid_a = -1;
  pid_t pid_b = -1;
  // Outlives the body: the echo server refers to it until it is closed.
  std::unique_ptr<Listener> listener_a;

  auto body = [&]() -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    const auto t_start = SteadyClock::now();
    auto [started_a, started_b] = co_await (node_a.start() && node_b.start());
    CO_ASSERT(started_a.ok(), started_a.error().message);
    CO_ASSERT(started_b.ok(), started_b.error().message);
    std::printf("[timing] tor start -> bootstrap 100 %% (both nodes): %.2f s\n", seconds_since(t_start));
    first_pid_a = node_a.tor_pid();
    pid_b = node_b.tor_pid();

    TorTransport transport_a(io.get_executor(), node_a);
    TorTransport transport_b(io.get_executor(), node_b);
    const auto t_add = SteadyClock::now();
    auto listener = co_await transport_a.listen(80, 30s);
    CO_ASSERT(listener.ok(), listener.error().message);
    listener_a = std::move(*listener);
    const std::string address = listener_a->public_address();
    struct stat key_info {};
    CO_ASSERT(::stat(((s_net->dir() / "a" / "onion_service.key").string()).c_str(), &key_info) == 0,
              "onion service key file missing");
    EXPECT_EQ(key_info.st_mode & 0777, 0600U);
    asio::co_spawn(io, test::echo_server(*listener_a, echo_running), [](const std::exception_ptr&) {});

    auto backoff = Backoff::create(BackoffPolicy{250ms, 4s}, rng);
    CO_ASSERT(backoff.ok(), "");
    auto first = co_await dial_with_retry(transport_b, address, "tenebra-test-peer-1", *backoff);
    CO_ASSERT(first.ok(), first.error().message);
    std::printf("[timing] ADD_ONION -> first successful dial: %.2f s\n", seconds_since(t_add));
    auto echoed = co_await echo_round_trip(*first, "hello through the onion");
    CO_ASSERT(echoed.ok(), echoed.error().message);
    echoed = co_await echo_round_trip(*first, std::string(10'000, 'x'));
    CO_ASSERT(echoed.ok(), echoed.error().message);

    // Crash A's tor mid-stream.
    CO_ASSERT(::kill(first_pid_a, SIGKILL) == 0, "could not kill tor");
    const auto t_kill = SteadyClock::now();
    // The watch task notices the death within its interval; until then the
    // supervisor still reports ready, so wait for the restart itself.
    for (int turn = 0; turn < 2400 && node_a.restarts() == 0; ++turn) {
      asio::steady_timer pause(io, 50ms);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto ready = co_await node_a.wait_ready(120s);
    CO_ASSERT(ready.ok(), ready.error().message);
    // B may still hold A's old descriptor (dead intro points); until A's new
    // one is on the HSDirs, B's refetches find the old one again.
    auto uploaded = co_await node_a.wait_descriptor_uploaded(60s);
    CO_ASSERT(uploaded.ok(), uploaded.error().message);
    EXPECT_EQ(node_a.restarts(), 1U);
    EXPECT_NE(node_a.tor_pid(), first_pid_a);
    std::printf("[timing] SIGKILL -> A's tor restarted, bootstrapped, onion re-added: %.2f s\n", seconds_since(t_kill));
    // The old stream cannot survive: B sees a transport error (or EOF).
    auto stale = co_await echo_round_trip(*first, "after the crash");
    EXPECT_FALSE(stale.ok());

    auto second = co_await dial_with_retry(transport_b, address, "tenebra-test-peer-2", *backoff);
    CO_ASSERT(second.ok(), second.error().message);
    std::printf("[timing] SIGKILL -> B reconnected to the same onion address: %.2f s\n", seconds_since(t_kill));
    echoed = co_await echo_round_trip(*second, "hello again, same address");
    CO_ASSERT(echoed.ok(), echoed.error().message);
    last_pid_a = node_a.tor_pid();

    listener_a->close();
    for (int i = 0; i < 40 && echo_running; ++i) {
      asio::steady_timer pause(io, 50ms);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    first->close();
    second->close();
    finished = true;
  };
  asio::co_spawn(io, body(), [&](const std::exception_ptr& error) {
    if (error) ADD_FAILURE() << "exception escaped the test body";
    // The supervisors' watch tasks keep the loop busy: end this phase now.
    if (listener_a) listener_a->close();
    io.stop();
  });
  io.run_for(200s);
  EXPECT_TRUE(finished) << "test body did not finish (failed assertion or timeout)";
  // Ordered stop, bounded, then make sure no tor of ours is left.
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await node_a.stop();
        co_await node_b.stop();
      },
      [&](const std::exception_ptr&) { io.stop(); });
  io.restart();
  io.run_for(20s);
  for (pid_t pid : {first_pid_a, last_pid_a, pid_b}) {
    if (pid > 0) {
      EXPECT_NE(::kill(pid, 0), 0) << "tor " << pid << " still running";
    }
  }
  EXPECT_FALSE(progress_a.empty());
  if (!progress_a.empty()) {
    EXPECT_EQ(progress_a.back().percent, 100);
  }
}

}  // namespace
}  // namespace tenebra::onion
