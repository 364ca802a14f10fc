// The directory protocol over a Transport stream (docs/directory.md §9.1):
// the authority side serves one accepted stream (up to
// kMaxExchangesPerConnection request/response exchanges, then it closes),
// and the client side dials an authority, sends one request and reads one
// size-capped response.
//
// The server reads a request only after its length prefix passed the
// request cap (an oversized or zero prefix closes the stream at once,
// nothing is allocated or answered); a request that does not decode gets
// ERROR bad_request and the stream closes. Each message must arrive within
// the I/O timeout, and the next request must start within it too. Nothing
// throws: every failure is a Result or a closed stream.
//
// AuthorityHandler plugs an AuthorityState and a clock into the server.
// Thread-safety: a stream, its handler and the AuthorityState belong to one
// executor; run the coroutines there.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "tenebra/core/clock.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/transport.hpp"
#include "tenebra/router/authority.hpp"
#include "tenebra/router/directory_protocol.hpp"

namespace tenebra::router::directory {

// Answers decoded requests. Called on the server's executor, one request at
// a time per stream; it must not block for long.
class DirectoryHandler {
 public:
  virtual ~DirectoryHandler() = default;
  virtual DirectoryResponse handle(const DirectoryRequest& request) = 0;
};

// An authority's answers: PUT_DESCRIPTOR → add_descriptor (OK or ERROR
// refused), GET_VOTE → vote, GET_SIGNATURE → own_signature, GET_TOPOLOGY →
// document; a missing vote, share or document is ERROR not_ready for the
// current and later epochs and ERROR not_found for older ones. It never runs
// the tally: the authority's own schedule does (§10).
class AuthorityHandler final : public DirectoryHandler {
 public:
  AuthorityHandler(AuthorityState& state, const Clock& clock) : m_state(state), m_clock(clock) {}
  DirectoryResponse handle(const DirectoryRequest& request) override;

 private:
  [[nodiscard]] ErrorResponse missing(Epoch epoch) const;

  AuthorityState& m_state;
  const Clock& m_clock;
};

// Serves `stream` until the peer closes it, a message misses `io_timeout`,
// a request is bad, or kMaxExchangesPerConnection exchanges are done; then
// closes it.
boost::asio::awaitable<void> serve_directory_stream(onion::Stream stream, DirectoryHandler& handler,
                                                    std::chrono::milliseconds io_timeout);

// Dials `address` through `transport` (with the caller's isolation token),
// sends `request`, reads one response (at most kMaxDirectoryMessageBytes)
// and closes, all within `timeout`. Pass `request` as a named object that
// outlives the co_await: GCC 12 destroys a temporary with a non-trivial
// destructor twice when it sits in a co_await expression. An ERROR answer is a successful result;
// a response of the wrong kind for the request is Errc::malformed.
[[nodiscard]] boost::asio::awaitable<Result<DirectoryResponse>> directory_exchange(onion::Transport& transport,
                                                                                   std::string address,
                                                                                   std::string isolation_token,
                                                                                   const DirectoryRequest& request,
                                                                                   std::chrono::milliseconds timeout);

// The same exchange on a stream the caller opened (it stays open).
[[nodiscard]] boost::asio::awaitable<Result<DirectoryResponse>> directory_exchange_on(
    onion::Stream& stream, const DirectoryRequest& request, std::chrono::milliseconds timeout);

}  // namespace tenebra::router::directory
