#include "hop_keys.hpp"

#include <sodium.h>

#include "blake2b.hpp"

namespace tenebra::mix::sphinx::detail {

HopKeys derive_hop_keys(const SecretKey32& shared_secret) {
  HopKeys keys;
  keys.mac = derive_key(shared_secret, kLabelMacKey);
  keys.stream = derive_key(shared_secret, kLabelStreamKey);
  keys.payload = derive_key(shared_secret, kLabelPayloadKey);
  keyed_blake2b(keys.replay_tag, shared_secret.view(), kLabelReplayTag, {});
  return keys;
}

SecretKey32 blinding_factor(const SecretKey32& shared_secret, const PublicKey& alpha) {
  return derive_key(shared_secret, kLabelBlinding, alpha);
}

Result<PublicKey> x25519(const SecretKey32& scalar, const PublicKey& point) {
  PublicKey out{};
  if (crypto_scalarmult(out.data(), scalar.data(), point.data()) != 0) {
    return make_error(Errc::crypto, "X25519 with a low-order point");
  }
  return out;
}

Result<SecretKey32> x25519_secret(const SecretKey32& scalar, std::span<const std::uint8_t, 32> point) {
  SecretKey32 out;
  if (crypto_scalarmult(out.data(), scalar.data(), point.data()) != 0) {
    return make_error(Errc::crypto, "X25519 with a low-order point");
  }
  return out;
}

std::array<std::uint8_t, kMacBytes> header_mac(const SecretKey32& mac_key, ByteView authenticated) {
  std::array<std::uint8_t, kMacBytes> mac{};
  keyed_blake2b(mac, mac_key.view(), kLabelHeaderMac, authenticated);
  return mac;
}

void header_stream(const SecretKey32& stream_key, MutableByteView out) {
  static constexpr std::uint8_t kZeroNonce[crypto_stream_chacha20_NONCEBYTES] = {};
  crypto_stream_chacha20(out.data(), out.size(), kZeroNonce, stream_key.data());
}

}  // namespace tenebra::mix::sphinx::detail
