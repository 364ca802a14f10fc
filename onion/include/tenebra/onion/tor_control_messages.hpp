// Typed readers of the Tor control replies Tenebra acts on: the success
// check every command needs, PROTOCOLINFO (§3.21), AUTHCHALLENGE (§3.24),
// ADD_ONION (§3.27) and GETINFO (§3.9), including "250+key=" data values.
// Events are in tor_control_events.hpp.
//
// Each reader checks every field it uses (lengths, alphabets, ranges) and
// ignores fields and lines it does not know, as the spec asks. Error
// messages name the problem but never quote tor's text, which can hold
// addresses. Pure functions, safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/onion/tor_control_constants.hpp"
#include "tenebra/onion/tor_control_reply.hpp"

namespace tenebra::onion::tor {

// 250 and 251 succeed. Any other status becomes an error whose code follows
// the status (552 unrecognized entity -> not_found, 515 bad authentication
// -> crypto, 451 resource exhausted -> exhausted, ...) and whose message
// names the status, not tor's free text.
[[nodiscard]] Status check_success(const Reply& reply);

enum class AuthMethod : unsigned {
  null = 1U << 0,
  hashed_password = 1U << 1,
  cookie = 1U << 2,
  safecookie = 1U << 3,
};

struct ProtocolInfo {
  unsigned auth_methods = 0;               // AuthMethod bits; unknown methods ignored
  std::optional<std::string> cookie_file;  // absolute path, when tor named one
  std::string tor_version;                 // may be empty

  bool supports(AuthMethod method) const noexcept { return (auth_methods & static_cast<unsigned>(method)) != 0; }
};

// Reply to "PROTOCOLINFO 1": needs PROTOCOLINFO 1 and an AUTH line.
[[nodiscard]] Result<ProtocolInfo> parse_protocolinfo(const Reply& reply);

struct AuthChallenge {
  std::array<std::uint8_t, kSafecookieHashBytes> server_hash{};
  std::array<std::uint8_t, kSafecookieNonceBytes> server_nonce{};
};

// Reply to "AUTHCHALLENGE SAFECOOKIE <nonce>": both values exactly 32 bytes
// of hex.
[[nodiscard]] Result<AuthChallenge> parse_authchallenge(const Reply& reply);

struct AddOnionResult {
  std::string service_id;  // checked with is_valid_service_id
  // Present when tor generated the key and was not told to discard it.
  std::optional<SecretArray<kEd25519V3SecretKeyBytes>> private_key;
};

// Reply to ADD_ONION: ServiceID= is required; PrivateKey=, when present,
// must be ED25519-V3 and decode to exactly 64 bytes.
[[nodiscard]] Result<AddOnionResult> parse_add_onion(const Reply& reply);

struct GetinfoEntry {
  std::string key;
  // The value after '='; for a "250+key=" data value, the data block without
  // its final newline.
  std::string value;
};

// Reply to GETINFO: every line but the final "OK" must be key=value; keys
// may not repeat.
[[nodiscard]] Result<std::vector<GetinfoEntry>> parse_getinfo(const Reply& reply);
// The entry for `key`, or nullptr.
[[nodiscard]] const GetinfoEntry* find_getinfo(const std::vector<GetinfoEntry>& entries, std::string_view key) noexcept;

}  // namespace tenebra::onion::tor
