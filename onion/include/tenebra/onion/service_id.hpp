// v3 onion service ids (rend-spec-v3 §6): 56 lowercase base32 characters
// that decode to pubkey(32) | checksum(2) | version(1) with version 3.
// The checksum is SHA3-256, which libsodium lacks, so it is not verified
// here; tor verifies it on every connect (SOCKS5 reply 0xF6).
// Pure functions, safe from any thread.
#pragma once

#include <string_view>

namespace tenebra::onion::tor {

// `id` is a service id without ".onion".
[[nodiscard]] bool is_valid_service_id(std::string_view id) noexcept;

}  // namespace tenebra::onion::tor
