// The directory service over real loopback streams (onion's tcp transport):
// uploads and document fetches through an authority's server, several
// exchanges on one connection, an oversized prefix, garbage, a slow client,
// a client-side response cap, and three authorities agreeing over the wire.
#include "tenebra/router/directory_service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "co_assert.hpp"
#include "directory_vectors_fixtures.hpp"
#include "tenebra/onion/tcp_transport.hpp"

namespace tenebra::router::directory {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using testing::time_in;

constexpr Epoch kTarget = 5;
constexpr auto kIo = 2s;

AuthorityConfig config_for(std::size_t self, std::size_t n, std::size_t threshold) {
  const Topology reference = testing::make_topology(kTarget);
  std::vector<IdentityKey> keys;
  for (const auto& key : testing::authorities(n)) keys.push_back(key.public_key);
  return AuthorityConfig{
      .network_id = testing::kTestNetwork,
      .self = testing::identity(0xA0, static_cast<std::uint8_t>(self)),
      .authorities = std::move(keys),
      .threshold = threshold,
      .schedule = testing::test_schedule(),
      .geometry = reference.geometry,
      .rates = reference.rates,
      .transport = TransportKind::onion,
      .admit = {},
  };
}

std::vector<Descriptor> network_nodes() {
  const Topology t = testing::make_topology(kTarget);
  std::vector<Descriptor> all = t.providers;
  for (const auto& layer : t.layers) all.insert(all.end(), layer.begin(), layer.end());
  return all;
}

// Runs `body`; stops the loop when it finishes so detached servers end too.
void run(const std::function<asio::awaitable<void>()>& body) {
  asio::io_context io;
  bool finished = false;
  asio::co_spawn(io, body(), [&](const std::exception_ptr& error) {
    EXPECT_FALSE(error) << "exception escaped the test body";
    finished = true;
    io.stop();
  });
  io.run_for(20s);
  EXPECT_TRUE(finished) << "the test body did not finish in time";
}

// Accepts until the listener closes; serves each stream in its own coroutine.
asio::awaitable<void> accept_loop(onion::Listener& listener, DirectoryHandler& handler,
                                  std::chrono::milliseconds io_timeout) {
  auto executor = co_await asio::this_coro::executor;
  for (;;) {
    auto stream = co_await listener.accept(10s);
    if (!stream) co_return;
    asio::co_spawn(executor, serve_directory_stream(std::move(*stream), handler, io_timeout), asio::detached);
  }
}

// One authority reachable on loopback.
struct Server {
  AuthorityState state;
  ManualClock clock;
  std::unique_ptr<AuthorityHandler> handler;
  std::unique_ptr<onion::Listener> listener;
};

asio::awaitable<Result<std::unique_ptr<Server>>> start_server(onion::Transport& tcp, AuthorityConfig config,
                                                              std::chrono::milliseconds io_timeout = kIo) {
  auto state = AuthorityState::make(std::move(config));
  if (!state) co_return state.error();
  auto server = std::make_unique<Server>(Server{std::move(*state), {}, nullptr, nullptr});
  server->clock.set_wall(time_in(kTarget - 1, 10s));
  server->handler = std::make_unique<AuthorityHandler>(server->state, server->clock);
  auto listener = co_await tcp.listen(0, 1s);
  if (!listener) co_return listener.error();
  server->listener = std::move(*listener);
  asio::co_spawn(co_await asio::this_coro::executor, accept_loop(*server->listener, *server->handler, io_timeout),
                 asio::detached);
  co_return server;
}

// Lets accept loops see their closed listener before the servers they
// reference go away.
asio::awaitable<void> settle() {
  asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

onion::TcpTransport loopback(const asio::any_io_executor& executor) {
  return onion::TcpTransport(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
}

template <typename T>
bool holds(const Result<DirectoryResponse>& response) {
  return response.ok() && std::holds_alternative<T>(*response);
}

bool is_error(const Result<DirectoryResponse>& response, DirectoryErrorCode code) {
  return holds<ErrorResponse>(response) && std::get<ErrorResponse>(*response).code == code;
}

// Reads until the peer closes; true when it closed within `timeout` having
// sent nothing but `expected` bytes.
asio::awaitable<bool> closes_after(onion::Stream& stream, std::size_t expected, std::chrono::milliseconds timeout) {
  Bytes sink(expected + 1);
  auto got = co_await onion::with_timeout(
      asio::async_read(stream, asio::buffer(sink), asio::as_tuple(asio::use_awaitable)), timeout);
  if (!got) co_return false;
  co_return std::get<0>(*got) == asio::error::eof&& std::get<1>(*got) == expected;
}

TEST(DirectoryService, UploadsAndFetchesThroughTheServer) {
  run([]() -> asio::awaitable<void> {
    auto tcp = loopback(co_await asio::this_coro::executor);
    auto server = co_await start_server(tcp, config_for(0, 1, 1));
    CO_ASSERT(server.ok(), server.error().message);
    const std::string address = (*server)->listener->public_address();

    for (const auto& d : network_nodes()) {
      const DirectoryRequest upload = PutDescriptor{d};
      auto put = co_await directory_exchange(tcp, address, "node", upload, kIo);
      CO_ASSERT(holds<OkResponse>(put), "upload refused");
    }
    Descriptor forged = network_nodes()[0];
    forged.signature[1] ^= 1;
    const DirectoryRequest forged_upload = PutDescriptor{forged};
    auto refused = co_await directory_exchange(tcp, address, "node", forged_upload, kIo);
    EXPECT_TRUE(is_error(refused, DirectoryErrorCode::refused));

    auto early = co_await directory_exchange(tcp, address, "c", GetTopology{kTarget}, kIo);
    EXPECT_TRUE(is_error(early, DirectoryErrorCode::not_ready));
    auto old = co_await directory_exchange(tcp, address, "c", GetTopology{kTarget - 3}, kIo);
    EXPECT_TRUE(is_error(old, DirectoryErrorCode::not_found));

    (*server)->clock.set_wall(time_in(kTarget - 1, 45s));
    CO_ASSERT((*server)->state.tally(kTarget, (*server)->clock.wall_now()).ok(), "tally");
    auto fetched = co_await directory_exchange(tcp, address, "c", GetTopology{kTarget}, kIo);
    CO_ASSERT(holds<TopologyResponse>(fetched), "no document");
    ManualClock client_clock;
    client_clock.set_wall(time_in(kTarget));
    const auto keys = testing::authorities(1);
    EXPECT_TRUE(
        accept_topology(std::get<TopologyResponse>(*fetched).document, testing::trust_for(keys, 1), client_clock).ok());
    (*server)->listener->close();
    co_await settle();
  });
}

TEST(DirectoryService, AConnectionCarriesAtMostEightExchanges) {
  run([]() -> asio::awaitable<void> {
    auto tcp = loopback(co_await asio::this_coro::executor);
    auto server = co_await start_server(tcp, config_for(0, 1, 1));
    CO_ASSERT(server.ok(), server.error().message);
    auto stream = co_await tcp.dial((*server)->listener->public_address(), "x", kIo);
    CO_ASSERT(stream.ok(), stream.error().message);
    for (std::size_t i = 0; i < kMaxExchangesPerConnection; ++i) {
      auto answer = co_await directory_exchange_on(*stream, GetSignature{kTarget}, kIo);
      CO_ASSERT(is_error(answer, DirectoryErrorCode::not_ready), "exchange " << i);
    }
    auto ninth = co_await directory_exchange_on(*stream, GetSignature{kTarget}, kIo);
    EXPECT_FALSE(ninth.ok());
    (*server)->listener->close();
    co_await settle();
  });
}

TEST(DirectoryService, OversizedPrefixClosesWithoutAnAnswer) {
  run([]() -> asio::awaitable<void> {
    auto tcp = loopback(co_await asio::this_coro::executor);
    auto server = co_await start_server(tcp, config_for(0, 1, 1));
    CO_ASSERT(server.ok(), server.error().message);
    for (const std::uint32_t length :
         {std::uint32_t{0xFFFFFFFF}, std::uint32_t{kMaxDirectoryRequestBytes + 1}, std::uint32_t{0}}) {
      auto stream = co_await tcp.dial((*server)->listener->public_address(), "x", kIo);
      CO_ASSERT(stream.ok(), stream.error().message);
      std::array<std::uint8_t, 4> prefix{};
      store_u32_be(prefix, length);
      co_await asio::async_write(*stream, asio::buffer(prefix), asio::as_tuple(asio::use_awaitable));
      EXPECT_TRUE(co_await closes_after(*stream, 0, kIo)) << "length " << length;
    }
    (*server)->listener->close();
    co_await settle();
  });
}

TEST(DirectoryService, GarbageGetsBadRequestThenClose) {
  run([]() -> asio::awaitable<void> {
    auto tcp = loopback(co_await asio::this_coro::executor);
    auto server = co_await start_server(tcp, config_for(0, 1, 1));
    CO_ASSERT(server.ok(), server.error().message);
    auto stream = co_await tcp.dial((*server)->listener->public_address(), "x", kIo);
    CO_ASSERT(stream.ok(), stream.error().message);
    const Bytes garbage = frame_message(Bytes{0x01, 0x03, 0xDE, 0xAD}).value();
    co_await asio::async_write(*stream, asio::buffer(garbage), asio::as_tuple(asio::use_awaitable));
    Bytes answer(7);
    auto [error, count] = co_await asio::async_read(*stream, asio::buffer(answer), asio::as_tuple(asio::use_awaitable));
    CO_ASSERT(!error, error.message());
    EXPECT_EQ(to_hex(answer), "00000003018501");
    EXPECT_TRUE(co_await closes_after(*stream, 0, kIo));
    (*server)->listener->close();
    co_await settle();
  });
}

TEST(DirectoryService, SlowClientHitsTheTimeout) {
  run([]() -> asio::awaitable<void> {
    auto tcp = loopback(co_await asio::this_coro::executor);
    auto server = co_await start_server(tcp, config_for(0, 1, 1), 200ms);
    CO_ASSERT(server.ok(), server.error().message);
    auto stream = co_await tcp.dial((*server)->listener->public_address(), "x", kIo);
    CO_ASSERT(stream.ok(), stream.error().message);
    const Bytes request = frame_message(encode_request(GetVote{kTarget})).value();
    // Half a request, then silence: the server gives up after its timeout.
    co_await asio::async_write(*stream, asio::buffer(request.data(), 6), asio::as_tuple(asio::use_awaitable));
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_TRUE(co_await closes_after(*stream, 0, 3s));
    const auto waited = std::chrono::steady_clock::now() - begin;
    EXPECT_GE(waited, 150ms);
    EXPECT_LT(waited, 2s);
    // A connection that never sends anything is closed too.
    auto idle = co_await tcp.dial((*server)->listener->public_address(), "y", kIo);
    CO_ASSERT(idle.ok(), idle.error().message);
    EXPECT_TRUE(co_await closes_after(*idle, 0, 3s));
    (*server)->listener->close();
    co_await settle();
  });
}

// A fake authority that answers every request with `reply` (raw bytes).
asio::awaitable<void> scripted_authority(onion::Listener& listener, Bytes reply) {
  auto stream = co_await listener.accept(5s);
  if (!stream) co_return;
  std::array<std::uint8_t, 64> request{};
  co_await stream->async_read_some(asio::buffer(request), asio::as_tuple(asio::use_awaitable));
  co_await asio::async_write(*stream, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
  // Drain until the client closes, so closing never resets unread bytes.
  std::array<std::uint8_t, 512> drain{};
  for (int i = 0; i < 16; ++i) {
    auto got = co_await onion::with_timeout(
        stream->async_read_some(asio::buffer(drain), asio::as_tuple(asio::use_awaitable)), 2s);
    if (!got || std::get<0>(*got)) break;
  }
}

TEST(DirectoryService, ClientRefusesOversizedAndMismatchedResponses) {
  run([]() -> asio::awaitable<void> {
    auto tcp = loopback(co_await asio::this_coro::executor);
    auto listener = co_await tcp.listen(0, 1s);
    CO_ASSERT(listener.ok(), listener.error().message);
    const std::string address = (*listener)->public_address();
    std::array<std::uint8_t, 4> huge{};
    store_u32_be(huge, static_cast<std::uint32_t>(kMaxDirectoryMessageBytes + 1));
    auto oversized = co_await (scripted_authority(**listener, Bytes(huge.begin(), huge.end())) &&
                               directory_exchange(tcp, address, "t", GetTopology{1}, kIo));
    EXPECT_EQ(oversized.error().code, Errc::malformed);
    const Bytes ok = frame_message(encode_response(OkResponse{})).value();
    auto mismatched =
        co_await (scripted_authority(**listener, ok) && directory_exchange(tcp, address, "t", GetVote{1}, kIo));
    EXPECT_EQ(mismatched.error().code, Errc::malformed);
    const DirectoryRequest upload = PutDescriptor{network_nodes()[0]};
    auto fitting = co_await (scripted_authority(**listener, ok) && directory_exchange(tcp, address, "t", upload, kIo));
    EXPECT_TRUE(holds<OkResponse>(fitting));
    (*listener)->close();
    co_await settle();
  });
}

// Authority `self` fetches the other servers' votes over the wire, tallies,
// then (second pass) their signature shares.
asio::awaitable<Status> fetch_votes(onion::Transport& tcp, Server& self, const std::vector<Server*>& all) {
  for (Server* peer : all) {
    if (peer == &self) continue;
    auto answer = co_await directory_exchange(tcp, peer->listener->public_address(), "a", GetVote{kTarget}, kIo);
    if (!holds<VoteResponse>(answer)) co_return make_error(Errc::not_found, "no vote");
    if (auto added = self.state.add_peer_vote(std::get<VoteResponse>(*answer).vote, self.clock.wall_now()); !added) {
      co_return added;
    }
  }
  co_return Status{};
}

asio::awaitable<Status> fetch_signatures(onion::Transport& tcp, Server& self, const std::vector<Server*>& all) {
  for (Server* peer : all) {
    if (peer == &self) continue;
    auto answer = co_await directory_exchange(tcp, peer->listener->public_address(), "a", GetSignature{kTarget}, kIo);
    if (!holds<SignatureResponse>(answer)) co_return make_error(Errc::not_found, "no signature");
    if (auto merged = self.state.add_peer_signature(std::get<SignatureResponse>(*answer).share); !merged) {
      co_return merged;
    }
  }
  co_return Status{};
}

TEST(DirectoryService, ThreeAuthoritiesAgreeOverTheWire) {
  run([]() -> asio::awaitable<void> {
    auto tcp = loopback(co_await asio::this_coro::executor);
    std::vector<std::unique_ptr<Server>> servers;
    for (std::size_t i = 0; i < 3; ++i) {
      auto server = co_await start_server(tcp, config_for(i, 3, 2));
      CO_ASSERT(server.ok(), server.error().message);
      servers.push_back(std::move(*server));
    }
    std::vector<Server*> all;
    for (auto& s : servers) all.push_back(s.get());
    for (Server* s : all) {
      for (const auto& d : network_nodes()) {
        const DirectoryRequest upload = PutDescriptor{d};
        auto put = co_await directory_exchange(tcp, s->listener->public_address(), "n", upload, kIo);
        CO_ASSERT(holds<OkResponse>(put), "upload");
      }
      s->clock.set_wall(time_in(kTarget - 1, 31s));
    }
    for (Server* s : all) {
      auto fetched = co_await fetch_votes(tcp, *s, all);
      CO_ASSERT(fetched.ok(), fetched.error().message);
    }
    for (Server* s : all) {
      s->clock.set_wall(time_in(kTarget - 1, 46s));
      CO_ASSERT(s->state.tally(kTarget, s->clock.wall_now()).ok(), "tally");
    }
    for (Server* s : all) {
      auto merged = co_await fetch_signatures(tcp, *s, all);
      CO_ASSERT(merged.ok(), merged.error().message);
    }
    auto fetched = co_await directory_exchange(tcp, all[2]->listener->public_address(), "c", GetTopology{kTarget}, kIo);
    CO_ASSERT(holds<TopologyResponse>(fetched), "no document");
    const Topology& document = std::get<TopologyResponse>(*fetched).document;
    EXPECT_EQ(document.signatures.size(), 3u);
    EXPECT_EQ(encode_topology(document), all[0]->state.document(kTarget).value());
    ManualClock client_clock;
    client_clock.set_wall(time_in(kTarget));
    const auto keys = testing::authorities(3);
    EXPECT_TRUE(accept_topology(document, testing::trust_for(keys, 2), client_clock).ok());
    for (Server* s : all) s->listener->close();
    co_await settle();
  });
}

}  // namespace
}  // namespace tenebra::router::directory
