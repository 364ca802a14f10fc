// JSON helpers shared by the Sphinx vector generator and the vector test.
#pragma once

#include <nlohmann/json.hpp>

#include "tenebra/core/bytes.hpp"
#include "tenebra/mix/commands.hpp"

namespace tenebra::mix::sphinx::testing {

inline nlohmann::json command_to_json(const Command& command) {
  if (const auto* relay = std::get_if<RelayCommand>(&command)) {
    return {{"type", "relay"}, {"next_hop", to_hex(relay->next_hop)}, {"delay_ms", relay->delay.count()}};
  }
  if (const auto* deliver = std::get_if<DeliverCommand>(&command)) {
    return {{"type", "deliver"}, {"mailbox", to_hex(deliver->mailbox)}};
  }
  const auto& reply = std::get<SurbReplyCommand>(command);
  return {{"type", "surb_reply"}, {"mailbox", to_hex(reply.mailbox)}, {"surb_id", to_hex(reply.surb_id)}};
}

inline Command command_from_json(const nlohmann::json& j) {
  const std::string type = j.at("type");
  if (type == "relay") {
    return RelayCommand{array_from_hex<kNodeIdBytes>(j.at("next_hop").get<std::string>()).value(),
                        Delay(j.at("delay_ms").get<std::uint32_t>())};
  }
  if (type == "deliver")
    return DeliverCommand{array_from_hex<kMailboxIdBytes>(j.at("mailbox").get<std::string>()).value()};
  return SurbReplyCommand{array_from_hex<kMailboxIdBytes>(j.at("mailbox").get<std::string>()).value(),
                          array_from_hex<kSurbIdBytes>(j.at("surb_id").get<std::string>()).value()};
}

inline Bytes hex(const nlohmann::json& j) {
  return from_hex(j.get<std::string>()).value();
}

}  // namespace tenebra::mix::sphinx::testing
