// Fuzzes the directory protocol decoders (requests, responses, votes) on the
// same arbitrary bytes: nothing crashes, and whatever one of them accepts
// re-encodes to exactly the input (one encoding per message). Verifying an
// accepted vote must not crash either.
#include <algorithm>
#include <array>
#include <cstdlib>

#include "tenebra/core/sodium.hpp"
#include "tenebra/router/directory_protocol.hpp"

using namespace tenebra;
using namespace tenebra::router::directory;

namespace {

void require_same(const Bytes& encoded, ByteView input) {
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool sodium_ready = init_sodium().ok();
  if (!sodium_ready) std::abort();
  const ByteView input(data, size);
  if (auto request = decode_request(input)) require_same(encode_request(*request), input);
  if (auto response = decode_response(input)) require_same(encode_response(*response), input);
  if (auto vote = decode_vote(input)) {
    require_same(encode_vote(*vote), input);
    (void)verify_vote(*vote).ok();
  }
  std::array<std::uint8_t, kMessageLengthBytes> prefix{};
  std::copy_n(input.begin(), std::min(input.size(), prefix.size()), prefix.begin());
  (void)parse_length_prefix(prefix, kMaxDirectoryMessageBytes).ok();
  return 0;
}
