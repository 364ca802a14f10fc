// Directory wire constants: node descriptors, the per-epoch topology document
// and its authority signatures, epochs and provider selection, as Tenebra
// encodes them. docs/directory.md is the spec; every size and cap of the
// codecs in descriptor.hpp and topology.hpp comes from here.
// Thread-safety: constants only.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tenebra/mix/sphinx_constants.hpp"

namespace tenebra::router::directory {

inline constexpr std::uint8_t kDescriptorVersion = 0x01;  // first byte of every descriptor
inline constexpr std::uint8_t kTopologyVersion = 0x01;    // first byte of every topology document

inline constexpr std::size_t kIdentityKeyBytes = 32;  // Ed25519 public key
inline constexpr std::size_t kIdentitySeedBytes = 32;
inline constexpr std::size_t kIdentitySecretBytes = 64;  // libsodium's Ed25519 secret key (seed || public)
inline constexpr std::size_t kSignatureBytes = 64;       // Ed25519
inline constexpr std::size_t kLinkKeyBytes = 32;         // X25519 public key for the link layer (zero: none)
inline constexpr std::size_t kSphinxKeyBytes = mix::sphinx::kGroupElementBytes;
inline constexpr std::size_t kMailboxIdBytes = mix::sphinx::kMailboxIdBytes;
inline constexpr std::size_t kSelectionScoreBytes = 32;

// Tunnel addresses: "<56 base32>.onion:<port>", "<52 base32>.b32.i2p:<port>"
// or "127.0.0.1:<port>". The longest legal one has 68 bytes.
inline constexpr std::size_t kMaxAddressBytes = 72;
inline constexpr std::size_t kOnionServiceIdChars = 56;
inline constexpr std::size_t kI2pB32Chars = 52;
inline constexpr std::string_view kOnionSuffix = ".onion";
inline constexpr std::string_view kI2pSuffix = ".b32.i2p";
inline constexpr std::string_view kTcpHost = "127.0.0.1";

// Network ids: 1..32 bytes of [a-z0-9-].
inline constexpr std::size_t kMaxNetworkIdBytes = 32;

// Mix layers and the hops of a full path: entry provider, one mix per layer,
// final provider. A network's Sphinx geometry must allow at least that many.
inline constexpr std::uint8_t kMixLayers = 3;
inline constexpr std::size_t kPathHops = kMixLayers + 2;

// Caps that bound every allocation a decoder makes.
inline constexpr std::size_t kMaxProviders = 256;
inline constexpr std::size_t kMaxMixesPerLayer = 256;
inline constexpr std::size_t kMaxAuthorities = 16;
inline constexpr std::size_t kMaxDescriptorBytes =
    1 + kIdentityKeyBytes + 4 + kMaxAddressBytes + kLinkKeyBytes + 8 + 2 * kSphinxKeyBytes + kSignatureBytes;

// Epochs: an hour in production, seconds in testnets. The previous epoch's
// Sphinx key is still accepted for a grace period after a new epoch starts.
inline constexpr std::chrono::seconds kProductionEpochLength = std::chrono::hours(1);
inline constexpr std::chrono::seconds kProductionGracePeriod = std::chrono::minutes(10);
inline constexpr std::chrono::seconds kMaxEpochLength = std::chrono::hours(24 * 7);

// Ed25519 signatures are made over a 32-byte domain label (ASCII, zero-padded)
// followed by the signed body, so a signature of one kind can never be
// replayed as another.
inline constexpr std::size_t kDomainLabelBytes = 32;
using DomainLabel = std::array<std::uint8_t, kDomainLabelBytes>;
consteval DomainLabel make_domain_label(std::string_view text) {
  if (text.size() > kDomainLabelBytes) throw "a signature domain label has at most 32 bytes";
  DomainLabel label{};
  for (std::size_t i = 0; i < text.size(); ++i) label[i] = static_cast<std::uint8_t>(text[i]);
  return label;
}
inline constexpr DomainLabel kDescriptorSignatureDomain = make_domain_label("tenebra/directory/descriptor/v1");
inline constexpr DomainLabel kTopologySignatureDomain = make_domain_label("tenebra/directory/topology/v1");

// BLAKE2b personalisation of provider selection (16 bytes, zero-padded).
inline constexpr mix::sphinx::Label kLabelProviderSelect = mix::sphinx::make_label("tenebra/provider");

}  // namespace tenebra::router::directory
