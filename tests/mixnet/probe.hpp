// Shared pieces of mixnet_probe's subcommands: the exit verdicts, the step
// reporter (one line per step on stdout, with the seconds since the probe
// started; never a secret), and the context every subcommand runs in.
//
// Thread-safety: everything here belongs to the probe's one io_context
// thread.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "net_file.hpp"
#include "tenebra/core/clock.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/onion/transport.hpp"

namespace tenebra::mixnet_probe {

// The process exit status.
enum class Verdict : int { pass = 0, fail = 1, setup = 2 };

class Reporter {
 public:
  explicit Reporter(const Clock& clock) : m_clock(&clock), m_start(clock.now()) {}
  // "[  12.3s] <text>"
  void step(std::string_view text) const;
  // "[  12.3s] FAIL: <text>"; returns Verdict::fail so callers can co_return it.
  Verdict fail(std::string_view text) const;
  // A result line for the calling test to parse, without the time prefix.
  void result(std::string_view text) const;

 private:
  const Clock* m_clock;
  std::chrono::steady_clock::time_point m_start;
};

// One isolation token per peer address, drawn at the first dial: streams to
// different peers never share a circuit, while redials of one peer may
// reuse its circuit (over tor a new circuit costs seconds).
class PeerTokens {
 public:
  [[nodiscard]] const std::string& token_for(const std::string& address, Random& rng);

 private:
  std::map<std::string, std::string> m_tokens;
};

struct ProbeContext {
  const NetFile& net;
  const Passphrase& passphrase;
  const Reporter& report;
  onion::Transport& transport;  // TcpTransport or TorTransport, per net.transport
  PeerTokens& tokens;
  Random& rng;
  const Clock& clock;
  std::chrono::milliseconds timeout;  // bound of every single wait

  // now + timeout, for a wait that starts now.
  [[nodiscard]] std::chrono::steady_clock::time_point deadline() const { return clock.now() + timeout; }
  // What is left until `deadline`, never negative.
  [[nodiscard]] std::chrono::milliseconds left(std::chrono::steady_clock::time_point deadline) const;
};

using Marker = std::array<std::uint8_t, 32>;

// Random bytes of a fixed size (mailbox ids, markers, SURB ids, tokens).
template <std::size_t N>
std::array<std::uint8_t, N> random_array(Random& rng) {
  std::array<std::uint8_t, N> out{};
  rng.fill(out);
  return out;
}

// A fresh isolation token (ignored by the tcp transport, but a client passes one).
[[nodiscard]] std::string fresh_token(Random& rng);

// Waits `duration` on the current executor (never throws).
[[nodiscard]] boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds duration);

// How often a wait polls a store or status file.
inline constexpr std::chrono::milliseconds kPollInterval{250};

}  // namespace tenebra::mixnet_probe
