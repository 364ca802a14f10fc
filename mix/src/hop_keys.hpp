// Per-hop key schedule (private to mix/): everything a hop derives from its
// X25519 shared secret. Labels and order are specified in docs/sphinx.md.
#pragma once

#include <array>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/mix/node_key.hpp"

namespace tenebra::mix::sphinx::detail {

using ReplayTagBytes = std::array<std::uint8_t, kReplayTagBytes>;

struct HopKeys {
  SecretKey32 mac;
  SecretKey32 stream;
  SecretKey32 payload;
  ReplayTagBytes replay_tag{};
};

HopKeys derive_hop_keys(const SecretKey32& shared_secret);

// b = BLAKE2b-256(key = s, personal = blind, message = alpha)
SecretKey32 blinding_factor(const SecretKey32& shared_secret, const PublicKey& alpha);

// X25519(scalar, point); fails on a low-order point (all-zero output).
[[nodiscard]] Result<PublicKey> x25519(const SecretKey32& scalar, const PublicKey& point);
[[nodiscard]] Result<SecretKey32> x25519_secret(const SecretKey32& scalar, std::span<const std::uint8_t, 32> point);

// gamma = BLAKE2b-256(key = k_mac, personal = mac, message = version | alpha | beta)
std::array<std::uint8_t, kMacBytes> header_mac(const SecretKey32& mac_key, ByteView authenticated);

// ChaCha20(key = k_stream, nonce = 0) keystream of `out.size()` bytes.
void header_stream(const SecretKey32& stream_key, MutableByteView out);

}  // namespace tenebra::mix::sphinx::detail
