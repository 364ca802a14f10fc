// A scripted stand-in for i2pd's SAM bridge on 127.0.0.1 (any free port):
// each accepted connection runs the test's script coroutine with its index
// (0, 1, ...). Helpers read one request line and write replies.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "tenebra/onion/transport.hpp"

namespace tenebra::onion::test {

class FakeSamBridge {
 public:
  using Script = std::function<boost::asio::awaitable<void>(Stream& connection, int index)>;
  FakeSamBridge(boost::asio::io_context& io, Script script);
  ~FakeSamBridge();
  FakeSamBridge(const FakeSamBridge&) = delete;
  FakeSamBridge& operator=(const FakeSamBridge&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return m_port; }
  [[nodiscard]] int connections() const noexcept { return m_connections; }
  void stop();

 private:
  boost::asio::awaitable<void> accept_loop();

  boost::asio::ip::tcp::acceptor m_acceptor;
  Script m_script;
  std::uint16_t m_port = 0;
  int m_connections = 0;
};

// One line without its '\n'; "" on EOF or error (capped at 64 KiB).
boost::asio::awaitable<std::string> read_request(Stream& connection);
boost::asio::awaitable<void> send_text(Stream& connection, std::string text);
// Reads the HELLO and answers OK 3.1 (returns false if it was not a HELLO).
boost::asio::awaitable<bool> answer_hello(Stream& connection);
// Reads until the client closes (at most `cap`).
boost::asio::awaitable<void> hold_open(Stream& connection, std::chrono::milliseconds cap = std::chrono::seconds(20));

}  // namespace tenebra::onion::test
