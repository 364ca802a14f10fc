// The tenebrad process: from a loaded NodeConfig to a running mix, provider
// or authority, and back down on SIGINT or SIGTERM.
//
// Start-up, in order: logging at the configured level; the data dir
// (created 0700, refused if group or others may enter it); the passphrase
// (file or environment); the SQLCipher store and the node's keys; then, on
// one Asio event loop, the tunnel (a supervised tor, or plain tcp for test
// networks), the node's service on it (its public address goes to
// `<data dir>/public_address`), and the role. A status file
// (`<data dir>/status.json`) is rewritten every second.
//
// Shutdown is ordered: the role stops accepting and closes its links, then
// the listener closes, then tor is stopped, then the store is closed. A
// second signal during shutdown is ignored: the ordered stop is bounded.
//
// Exit codes: 0 after a clean shutdown, 1 when the node could not start or
// failed while running, 2 for a usage or configuration error.
// Thread-safety: call from main only.
#pragma once

#include "tenebra/router/node_config.hpp"

namespace tenebra::router {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct DaemonOptions {
  // Create the data dir, store and identity, print the identity (hex) and
  // exit: how operators (and test networks) learn a node's key up front.
  bool init_only = false;
};

[[nodiscard]] int run_daemon(const NodeConfig& config, const DaemonOptions& options);

}  // namespace tenebra::router
