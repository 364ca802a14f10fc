#include "tenebra/onion/i2pd_supervisor.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fstream>
#include <optional>
#include <vector>

#include "private_file.hpp"
#include "supervision.hpp"
#include "tenebra/onion/child_process.hpp"
#include "tenebra/onion/i2p_destination.hpp"
#include "tenebra/onion/i2p_files.hpp"
#include "tenebra/onion/sam_client.hpp"
#include "tenebra/onion/tcp_transport.hpp"
#include "tenebra/onion/transport.hpp"
#include "wipe.hpp"

namespace tenebra::onion {
namespace {

using detail::describe_exit;
using detail::Notifier;

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kSamPollStep{100};
constexpr std::chrono::milliseconds kSamProbeTimeout{1'000};
constexpr std::chrono::milliseconds kStopWait{10'000};
constexpr std::chrono::hours kLinkWatchSlice{1};
constexpr std::string_view kKeyFileName = "i2p_destination.key";
constexpr std::size_t kSessionIdRandomBytes = 8;

// Wakes every coroutine waiting on it; each waiter has its own timer.
// Copies the network's router.info files into <data_dir>/netDb, named as
// i2pd expects (the file name is the hash of the identity inside).
Status seed_netdb(const std::filesystem::path& data_dir, const std::vector<std::filesystem::path>& seeds) {
  for (const auto& seed : seeds) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(seed, ec);
    if (ec || size > sam::kMaxRouterInfoBytes) return make_error(Errc::io, "cannot read a seed router.info");
    Bytes bytes(static_cast<std::size_t>(size));
    std::ifstream file(seed, std::ios::binary);
    file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!file || file.gcount() != static_cast<std::streamsize>(bytes.size())) {
      return make_error(Errc::io, "short read of a seed router.info");
    }
    auto name = sam::netdb_file_name(bytes);
    if (!name) return std::move(name).error();
    const auto target = data_dir / "netDb" / *name;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return make_error(Errc::io, "cannot create the netDb directory");
    if (auto status = detail::write_private_file(target, bytes); !status) return status;
  }
  return {};
}

// Keeps reading the session's control connection until i2pd closes it (it
// then closes the connection: is_open() turns false).
asio::awaitable<void> watch_link(std::shared_ptr<sam::SamConnection> link) {
  for (int slice = 0; slice < 1'000'000 && link->is_open(); ++slice) {
    if (auto closed = co_await link->wait_closed(kLinkWatchSlice); closed) break;
  }
}

}  // namespace

class I2pdSupervisor::Impl : public std::enable_shared_from_this<I2pdSupervisor::Impl>,
                             public detail::RestartingChild<I2pdSupervisor::Impl> {
  friend class detail::RestartingChild<I2pdSupervisor::Impl>;

 public:
  Impl(asio::any_io_executor executor, I2pdSupervisorConfig config, Random& rng)
      : RestartingChild(executor), m_executor(std::move(executor)), m_config(std::move(config)), m_rng(&rng) {}

  asio::awaitable<Status> start() {
    co_return co_await start_child(shared_from_this(), m_config.restart_backoff, *m_rng, restart_policy());
  }

  detail::RestartPolicy restart_policy() const {
    return {m_config.watch_interval, m_config.max_consecutive_failed_restarts, "i2pd"};
  }

  asio::awaitable<Status> wait_ready(std::chrono::milliseconds timeout) {
    co_return co_await wait_until_ready(timeout, "i2pd");
  }

  asio::awaitable<void> stop() {
    if (m_link) m_link->close();
    co_await stop_child(m_config.watch_interval, kStopWait);
  }

  // The owner went away without stop(): tasks still suspended end at their
  // next wake-up (they hold this Impl), and i2pd must not outlive us.
  void abandon() noexcept {
    m_stopping = true;
    shutdown_child();
  }

  std::uint16_t sam_port() const noexcept { return m_config.conf.sam_port; }
  const std::string& session_id() const noexcept { return m_session_id; }
  const std::string& b32_address() const noexcept { return m_b32; }
  std::uint64_t generation() const noexcept { return m_generation; }
  bool ready() const noexcept { return m_ready; }
  unsigned restarts() const noexcept { return m_restarts; }
  pid_t i2pd_pid() const noexcept { return m_child ? m_child->pid() : -1; }

 private:
  const std::filesystem::path& data_dir() const { return m_config.conf.data_dir; }

  void progress(int percent, std::string tag) {
    if (m_config.on_progress) m_config.on_progress(BootstrapProgress{percent, std::move(tag)});
  }

  // One start of i2pd, from spawning it to the destination's session.
  asio::awaitable<Status> launch() {
    if (auto status = co_await spawn_i2pd(); !status) co_return status;
    progress(10, "starting");
    auto control = co_await wait_for_sam();
    if (!control) co_return std::move(control).error();
    progress(40, "sam");
    auto priv = co_await load_or_generate_key(*control);
    control->close();
    if (!priv) co_return std::move(priv).error();
    progress(60, "destination");
    const Status session = co_await open_session(*priv);
    detail::wipe_string(*priv);
    if (!session) co_return session;
    ++m_generation;
    progress(100, "done");
    co_return Status{};
  }

  asio::awaitable<Status> spawn_i2pd() {
    if (auto status = detail::prepare_private_dir(data_dir()); !status) co_return status;
    auto text = render_i2pd_conf(m_config.conf);
    if (!text) co_return std::move(text).error();
    auto args = i2pd_arguments(m_config.conf);
    if (!args) co_return std::move(args).error();
    if (auto status = detail::write_private_file(i2pd_conf_path(m_config.conf), as_bytes(*text)); !status) {
      co_return status;
    }
    if (auto status = detail::write_private_file(data_dir() / "tunnels.conf", {}); !status) co_return status;
    std::error_code ec;
    std::filesystem::create_directories(data_dir() / "tunnels.d", ec);
    if (m_config.conf.testnet) {
      if (auto status = seed_netdb(data_dir(), m_config.conf.testnet->seed_router_infos); !status) co_return status;
    }
    // i2pd 2.45.1 keeps running without SAM when its port is taken: refuse.
    auto taken =
        co_await connect_loopback(LoopbackEndpoint{asio::ip::address_v4::loopback(), sam_port()}, kSamProbeTimeout);
    if (taken) co_return make_error(Errc::io, "SAM port already in use (another i2pd running?)");
    ChildSpec spec{
        m_config.i2pd_binary, std::move(*args), {"HOME=" + data_dir().native()}, data_dir() / "i2pd.stdout.log"};
    auto child = ChildProcess::spawn(spec);
    if (!child) co_return std::move(child).error();
    m_child.emplace(std::move(*child));
    co_return Status{};
  }

  // Polls the SAM port until HELLO succeeds; returns that connection.
  asio::awaitable<Result<sam::SamConnection>> wait_for_sam() {
    const auto deadline = SteadyClock::now() + m_config.sam_port_timeout;
    for (int turn = 0; turn < 100'000 && !m_stopping; ++turn) {
      if (auto exit = m_child->poll()) {
        co_return make_error(Errc::io, "i2pd exited before its SAM bridge answered (" + describe_exit(*exit) +
                                           "); see i2pd.log in its data dir");
      }
      auto connection = co_await sam::SamConnection::open(sam_port(), kSamProbeTimeout);
      if (connection) co_return connection;
      if (connection.error().code == Errc::unsupported) co_return std::move(connection).error();
      if (SteadyClock::now() >= deadline) break;
      co_await m_notifier.wait_until(std::min(deadline, SteadyClock::now() + kSamPollStep));
    }
    co_return make_error(m_stopping ? Errc::closed : Errc::timeout, "i2pd's SAM bridge did not answer in time");
  }

  // The persisted private destination, or a new one that is then persisted.
  asio::awaitable<Result<std::string>> load_or_generate_key(sam::SamConnection& control) {
    const auto key_path = data_dir() / std::string(kKeyFileName);
    auto stored = detail::read_private_text(key_path, sam::kMaxDestinationBase64Chars);
    if (stored) {
      if (auto status = sam::check_private_destination(*stored); !status) {
        detail::wipe_string(*stored);
        co_return make_error(Errc::malformed, std::string(kKeyFileName) + " does not hold a private destination");
      }
      co_return stored;
    }
    if (stored.error().code != Errc::not_found) co_return std::move(stored).error();
    auto dest = co_await control.generate_destination(m_config.command_timeout);
    if (!dest) co_return std::move(dest).error();
    std::string priv = std::move(dest->priv);
    dest->wipe();
    if (auto status = detail::write_private_file(key_path, as_bytes(priv)); !status) {
      detail::wipe_string(priv);
      co_return std::move(status).error();
    }
    co_return priv;
  }

  asio::awaitable<Status> open_session(const std::string& priv) {
    auto pub = sam::public_of_private(priv);
    if (!pub) co_return std::move(pub).error();
    auto b32 = sam::b32_address(*pub);
    if (!b32) co_return std::move(b32).error();
    if (!m_b32.empty() && m_b32 != *b32) co_return make_error(Errc::internal, "I2P address changed after a restart");
    std::array<std::uint8_t, kSessionIdRandomBytes> random{};
    m_rng->fill(random);
    const std::string id = "tnb" + to_hex(random);
    auto link = co_await sam::SamConnection::open(sam_port(), m_config.command_timeout);
    if (!link) co_return std::move(link).error();
    auto created = co_await link->create_session(id, priv, m_config.tunnels, m_config.session_timeout);
    if (!created) co_return created;
    m_link = std::make_shared<sam::SamConnection>(std::move(*link));
    asio::co_spawn(m_executor, watch_link(m_link), [](const std::exception_ptr&) {});
    m_session_id = id;
    m_b32 = std::move(*b32);
    co_return Status{};
  }

  bool healthy() { return m_child && !m_child->poll() && m_link && m_link->is_open(); }

  void shutdown_child() noexcept {
    if (m_link) {
      m_link->close();
      m_link.reset();
    }
    if (m_child) {
      (void)m_child->terminate();
      m_child.reset();
    }
  }

  asio::any_io_executor m_executor;
  I2pdSupervisorConfig m_config;
  Random* m_rng;
  std::shared_ptr<sam::SamConnection> m_link;
  std::string m_session_id;
  std::string m_b32;
  std::uint64_t m_generation = 0;
};

I2pdSupervisor::I2pdSupervisor(asio::any_io_executor executor, I2pdSupervisorConfig config, Random& rng)
    : m_impl(std::make_shared<Impl>(std::move(executor), std::move(config), rng)) {}

I2pdSupervisor::~I2pdSupervisor() {
  if (m_impl) m_impl->abandon();
}

asio::awaitable<Status> I2pdSupervisor::start() {
  co_return co_await m_impl->start();
}
asio::awaitable<Status> I2pdSupervisor::wait_ready(std::chrono::milliseconds timeout) {
  co_return co_await m_impl->wait_ready(timeout);
}
asio::awaitable<void> I2pdSupervisor::stop() {
  co_await m_impl->stop();
}
std::uint16_t I2pdSupervisor::sam_port() const noexcept {
  return m_impl->sam_port();
}
const std::string& I2pdSupervisor::session_id() const noexcept {
  return m_impl->session_id();
}
const std::string& I2pdSupervisor::b32_address() const noexcept {
  return m_impl->b32_address();
}
std::uint64_t I2pdSupervisor::generation() const noexcept {
  return m_impl->generation();
}
bool I2pdSupervisor::ready() const noexcept {
  return m_impl->ready();
}
unsigned I2pdSupervisor::restarts() const noexcept {
  return m_impl->restarts();
}
pid_t I2pdSupervisor::i2pd_pid() const noexcept {
  return m_impl->i2pd_pid();
}

}  // namespace tenebra::onion
