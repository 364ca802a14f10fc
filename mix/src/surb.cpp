#include "tenebra/mix/surb.hpp"

#include <algorithm>

#include "header_builder.hpp"
#include "tenebra/mix/lioness.hpp"

namespace tenebra::mix::sphinx {

Result<SurbAndKeys> create_surb(const Geometry& geometry, const NodeId& first_hop, std::span<const PathHop> path,
                                Random& rng) {
  if (auto ok = detail::validate_path(geometry, path); !ok) return std::move(ok).error();
  const auto* reply = std::get_if<SurbReplyCommand>(&path.back().command);
  if (reply == nullptr) return make_error(Errc::invalid_argument, "a SURB path must end in a surb_reply command");
  auto header = detail::build_header(geometry, path, rng);
  if (!header) return std::move(header).error();

  SurbAndKeys out;
  out.surb.first_hop = first_hop;
  rng.fill(out.surb.payload_key.span());
  out.surb.header = std::move(header->header);
  out.keys.id = reply->surb_id;
  out.keys.payload_key = out.surb.payload_key.clone();
  out.keys.hop_payload_keys = std::move(header->payload_keys);
  return out;
}

Result<Bytes> create_surb_reply(const Geometry& geometry, const Surb& surb, ByteView payload) {
  if (surb.header.size() != geometry.header_bytes()) {
    return make_error(Errc::invalid_argument, "SURB header does not match the geometry");
  }
  auto block = detail::plaintext_block(geometry, payload);
  if (!block) return std::move(block).error();
  lioness_encrypt(surb.payload_key, *block);
  Bytes packet = surb.header;
  packet.insert(packet.end(), block->begin(), block->end());
  return packet;
}

Result<Bytes> open_surb_reply(const Geometry& geometry, const SurbKeys& keys, ByteView payload_block) {
  if (payload_block.size() != geometry.payload_block_bytes()) {
    return make_error(Errc::malformed, "SURB reply block has the wrong length");
  }
  Bytes block(payload_block.begin(), payload_block.end());
  // Each hop decrypted with its key; undo them last hop first.
  for (std::size_t i = keys.hop_payload_keys.size(); i-- > 0;) lioness_encrypt(keys.hop_payload_keys[i], block);
  lioness_decrypt(keys.payload_key, block);
  if (!is_all_zero(ByteView(block).first(kPayloadZeroPrefixBytes))) {
    sodium_memzero(block.data(), block.size());
    return make_error(Errc::crypto, "SURB reply failed its integrity check");
  }
  block.erase(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(kPayloadZeroPrefixBytes));
  return block;
}

Bytes encode_surb(const Surb& surb) {
  Bytes out;
  out.reserve(kNodeIdBytes + kKeyBytes + surb.header.size());
  out.insert(out.end(), surb.first_hop.begin(), surb.first_hop.end());
  out.insert(out.end(), surb.payload_key.view().begin(), surb.payload_key.view().end());
  out.insert(out.end(), surb.header.begin(), surb.header.end());
  return out;
}

Result<Surb> decode_surb(const Geometry& geometry, ByteView encoded) {
  if (encoded.size() != surb_bytes(geometry)) return make_error(Errc::malformed, "SURB has the wrong length");
  Surb surb;
  std::copy_n(encoded.begin(), kNodeIdBytes, surb.first_hop.begin());
  surb.payload_key = SecretKey32(encoded.subspan<kNodeIdBytes, kKeyBytes>());
  surb.header.assign(encoded.begin() + kNodeIdBytes + kKeyBytes, encoded.end());
  if (surb.header[0] != kPacketVersion) return make_error(Errc::unsupported, "SURB header has an unknown version");
  return surb;
}

void SurbKeyring::add(SurbKeys keys) {
  const SurbId id = keys.id;
  m_keys.insert_or_assign(id, std::move(keys));
}

Result<Bytes> SurbKeyring::open(const Geometry& geometry, const SurbId& id, ByteView payload_block) {
  auto it = m_keys.find(id);
  if (it == m_keys.end()) return make_error(Errc::not_found, "unknown or already used SURB");
  SurbKeys keys = std::move(it->second);
  m_keys.erase(it);
  return open_surb_reply(geometry, keys, payload_block);
}

}  // namespace tenebra::mix::sphinx
