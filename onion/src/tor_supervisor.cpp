#include "tenebra/onion/tor_supervisor.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <optional>
#include <vector>

#include "private_file.hpp"
#include "supervision.hpp"
#include "tenebra/onion/child_process.hpp"
#include "tenebra/onion/safecookie.hpp"
#include "tenebra/onion/tor_control_commands.hpp"
#include "tenebra/onion/tor_control_events.hpp"
#include "tenebra/onion/tor_control_messages.hpp"
#include "tenebra/onion/tor_control_reply.hpp"
#include "tenebra/onion/transport.hpp"
#include "wipe.hpp"

namespace tenebra::onion {
namespace {

using detail::describe_exit;
using detail::Notifier;

namespace asio = boost::asio;
using local_stream = asio::local::stream_protocol;
using SteadyClock = std::chrono::steady_clock;
using OnionKey = SecretArray<tor::kEd25519V3SecretKeyBytes>;

constexpr std::chrono::milliseconds kSocketPollStep{50};
constexpr std::chrono::milliseconds kStopWait{10'000};
constexpr std::size_t kMaxQueuedReplies = 16;  // we send one command at a time
constexpr std::size_t kReadChunkBytes = 4096;
constexpr std::string_view kKeyFileName = "onion_service.key";

// Wakes every coroutine waiting on it. Each waiter has its own timer, so
// waiters never cancel each other's deadlines.
// One control connection: a reader task frames replies and events; command()
// sends one line and takes the next reply. After close() (or once the owner
// detached) the reader calls nobody back, so it may outlive its owner.
class ControlConnection : public std::enable_shared_from_this<ControlConnection> {
 public:
  using EventHandler = std::function<void(const tor::Reply&)>;
  ControlConnection(const asio::any_io_executor& executor, Notifier& notifier, EventHandler on_event)
      : m_socket(executor), m_notifier(&notifier), m_on_event(std::move(on_event)) {}

  asio::awaitable<Status> connect(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
    auto outcome = co_await with_timeout(
        m_socket.async_connect(local_stream::endpoint(path.native()), asio::as_tuple(asio::use_awaitable)), timeout);
    if (!outcome) co_return make_error(Errc::timeout, "tor control socket: connect timed out");
    if (auto [ec] = *outcome; ec) co_return make_error(Errc::io, "tor control socket: " + ec.message());
    m_open = true;
    asio::co_spawn(m_socket.get_executor(), read_loop(shared_from_this()), [](const std::exception_ptr&) {});
    co_return Status{};
  }

  // Sends `line` (wiped afterwards: it may carry a key) and returns tor's
  // reply. A timeout closes the connection: replies could no longer be
  // matched to commands.
  asio::awaitable<Result<tor::Reply>> command(std::string line, std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    for (int turn = 0; m_busy && turn < 1'000; ++turn) {
      if (SteadyClock::now() >= deadline) break;
      co_await m_notifier->wait_until(deadline);
    }
    if (m_busy) {
      detail::wipe_string(line);
      co_return make_error(Errc::timeout, "tor control: another command did not finish");
    }
    m_busy = true;
    auto reply = co_await exchange(line, deadline);
    detail::wipe_string(line);
    m_busy = false;
    m_notifier->notify();
    co_return reply;
  }

  bool open() const noexcept { return m_open; }
  void close() noexcept {
    m_detached = true;
    m_open = false;
    boost::system::error_code ignored;
    m_socket.close(ignored);
    for (auto& reply : m_replies) reply.wipe();
    m_replies.clear();
  }

 private:
  asio::awaitable<Result<tor::Reply>> exchange(const std::string& line, SteadyClock::time_point deadline) {
    if (!m_open) co_return make_error(Errc::closed, "tor control connection is closed");
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    auto written = co_await with_timeout(
        asio::async_write(m_socket, asio::buffer(line), asio::as_tuple(asio::use_awaitable)), left);
    if (!written || std::get<0>(*written)) {
      close();
      co_return make_error(Errc::io, "tor control: write failed");
    }
    for (int turn = 0; m_replies.empty() && m_open && turn < 10'000; ++turn) {
      if (SteadyClock::now() >= deadline) break;
      co_await m_notifier->wait_until(deadline);
    }
    if (m_replies.empty()) {
      const bool was_open = m_open;
      close();
      co_return make_error(was_open ? Errc::timeout : Errc::closed, "tor control: no reply");
    }
    tor::Reply reply = std::move(m_replies.front());
    m_replies.pop_front();
    co_return reply;
  }

  asio::awaitable<void> read_loop(std::shared_ptr<ControlConnection> self) {
    std::array<char, kReadChunkBytes> buffer{};
    for (;;) {
      auto [ec, got] = co_await m_socket.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      if (ec || m_detached) break;
      const Status fed = m_parser.feed(std::string_view(buffer.data(), got));
      sodium_memzero(buffer.data(), got);
      while (auto reply = m_parser.next_reply()) m_replies.push_back(std::move(*reply));
      while (auto event = m_parser.next_event()) {
        if (m_on_event) m_on_event(*event);
        event->wipe();
      }
      if (!fed || m_replies.size() > kMaxQueuedReplies) break;  // the stream cannot be trusted any more
      m_notifier->notify();
    }
    m_open = false;
    if (!self->m_detached) m_notifier->notify();
  }

  local_stream::socket m_socket;
  Notifier* m_notifier;
  EventHandler m_on_event;
  tor::ReplyParser m_parser;
  std::deque<tor::Reply> m_replies;
  bool m_open = false;
  bool m_busy = false;
  bool m_detached = false;
};

Status check_reply(const Result<tor::Reply>& reply, std::string_view what) {
  if (!reply) return make_error(reply.error().code, std::string(what) + ": " + reply.error().message);
  if (auto status = tor::check_success(*reply); !status) {
    return make_error(status.error().code, std::string(what) + ": " + status.error().message);
  }
  return {};
}

bool is_unix_socket(const std::filesystem::path& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

}  // namespace

class TorSupervisor::Impl : public std::enable_shared_from_this<TorSupervisor::Impl>,
                            public detail::RestartingChild<TorSupervisor::Impl> {
  friend class detail::RestartingChild<TorSupervisor::Impl>;

 public:
  Impl(asio::any_io_executor executor, TorSupervisorConfig config, Random& rng)
      : RestartingChild(executor), m_executor(std::move(executor)), m_config(std::move(config)), m_rng(&rng) {}

  asio::awaitable<Status> start() {
    co_return co_await start_child(shared_from_this(), m_config.restart_backoff, *m_rng, restart_policy());
  }

  detail::RestartPolicy restart_policy() const {
    return {m_config.watch_interval, m_config.max_consecutive_failed_restarts, "tor"};
  }

  asio::awaitable<Result<std::string>> add_onion(std::uint16_t virtual_port, std::uint16_t target_port) {
    if (!m_ready) co_return make_error(Errc::closed, "tor is not ready");
    std::erase_if(m_ports, [virtual_port](const tor::OnionPort& port) { return port.virtual_port == virtual_port; });
    m_ports.push_back(tor::OnionPort{virtual_port, "127.0.0.1:" + std::to_string(target_port)});
    if (!m_service_id.empty()) {
      // One service per node: replace it to publish the new port list.
      auto del = tor::del_onion_command(m_service_id);
      if (!del) co_return std::move(del).error();
      auto reply = co_await m_control->command(std::move(*del), m_config.command_timeout);
      if (auto status = check_reply(reply, "DEL_ONION"); !status) co_return std::move(status).error();
    }
    if (auto status = co_await publish_onion(); !status) co_return std::move(status).error();
    co_return m_service_id;
  }

  asio::awaitable<Status> refetch_descriptor(std::string service_id) {
    if (!m_ready) co_return make_error(Errc::closed, "tor is not ready");
    auto line = tor::hsfetch_command(service_id);
    if (!line) co_return std::move(line).error();
    auto reply = co_await m_control->command(std::move(*line), m_config.command_timeout);
    co_return check_reply(reply, "HSFETCH");
  }

  asio::awaitable<Status> wait_ready(std::chrono::milliseconds timeout) {
    co_return co_await wait_until_ready(timeout, "tor");
  }

  asio::awaitable<Status> wait_descriptor_uploaded(std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    for (int turn = 0; m_uploads == m_uploads_at_publish && turn < 100'000; ++turn) {
      if (SteadyClock::now() >= deadline) break;
      co_await m_notifier.wait_until(deadline);
    }
    if (m_uploads == m_uploads_at_publish) co_return make_error(Errc::timeout, "onion descriptor not uploaded in time");
    co_return Status{};
  }

  asio::awaitable<void> stop() {
    if (m_control) m_control->close();
    co_await stop_child(m_config.watch_interval, kStopWait);
  }

  // Called when the owner goes away without stop(): no coroutine may call
  // back into freed memory, and tor must not outlive us.
  void abandon() noexcept {
    m_stopping = true;
    try {
      m_notifier.notify();
      shutdown_child();
    } catch (...) {  // only bad_alloc can get here; tor is bound to us and exits with us
      if (m_child) m_child->kill_now();
    }
  }

  bool ready() const noexcept { return m_ready; }
  unsigned restarts() const noexcept { return m_restarts; }
  pid_t tor_pid() const noexcept { return m_child ? m_child->pid() : -1; }
  std::filesystem::path socks_socket() const { return torrc_socks_socket(m_config.torrc); }

 private:
  std::filesystem::path data_dir() const { return m_config.torrc.data_dir; }

  // One start of tor, from spawning it to bootstrap 100 % and the onion
  // service published again.
  asio::awaitable<Status> launch() {
    if (auto status = spawn_tor(); !status) co_return status;
    if (auto status = co_await wait_for_control_socket(); !status) co_return status;
    m_control = std::make_shared<ControlConnection>(m_executor, m_notifier,
                                                    [this](const tor::Reply& event) { on_event(event); });
    if (auto status = co_await m_control->connect(torrc_control_socket(m_config.torrc), m_config.command_timeout);
        !status) {
      co_return status;
    }
    if (auto status = co_await authenticate(); !status) co_return status;
    if (auto status = co_await take_ownership(); !status) co_return status;
    if (auto status = co_await bootstrap(); !status) co_return status;
    if (!m_ports.empty()) {
      if (auto status = co_await publish_onion(); !status) co_return status;
    }
    co_return Status{};
  }

  Status spawn_tor() {
    if (auto status = detail::prepare_private_dir(data_dir()); !status) return status;
    TorrcOptions options = m_config.torrc;
    options.owning_pid = ::getpid();
    auto text = render_torrc(options);
    if (!text) return std::move(text).error();
    const auto torrc_path = data_dir() / "torrc";
    if (auto status = detail::write_private_file(torrc_path, as_bytes(*text)); !status) return status;
    ::unlink(torrc_control_socket(options).c_str());  // a stale socket would look ready
    ChildSpec spec{m_config.tor_binary,
                   {"-f", torrc_path.native(), "--defaults-torrc", "/dev/null"},
                   {"HOME=" + data_dir().native()},
                   data_dir() / "tor.stdout.log"};
    auto child = ChildProcess::spawn(spec);
    if (!child) return std::move(child).error();
    m_child.emplace(std::move(*child));
    return {};
  }

  asio::awaitable<Status> wait_for_control_socket() {
    const auto path = torrc_control_socket(m_config.torrc);
    const auto deadline = SteadyClock::now() + m_config.control_socket_timeout;
    for (int turn = 0; turn < 100'000 && !m_stopping; ++turn) {
      if (is_unix_socket(path)) co_return Status{};
      if (auto exit = m_child->poll()) {
        co_return make_error(Errc::io, "tor exited before opening its control socket (" + describe_exit(*exit) +
                                           "); see notice.log in its data dir");
      }
      if (SteadyClock::now() >= deadline) break;
      co_await m_notifier.wait_until(std::min(deadline, SteadyClock::now() + kSocketPollStep));
    }
    co_return make_error(m_stopping ? Errc::closed : Errc::timeout, "tor control socket did not appear");
  }

  asio::awaitable<Result<tor::Reply>> command(std::string line) {
    co_return co_await m_control->command(std::move(line), m_config.command_timeout);
  }

  asio::awaitable<Status> authenticate() {
    auto info_reply = co_await command(tor::protocolinfo_command());
    if (auto status = check_reply(info_reply, "PROTOCOLINFO"); !status) co_return status;
    auto info = tor::parse_protocolinfo(*info_reply);
    if (!info) co_return std::move(info).error();
    if (!info->supports(tor::AuthMethod::safecookie)) {
      co_return make_error(Errc::unsupported, "tor does not offer SAFECOOKIE authentication");
    }
    // Read the cookie from where our torrc put it, not from a path tor names.
    std::array<std::uint8_t, tor::kCookieBytes> raw{};
    WipeOnExit wipe_raw(raw);
    if (auto status = detail::read_private_bytes(data_dir() / "control_auth_cookie", raw); !status) co_return status;
    auto cookie = tor::cookie_from_file_bytes(raw);
    if (!cookie) co_return std::move(cookie).error();
    tor::SafecookieSession session(std::move(*cookie), *m_rng);
    auto challenge_reply = co_await command(session.challenge_command());
    if (auto status = check_reply(challenge_reply, "AUTHCHALLENGE"); !status) co_return status;
    auto challenge = tor::parse_authchallenge(*challenge_reply);
    if (!challenge) co_return std::move(challenge).error();
    auto hash = session.respond(*challenge);
    if (!hash) co_return std::move(hash).error();
    auto auth_reply = co_await command(tor::SafecookieSession::authenticate_command(*hash));
    co_return check_reply(auth_reply, "AUTHENTICATE");
  }

  asio::awaitable<Status> take_ownership() {
    auto taken = co_await command(tor::takeownership_command());
    if (auto status = check_reply(taken, "TAKEOWNERSHIP"); !status) co_return status;
    auto reset = co_await command(tor::reset_owning_controller_command());
    if (auto status = check_reply(reset, "RESETCONF"); !status) co_return status;
    const std::array<std::string, 2> events{"STATUS_CLIENT", "HS_DESC"};
    auto setevents = tor::setevents_command(events);
    if (!setevents) co_return std::move(setevents).error();
    co_return check_reply(co_await command(std::move(*setevents)), "SETEVENTS");
  }

  asio::awaitable<Status> bootstrap() {
    m_percent = 0;
    m_last_progress = SteadyClock::now();
    const std::array<tor::ConfigSetting, 1> enable{tor::ConfigSetting{"DisableNetwork", "0"}};
    auto setconf = tor::setconf_command(enable);
    if (!setconf) co_return std::move(setconf).error();
    if (auto status = check_reply(co_await command(std::move(*setconf)), "SETCONF"); !status) co_return status;
    const std::array<std::string, 1> keys{"status/bootstrap-phase"};
    auto getinfo = tor::getinfo_command(keys);
    if (!getinfo) co_return std::move(getinfo).error();
    auto phase_reply = co_await command(std::move(*getinfo));
    if (auto status = check_reply(phase_reply, "GETINFO"); !status) co_return status;
    if (auto entries = tor::parse_getinfo(*phase_reply); entries) {
      if (const auto* entry = tor::find_getinfo(*entries, "status/bootstrap-phase")) {
        if (auto phase = tor::parse_bootstrap_phase(entry->value)) note_progress(*phase);
      }
    }
    // Bounded: the deadline only moves when the percentage rises, at most 100 times.
    for (int turn = 0; m_percent < 100 && turn < 1'000'000; ++turn) {
      if (m_stopping) co_return make_error(Errc::closed, "stopping");
      if (!m_control->open() || m_child->poll()) co_return make_error(Errc::io, "tor exited while bootstrapping");
      const auto deadline = m_last_progress + m_config.bootstrap_stall_timeout;
      if (SteadyClock::now() >= deadline) {
        co_return make_error(Errc::timeout,
                             "tor bootstrap stalled at " + std::to_string(m_percent) + " % (" + m_tag + ")");
      }
      co_await m_notifier.wait_until(std::min(deadline, SteadyClock::now() + m_config.watch_interval));
    }
    co_return Status{};
  }

  void note_progress(const tor::BootstrapPhase& phase) {
    if (phase.progress <= m_percent) return;  // warnings repeat a percentage: not progress
    m_percent = phase.progress;
    m_tag = phase.tag;
    m_last_progress = SteadyClock::now();
    if (m_config.on_progress) m_config.on_progress(BootstrapProgress{m_percent, m_tag});
    m_notifier.notify();
  }

  void on_event(const tor::Reply& event) {
    const std::string_view name = tor::event_name(event);
    if (name == "STATUS_CLIENT") {
      auto status = tor::parse_status_client(event);
      if (status && status->bootstrap) note_progress(*status->bootstrap);
    } else if (name == "HS_DESC") {
      auto desc = tor::parse_hs_desc(event);
      if (desc && desc->action == tor::HsDescAction::uploaded && desc->address == m_service_id) {
        ++m_uploads;
        m_notifier.notify();
      }
    }
    // Other events and malformed ones are ignored, as the spec asks.
  }

  // ADD_ONION with the persisted key, or a new key that is then persisted.
  asio::awaitable<Status> publish_onion() {
    const auto key_path = data_dir() / std::string(kKeyFileName);
    OnionKey key;
    const Status loaded = detail::read_private_bytes(key_path, key.span());
    if (!loaded && loaded.error().code != Errc::not_found) co_return loaded;
    const bool have_key = loaded.ok();
    auto line = tor::add_onion_command(have_key ? &key : nullptr, false, m_ports);
    key.wipe();
    if (!line) co_return std::move(line).error();
    auto reply = co_await command(std::move(*line));
    if (auto status = check_reply(reply, "ADD_ONION"); !status) co_return status;
    auto added = tor::parse_add_onion(*reply);
    reply->wipe();
    if (!added) co_return std::move(added).error();
    if (!have_key) {
      if (!added->private_key) co_return make_error(Errc::malformed, "ADD_ONION returned no key");
      if (auto status = detail::write_private_file(key_path, added->private_key->view()); !status) co_return status;
    }
    if (!m_service_id.empty() && m_service_id != added->service_id) {
      co_return make_error(Errc::internal, "onion address changed after a restart");
    }
    m_service_id = added->service_id;
    m_uploads_at_publish = m_uploads;
    co_return Status{};
  }

  bool healthy() { return m_child && !m_child->poll() && m_control && m_control->open(); }

  // Closing the control connection makes tor exit (TAKEOWNERSHIP); the
  // terminate is for a tor that is not yet bound or does not listen.
  void shutdown_child() noexcept {
    if (m_control) {
      m_control->close();
      m_control.reset();
    }
    if (m_child) {
      (void)m_child->terminate();
      m_child.reset();
    }
  }

  asio::any_io_executor m_executor;
  TorSupervisorConfig m_config;
  Random* m_rng;
  std::shared_ptr<ControlConnection> m_control;
  std::vector<tor::OnionPort> m_ports;
  std::string m_service_id;
  SteadyClock::time_point m_last_progress{};
  std::string m_tag;
  int m_percent = 0;
  std::uint64_t m_uploads = 0;
  std::uint64_t m_uploads_at_publish = 0;
};

TorSupervisor::TorSupervisor(asio::any_io_executor executor, TorSupervisorConfig config, Random& rng)
    : m_impl(std::make_shared<Impl>(std::move(executor), std::move(config), rng)) {}

TorSupervisor::~TorSupervisor() {
  if (m_impl) m_impl->abandon();
}

asio::awaitable<Status> TorSupervisor::start() {
  co_return co_await m_impl->start();
}
asio::awaitable<Result<std::string>> TorSupervisor::add_onion(std::uint16_t virtual_port, std::uint16_t target_port) {
  co_return co_await m_impl->add_onion(virtual_port, target_port);
}
asio::awaitable<Status> TorSupervisor::wait_ready(std::chrono::milliseconds timeout) {
  co_return co_await m_impl->wait_ready(timeout);
}
asio::awaitable<Status> TorSupervisor::refetch_descriptor(std::string service_id) {
  co_return co_await m_impl->refetch_descriptor(std::move(service_id));
}
asio::awaitable<Status> TorSupervisor::wait_descriptor_uploaded(std::chrono::milliseconds timeout) {
  co_return co_await m_impl->wait_descriptor_uploaded(timeout);
}
asio::awaitable<void> TorSupervisor::stop() {
  co_await m_impl->stop();
}
bool TorSupervisor::ready() const noexcept {
  return m_impl->ready();
}
unsigned TorSupervisor::restarts() const noexcept {
  return m_impl->restarts();
}
pid_t TorSupervisor::tor_pid() const noexcept {
  return m_impl->tor_pid();
}
std::filesystem::path TorSupervisor::socks_socket() const {
  return m_impl->socks_socket();
}

}  // namespace tenebra::onion
