#include "tor_client.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/this_coro.hpp>
#include <cerrno>
#include <fstream>
#include <system_error>

#include "tenebra/router/node_config.hpp"

namespace tenebra::mixnet_probe {
namespace {

namespace asio = boost::asio;

// A tor that made no bootstrap progress for this long is stuck (tor's own
// first circuit-build timeout is 60 s; a private network is much faster).
constexpr std::chrono::milliseconds kMaxBootstrapStall{90'000};
constexpr std::chrono::milliseconds kMaxControlSocketWait{30'000};
constexpr std::array<const char*, 3> kTornetAuthorities{"auth0", "auth1", "auth2"};

}  // namespace

Result<std::vector<std::string>> read_tor_testnet_lines(const std::filesystem::path& file) {
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  if (error) return make_error(Errc::not_found, "tor_testnet_config " + file.string() + ": " + error.message());
  if (size > router::kMaxTorTestnetFileBytes) {
    return make_error(Errc::malformed, "tor_testnet_config " + file.string() + " is too large");
  }
  std::ifstream in(file, std::ios::binary);
  std::string text(static_cast<std::size_t>(size), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    return make_error(Errc::io, "cannot read tor_testnet_config " + file.string());
  }
  auto lines = router::parse_tor_testnet_lines(text);
  if (!lines) return make_error(lines.error().code, "tor_testnet_config: " + lines.error().message);
  if (lines->empty()) return make_error(Errc::malformed, "tor_testnet_config " + file.string() + " has no lines");
  return lines;
}

namespace {

// A fresh, empty dir only we can enter. A dir of the same name can only be
// left by an earlier probe with our pid that was killed: it is removed.
Status make_fresh_private_dir(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  if (error) return make_error(Errc::io, "cannot remove the stale " + dir.string() + ": " + error.message());
  if (::mkdir(dir.c_str(), 0700) != 0) {
    return make_error(
        Errc::io, "cannot create " + dir.string() + ": " + std::error_code(errno, std::generic_category()).message());
  }
  return {};
}

bool is_seed_file(const std::string& name) {
  return name == "cached-microdesc-consensus" || name == "cached-certs" || name.rfind("cached-microdescs", 0) == 0;
}

}  // namespace

DirectoryGuard::~DirectoryGuard() {
  if (m_dir.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(m_dir, ignored);
}

Result<std::size_t> seed_tor_data_dir(const std::filesystem::path& tornet_dir, const std::filesystem::path& data_dir) {
  for (const char* authority : kTornetAuthorities) {
    const auto source = tornet_dir / authority;
    std::error_code error;
    if (!std::filesystem::is_regular_file(source / "cached-microdesc-consensus", error)) continue;
    std::size_t copied = 0;
    for (const auto& entry : std::filesystem::directory_iterator(source, error)) {
      if (!entry.is_regular_file(error) || !is_seed_file(entry.path().filename().string())) continue;
      std::filesystem::copy_file(entry.path(), data_dir / entry.path().filename(),
                                 std::filesystem::copy_options::overwrite_existing, error);
      if (error) return make_error(Errc::io, "seeding tor from " + entry.path().string() + ": " + error.message());
      ++copied;
    }
    if (error) return make_error(Errc::io, "seeding tor from " + source.string() + ": " + error.message());
    return copied;
  }
  return std::size_t{0};
}

asio::awaitable<Result<std::unique_ptr<ProbeTor>>> ProbeTor::start(const NetFile& net,
                                                                   const std::filesystem::path& net_file,
                                                                   std::vector<std::string> testnet_lines,
                                                                   const Reporter& report, Random& rng,
                                                                   std::chrono::milliseconds timeout) {
  std::error_code error;
  const auto net_dir = std::filesystem::absolute(net_file, error).parent_path();
  if (error) co_return make_error(Errc::io, "cannot resolve " + net_file.string() + ": " + error.message());
  std::unique_ptr<ProbeTor> tor(new ProbeTor(net_dir / ("probe-tor-" + std::to_string(::getpid()))));
  const auto& data_dir = tor->m_dir.path();
  if (auto made = make_fresh_private_dir(data_dir); !made) co_return std::move(made).error();
  // scripts/testnet keeps the private Tor network beside tornet.conf.
  auto seeded = seed_tor_data_dir(net.tor_testnet_config.parent_path() / "tornet", data_dir);
  if (!seeded) co_return std::move(seeded).error();
  report.step("tor data dir " + data_dir.string() + " (seeded with " + std::to_string(*seeded) + " files)");

  onion::TorSupervisorConfig config;
  config.torrc.data_dir = data_dir;
  config.torrc.testnet_lines = std::move(testnet_lines);
  config.control_socket_timeout = std::min(kMaxControlSocketWait, timeout);
  config.bootstrap_stall_timeout = std::min(kMaxBootstrapStall, timeout);
  int last_percent = -1;
  config.on_progress = [&report, last_percent](const onion::BootstrapProgress& progress) mutable {
    // Only every 25 %, or the report drowns in tor's steps.
    if (progress.percent / 25 == last_percent / 25 && progress.percent != 100) return;
    last_percent = progress.percent;
    report.step("tor bootstrapped " + std::to_string(progress.percent) + "% (" + progress.tag + ")");
  };
  auto executor = co_await asio::this_coro::executor;
  tor->m_supervisor = std::make_unique<onion::TorSupervisor>(executor, std::move(config), rng);
  if (auto started = co_await tor->m_supervisor->start(); !started) {
    co_await tor->m_supervisor->stop();
    co_return make_error(started.error().code, "starting tor: " + started.error().message);
  }
  tor->m_transport = std::make_unique<onion::TorTransport>(executor, *tor->m_supervisor);
  co_return tor;
}

asio::awaitable<void> ProbeTor::stop() {
  m_transport.reset();
  if (m_supervisor) co_await m_supervisor->stop();
}

}  // namespace tenebra::mixnet_probe
