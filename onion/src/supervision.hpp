// What the tor and i2pd supervisors share (internal to onion/): a Notifier
// that wakes every coroutine waiting on it, and RestartingChild, the
// watch-and-restart loop. Every watch_interval the loop asks the supervisor
// whether its child is healthy; when it is not, it marks the supervisor not
// ready, shuts the child down, waits a backoff delay and launches it again,
// and gives up (recording a fatal error and stopping) after
// max_failures launches in a row fail. Single-threaded: everything runs on
// the supervisor's executor.
//
// It also holds the start, wait-ready and stop sequences both share.
//
// Derived (CRTP) provides: bool healthy(), awaitable<Status> launch(),
// void shutdown_child() noexcept; and befriends RestartingChild<Derived>.
#pragma once

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/backoff.hpp"
#include "tenebra/onion/child_process.hpp"

namespace tenebra::onion::detail {

class Notifier {
 public:
  explicit Notifier(boost::asio::any_io_executor executor) : m_executor(std::move(executor)) {}
  void notify() {
    for (boost::asio::steady_timer* timer : m_waiters) timer->cancel();
  }
  boost::asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline) {
    boost::asio::steady_timer timer(m_executor, deadline);
    m_waiters.push_back(&timer);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    std::erase(m_waiters, &timer);
  }

 private:
  boost::asio::any_io_executor m_executor;
  std::vector<boost::asio::steady_timer*> m_waiters;
};

inline std::string describe_exit(const ExitStatus& exit) {
  return exit.signaled ? "killed by signal " + std::to_string(exit.code) : "exit code " + std::to_string(exit.code);
}

struct RestartPolicy {
  std::chrono::milliseconds watch_interval;
  unsigned max_failures;
  const char* child_name;  // "tor", "i2pd": for the give-up message
};

template <typename Derived>
class RestartingChild {
 protected:
  explicit RestartingChild(const boost::asio::any_io_executor& executor) : m_notifier(executor) {}

  // The first launch, then the watch task. A failed first launch is the
  // caller's error; nothing is retried before a first success.
  boost::asio::awaitable<Status> start_child(std::shared_ptr<Derived> self, BackoffPolicy backoff_policy, Random& rng,
                                             RestartPolicy policy) {
    if (m_started) {
      co_return make_error(Errc::invalid_argument, std::string(policy.child_name) + " supervisor already started");
    }
    auto backoff = Backoff::create(backoff_policy, rng);
    if (!backoff) co_return std::move(backoff).error();
    m_backoff.emplace(*backoff);
    m_started = true;
    if (auto status = co_await derived().launch(); !status) {
      derived().shutdown_child();
      co_return status;
    }
    m_ready = true;
    m_watching = true;
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::co_spawn(executor, watch(std::move(self), policy), [](const std::exception_ptr&) {});
    co_return Status{};
  }

  // Until the child is ready again, the loop gave up (its error), the
  // supervisor was stopped (Errc::closed) or `timeout` passed.
  boost::asio::awaitable<Status> wait_until_ready(std::chrono::milliseconds timeout, const char* child_name) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (int turn = 0; !m_ready && !m_fatal && turn < 100'000; ++turn) {
      if (m_stopping) co_return make_error(Errc::closed, std::string(child_name) + " supervisor stopped");
      if (std::chrono::steady_clock::now() >= deadline) break;
      co_await m_notifier.wait_until(deadline);
    }
    if (m_fatal) co_return *m_fatal;
    if (!m_ready) co_return make_error(Errc::timeout, std::string(child_name) + " not ready in time");
    co_return Status{};
  }

  // Ends the watch task (waiting at most `max_wait`) and then the child.
  // The supervisor closes its own link to the child first.
  boost::asio::awaitable<void> stop_child(std::chrono::milliseconds watch_interval,
                                          std::chrono::milliseconds max_wait) {
    m_stopping = true;
    m_ready = false;
    m_notifier.notify();
    const auto deadline = std::chrono::steady_clock::now() + max_wait;
    for (int turn = 0; m_watching && turn < 1'000 && std::chrono::steady_clock::now() < deadline; ++turn) {
      co_await m_notifier.wait_until(std::min(deadline, std::chrono::steady_clock::now() + watch_interval));
    }
    derived().shutdown_child();
  }

  // Runs until m_stopping; `self` keeps the supervisor alive meanwhile.
  boost::asio::awaitable<void> watch(std::shared_ptr<Derived> self, RestartPolicy policy) {
    for (std::uint64_t tick = 0; !self->m_stopping; ++tick) {
      co_await m_notifier.wait_until(std::chrono::steady_clock::now() + policy.watch_interval);
      if (m_stopping || derived().healthy()) continue;
      m_ready = false;
      m_notifier.notify();
      co_await restart(policy);
    }
    m_watching = false;
    m_notifier.notify();
  }

  Notifier m_notifier;
  std::optional<Backoff> m_backoff;
  std::optional<ChildProcess> m_child;
  std::optional<Error> m_fatal;
  unsigned m_restarts = 0;
  bool m_started = false;
  bool m_ready = false;
  bool m_stopping = false;
  bool m_watching = false;

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }

  boost::asio::awaitable<void> restart(const RestartPolicy& policy) {
    for (unsigned failures = 0; !m_stopping;) {
      derived().shutdown_child();
      const auto delay = m_backoff->next_delay();
      co_await m_notifier.wait_until(std::chrono::steady_clock::now() + delay);
      if (m_stopping) co_return;
      const Status status = co_await derived().launch();
      if (status) {
        ++m_restarts;
        m_backoff->reset();
        m_ready = true;
        m_notifier.notify();
        co_return;
      }
      if (++failures >= policy.max_failures) {
        derived().shutdown_child();
        m_fatal = make_error(status.error().code,
                             std::string(policy.child_name) + " restart gave up: " + status.error().message);
        m_stopping = true;
        m_notifier.notify();
        co_return;
      }
    }
  }
};

}  // namespace tenebra::onion::detail
