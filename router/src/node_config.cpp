#include "tenebra/router/node_config.hpp"

#include <fstream>
#include <string>
#include <system_error>

#include "node_config_fields.hpp"
#include "node_config_sections.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::router {
namespace {

using config_detail::quote;
using config_detail::Section;

constexpr std::size_t kMaxEnvNameBytes = 255;
constexpr std::size_t kMaxTorTestnetLineBytes = 1024;
constexpr std::int64_t kMaxPort = 65'535;
// i2pd puts the SAM bridge's UDP side on sam_port - 1.
constexpr std::int64_t kMinSamPort = 2;

bool is_env_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxEnvNameBytes) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void parse_top(Section& root, const std::filesystem::path& base, NodeConfig& config) {
  root.require("role");
  root.require("data_dir");
  root.require("network_id");
  if (auto role = root.choice("role", {"mix", "provider", "authority", "client"})) {
    config.role = static_cast<NodeRole>(*role);
  }
  if (auto dir = root.path("data_dir", base)) config.data_dir = *dir;
  if (auto id = root.string("network_id", directory::kMaxNetworkIdBytes)) {
    if (directory::check_network_id(*id)) {
      config.network_id = *id;
    } else {
      root.fail("network_id must be 1 to 32 characters of a-z, 0-9 and - (got " + quote(*id) + ")");
    }
  }
  if (auto level = root.choice("log_level", {"debug", "info", "warn", "error"})) {
    static constexpr const char* kLevels[] = {"debug", "info", "warn", "error"};
    config.log_level = kLevels[*level];
  }
}

void parse_store(Section store, const std::filesystem::path& base, NodeConfig& config) {
  if (!store.present()) {
    store.fail("[store] is required: set passphrase_file or passphrase_env");
    return;
  }
  config.passphrase_file = store.path("passphrase_file", base);
  if (auto env = store.string("passphrase_env", kMaxEnvNameBytes)) {
    if (is_env_name(*env)) {
      config.passphrase_env = *env;
    } else {
      store.fail("[store] passphrase_env must be an environment variable name, [A-Za-z_][A-Za-z0-9_]* (got " +
                 quote(*env) + ")");
    }
  }
  store.finish();
  if (store.failed()) return;
  if (config.passphrase_file && config.passphrase_env) {
    store.fail("[store] passphrase_file and passphrase_env exclude each other: set exactly one");
  } else if (!config.passphrase_file && !config.passphrase_env) {
    store.fail("[store] needs passphrase_file or passphrase_env (exactly one)");
  }
}

void parse_transport(Section transport, const std::filesystem::path& base, NodeConfig& config) {
  if (auto kind = transport.choice("kind", {"tor", "i2p", "tcp"}))
    config.transport = static_cast<TransportChoice>(*kind);
  const bool tcp = config.transport == TransportChoice::tcp;
  config.listen_port = tcp ? 0 : kDefaultTunnelPort;
  transport.integer_to("listen_port", tcp ? 0 : 1, kMaxPort, config.listen_port);
  if (auto allow = transport.boolean("allow_plain_tcp")) config.allow_plain_tcp = *allow;

  Section tor = transport.table("tor");
  if (auto binary = tor.path("binary", base)) config.tor_binary = *binary;
  config.tor_testnet_config = tor.path("testnet_config", base);
  tor.finish();
  Section i2p = transport.table("i2p");
  if (auto port = i2p.integer("sam_port", kMinSamPort, kMaxPort))
    config.i2p_sam_port = static_cast<std::uint16_t>(*port);
  i2p.finish();
  transport.finish();
  if (transport.failed()) return;

  const std::string kind = quote(transport_choice_name(config.transport));
  if (tor.present() && config.transport != TransportChoice::tor) {
    transport.fail("[transport.tor] is only allowed with [transport] kind = \"tor\" (kind is " + kind + ")");
  } else if (i2p.present() && config.transport != TransportChoice::i2p) {
    transport.fail("[transport.i2p] is only allowed with [transport] kind = \"i2p\" (kind is " + kind + ")");
  } else if (tcp && !config.allow_plain_tcp) {
    transport.fail(
        "[transport] kind = \"tcp\" carries packets without any tunnel and exposes IP addresses; it is for test "
        "networks only and needs allow_plain_tcp = true");
  } else if (!tcp && config.allow_plain_tcp) {
    transport.fail("[transport] allow_plain_tcp is only allowed with kind = \"tcp\" (kind is " + kind + ")");
  }
}

void parse_roles(Section& root, NodeConfig& config) {
  struct RoleTable {
    std::string_view name;
    NodeRole role;
    void (*parse)(Section, NodeConfig&);
  };
  static constexpr RoleTable kTables[] = {
      {"mix", NodeRole::mix, config_detail::parse_mix},
      {"provider", NodeRole::provider, config_detail::parse_provider},
      {"authority", NodeRole::authority, config_detail::parse_authority},
  };
  for (const auto& entry : kTables) {
    Section table = root.table(entry.name);
    if (root.failed()) return;
    if (table.present() && config.role != entry.role) {
      root.fail("[" + std::string(entry.name) + "] is only allowed with role = \"" + std::string(entry.name) +
                "\" (role is \"" + node_role_name(config.role) + "\")");
      return;
    }
    if (config.role != entry.role) continue;
    // A required table that is absent fails inside through require().
    entry.parse(std::move(table), config);
  }
}

Result<std::string> read_capped(const std::filesystem::path& file, std::uintmax_t cap, std::string_view what) {
  std::error_code error;
  const auto status = std::filesystem::status(file, error);
  if (error) {
    return make_error(error == std::errc::no_such_file_or_directory ? Errc::not_found : Errc::io,
                      "config: cannot read " + std::string(what) + " " + file.string() + ": " + error.message());
  }
  if (!std::filesystem::is_regular_file(status)) {
    return make_error(Errc::io, "config: " + std::string(what) + " " + file.string() + " is not a regular file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(Errc::io, "config: cannot open " + std::string(what) + " " + file.string());
  // Read one byte past the cap, so a file that grew after stat() is caught.
  std::string text(static_cast<std::size_t>(cap) + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return make_error(Errc::io, "config: error reading " + std::string(what) + " " + file.string());
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > cap) {
    return make_error(Errc::invalid_argument, "config: " + std::string(what) + " " + file.string() +
                                                  " is larger than " + std::to_string(cap) + " bytes");
  }
  return text;
}

}  // namespace

Result<NodeConfig> parse_node_config(std::string_view toml_text, const std::filesystem::path& config_dir) {
  if (toml_text.size() > kMaxConfigFileBytes) {
    return make_error(Errc::invalid_argument,
                      "config: the file is larger than " + std::to_string(kMaxConfigFileBytes) + " bytes");
  }
  std::error_code error;
  const std::filesystem::path base = std::filesystem::absolute(config_dir, error);
  if (error) return make_error(Errc::io, "config: cannot resolve the config directory: " + error.message());

  if (auto ascii = config_detail::check_ascii_outside_strings(toml_text); !ascii) return std::move(ascii).error();
  toml::parse_result parsed = toml::parse(toml_text);
  if (!parsed) {
    const auto& failure = parsed.error();
    return make_error(Errc::invalid_argument,
                      "config: TOML syntax error at line " + std::to_string(failure.source().begin.line) + ", column " +
                          std::to_string(failure.source().begin.column) + ": " + std::string(failure.description()));
  }
  Status status;
  Section root(&parsed.table(), "", status);
  NodeConfig config;
  parse_top(root, base, config);
  parse_store(root.table("store"), base, config);
  Section testing = root.table("testing");
  if (auto fast = testing.boolean("fast_kdf")) config.fast_kdf = *fast;
  testing.finish();
  parse_transport(root.table("transport"), base, config);
  config_detail::parse_directory(root.table("directory"), config);
  parse_roles(root, config);
  config_detail::parse_links(root.table("links"), config);
  root.finish();
  if (!status) return std::move(status).error();
  if (config.fast_kdf && config.transport != TransportChoice::tcp) {
    return make_error(Errc::invalid_argument,
                      "config: [testing] fast_kdf = true weakens the store key; it is only allowed with [transport] "
                      "kind = \"tcp\" (test networks)");
  }
  return config;
}

Result<std::vector<std::string>> parse_tor_testnet_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = "config: tor testnet file line " + std::to_string(number);
    if (line.size() > kMaxTorTestnetLineBytes) return make_error(Errc::invalid_argument, where + " is too long");
    for (const char c : line) {
      const auto byte = static_cast<unsigned char>(c);
      if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
        return make_error(Errc::invalid_argument, where + " has a control character");
      }
    }
    if (lines.size() == kMaxTorTestnetLines) {
      return make_error(Errc::invalid_argument,
                        "config: tor testnet file has more than " + std::to_string(kMaxTorTestnetLines) + " lines");
    }
    lines.emplace_back(line);
  }
  return lines;
}

Result<NodeConfig> load_node_config(const std::filesystem::path& file) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(file, error);
  if (error) return make_error(Errc::io, "config: cannot resolve " + file.string() + ": " + error.message());
  auto text = read_capped(absolute, kMaxConfigFileBytes, "config file");
  if (!text) return std::move(text).error();
  auto config = parse_node_config(*text, absolute.parent_path());
  if (!config || !config->tor_testnet_config) return config;
  auto testnet = read_capped(*config->tor_testnet_config, kMaxTorTestnetFileBytes, "[transport.tor] testnet_config");
  if (!testnet) return std::move(testnet).error();
  auto lines = parse_tor_testnet_lines(*testnet);
  if (!lines) return std::move(lines).error();
  config->tor_testnet_lines = std::move(*lines);
  return config;
}

const char* node_role_name(NodeRole role) noexcept {
  switch (role) {
    case NodeRole::mix:
      return "mix";
    case NodeRole::provider:
      return "provider";
    case NodeRole::authority:
      return "authority";
    case NodeRole::client:
      return "client";
  }
  return "unknown";
}

const char* transport_choice_name(TransportChoice transport) noexcept {
  switch (transport) {
    case TransportChoice::tor:
      return "tor";
    case TransportChoice::i2p:
      return "i2p";
    case TransportChoice::tcp:
      return "tcp";
  }
  return "unknown";
}

directory::TransportKind transport_kind(TransportChoice transport) noexcept {
  switch (transport) {
    case TransportChoice::tor:
      return directory::TransportKind::onion;
    case TransportChoice::i2p:
      return directory::TransportKind::i2p;
    case TransportChoice::tcp:
      return directory::TransportKind::tcp;
  }
  return directory::TransportKind::onion;
}

}  // namespace tenebra::router
