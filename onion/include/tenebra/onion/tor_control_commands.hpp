// Tor control command lines Tenebra sends (control-spec §3), each ending in
// CRLF. Builders check every argument against the characters its place in
// the line allows, so no value can end the line early or smuggle in a second
// command; configuration values are sent as QuotedStrings.
//
// The ADD_ONION line with a supplied key carries that key: the caller wipes
// it after sending. Pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/onion/tor_control_constants.hpp"

namespace tenebra::onion::tor {

struct ConfigSetting {
  std::string key;    // [A-Za-z0-9_]+, e.g. "DisableNetwork"
  std::string value;  // any text; quoted on the wire
};

struct OnionPort {
  std::uint16_t virtual_port = 0;  // 1..65535
  std::string target;              // "127.0.0.1:5410" or "unix:/path"
};

[[nodiscard]] std::string protocolinfo_command();
[[nodiscard]] std::string takeownership_command();
// RESETCONF __OwningControllerProcess: after TAKEOWNERSHIP, tor's life is
// bound to this connection instead of a process id.
[[nodiscard]] std::string reset_owning_controller_command();
[[nodiscard]] std::string signal_newnym_command();

[[nodiscard]] Result<std::string> getinfo_command(std::span<const std::string> keys);
[[nodiscard]] Result<std::string> setconf_command(std::span<const ConfigSetting> settings);
[[nodiscard]] Result<std::string> setevents_command(std::span<const std::string> events);

// ADD_ONION with a new ED25519-V3 key (`key` null) or the given one.
// `discard_key` asks tor not to return the new key (Flags=DiscardPK); it is
// ignored with a supplied key, which tor never returns.
[[nodiscard]] Result<std::string> add_onion_command(const SecretArray<kEd25519V3SecretKeyBytes>* key, bool discard_key,
                                                    std::span<const OnionPort> ports);
[[nodiscard]] Result<std::string> del_onion_command(std::string_view service_id);
// HSFETCH (control-spec 3.26): fetch a service's descriptor from the HSDirs
// now, replacing a stale cached copy (a peer whose tor restarted publishes
// new introduction points). Only a checked v3 service id goes on the line.
[[nodiscard]] Result<std::string> hsfetch_command(std::string_view service_id);

}  // namespace tenebra::onion::tor
