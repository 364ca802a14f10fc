// Single-use reply blocks (SURBs).
//
// The creator builds a header for a path back to a mailbox it can read and
// hands out a Surb; whoever holds it can send one reply without learning
// where it goes. The creator keeps SurbKeys and opens the reply with them.
// A SurbKeyring forgets keys on first use, so a second reply on the same
// SURB is refused (and the mixes drop it too: same header, same replay tags).
// Pure functions; SurbKeyring is not thread-safe.
#pragma once

#include <map>
#include <span>
#include <vector>

#include "tenebra/mix/sphinx.hpp"

namespace tenebra::mix::sphinx {

struct Surb {
  NodeId first_hop{};       // where the replier sends the reply packet
  SecretKey32 payload_key;  // k~: the replier's LIONESS key
  Bytes header;             // geometry.header_bytes()
};

struct SurbKeys {
  SurbId id{};
  SecretKey32 payload_key;
  std::vector<SecretKey32> hop_payload_keys;  // path order
};

struct SurbAndKeys {
  Surb surb;
  SurbKeys keys;
};

// The path must end in a SurbReplyCommand (whose id becomes keys.id).
// Randomness drawn, in order: ephemeral secret, padding (as create_packet),
// then the 32-byte payload key.
[[nodiscard]] Result<SurbAndKeys> create_surb(const Geometry& geometry, const NodeId& first_hop,
                                              std::span<const PathHop> path, Random& rng);

// The reply packet to send to surb.first_hop.
[[nodiscard]] Result<Bytes> create_surb_reply(const Geometry& geometry, const Surb& surb, ByteView payload);

// Opens Reply::payload_block; gives geometry.payload_bytes() of payload.
[[nodiscard]] Result<Bytes> open_surb_reply(const Geometry& geometry, const SurbKeys& keys, ByteView payload_block);

// Wire form of a Surb: first_hop(32) | payload_key(32) | header.
Bytes encode_surb(const Surb& surb);
[[nodiscard]] Result<Surb> decode_surb(const Geometry& geometry, ByteView encoded);
inline std::size_t surb_bytes(const Geometry& geometry) {
  return kNodeIdBytes + kKeyBytes + geometry.header_bytes();
}

class SurbKeyring {
 public:
  void add(SurbKeys keys);
  // Opens and forgets: a second reply with the same id gets Errc::not_found.
  [[nodiscard]] Result<Bytes> open(const Geometry& geometry, const SurbId& id, ByteView payload_block);
  std::size_t size() const noexcept { return m_keys.size(); }

 private:
  std::map<SurbId, SurbKeys> m_keys;
};

}  // namespace tenebra::mix::sphinx
