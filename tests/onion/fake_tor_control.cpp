#include "fake_tor_control.hpp"

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#pragma GCC diagnostic pop

namespace tenebra::onion::tor::test {

namespace asio = boost::asio;
using stream_protocol = asio::local::stream_protocol;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxTestLine = 64 * 1024;

bool matches(std::string_view expect, std::string_view line) {
  if (!expect.empty() && expect.back() == '*') {
    expect.remove_suffix(1);
    return line.substr(0, expect.size()) == expect;
  }
  return line == expect;
}

// Reads one CRLF line into `line`; false when the client closed.
asio::awaitable<bool> read_line(stream_protocol::socket& socket, std::string& buffer, std::string& line) {
  auto [error, count] =
      co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer, kMaxTestLine), "\r\n", kAwait);
  if (error) co_return false;
  line = buffer.substr(0, count - 2);
  buffer.erase(0, count);
  co_return true;
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tenebra-onion-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  m_path = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(m_path, ignored);
}

ScriptStep step(std::string expect, std::string reply, bool close_after) {
  return ScriptStep{std::move(expect), [reply = std::move(reply)](std::string_view) { return reply; }, close_after};
}

FakeTorControl::FakeTorControl(asio::io_context& io, std::string socket_path, std::vector<ScriptStep> script)
    : m_acceptor(io, stream_protocol::endpoint(socket_path)), m_script(std::move(script)) {}

asio::awaitable<void> FakeTorControl::serve() {
  auto [accept_error, socket] = co_await m_acceptor.async_accept(kAwait);
  if (accept_error) {
    m_mismatch = "accept failed";
    co_return;
  }
  std::string buffer;
  for (const ScriptStep& current : m_script) {
    std::string line;
    if (!current.expect.empty()) {
      if (!co_await read_line(socket, buffer, line)) {
        m_mismatch = "client closed before sending: " + current.expect;
        co_return;
      }
      m_received.push_back(line);
      if (!matches(current.expect, line)) {
        m_mismatch = "expected \"" + current.expect + "\", got \"" + line + "\"";
        co_return;  // closes the socket
      }
    }
    const std::string reply = current.reply ? current.reply(line) : std::string();
    if (!reply.empty()) {
      auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(reply), kAwait);
      if (write_error) {
        m_mismatch = "write failed";
        co_return;
      }
    }
    if (current.close_after) {
      m_script_done = true;
      co_return;
    }
  }
  m_script_done = true;
  std::string line;
  while (co_await read_line(socket, buffer, line)) {
    m_received.push_back(line);
    m_unexpected.push_back(line);
  }
}

}  // namespace tenebra::onion::tor::test
