// Generation of the torrc that Tenebra writes into a node's tor data dir.
//
// Pure: a TorrcOptions struct in, the torrc text out. The torrc pins what
// Tenebra relies on: a unix ControlSocket with cookie authentication, a
// SocksPort with IsolateSOCKSAuth and ExtendedErrors, DisableNetwork 1 until
// the controller is ready, __OwningControllerProcess, a notice log in the
// data dir, SafeLogging 1 unless told otherwise; optionally the lines of a
// private test network and obfs4 / snowflake bridges.
//
// Every value is validated before anything is written: no CR, LF, NUL or
// other control character, no leading or trailing space, absolute paths
// without whitespace, unix socket paths that fit sockaddr_un, test-network
// lines only with keys from a short allow-list (so a config value cannot
// reopen a ControlPort or move the SocksPort off loopback). A bad value is
// Errc::invalid_argument and no text. Pure functions, safe from any thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tenebra/core/result.hpp"

namespace tenebra::onion {

struct TorrcOptions {
  std::filesystem::path data_dir;  // absolute; tor's DataDirectory
  // SOCKS listener: a unix socket <data_dir>/socks when unset, otherwise
  // 127.0.0.1:<port>.
  std::optional<std::uint16_t> socks_tcp_port;
  pid_t owning_pid = 0;  // the controlling process (> 0)
  bool safe_logging = true;
  // Lines printed by `scripts/tornet client-config` (comments and blank lines
  // are skipped; only allow-listed keys are accepted).
  std::vector<std::string> testnet_lines;
  // Bridge lines without the leading "Bridge ": "obfs4 <addr:port> <fp>
  // cert=... iat-mode=0" and "snowflake <addr:port> <fp> ...".
  std::vector<std::string> obfs4_bridges;
  std::vector<std::string> snowflake_bridges;
  std::filesystem::path obfs4proxy_path = "/usr/bin/obfs4proxy";
  std::filesystem::path snowflake_client_path = "/usr/bin/snowflake-client";
};

// Where tor puts its sockets for these options.
[[nodiscard]] std::filesystem::path torrc_control_socket(const TorrcOptions& options);
[[nodiscard]] std::filesystem::path torrc_socks_socket(const TorrcOptions& options);

[[nodiscard]] Result<std::string> render_torrc(const TorrcOptions& options);

}  // namespace tenebra::onion
