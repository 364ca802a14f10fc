// I2pdSupervisor: runs Debian's i2pd as a supervised child of this process
// and keeps the node's I2P destination online.
//
// start() writes <data_dir>/i2pd.conf (see i2pd_conf.hpp), seeds the netDb
// of a private test network, starts /usr/sbin/i2pd on it (refusing to when
// the SAM port is already taken: i2pd 2.45.1 would run on silently without
// SAM), waits for its SAM bridge to answer HELLO, loads the node's private
// destination from <data_dir>/i2p_destination.key (mode 0600) or creates one
// with DEST GENERATE and stores it, and opens a STREAM session on it
// (SESSION CREATE; i2pd 2.45.1 answers on a 20 s readiness tick). The key is
// wiped from memory after use and never logged, so the .b32.i2p address is
// stable across restarts. Progress goes to on_progress: 10 "starting",
// 40 "sam", 60 "destination", 100 "done".
//
// After start(), a watch task notices when i2pd dies or the session's
// control connection drops, restarts i2pd with exponential backoff and
// creates the session again (generation() counts the starts). Callers see
// transport errors meanwhile and retry; wait_ready() waits for the next
// healthy state. stop() ends every task and i2pd itself (SIGTERM, then
// SIGKILL). Thread-safety: all calls from coroutines on the executor given
// to the constructor; the progress callback runs there too.
#pragma once

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/backoff.hpp"
#include "tenebra/onion/i2p_session_source.hpp"
#include "tenebra/onion/i2pd_conf.hpp"
#include "tenebra/onion/sam_request.hpp"
#include "tenebra/onion/tor_supervisor.hpp"  // BootstrapProgress

namespace tenebra::onion {

struct I2pdSupervisorConfig {
  // Debian installs i2pd in /usr/sbin.
  std::filesystem::path i2pd_binary = "/usr/sbin/i2pd";
  // data_dir is created 0700 if missing and refused if group or others can
  // access it.
  I2pdConfOptions conf;
  // Tunnels of the node's own (listening) destination.
  sam::TunnelOptions tunnels;
  std::chrono::milliseconds sam_port_timeout{30'000};
  std::chrono::milliseconds command_timeout{10'000};
  // SESSION CREATE: i2pd 2.45.1 answers at its 20, 40 or 60 s tick.
  std::chrono::milliseconds session_timeout{90'000};
  std::chrono::milliseconds watch_interval{250};
  BackoffPolicy restart_backoff{std::chrono::milliseconds(500), std::chrono::milliseconds(30'000)};
  unsigned max_consecutive_failed_restarts = 8;
  std::function<void(const BootstrapProgress&)> on_progress;
};

class I2pdSupervisor final : public I2pSessionSource {
 public:
  I2pdSupervisor(boost::asio::any_io_executor executor, I2pdSupervisorConfig config, Random& rng);
  ~I2pdSupervisor() override;
  I2pdSupervisor(const I2pdSupervisor&) = delete;
  I2pdSupervisor& operator=(const I2pdSupervisor&) = delete;

  // Starts i2pd and waits until the destination's session is ready, then
  // starts the watch task.
  [[nodiscard]] boost::asio::awaitable<Status> start();
  // Errc::timeout, or the watch task's final error if it gave up.
  [[nodiscard]] boost::asio::awaitable<Status> wait_ready(std::chrono::milliseconds timeout) override;
  // Ends the watch task, the session and i2pd.
  [[nodiscard]] boost::asio::awaitable<void> stop();

  [[nodiscard]] std::uint16_t sam_port() const noexcept override;
  [[nodiscard]] const std::string& session_id() const noexcept override;
  [[nodiscard]] const std::string& b32_address() const noexcept override;
  [[nodiscard]] std::uint64_t generation() const noexcept override;

  [[nodiscard]] bool ready() const noexcept;
  [[nodiscard]] unsigned restarts() const noexcept;
  // The running i2pd's pid, or -1 (tests use it to simulate a crash).
  [[nodiscard]] pid_t i2pd_pid() const noexcept;

  class Impl;

 private:
  std::shared_ptr<Impl> m_impl;
};

}  // namespace tenebra::onion
