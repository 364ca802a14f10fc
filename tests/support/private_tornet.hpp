// PrivateTornet: a private Tor network (scripts/tornet) on 127.0.0.1 only,
// for tests and benchmarks. When TENEBRA_TORNET_DIR names a network that the
// test run already brought up (the ctest fixture `tornet_up`, once per run),
// start() attaches to it and leaves it running; otherwise it brings up its
// own and the destructor always runs `tornet down` (the relays also carry
// __OwningControllerProcess of this process, so they exit on their own if it
// dies). Node data dirs live under a fresh short temp dir (unix socket paths
// must fit sun_path); node_options() prepares one, seeded with the network's
// consensus. Not thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tenebra/core/result.hpp"
#include "tenebra/onion/torrc.hpp"

namespace tenebra::test {

class PrivateTornet {
 public:
  // Errc::io with the log's path when the network did not come up.
  [[nodiscard]] static Result<std::unique_ptr<PrivateTornet>> start(std::string source_dir);
  ~PrivateTornet();
  PrivateTornet(const PrivateTornet&) = delete;
  PrivateTornet& operator=(const PrivateTornet&) = delete;

  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return m_dir; }
  [[nodiscard]] double startup_seconds() const noexcept { return m_startup_seconds; }
  // torrc options for a node named `name` (its data dir under dir()),
  // seeded with the network's directory documents.
  [[nodiscard]] Result<onion::TorrcOptions> node_options(const std::string& name) const;
  // Keeps the temp dir (logs) instead of removing it on destruction.
  void keep_logs() noexcept { m_keep = true; }

 private:
  PrivateTornet(std::string tornet, std::filesystem::path dir) : m_tornet(std::move(tornet)), m_dir(std::move(dir)) {}
  [[nodiscard]] Status read_client_config();

  std::string m_tornet;
  std::filesystem::path m_dir;      // node data dirs, logs
  std::filesystem::path m_net_dir;  // the network's own dir
  bool m_owned = true;              // we started it, so we stop it
  std::vector<std::string> m_network_lines;
  double m_startup_seconds = 0;
  bool m_keep = false;
};

}  // namespace tenebra::test
