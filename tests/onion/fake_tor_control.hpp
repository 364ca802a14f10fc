// A scripted fake of tor's control port for ControlClient tests: a unix
// socket in a temporary directory, served by a coroutine that expects the
// client's lines in order and answers each with canned bytes (which may
// include interleaved events, truncated lines or a close).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

// Same reason as in tor_control_client.hpp: Asio trips GCC's flow-based
// -Wnull-dereference.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#pragma GCC diagnostic pop

namespace tenebra::onion::tor::test {

// A private temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const noexcept { return m_path; }
  std::string file(std::string_view name) const { return m_path + "/" + std::string(name); }

 private:
  std::string m_path;
};

struct ScriptStep {
  // The line the client must send, without CRLF. A trailing '*' matches any
  // rest of the line. Empty: do not read, just send `reply`.
  std::string expect;
  // Bytes to send back, given the line received.
  std::function<std::string(std::string_view line)> reply;
  bool close_after = false;
};

ScriptStep step(std::string expect, std::string reply, bool close_after = false);

class FakeTorControl {
 public:
  FakeTorControl(boost::asio::io_context& io, std::string socket_path, std::vector<ScriptStep> script);

  // Accepts one client and plays the script; afterwards records any further
  // lines as unexpected until the client closes.
  boost::asio::awaitable<void> serve();

  const std::vector<std::string>& received() const noexcept { return m_received; }
  const std::string& mismatch() const noexcept { return m_mismatch; }
  bool script_done() const noexcept { return m_script_done; }
  const std::vector<std::string>& unexpected() const noexcept { return m_unexpected; }

 private:
  boost::asio::local::stream_protocol::acceptor m_acceptor;
  std::vector<ScriptStep> m_script;
  std::vector<std::string> m_received;
  std::vector<std::string> m_unexpected;
  std::string m_mismatch;
  bool m_script_done = false;
};

}  // namespace tenebra::onion::tor::test
