// Generation of the i2pd.conf that Tenebra writes into a node's i2pd data
// dir, and the argv it starts i2pd with.
//
// Pure: an I2pdConfOptions struct in, the config text out. The config pins
// what Tenebra relies on: SAM on 127.0.0.1 (nothing else listens: the web
// console, HTTP/SOCKS proxies, BOB, I2CP, I2PControl and UPnP are off), the
// address book on (i2pd 2.45.1 crashes in SAM without it), logs in the data
// dir. With `testnet` set it adds the lines of a private offline network as
// scripts/i2pnet runs it: a netid other than 2, a published and bound IPv4
// address inside 198.18.0.0/15 (the RFC 2544 range the test namespace uses;
// anything else is refused, so a test config can never reach the internet),
// NTCP2 only, no reseed servers (the netDb is seeded from the network's
// router.info files instead, see i2p_files.hpp), no profiles, no clock sync.
//
// Every value is validated first: paths absolute, without whitespace,
// control characters or the characters the ini parser treats specially
// (# ; = " \ [ ]); ports in range; the log level from a fixed list. A bad
// value is Errc::invalid_argument and no text. Pure functions, safe from any
// thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tenebra/core/result.hpp"

namespace tenebra::onion {

struct I2pTestnetOptions {
  int netid = 77;                // 3..254 (2 is the real network)
  std::string address;           // IPv4 literal in 198.18.0.0/15: host and address4
  std::uint16_t ntcp2_port = 0;  // 1..65535
  bool floodfill = false;
  // router.info files of the network's routers (absolute paths), copied into
  // this node's netDb before every start.
  std::vector<std::filesystem::path> seed_router_infos;
};

struct I2pdConfOptions {
  std::filesystem::path data_dir;  // absolute; i2pd's --datadir
  // SAM bridge on 127.0.0.1:sam_port (its UDP side uses sam_port - 1).
  std::uint16_t sam_port = 0;      // 2..65535
  std::string log_level = "warn";  // none, critical, error, warn, info, debug
  std::optional<I2pTestnetOptions> testnet;
  std::filesystem::path certs_dir = "/usr/share/i2pd/certificates";
};

[[nodiscard]] std::filesystem::path i2pd_conf_path(const I2pdConfOptions& options);

[[nodiscard]] Result<std::string> render_i2pd_conf(const I2pdConfOptions& options);

// argv[1..] for i2pd: --datadir, --conf, --tunconf (an empty file),
// --tunnelsdir, --certsdir, --pidfile, all inside the data dir except the
// certificates. Validated like the config.
[[nodiscard]] Result<std::vector<std::string>> i2pd_arguments(const I2pdConfOptions& options);

}  // namespace tenebra::onion
