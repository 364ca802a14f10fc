// NodeConfig: what `tenebrad --config FILE` reads. The file is TOML
// (docs/operator-guide.md has every key, its type, default and range).
//
// Parsing is strict because this is a security configuration: an unknown
// key or table is an error naming it (a typo must not be silently ignored),
// so is a value of the wrong type or out of range, a missing required key, a
// table for another role or transport, and a combination the network must
// not run with (plain TCP without allow_plain_tcp, the test KDF outside TCP
// test networks, two passphrase sources). Every error message starts with
// "config:", names the key and says what is allowed; a TOML syntax error
// gives its line and column (non-ASCII text outside strings and comments is
// refused as one, before toml++ sees it). Relative paths in the file are relative to the
// directory of the config file.
//
// parse_node_config is pure (no file access; it leaves tor_testnet_lines
// empty); load_node_config reads the file and the tor testnet file it names.
// Thread-safety: free functions on values, safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/result.hpp"
#include "tenebra/router/descriptor.hpp"

namespace tenebra::router {

enum class NodeRole : std::uint8_t { mix, provider, authority, client };
enum class TransportChoice : std::uint8_t { tor, i2p, tcp };

// The public (virtual) port of the node's onion service or I2P destination
// when [transport] listen_port is not given.
inline constexpr std::uint16_t kDefaultTunnelPort = 7000;
inline constexpr std::uintmax_t kMaxConfigFileBytes = std::uintmax_t{1024} * 1024;
inline constexpr std::uintmax_t kMaxTorTestnetFileBytes = std::uintmax_t{64} * 1024;
inline constexpr std::size_t kMaxTorTestnetLines = 256;

struct AuthorityEntry {
  directory::IdentityKey identity{};
  std::string address;  // valid for the configured transport (directory::check_address)
  bool operator==(const AuthorityEntry&) const = default;
};

// Authority role: the Loopix rates it publishes in topology documents.
// delay_hz is mu: per-hop delays are Exp(mu), mean 1/mu seconds.
struct PeerRates {
  double payload_hz, drop_hz, loop_hz, mix_loop_hz, delay_hz;
  bool operator==(const PeerRates&) const = default;
};

// Fields follow the tables of the file, not the layout that packs best: one
// NodeConfig per process, read by people.
struct NodeConfig {  // NOLINT(clang-analyzer-optin.performance.Padding)
  NodeRole role = NodeRole::client;
  std::filesystem::path data_dir;  // absolute
  std::string network_id;          // passes directory::check_network_id
  std::string log_level = "info";  // passes log::parse_level
  // [store]: exactly one of the two is set.
  std::optional<std::filesystem::path> passphrase_file;  // absolute
  std::optional<std::string> passphrase_env;             // an environment variable name
  // [testing]
  bool fast_kdf = false;  // KeyDerivationCost::for_tests(); only with transport tcp
  // [transport]
  TransportChoice transport = TransportChoice::tor;
  std::uint16_t listen_port = kDefaultTunnelPort;  // tcp: 127.0.0.1 port, 0 = any; tor/i2p: public port 1..65535
  bool allow_plain_tcp = false;                    // true required (and only allowed) for tcp
  std::optional<std::filesystem::path> tor_testnet_config;  // [transport.tor] testnet_config, absolute
  std::vector<std::string> tor_testnet_lines;               // torrc lines read from it by load_node_config
  std::filesystem::path tor_binary = "/usr/sbin/tor";
  std::optional<std::uint16_t> i2p_sam_port;  // [transport.i2p] sam_port, 2..65535
  // [directory]
  std::vector<AuthorityEntry> authorities;  // 1..16, distinct identities
  std::size_t threshold = 1;                // 1..authorities.size()
  std::chrono::sys_seconds genesis{};
  std::chrono::seconds epoch_length{3600};  // 1 s .. 7 days
  std::chrono::seconds grace{600};          // 0 .. epoch_length
  // [mix]
  std::uint8_t layer = 0;  // 1..3 for role mix, 0 otherwise
  std::size_t queue_capacity = 100'000;
  std::chrono::milliseconds max_delay{600'000};
  // [provider]
  std::size_t mailbox_quota = 10'000;  // packets per mailbox
  std::chrono::seconds mailbox_retention{7 * 24 * 3600};
  // [links]
  std::size_t max_incoming_links = 512;
  std::size_t send_queue_packets = 4096;
  std::chrono::milliseconds handshake_timeout{30'000};
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{30'000};
  // [authority]
  PeerRates rates{.payload_hz = 1.0, .drop_hz = 1.0, .loop_hz = 1.0, .mix_loop_hz = 1.0, .delay_hz = 20.0};
  bool admit_any = false;                        // admission = "open"
  std::vector<directory::IdentityKey> admitted;  // admission = "list"
  std::uint16_t max_hops = 5;                    // with payload_bytes: a valid mix::sphinx::Geometry
  std::size_t payload_bytes = 2048;
};

[[nodiscard]] Result<NodeConfig> parse_node_config(std::string_view toml_text, const std::filesystem::path& config_dir);
// Reads `file` (at most kMaxConfigFileBytes), parses it relative to its
// directory, then reads [transport.tor] testnet_config if given.
[[nodiscard]] Result<NodeConfig> load_node_config(const std::filesystem::path& file);
// The torrc lines of a file printed by `scripts/tornet client-config`: its
// non-empty lines that are not comments; control characters refused.
[[nodiscard]] Result<std::vector<std::string>> parse_tor_testnet_lines(std::string_view text);

const char* node_role_name(NodeRole role) noexcept;
const char* transport_choice_name(TransportChoice transport) noexcept;
// The directory's transport kind for addresses of `transport`.
directory::TransportKind transport_kind(TransportChoice transport) noexcept;

}  // namespace tenebra::router
