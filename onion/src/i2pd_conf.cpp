#include "tenebra/onion/i2pd_conf.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/address_v4.hpp>
#include <string_view>

namespace tenebra::onion {
namespace {

constexpr std::array<std::string_view, 6> kLogLevels = {"none", "critical", "error", "warn", "info", "debug"};
constexpr int kMinNetId = 3;
constexpr int kMaxNetId = 254;
// 198.18.0.0/15, the benchmarking range the test namespace lives in.
constexpr std::uint32_t kTestnetPrefix = 0xC6120000U;
constexpr std::uint32_t kTestnetMask = 0xFFFE0000U;

Error invalid(std::string_view what, std::string_view problem) {
  return make_error(Errc::invalid_argument, "i2pd.conf: " + std::string(what) + " " + std::string(problem));
}

Status check_path(std::string_view what, const std::filesystem::path& path) {
  const std::string& text = path.native();
  if (text.empty()) return invalid(what, "is empty");
  if (!path.is_absolute()) return invalid(what, "must be an absolute path");
  const bool bad = std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7F || std::string_view("#;=\"\\[]").find(c) != std::string_view::npos;
  });
  if (bad) return invalid(what, "must not contain whitespace, control characters or # ; = \" \\ [ ]");
  return {};
}

Result<std::string> check_testnet_address(std::string_view text) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address_v4(std::string(text), ec);
  if (ec || address.to_string() != text) return invalid("testnet address", "must be a plain IPv4 literal");
  if ((address.to_uint() & kTestnetMask) != kTestnetPrefix) {
    return invalid("testnet address", "must be inside 198.18.0.0/15 (the test namespace's range)");
  }
  return std::string(text);
}

Status append_testnet(const I2pTestnetOptions& testnet, std::string& out, std::string& sections) {
  if (testnet.netid < kMinNetId || testnet.netid > kMaxNetId) return invalid("netid", "must be 3..254");
  auto address = check_testnet_address(testnet.address);
  if (!address) return std::move(address).error();
  if (testnet.ntcp2_port == 0) return invalid("NTCP2 port", "must not be 0");
  for (const auto& seed : testnet.seed_router_infos) {
    if (auto status = check_path("seed router.info", seed); !status) return status;
  }
  const std::string port = std::to_string(testnet.ntcp2_port);
  out += "netid = " + std::to_string(testnet.netid) + "\n";
  out += "ipv4 = true\nipv6 = false\n";
  out += "host = " + *address + "\n";
  out += "address4 = " + *address + "\n";
  out += "nat = false\n";
  out += "port = " + port + "\n";
  out += "reservedrange = false\n";
  out += testnet.floodfill ? "floodfill = true\n" : "floodfill = false\n";
  out += "bandwidth = X\n";
  sections += "\n[ntcp2]\nenabled = true\npublished = true\nport = " + port + "\n";
  sections += "\n[ssu2]\nenabled = false\n";
  sections += "\n[reseed]\nverify = false\nurls =\nthreshold = 0\n";
  sections += "\n[exploratory]\ninbound.length = 1\noutbound.length = 1\ninbound.quantity = 2\noutbound.quantity = 2\n";
  sections += "\n[nettime]\nenabled = false\n";
  sections += "\n[persist]\nprofiles = false\n";
  return {};
}

}  // namespace

std::filesystem::path i2pd_conf_path(const I2pdConfOptions& options) {
  return options.data_dir / "i2pd.conf";
}

Result<std::string> render_i2pd_conf(const I2pdConfOptions& options) {
  if (auto status = check_path("data dir", options.data_dir); !status) return std::move(status).error();
  if (options.sam_port < 2) return invalid("SAM port", "must be 2..65535 (its UDP side uses the port below)");
  if (std::find(kLogLevels.begin(), kLogLevels.end(), options.log_level) == kLogLevels.end()) {
    return invalid("log level", "must be none, critical, error, warn, info or debug");
  }
  const std::string& dir = options.data_dir.native();
  std::string out = "# Written by tenebrad; rewritten on every start.\n";
  out += "log = file\n";
  out += "logfile = " + dir + "/i2pd.log\n";
  out += "loglevel = " + options.log_level + "\n";
  out += "daemon = false\nservice = false\n";
  std::string sections;
  if (options.testnet) {
    if (auto status = append_testnet(*options.testnet, out, sections); !status) return std::move(status).error();
  } else {
    out += "ipv4 = true\nipv6 = false\n";
  }
  out += sections;
  out += "\n[http]\nenabled = false\n";
  out += "\n[httpproxy]\nenabled = false\n";
  out += "\n[socksproxy]\nenabled = false\n";
  out += "\n[sam]\nenabled = true\naddress = 127.0.0.1\nport = " + std::to_string(options.sam_port) + "\n";
  out += "\n[bob]\nenabled = false\n";
  out += "\n[i2cp]\nenabled = false\n";
  out += "\n[i2pcontrol]\nenabled = false\n";
  out += "\n[upnp]\nenabled = false\n";
  out += "\n[meshnets]\nyggdrasil = false\n";
  // i2pd 2.45.1's SAM segfaults without the address book; its default
  // subscriptions are .i2p URLs, fetched only through I2P itself.
  out += "\n[addressbook]\nenabled = true\n";
  return out;
}

Result<std::vector<std::string>> i2pd_arguments(const I2pdConfOptions& options) {
  if (auto status = check_path("data dir", options.data_dir); !status) return std::move(status).error();
  if (auto status = check_path("certificates dir", options.certs_dir); !status) return std::move(status).error();
  const std::string& dir = options.data_dir.native();
  return std::vector<std::string>{"--datadir=" + dir,
                                  "--conf=" + i2pd_conf_path(options).native(),
                                  "--tunconf=" + dir + "/tunnels.conf",
                                  "--tunnelsdir=" + dir + "/tunnels.d",
                                  "--certsdir=" + options.certs_dir.native(),
                                  "--pidfile=" + dir + "/i2pd.pid"};
}

}  // namespace tenebra::onion
