#include "tenebra/router/directory_service.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "stream_io.hpp"

namespace tenebra::router::directory {
namespace {

namespace asio = boost::asio;
using stream_io::close_quietly;
using stream_io::remaining;
using SteadyClock = std::chrono::steady_clock;

asio::awaitable<Status> read_exactly(onion::Stream& stream, MutableByteView into, std::chrono::milliseconds timeout) {
  auto got = co_await onion::with_timeout(
      asio::async_read(stream, asio::buffer(into.data(), into.size()), asio::as_tuple(asio::use_awaitable)), timeout);
  if (!got) co_return make_error(Errc::timeout, "directory: read timed out");
  if (std::get<0>(*got)) co_return make_error(Errc::closed, "directory: the peer closed the stream");
  co_return Status{};
}

// One length-prefixed body of at most `cap` bytes: the prefix is checked
// before the body is allocated.
asio::awaitable<Result<Bytes>> read_message(onion::Stream& stream, std::size_t cap, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  std::array<std::uint8_t, kMessageLengthBytes> prefix{};
  if (auto got = co_await read_exactly(stream, prefix, timeout); !got) co_return got.error();
  auto length = parse_length_prefix(prefix, cap);
  if (!length) co_return length.error();
  Bytes body(*length);
  if (auto got = co_await read_exactly(stream, body, remaining(deadline)); !got) co_return got.error();
  co_return body;
}

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

ErrorResponse AuthorityHandler::missing(Epoch epoch) const {
  auto current = m_state.config().schedule.epoch_at(m_clock.wall_now());
  if (current && epoch < *current) return ErrorResponse{DirectoryErrorCode::not_found};
  return ErrorResponse{DirectoryErrorCode::not_ready};
}

DirectoryResponse AuthorityHandler::handle(const DirectoryRequest& request) {
  const WallTime now = m_clock.wall_now();
  return std::visit(Overloaded{
                        [&](const PutDescriptor& put) -> DirectoryResponse {
                          if (m_state.add_descriptor(put.descriptor, now)) return OkResponse{};
                          return ErrorResponse{DirectoryErrorCode::refused};
                        },
                        [&](const GetTopology& get) -> DirectoryResponse {
                          auto encoded = m_state.document(get.epoch);
                          if (!encoded) return missing(get.epoch);
                          auto document = decode_topology(*encoded);
                          if (!document) return ErrorResponse{DirectoryErrorCode::not_ready};
                          return TopologyResponse{std::move(*document)};
                        },
                        [&](const GetVote& get) -> DirectoryResponse {
                          auto encoded = m_state.vote(get.epoch, now);
                          if (!encoded) return missing(get.epoch);
                          auto vote = decode_vote(*encoded);
                          if (!vote) return ErrorResponse{DirectoryErrorCode::not_ready};
                          return VoteResponse{std::move(*vote)};
                        },
                        [&](const GetSignature& get) -> DirectoryResponse {
                          auto share = m_state.own_signature(get.epoch);
                          if (!share) return missing(get.epoch);
                          return SignatureResponse{*share};
                        },
                    },
                    request);
}

asio::awaitable<void> serve_directory_stream(onion::Stream stream, DirectoryHandler& handler,
                                             std::chrono::milliseconds io_timeout) {
  for (std::size_t exchange = 0; exchange < kMaxExchangesPerConnection; ++exchange) {
    auto body = co_await read_message(stream, kMaxDirectoryRequestBytes, io_timeout);
    if (!body) break;  // closed, slow, or an oversized prefix: nothing is answered
    auto request = decode_request(*body);
    const DirectoryResponse response =
        request ? handler.handle(*request) : DirectoryResponse(ErrorResponse{DirectoryErrorCode::bad_request});
    auto framed = frame_message(encode_response(response));
    if (!framed) break;
    if (auto sent = co_await stream_io::write_all(stream, *framed, io_timeout, "directory"); !sent) break;
    if (!request) break;
  }
  close_quietly(stream);
}

asio::awaitable<Result<DirectoryResponse>> directory_exchange_on(onion::Stream& stream, const DirectoryRequest& request,
                                                                 std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  auto framed = frame_message(encode_request(request));
  if (!framed) co_return framed.error();
  if (auto sent = co_await stream_io::write_all(stream, *framed, timeout, "directory"); !sent) co_return sent.error();
  auto body = co_await read_message(stream, kMaxDirectoryMessageBytes, remaining(deadline));
  if (!body) co_return body.error();
  auto response = decode_response(*body);
  if (!response) co_return response.error();
  if (!response_fits(request, *response)) {
    co_return make_error(Errc::malformed, "directory: the authority answered with the wrong kind of response");
  }
  co_return response;
}

asio::awaitable<Result<DirectoryResponse>> directory_exchange(onion::Transport& transport, std::string address,
                                                              std::string isolation_token,
                                                              const DirectoryRequest& request,
                                                              std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  auto stream = co_await transport.dial(std::move(address), std::move(isolation_token), timeout);
  if (!stream) co_return stream.error();
  auto response = co_await directory_exchange_on(*stream, request, remaining(deadline));
  close_quietly(*stream);
  co_return response;
}

}  // namespace tenebra::router::directory
