// Fuzzes the routing-command decoder: arbitrary bytes never crash it, and
// every command it accepts re-encodes to exactly the same bytes (one
// encoding per command, so nothing can hide in slack).
#include <algorithm>
#include <cstdlib>

#include "tenebra/mix/commands.hpp"

using namespace tenebra;
using namespace tenebra::mix::sphinx;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  auto decoded = decode_command(input);
  if (!decoded) return 0;
  if (size != kCommandBytes) std::abort();
  const auto encoded = encode_command(*decoded);
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
  return 0;
}
