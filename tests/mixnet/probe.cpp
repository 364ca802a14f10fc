#include "probe.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "tenebra/core/bytes.hpp"

namespace tenebra::mixnet_probe {

namespace asio = boost::asio;

void Reporter::step(std::string_view text) const {
  const std::chrono::duration<double> elapsed = m_clock->now() - m_start;
  (void)std::printf("[%7.1fs] %.*s\n", elapsed.count(), static_cast<int>(text.size()), text.data());
  (void)std::fflush(stdout);
}

Verdict Reporter::fail(std::string_view text) const {
  step("FAIL: " + std::string(text));
  return Verdict::fail;
}

void Reporter::result(std::string_view text) const {
  (void)std::printf("%.*s\n", static_cast<int>(text.size()), text.data());
  (void)std::fflush(stdout);
}

std::chrono::milliseconds ProbeContext::left(std::chrono::steady_clock::time_point deadline) const {
  const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now());
  return std::max(remaining, std::chrono::milliseconds(0));
}

std::string fresh_token(Random& rng) {
  return to_hex(random_array<16>(rng));
}

const std::string& PeerTokens::token_for(const std::string& address, Random& rng) {
  auto it = m_tokens.find(address);
  if (it == m_tokens.end()) it = m_tokens.emplace(address, fresh_token(rng)).first;
  return it->second;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace tenebra::mixnet_probe
