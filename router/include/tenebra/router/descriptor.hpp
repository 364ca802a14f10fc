// Node descriptors: what a mix, provider or authority publishes about itself
// for one epoch (identity, role, layer, tunnel address, link key, Sphinx
// public keys for epoch e and e+1), self-signed with its Ed25519 identity.
//
// The encoding (docs/directory.md §3) is binary and canonical: one byte
// string per descriptor. decode_descriptor checks every bound and rejects
// unknown versions, roles and transports, malformed addresses, non-zero
// fields that must be zero and trailing bytes; it does not check the
// signature, verify_descriptor does. Pure functions, safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/router/directory_constants.hpp"
#include "tenebra/router/identity.hpp"

namespace tenebra::router::directory {

using IdentityKey = router::IdentityPublicKey;
using Signature = std::array<std::uint8_t, kSignatureBytes>;
using LinkKey = std::array<std::uint8_t, kLinkKeyBytes>;
using SphinxKey = std::array<std::uint8_t, kSphinxKeyBytes>;
using Epoch = std::uint64_t;

enum class Role : std::uint8_t { mix = 0x01, provider = 0x02, authority = 0x03 };
enum class TransportKind : std::uint8_t { onion = 0x01, i2p = 0x02, tcp = 0x03 };

const char* role_name(Role role) noexcept;
const char* transport_name(TransportKind kind) noexcept;

// One identity type for the whole router (identity.hpp).
using IdentityKeyPair = router::IdentityKeyPair;
static_assert(kIdentityKeyBytes == kIdentityPublicBytes && kIdentitySecretBytes == kIdentitySecretLength &&
              kIdentitySeedBytes == kIdentitySeedLength);

struct Descriptor {
  IdentityKey identity{};
  Role role = Role::mix;
  std::uint8_t layer = 0;  // 1..kMixLayers for a mix, 0 otherwise
  TransportKind transport = TransportKind::onion;
  std::string address;  // tunnel address, syntax fixed by `transport`
  LinkKey link_x25519{};
  Epoch epoch = 0;
  SphinxKey sphinx_current{};  // for `epoch`; zero for an authority
  SphinxKey sphinx_next{};     // for `epoch + 1`; zero for an authority
  Signature signature{};

  bool operator==(const Descriptor&) const = default;
};

// Syntax of a tunnel address for `kind` (length cap, host form, port 1..65535
// in canonical decimal).
[[nodiscard]] Status check_address(TransportKind kind, std::string_view address);
// Every field rule of §3 except the signature.
[[nodiscard]] Status check_descriptor_fields(const Descriptor& descriptor);

// The bytes the signature covers, without the domain label (§3).
Bytes descriptor_body(const Descriptor& descriptor);
// body || signature. `descriptor` must pass check_descriptor_fields.
Bytes encode_descriptor(const Descriptor& descriptor);
[[nodiscard]] Result<Descriptor> decode_descriptor(ByteView encoded);

// Sets `identity` from `key`, checks the fields and signs.
[[nodiscard]] Result<Descriptor> sign_descriptor(Descriptor descriptor, const IdentityKeyPair& key);
// The self-signature under `identity`. Errc::crypto when it fails.
[[nodiscard]] Status verify_descriptor(const Descriptor& descriptor);

}  // namespace tenebra::router::directory
