#include "header_builder.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>

#include "hop_keys.hpp"

namespace tenebra::mix::sphinx::detail {
namespace {

struct HopSecrets {
  PublicKey alpha{};
  HopKeys keys;
};

// s_i = b_{i-1} * ... * b_0 * x * Y_i and alpha_i = b_{i-1} * ... * b_0 * x * G,
// computed as nested X25519 calls because libsodium clamps every scalar.
Result<std::vector<HopSecrets>> derive_path_secrets(std::span<const PathHop> path, const SecretKey32& x) {
  std::vector<HopSecrets> hops(path.size());
  std::vector<SecretKey32> blindings;
  blindings.reserve(path.size());
  PublicKey alpha{};
  if (crypto_scalarmult_base(alpha.data(), x.data()) != 0) {
    return make_error(Errc::crypto, "ephemeral key is degenerate");
  }
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto shared = x25519_secret(x, path[i].node_key);
    if (!shared)
      return make_error(Errc::invalid_argument, "hop " + std::to_string(i) + " key is not a valid X25519 public key");
    SecretKey32 s = std::move(shared).value();
    for (const auto& b : blindings) {
      auto next = x25519_secret(b, s.view());
      if (!next) return std::move(next).error();
      s = std::move(next).value();
    }
    hops[i].alpha = alpha;
    hops[i].keys = derive_hop_keys(s);
    if (i + 1 == path.size()) break;  // no hop after the last needs its alpha
    blindings.push_back(blinding_factor(s, alpha));
    auto blinded = x25519(blindings.back(), alpha);
    if (!blinded) return std::move(blinded).error();
    alpha = *blinded;
  }
  return hops;
}

}  // namespace

Status validate_path(const Geometry& geometry, std::span<const PathHop> path) {
  if (path.empty() || path.size() > geometry.max_hops()) {
    return make_error(Errc::invalid_argument, "Sphinx path must have 1.." + std::to_string(geometry.max_hops()) +
                                                  " hops, got " + std::to_string(path.size()));
  }
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    if (is_final(path[i].command)) {
      return make_error(Errc::invalid_argument,
                        "hop " + std::to_string(i) + " is not the last but has a final command");
    }
  }
  if (!is_final(path.back().command)) {
    return make_error(Errc::invalid_argument, "the last hop must deliver or store a SURB reply");
  }
  return {};
}

Result<BuiltHeader> build_header(const Geometry& geometry, std::span<const PathHop> path, Random& rng) {
  if (auto ok = validate_path(geometry, path); !ok) return std::move(ok).error();
  const std::size_t hops = path.size();
  const std::size_t routing = geometry.routing_bytes();
  const std::size_t stream_len = routing + kSlotBytes;

  SecretKey32 x;
  rng.fill(x.span());
  auto secrets_or = derive_path_secrets(path, x);
  if (!secrets_or) return std::move(secrets_or).error();
  auto& secrets = *secrets_or;

  std::vector<Bytes> streams(hops, Bytes(stream_len));
  for (std::size_t i = 0; i < hops; ++i) header_stream(secrets[i].keys.stream, streams[i]);

  // Filler: phi_i = (phi_{i-1} | 0^slot) XOR the last i*slot bytes of stream_{i-1}.
  Bytes filler;
  for (std::size_t i = 1; i < hops; ++i) {
    filler.resize(i * kSlotBytes, 0);
    const std::size_t offset = stream_len - i * kSlotBytes;
    for (std::size_t j = 0; j < filler.size(); ++j) filler[j] ^= streams[i - 1][offset + j];
  }

  // Last hop: its command, an unused MAC slot, random padding, then the filler.
  Bytes beta(routing, 0);
  const std::size_t open_len = routing - filler.size();
  const auto last_cmd = encode_command(path.back().command);
  std::copy(last_cmd.begin(), last_cmd.end(), beta.begin());
  rng.fill(MutableByteView(beta).subspan(kSlotBytes, open_len - kSlotBytes));
  for (std::size_t j = 0; j < open_len; ++j) beta[j] ^= streams[hops - 1][j];
  std::copy(filler.begin(), filler.end(), beta.begin() + static_cast<std::ptrdiff_t>(open_len));

  Bytes authenticated(kVersionBytes + kGroupElementBytes + routing);
  authenticated[0] = kPacketVersion;
  auto mac_of = [&](std::size_t i, const Bytes& routing_info) {
    std::copy(secrets[i].alpha.begin(), secrets[i].alpha.end(), authenticated.begin() + kVersionBytes);
    std::copy(routing_info.begin(), routing_info.end(), authenticated.begin() + kVersionBytes + kGroupElementBytes);
    return header_mac(secrets[i].keys.mac, authenticated);
  };
  auto gamma = mac_of(hops - 1, beta);

  for (std::size_t i = hops - 1; i-- > 0;) {
    Bytes prev(routing);
    const auto cmd = encode_command(path[i].command);
    std::copy(cmd.begin(), cmd.end(), prev.begin());
    std::copy(gamma.begin(), gamma.end(), prev.begin() + kCommandBytes);
    std::copy(beta.begin(), beta.end() - static_cast<std::ptrdiff_t>(kSlotBytes), prev.begin() + kSlotBytes);
    for (std::size_t j = 0; j < routing; ++j) prev[j] ^= streams[i][j];
    beta = std::move(prev);
    gamma = mac_of(i, beta);
  }

  BuiltHeader built;
  built.header.reserve(geometry.header_bytes());
  built.header.push_back(kPacketVersion);
  built.header.insert(built.header.end(), secrets[0].alpha.begin(), secrets[0].alpha.end());
  built.header.insert(built.header.end(), beta.begin(), beta.end());
  built.header.insert(built.header.end(), gamma.begin(), gamma.end());
  for (auto& hop : secrets) built.payload_keys.push_back(std::move(hop.keys.payload));
  for (auto& stream : streams) sodium_memzero(stream.data(), stream.size());
  return built;
}

Result<Bytes> plaintext_block(const Geometry& geometry, ByteView payload) {
  if (payload.size() > geometry.payload_bytes()) {
    return make_error(Errc::invalid_argument, "payload of " + std::to_string(payload.size()) +
                                                  " bytes exceeds the geometry's " +
                                                  std::to_string(geometry.payload_bytes()));
  }
  Bytes block(geometry.payload_block_bytes(), 0);
  std::copy(payload.begin(), payload.end(), block.begin() + kPayloadZeroPrefixBytes);
  return block;
}

}  // namespace tenebra::mix::sphinx::detail
