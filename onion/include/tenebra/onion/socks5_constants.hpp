// SOCKS5 wire constants: RFC 1928 (the protocol), RFC 1929 (username and
// password, which Tor uses for stream isolation) and Tor's extended onion
// reply codes (tor doc/socks-extensions, enabled by SocksPort ExtendedErrors).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tenebra::onion::socks5 {

inline constexpr std::uint8_t kVersion = 0x05;
inline constexpr std::uint8_t kAuthVersion = 0x01;  // RFC 1929 sub-negotiation version

inline constexpr std::uint8_t kMethodNoAuth = 0x00;
inline constexpr std::uint8_t kMethodUsernamePassword = 0x02;
inline constexpr std::uint8_t kMethodNoAcceptable = 0xFF;

inline constexpr std::uint8_t kCommandConnect = 0x01;

inline constexpr std::uint8_t kAddressIpv4 = 0x01;
inline constexpr std::uint8_t kAddressDomain = 0x03;
inline constexpr std::uint8_t kAddressIpv6 = 0x04;

inline constexpr std::size_t kIpv4Bytes = 4;
inline constexpr std::size_t kIpv6Bytes = 16;
inline constexpr std::size_t kMaxCredentialBytes = 255;  // RFC 1929: one length byte each
inline constexpr std::size_t kMaxHostBytes = 255;        // RFC 1928: one length byte

// Fixed-size messages from the server.
inline constexpr std::size_t kMethodSelectionBytes = 2;  // VER METHOD
inline constexpr std::size_t kAuthReplyBytes = 2;        // VER STATUS
// VER REP RSV ATYP: the part of a reply before the bound address.
inline constexpr std::size_t kReplyHeaderBytes = 4;
inline constexpr std::size_t kPortBytes = 2;

// REP values.
enum class ReplyCode : std::uint8_t {
  succeeded = 0x00,
  general_failure = 0x01,
  not_allowed = 0x02,
  network_unreachable = 0x03,
  host_unreachable = 0x04,
  connection_refused = 0x05,
  ttl_expired = 0x06,
  command_not_supported = 0x07,
  address_type_not_supported = 0x08,
  // Tor's extended errors for onion services.
  onion_descriptor_not_found = 0xF0,
  onion_descriptor_invalid = 0xF1,
  onion_introduction_failed = 0xF2,
  onion_rendezvous_failed = 0xF3,
  onion_missing_client_auth = 0xF4,
  onion_wrong_client_auth = 0xF5,
  onion_invalid_address = 0xF6,
  onion_introduction_timed_out = 0xF7,
};

}  // namespace tenebra::onion::socks5
