// Fuzzes the daemon's TOML config parser and the tor testnet line reader:
// arbitrary bytes never crash them, and every config they accept keeps the
// invariants the daemon relies on (absolute paths, one passphrase source, a
// layer exactly for mixes, a threshold the authorities can meet, addresses
// valid for the transport).
#include <cstdlib>
#include <string_view>

#include "tenebra/core/sodium.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/router/node_config.hpp"
#include "tenebra/router/topology.hpp"

using namespace tenebra;
using namespace tenebra::router;

namespace {

void check_invariants(const NodeConfig& c) {
  const bool ok =
      c.data_dir.is_absolute() && c.passphrase_file.has_value() != c.passphrase_env.has_value() &&
      (!c.passphrase_file || c.passphrase_file->is_absolute()) && directory::check_network_id(c.network_id).ok() &&
      (c.role == NodeRole::mix) == (c.layer != 0) && c.layer <= directory::kMixLayers && !c.authorities.empty() &&
      c.authorities.size() <= directory::kMaxAuthorities && c.threshold >= 1 && c.threshold <= c.authorities.size() &&
      c.grace <= c.epoch_length && (c.transport != TransportChoice::tcp || c.allow_plain_tcp) &&
      (!c.fast_kdf || c.transport == TransportChoice::tcp) &&
      (c.transport == TransportChoice::tcp || c.listen_port != 0) && c.reconnect_min <= c.reconnect_max &&
      c.rates.delay_hz > 0 && mix::sphinx::Geometry::make(c.max_hops, c.payload_bytes).ok() &&
      (!c.admit_any || c.admitted.empty());
  if (!ok) std::abort();
  for (const auto& authority : c.authorities) {
    if (!directory::check_address(transport_kind(c.transport), authority.address)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool sodium_ready = init_sodium().ok();
  if (!sodium_ready) std::abort();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = parse_node_config(text, "/etc/tenebra");
  if (config) check_invariants(*config);
  (void)parse_tor_testnet_lines(text).ok();
  return 0;
}
