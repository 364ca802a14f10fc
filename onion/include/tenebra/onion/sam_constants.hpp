// SAM v3 constants (I2P "SAM V3" specification) as Tenebra speaks it to
// i2pd 2.45, whose bridge offers versions 3.0 and 3.1 only, and Tenebra's
// caps on what it accepts. Also the I2P destination layout (I2P "Common
// structures": Destination = public key 256 | signing key 128 | certificate).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tenebra::onion::sam {

// One reply line, without its '\n'. A PRIV destination is ~900 base64
// characters and SESSION STATUS echoes it, so this leaves ample room.
inline constexpr std::size_t kMaxLineBytes = std::size_t{16} * 1024;
inline constexpr std::size_t kMaxFieldsPerLine = 64;

inline constexpr std::string_view kVersion = "3.1";
inline constexpr std::string_view kOldestAcceptedVersion = "3.0";
inline constexpr int kSignatureTypeEd25519 = 7;               // EdDSA_SHA512_Ed25519
inline constexpr std::string_view kLeaseSetEncTypes = "4,0";  // ECIES-X25519, then ElGamal

// Session nicknames Tenebra generates: short and from a plain alphabet.
inline constexpr std::size_t kMaxSessionIdBytes = 64;
// I2P tunnels are at most 7 hops; i2pd refuses more than 16 tunnels a pool.
inline constexpr int kMaxTunnelLength = 7;
inline constexpr int kMaxTunnelQuantity = 16;
// A host name given to STREAM CONNECT or NAMING LOOKUP instead of a full
// destination ("<52 chars>.b32.i2p" or an address-book name).
inline constexpr std::size_t kMaxHostNameBytes = 255;

// Destination layout.
inline constexpr std::size_t kPublicKeyBytes = 256;
inline constexpr std::size_t kSigningKeyBytes = 128;
inline constexpr std::size_t kCertificateHeaderBytes = 3;  // type(1) | length(2)
inline constexpr std::size_t kMinDestinationBytes = kPublicKeyBytes + kSigningKeyBytes + kCertificateHeaderBytes;
inline constexpr std::uint8_t kCertificateTypeNull = 0;
inline constexpr std::uint8_t kCertificateTypeKey = 5;
inline constexpr std::uint8_t kMaxCertificateType = 5;
inline constexpr std::size_t kKeyCertificateMinBytes = 4;  // signing type(2) | crypto type(2)
// Destinations travel as base64 text; a full one fits in this many characters.
inline constexpr std::size_t kMaxDestinationBase64Chars = 4096;

// "<base32 of SHA-256(destination)>.b32.i2p", lowercase, no padding.
inline constexpr std::size_t kB32HashChars = 52;
inline constexpr std::string_view kB32Suffix = ".b32.i2p";

}  // namespace tenebra::onion::sam
