// The network description a test network publishes as DIR/net.json
// (scripts/testnet writes it): the network's trust parameters and every node
// with its name, identity, loopback address and data dir. load_net_file
// parses it strictly: every field the probe uses must be present with the
// right type and range, or the whole file is refused with an error that
// names the field. Unknown fields are ignored so the file can grow.
// The transport decides the form of every address: 127.x.y.z:port for
// "tcp", <service id>.onion:port for "tor" (whose file also names the
// torrc lines of the private Tor network, "tor_testnet_config").
//
// Thread-safety: plain values and free functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tenebra/core/result.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/topology_accept.hpp"

namespace tenebra::mixnet_probe {

// How the network's nodes reach each other, and so how the probe dials them.
enum class NetTransport : std::uint8_t { tcp, tor };

struct NetNode {
  std::string name;
  router::directory::IdentityKey identity{};
  std::string address;  // 127.x.y.z:port (tcp) or <56 chars>.onion:port (tor)
  std::filesystem::path data_dir;
  std::uint8_t layer = 0;  // mixes: 1..3; others 0
};

struct NetFile {
  std::string network_id;
  NetTransport transport = NetTransport::tcp;
  // tor only: the file of torrc lines (`scripts/tornet client-config`).
  std::filesystem::path tor_testnet_config;
  router::directory::TrustConfig trust;  // network id, authority keys, threshold, schedule
  std::chrono::seconds grace{0};
  std::filesystem::path passphrase_file;
  std::vector<NetNode> authorities;
  std::vector<NetNode> providers;
  std::vector<NetNode> mixes;

  // The node of any role with this identity or name; nullptr if none.
  [[nodiscard]] const NetNode* find(const router::directory::IdentityKey& identity) const;
  [[nodiscard]] const NetNode* find_provider(std::string_view name) const;
};

// Errc::not_found / Errc::io when the file cannot be read, Errc::malformed
// (naming the field) when its content breaks a rule.
[[nodiscard]] Result<NetFile> load_net_file(const std::filesystem::path& path);

// The store passphrase: the file's content without its trailing newline
// (as written by `base64 >file`). Errc::malformed when empty or too long.
class Passphrase {
 public:
  [[nodiscard]] static Result<Passphrase> read(const std::filesystem::path& path);
  ~Passphrase();
  Passphrase(Passphrase&& other) noexcept;
  Passphrase& operator=(Passphrase&&) = delete;
  Passphrase(const Passphrase&) = delete;
  Passphrase& operator=(const Passphrase&) = delete;
  [[nodiscard]] std::string_view view() const noexcept { return m_text; }

 private:
  explicit Passphrase(std::string text) : m_text(std::move(text)) {}
  std::string m_text;
};

}  // namespace tenebra::mixnet_probe
