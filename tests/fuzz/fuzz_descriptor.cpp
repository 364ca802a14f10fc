// Fuzzes the node descriptor decoder: arbitrary bytes never crash it, and
// every descriptor it accepts re-encodes to exactly the same bytes (one
// encoding per descriptor). Checking the signature of what decoded must not
// crash either.
#include <algorithm>
#include <cstdlib>

#include "tenebra/core/sodium.hpp"
#include "tenebra/router/descriptor.hpp"

using namespace tenebra;
using namespace tenebra::router::directory;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool sodium_ready = init_sodium().ok();
  if (!sodium_ready) std::abort();
  const ByteView input(data, size);
  auto decoded = decode_descriptor(input);
  if (!decoded) return 0;
  const Bytes encoded = encode_descriptor(*decoded);
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
  (void)verify_descriptor(*decoded).ok();
  return 0;
}
