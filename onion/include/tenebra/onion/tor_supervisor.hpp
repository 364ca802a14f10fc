// TorSupervisor: runs Debian's tor as a supervised child of this process and
// keeps it usable.
//
// start() writes <data_dir>/torrc (see torrc.hpp), starts `tor -f` on it
// with `--defaults-torrc /dev/null` (so no system torrc is read), waits for
// the unix control socket, authenticates with SAFECOOKIE, binds tor's life
// to the control connection (TAKEOWNERSHIP, RESETCONF
// __OwningControllerProcess), subscribes to STATUS_CLIENT and HS_DESC,
// enables the network and follows bootstrap progress to 100 %. A stall —
// no progress for bootstrap_stall_timeout, counted from the last progress
// event — is an error (Errc::timeout).
//
// add_onion() hosts an onion service whose ED25519-V3 key is kept in
// <data_dir>/onion_service.key (mode 0600): created by tor the first time,
// supplied afterwards, so the address is stable across restarts. The key and
// the cookie are wiped from memory after use and never logged.
//
// After start(), a watch task notices when tor dies or the control
// connection drops, restarts tor with exponential backoff, and re-adds the
// onion services. Callers see transport errors meanwhile and retry;
// wait_ready() waits for the next healthy state. stop() ends every task and
// tor itself. Thread-safety: all calls from coroutines on the executor given
// to the constructor; the progress callback runs there too.
#pragma once

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/backoff.hpp"
#include "tenebra/onion/torrc.hpp"

namespace tenebra::onion {

struct BootstrapProgress {
  int percent = 0;  // 0..100
  std::string tag;  // "conn", "done", ... (tor's tags; no addresses)
};

struct TorSupervisorConfig {
  // Debian installs tor in /usr/sbin.
  std::filesystem::path tor_binary = "/usr/sbin/tor";
  // data_dir is tor's DataDirectory (created 0700 if missing; refused if
  // group or others can access it). owning_pid is filled in by start().
  TorrcOptions torrc;
  std::chrono::milliseconds control_socket_timeout{30'000};
  std::chrono::milliseconds command_timeout{10'000};
  // Longer than tor's own first circuit-build timeout (60 s), after which
  // tor retries a hung circuit by itself: only a longer silence is a stall.
  std::chrono::milliseconds bootstrap_stall_timeout{90'000};
  std::chrono::milliseconds watch_interval{250};
  BackoffPolicy restart_backoff{std::chrono::milliseconds(500), std::chrono::milliseconds(30'000)};
  unsigned max_consecutive_failed_restarts = 8;
  std::function<void(const BootstrapProgress&)> on_progress;
};

class TorSupervisor {
 public:
  TorSupervisor(boost::asio::any_io_executor executor, TorSupervisorConfig config, Random& rng);
  ~TorSupervisor();
  TorSupervisor(const TorSupervisor&) = delete;
  TorSupervisor& operator=(const TorSupervisor&) = delete;

  // Starts tor and waits for bootstrap 100 %, then starts the watch task.
  [[nodiscard]] boost::asio::awaitable<Status> start();
  // Hosts `virtual_port` of this node's onion service, forwarded to
  // 127.0.0.1:`target_port`. Returns the service id (56 chars, no
  // ".onion"): it identifies this node, never log it.
  [[nodiscard]] boost::asio::awaitable<Result<std::string>> add_onion(std::uint16_t virtual_port,
                                                                      std::uint16_t target_port);
  // Asks tor to fetch the descriptor of `service_id` again (HSFETCH): after
  // a peer's tor restarted, the cached copy names introduction points that
  // are gone, and dials to it hang until tor notices. Errc::closed when tor
  // is not ready; tor's refusal as an error.
  [[nodiscard]] boost::asio::awaitable<Status> refetch_descriptor(std::string service_id);
  // Waits until tor runs and is bootstrapped (e.g. after a restart).
  // Errc::timeout, or the watch task's final error if it gave up.
  [[nodiscard]] boost::asio::awaitable<Status> wait_ready(std::chrono::milliseconds timeout);
  // Waits for the next HS_DESC UPLOADED event after the last add_onion().
  [[nodiscard]] boost::asio::awaitable<Status> wait_descriptor_uploaded(std::chrono::milliseconds timeout);
  // Ends the watch task, closes the control connection (tor exits at once,
  // it is bound to it) and reaps tor.
  [[nodiscard]] boost::asio::awaitable<void> stop();

  [[nodiscard]] bool ready() const noexcept;
  [[nodiscard]] unsigned restarts() const noexcept;
  // The running tor's pid, or -1 (tests use it to simulate a crash).
  [[nodiscard]] pid_t tor_pid() const noexcept;
  [[nodiscard]] std::filesystem::path socks_socket() const;

  class Impl;

 private:
  std::shared_ptr<Impl> m_impl;
};

}  // namespace tenebra::onion
