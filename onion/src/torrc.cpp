#include "tenebra/onion/torrc.hpp"

#include <sys/un.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace tenebra::onion {
namespace {

// Keys a private test network may set (what `scripts/tornet client-config`
// prints). Anything else could weaken the node (ControlPort, SocksPort,
// Log ..., HiddenServiceDir) and is refused.
constexpr std::array<std::string_view, 6> kTestnetKeys = {
    "TestingTorNetwork",  "PathsNeededToBuildCircuits", "Schedulers",
    "ShutdownWaitLength", "UseDefaultFallbackDirs",     "DirAuthority",
};

bool has_control_char(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7F;
  });
}

Status check_value(std::string_view what, std::string_view text) {
  if (text.empty()) return make_error(Errc::invalid_argument, std::string(what) + " is empty");
  if (has_control_char(text)) {
    return make_error(Errc::invalid_argument, std::string(what) + " contains a control character or line break");
  }
  if (text.front() == ' ' || text.back() == ' ') {
    return make_error(Errc::invalid_argument, std::string(what) + " has leading or trailing space");
  }
  return {};
}

Status check_path(std::string_view what, const std::filesystem::path& path) {
  const std::string& text = path.native();
  if (auto status = check_value(what, text); !status) return status;
  if (!path.is_absolute()) return make_error(Errc::invalid_argument, std::string(what) + " must be an absolute path");
  if (text.find_first_of(" \t\"\\") != std::string::npos) {
    return make_error(Errc::invalid_argument, std::string(what) + " must not contain spaces, quotes or backslashes");
  }
  return {};
}

Status check_socket_path(std::string_view what, const std::filesystem::path& path) {
  if (auto status = check_path(what, path); !status) return status;
  if (path.native().size() >= sizeof(sockaddr_un{}.sun_path)) {
    return make_error(Errc::invalid_argument, std::string(what) + " is too long for a unix socket");
  }
  return {};
}

std::string_view first_word(std::string_view line) {
  return line.substr(0, line.find(' '));
}

Status append_testnet_lines(const std::vector<std::string>& lines, std::string& out) {
  for (const std::string& line : lines) {
    if (line.empty() || line.front() == '#') continue;
    if (auto status = check_value("test-network line", line); !status) return status;
    const std::string_view key = first_word(line);
    if (std::find(kTestnetKeys.begin(), kTestnetKeys.end(), key) == kTestnetKeys.end()) {
      return make_error(Errc::invalid_argument, "test-network line with a key that is not allowed");
    }
    out += line;
    out += '\n';
  }
  return {};
}

Status append_bridges(const TorrcOptions& options, std::string& out) {
  if (options.obfs4_bridges.empty() && options.snowflake_bridges.empty()) return {};
  std::string lines = "UseBridges 1\n";
  if (!options.obfs4_bridges.empty()) {
    if (auto status = check_path("obfs4proxy path", options.obfs4proxy_path); !status) return status;
    lines += "ClientTransportPlugin obfs4 exec " + options.obfs4proxy_path.native() + "\n";
  }
  if (!options.snowflake_bridges.empty()) {
    if (auto status = check_path("snowflake-client path", options.snowflake_client_path); !status) return status;
    lines += "ClientTransportPlugin snowflake exec " + options.snowflake_client_path.native() + "\n";
  }
  const auto add = [&lines](const std::vector<std::string>& bridges, std::string_view transport) -> Status {
    for (const std::string& bridge : bridges) {
      if (auto status = check_value("bridge line", bridge); !status) return status;
      if (first_word(bridge) != transport || bridge.size() <= transport.size() + 1) {
        return make_error(Errc::invalid_argument, "bridge line must start with its transport name and an address");
      }
      lines += "Bridge " + bridge + "\n";
    }
    return {};
  };
  if (auto status = add(options.obfs4_bridges, "obfs4"); !status) return status;
  if (auto status = add(options.snowflake_bridges, "snowflake"); !status) return status;
  out += lines;
  return {};
}

}  // namespace

std::filesystem::path torrc_control_socket(const TorrcOptions& options) {
  return options.data_dir / "control";
}
std::filesystem::path torrc_socks_socket(const TorrcOptions& options) {
  return options.data_dir / "socks";
}

Result<std::string> render_torrc(const TorrcOptions& options) {
  if (auto status = check_path("data dir", options.data_dir); !status) return std::move(status).error();
  const auto control = torrc_control_socket(options);
  if (auto status = check_socket_path("control socket", control); !status) return std::move(status).error();
  if (options.owning_pid <= 0) return make_error(Errc::invalid_argument, "owning pid must be positive");

  std::string socks;
  if (options.socks_tcp_port) {
    if (*options.socks_tcp_port == 0) return make_error(Errc::invalid_argument, "SOCKS port must not be 0");
    socks = "127.0.0.1:" + std::to_string(*options.socks_tcp_port);
  } else {
    const auto path = torrc_socks_socket(options);
    if (auto status = check_socket_path("SOCKS socket", path); !status) return std::move(status).error();
    socks = "unix:" + path.native();
  }

  const std::string& dir = options.data_dir.native();
  std::string out = "# Written by tenebrad; rewritten on every start.\n";
  out += "DataDirectory " + dir + "\n";
  out += "RunAsDaemon 0\n";
  out += "ControlSocket " + control.native() + "\n";
  out += "CookieAuthentication 1\n";
  out += "SocksPort " + socks + " IsolateSOCKSAuth ExtendedErrors\n";
  out += "DisableNetwork 1\n";
  out += "__OwningControllerProcess " + std::to_string(options.owning_pid) + "\n";
  out += "Log notice file " + dir + "/notice.log\n";
  out += options.safe_logging ? "SafeLogging 1\n" : "SafeLogging 0\n";
  if (auto status = append_testnet_lines(options.testnet_lines, out); !status) return std::move(status).error();
  if (auto status = append_bridges(options, out); !status) return std::move(status).error();
  return out;
}

}  // namespace tenebra::onion
