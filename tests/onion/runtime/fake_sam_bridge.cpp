#include "fake_sam_bridge.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <memory>

namespace tenebra::onion::test {

namespace asio = boost::asio;
using asio::ip::tcp;

FakeSamBridge::FakeSamBridge(asio::io_context& io, Script script)
    : m_acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), m_script(std::move(script)) {
  m_port = m_acceptor.local_endpoint().port();
  asio::co_spawn(io, accept_loop(), [](const std::exception_ptr&) {});
}

FakeSamBridge::~FakeSamBridge() {
  stop();
}

void FakeSamBridge::stop() {
  boost::system::error_code ignored;
  m_acceptor.close(ignored);
}

asio::awaitable<void> FakeSamBridge::accept_loop() {
  for (int index = 0; index < 1'000; ++index) {
    tcp::socket peer(m_acceptor.get_executor());
    auto [ec] = co_await m_acceptor.async_accept(peer, asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    ++m_connections;
    auto connection = std::make_shared<Stream>(std::move(peer));
    asio::co_spawn(
        m_acceptor.get_executor(),
        [](Script script, std::shared_ptr<Stream> held, int at) -> asio::awaitable<void> {
          co_await script(*held, at);
        }(m_script, connection, index),
        [](const std::exception_ptr&) {});
  }
}

asio::awaitable<std::string> read_request(Stream& connection) {
  std::string line;
  for (int i = 0; i < 64 * 1024; ++i) {
    char byte = 0;
    auto [ec, got] = co_await asio::async_read(connection, asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
    if (ec || got != 1) co_return std::string();
    if (byte == '\n') break;
    line.push_back(byte);
  }
  co_return line;
}

asio::awaitable<void> send_text(Stream& connection, std::string text) {
  co_await asio::async_write(connection, asio::buffer(text), asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<bool> answer_hello(Stream& connection) {
  const std::string hello = co_await read_request(connection);
  if (hello != "HELLO VERSION MIN=3.1 MAX=3.1") co_return false;
  co_await send_text(connection, "HELLO REPLY RESULT=OK VERSION=3.1\n");
  co_return true;
}

asio::awaitable<void> hold_open(Stream& connection, std::chrono::milliseconds cap) {
  std::array<char, 256> buffer{};
  for (int i = 0; i < 10'000; ++i) {
    auto got = co_await with_timeout(
        connection.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable)), cap);
    if (!got || std::get<0>(*got)) break;
  }
}

}  // namespace tenebra::onion::test
