// Runs one coroutine on a fresh io_context for tests, with a wall-clock cap
// so a hung operation fails the test instead of hanging it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <functional>

namespace tenebra::onion::test {

inline void run_coroutine(const std::function<boost::asio::awaitable<void>(boost::asio::io_context&)>& body,
                          std::chrono::seconds cap = std::chrono::seconds(30)) {
  boost::asio::io_context io;
  bool finished = false;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, body(io), [&](std::exception_ptr error) {
    finished = true;
    failure = error;
  });
  io.run_for(cap);
  ASSERT_TRUE(finished) << "coroutine did not finish within the cap";
  if (failure) std::rethrow_exception(failure);
}

}  // namespace tenebra::onion::test
