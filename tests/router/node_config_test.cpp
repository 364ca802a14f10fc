// The daemon's TOML configuration: every role's happy path, every default,
// and the refusals a security configuration needs (unknown keys, wrong
// types, out-of-range values, missing or conflicting settings).
#include "tenebra/router/node_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "directory_vectors_fixtures.hpp"
#include "tenebra/core/bytes.hpp"

namespace tenebra::router {
namespace {

using namespace std::chrono_literals;

std::string identity_hex(std::uint8_t index) {
  std::array<std::uint8_t, kIdentitySeedLength> seed{};
  seed.fill(index);
  return to_hex(IdentityKeyPair::from_seed(seed).public_key);
}

std::string onion(std::size_t index) {
  return std::string(directory::testing::kOnionHosts[index % 4]) + ":443";
}

std::string authority_block(const std::string& identity, const std::string& address) {
  return "[[directory.authority]]\nidentity = \"" + identity + "\"\naddress = \"" + address + "\"\n";
}

// A config document as named parts, so a test changes one part.
struct Doc {
  std::string top = "role = \"mix\"\ndata_dir = \"data\"\nnetwork_id = \"testnet-1\"\n";
  std::map<std::string, std::string> tables{
      {"store", "passphrase_file = \"pass.txt\"\n"},
      {"directory", "genesis = 1767225600\n"},
      {"mix", "layer = 2\n"},
  };
  std::string authorities = authority_block(identity_hex(1), onion(0));

  static Doc for_role(std::string_view role) {
    Doc doc;
    doc.top = "role = \"" + std::string(role) + "\"\ndata_dir = \"data\"\nnetwork_id = \"testnet-1\"\n";
    doc.tables.erase("mix");
    if (role == "mix") doc.tables["mix"] = "layer = 2\n";
    if (role == "authority") doc.tables["authority"] = "admission = \"open\"\n";
    return doc;
  }
  std::string text() const {
    std::string out = top;
    for (const auto& [name, body] : tables) {
      out += "[";
      out += name;
      out += "]\n";
      out += body;
    }
    return out + authorities;
  }
};

const std::filesystem::path kDir = "/etc/tenebra";

Result<NodeConfig> parse(const Doc& doc) {
  return parse_node_config(doc.text(), kDir);
}

NodeConfig parse_ok(const Doc& doc) {
  auto config = parse(doc);
  EXPECT_TRUE(config.ok()) << config.error().message << "\n--- config ---\n" << doc.text();
  return config.ok() ? std::move(config).value() : NodeConfig{};
}

// The error message, or "" when the config was (wrongly) accepted.
std::string refusal(const Doc& doc) {
  auto config = parse(doc);
  if (config.ok()) return "";
  EXPECT_EQ(config.error().code, Errc::invalid_argument);
  EXPECT_EQ(config.error().message.rfind("config: ", 0), 0U) << config.error().message;
  return config.error().message;
}

#define EXPECT_REFUSED(doc, fragment)                                     \
  do {                                                                    \
    const std::string message = refusal(doc);                             \
    EXPECT_NE(message.find(fragment), std::string::npos)                  \
        << "expected \"" << (fragment) << "\" in \"" << message << "\"\n" \
        << (doc).text();                                                  \
  } while (false)

TEST(NodeConfig, MinimalMixUsesEveryDefault) {
  const NodeConfig c = parse_ok(Doc{});
  EXPECT_EQ(c.role, NodeRole::mix);
  EXPECT_EQ(c.data_dir, "/etc/tenebra/data");
  EXPECT_EQ(c.network_id, "testnet-1");
  EXPECT_EQ(c.log_level, "info");
  ASSERT_TRUE(c.passphrase_file.has_value());
  EXPECT_EQ(*c.passphrase_file, "/etc/tenebra/pass.txt");
  EXPECT_FALSE(c.passphrase_env.has_value());
  EXPECT_FALSE(c.fast_kdf);
  EXPECT_EQ(c.transport, TransportChoice::tor);
  EXPECT_EQ(c.listen_port, kDefaultTunnelPort);
  EXPECT_FALSE(c.allow_plain_tcp);
  EXPECT_FALSE(c.tor_testnet_config.has_value());
  EXPECT_TRUE(c.tor_testnet_lines.empty());
  EXPECT_EQ(c.tor_binary, "/usr/sbin/tor");
  EXPECT_FALSE(c.i2p_sam_port.has_value());
  ASSERT_EQ(c.authorities.size(), 1U);
  EXPECT_EQ(to_hex(c.authorities[0].identity), identity_hex(1));
  EXPECT_EQ(c.authorities[0].address, onion(0));
  EXPECT_EQ(c.threshold, 1U);
  EXPECT_EQ(c.genesis.time_since_epoch(), 1767225600s);
  EXPECT_EQ(c.epoch_length, 3600s);
  EXPECT_EQ(c.grace, 600s);
  EXPECT_EQ(c.layer, 2);
  EXPECT_EQ(c.queue_capacity, 100'000U);
  EXPECT_EQ(c.max_delay, 600'000ms);
  EXPECT_EQ(c.mailbox_quota, 10'000U);
  EXPECT_EQ(c.mailbox_retention, std::chrono::seconds(7 * 24 * 3600));
  EXPECT_EQ(c.max_incoming_links, 512U);
  EXPECT_EQ(c.send_queue_packets, 4096U);
  EXPECT_EQ(c.handshake_timeout, 30'000ms);
  EXPECT_EQ(c.reconnect_min, 500ms);
  EXPECT_EQ(c.reconnect_max, 30'000ms);
  EXPECT_EQ(c.rates, (PeerRates{1.0, 1.0, 1.0, 1.0, 20.0}));
  EXPECT_FALSE(c.admit_any);
  EXPECT_TRUE(c.admitted.empty());
  EXPECT_EQ(c.max_hops, 5);
  EXPECT_EQ(c.payload_bytes, 2048U);
}

TEST(NodeConfig, GenesisDefaultsToTheUnixEpoch) {
  Doc doc;
  doc.tables["directory"] = "";
  EXPECT_EQ(parse_ok(doc).genesis.time_since_epoch(), 0s);
}

TEST(NodeConfig, MixWithEveryKey) {
  Doc doc;
  doc.top += "log_level = \"debug\"\n";
  doc.tables["mix"] = "layer = 3\nqueue_capacity = 50\nmax_delay_ms = 1234\n";
  doc.tables["links"] =
      "max_incoming = 7\nsend_queue = 9\nhandshake_timeout_ms = 1500\nreconnect_min_ms = 20\nreconnect_max_ms = 40\n";
  doc.tables["directory"] = "threshold = 2\ngenesis = 5\nepoch_length_s = 60\ngrace_s = 60\n";
  doc.authorities += authority_block(identity_hex(2), onion(1));
  doc.tables["transport"] = "kind = \"tor\"\nlisten_port = 443\n";
  doc.tables["transport.tor"] = "binary = \"bin/tor\"\ntestnet_config = \"/tmp/tornet.txt\"\n";
  const NodeConfig c = parse_ok(doc);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.layer, 3);
  EXPECT_EQ(c.queue_capacity, 50U);
  EXPECT_EQ(c.max_delay, 1234ms);
  EXPECT_EQ(c.max_incoming_links, 7U);
  EXPECT_EQ(c.send_queue_packets, 9U);
  EXPECT_EQ(c.handshake_timeout, 1500ms);
  EXPECT_EQ(c.reconnect_min, 20ms);
  EXPECT_EQ(c.reconnect_max, 40ms);
  EXPECT_EQ(c.threshold, 2U);
  EXPECT_EQ(c.genesis.time_since_epoch(), 5s);
  EXPECT_EQ(c.epoch_length, 60s);
  EXPECT_EQ(c.grace, 60s);
  ASSERT_EQ(c.authorities.size(), 2U);
  EXPECT_EQ(c.authorities[1].address, onion(1));
  EXPECT_EQ(c.listen_port, 443);
  EXPECT_EQ(c.tor_binary, "/etc/tenebra/bin/tor");
  ASSERT_TRUE(c.tor_testnet_config.has_value());
  EXPECT_EQ(*c.tor_testnet_config, "/tmp/tornet.txt");
}

TEST(NodeConfig, ProviderWithEveryKey) {
  Doc doc = Doc::for_role("provider");
  doc.tables["provider"] = "mailbox_quota = 99\nretention_s = 3600\n";
  doc.tables["store"] = "passphrase_env = \"TENEBRA_PASSPHRASE\"\n";
  const NodeConfig c = parse_ok(doc);
  EXPECT_EQ(c.role, NodeRole::provider);
  EXPECT_EQ(c.layer, 0);
  EXPECT_EQ(c.mailbox_quota, 99U);
  EXPECT_EQ(c.mailbox_retention, 3600s);
  EXPECT_FALSE(c.passphrase_file.has_value());
  EXPECT_EQ(c.passphrase_env, "TENEBRA_PASSPHRASE");
}

TEST(NodeConfig, ProviderTableIsOptional) {
  const NodeConfig c = parse_ok(Doc::for_role("provider"));
  EXPECT_EQ(c.mailbox_quota, 10'000U);
}

TEST(NodeConfig, AuthorityOpenWithRatesAndGeometry) {
  Doc doc = Doc::for_role("authority");
  doc.tables["authority"] = "admission = \"open\"\nmax_hops = 6\npayload_bytes = 1024\n";
  doc.tables["authority.rates"] = "payload_hz = 2\ndrop_hz = 0.5\nloop_hz = 0\nmix_loop_hz = 3.25\ndelay_hz = 0.001\n";
  const NodeConfig c = parse_ok(doc);
  EXPECT_EQ(c.role, NodeRole::authority);
  EXPECT_TRUE(c.admit_any);
  EXPECT_TRUE(c.admitted.empty());
  EXPECT_EQ(c.max_hops, 6);
  EXPECT_EQ(c.payload_bytes, 1024U);
  EXPECT_EQ(c.rates, (PeerRates{2.0, 0.5, 0.0, 3.25, 0.001}));
}

TEST(NodeConfig, AuthorityWithAdmissionList) {
  Doc doc = Doc::for_role("authority");
  doc.tables["authority"] =
      "admission = \"list\"\nadmit = [\"" + identity_hex(7) + "\", \"" + identity_hex(8) + "\"]\n";
  const NodeConfig c = parse_ok(doc);
  EXPECT_FALSE(c.admit_any);
  ASSERT_EQ(c.admitted.size(), 2U);
  EXPECT_EQ(to_hex(c.admitted[0]), identity_hex(7));
  EXPECT_EQ(to_hex(c.admitted[1]), identity_hex(8));
  EXPECT_EQ(c.rates, (PeerRates{1.0, 1.0, 1.0, 1.0, 20.0}));
}

TEST(NodeConfig, Client) {
  const NodeConfig c = parse_ok(Doc::for_role("client"));
  EXPECT_EQ(c.role, NodeRole::client);
  EXPECT_EQ(c.layer, 0);
}

TEST(NodeConfig, I2pTransport) {
  Doc doc;
  doc.tables["transport"] = "kind = \"i2p\"\n";
  doc.tables["transport.i2p"] = "sam_port = 7656\n";
  doc.authorities = authority_block(identity_hex(1), std::string(directory::testing::kI2pHosts[0]) + ":7000");
  const NodeConfig c = parse_ok(doc);
  EXPECT_EQ(c.transport, TransportChoice::i2p);
  EXPECT_EQ(c.listen_port, kDefaultTunnelPort);
  EXPECT_EQ(c.i2p_sam_port, 7656);
  EXPECT_EQ(transport_kind(c.transport), directory::TransportKind::i2p);
}

TEST(NodeConfig, PlainTcpForTestsWithFastKdf) {
  Doc doc;
  doc.tables["transport"] = "kind = \"tcp\"\nallow_plain_tcp = true\n";
  doc.tables["testing"] = "fast_kdf = true\n";
  doc.authorities = authority_block(identity_hex(1), "127.0.0.1:9000");
  const NodeConfig c = parse_ok(doc);
  EXPECT_EQ(c.transport, TransportChoice::tcp);
  EXPECT_EQ(c.listen_port, 0);  // any free port
  EXPECT_TRUE(c.allow_plain_tcp);
  EXPECT_TRUE(c.fast_kdf);
  doc.tables["transport"] += "listen_port = 0\n";
  EXPECT_EQ(parse_ok(doc).listen_port, 0);
}

TEST(NodeConfig, PathsResolveAgainstTheConfigDirectory) {
  Doc doc;
  doc.top = "role = \"mix\"\ndata_dir = \"../var/./node\"\nnetwork_id = \"n\"\n";
  doc.tables["store"] = "passphrase_file = \"/run/secrets/pass\"\n";
  const NodeConfig c = parse_ok(doc);
  EXPECT_EQ(c.data_dir, "/etc/var/node");
  EXPECT_EQ(*c.passphrase_file, "/run/secrets/pass");
}

TEST(NodeConfig, NamesOfEnums) {
  EXPECT_STREQ(node_role_name(NodeRole::mix), "mix");
  EXPECT_STREQ(node_role_name(NodeRole::provider), "provider");
  EXPECT_STREQ(node_role_name(NodeRole::authority), "authority");
  EXPECT_STREQ(node_role_name(NodeRole::client), "client");
  EXPECT_STREQ(transport_choice_name(TransportChoice::tor), "tor");
  EXPECT_STREQ(transport_choice_name(TransportChoice::i2p), "i2p");
  EXPECT_STREQ(transport_choice_name(TransportChoice::tcp), "tcp");
  EXPECT_EQ(transport_kind(TransportChoice::tor), directory::TransportKind::onion);
  EXPECT_EQ(transport_kind(TransportChoice::tcp), directory::TransportKind::tcp);
}

TEST(NodeConfigRefusal, SyntaxErrorGivesLineAndColumn) {
  auto config = parse_node_config("role = \"mix\"\ndata_dir = \n", kDir);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("TOML syntax error at line 2, column"), std::string::npos)
      << config.error().message;
  EXPECT_FALSE(parse_node_config("[mix]\n[mix]\n", kDir).ok());  // a table defined twice
  EXPECT_FALSE(parse_node_config(std::string("role = \"mi\0x\"", 13), kDir).ok());
}

// toml++ 3.3 has undefined behaviour on some non-ASCII characters outside
// strings and comments (found by fuzz_node_config); they are refused first.
TEST(NodeConfigRefusal, NonAsciiOutsideStringsAndComments) {
  for (const char* text : {"role = \"mix\" \xc3\xa9\n", "\xc3\xa9 = 1\n", "a = 1\n[\xe3\x81\x82]\n",
                           "s = \"unterminated \\\n\xc3\xa9\"\n", "m = '''x'''\xd0\x94\n"}) {
    auto config = parse_node_config(text, kDir);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.error().message.find("non-ASCII character outside a string or comment"), std::string::npos)
        << config.error().message;
  }
  auto line = parse_node_config("a = \"\"\"x\n\"\"\"\n# \xc3\xa9\nb = 1 \xc3\xa9\n", kDir);
  ASSERT_FALSE(line.ok());
  EXPECT_NE(line.error().message.find("at line 4:"), std::string::npos) << line.error().message;
}

TEST(NodeConfig, NonAsciiInStringsAndCommentsIsFine) {
  Doc doc;
  doc.top =
      "\xef\xbb\xbf# caf\xc3\xa9 \xe3\x81\x82 \xd0\x94\nrole = \"mix\"\ndata_dir = \"/srv/caf\xc3\xa9/\xe3\x81\x82\"\n"
      "network_id = \"n\"  # \xef\xbc\x81\n";
  doc.tables["store"] = "passphrase_file = '''/etc/\xd0\x94'''\n";
  const NodeConfig c = parse_ok(doc);
  EXPECT_EQ(c.data_dir, "/srv/caf\xc3\xa9/\xe3\x81\x82");
  EXPECT_EQ(*c.passphrase_file, "/etc/\xd0\x94");
}

TEST(NodeConfigRefusal, OversizedText) {
  const std::string big(kMaxConfigFileBytes + 1, '#');
  auto config = parse_node_config(big, kDir);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("larger than"), std::string::npos);
}

TEST(NodeConfigRefusal, UnknownKeysAndTables) {
  Doc doc;
  doc.top += "colour = 1\n";
  EXPECT_REFUSED(doc, "unknown key \"colour\" at the top level (allowed: ");
  doc = Doc{};
  doc.tables["mixx"] = "layer = 1\n";
  EXPECT_REFUSED(doc, "unknown table \"mixx\" at the top level");
  doc = Doc{};
  doc.tables["mix"] = "layer = 1\nlayr = 1\n";
  EXPECT_REFUSED(doc, "unknown key \"layr\" in [mix] (allowed: layer, max_delay_ms, queue_capacity)");
  doc = Doc{};
  doc.tables["store"] += "passphrase = \"hunter2\"\n";
  EXPECT_REFUSED(doc, "unknown key \"passphrase\" in [store]");
  doc = Doc{};
  doc.tables["transport.tor"] = "binar = \"/usr/bin/tor\"\n";
  EXPECT_REFUSED(doc, "unknown key \"binar\" in [transport.tor]");
  doc = Doc{};
  doc.tables["transport.obfs"] = "x = 1\n";
  EXPECT_REFUSED(doc, "unknown table \"obfs\" in [transport]");
  doc = Doc{};
  doc.tables["testing"] = "fast = true\n";
  EXPECT_REFUSED(doc, "unknown key \"fast\" in [testing]");
  doc = Doc{};
  doc.authorities += "port = 5\n";
  EXPECT_REFUSED(doc, "unknown key \"port\" in [[directory.authority]] #1");
  doc = Doc::for_role("authority");
  doc.tables["authority.rates"] = "payload = 1\n";
  EXPECT_REFUSED(doc, "unknown key \"payload\" in [authority.rates]");
}

TEST(NodeConfigRefusal, WrongTypes) {
  Doc doc;
  doc.tables["mix"] = "layer = \"2\"\n";
  EXPECT_REFUSED(doc, "config: [mix] layer must be an integer (got a string)");
  doc = Doc{};
  doc.tables["mix"] = "layer = 2.0\n";
  EXPECT_REFUSED(doc, "[mix] layer must be an integer (got a float)");
  doc = Doc{};
  doc.top = "role = \"mix\"\ndata_dir = 5\nnetwork_id = \"n\"\n";
  EXPECT_REFUSED(doc, "config: data_dir must be a string (got an integer)");
  doc = Doc{};
  doc.tables["testing"] = "fast_kdf = \"yes\"\n";
  EXPECT_REFUSED(doc, "[testing] fast_kdf must be true or false (got a string)");
  doc = Doc{};
  doc.top += "mix = 5\n";
  doc.tables.erase("mix");
  EXPECT_REFUSED(doc, "mix must be a table [mix]");
  doc = Doc{};
  doc.top += "role = 1\n";
  EXPECT_FALSE(parse(doc).ok());  // a duplicate key is a TOML error
  doc = Doc::for_role("authority");
  doc.tables["authority.rates"] = "drop_hz = \"1\"\n";
  EXPECT_REFUSED(doc, "[authority.rates] drop_hz must be a number (got a string)");
  doc = Doc::for_role("authority");
  doc.tables["authority"] = "admission = \"list\"\nadmit = [1]\n";
  EXPECT_REFUSED(doc, "[authority] admit[0] must be a string of 64 hex digits (got an integer)");
  doc = Doc{};
  doc.tables["directory"] = "authority = 3\n";
  doc.authorities.clear();
  EXPECT_REFUSED(doc, "[directory] authority must be an array (got an integer)");
  doc = Doc{};
  doc.tables["directory"] = "genesis = 1970-01-01T00:00:00Z\n";
  EXPECT_REFUSED(doc, "[directory] genesis must be an integer (got a date/time)");
}

TEST(NodeConfigRefusal, OutOfRange) {
  Doc doc;
  doc.tables["mix"] = "layer = 4\n";
  EXPECT_EQ(refusal(doc), "config: [mix] layer must be 1, 2 or 3 (got 4)");
  doc.tables["mix"] = "layer = 0\n";
  EXPECT_REFUSED(doc, "[mix] layer must be 1, 2 or 3 (got 0)");
  doc.tables["mix"] = "layer = 1\nqueue_capacity = 0\n";
  EXPECT_REFUSED(doc, "[mix] queue_capacity must be an integer from 1 to 10000000 (got 0)");
  doc.tables["mix"] = "layer = 1\nmax_delay_ms = 86400001\n";
  EXPECT_REFUSED(doc, "[mix] max_delay_ms must be an integer from 1 to 86400000");
  doc = Doc{};
  doc.tables["transport"] = "listen_port = 0\n";
  EXPECT_EQ(refusal(doc), "config: [transport] listen_port must be an integer from 1 to 65535 (got 0)");
  doc.tables["transport"] = "listen_port = 70000\n";
  EXPECT_REFUSED(doc, "listen_port must be an integer from 1 to 65535 (got 70000)");
  doc.tables["transport"] = "kind = \"i2p\"\n";
  doc.tables["transport.i2p"] = "sam_port = 0\n";
  EXPECT_REFUSED(doc, "[transport.i2p] sam_port must be an integer from 2 to 65535 (got 0)");
  doc = Doc{};
  doc.tables["directory"] = "epoch_length_s = 0\n";
  EXPECT_REFUSED(doc, "[directory] epoch_length_s must be an integer from 1 to 604800 (got 0)");
  doc.tables["directory"] = "epoch_length_s = 604801\n";
  EXPECT_REFUSED(doc, "epoch_length_s must be an integer from 1 to 604800");
  doc.tables["directory"] = "epoch_length_s = 60\ngrace_s = 61\n";
  EXPECT_REFUSED(doc, "[directory] grace_s must be from 0 to epoch_length_s, 60 (got 61)");
  doc.tables["directory"] = "genesis = -1\n";
  EXPECT_REFUSED(doc, "[directory] genesis must be an integer from 0 to");
  doc.tables["directory"] = "threshold = 2\n";
  EXPECT_REFUSED(doc, "[directory] threshold must be from 1 to the number of authorities, 1 (got 2)");
  doc.tables["directory"] = "threshold = 0\n";
  EXPECT_REFUSED(doc, "[directory] threshold must be an integer from 1 to 16 (got 0)");
  doc = Doc::for_role("provider");
  doc.tables["provider"] = "mailbox_quota = 0\n";
  EXPECT_REFUSED(doc, "[provider] mailbox_quota must be an integer from 1 to 1000000 (got 0)");
  doc.tables["provider"] = "retention_s = 0\n";
  EXPECT_REFUSED(doc, "[provider] retention_s must be an integer from 1 to");
  doc = Doc{};
  doc.tables["links"] = "handshake_timeout_ms = 5\n";
  EXPECT_REFUSED(doc, "[links] handshake_timeout_ms must be an integer from 100 to 600000 (got 5)");
  doc.tables["links"] = "reconnect_min_ms = 900\nreconnect_max_ms = 800\n";
  EXPECT_REFUSED(doc, "[links] reconnect_max_ms must be at least reconnect_min_ms, 900 (got 800)");
  doc.tables["links"] = "max_incoming = 0\n";
  EXPECT_REFUSED(doc, "[links] max_incoming must be an integer from 1 to 65536 (got 0)");
  doc.tables["links"] = "send_queue = 1000001\n";
  EXPECT_REFUSED(doc, "[links] send_queue must be an integer from 1 to 1000000");
}

TEST(NodeConfigRefusal, AuthorityRatesAndGeometry) {
  Doc doc = Doc::for_role("authority");
  doc.tables["authority.rates"] = "delay_hz = 0\n";
  EXPECT_REFUSED(doc, "[authority.rates] delay_hz must be a number from 1e-06 to 1000 (got 0)");
  doc.tables["authority.rates"] = "payload_hz = -1\n";
  EXPECT_REFUSED(doc, "[authority.rates] payload_hz must be a number from 0 to 1000 (got -1)");
  doc.tables["authority.rates"] = "loop_hz = 1000.5\n";
  EXPECT_REFUSED(doc, "[authority.rates] loop_hz must be a number from 0 to 1000");
  doc.tables["authority.rates"] = "mix_loop_hz = nan\n";
  EXPECT_REFUSED(doc, "[authority.rates] mix_loop_hz must be a number from 0 to 1000");
  doc.tables["authority.rates"] = "drop_hz = inf\n";
  EXPECT_REFUSED(doc, "[authority.rates] drop_hz must be a number from 0 to 1000");
  doc.tables.erase("authority.rates");
  doc.tables["authority"] = "admission = \"open\"\nmax_hops = 4\n";
  EXPECT_REFUSED(doc, "[authority] max_hops must be an integer from 5 to 16 (got 4)");
  doc.tables["authority"] = "admission = \"open\"\npayload_bytes = 63\n";
  EXPECT_REFUSED(doc, "[authority] payload_bytes must be an integer from 64 to 65536 (got 63)");
}

TEST(NodeConfigRefusal, AuthorityAdmission) {
  Doc doc = Doc::for_role("authority");
  doc.tables["authority"] = "max_hops = 5\n";
  EXPECT_REFUSED(doc, "[authority] admission is required");
  doc.tables.erase("authority");
  EXPECT_REFUSED(doc, "[authority] is required");
  doc.tables["authority"] = "admission = \"closed\"\n";
  EXPECT_REFUSED(doc, "[authority] admission must be \"open\" or \"list\" (got \"closed\")");
  doc.tables["authority"] = "admission = \"list\"\n";
  EXPECT_REFUSED(doc, "admission = \"list\" needs admit");
  doc.tables["authority"] = "admission = \"list\"\nadmit = []\n";
  EXPECT_REFUSED(doc, "[authority] admit must list 1 to 1024 identities (got 0)");
  doc.tables["authority"] = "admission = \"open\"\nadmit = [\"" + identity_hex(3) + "\"]\n";
  EXPECT_REFUSED(doc, "[authority] admit must be absent with admission = \"open\"");
  doc.tables["authority"] =
      "admission = \"list\"\nadmit = [\"" + identity_hex(3) + "\", \"" + identity_hex(3) + "\"]\n";
  EXPECT_REFUSED(doc, "[authority] admit[1] appears twice");
  doc.tables["authority"] = "admission = \"list\"\nadmit = [\"abcd\"]\n";
  EXPECT_REFUSED(doc, "[authority] admit[0] must be 64 hex digits, an Ed25519 public key (got \"abcd\")");
}

TEST(NodeConfigRefusal, RoleAndRoleTables) {
  Doc doc;
  doc.top = "role = \"relay\"\ndata_dir = \"d\"\nnetwork_id = \"n\"\n";
  EXPECT_EQ(refusal(doc), "config: role must be \"mix\", \"provider\", \"authority\" or \"client\" (got \"relay\")");
  doc = Doc{};
  doc.tables.erase("mix");
  EXPECT_REFUSED(doc, "[mix] is required");
  doc = Doc{};
  doc.tables["mix"] = "queue_capacity = 5\n";
  EXPECT_REFUSED(doc, "[mix] layer is required");
  doc = Doc::for_role("provider");
  doc.tables["mix"] = "layer = 1\n";
  EXPECT_REFUSED(doc, "[mix] is only allowed with role = \"mix\" (role is \"provider\")");
  doc = Doc{};
  doc.tables["provider"] = "mailbox_quota = 1\n";
  EXPECT_REFUSED(doc, "[provider] is only allowed with role = \"provider\" (role is \"mix\")");
  doc = Doc::for_role("client");
  doc.tables["authority"] = "admission = \"open\"\n";
  EXPECT_REFUSED(doc, "[authority] is only allowed with role = \"authority\" (role is \"client\")");
}

TEST(NodeConfigRefusal, MissingRequiredTopLevelKeys) {
  for (const char* key : {"role", "data_dir", "network_id"}) {
    Doc doc;
    std::string top;
    if (std::string_view(key) != "role") top += "role = \"mix\"\n";
    if (std::string_view(key) != "data_dir") top += "data_dir = \"d\"\n";
    if (std::string_view(key) != "network_id") top += "network_id = \"n\"\n";
    doc.top = top;
    EXPECT_REFUSED(doc, std::string("config: ") + key + " is required");
  }
  Doc doc;
  doc.top = "role = \"mix\"\ndata_dir = \"\"\nnetwork_id = \"n\"\n";
  EXPECT_REFUSED(doc, "data_dir must be a string of 1 to 4096 bytes without control characters (got \"\")");
  doc.top = "role = \"mix\"\ndata_dir = \"a\\u0001b\"\nnetwork_id = \"n\"\n";
  EXPECT_REFUSED(doc, "(got \"a\\x01b\")");
  doc.top = "role = \"mix\"\ndata_dir = \"d\"\nnetwork_id = \"Test_Net\"\n";
  EXPECT_REFUSED(doc, "network_id must be 1 to 32 characters of a-z, 0-9 and - (got \"Test_Net\")");
  doc.top = "role = \"mix\"\ndata_dir = \"d\"\nnetwork_id = \"n\"\nlog_level = \"verbose\"\n";
  EXPECT_REFUSED(doc, "log_level must be \"debug\", \"info\", \"warn\" or \"error\" (got \"verbose\")");
}

TEST(NodeConfigRefusal, PassphraseSources) {
  Doc doc;
  doc.tables["store"] = "passphrase_file = \"p\"\npassphrase_env = \"P\"\n";
  EXPECT_REFUSED(doc, "[store] passphrase_file and passphrase_env exclude each other: set exactly one");
  doc.tables["store"] = "";
  EXPECT_REFUSED(doc, "[store] needs passphrase_file or passphrase_env");
  doc.tables.erase("store");
  EXPECT_REFUSED(doc, "[store] is required");
  doc.tables["store"] = "passphrase_env = \"1PASS\"\n";
  EXPECT_REFUSED(doc, "[store] passphrase_env must be an environment variable name");
  doc.tables["store"] = "passphrase_env = \"PASS WORD\"\n";
  EXPECT_REFUSED(doc, "[store] passphrase_env must be an environment variable name");
}

TEST(NodeConfigRefusal, TransportCombinations) {
  Doc doc;
  doc.tables["transport"] = "kind = \"tcp\"\n";
  doc.authorities = authority_block(identity_hex(1), "127.0.0.1:9000");
  EXPECT_REFUSED(doc, "[transport] kind = \"tcp\" carries packets without any tunnel");
  EXPECT_REFUSED(doc, "needs allow_plain_tcp = true");
  doc.tables["transport"] = "kind = \"tcp\"\nallow_plain_tcp = false\n";
  EXPECT_REFUSED(doc, "needs allow_plain_tcp = true");
  doc = Doc{};
  doc.tables["testing"] = "fast_kdf = true\n";
  EXPECT_REFUSED(doc, "[testing] fast_kdf = true weakens the store key; it is only allowed with [transport] kind");
  doc = Doc{};
  doc.tables["transport"] = "allow_plain_tcp = true\n";
  EXPECT_REFUSED(doc, "[transport] allow_plain_tcp is only allowed with kind = \"tcp\" (kind is \"tor\")");
  doc = Doc{};
  doc.tables["transport"] = "kind = \"i2p\"\n";
  doc.tables["transport.tor"] = "binary = \"/usr/bin/tor\"\n";
  EXPECT_REFUSED(doc, "[transport.tor] is only allowed with [transport] kind = \"tor\" (kind is \"i2p\")");
  doc = Doc{};
  doc.tables["transport.i2p"] = "sam_port = 7656\n";
  EXPECT_REFUSED(doc, "[transport.i2p] is only allowed with [transport] kind = \"i2p\" (kind is \"tor\")");
  doc = Doc{};
  doc.tables["transport"] = "kind = \"udp\"\n";
  EXPECT_REFUSED(doc, "[transport] kind must be \"tor\", \"i2p\" or \"tcp\" (got \"udp\")");
}

TEST(NodeConfigRefusal, Authorities) {
  Doc doc;
  doc.authorities.clear();
  EXPECT_REFUSED(doc, "[[directory.authority]] must appear 1 to 16 times (got 0)");
  doc.tables.erase("directory");
  EXPECT_REFUSED(doc, "[directory] is required");
  doc = Doc{};
  doc.authorities.clear();
  for (std::uint8_t i = 1; i <= 17; ++i) doc.authorities += authority_block(identity_hex(i), onion(i));
  EXPECT_REFUSED(doc, "[[directory.authority]] must appear 1 to 16 times (got 17)");
  doc = Doc{};
  doc.authorities += authority_block(identity_hex(1), onion(1));
  EXPECT_REFUSED(doc, "[[directory.authority]] #2 identity appears twice");
  doc = Doc{};
  doc.authorities = authority_block(std::string(64, 'z'), onion(0));
  EXPECT_REFUSED(doc, "[[directory.authority]] #1 identity must be 64 hex digits");
  doc.authorities = authority_block(std::string(64, 'f'), onion(0));
  EXPECT_REFUSED(doc, "[[directory.authority]] #1 identity is not a valid Ed25519 public key");
  doc.authorities = authority_block(identity_hex(1), std::string(directory::testing::kI2pHosts[0]) + ":7000");
  EXPECT_REFUSED(doc, "[[directory.authority]] #1 address must be a onion address for transport tor");
  doc.authorities = authority_block(identity_hex(1), "127.0.0.1:9000");
  EXPECT_REFUSED(doc, "address must be a onion address");
  doc.authorities = authority_block(identity_hex(1), std::string(directory::testing::kOnionHosts[0]));
  EXPECT_REFUSED(doc, "address must be a onion address");
  doc.authorities = "[[directory.authority]]\nidentity = \"" + identity_hex(1) + "\"\n";
  EXPECT_REFUSED(doc, "[[directory.authority]] #1 address is required");
  doc.authorities = "[[directory.authority]]\naddress = \"" + onion(0) + "\"\n";
  EXPECT_REFUSED(doc, "[[directory.authority]] #1 identity is required");
  doc.authorities.clear();
  doc.tables["directory"] = "authority = [1, 2]\n";
  EXPECT_REFUSED(doc, "[[directory.authority]] #1 must be a table");
}

TEST(NodeConfigRefusal, FirstErrorWins) {
  Doc doc;
  doc.tables["mix"] = "layer = 9\nqueue_capacity = 0\n";
  EXPECT_EQ(refusal(doc), "config: [mix] layer must be 1, 2 or 3 (got 9)");
}

TEST(TorTestnetLines, KeepsTorrcLinesOnly) {
  auto lines = parse_tor_testnet_lines(
      "# generated by tornet\nTestingTorNetwork 1\r\n\n  DirAuthority auth0 127.0.0.1:15200 ABCD  "
      "\n\tUseDefaultFallbackDirs 0");
  ASSERT_TRUE(lines.ok()) << lines.error().message;
  EXPECT_EQ(*lines, (std::vector<std::string>{"TestingTorNetwork 1", "DirAuthority auth0 127.0.0.1:15200 ABCD",
                                              "UseDefaultFallbackDirs 0"}));
  EXPECT_TRUE(parse_tor_testnet_lines("").value().empty());
}

TEST(TorTestnetLines, RefusesControlCharactersAndTooMuch) {
  EXPECT_FALSE(parse_tor_testnet_lines("TestingTorNetwork 1\nLog\x1b[31m notice\n").ok());
  EXPECT_FALSE(parse_tor_testnet_lines(std::string("A\0B\n", 4)).ok());
  EXPECT_FALSE(parse_tor_testnet_lines(std::string(1025, 'x')).ok());
  std::string many;
  for (std::size_t i = 0; i <= kMaxTorTestnetLines; ++i) many += "Line " + std::to_string(i) + "\n";
  auto lines = parse_tor_testnet_lines(many);
  ASSERT_FALSE(lines.ok());
  EXPECT_NE(lines.error().message.find("more than 256 lines"), std::string::npos);
}

class NodeConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tenebra-config-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good());
  }
  std::filesystem::path m_dir;
};

TEST_F(NodeConfigFileTest, LoadsRelativeToTheFileAndReadsTheTorTestnet) {
  Doc doc;
  doc.tables["transport.tor"] = "testnet_config = \"tornet.conf\"\n";
  write(m_dir / "mix.toml", doc.text());
  write(m_dir / "tornet.conf", "TestingTorNetwork 1\nDirAuthority a 127.0.0.1:1 X\n");
  auto config = load_node_config(m_dir / "mix.toml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->data_dir, m_dir / "data");
  EXPECT_EQ(*config->passphrase_file, m_dir / "pass.txt");
  EXPECT_EQ(*config->tor_testnet_config, m_dir / "tornet.conf");
  EXPECT_EQ(config->tor_testnet_lines,
            (std::vector<std::string>{"TestingTorNetwork 1", "DirAuthority a 127.0.0.1:1 X"}));
}

TEST_F(NodeConfigFileTest, RefusesMissingOversizedAndNonRegularFiles) {
  auto missing = load_node_config(m_dir / "nope.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_FALSE(load_node_config(m_dir).ok());
  write(m_dir / "big.toml", std::string(kMaxConfigFileBytes + 1, '#'));
  auto big = load_node_config(m_dir / "big.toml");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("larger than 1048576 bytes"), std::string::npos) << big.error().message;

  Doc doc;
  doc.tables["transport.tor"] = "testnet_config = \"absent.conf\"\n";
  write(m_dir / "mix.toml", doc.text());
  auto no_testnet = load_node_config(m_dir / "mix.toml");
  ASSERT_FALSE(no_testnet.ok());
  EXPECT_NE(no_testnet.error().message.find("testnet_config"), std::string::npos);
  write(m_dir / "absent.conf", std::string(kMaxTorTestnetFileBytes + 1, '#'));
  EXPECT_FALSE(load_node_config(m_dir / "mix.toml").ok());
}

}  // namespace
}  // namespace tenebra::router
