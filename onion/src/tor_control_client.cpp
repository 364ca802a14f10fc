#include "tenebra/onion/tor_control_client.hpp"

#include <sodium.h>
#include <sys/un.h>

#include <array>
// Asio's scheduler trips GCC's flow-based -Wnull-dereference once inlined
// (third-party code; tenebra_warnings is meant for our own).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#pragma GCC diagnostic pop
#include <deque>
#include <exception>
#include <optional>
#include <utility>

#include "cookie_file.hpp"
#include "tenebra/onion/safecookie.hpp"
#include "wipe.hpp"

namespace tenebra::onion::tor {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using asio::use_awaitable;
using stream_protocol = asio::local::stream_protocol;

namespace {

constexpr auto kAwait = asio::as_tuple(use_awaitable);
constexpr std::size_t kReadChunkBytes = 4096;
constexpr std::chrono::seconds kReaderStopTimeout{2};

}  // namespace

// Shared by the client object and its reader task, so the reader can finish
// safely after the client is gone.
struct detail::ControlConnection {
  ControlConnection(const asio::any_io_executor& executor, ReplyLimits limits)
      : socket(executor), parser(limits), reply_signal(executor), reader_done(executor) {}

  // Ends the connection: the first reason is kept, the socket closed, and a
  // waiting command woken.
  void fail(Error error) {
    if (!failure) failure = std::move(error);
    close_socket_quietly();
  }

  void close_socket_quietly() {
    boost::system::error_code ignored;
    socket.close(ignored);
    reply_signal.cancel();
  }

  stream_protocol::socket socket;
  ReplyParser parser;
  std::deque<Reply> replies;
  asio::steady_timer reply_signal;  // cancelled when a reply arrives or the connection ends
  asio::steady_timer reader_done;   // cancelled when the reader task ends
  std::optional<Error> failure;
  EventHandler on_event;
  bool connected = false;
  bool reader_running = false;
  bool command_in_flight = false;
};

namespace {

Error closed_error(const ReplyParser& parser) {
  return make_error(Errc::closed, parser.idle() ? "tor closed the control connection"
                                                : "tor closed the control connection in the middle of a reply");
}

// Hands events to the handler; a handler that throws ends the connection
// rather than leaving it in an unknown state.
bool dispatch_events(detail::ControlConnection& state) {
  while (auto event = state.parser.next_event()) {
    if (!state.on_event) continue;
    try {
      state.on_event(*event);
    } catch (...) {
      state.fail(make_error(Errc::internal, "tor control event handler threw; connection closed"));
      return false;
    }
  }
  return true;
}

}  // namespace

namespace {

asio::awaitable<void> read_loop(std::shared_ptr<detail::ControlConnection> state) {
  std::array<std::uint8_t, kReadChunkBytes> buffer{};
  while (true) {
    auto [error, count] = co_await state->socket.async_read_some(asio::buffer(buffer), kAwait);
    if (error) {
      state->fail(error == asio::error::eof ? closed_error(state->parser)
                                            : make_error(Errc::closed, "tor control connection ended"));
      break;
    }
    const Status fed = state->parser.feed(ByteView(buffer.data(), count));
    sodium_memzero(buffer.data(), count);
    if (!dispatch_events(*state)) break;
    while (auto reply = state->parser.next_reply()) {
      if (!state->command_in_flight || !state->replies.empty()) {
        reply->wipe();
        state->fail(make_error(Errc::malformed, "tor sent a reply nobody asked for"));
        break;
      }
      state->replies.push_back(std::move(*reply));
      state->reply_signal.cancel();
    }
    if (state->failure) break;
    if (!fed) {
      state->fail(fed.error());
      break;
    }
  }
  state->reader_running = false;
  state->reader_done.cancel();
}

// Writes all of `bytes` before `deadline`, or fails the connection.
asio::awaitable<Status> write_before(detail::ControlConnection& state, std::string_view bytes,
                                     std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_at(deadline);
  auto outcome = co_await (asio::async_write(state.socket, asio::buffer(bytes.data(), bytes.size()), kAwait) ||
                           timer.async_wait(kAwait));
  if (outcome.index() == 1) {
    state.fail(make_error(Errc::timeout, "writing to tor's control port timed out; connection closed"));
    co_return *state.failure;
  }
  if (std::get<0>(std::get<0>(outcome))) {
    state.fail(make_error(Errc::closed, "writing to tor's control port failed"));
    co_return *state.failure;
  }
  co_return Status{};
}

// Waits for the reply to the command in flight.
asio::awaitable<Result<Reply>> reply_before(detail::ControlConnection& state,
                                            std::chrono::steady_clock::time_point deadline) {
  while (state.replies.empty()) {
    if (state.failure) co_return *state.failure;
    state.reply_signal.expires_at(deadline);
    auto [error] = co_await state.reply_signal.async_wait(kAwait);
    if (!error && state.replies.empty() && !state.failure) {
      // Its reply may still come and would be taken for the next command's.
      state.fail(make_error(Errc::timeout, "tor did not answer in time; connection closed"));
    }
  }
  Reply reply = std::move(state.replies.front());
  state.replies.pop_front();
  co_return reply;
}

}  // namespace

ControlClient::ControlClient(const asio::any_io_executor& executor, Random& rng, ControlClientOptions options)
    : m_state(std::make_shared<detail::ControlConnection>(executor, options.limits)), m_rng(rng), m_options(options) {}

ControlClient::~ControlClient() {
  try {
    m_state->fail(make_error(Errc::closed, "tor control client destroyed"));
  } catch (...) {  // NOLINT(bugprone-empty-catch)
    // Only allocation or timer failures get here, and a destructor must not
    // throw; the socket closes with the state's last owner.
  }
}

void ControlClient::set_event_handler(EventHandler handler) {
  m_state->on_event = std::move(handler);
}

bool ControlClient::is_open() const noexcept {
  return m_state->connected && !m_state->failure;
}

asio::awaitable<Status> ControlClient::connect(std::string socket_path) {
  const std::shared_ptr<detail::ControlConnection> state = m_state;
  if (state->connected || state->failure) co_return make_error(Errc::invalid_argument, "connect called twice");
  if (socket_path.empty() || socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    co_return make_error(Errc::invalid_argument, "tor control socket path is empty or too long");
  }
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(m_options.connect_timeout);
  // Named rather than a temporary in the co_await expression (GCC 12 has
  // bugs with temporaries that live across a suspension).
  const stream_protocol::endpoint endpoint(socket_path);
  auto outcome = co_await (state->socket.async_connect(endpoint, kAwait) || timer.async_wait(kAwait));
  if (outcome.index() == 1) {
    state->fail(make_error(Errc::timeout, "connecting to tor's control socket timed out"));
    co_return *state->failure;
  }
  if (std::get<0>(std::get<0>(outcome))) {
    state->fail(make_error(Errc::io, "cannot connect to tor's control socket"));
    co_return *state->failure;
  }
  state->connected = true;
  state->reader_running = true;
  asio::co_spawn(state->socket.get_executor(), read_loop(state), [state](const std::exception_ptr& thrown) {
    if (thrown) {
      state->reader_running = false;
      state->fail(make_error(Errc::internal, "tor control reader failed"));
      state->reader_done.cancel();
    }
  });
  co_return Status{};
}

asio::awaitable<Result<Reply>> ControlClient::command(std::string line) {
  const std::shared_ptr<detail::ControlConnection> state = m_state;
  if (state->failure) {
    onion::detail::wipe_string(line);
    co_return *state->failure;
  }
  if (!state->connected) co_return make_error(Errc::closed, "not connected to tor");
  if (state->command_in_flight) co_return make_error(Errc::invalid_argument, "another tor command is in flight");
  state->command_in_flight = true;
  const auto deadline = std::chrono::steady_clock::now() + m_options.command_timeout;
  Result<Reply> result = make_error(Errc::internal, "unreachable");
  if (auto written = co_await write_before(*state, line, deadline); !written) {
    result = std::move(written).error();
  } else {
    result = co_await reply_before(*state, deadline);
  }
  onion::detail::wipe_string(line);  // ADD_ONION lines can carry a key
  state->command_in_flight = false;
  co_return result;
}

asio::awaitable<Status> ControlClient::simple(Result<std::string> line) {
  if (!line) co_return std::move(line).error();
  auto reply = co_await command(std::move(*line));
  if (!reply) co_return std::move(reply).error();
  co_return check_success(*reply);
}

asio::awaitable<Result<ProtocolInfo>> ControlClient::protocolinfo() {
  auto reply = co_await command(protocolinfo_command());
  if (!reply) co_return std::move(reply).error();
  co_return parse_protocolinfo(*reply);
}

asio::awaitable<Status> ControlClient::authenticate(const ProtocolInfo& info) {
  if (!info.supports(AuthMethod::safecookie)) co_return make_error(Errc::unsupported, "tor does not offer SAFECOOKIE");
  if (!info.cookie_file) co_return make_error(Errc::malformed, "tor offers SAFECOOKIE without a cookie file");
  auto cookie = detail::read_cookie_file(*info.cookie_file);
  if (!cookie) co_return std::move(cookie).error();
  const SafecookieSession session(std::move(*cookie), m_rng);

  auto challenge_reply = co_await command(session.challenge_command());
  if (!challenge_reply) co_return std::move(challenge_reply).error();
  auto challenge = parse_authchallenge(*challenge_reply);
  if (!challenge) co_return std::move(challenge).error();
  auto hash = session.respond(*challenge);
  if (!hash) {
    m_state->fail(hash.error());
    co_return std::move(hash).error();
  }
  auto reply = co_await command(SafecookieSession::authenticate_command(*hash));
  if (!reply) co_return std::move(reply).error();
  co_return check_success(*reply);
}

asio::awaitable<Status> ControlClient::take_ownership() {
  if (auto taken = co_await simple(takeownership_command()); !taken) co_return taken;
  co_return co_await simple(reset_owning_controller_command());
}

asio::awaitable<Status> ControlClient::set_events(std::vector<std::string> events) {
  co_return co_await simple(setevents_command(events));
}

asio::awaitable<Result<std::vector<GetinfoEntry>>> ControlClient::getinfo(std::vector<std::string> keys) {
  auto line = getinfo_command(keys);
  if (!line) co_return std::move(line).error();
  auto reply = co_await command(std::move(*line));
  if (!reply) co_return std::move(reply).error();
  co_return parse_getinfo(*reply);
}

asio::awaitable<Status> ControlClient::setconf(std::vector<ConfigSetting> settings) {
  co_return co_await simple(setconf_command(settings));
}

asio::awaitable<Result<AddOnionResult>> ControlClient::add_onion(AddOnionRequest request) {
  auto line = add_onion_command(request.key, request.discard_key, request.ports);
  if (!line) co_return std::move(line).error();
  auto reply = co_await command(std::move(*line));
  if (!reply) co_return std::move(reply).error();
  auto result = parse_add_onion(*reply);
  reply->wipe();  // it held the private key, if tor returned one
  co_return result;
}

asio::awaitable<Status> ControlClient::del_onion(std::string service_id) {
  co_return co_await simple(del_onion_command(service_id));
}

asio::awaitable<Status> ControlClient::signal_newnym() {
  co_return co_await simple(signal_newnym_command());
}

asio::awaitable<void> ControlClient::close() {
  const std::shared_ptr<detail::ControlConnection> state = m_state;
  state->fail(make_error(Errc::closed, "tor control connection closed by us"));
  if (state->reader_running) {
    state->reader_done.expires_after(kReaderStopTimeout);
    co_await state->reader_done.async_wait(kAwait);
  }
}

}  // namespace tenebra::onion::tor
