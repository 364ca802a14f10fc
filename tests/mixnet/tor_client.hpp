// The probe's own tor, for networks whose transport is "tor": a supervised
// tor child joined to the private Tor network the net file names, in a
// fresh data dir <net file's dir>/probe-tor-<pid> (created 0700, seeded
// with the private network's consensus, microdescriptors and certs like
// `scripts/tornet seed` so bootstrap skips the directory fetch backoff).
// The dir is removed when the ProbeTor goes away, after tor has stopped.
//
// Thread-safety: coroutines on the probe's one io_context.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "net_file.hpp"
#include "probe.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/tor_supervisor.hpp"
#include "tenebra/onion/tor_transport.hpp"

namespace tenebra::mixnet_probe {

// Removes a directory tree when it goes away (best effort, never throws).
class DirectoryGuard {
 public:
  explicit DirectoryGuard(std::filesystem::path dir) : m_dir(std::move(dir)) {}
  ~DirectoryGuard();
  DirectoryGuard(const DirectoryGuard&) = delete;
  DirectoryGuard& operator=(const DirectoryGuard&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return m_dir; }

 private:
  std::filesystem::path m_dir;
};

// The torrc lines of net.tor_testnet_config, read the way tenebrad reads
// them (size cap, comments skipped, no control characters); render_torrc
// later allow-lists their keys. Errc::not_found / io / malformed.
[[nodiscard]] Result<std::vector<std::string>> read_tor_testnet_lines(const std::filesystem::path& file);

class ProbeTor {
 public:
  // Joins the private Tor network of `testnet_lines`: creates and seeds the data dir, starts tor and waits for
  // bootstrap 100 %. Control-socket and bootstrap-stall waits are bounded by `timeout`. On failure nothing is left
  // behind: tor is stopped and the dir removed before this returns.
  [[nodiscard]] static boost::asio::awaitable<Result<std::unique_ptr<ProbeTor>>> start(
      const NetFile& net, const std::filesystem::path& net_file, std::vector<std::string> testnet_lines,
      const Reporter& report, Random& rng, std::chrono::milliseconds timeout);

  ~ProbeTor() = default;
  ProbeTor(const ProbeTor&) = delete;
  ProbeTor& operator=(const ProbeTor&) = delete;

  [[nodiscard]] onion::Transport& transport() noexcept { return *m_transport; }
  // Stops tor (it exits at once: it is bound to the control connection).
  // Call before the ProbeTor goes away; the destructor only kills it.
  [[nodiscard]] boost::asio::awaitable<void> stop();

 private:
  explicit ProbeTor(std::filesystem::path data_dir) : m_dir(std::move(data_dir)) {}

  DirectoryGuard m_dir;  // declared first: removed after tor is gone
  std::unique_ptr<onion::TorSupervisor> m_supervisor;
  std::unique_ptr<onion::TorTransport> m_transport;
};

// Copies the private Tor network's cached consensus, microdescriptors and
// certs from the first of its authorities that has them into `data_dir`.
// The number of files copied; 0 when no authority has a consensus yet.
[[nodiscard]] Result<std::size_t> seed_tor_data_dir(const std::filesystem::path& tornet_dir,
                                                    const std::filesystem::path& data_dir);

}  // namespace tenebra::mixnet_probe
