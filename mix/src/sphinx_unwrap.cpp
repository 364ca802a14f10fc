#include <sodium.h>

#include <algorithm>

#include "hop_keys.hpp"
#include "tenebra/mix/lioness.hpp"
#include "tenebra/mix/sphinx.hpp"

namespace tenebra::mix::sphinx {
namespace {

constexpr std::size_t kAlphaOffset = kVersionBytes;
constexpr std::size_t kBetaOffset = kAlphaOffset + kGroupElementBytes;

Unwrapped drop(DropReason reason, std::optional<ReplayTag> tag = std::nullopt) {
  return Unwrapped{tag, Drop{reason}};
}

}  // namespace

const char* drop_reason_name(DropReason reason) noexcept {
  switch (reason) {
    case DropReason::bad_length:
      return "bad_length";
    case DropReason::bad_version:
      return "bad_version";
    case DropReason::bad_group_element:
      return "bad_group_element";
    case DropReason::bad_mac:
      return "bad_mac";
    case DropReason::replay:
      return "replay";
    case DropReason::bad_command:
      return "bad_command";
    case DropReason::bad_payload:
      return "bad_payload";
  }
  return "unknown";
}

Unwrapped unwrap(const Geometry& geometry, const NodeKeyPair& node_key, ByteView packet, ReplayFilter* replay_filter) {
  if (packet.size() != geometry.packet_bytes()) return drop(DropReason::bad_length);
  if (packet[0] != kPacketVersion) return drop(DropReason::bad_version);

  const std::size_t routing = geometry.routing_bytes();
  const std::size_t gamma_offset = kBetaOffset + routing;
  const std::size_t payload_offset = gamma_offset + kMacBytes;

  PublicKey alpha{};
  std::copy_n(packet.begin() + kAlphaOffset, kGroupElementBytes, alpha.begin());
  auto shared = detail::x25519_secret(node_key.secret, alpha);
  if (!shared) return drop(DropReason::bad_group_element);
  const detail::HopKeys keys = detail::derive_hop_keys(*shared);
  const ReplayTag tag = keys.replay_tag;

  const auto expected_mac = detail::header_mac(keys.mac, packet.first(gamma_offset));
  if (crypto_verify_32(expected_mac.data(), packet.data() + gamma_offset) != 0) {
    return drop(DropReason::bad_mac, tag);
  }
  if (replay_filter != nullptr && replay_filter->check_and_insert(tag)) return drop(DropReason::replay, tag);

  // (beta | 0^slot) XOR stream: our command, the next MAC, the next beta.
  Bytes routing_plain(routing + kSlotBytes, 0);
  WipeOnExit wipe_routing(routing_plain);
  detail::header_stream(keys.stream, routing_plain);
  for (std::size_t j = 0; j < routing; ++j) routing_plain[j] ^= packet[kBetaOffset + j];

  auto command = decode_command(ByteView(routing_plain).first(kCommandBytes));
  if (!command) return drop(DropReason::bad_command, tag);

  Bytes block(packet.begin() + static_cast<std::ptrdiff_t>(payload_offset), packet.end());
  lioness_decrypt(keys.payload, block);

  if (const auto* relay = std::get_if<RelayCommand>(&*command)) {
    auto blinded = detail::x25519(detail::blinding_factor(*shared, alpha), alpha);
    if (!blinded) return drop(DropReason::bad_group_element, tag);
    Forward forward{relay->next_hop, relay->delay, {}};
    forward.packet.reserve(packet.size());
    forward.packet.push_back(kPacketVersion);
    forward.packet.insert(forward.packet.end(), blinded->begin(), blinded->end());
    const auto next_beta = routing_plain.begin() + static_cast<std::ptrdiff_t>(kSlotBytes);
    forward.packet.insert(forward.packet.end(), next_beta, next_beta + static_cast<std::ptrdiff_t>(routing));
    const auto next_mac = routing_plain.begin() + static_cast<std::ptrdiff_t>(kCommandBytes);
    forward.packet.insert(forward.packet.end(), next_mac, next_mac + static_cast<std::ptrdiff_t>(kMacBytes));
    forward.packet.insert(forward.packet.end(), block.begin(), block.end());
    return Unwrapped{tag, std::move(forward)};
  }
  if (const auto* deliver = std::get_if<DeliverCommand>(&*command)) {
    if (!is_all_zero(ByteView(block).first(kPayloadZeroPrefixBytes))) return drop(DropReason::bad_payload, tag);
    block.erase(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(kPayloadZeroPrefixBytes));
    return Unwrapped{tag, Deliver{deliver->mailbox, std::move(block)}};
  }
  const auto& reply = std::get<SurbReplyCommand>(*command);
  return Unwrapped{tag, Reply{reply.mailbox, reply.surb_id, std::move(block)}};
}

}  // namespace tenebra::mix::sphinx
