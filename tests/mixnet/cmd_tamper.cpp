// tamper: a frame with one flipped bit makes the provider close the link
// without a word, and count the frame as bad_auth.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "commands.hpp"
#include "tenebra/router/link_session.hpp"
#include "tenebra/router/provider_protocol.hpp"

namespace tenebra::mixnet_probe {
namespace {

namespace asio = boost::asio;
namespace link = router::link;

const CounterPath kBadAuth{"links_in", "frame_drops", "bad_auth"};

asio::awaitable<Status> write_all(const ProbeContext& ctx, onion::Stream& stream, ByteView bytes) {
  auto written = co_await onion::with_timeout(
      asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), asio::as_tuple(asio::use_awaitable)),
      ctx.timeout);
  if (!written) co_return make_error(Errc::timeout, "write timed out");
  if (std::get<0>(*written)) co_return make_error(Errc::io, "write failed: " + std::get<0>(*written).message());
  co_return Status{};
}

asio::awaitable<Result<Bytes>> read_exactly(const ProbeContext& ctx, onion::Stream& stream, std::size_t size) {
  Bytes bytes(size);
  auto got = co_await onion::with_timeout(
      asio::async_read(stream, asio::buffer(bytes), asio::as_tuple(asio::use_awaitable)), ctx.timeout);
  if (!got) co_return make_error(Errc::timeout, "read timed out");
  if (std::get<0>(*got)) co_return make_error(Errc::closed, "read failed: " + std::get<0>(*got).message());
  co_return bytes;
}

// The initiator's side of the handshake, step by step on the raw stream.
asio::awaitable<Status> handshake(const ProbeContext& ctx, onion::Stream& stream, link::LinkSession& session) {
  auto hello = session.start(ctx.rng);
  if (!hello) co_return std::move(hello).error();
  if (auto sent = co_await write_all(ctx, stream, *hello); !sent) co_return sent;
  auto response = co_await read_exactly(ctx, stream, session.expected_handshake_bytes());
  if (!response) co_return std::move(response).error();
  auto confirm = session.on_handshake(*response, ctx.rng);
  if (!confirm) co_return std::move(confirm).error();
  if (auto sent = co_await write_all(ctx, stream, *confirm); !sent) co_return sent;
  if (!session.established()) co_return make_error(Errc::internal, "the handshake did not complete");
  co_return Status{};
}

// Ok when the peer closes the stream before sending a single byte.
asio::awaitable<Result<std::string>> expect_silent_close(const ProbeContext& ctx, onion::Stream& stream) {
  std::array<std::uint8_t, 256> buffer{};
  auto got = co_await onion::with_timeout(
      stream.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable)), ctx.timeout);
  if (!got) co_return make_error(Errc::timeout, "the provider kept the link open");
  const auto& [error, size] = *got;
  if (!error) co_return make_error(Errc::malformed, "the provider sent " + std::to_string(size) + " bytes");
  if (error == asio::error::eof) co_return std::string("end of stream");
  if (error == asio::error::connection_reset) co_return std::string("connection reset");
  co_return make_error(Errc::io, "reading: " + error.message());
}

}  // namespace

asio::awaitable<Verdict> run_tamper(const ProbeContext& ctx) {
  auto topology = co_await fetch_current_topology(ctx);
  if (!topology) co_return ctx.report.fail(topology.error().message);
  const auto& target = pick_entry(*topology, directory::IdentityKey{}, ctx.rng);
  const NetNode* node = ctx.net.find(target.identity);
  if (node == nullptr) co_return ctx.report.fail("the provider is not in the net file");
  auto bad_before = read_status_counter(node->data_dir, kBadAuth);
  if (!bad_before) co_return ctx.report.fail(bad_before.error().message);
  ctx.report.step("provider " + node->name + ": " + counter_name(kBadAuth) + " = " + std::to_string(*bad_before));

  auto stream = co_await dial_peer(ctx, target.address, ctx.timeout);
  if (!stream) co_return ctx.report.fail("dialling: " + stream.error().message);
  auto session = link::LinkSession::initiator(link_config(*topology), target.identity, /*self=*/nullptr);
  if (auto done = co_await handshake(ctx, *stream, session); !done) {
    co_return ctx.report.fail("handshake: " + done.error().message);
  }
  ctx.report.step("anonymous link established");

  // The valid frame carries a real STORE: its arrival shows the frame
  // before the tampered one was taken.
  const auto mailbox = random_array<32>(ctx.rng);
  auto host = hosting_provider(ctx, *topology, mailbox);
  if (!host) co_return ctx.report.fail(host.error().message);
  const Marker marker = random_array<32>(ctx.rng);
  auto payload = router::provider::make_store_payload(topology->geometry, marker);
  if (!payload) co_return ctx.report.fail(payload.error().message);
  auto packet =
      build_packet(*topology, target, host->descriptor, mix::sphinx::DeliverCommand{mailbox}, *payload, ctx.rng);
  if (!packet) co_return ctx.report.fail(packet.error().message);
  auto valid = session.seal_packet(*packet);
  auto tampered = session.seal_packet(*packet);
  if (!valid || !tampered) co_return ctx.report.fail("sealing frames failed");
  tampered->bytes[tampered->bytes.size() / 2] ^= 0x01;
  if (auto sent = co_await write_all(ctx, *stream, valid->bytes); !sent) {
    co_return ctx.report.fail("sending the valid frame: " + sent.error().message);
  }
  if (auto sent = co_await write_all(ctx, *stream, tampered->bytes); !sent) {
    co_return ctx.report.fail("sending the tampered frame: " + sent.error().message);
  }
  ctx.report.step("sent one valid frame and one with a flipped bit");

  auto closed = co_await expect_silent_close(ctx, *stream);
  if (!closed) co_return ctx.report.fail(closed.error().message);
  ctx.report.step("the provider closed the link without a word (" + *closed + ")");

  auto stores = open_stores(ctx, {host->node}, topology->geometry);
  if (!stores) co_return ctx.report.fail(stores.error().message);
  const std::vector<Marker> markers{marker};
  auto arrived = co_await wait_for_markers(ctx, *stores, mailbox, markers);
  if (!arrived) co_return ctx.report.fail("reading the store: " + arrived.error().message);
  if (!arrived->exact(1)) co_return ctx.report.fail("the valid frame's packet: " + describe(*arrived, 1));
  ctx.report.step("the valid frame's packet arrived at " + host->node->name);

  auto bad_after = co_await wait_for_counter(ctx, node->data_dir, kBadAuth, *bad_before + 1);
  if (!bad_after) co_return ctx.report.fail(bad_after.error().message);
  ctx.report.result(counter_name(kBadAuth) + " " + std::to_string(*bad_before) + " -> " + std::to_string(*bad_after));
  if (*bad_after != *bad_before + 1) co_return ctx.report.fail("bad_auth did not grow by exactly 1");
  ctx.report.step("PASS");
  co_return Verdict::pass;
}

}  // namespace tenebra::mixnet_probe
