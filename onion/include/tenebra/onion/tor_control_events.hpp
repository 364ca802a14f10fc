// Typed readers of the asynchronous Tor control events Tenebra subscribes
// to (control-spec §4.1): STATUS_CLIENT (bootstrap progress, §4.1.10) and
// HS_DESC (onion service descriptor progress, §4.1.25). Also the bootstrap
// phase text that GETINFO status/bootstrap-phase returns, which has the same
// shape. Unknown events and unknown fields are for the caller to ignore.
// Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tenebra/core/result.hpp"
#include "tenebra/onion/tor_control_reply.hpp"

namespace tenebra::onion::tor {

// The event's name: the first word of its first line ("STATUS_CLIENT").
// Empty for a command reply.
[[nodiscard]] std::string_view event_name(const Reply& reply) noexcept;

enum class Severity { notice, warn, err };

struct BootstrapPhase {
  Severity severity = Severity::notice;
  int progress = 0;  // 0..100
  std::string tag;
  std::string summary;
  // Set on WARN phases: why bootstrapping is stuck and what tor advises.
  std::optional<std::string> warning;
  std::optional<std::string> reason;
  std::optional<std::string> recommendation;
};

// "NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"" (the value of
// GETINFO status/bootstrap-phase, and the tail of a STATUS_CLIENT event).
[[nodiscard]] Result<BootstrapPhase> parse_bootstrap_phase(std::string_view text);

struct StatusClientEvent {
  Severity severity = Severity::notice;
  std::string action;                       // "BOOTSTRAP", "CIRCUIT_ESTABLISHED", ...
  std::optional<BootstrapPhase> bootstrap;  // set when action is BOOTSTRAP
};

[[nodiscard]] Result<StatusClientEvent> parse_status_client(const Reply& event);

enum class HsDescAction { requested, upload, received, uploaded, ignore, failed, created };

struct HsDescEvent {
  HsDescAction action = HsDescAction::requested;
  std::string address;  // service id; empty when tor said UNKNOWN
  std::string auth_type;
  std::string hs_dir;                        // "$FINGERPRINT~nick" or "UNKNOWN"
  std::optional<std::string> descriptor_id;  // positional, when present
  std::optional<std::string> reason;         // FAILED events: REASON=
};

[[nodiscard]] Result<HsDescEvent> parse_hs_desc(const Reply& event);

}  // namespace tenebra::onion::tor
