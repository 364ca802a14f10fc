// What the I2P transport needs from whoever runs i2pd (I2pdSupervisor in
// the daemon, a fake in unit tests): the SAM port, the SAM session of the
// node's persisted destination, and a generation counter that moves each
// time i2pd was (re)started, so sessions made before are known to be gone.
// Thread-safety: called from coroutines on the owner's executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "tenebra/core/result.hpp"

namespace tenebra::onion {

class I2pSessionSource {
 public:
  virtual ~I2pSessionSource() = default;
  // Waits until i2pd runs and the persisted destination's session is ready.
  [[nodiscard]] virtual boost::asio::awaitable<Status> wait_ready(std::chrono::milliseconds timeout) = 0;
  [[nodiscard]] virtual std::uint16_t sam_port() const noexcept = 0;
  // SAM session id of the persisted destination (valid while ready).
  [[nodiscard]] virtual const std::string& session_id() const noexcept = 0;
  // "<52 chars>.b32.i2p" of the persisted destination. It identifies this
  // node: never log it.
  [[nodiscard]] virtual const std::string& b32_address() const noexcept = 0;
  // Counts successful starts of i2pd (1 after the first).
  [[nodiscard]] virtual std::uint64_t generation() const noexcept = 0;
};

}  // namespace tenebra::onion
