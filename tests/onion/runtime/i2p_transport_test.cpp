// I2pTransport against a scripted fake SAM bridge and a fake session source.
#include "tenebra/onion/i2p_transport.hpp"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <map>

#include "fake_sam_bridge.hpp"
#include "onion/i2p_test_vectors.hpp"
#include "run_coroutine.hpp"
#include "tenebra/onion/i2pd_supervisor.hpp"

namespace tenebra::onion {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::answer_hello;
using test::FakeSamBridge;
using test::read_request;
using test::run_coroutine;
using test::send_text;

constexpr std::chrono::milliseconds kTimeout{2'000};
const std::string kPeerAddress = std::string(sam::test::kB32) + ":80";

class FakeSource final : public I2pSessionSource {
 public:
  explicit FakeSource(std::uint16_t port) : m_port(port) {}
  asio::awaitable<Status> wait_ready(std::chrono::milliseconds /*timeout*/) override {
    if (!m_ready) co_return make_error(Errc::timeout, "not ready");
    co_return Status{};
  }
  std::uint16_t sam_port() const noexcept override { return m_port; }
  const std::string& session_id() const noexcept override { return m_id; }
  const std::string& b32_address() const noexcept override { return m_b32; }
  std::uint64_t generation() const noexcept override { return m_generation; }

  bool m_ready = true;
  std::uint64_t m_generation = 1;

 private:
  std::uint16_t m_port;
  std::string m_id = "tnbnode";
  std::string m_b32 = std::string(sam::test::kB32);
};

std::string field(const std::string& line, const std::string& key) {
  const auto at = line.find(" " + key + "=");
  if (at == std::string::npos) return {};
  const auto start = at + key.size() + 2;
  return line.substr(start, line.find(' ', start) - start);
}

// A bridge that answers SESSION CREATE (counting them, per id) and STREAM
// CONNECT (with `connect_reply`, then "pong" when OK).
struct DialBridge {
  std::map<std::string, int> creates;  // session id -> count
  std::vector<std::string> connect_ids;
  std::string connect_reply = "STREAM STATUS RESULT=OK\n";

  FakeSamBridge::Script script() {
    return [this](Stream& connection, int) -> asio::awaitable<void> {
      if (!co_await answer_hello(connection)) co_return;
      const std::string line = co_await read_request(connection);
      if (line.rfind("SESSION CREATE STYLE=STREAM ", 0) == 0) {
        EXPECT_EQ(field(line, "DESTINATION"), "TRANSIENT");
        ++creates[field(line, "ID")];
        co_await send_text(connection, "SESSION STATUS RESULT=OK DESTINATION=" + std::string(sam::test::kPriv) + "\n");
        co_await test::hold_open(connection, 5s);
      } else if (line.rfind("STREAM CONNECT ", 0) == 0) {
        connect_ids.push_back(field(line, "ID"));
        EXPECT_EQ(field(line, "DESTINATION"), sam::test::kB32);
        co_await send_text(connection, connect_reply);
        if (connect_reply == "STREAM STATUS RESULT=OK\n") co_await send_text(connection, "pong");
        co_await test::hold_open(connection, 2s);
      }
    };
  }
};

asio::awaitable<std::string> read_n(Stream& stream, std::size_t n) {
  std::string data(n, '\0');
  auto got = co_await with_timeout(asio::async_read(stream, asio::buffer(data), asio::as_tuple(asio::use_awaitable)),
                                   kTimeout);
  if (!got || std::get<0>(*got)) co_return std::string();
  co_return data;
}

TEST(I2pTransport, ParsesAddresses) {
  auto address = parse_i2p_address(kPeerAddress);
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, sam::test::kB32);
  EXPECT_EQ(address->port, 80);
  for (const std::string& bad :
       {std::string(sam::test::kB32), std::string(sam::test::kB32) + ":0", std::string(sam::test::kB32) + ":70000",
        std::string("example.i2p:80"), std::string("abc.b32.i2p:80"), std::string("127.0.0.1:80"),
        "A" + std::string(sam::test::kB32).substr(1) + ":80", std::string(sam::test::kB32) + ":80x"}) {
    EXPECT_EQ(parse_i2p_address(bad).error().code, Errc::invalid_argument) << bad;
  }
}

TEST(I2pTransport, DialReusesTheSessionOfAToken) {
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    DialBridge script;
    FakeSamBridge bridge(io, script.script());
    FakeSource source(bridge.port());
    SystemRandom rng;
    I2pTransport transport(io.get_executor(), source, rng);
    auto first = co_await transport.dial(kPeerAddress, "peer-1", kTimeout);
    EXPECT_TRUE(first.ok()) << first.error().message;
    if (first) {
      EXPECT_EQ(co_await read_n(*first, 4), "pong");
    }
    auto again = co_await transport.dial(kPeerAddress, "peer-1", kTimeout);
    EXPECT_TRUE(again.ok());
    auto other = co_await transport.dial(kPeerAddress, "peer-2", kTimeout);
    EXPECT_TRUE(other.ok());
    EXPECT_EQ(script.creates.size(), 2U);  // one session per token
    EXPECT_EQ(script.connect_ids.size(), 3U);
    if (script.connect_ids.size() == 3) {
      EXPECT_EQ(script.connect_ids[0], script.connect_ids[1]);
      EXPECT_NE(script.connect_ids[0], script.connect_ids[2]);
      EXPECT_EQ(script.connect_ids[0].rfind("tnd", 0), 0U);
    }
    EXPECT_EQ(transport.dial_sessions(), 2U);
    transport.forget_token("peer-2");
    EXPECT_EQ(transport.dial_sessions(), 1U);
    transport.forget_token("never-used");
    // A restarted i2pd (new generation) means new sessions.
    source.m_generation = 2;
    auto after_restart = co_await transport.dial(kPeerAddress, "peer-1", kTimeout);
    EXPECT_TRUE(after_restart.ok());
    EXPECT_EQ(script.creates.size(), 3U);
  });
}

TEST(I2pTransport, DialSessionsAreCapped) {
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    DialBridge script;
    FakeSamBridge bridge(io, script.script());
    FakeSource source(bridge.port());
    SystemRandom rng;
    I2pTransportOptions options;
    options.max_dial_sessions = 2;
    I2pTransport transport(io.get_executor(), source, rng, options);
    for (const char* token : {"a", "b", "c", "a"}) {
      auto stream = co_await transport.dial(kPeerAddress, token, kTimeout);
      EXPECT_TRUE(stream.ok()) << token;
      EXPECT_LE(transport.dial_sessions(), 2U);
    }
    EXPECT_EQ(script.creates.size(), 4U);  // "a" was evicted by "c" and made again
  });
}

TEST(I2pTransport, DialErrors) {
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    DialBridge script;
    script.connect_reply = "STREAM STATUS RESULT=CANT_REACH_PEER MESSAGE=Can't reach peer\n";
    FakeSamBridge bridge(io, script.script());
    FakeSource source(bridge.port());
    SystemRandom rng;
    I2pTransport transport(io.get_executor(), source, rng);
    auto unreachable = co_await transport.dial(kPeerAddress, "peer", kTimeout);
    EXPECT_EQ(unreachable.error().code, Errc::not_found);
    EXPECT_EQ(unreachable.error().message.find(sam::test::kB32), std::string::npos);
    EXPECT_EQ((co_await transport.dial("peer.onion:80", "peer", kTimeout)).error().code, Errc::invalid_argument);
    EXPECT_EQ((co_await transport.dial(kPeerAddress, "", kTimeout)).error().code, Errc::invalid_argument);
    EXPECT_EQ((co_await transport.dial(kPeerAddress, std::string(300, 't'), kTimeout)).error().code,
              Errc::invalid_argument);
    script.connect_reply = "STREAM STATUS RESULT=INVALID_ID\n";
    auto gone = co_await transport.dial(kPeerAddress, "peer", kTimeout);
    EXPECT_EQ(gone.error().code, Errc::closed);
    EXPECT_EQ(transport.dial_sessions(), 0U);  // dropped, made again next time
    source.m_ready = false;
    EXPECT_EQ((co_await transport.dial(kPeerAddress, "peer", kTimeout)).error().code, Errc::timeout);
  });
}

TEST(I2pTransport, ListenAndAccept) {
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    std::vector<std::string> requests;
    FakeSamBridge bridge(io, [&requests](Stream& connection, int index) -> asio::awaitable<void> {
      if (!co_await answer_hello(connection)) co_return;
      requests.push_back(co_await read_request(connection));
      co_await send_text(connection, "STREAM STATUS RESULT=OK\n");
      if (index == 0) {
        // First accept: the peer only comes after the caller's first timeout.
        asio::steady_timer pause(co_await asio::this_coro::executor, 300ms);
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      co_await send_text(connection, std::string(sam::test::kPub) + "\nping");
      co_await test::hold_open(connection, 2s);
    });
    FakeSource source(bridge.port());
    SystemRandom rng;
    I2pTransport transport(io.get_executor(), source, rng);
    EXPECT_EQ((co_await transport.listen(0, kTimeout)).error().code, Errc::invalid_argument);
    auto listener = co_await transport.listen(80, kTimeout);
    EXPECT_TRUE(listener.ok());
    if (!listener) co_return;
    EXPECT_EQ((*listener)->public_address(), kPeerAddress);
    EXPECT_EQ((co_await transport.listen(81, kTimeout)).error().code, Errc::exhausted);
    auto early = co_await (*listener)->accept(100ms);
    EXPECT_EQ(early.error().code, Errc::timeout);
    auto first = co_await (*listener)->accept(kTimeout);
    EXPECT_TRUE(first.ok()) << first.error().message;
    if (first) {
      EXPECT_EQ(co_await read_n(*first, 4), "ping");
    }
    auto second = co_await (*listener)->accept(kTimeout);
    EXPECT_TRUE(second.ok());
    EXPECT_EQ(bridge.connections(), 2);  // the timed-out ACCEPT stayed pending
    EXPECT_EQ(requests.size(), 2U);
    if (!requests.empty()) {
      EXPECT_EQ(requests[0], "STREAM ACCEPT ID=tnbnode SILENT=false");
    }
    (*listener)->close();
    EXPECT_EQ((co_await (*listener)->accept(kTimeout)).error().code, Errc::closed);
    listener->reset();
    auto reopened = co_await transport.listen(80, kTimeout);
    EXPECT_TRUE(reopened.ok());
  });
}

TEST(I2pdSupervisor, ReportsAnI2pdThatExitsAtOnce) {
  std::string pattern = "/tmp/tnbi2p-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  run_coroutine([&](asio::io_context& io) -> asio::awaitable<void> {
    I2pdSupervisorConfig config;
    config.i2pd_binary = "/bin/false";
    config.conf.data_dir = pattern + "/node";
    config.conf.sam_port = 2;  // nothing listens there
    std::vector<BootstrapProgress> progress;
    config.on_progress = [&progress](const BootstrapProgress& step) { progress.push_back(step); };
    SystemRandom rng;
    I2pdSupervisor supervisor(io.get_executor(), config, rng);
    auto started = co_await supervisor.start();
    EXPECT_EQ(started.error().code, Errc::io);
    EXPECT_EQ(supervisor.i2pd_pid(), -1);
    EXPECT_FALSE(supervisor.ready());
    EXPECT_FALSE(progress.empty());
    if (!progress.empty()) {
      EXPECT_EQ(progress.front().tag, "starting");
    }
    co_await supervisor.stop();
  });
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace tenebra::onion
