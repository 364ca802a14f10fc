// LinkChannel: a LinkSession (link_session.hpp) running over a byte stream
// from onion::Transport. It reads exactly the sizes the protocol fixes (every
// handshake message and every frame has one length), runs the handshake
// within one deadline, and seals and opens frames on the stream.
//
// Any protocol failure (a handshake that does not check out, a frame that
// fails authentication) closes the stream at once and is final: nothing is
// answered. A receive that times out keeps the bytes of a partly received
// frame for the next call, so waiting for traffic never desynchronises the
// link; a send that times out closes it (a half-written frame cannot be
// taken back).
//
// Thread-safety: one channel per link, on one executor; at most one send
// and one receive in flight at a time (full duplex).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <span>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/transport.hpp"
#include "tenebra/router/link_session.hpp"

namespace tenebra::router::link {

class LinkChannel {
 public:
  // Runs `session`'s handshake (either role) on `stream`; the whole
  // handshake must finish within `timeout`. On failure the stream is closed.
  [[nodiscard]] static boost::asio::awaitable<Result<LinkChannel>> establish(onion::Stream stream, LinkSession session,
                                                                             Random& rng,
                                                                             std::chrono::milliseconds timeout);

  LinkChannel(LinkChannel&&) noexcept = default;
  LinkChannel& operator=(LinkChannel&&) noexcept = default;
  LinkChannel(const LinkChannel&) = delete;
  LinkChannel& operator=(const LinkChannel&) = delete;

  // Each returns the sequence number the frame was sealed under.
  [[nodiscard]] boost::asio::awaitable<Result<std::uint64_t>> send_packet(ByteView packet,
                                                                          std::chrono::milliseconds timeout);
  // Seals each packet in its own frame and writes them with one write;
  // returns how many were sent (all of them), or an error that closed the
  // link (then none counts as sent).
  [[nodiscard]] boost::asio::awaitable<Result<std::size_t>> send_packets(std::span<const Bytes> packets,
                                                                         std::chrono::milliseconds timeout);
  [[nodiscard]] boost::asio::awaitable<Result<std::uint64_t>> send_padding(std::chrono::milliseconds timeout);
  [[nodiscard]] boost::asio::awaitable<Result<std::uint64_t>> send_ack(std::span<const std::uint64_t> sequences,
                                                                       std::chrono::milliseconds timeout);
  // The next frame; Errc::timeout (link still usable) when none completed in
  // time; any other error has closed the link.
  [[nodiscard]] boost::asio::awaitable<Result<Frame>> receive(std::chrono::milliseconds timeout);

  [[nodiscard]] bool open() const noexcept { return m_stream.is_open() && m_session.established(); }
  [[nodiscard]] const LinkSession& session() const noexcept { return m_session; }
  void close() noexcept;

 private:
  LinkChannel(onion::Stream stream, LinkSession session);
  [[nodiscard]] boost::asio::awaitable<Result<std::uint64_t>> send(Result<SealedFrame> sealed,
                                                                   std::chrono::milliseconds timeout);

  onion::Stream m_stream;
  LinkSession m_session;
  Bytes m_inbox;            // bytes received, up to a few frames
  std::size_t m_begin = 0;  // the next frame starts here
  std::size_t m_end = 0;    // bytes received so far end here
};

}  // namespace tenebra::router::link
