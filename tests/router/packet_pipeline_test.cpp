// PacketPipeline in the mix role, with real Sphinx packets: fed through
// on_packet, held for their sender-chosen delay on a real timer
// (SystemClock), then forwarded over PeerLinks to a sink LinkAcceptor that
// peels the last layer. Replays are dropped before forwarding, the mix's
// own loop cover comes back counted, cover goes straight out, and packets
// for a next hop without a link are dropped and counted.
#include "tenebra/router/packet_pipeline.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>

#include "co_assert.hpp"
#include "runtime_test_util.hpp"
#include "tenebra/mix/sphinx.hpp"

namespace tenebra::router {
namespace {

using link::testing::identity_from_byte;
using runtime_testing::accept_only;
using runtime_testing::poll_until;
using runtime_testing::run_io;
namespace asio = boost::asio;
namespace sphinx = mix::sphinx;
using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr sphinx::Delay kMixDelay{50};

sphinx::MailboxId mailbox_of(std::uint8_t fill) {
  sphinx::MailboxId id{};
  id.fill(fill);
  return id;
}

// What reached the sink, peeled with the sink's Sphinx key.
struct Arrival {
  std::optional<sphinx::MailboxId> mailbox;  // nullopt: the packet did not peel to a delivery
  LinkPeer from;
  SteadyTime at;
};

class PacketPipelineTest : public ::testing::Test {
 protected:
  mix::MixNodeConfig mix_config() {
    mix::MixNodeConfig config;
    config.role = mix::NodeRole::mix;
    config.replay = mix::ReplayCacheConfig{.capacity = 1000, .false_positive_rate = 1e-6};
    config.loop_mailbox = mailbox_of(0x77);
    return config;
  }

  Bytes build(std::span<const sphinx::PathHop> path, std::uint8_t payload_fill) {
    const Bytes payload(m_geometry.payload_bytes(), payload_fill);
    auto packet = sphinx::create_packet(m_geometry, path, payload, m_rng);
    EXPECT_TRUE(packet.ok());
    return packet.ok() ? std::move(*packet) : Bytes{};
  }

  // [this mix: relay to `next` after `delay`] -> [the sink: deliver to `mailbox`].
  Bytes through_mix(const IdentityPublicKey& next, sphinx::Delay delay, std::uint8_t mailbox) {
    const std::array<sphinx::PathHop, 2> path{
        sphinx::PathHop{m_mix_key_public, sphinx::RelayCommand{next, delay}},
        sphinx::PathHop{m_sink_key.public_key, sphinx::DeliverCommand{mailbox_of(mailbox)}}};
    return build(path, mailbox);
  }

  // One hop: `key`'s node delivers to `mailbox`.
  Bytes deliver_at(const sphinx::PublicKey& key, std::uint8_t mailbox) {
    const sphinx::PathHop hop{key, sphinx::DeliverCommand{mailbox_of(mailbox)}};
    return build(std::span(&hop, 1), mailbox);
  }

  PacketHandler sink_handler() {
    return [this](ByteView packet, const LinkPeer& from) {
      auto peeled = sphinx::unwrap(m_geometry, m_sink_key, packet);
      std::optional<sphinx::MailboxId> mailbox;
      if (const auto* deliver = std::get_if<sphinx::Deliver>(&peeled.action)) mailbox = deliver->mailbox;
      m_arrivals.push_back({mailbox, from, std::chrono::steady_clock::now()});
      return false;
    };
  }

  asio::awaitable<void> exercise(PacketPipeline& pipeline, PeerLinks& links, LinkAcceptor& sink);

  DeterministicRandom m_rng{17};
  sphinx::Geometry m_geometry = sphinx::Geometry::default_geometry();
  link::LinkConfig m_link = runtime_testing::test_link_config();
  IdentityKeyPair m_mix = identity_from_byte(1);
  IdentityKeyPair m_sink = identity_from_byte(2);
  IdentityKeyPair m_nowhere = identity_from_byte(3);  // a next hop without a link
  sphinx::NodeKeyPair m_mix_key = sphinx::NodeKeyPair::generate(m_rng);
  sphinx::PublicKey m_mix_key_public = m_mix_key.public_key;
  sphinx::NodeKeyPair m_sink_key = sphinx::NodeKeyPair::generate(m_rng);
  std::vector<Arrival> m_arrivals;
};

asio::awaitable<void> PacketPipelineTest::exercise(PacketPipeline& pipeline, PeerLinks& links, LinkAcceptor& sink) {
  const LinkPeer from_client;
  // Three packets held for 50 ms each, then forwarded in the order fed.
  std::vector<Bytes> packets;
  for (std::uint8_t mailbox = 1; mailbox <= 3; ++mailbox) {
    packets.push_back(through_mix(m_sink.public_key, kMixDelay, mailbox));
  }
  std::vector<SteadyTime> fed;
  for (const auto& packet : packets) {
    fed.push_back(std::chrono::steady_clock::now());
    EXPECT_FALSE(pipeline.on_packet(packet, from_client)) << "a mix holds packets in memory: no ack";
  }
  EXPECT_EQ(pipeline.node().queued(), 3U);
  // The same packet again, while the first copy is still held.
  EXPECT_FALSE(pipeline.on_packet(packets[0], from_client));
  EXPECT_EQ(pipeline.node().dropped(mix::MixDrop::replay), 1U);
  EXPECT_EQ(pipeline.node().queued(), 3U);

  CO_ASSERT(co_await poll_until([&] { return m_arrivals.size() >= 3; }), "the held packets arrive");
  for (std::size_t i = 0; i < 3; ++i) {
    CO_ASSERT(m_arrivals[i].mailbox.has_value(), "peels to a delivery at the sink");
    EXPECT_EQ(*m_arrivals[i].mailbox, mailbox_of(static_cast<std::uint8_t>(i + 1)));
    EXPECT_GE(m_arrivals[i].at - fed[i], std::chrono::milliseconds(kMixDelay)) << "released before its delay";
    CO_ASSERT(m_arrivals[i].from.has_value(), "the mix's link is identified");
    EXPECT_EQ(*m_arrivals[i].from, m_mix.public_key);
  }
  EXPECT_EQ(pipeline.counters().forwarded, 3U);
  EXPECT_EQ(pipeline.node().queued(), 0U);
  // Counted when the write completes, which may trail the sink's read.
  EXPECT_TRUE(co_await poll_until([&] { return links.counters().sent >= 3; }));
  EXPECT_EQ(links.counters().sent, 3U);  // the replay never went out
  EXPECT_EQ(sink.counters().packets, 3U);

  // The mix's own loop cover, back at its loop mailbox; a delivery to any
  // other mailbox is not for a mix.
  EXPECT_FALSE(pipeline.on_packet(deliver_at(m_mix_key_public, 0x77), from_client));
  EXPECT_EQ(pipeline.counters().loops_returned, 1U);
  EXPECT_FALSE(pipeline.on_packet(deliver_at(m_mix_key_public, 0x78), from_client));
  EXPECT_EQ(pipeline.node().dropped(mix::MixDrop::not_for_role), 1U);
  EXPECT_EQ(pipeline.counters().loops_returned, 1U);

  // Cover goes straight to its first hop's link, or is dropped and counted.
  pipeline.send_cover(m_sink.public_key, deliver_at(m_sink_key.public_key, 0x09));
  pipeline.send_cover(m_nowhere.public_key, deliver_at(m_sink_key.public_key, 0x0a));
  EXPECT_EQ(pipeline.counters().loops_sent, 1U);
  EXPECT_EQ(pipeline.counters().forward_dropped, 1U);
  CO_ASSERT(co_await poll_until([&] { return m_arrivals.size() >= 4; }), "the cover arrives");
  EXPECT_EQ(m_arrivals[3].mailbox, mailbox_of(0x09));

  // A forward to a node without a link is dropped when it is released.
  EXPECT_FALSE(pipeline.on_packet(through_mix(m_nowhere.public_key, sphinx::Delay(10), 0x0b), from_client));
  CO_ASSERT(co_await poll_until([&] { return pipeline.counters().forward_dropped >= 2; }), "dropped on release");
  EXPECT_EQ(pipeline.counters().forwarded, 3U);
  EXPECT_EQ(links.counters().unknown_peer, 2U);
  EXPECT_EQ(m_arrivals.size(), 4U);
}

TEST_F(PacketPipelineTest, MixHoldsForwardsDropsReplaysAndCountsLoops) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto listener = onion::LoopbackListener::open(executor, 0);
    CO_ASSERT(listener.ok(), listener.error().message);
    LinkAcceptorConfig sink_config;
    sink_config.link = m_link;
    sink_config.self = &m_sink;
    LinkAcceptor sink(executor, sink_config, accept_only(m_mix.public_key), sink_handler(), m_rng);
    sink.start(**listener);

    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    PeerLinksConfig links_config;
    links_config.link = m_link;
    links_config.self = &m_mix;
    links_config.reconnect = onion::BackoffPolicy{10ms, 40ms};
    PeerLinks links(executor, tcp, links_config, m_rng);
    links.set_peers({PeerAddress{m_sink.public_key, (*listener)->public_address()}});

    SystemClock clock;
    PacketPipeline pipeline(executor, clock, m_rng, mix_config(), links, nullptr);
    pipeline.rotate(std::move(m_mix_key), std::nullopt);
    bool run_ended = false;
    asio::co_spawn(executor, pipeline.run(), [&](const std::exception_ptr& error) {
      EXPECT_FALSE(error) << "exception escaped the release loop";
      run_ended = true;
    });

    co_await exercise(pipeline, links, sink);

    pipeline.stop();
    EXPECT_TRUE(co_await poll_until([&] { return run_ended; })) << "run() ends after stop()";
    co_await links.stop(2s);
    co_await sink.stop(2s);
    EXPECT_EQ(sink.counters().links_accepted, 1U);
  });
}

// stop() before the release loop ever ran, and with packets still held:
// the loop ends at once and nothing is forwarded afterwards.
TEST_F(PacketPipelineTest, StopEndsTheReleaseLoopWithPacketsStillHeld) {
  run_io([this]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    onion::TcpTransport tcp(executor, onion::TcpTransportOptions{.allow_plain_tcp = true});
    PeerLinksConfig links_config;
    links_config.link = m_link;
    links_config.self = &m_mix;
    PeerLinks links(executor, tcp, links_config, m_rng);
    SystemClock clock;
    PacketPipeline pipeline(executor, clock, m_rng, mix_config(), links, nullptr);
    pipeline.rotate(std::move(m_mix_key), std::nullopt);
    bool run_ended = false;
    asio::co_spawn(executor, pipeline.run(), [&](const std::exception_ptr& /*error*/) { run_ended = true; });
    EXPECT_FALSE(pipeline.on_packet(through_mix(m_sink.public_key, sphinx::Delay(5'000), 1), LinkPeer{}));
    EXPECT_TRUE(co_await poll_until([&] { return pipeline.node().next_release().has_value(); }));
    co_await runtime_testing::pause(20ms);  // the loop is now waiting for the held packet
    pipeline.stop();
    EXPECT_TRUE(co_await poll_until([&] { return run_ended; }));
    EXPECT_EQ(pipeline.node().queued(), 1U);
    EXPECT_EQ(pipeline.counters().forwarded + pipeline.counters().forward_dropped, 0U);
    co_await links.stop(1s);
  });
}

}  // namespace
}  // namespace tenebra::router
