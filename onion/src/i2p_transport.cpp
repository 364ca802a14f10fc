#include "tenebra/onion/i2p_transport.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <optional>

#include "tenebra/onion/sam_constants.hpp"
#include "wipe.hpp"

namespace tenebra::onion {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kCreatingPollStep{100};
constexpr std::chrono::hours kLinkWatchSlice{1};
constexpr std::size_t kSessionIdRandomBytes = 8;

std::chrono::milliseconds left_until(SteadyClock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

bool is_base32_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
}

// Reads a dial session's control connection until i2pd closes it.
asio::awaitable<void> watch_link(std::shared_ptr<sam::SamConnection> link) {
  for (int slice = 0; slice < 1'000'000 && link->is_open(); ++slice) {
    if (auto closed = co_await link->wait_closed(kLinkWatchSlice); closed) break;
  }
}

class I2pListener final : public Listener {
 public:
  I2pListener(I2pSessionSource& source, std::string public_address, std::shared_ptr<bool> open_flag)
      : m_source(&source), m_public_address(std::move(public_address)), m_open_flag(std::move(open_flag)) {
    *m_open_flag = true;
  }
  ~I2pListener() override { close(); }
  I2pListener(const I2pListener&) = delete;
  I2pListener& operator=(const I2pListener&) = delete;

  const std::string& public_address() const noexcept override { return m_public_address; }

  asio::awaitable<Result<Stream>> accept(std::chrono::milliseconds timeout) override {
    const auto deadline = SteadyClock::now() + timeout;
    if (m_closed) co_return make_error(Errc::closed, "listener closed");
    if (!m_pending || !m_pending->is_open() || m_pending_generation != m_source->generation()) {
      m_pending.reset();
      if (auto ready = co_await m_source->wait_ready(timeout); !ready) co_return std::move(ready).error();
      const std::uint64_t generation = m_source->generation();
      auto connection = co_await sam::SamConnection::open(m_source->sam_port(), left_until(deadline));
      if (!connection) co_return std::move(connection).error();
      if (m_closed) co_return make_error(Errc::closed, "listener closed");
      m_pending.emplace(std::move(*connection));
      m_pending_generation = generation;
      if (auto accepted = co_await m_pending->stream_accept(m_source->session_id(), left_until(deadline)); !accepted) {
        m_pending.reset();
        co_return std::move(accepted).error();
      }
    }
    auto peer = co_await m_pending->read_accepted_peer(left_until(deadline));
    if (m_closed) co_return make_error(Errc::closed, "listener closed");
    if (!peer) {
      // On a timeout the ACCEPT stays pending for the next call.
      if (peer.error().code != Errc::timeout) m_pending.reset();
      co_return std::move(peer).error();
    }
    detail::wipe_string(*peer);
    Stream stream = std::move(*m_pending).release();
    m_pending.reset();
    co_return std::move(stream);
  }

  void close() noexcept override {
    m_closed = true;
    if (m_pending) m_pending->close();
    *m_open_flag = false;
  }

 private:
  I2pSessionSource* m_source;
  std::string m_public_address;
  std::shared_ptr<bool> m_open_flag;
  std::optional<sam::SamConnection> m_pending;
  std::uint64_t m_pending_generation = 0;
  bool m_closed = false;
};

}  // namespace

Result<I2pAddress> parse_i2p_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return make_error(Errc::invalid_argument, "I2P address must be host:port");
  const std::string_view host = text.substr(0, colon);
  if (host.size() != sam::kB32HashChars + sam::kB32Suffix.size() || !host.ends_with(sam::kB32Suffix) ||
      !std::all_of(host.begin(), host.begin() + sam::kB32HashChars, is_base32_char)) {
    return make_error(Errc::invalid_argument, "I2P transport only dials <52 base32 chars>.b32.i2p addresses");
  }
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return make_error(Errc::invalid_argument, "port must be 1..65535");
  }
  return I2pAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

I2pTransport::I2pTransport(asio::any_io_executor executor, I2pSessionSource& source, Random& rng,
                           I2pTransportOptions options)
    : m_executor(std::move(executor)),
      m_source(&source),
      m_rng(&rng),
      m_options(options),
      m_listener_open(std::make_shared<bool>(false)) {}

I2pTransport::~I2pTransport() {
  close_dial_sessions();
}

void I2pTransport::close_dial_sessions() noexcept {
  for (auto& [token, session] : m_sessions) {
    if (session.link) session.link->close();
  }
  m_sessions.clear();
}

asio::awaitable<void> I2pTransport::forget_peer(std::string address, std::string isolation_token) {
  (void)address;  // the stale lease set lives in the token's session
  forget_token(isolation_token);
  co_return;
}

void I2pTransport::forget_token(const std::string& token) noexcept {
  auto it = m_sessions.find(token);
  if (it == m_sessions.end() || !it->second.link) return;  // absent, or being created
  it->second.link->close();
  m_sessions.erase(it);
}

asio::awaitable<Result<std::unique_ptr<Listener>>> I2pTransport::listen(std::uint16_t public_port,
                                                                        std::chrono::milliseconds timeout) {
  if (public_port == 0) co_return make_error(Errc::invalid_argument, "I2P services need a port");
  if (*m_listener_open) co_return make_error(Errc::exhausted, "an I2P listener is already open on this transport");
  if (auto ready = co_await m_source->wait_ready(timeout); !ready) co_return std::move(ready).error();
  std::string address = m_source->b32_address() + ":" + std::to_string(public_port);
  co_return std::unique_ptr<Listener>(std::make_unique<I2pListener>(*m_source, std::move(address), m_listener_open));
}

asio::awaitable<Result<Stream>> I2pTransport::dial(std::string address, std::string isolation_token,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  auto target = parse_i2p_address(address);
  if (!target) co_return std::move(target).error();
  if (isolation_token.empty() || isolation_token.size() > kMaxIsolationTokenBytes) {
    co_return make_error(Errc::invalid_argument, "dial needs an isolation token of 1 to 256 bytes");
  }
  if (auto ready = co_await m_source->wait_ready(timeout); !ready) co_return std::move(ready).error();
  auto id = co_await session_for(isolation_token, deadline);
  if (!id) co_return std::move(id).error();
  auto connection = co_await sam::SamConnection::open(m_source->sam_port(), left_until(deadline));
  if (!connection) co_return std::move(connection).error();
  if (auto status = co_await connection->stream_connect(*id, target->host, left_until(deadline)); !status) {
    if (status.error().code == Errc::closed) {
      // The session is gone (INVALID_ID): the next dial creates it again.
      auto it = m_sessions.find(isolation_token);
      if (it != m_sessions.end() && it->second.id == *id) {
        if (it->second.link) it->second.link->close();
        m_sessions.erase(it);
      }
    }
    co_return std::move(status).error();
  }
  co_return std::move(*connection).release();
}

asio::awaitable<Result<std::string>> I2pTransport::session_for(const std::string& token,
                                                               SteadyClock::time_point deadline) {
  for (int turn = 0; turn < 100'000; ++turn) {
    auto it = m_sessions.find(token);
    if (it == m_sessions.end()) co_return co_await create_session(token, deadline);
    DialSession& session = it->second;
    if (session.link) {
      if (session.link->is_open() && session.generation == m_source->generation()) {
        session.last_used = ++m_use_counter;
        co_return session.id;
      }
      session.link->close();
      m_sessions.erase(it);
      continue;
    }
    // Another dial is creating this token's session: wait for it.
    if (SteadyClock::now() >= deadline) break;
    asio::steady_timer pause(m_executor, std::min(deadline, SteadyClock::now() + kCreatingPollStep));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return make_error(Errc::timeout, "I2P dial session not ready in time");
}

asio::awaitable<Result<std::string>> I2pTransport::create_session(const std::string& token,
                                                                  SteadyClock::time_point deadline) {
  if (m_options.max_dial_sessions == 0) co_return make_error(Errc::exhausted, "no I2P dial sessions allowed");
  while (m_sessions.size() >= m_options.max_dial_sessions) {
    const std::size_t before = m_sessions.size();
    evict_oldest();
    if (m_sessions.size() == before) co_return make_error(Errc::exhausted, "every I2P dial session is being created");
  }
  std::array<std::uint8_t, kSessionIdRandomBytes> random{};
  m_rng->fill(random);
  const std::string id = "tnd" + to_hex(random);
  const std::uint64_t generation = m_source->generation();
  m_sessions[token] = DialSession{id, nullptr, generation, ++m_use_counter};
  const auto forget = [this, &token, &id] {
    auto it = m_sessions.find(token);
    if (it != m_sessions.end() && it->second.id == id) m_sessions.erase(it);
  };
  auto link = co_await sam::SamConnection::open(m_source->sam_port(), left_until(deadline));
  if (!link) {
    forget();
    co_return std::move(link).error();
  }
  const auto wait = std::min(m_options.session_timeout, left_until(deadline));
  if (auto created = co_await link->create_session(id, "TRANSIENT", m_options.dial_tunnels, wait); !created) {
    forget();
    co_return std::move(created).error();
  }
  auto it = m_sessions.find(token);
  if (it == m_sessions.end() || it->second.id != id) co_return make_error(Errc::closed, "I2P dial sessions closed");
  it->second.link = std::make_shared<sam::SamConnection>(std::move(*link));
  asio::co_spawn(m_executor, watch_link(it->second.link), [](const std::exception_ptr&) {});
  co_return id;
}

void I2pTransport::evict_oldest() {
  auto oldest = m_sessions.end();
  for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
    if (!it->second.link) continue;  // being created
    if (oldest == m_sessions.end() || it->second.last_used < oldest->second.last_used) oldest = it;
  }
  if (oldest == m_sessions.end()) return;
  oldest->second.link->close();
  m_sessions.erase(oldest);
}

}  // namespace tenebra::onion
