// Per-hop routing commands and their fixed-size, versioned encoding
// (kCommandBytes each). decode_command is strict: unknown versions and
// types, and non-zero padding, are rejected.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <variant>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/sphinx_constants.hpp"

namespace tenebra::mix::sphinx {

using NodeId = std::array<std::uint8_t, kNodeIdBytes>;
using MailboxId = std::array<std::uint8_t, kMailboxIdBytes>;
using SurbId = std::array<std::uint8_t, kSurbIdBytes>;
using Delay = std::chrono::duration<std::uint32_t, std::milli>;

struct RelayCommand {
  NodeId next_hop{};
  Delay delay{0};
  bool operator==(const RelayCommand&) const = default;
};

struct DeliverCommand {
  MailboxId mailbox{};
  bool operator==(const DeliverCommand&) const = default;
};

struct SurbReplyCommand {
  MailboxId mailbox{};
  SurbId surb_id{};
  bool operator==(const SurbReplyCommand&) const = default;
};

using Command = std::variant<RelayCommand, DeliverCommand, SurbReplyCommand>;
using EncodedCommand = std::array<std::uint8_t, kCommandBytes>;

EncodedCommand encode_command(const Command& command);
[[nodiscard]] Result<Command> decode_command(ByteView encoded);

inline bool is_final(const Command& command) {
  return !std::holds_alternative<RelayCommand>(command);
}

}  // namespace tenebra::mix::sphinx
