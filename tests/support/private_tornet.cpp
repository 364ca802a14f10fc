#include "private_tornet.hpp"

#include <sodium.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace tenebra::test {
namespace {

constexpr unsigned kMinBasePort = 16000;
constexpr unsigned kMaxBasePort = 32000 - 410;  // tornet uses BASE..BASE+410, below the ephemeral range
constexpr int kMaxConfigLines = 64;

int run(const std::string& command) {
  return std::system(command.c_str());
}  // NOLINT(cert-env33-c): our own script

}  // namespace

Result<std::unique_ptr<PrivateTornet>> PrivateTornet::start(std::string source_dir) {
  std::string pattern = "/tmp/tnbt-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return make_error(Errc::io, "mkdtemp failed");
  std::unique_ptr<PrivateTornet> net(new PrivateTornet(source_dir + "/scripts/tornet", pattern));
  if (const char* shared = std::getenv("TENEBRA_TORNET_DIR"); shared != nullptr && *shared != '\0') {
    net->m_net_dir = shared;
    net->m_owned = false;
    if (auto config = net->read_client_config(); !config) return config.error();
    return net;
  }
  net->m_net_dir = net->m_dir / "net";
  const unsigned base = kMinBasePort + randombytes_uniform(kMaxBasePort - kMinBasePort);
  const std::string env =
      "TORNET_BASE_PORT=" + std::to_string(base) + " TORNET_OWNER_PID=" + std::to_string(::getpid());
  const std::string log = (net->m_dir / "tornet.log").string();
  const auto begin = std::chrono::steady_clock::now();
  if (run(env + " " + net->m_tornet + " up " + net->m_net_dir.string() + " >" + log + " 2>&1") != 0) {
    net->keep_logs();
    return make_error(Errc::io, "tornet up failed; see " + log);
  }
  net->m_startup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (auto config = net->read_client_config(); !config) return config.error();
  return net;
}

Status PrivateTornet::read_client_config() {
  FILE* pipe = ::popen((m_tornet + " client-config " + m_net_dir.string() + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return make_error(Errc::io, "cannot run tornet client-config");
  std::array<char, 1024> line{};
  for (int i = 0; i < kMaxConfigLines && std::fgets(line.data(), line.size(), pipe) != nullptr; ++i) {
    std::string text(line.data());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    m_network_lines.push_back(text);
  }
  if (::pclose(pipe) != 0 || m_network_lines.size() < 4) {
    return make_error(Errc::io, "tornet client-config gave no usable lines for " + m_net_dir.string());
  }
  return {};
}

PrivateTornet::~PrivateTornet() {
  const std::string log = (m_dir / "tornet.log").string();
  if (m_owned && run(m_tornet + " down " + m_net_dir.string() + " >>" + log + " 2>&1") != 0) m_keep = true;
  if (m_keep || std::getenv("TENEBRA_KEEP_TEST_DIR") != nullptr) {
    std::fprintf(stderr, "private tor network logs kept in %s\n", m_dir.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(m_dir, ignored);
}

Result<onion::TorrcOptions> PrivateTornet::node_options(const std::string& name) const {
  onion::TorrcOptions options;
  options.data_dir = m_dir / name;
  options.testnet_lines = m_network_lines;
  if (run(m_tornet + " seed " + m_net_dir.string() + " " + options.data_dir.string() + " 2>/dev/null") != 0) {
    return make_error(Errc::io, "tornet seed failed for node " + name);
  }
  return options;
}

}  // namespace tenebra::test
