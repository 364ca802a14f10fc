// Sphinx wire constants (Danezis & Goldberg, "Sphinx: A Compact and Provably
// Secure Mix Format", IEEE S&P 2009), as Tenebra encodes them. Every size of
// a packet follows from these and a Geometry. docs/sphinx.md is the spec.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tenebra::mix::sphinx {

inline constexpr std::uint8_t kPacketVersion = 0x01;   // first byte of every packet
inline constexpr std::uint8_t kCommandVersion = 0x01;  // first byte of every routing command

inline constexpr std::size_t kVersionBytes = 1;
inline constexpr std::size_t kGroupElementBytes = 32;  // alpha: an X25519 u-coordinate
inline constexpr std::size_t kMacBytes = 32;           // gamma: keyed BLAKE2b-256
inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kReplayTagBytes = 32;
inline constexpr std::size_t kNodeIdBytes = 32;
inline constexpr std::size_t kMailboxIdBytes = 32;
inline constexpr std::size_t kSurbIdBytes = 16;

// Routing command: version(1) | type(1) | body(48). The body is sized for the
// largest command (surb_reply: mailbox 32 + SURB id 16); unused bytes are zero.
inline constexpr std::size_t kCommandBodyBytes = kMailboxIdBytes + kSurbIdBytes;
inline constexpr std::size_t kCommandBytes = 2 + kCommandBodyBytes;
// One hop's slot in the routing information: its command, then the MAC that
// the next hop checks.
inline constexpr std::size_t kSlotBytes = kCommandBytes + kMacBytes;

// The final hop accepts a payload only if it starts with this many zero bytes
// (a forged or tagged payload passes with probability 2^-128).
inline constexpr std::size_t kPayloadZeroPrefixBytes = 16;

inline constexpr std::size_t kDefaultMaxHops = 5;
inline constexpr std::size_t kDefaultPayloadBytes = 2048;
inline constexpr std::size_t kMinMaxHops = 1;
inline constexpr std::size_t kMaxMaxHops = 16;
inline constexpr std::size_t kMinPayloadBytes = 64;
inline constexpr std::size_t kMaxPayloadBytes = std::size_t{64} * 1024;

enum class CommandType : std::uint8_t {
  relay = 0x01,       // forward to next_hop after delay
  deliver = 0x02,     // final: store payload in mailbox
  surb_reply = 0x03,  // final: store a SURB reply (still encrypted) in mailbox
};

// Personalisation strings for keyed BLAKE2b (16 bytes, zero-padded).
using Label = std::array<char, 16>;
consteval Label make_label(std::string_view text) {
  if (text.size() > Label{}.size()) throw "a BLAKE2b personalisation label has at most 16 bytes";
  Label label{};
  for (std::size_t i = 0; i < text.size(); ++i) label[i] = text[i];
  return label;
}
inline constexpr Label kLabelMacKey = make_label("tenebra/k-mac");
inline constexpr Label kLabelStreamKey = make_label("tenebra/k-stream");
inline constexpr Label kLabelPayloadKey = make_label("tenebra/k-pay");
inline constexpr Label kLabelBlinding = make_label("tenebra/blind");
inline constexpr Label kLabelReplayTag = make_label("tenebra/replay");
inline constexpr Label kLabelHeaderMac = make_label("tenebra/mac");
inline constexpr Label kLabelLionessK1 = make_label("tenebra/lion-k1");
inline constexpr Label kLabelLionessK2 = make_label("tenebra/lion-k2");
inline constexpr Label kLabelLionessK3 = make_label("tenebra/lion-k3");
inline constexpr Label kLabelLionessK4 = make_label("tenebra/lion-k4");
inline constexpr Label kLabelLionessHash = make_label("tenebra/lion-h");

}  // namespace tenebra::mix::sphinx
