#include "tenebra/mix/commands.hpp"

#include <algorithm>
#include <type_traits>

namespace tenebra::mix::sphinx {
namespace {

constexpr std::size_t kTypeOffset = 1;
constexpr std::size_t kBodyOffset = 2;

template <std::size_t N>
void put(EncodedCommand& out, std::size_t offset, const std::array<std::uint8_t, N>& field) {
  std::copy(field.begin(), field.end(), out.begin() + static_cast<std::ptrdiff_t>(offset));
}

template <std::size_t N>
std::array<std::uint8_t, N> get(ByteView in, std::size_t offset) {
  std::array<std::uint8_t, N> field{};
  std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(offset), N, field.begin());
  return field;
}

}  // namespace

EncodedCommand encode_command(const Command& command) {
  EncodedCommand out{};
  out[0] = kCommandVersion;
  std::visit(
      [&out](const auto& cmd) {
        using T = std::decay_t<decltype(cmd)>;
        if constexpr (std::is_same_v<T, RelayCommand>) {
          out[kTypeOffset] = static_cast<std::uint8_t>(CommandType::relay);
          put(out, kBodyOffset, cmd.next_hop);
          store_u32_be(MutableByteView(out).subspan(kBodyOffset + kNodeIdBytes, 4), cmd.delay.count());
        } else if constexpr (std::is_same_v<T, DeliverCommand>) {
          out[kTypeOffset] = static_cast<std::uint8_t>(CommandType::deliver);
          put(out, kBodyOffset, cmd.mailbox);
        } else {
          out[kTypeOffset] = static_cast<std::uint8_t>(CommandType::surb_reply);
          put(out, kBodyOffset, cmd.mailbox);
          put(out, kBodyOffset + kMailboxIdBytes, cmd.surb_id);
        }
      },
      command);
  return out;
}

Result<Command> decode_command(ByteView encoded) {
  if (encoded.size() != kCommandBytes) return make_error(Errc::malformed, "routing command has wrong length");
  if (encoded[0] != kCommandVersion) return make_error(Errc::unsupported, "unsupported routing command version");
  const ByteView body = encoded.subspan(kBodyOffset);
  switch (static_cast<CommandType>(encoded[kTypeOffset])) {
    case CommandType::relay: {
      if (!is_all_zero(body.subspan(kNodeIdBytes + 4))) break;
      RelayCommand cmd;
      cmd.next_hop = get<kNodeIdBytes>(encoded, kBodyOffset);
      cmd.delay = Delay(load_u32_be(body.subspan(kNodeIdBytes, 4)));
      return Command{cmd};
    }
    case CommandType::deliver: {
      if (!is_all_zero(body.subspan(kMailboxIdBytes))) break;
      return Command{DeliverCommand{get<kMailboxIdBytes>(encoded, kBodyOffset)}};
    }
    case CommandType::surb_reply:
      return Command{SurbReplyCommand{get<kMailboxIdBytes>(encoded, kBodyOffset),
                                      get<kSurbIdBytes>(encoded, kBodyOffset + kMailboxIdBytes)}};
    default:
      return make_error(Errc::unsupported, "unknown routing command type");
  }
  return make_error(Errc::malformed, "routing command padding is not zero");
}

}  // namespace tenebra::mix::sphinx
