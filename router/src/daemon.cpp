#include "tenebra/router/daemon.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <memory>

#include "daemon_roles.hpp"
#include "tenebra/core/log.hpp"
#include "tenebra/onion/tcp_transport.hpp"
#include "tenebra/onion/tor_supervisor.hpp"
#include "tenebra/onion/tor_transport.hpp"
#include "tenebra/router/node_keys.hpp"
#include "tenebra/router/passphrase.hpp"
#include "tenebra/router/status_file.hpp"
#include "tenebra/router/store.hpp"

namespace tenebra::router {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

constexpr std::chrono::minutes kListenTimeout{5};
constexpr std::chrono::seconds kStatusInterval{1};

Status prepare_data_dir(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return make_error(Errc::io, "cannot create the data dir " + dir.string() + ": " + error.message());
  struct stat info {};
  if (::lstat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return make_error(Errc::io, "the data dir " + dir.string() + " is not a directory");
  }
  if (info.st_uid != ::geteuid()) {
    return make_error(Errc::invalid_argument, "the data dir " + dir.string() + " belongs to another user");
  }
  if ((info.st_mode & 0077U) != 0 && ::chmod(dir.c_str(), 0700) != 0) {
    return make_error(Errc::io, "cannot restrict the data dir to its owner (chmod 700 " + dir.string() + ")");
  }
  return {};
}

// Everything the event loop owns, in the order it is torn down (reverse).
struct Running {
  std::unique_ptr<onion::TorSupervisor> tor;
  std::unique_ptr<onion::Transport> transport;
  std::unique_ptr<onion::Listener> listener;
  std::unique_ptr<RelayNode> relay;
  std::unique_ptr<AuthorityNode> authority;
};

asio::awaitable<Status> start_transport(const NodeConfig& config, Running& running, Random& rng) {
  auto executor = co_await asio::this_coro::executor;
  if (config.transport == TransportChoice::tcp) {
    running.transport = std::make_unique<onion::TcpTransport>(
        executor, onion::TcpTransportOptions{.allow_plain_tcp = config.allow_plain_tcp});
    co_return Status{};
  }
  if (config.transport == TransportChoice::i2p) {
    co_return make_error(Errc::unsupported,
                         "tenebrad does not run over i2p yet (the I2P transport exists in onion/, the daemon "
                         "wiring does not); use transport kind \"tor\"");
  }
  onion::TorSupervisorConfig tor;
  tor.tor_binary = config.tor_binary;
  tor.torrc.data_dir = config.data_dir / "tor";
  tor.torrc.testnet_lines = config.tor_testnet_lines;
  tor.on_progress = [](const onion::BootstrapProgress& progress) {
    log::info("tor: bootstrapped {}% ({})", progress.percent, progress.tag);
  };
  running.tor = std::make_unique<onion::TorSupervisor>(executor, std::move(tor), rng);
  log::info("tor: starting");
  if (auto started = co_await running.tor->start(); !started) co_return started;
  running.transport = std::make_unique<onion::TorTransport>(executor, *running.tor);
  co_return Status{};
}

asio::awaitable<Status> start_role(const NodeConfig& config, Running& running, Store& store, NodeKeys& keys,
                                   const Clock& clock, Random& rng) {
  auto executor = co_await asio::this_coro::executor;
  if (config.role == NodeRole::authority) {
    auto node_config = daemon_detail::authority_config(config, keys.identity());
    if (!node_config) co_return std::move(node_config).error();
    auto node =
        AuthorityNode::create(executor, *running.transport, *running.listener, clock, rng, std::move(*node_config));
    if (!node) co_return std::move(node).error();
    running.authority = std::move(*node);
    running.authority->start();
    co_return Status{};
  }
  auto node_config = daemon_detail::relay_config(config);
  if (!node_config) co_return std::move(node_config).error();
  auto node = RelayNode::create(executor, *running.transport, *running.listener, clock, rng, store, keys,
                                std::move(*node_config));
  if (!node) co_return std::move(node).error();
  running.relay = std::move(*node);
  running.relay->start();
  co_return Status{};
}

asio::awaitable<void> write_status_forever(const NodeConfig& config, const Running& running) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto path = config.data_dir / "status.json";
  bool warned = false;
  for (;;) {
    const std::string text = running.relay ? relay_status_json(*running.relay, node_role_name(config.role))
                                           : authority_status_json(*running.authority);
    if (auto written = write_status_file(path, text); !written && !warned) {
      warned = true;
      log::warn("node: {}", written.error().message);
    }
    timer.expires_after(kStatusInterval);
    auto [error] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (error) co_return;
  }
}

asio::awaitable<void> stop_all(Running& running) {
  log::info("node: shutting down");
  if (running.relay) co_await running.relay->stop();
  if (running.authority) co_await running.authority->stop();
  if (running.listener) running.listener->close();
  if (running.tor) co_await running.tor->stop();
  log::info("node: stopped");
}

asio::awaitable<int> fail_and_stop(Running& running, Error error) {
  log::error("node: {}", error.message);
  co_await stop_all(running);
  co_return kExitFailure;
}

asio::awaitable<int> run_node(const NodeConfig& config, Store& store, NodeKeys& keys, const Clock& clock, Random& rng) {
  auto executor = co_await asio::this_coro::executor;
  asio::signal_set signals(executor, SIGINT, SIGTERM);
  Running running;
  auto started =
      co_await (start_transport(config, running, rng) || signals.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (started.index() == 1) {
    co_await stop_all(running);
    co_return kExitOk;
  }
  if (auto& status = std::get<0>(started); !status) co_return co_await fail_and_stop(running, status.error());
  auto listener = co_await running.transport->listen(config.listen_port, kListenTimeout);
  if (!listener) co_return co_await fail_and_stop(running, listener.error());
  running.listener = std::move(*listener);
  // The node's own address, for its operator (never logged).
  if (auto written = write_status_file(config.data_dir / "public_address", running.listener->public_address() + "\n");
      !written) {
    co_return co_await fail_and_stop(running, written.error());
  }
  if (auto role = co_await start_role(config, running, store, keys, clock, rng); !role) {
    co_return co_await fail_and_stop(running, role.error());
  }
  log::info("node: running as {} on the {} transport", node_role_name(config.role),
            transport_choice_name(config.transport));
  co_await (write_status_forever(config, running) || signals.async_wait(asio::as_tuple(asio::use_awaitable)));
  // Later signals are caught (and ignored) while the bounded stop runs.
  signals.async_wait([](const boost::system::error_code&, int) {});
  co_await stop_all(running);
  co_return kExitOk;
}

}  // namespace

int run_daemon(const NodeConfig& config, const DaemonOptions& options) {
  if (auto level = log::parse_level(config.log_level)) log::set_level(*level);
  if (config.role == NodeRole::client) {
    log::error(
        "config: role \"client\" comes with the rendezvous layer and is not available yet; "
        "tenebrad runs mix, provider and authority nodes");
    return kExitUsage;
  }
  if (auto dir = prepare_data_dir(config.data_dir); !dir) {
    log::error("node: {}", dir.error().message);
    return kExitFailure;
  }
  auto passphrase = read_passphrase(config);
  if (!passphrase) {
    log::error("node: {}", passphrase.error().message);
    return kExitUsage;
  }
  SystemRandom rng;
  SystemClock clock;
  const auto cost = config.fast_kdf ? KeyDerivationCost::for_tests() : KeyDerivationCost::production();
  auto store = Store::open(config.data_dir / "store.db", passphrase->view(), cost, rng, /*create=*/true);
  if (!store) {
    log::error("node: cannot open the store: {}", store.error().message);
    return kExitFailure;
  }
  auto keys = NodeKeys::attach(**store, rng);
  if (!keys) {
    log::error("node: cannot load the node's keys: {}", keys.error().message);
    return kExitFailure;
  }
  if (options.init_only) {
    std::printf("%s\n", to_hex(keys->identity().public_key).c_str());
    return kExitOk;
  }
  asio::io_context io(1);
  int exit_code = kExitFailure;
  asio::co_spawn(io, run_node(config, **store, *keys, clock, rng), [&](const std::exception_ptr& error, int code) {
    if (error) {
      log::error("node: stopped by an unexpected exception");
      return;
    }
    exit_code = code;
  });
  io.run();
  return exit_code;
}

}  // namespace tenebra::router
