// Sphinx packets: create one for a path, unwrap one at a node.
//
// create_packet builds a packet that hop i can peel with its X25519 key; the
// commands say what each hop does (relay to the next node after a delay,
// deliver to a mailbox, or store a SURB reply). unwrap peels one layer and
// says what to do next, or why the packet must be dropped; it never trusts a
// byte it has not authenticated. Both are pure functions (randomness is a
// parameter) and safe to call from any thread on distinct inputs.
#pragma once

#include <optional>
#include <span>
#include <variant>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/commands.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/mix/node_key.hpp"

namespace tenebra::mix::sphinx {

using ReplayTag = std::array<std::uint8_t, kReplayTagBytes>;

// One hop of a path: the node's Sphinx public key for the packet's epoch and
// the command that node will find. Every hop but the last must carry a
// RelayCommand naming the next hop; the last a DeliverCommand or
// SurbReplyCommand.
struct PathHop {
  PublicKey node_key{};
  Command command;
};

// Randomness drawn, in order: the 32-byte ephemeral secret, then
// (routing_bytes - hops * kSlotBytes) bytes of padding.
[[nodiscard]] Result<Bytes> create_packet(const Geometry& geometry, std::span<const PathHop> path, ByteView payload,
                                          Random& rng);

// What a node does with an authenticated packet.
struct Forward {
  NodeId next_hop{};
  Delay delay{0};
  Bytes packet;  // same length as the input
};
struct Deliver {
  MailboxId mailbox{};
  Bytes payload;  // geometry.payload_bytes(), zero-padded by the sender
};
struct Reply {
  MailboxId mailbox{};
  SurbId surb_id{};
  Bytes payload_block;  // geometry.payload_block_bytes(), only the SURB's creator can open it
};

enum class DropReason {
  bad_length,         // not exactly geometry.packet_bytes()
  bad_version,        // unknown packet version
  bad_group_element,  // alpha is a low-order point
  bad_mac,            // header authentication failed (tampered, or not for this key)
  replay,             // the replay filter has seen this tag
  bad_command,        // unknown command version/type or bad padding
  bad_payload,        // final hop: payload integrity (zero prefix) failed
};
const char* drop_reason_name(DropReason reason) noexcept;

struct Drop {
  DropReason reason;
};

struct Unwrapped {
  std::optional<ReplayTag> tag;  // present once the shared secret was computed
  std::variant<Forward, Deliver, Reply, Drop> action;

  bool dropped() const noexcept { return std::holds_alternative<Drop>(action); }
};

// Remembers replay tags. check_and_insert returns true when the tag was seen
// before (the packet is a replay) and records it otherwise.
class ReplayFilter {
 public:
  virtual ~ReplayFilter() = default;
  virtual bool check_and_insert(const ReplayTag& tag) = 0;
};

// Peels one layer with the node's secret key. With a filter, replays are
// dropped after the MAC check and before any further work.
[[nodiscard]] Unwrapped unwrap(const Geometry& geometry, const NodeKeyPair& node_key, ByteView packet,
                               ReplayFilter* replay_filter = nullptr);

}  // namespace tenebra::mix::sphinx
