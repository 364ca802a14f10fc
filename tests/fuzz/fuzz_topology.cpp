// Fuzzes the topology document decoder: arbitrary bytes never crash it, and
// every document it accepts re-encodes to exactly the same bytes. Accepting
// the document under a fixed trust config must not crash either.
#include <algorithm>
#include <cstdlib>

#include "tenebra/core/sodium.hpp"
#include "tenebra/router/topology.hpp"
#include "tenebra/router/topology_accept.hpp"

using namespace tenebra;
using namespace tenebra::router::directory;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool sodium_ready = init_sodium().ok();
  if (!sodium_ready) std::abort();
  const ByteView input(data, size);
  auto decoded = decode_topology(input);
  if (!decoded) return 0;
  const Bytes encoded = encode_topology(*decoded);
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();

  // Trust whatever the document claims, so acceptance runs as deep as it can.
  auto schedule = EpochSchedule::make(UnixSeconds{}, decoded->epoch_length);
  if (!schedule) return 0;
  TrustConfig trust{decoded->network_id, {}, 1, *schedule};
  for (const auto& s : decoded->signatures) trust.authorities.push_back(s.signer);
  if (trust.authorities.empty()) trust.authorities.push_back(IdentityKey{1});
  ManualClock clock;
  clock.set_wall(decoded->epoch_start);
  (void)accept_topology(input, trust, clock).ok();
  return 0;
}
