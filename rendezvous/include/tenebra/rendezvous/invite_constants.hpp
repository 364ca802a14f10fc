// Invite wire constants (docs/rendezvous.md §3-§5): the binary form, its
// checksum, the URI and QR forms, and invite lifetimes. Every size and cap of
// the codec in invite.hpp comes from here. Thread-safety: constants only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tenebra/mix/sphinx_constants.hpp"
#include "tenebra/rendezvous/mailbox_schedule.hpp"
#include "tenebra/router/directory_constants.hpp"

namespace tenebra::rendezvous {

inline constexpr std::uint8_t kInviteVersion = 0x01;

inline constexpr std::size_t kInviteIdBytes = 16;
inline constexpr std::size_t kInviteKeyBytes = 32;  // one-time X25519 public key
inline constexpr std::size_t kInviteSeedBytes = kRendezvousSeedBytes;
inline constexpr std::size_t kInviteProviderBytes = router::directory::kIdentityKeyBytes;
inline constexpr std::size_t kInviteChecksumBytes = 4;
inline constexpr std::size_t kMaxInviteNetworkIdBytes = router::directory::kMaxNetworkIdBytes;

// version(1) || network_length(1) || network_id || invite_id || one_time_key
// || seed || expires_at(u64) || provider; then the checksum.
inline constexpr std::size_t kInviteFixedBytes =
    1 + 1 + kInviteIdBytes + kInviteKeyBytes + kInviteSeedBytes + 8 + kInviteProviderBytes + kInviteChecksumBytes;
inline constexpr std::size_t kMinInviteBytes = kInviteFixedBytes + 1;
inline constexpr std::size_t kMaxInviteBytes = kInviteFixedBytes + kMaxInviteNetworkIdBytes;

// The checksum is the first 4 bytes of the unkeyed BLAKE2b-256 of everything
// before it, under this personalisation. It catches typing and scanning
// errors; it is not a MAC.
inline constexpr mix::sphinx::Label kLabelInviteChecksum = mix::sphinx::make_label("tenebra/inv-sum");

inline constexpr std::string_view kInviteUriPrefix = "tenebra://invite/";  // URI form, lower case
inline constexpr std::string_view kInviteQrPrefix = "TENEBRA://INVITE/";   // QR form, upper case
inline constexpr std::size_t base32_chars(std::size_t bytes) {
  return (bytes * 8 + 4) / 5;
}
inline constexpr std::size_t kMaxInviteTextChars = kInviteUriPrefix.size() + base32_chars(kMaxInviteBytes);

// Unix seconds an invite may expire at: the system clock counts nanoseconds
// in 64 bits, so later instants cannot be compared with it.
inline constexpr std::uint64_t kMaxInviteExpiry = 9'223'372'036;

inline constexpr std::chrono::seconds kMinInviteLifetime = std::chrono::minutes(1);
inline constexpr std::chrono::seconds kMaxInviteLifetime = std::chrono::hours(24 * 30);
inline constexpr std::chrono::seconds kDefaultInviteLifetime = std::chrono::hours(24 * 7);

}  // namespace tenebra::rendezvous
