// Tor control protocol constants (torspec control-spec: §2.3 replies, §3.24
// AUTHCHALLENGE/SAFECOOKIE, §3.27 ADD_ONION) and Tenebra's caps on what it
// accepts from tor. Every limit a tor control codec enforces is named here.
#pragma once

#include <cstddef>
#include <string_view>

namespace tenebra::onion::tor {

// Caps on replies read from the control port. A reply bigger than these is
// not something Tenebra asks for; the connection is dropped rather than
// buffered without end.
inline constexpr std::size_t kMaxLineBytes = std::size_t{16} * 1024;        // one line, without CRLF
inline constexpr std::size_t kMaxLinesPerReply = 4096;                      // status and data lines together
inline constexpr std::size_t kMaxReplyBytes = std::size_t{1024} * 1024;     // all lines of one reply
inline constexpr std::size_t kMaxDataBlockBytes = std::size_t{512} * 1024;  // one "250+" data block

// Status codes Tenebra acts on (control-spec §4).
inline constexpr int kStatusOk = 250;
inline constexpr int kStatusOperationUnnecessary = 251;
inline constexpr int kStatusAsyncEvent = 650;

// SAFECOOKIE (control-spec §3.24).
inline constexpr std::size_t kCookieBytes = 32;
inline constexpr std::size_t kSafecookieNonceBytes = 32;
inline constexpr std::size_t kSafecookieHashBytes = 32;
inline constexpr std::string_view kSafecookieServerToControllerKey =
    "Tor safe cookie authentication server-to-controller hash";
inline constexpr std::string_view kSafecookieControllerToServerKey =
    "Tor safe cookie authentication controller-to-server hash";

// v3 onion services (rend-spec-v3 §6): the service id is base32 of
// pubkey(32) | checksum(2) | version(1), lowercase, without ".onion".
inline constexpr std::size_t kServiceIdChars = 56;
inline constexpr std::size_t kServiceIdBytes = 35;
inline constexpr unsigned char kServiceIdVersion = 3;
// ADD_ONION PrivateKey=ED25519-V3:<base64>: the 64-byte expanded secret key.
inline constexpr std::size_t kEd25519V3SecretKeyBytes = 64;
inline constexpr std::string_view kEd25519V3KeyPrefix = "ED25519-V3:";

}  // namespace tenebra::onion::tor
