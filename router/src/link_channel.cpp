#include "tenebra/router/link_channel.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "stream_io.hpp"

namespace tenebra::router::link {
namespace {

namespace asio = boost::asio;
using stream_io::close_quietly;
using stream_io::remaining;
using SteadyClock = std::chrono::steady_clock;

// Frames one read may bring in.
constexpr std::size_t kReadFrames = 8;

// At most one more step than the protocol's three messages.
constexpr int kMaxHandshakeSteps = 4;

asio::awaitable<Result<Bytes>> read_exactly(onion::Stream& stream, std::size_t size,
                                            std::chrono::milliseconds timeout) {
  Bytes bytes(size);
  auto got = co_await onion::with_timeout(
      asio::async_read(stream, asio::buffer(bytes), asio::as_tuple(asio::use_awaitable)), timeout);
  if (!got) co_return make_error(Errc::timeout, "link: handshake timed out");
  if (std::get<0>(*got)) co_return make_error(Errc::closed, "link: peer closed during the handshake");
  co_return bytes;
}

}  // namespace

LinkChannel::LinkChannel(onion::Stream stream, LinkSession session)
    : m_stream(std::move(stream)), m_session(std::move(session)), m_inbox(m_session.frame_bytes() * kReadFrames) {}

asio::awaitable<Result<LinkChannel>> LinkChannel::establish(onion::Stream stream, LinkSession session, Random& rng,
                                                            std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  auto fail = [&stream](Error error) {
    close_quietly(stream);
    return error;
  };
  if (session.role() == LinkRole::initiator) {
    auto hello = session.start(rng);
    if (!hello) co_return fail(hello.error());
    if (auto sent = co_await stream_io::write_all(stream, *hello, remaining(deadline), "link"); !sent)
      co_return fail(sent.error());
  }
  for (int step = 0; step < kMaxHandshakeSteps && !session.established(); ++step) {
    const std::size_t expected = session.expected_handshake_bytes();
    if (expected == 0) break;
    auto message = co_await read_exactly(stream, expected, remaining(deadline));
    if (!message) co_return fail(message.error());
    auto answer = session.on_handshake(*message, rng);
    if (!answer) co_return fail(answer.error());
    if (!answer->empty()) {
      if (auto sent = co_await stream_io::write_all(stream, *answer, remaining(deadline), "link"); !sent)
        co_return fail(sent.error());
    }
  }
  if (!session.established()) co_return fail(make_error(Errc::internal, "link: handshake did not complete"));
  co_return LinkChannel(std::move(stream), std::move(session));
}

asio::awaitable<Result<std::uint64_t>> LinkChannel::send(Result<SealedFrame> sealed,
                                                         std::chrono::milliseconds timeout) {
  if (!sealed) {
    close();
    co_return sealed.error();
  }
  if (auto sent = co_await stream_io::write_all(m_stream, sealed->bytes, timeout, "link"); !sent) {
    close();  // a partly written frame cannot be taken back
    co_return sent.error();
  }
  co_return sealed->sequence;
}

asio::awaitable<Result<std::uint64_t>> LinkChannel::send_packet(ByteView packet, std::chrono::milliseconds timeout) {
  co_return co_await send(m_session.seal_packet(packet), timeout);
}
asio::awaitable<Result<std::uint64_t>> LinkChannel::send_padding(std::chrono::milliseconds timeout) {
  co_return co_await send(m_session.seal_padding(), timeout);
}
asio::awaitable<Result<std::uint64_t>> LinkChannel::send_ack(std::span<const std::uint64_t> sequences,
                                                             std::chrono::milliseconds timeout) {
  co_return co_await send(m_session.seal_ack(sequences), timeout);
}

asio::awaitable<Result<Frame>> LinkChannel::receive(std::chrono::milliseconds timeout) {
  if (!open()) co_return make_error(Errc::closed, "link is closed");
  const std::size_t frame_size = m_session.frame_bytes();
  const auto deadline = SteadyClock::now() + timeout;
  // Bounded: each turn either completes the frame, adds at least one byte,
  // or ends the call. One read may bring several frames (kept in m_inbox for
  // the next calls), which saves a system call per frame under load.
  for (std::size_t turn = 0; m_end - m_begin < frame_size && turn <= frame_size; ++turn) {
    if (m_inbox.size() - m_begin < frame_size) {
      std::memmove(m_inbox.data(), m_inbox.data() + m_begin, m_end - m_begin);
      m_end -= m_begin;
      m_begin = 0;
    }
    auto got = co_await onion::with_timeout(
        m_stream.async_read_some(asio::buffer(m_inbox.data() + m_end, m_inbox.size() - m_end),
                                 asio::as_tuple(asio::use_awaitable)),
        remaining(deadline));
    if (!got) co_return make_error(Errc::timeout, "link: no frame in time");
    if (std::get<0>(*got)) {
      close();
      co_return make_error(Errc::closed, "link: the peer closed the stream");
    }
    m_end += std::get<1>(*got);
  }
  if (m_end - m_begin < frame_size) co_return make_error(Errc::timeout, "link: no frame in time");
  auto frame = m_session.open_frame(ByteView(m_inbox.data() + m_begin, frame_size));
  m_begin += frame_size;
  if (m_begin == m_end) m_begin = m_end = 0;
  if (!frame) {
    close();  // the session has failed for good; never answer the peer
    co_return frame.error();
  }
  co_return frame;
}

asio::awaitable<Result<std::size_t>> LinkChannel::send_packets(std::span<const Bytes> packets,
                                                               std::chrono::milliseconds timeout) {
  const std::size_t frame_size = m_session.frame_bytes();
  Bytes wire;
  wire.reserve(packets.size() * frame_size);
  for (const Bytes& packet : packets) {
    auto sealed = m_session.seal_packet(packet);
    if (!sealed) {
      close();
      co_return sealed.error();
    }
    wire.insert(wire.end(), sealed->bytes.begin(), sealed->bytes.end());
  }
  // One write for the batch: a failure closes the link, and the caller
  // resends the whole batch on the next one (the peer's replay cache drops
  // whatever had arrived).
  if (auto sent = co_await stream_io::write_all(m_stream, wire, timeout, "link"); !sent) {
    close();
    co_return sent.error();
  }
  co_return packets.size();
}

void LinkChannel::close() noexcept {
  close_quietly(m_stream);
}

}  // namespace tenebra::router::link
