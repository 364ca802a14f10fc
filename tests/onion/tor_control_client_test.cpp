#include "tenebra/onion/tor_control_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "fake_tor_control.hpp"
#include "tenebra/core/bytes.hpp"
#include "tenebra/onion/safecookie.hpp"
#include "tenebra/onion/tor_control_events.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#pragma GCC diagnostic pop

namespace tenebra::onion::tor {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::FakeTorControl;
using test::ScriptStep;
using test::step;
using test::TempDir;

constexpr std::string_view kServiceA = "fylpbpl4sualxbyvqc57io7f267mihuhd4zdeaqlucyyexebnn6pjsad";
constexpr std::string_view kServiceB = "732ldfzx2hdcwcom4uzdqva6byx32k4y5v2jb65wlr3gojkndsxhd2id";
constexpr std::string_view kKeyBase64 =
    "CQwPEhUYGx4hJCcqLTAzNjk8P0JFSEtOUVRXWl1gY2ZpbG9ydXh7foGEh4qNkJOWmZyfoqWoq66xtLe6vcDDxg==";
// The whole io_context run is bounded, so a hang fails the test instead of
// stalling the suite.
constexpr auto kTestDeadline = 10s;

Errc code_of(const Status& status) {
  return status.ok() ? Errc::internal : status.error().code;
}
template <typename T>
Errc code_of(const Result<T>& result) {
  return result.ok() ? Errc::internal : result.error().code;
}

// Space-separated words as a vector. (GCC 12 miscompiles braced lists of
// string literals inside co_await expressions: "array used as initializer".)
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    out.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

std::array<std::uint8_t, 32> counting_bytes(std::uint8_t first) {
  std::array<std::uint8_t, 32> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

class TorControlClientTest : public ::testing::Test {
 protected:
  TorControlClientTest() { write_cookie(counting_bytes(0)); }

  void write_cookie(ByteView bytes) const {
    std::ofstream out(m_dir.file("control_auth_cookie"), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }

  std::string socket_path() const { return m_dir.file("control"); }
  std::string cookie_path() const { return m_dir.file("control_auth_cookie"); }

  std::string protocolinfo_reply() const {
    return "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\"" + cookie_path() +
           "\"\r\n250-VERSION Tor=\"0.4.9.11\"\r\n250 OK\r\n";
  }

  // AUTHCHALLENGE and AUTHENTICATE answered the way tor does for our cookie;
  // `tamper` corrupts the server hash.
  std::vector<ScriptStep> safecookie_steps(bool tamper = false) {
    ScriptStep challenge;
    challenge.expect = "AUTHCHALLENGE SAFECOOKIE *";
    challenge.reply = [this, tamper](std::string_view line) {
      auto nonce = array_from_hex<32>(line.substr(line.rfind(' ') + 1));
      if (!nonce) return std::string("512 Invalid nonce\r\n");
      m_client_nonce = *nonce;
      const auto cookie = cookie_from_file_bytes(counting_bytes(0)).value();
      auto server_hash = safecookie_hmac(kSafecookieServerToControllerKey, cookie, m_client_nonce, m_server_nonce);
      if (tamper) server_hash.data()[0] ^= 1;
      return "250 AUTHCHALLENGE SERVERHASH=" + to_hex(server_hash.view()) + " SERVERNONCE=" + to_hex(m_server_nonce) +
             "\r\n";
    };
    ScriptStep authenticate;
    authenticate.expect = "AUTHENTICATE *";
    authenticate.reply = [this](std::string_view line) {
      const auto cookie = cookie_from_file_bytes(counting_bytes(0)).value();
      const auto expected = safecookie_hmac(kSafecookieControllerToServerKey, cookie, m_client_nonce, m_server_nonce);
      return line == "AUTHENTICATE " + to_hex(expected.view()) ? std::string("250 OK\r\n")
                                                               : std::string("515 Authentication failed\r\n");
    };
    return {challenge, authenticate};
  }

  std::vector<ScriptStep> login_steps() {
    std::vector<ScriptStep> steps{step("PROTOCOLINFO 1", protocolinfo_reply())};
    for (ScriptStep& s : safecookie_steps()) steps.push_back(std::move(s));
    return steps;
  }

  // Plays `script` against `body`, then closes the client; fails the test if
  // the body does not finish before the deadline.
  template <typename Body>
  void run(std::vector<ScriptStep> script, Body body, ControlClientOptions options = fast_options()) {
    asio::io_context io;
    std::remove(socket_path().c_str());  // left by an earlier run in the same test
    FakeTorControl tor(io, socket_path(), std::move(script));
    ControlClient client(io.get_executor(), m_rng, options);
    client.set_event_handler([this](const Reply& event) { m_events.emplace_back(event_name(event)); });
    bool done = false;
    asio::co_spawn(io, tor.serve(), asio::detached);
    asio::co_spawn(
        io,
        [](ControlClient& c, Body& b, bool& finished) -> asio::awaitable<void> {
          co_await b(c);
          co_await c.close();
          finished = true;
        }(client, body, done),
        asio::detached);
    io.run_for(kTestDeadline);
    EXPECT_TRUE(done) << "client did not finish: it hung";
    EXPECT_FALSE(client.is_open());
    m_tor_mismatch = tor.mismatch();
    m_tor_unexpected = tor.unexpected();
    m_tor_script_done = tor.script_done();
  }

  static ControlClientOptions fast_options() {
    ControlClientOptions options;
    options.connect_timeout = 2s;
    options.command_timeout = 2s;
    return options;
  }

  TempDir m_dir;
  SystemRandom m_rng;
  std::array<std::uint8_t, 32> m_client_nonce{};
  std::array<std::uint8_t, 32> m_server_nonce = counting_bytes(0x40);
  std::vector<std::string> m_events;
  std::string m_tor_mismatch;
  std::vector<std::string> m_tor_unexpected;
  bool m_tor_script_done = false;
};

// Connects, authenticates and returns whether both worked.
asio::awaitable<bool> login(ControlClient& client, const std::string& socket) {
  if (!co_await client.connect(socket)) co_return false;
  auto info = co_await client.protocolinfo();
  if (!info) co_return false;
  co_return (co_await client.authenticate(*info)).ok();
}

TEST_F(TorControlClientTest, FullSessionFromTranscript) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("TAKEOWNERSHIP", "250 OK\r\n"));
  script.push_back(step("RESETCONF __OwningControllerProcess", "250 OK\r\n"));
  script.push_back(step("SETEVENTS STATUS_CLIENT HS_DESC",
                        "250 OK\r\n650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY=\"Connecting to a "
                        "relay\"\r\n"));
  // Events interleaved between the lines of a multi-line reply, one unknown.
  script.push_back(step("GETINFO version status/bootstrap-phase onions/current",
                        "250-version=0.4.9.11\r\n650 HS_DESC UPLOADED " + std::string(kServiceA) +
                            " UNKNOWN $F699CE0250BA~relay1\r\n250-status/bootstrap-phase=NOTICE BOOTSTRAP "
                            "PROGRESS=100 TAG=done SUMMARY=\"Done\"\r\n250+onions/current=\r\n" +
                            std::string(kServiceA) + "\r\n.\r\n650 CIRC 5 BUILT\r\n250 OK\r\n"));
  script.push_back(step("ADD_ONION NEW:ED25519-V3 Port=80,127.0.0.1:5410",
                        "250-ServiceID=" + std::string(kServiceB) +
                            "\r\n250-PrivateKey=ED25519-V3:" + std::string(kKeyBase64) + "\r\n250 OK\r\n"));
  script.push_back(step("ADD_ONION ED25519-V3:" + std::string(kKeyBase64) + " Port=80,127.0.0.1:5410",
                        "250-ServiceID=" + std::string(kServiceB) + "\r\n250 OK\r\n"));
  script.push_back(step("DEL_ONION " + std::string(kServiceB), "250 OK\r\n"));
  script.push_back(step("SETCONF DisableNetwork=\"0\"", "250 OK\r\n"));
  script.push_back(step("SIGNAL NEWNYM", "250 OK\r\n"));

  struct Outcome {
    bool logged_in = false;
    std::vector<Status> statuses;
    std::vector<GetinfoEntry> entries;
    std::string new_id;
    std::optional<SecretArray<64>> new_key;
    std::string supplied_id;
  } out;
  const std::string socket = socket_path();
  run(std::move(script), [&out, &socket](ControlClient& client) -> asio::awaitable<void> {
    out.logged_in = co_await login(client, socket);
    out.statuses.push_back(co_await client.take_ownership());
    out.statuses.push_back(co_await client.set_events(words("STATUS_CLIENT HS_DESC")));
    auto entries = co_await client.getinfo(words("version status/bootstrap-phase onions/current"));
    if (entries) out.entries = *entries;
    AddOnionRequest fresh;
    fresh.discard_key = false;
    fresh.ports = {{80, "127.0.0.1:5410"}};
    auto added = co_await client.add_onion(fresh);
    if (added) {
      out.new_id = added->service_id;
      out.new_key = std::move(added->private_key);
    }
    if (out.new_key) {
      AddOnionRequest again;
      again.key = &*out.new_key;
      again.ports = {{80, "127.0.0.1:5410"}};
      auto readded = co_await client.add_onion(again);
      if (readded) out.supplied_id = readded->service_id;
    }
    out.statuses.push_back(co_await client.del_onion(std::string(kServiceB)));
    // Named, not a temporary inside the co_await expression: GCC 12 destroys
    // such temporaries twice.
    std::vector<ConfigSetting> settings(1);
    settings[0].key = "DisableNetwork";
    settings[0].value = "0";
    out.statuses.push_back(co_await client.setconf(std::move(settings)));
    out.statuses.push_back(co_await client.signal_newnym());
  });

  EXPECT_EQ(m_tor_mismatch, "");
  EXPECT_TRUE(out.logged_in);
  for (const Status& status : out.statuses) EXPECT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(out.statuses.size(), 5U);
  ASSERT_EQ(out.entries.size(), 3U);
  EXPECT_EQ(find_getinfo(out.entries, "version")->value, "0.4.9.11");
  EXPECT_EQ(find_getinfo(out.entries, "onions/current")->value, kServiceA);
  EXPECT_EQ(out.new_id, kServiceB);
  ASSERT_TRUE(out.new_key.has_value());
  EXPECT_EQ(out.new_key->view()[0], 9);
  EXPECT_EQ(out.supplied_id, kServiceB);
  EXPECT_EQ(m_events, (std::vector<std::string>{"STATUS_CLIENT", "HS_DESC", "CIRC"}));
  EXPECT_TRUE(m_tor_unexpected.empty());
}

TEST_F(TorControlClientTest, WrongServerHashStopsBeforeAuthenticate) {
  std::vector<ScriptStep> script{step("PROTOCOLINFO 1", protocolinfo_reply())};
  script.push_back(safecookie_steps(/*tamper=*/true)[0]);
  Status result;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    (void)co_await client.connect(socket);
    auto info = co_await client.protocolinfo();
    if (info) result = co_await client.authenticate(*info);
    EXPECT_FALSE(client.is_open());  // an impostor gets no second chance
  });
  EXPECT_EQ(code_of(result), Errc::crypto);
  EXPECT_TRUE(m_tor_unexpected.empty()) << "client sent AUTHENTICATE after a bad SERVERHASH";
}

TEST_F(TorControlClientTest, TorRefusesAuthentication) {
  std::vector<ScriptStep> script{step("PROTOCOLINFO 1", protocolinfo_reply())};
  script.push_back(safecookie_steps()[0]);
  script.push_back(step("AUTHENTICATE *", "515 Authentication failed\r\n", /*close_after=*/true));
  Status result;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    (void)co_await client.connect(socket);
    auto info = co_await client.protocolinfo();
    if (info) result = co_await client.authenticate(*info);
  });
  EXPECT_EQ(code_of(result), Errc::crypto);
}

TEST_F(TorControlClientTest, CookieFileMustBe32Bytes) {
  write_cookie(Bytes(31, 7));
  Status result;
  const std::string socket = socket_path();
  run({step("PROTOCOLINFO 1", protocolinfo_reply())}, [&](ControlClient& client) -> asio::awaitable<void> {
    (void)co_await client.connect(socket);
    auto info = co_await client.protocolinfo();
    if (info) result = co_await client.authenticate(*info);
  });
  EXPECT_EQ(code_of(result), Errc::malformed);
  EXPECT_TRUE(m_tor_unexpected.empty()) << "client sent AUTHCHALLENGE without a valid cookie";
}

TEST_F(TorControlClientTest, MissingCookieFile) {
  std::remove(cookie_path().c_str());
  Status result;
  const std::string socket = socket_path();
  run({step("PROTOCOLINFO 1", protocolinfo_reply())}, [&](ControlClient& client) -> asio::awaitable<void> {
    (void)co_await client.connect(socket);
    auto info = co_await client.protocolinfo();
    if (info) result = co_await client.authenticate(*info);
  });
  EXPECT_EQ(code_of(result), Errc::io);
}

TEST_F(TorControlClientTest, NoSafecookieOffered) {
  Status result;
  const std::string socket = socket_path();
  run({step("PROTOCOLINFO 1", "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250 OK\r\n")},
      [&](ControlClient& client) -> asio::awaitable<void> {
        (void)co_await client.connect(socket);
        auto info = co_await client.protocolinfo();
        if (info) result = co_await client.authenticate(*info);
      });
  EXPECT_EQ(code_of(result), Errc::unsupported);
}

TEST_F(TorControlClientTest, ErrorRepliesFailOnlyTheirCommand) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("DEL_ONION " + std::string(kServiceA), "552 Unknown Onion Service id\r\n"));
  script.push_back(step("GETINFO version", "551 Internal error\r\n"));
  script.push_back(step("SIGNAL NEWNYM", "250 OK\r\n"));
  std::vector<Status> results;
  Errc getinfo_code = Errc::internal;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    if (!co_await login(client, socket)) co_return;
    results.push_back(co_await client.del_onion(std::string(kServiceA)));
    getinfo_code = code_of(co_await client.getinfo(words("version")));
    results.push_back(co_await client.signal_newnym());
    EXPECT_TRUE(client.is_open());
  });
  ASSERT_EQ(results.size(), 2U);
  EXPECT_EQ(code_of(results[0]), Errc::not_found);
  EXPECT_EQ(getinfo_code, Errc::internal);
  EXPECT_TRUE(results[1].ok());
  EXPECT_TRUE(m_tor_script_done);
}

TEST_F(TorControlClientTest, EventsArriveWhileIdleAndUnknownOnesAreHarmless) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("SETEVENTS STATUS_CLIENT HS_DESC", "250 OK\r\n"));
  script.push_back(step("", "650 STATUS_CLIENT NOTICE CIRCUIT_ESTABLISHED\r\n650-FUTURE_EVENT a\r\n650 OK\r\n"));
  script.push_back(step("SIGNAL NEWNYM", "250 OK\r\n"));
  Status newnym;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    if (!co_await login(client, socket)) co_return;
    (void)co_await client.set_events(words("STATUS_CLIENT HS_DESC"));
    co_await sleep_for(100ms);
    newnym = co_await client.signal_newnym();
  });
  EXPECT_EQ(m_events, (std::vector<std::string>{"STATUS_CLIENT", "FUTURE_EVENT"}));
  EXPECT_TRUE(newnym.ok());
}

TEST_F(TorControlClientTest, OversizeLineClosesTheConnection) {
  ControlClientOptions options = fast_options();
  options.limits.max_line_bytes = 256;
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("GETINFO version", "250-version=" + std::string(300, 'x') + "\r\n250 OK\r\n"));
  Errc first = Errc::internal;
  Errc second = Errc::internal;
  const std::string socket = socket_path();
  run(
      std::move(script),
      [&](ControlClient& client) -> asio::awaitable<void> {
        if (!co_await login(client, socket)) co_return;
        first = code_of(co_await client.getinfo(words("version")));
        second = code_of(co_await client.signal_newnym());
      },
      options);
  EXPECT_EQ(first, Errc::exhausted);
  EXPECT_EQ(second, Errc::exhausted);  // the connection stays dead
  EXPECT_TRUE(m_tor_unexpected.empty());
}

TEST_F(TorControlClientTest, MalformedReplyClosesTheConnection) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("SIGNAL NEWNYM", "2x0 OK\r\n"));
  Status result;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    if (!co_await login(client, socket)) co_return;
    result = co_await client.signal_newnym();
  });
  EXPECT_EQ(code_of(result), Errc::malformed);
}

TEST_F(TorControlClientTest, ServerClosesMidReply) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("GETINFO version net/listeners/socks", "250-version=0.4.9.11\r\n", /*close_after=*/true));
  Result<std::vector<GetinfoEntry>> result = make_error(Errc::internal, "not run");
  const auto started = std::chrono::steady_clock::now();
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    if (!co_await login(client, socket)) co_return;
    result = co_await client.getinfo(words("version net/listeners/socks"));
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Errc::closed);
  EXPECT_NE(result.error().message.find("middle of a reply"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);  // no waiting for the timeout
}

TEST_F(TorControlClientTest, TruncatedLineThenClose) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("SIGNAL NEWNYM", "250 O", /*close_after=*/true));
  Status result;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    if (!co_await login(client, socket)) co_return;
    result = co_await client.signal_newnym();
  });
  EXPECT_EQ(code_of(result), Errc::closed);
}

TEST_F(TorControlClientTest, ServerClosesBetweenCommands) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("SIGNAL NEWNYM", "250 OK\r\n", /*close_after=*/true));
  Status first;
  Status second;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    if (!co_await login(client, socket)) co_return;
    first = co_await client.signal_newnym();
    co_await sleep_for(50ms);
    second = co_await client.signal_newnym();
  });
  EXPECT_TRUE(first.ok());
  EXPECT_EQ(code_of(second), Errc::closed);
}

TEST_F(TorControlClientTest, SilentTorTimesOut) {
  ControlClientOptions options = fast_options();
  options.command_timeout = 150ms;
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("SIGNAL NEWNYM", ""));  // never answered
  Status result;
  Status after;
  const auto started = std::chrono::steady_clock::now();
  const std::string socket = socket_path();
  run(
      std::move(script),
      [&](ControlClient& client) -> asio::awaitable<void> {
        if (!co_await login(client, socket)) co_return;
        result = co_await client.signal_newnym();
        after = co_await client.signal_newnym();
      },
      options);
  EXPECT_EQ(code_of(result), Errc::timeout);
  EXPECT_EQ(code_of(after), Errc::timeout);  // the connection was closed
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(TorControlClientTest, UnsolicitedReplyIsAProtocolError) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("", "250 OK\r\n"));
  Status result;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    if (!co_await login(client, socket)) co_return;
    co_await sleep_for(100ms);
    result = co_await client.signal_newnym();
  });
  EXPECT_EQ(code_of(result), Errc::malformed);
}

TEST_F(TorControlClientTest, ThrowingEventHandlerClosesTheConnection) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("", "650 STATUS_CLIENT NOTICE CIRCUIT_ESTABLISHED\r\n"));
  Status result;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    client.set_event_handler([](const Reply&) { throw std::runtime_error("handler bug"); });
    if (!co_await login(client, socket)) co_return;
    co_await sleep_for(100ms);
    result = co_await client.signal_newnym();
  });
  EXPECT_EQ(code_of(result), Errc::internal);
}

TEST_F(TorControlClientTest, OneCommandAtATime) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("SIGNAL NEWNYM", "250 OK\r\n"));
  Status first;
  Status concurrent;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    if (!co_await login(client, socket)) co_return;
    bool second_done = false;
    asio::co_spawn(
        co_await asio::this_coro::executor,
        [](ControlClient& c, Status& out, bool& done) -> asio::awaitable<void> {
          out = co_await c.signal_newnym();
          done = true;
        }(client, concurrent, second_done),
        asio::detached);
    first = co_await client.signal_newnym();
    co_await sleep_for(100ms);  // co_spawn may have run the other one first
    EXPECT_TRUE(second_done);
  });
  // Whichever ran first went through; the other was refused.
  EXPECT_NE(first.ok(), concurrent.ok());
  EXPECT_EQ(first.ok() ? code_of(concurrent) : code_of(first), Errc::invalid_argument);
}

TEST_F(TorControlClientTest, ConnectFailures) {
  asio::io_context io;
  ControlClient empty(io.get_executor(), m_rng);
  ControlClient too_long(io.get_executor(), m_rng);
  ControlClient missing(io.get_executor(), m_rng);
  ControlClient never(io.get_executor(), m_rng);
  std::vector<Errc> codes;
  bool done = false;
  const std::string absent = m_dir.file("absent");
  // Named, so its captures outlive the coroutine that uses them.
  auto body = [&]() -> asio::awaitable<void> {
    codes.push_back(code_of(co_await empty.connect("")));
    codes.push_back(code_of(co_await too_long.connect("/" + std::string(200, 'a'))));
    codes.push_back(code_of(co_await missing.connect(absent)));
    codes.push_back(code_of(co_await missing.connect(absent)));  // not twice
    codes.push_back(code_of(co_await never.signal_newnym()));    // not connected
    done = true;
  };
  asio::co_spawn(io, body(), asio::detached);
  io.run_for(kTestDeadline);
  ASSERT_TRUE(done);
  EXPECT_EQ(codes, (std::vector<Errc>{Errc::invalid_argument, Errc::invalid_argument, Errc::io, Errc::invalid_argument,
                                      Errc::closed}));
}

TEST_F(TorControlClientTest, BadArgumentsSendNothing) {
  std::vector<ScriptStep> script = login_steps();
  script.push_back(step("SIGNAL NEWNYM", "250 OK\r\n"));
  std::vector<Errc> codes;
  Status newnym;
  const std::string socket = socket_path();
  run(std::move(script), [&](ControlClient& client) -> asio::awaitable<void> {
    if (!co_await login(client, socket)) co_return;
    codes.push_back(code_of(co_await client.getinfo(words("version\r\nSIGNAL HALT"))));
    codes.push_back(code_of(co_await client.del_onion("not-an-id")));
    codes.push_back(code_of(co_await client.add_onion(AddOnionRequest{})));
    codes.push_back(code_of(co_await client.set_events(words("bad name"))));
    newnym = co_await client.signal_newnym();
  });
  EXPECT_EQ(codes, std::vector<Errc>(4, Errc::invalid_argument));
  EXPECT_TRUE(newnym.ok());
  EXPECT_TRUE(m_tor_unexpected.empty());
}

}  // namespace
}  // namespace tenebra::onion::tor
