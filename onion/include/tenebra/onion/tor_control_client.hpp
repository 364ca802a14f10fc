// Async client for a Tor control port on a unix socket (control-spec §3),
// built on Boost.Asio C++20 coroutines.
//
// It connects, authenticates with SAFECOOKIE (cookie path from
// PROTOCOLINFO, file exactly 32 bytes), binds tor's life to this connection
// (TAKEOWNERSHIP + RESETCONF __OwningControllerProcess), subscribes to
// events, and runs GETINFO, SETCONF, ADD_ONION, DEL_ONION and SIGNAL NEWNYM.
// Asynchronous events are handed to the event handler as they arrive, also
// while no command runs; events Tenebra does not know are just passed on.
//
// Every wait is bounded: connect and each command have a deadline. A
// deadline passed, a protocol error, a cap passed or tor closing the socket
// ends the connection (its state is unknown afterwards); the command in
// flight and every later one get the error (Errc::timeout, Errc::malformed,
// Errc::exhausted, Errc::closed). Error replies from tor (552, 551, ...) are
// only errors of that command. Nothing throws out of a handler, and no reply
// text is logged or put in an error message.
//
// Threading: use one ControlClient from one strand (or a single-threaded
// io_context): its calls and its reader share state without locks. One
// command at a time; a second concurrent command gets Errc::invalid_argument.
// close() is the ordered stop: it closes the socket and waits for the reader
// task to end. The destructor closes the socket too; the reader then ends on
// its own when the executor next runs.
#pragma once

// Asio's scheduler trips GCC's flow-based -Wnull-dereference once inlined;
// it is third-party code, and tenebra_warnings is meant for our own.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#pragma GCC diagnostic pop
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/tor_control_commands.hpp"
#include "tenebra/onion/tor_control_messages.hpp"
#include "tenebra/onion/tor_control_reply.hpp"

namespace tenebra::onion::tor {

namespace detail {
struct ControlConnection;
}

struct ControlClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{10000};
  ReplyLimits limits{};
};

// Runs on the client's executor for every asynchronous (6xx) reply. It must
// not throw; if it does, the connection is closed with Errc::internal.
using EventHandler = std::function<void(const Reply& event)>;

struct AddOnionRequest {
  const SecretArray<kEd25519V3SecretKeyBytes>* key = nullptr;  // null: a new ED25519-V3 key
  bool discard_key = true;                                     // with a new key: Flags=DiscardPK
  std::vector<OnionPort> ports;
};

class ControlClient {
 public:
  template <typename T>
  using awaitable = boost::asio::awaitable<T>;

  ControlClient(const boost::asio::any_io_executor& executor, Random& rng, ControlClientOptions options = {});
  ~ControlClient();
  ControlClient(const ControlClient&) = delete;
  ControlClient& operator=(const ControlClient&) = delete;

  void set_event_handler(EventHandler handler);

  [[nodiscard]] awaitable<Status> connect(std::string socket_path);
  [[nodiscard]] awaitable<Result<ProtocolInfo>> protocolinfo();
  // SAFECOOKIE; Errc::crypto when tor's SERVERHASH does not match the cookie
  // (the connection is then closed: the other side is not our tor).
  [[nodiscard]] awaitable<Status> authenticate(const ProtocolInfo& info);
  [[nodiscard]] awaitable<Status> take_ownership();
  [[nodiscard]] awaitable<Status> set_events(std::vector<std::string> events);
  [[nodiscard]] awaitable<Result<std::vector<GetinfoEntry>>> getinfo(std::vector<std::string> keys);
  [[nodiscard]] awaitable<Status> setconf(std::vector<ConfigSetting> settings);
  [[nodiscard]] awaitable<Result<AddOnionResult>> add_onion(AddOnionRequest request);
  [[nodiscard]] awaitable<Status> del_onion(std::string service_id);
  [[nodiscard]] awaitable<Status> signal_newnym();
  // Sends one command line (ending in CRLF) and returns tor's reply as is.
  [[nodiscard]] awaitable<Result<Reply>> command(std::string line);

  [[nodiscard]] awaitable<void> close();
  bool is_open() const noexcept;

 private:
  [[nodiscard]] awaitable<Status> simple(Result<std::string> line);

  std::shared_ptr<detail::ControlConnection> m_state;
  Random& m_rng;
  ControlClientOptions m_options;
};

}  // namespace tenebra::onion::tor
