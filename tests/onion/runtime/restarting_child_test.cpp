// The watch-and-restart loop shared by the tor and i2pd supervisors, driven
// by a scripted fake child: health flips, launches succeed or fail on cue.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>

#include "../../../onion/src/supervision.hpp"
#include "co_assert.hpp"
#include "tenebra/core/random.hpp"

namespace tenebra::onion::detail {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr RestartPolicy kPolicy{5ms, 3, "fake"};
constexpr BackoffPolicy kBackoff{1ms, 4ms};

class FakeChild : public std::enable_shared_from_this<FakeChild>, public RestartingChild<FakeChild> {
  friend class RestartingChild<FakeChild>;

 public:
  explicit FakeChild(const asio::any_io_executor& executor) : RestartingChild(executor) {}

  asio::awaitable<Status> start(Random& rng) {
    co_return co_await start_child(shared_from_this(), kBackoff, rng, kPolicy);
  }
  asio::awaitable<Status> wait_ready(std::chrono::milliseconds timeout) {
    co_return co_await wait_until_ready(timeout, "fake");
  }
  asio::awaitable<void> stop() { co_await stop_child(kPolicy.watch_interval, 1s); }

  bool m_healthy = true;
  std::deque<Status> m_launch_results;  // empty: launches succeed
  int m_launches = 0;
  int m_shutdowns = 0;
  using RestartingChild::m_fatal;
  using RestartingChild::m_ready;
  using RestartingChild::m_restarts;
  using RestartingChild::m_watching;

 private:
  bool healthy() const { return m_healthy; }
  asio::awaitable<Status> launch() {
    ++m_launches;
    Status result;
    if (!m_launch_results.empty()) {
      result = m_launch_results.front();
      m_launch_results.pop_front();
    }
    if (result) m_healthy = true;
    co_return result;
  }
  void shutdown_child() noexcept { ++m_shutdowns; }
};

asio::awaitable<void> pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Until the watch task has noticed that the child is unhealthy.
asio::awaitable<void> until_noticed(const FakeChild& child) {
  for (int turn = 0; turn < 500 && child.m_ready; ++turn) co_await pause(1ms);
}

void run(const std::function<asio::awaitable<void>(asio::io_context&)>& body) {
  asio::io_context io;
  bool finished = false;
  asio::co_spawn(io, body(io), [&](const std::exception_ptr& error) {
    EXPECT_FALSE(error);
    finished = true;
    io.stop();
  });
  io.run_for(10s);
  EXPECT_TRUE(finished) << "the test body did not finish in time";
}

TEST(RestartingChild, RestartsAnUnhealthyChild) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    DeterministicRandom rng(1);
    auto child = std::make_shared<FakeChild>(io.get_executor());
    auto started = co_await child->start(rng);
    CO_ASSERT(started.ok(), started.error().message);
    EXPECT_EQ(child->m_launches, 1);
    child->m_healthy = false;  // the child died
    for (int turn = 0; turn < 200 && child->m_restarts == 0; ++turn) co_await pause(2ms);
    EXPECT_EQ(child->m_restarts, 1U);
    EXPECT_EQ(child->m_launches, 2);
    EXPECT_GE(child->m_shutdowns, 1);
    auto ready = co_await child->wait_ready(1s);
    EXPECT_TRUE(ready.ok());
    co_await child->stop();
    EXPECT_FALSE(child->m_watching);
    auto after_stop = co_await child->wait_ready(1s);
    CO_ASSERT(!after_stop.ok(), "wait_ready after stop must fail");
    EXPECT_EQ(after_stop.error().code, Errc::closed);
  });
}

TEST(RestartingChild, RetriesFailedLaunchesThenRecovers) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    DeterministicRandom rng(2);
    auto child = std::make_shared<FakeChild>(io.get_executor());
    CO_ASSERT((co_await child->start(rng)).ok(), "start");
    child->m_launch_results = {make_error(Errc::io, "first retry fails"), make_error(Errc::io, "second too")};
    child->m_healthy = false;
    co_await until_noticed(*child);
    auto ready = co_await child->wait_ready(5s);
    EXPECT_TRUE(ready.ok());
    EXPECT_EQ(child->m_launches, 4);  // start, two failures, success
    EXPECT_EQ(child->m_restarts, 1U);
    co_await child->stop();
  });
}

TEST(RestartingChild, GivesUpAfterTooManyFailuresWithTheLastError) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    DeterministicRandom rng(3);
    auto child = std::make_shared<FakeChild>(io.get_executor());
    CO_ASSERT((co_await child->start(rng)).ok(), "start");
    child->m_launch_results = {make_error(Errc::io, "a"), make_error(Errc::io, "b"), make_error(Errc::timeout, "c")};
    child->m_healthy = false;
    co_await until_noticed(*child);
    auto ready = co_await child->wait_ready(5s);
    CO_ASSERT(!ready.ok(), "should have given up");
    EXPECT_EQ(ready.error().code, Errc::timeout);
    EXPECT_NE(ready.error().message.find("fake restart gave up"), std::string::npos) << ready.error().message;
    EXPECT_EQ(child->m_launches, 4);
    for (int turn = 0; turn < 200 && child->m_watching; ++turn) co_await pause(2ms);
    EXPECT_FALSE(child->m_watching);
  });
}

TEST(RestartingChild, FailedFirstLaunchIsTheCallersErrorAndStartsNoWatch) {
  run([](asio::io_context& io) -> asio::awaitable<void> {
    DeterministicRandom rng(4);
    auto child = std::make_shared<FakeChild>(io.get_executor());
    child->m_launch_results = {make_error(Errc::io, "binary missing")};
    auto started = co_await child->start(rng);
    CO_ASSERT(!started.ok(), "start should fail");
    EXPECT_EQ(started.error().message, "binary missing");
    EXPECT_FALSE(child->m_watching);
    EXPECT_EQ(child->m_shutdowns, 1);
    auto again = co_await child->start(rng);
    CO_ASSERT(!again.ok(), "a second start is refused");
    EXPECT_EQ(again.error().code, Errc::invalid_argument);
  });
}

}  // namespace
}  // namespace tenebra::onion::detail
