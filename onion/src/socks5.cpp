#include "tenebra/onion/socks5.hpp"

#include <algorithm>
#include <string>

namespace tenebra::onion::socks5 {
namespace {

bool is_host_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool is_known_reply_code(std::uint8_t rep) noexcept {
  return rep <= static_cast<std::uint8_t>(ReplyCode::address_type_not_supported) ||
         (rep >= static_cast<std::uint8_t>(ReplyCode::onion_descriptor_not_found) &&
          rep <= static_cast<std::uint8_t>(ReplyCode::onion_introduction_timed_out));
}

Error malformed(const char* problem) {
  return make_error(Errc::malformed, std::string("SOCKS5: ") + problem);
}

}  // namespace

Bytes build_greeting(bool with_credentials) {
  return {kVersion, 1, with_credentials ? kMethodUsernamePassword : kMethodNoAuth};
}

Status parse_method_selection(ByteView reply, bool offered_credentials) {
  if (reply.size() != kMethodSelectionBytes) return malformed("method selection is not 2 bytes");
  if (reply[0] != kVersion) return malformed("method selection has the wrong version");
  if (reply[1] == kMethodNoAcceptable)
    return make_error(Errc::unsupported, "SOCKS5: server accepts none of our methods");
  const std::uint8_t offered = offered_credentials ? kMethodUsernamePassword : kMethodNoAuth;
  if (reply[1] != offered) return malformed("server chose a method we did not offer");
  return {};
}

Result<Bytes> build_auth_request(std::string_view username, std::string_view password) {
  if (username.empty() || username.size() > kMaxCredentialBytes || password.empty() ||
      password.size() > kMaxCredentialBytes) {
    return make_error(Errc::invalid_argument, "SOCKS5: user name and password must be 1 to 255 bytes");
  }
  Bytes out;
  out.reserve(3 + username.size() + password.size());
  out.push_back(kAuthVersion);
  out.push_back(static_cast<std::uint8_t>(username.size()));
  out.insert(out.end(), username.begin(), username.end());
  out.push_back(static_cast<std::uint8_t>(password.size()));
  out.insert(out.end(), password.begin(), password.end());
  return out;
}

Status parse_auth_reply(ByteView reply) {
  if (reply.size() != kAuthReplyBytes) return malformed("authentication reply is not 2 bytes");
  if (reply[0] != kAuthVersion) return malformed("authentication reply has the wrong version");
  if (reply[1] != 0) return make_error(Errc::invalid_argument, "SOCKS5: server refused our user name and password");
  return {};
}

Result<Bytes> build_connect_request(std::string_view host, std::uint16_t port) {
  if (host.empty() || host.size() > kMaxHostBytes) {
    return make_error(Errc::invalid_argument, "SOCKS5: host name must be 1 to 255 bytes");
  }
  if (!std::all_of(host.begin(), host.end(), is_host_char)) {
    return make_error(Errc::invalid_argument, "SOCKS5: host name has a character outside [A-Za-z0-9.-]");
  }
  if (port == 0) return make_error(Errc::invalid_argument, "SOCKS5: port 0");
  Bytes out;
  out.reserve(kReplyHeaderBytes + 1 + host.size() + kPortBytes);
  ByteWriter writer(out);
  writer.u8(kVersion);
  writer.u8(kCommandConnect);
  writer.u8(0);  // RSV
  writer.u8(kAddressDomain);
  writer.u8(static_cast<std::uint8_t>(host.size()));
  writer.bytes(as_bytes(host));
  writer.u16_be(port);
  return out;
}

Result<std::variant<NeedMore, ConnectReply>> parse_connect_reply(ByteView received) {
  const std::size_t have = received.size();
  if (have >= 1 && received[0] != kVersion) return malformed("reply has the wrong version");
  if (have >= 2 && !is_known_reply_code(received[1])) return malformed("reply code unknown");
  if (have >= 3 && received[2] != 0) return malformed("reserved byte is not zero");
  if (have < kReplyHeaderBytes) return std::variant<NeedMore, ConnectReply>(NeedMore{kReplyHeaderBytes - have});

  const std::uint8_t address_type = received[3];
  std::size_t address_bytes = 0;
  switch (address_type) {
    case kAddressIpv4:
      address_bytes = kIpv4Bytes;
      break;
    case kAddressIpv6:
      address_bytes = kIpv6Bytes;
      break;
    case kAddressDomain: {
      if (have < kReplyHeaderBytes + 1) return std::variant<NeedMore, ConnectReply>(NeedMore{1});
      const std::size_t length = received[kReplyHeaderBytes];
      if (length == 0) return malformed("bound domain name is empty");
      address_bytes = 1 + length;
      break;
    }
    default:
      return malformed("unknown address type");
  }
  const std::size_t total = kReplyHeaderBytes + address_bytes + kPortBytes;
  if (have < total) return std::variant<NeedMore, ConnectReply>(NeedMore{total - have});
  ConnectReply reply;
  reply.code = static_cast<ReplyCode>(received[1]);
  reply.address_type = address_type;
  reply.size = total;
  return std::variant<NeedMore, ConnectReply>(reply);
}

Failure describe_failure(ReplyCode code) noexcept {
  switch (code) {
    case ReplyCode::succeeded:
      return {Errc::internal, "succeeded (not a failure)", false};
    case ReplyCode::general_failure:
      return {Errc::io, "general SOCKS server failure", true};
    case ReplyCode::not_allowed:
      return {Errc::invalid_argument, "connection not allowed by ruleset", false};
    case ReplyCode::network_unreachable:
      return {Errc::io, "network unreachable", true};
    case ReplyCode::host_unreachable:
      return {Errc::io, "host unreachable", true};
    case ReplyCode::connection_refused:
      return {Errc::io, "connection refused", true};
    case ReplyCode::ttl_expired:
      return {Errc::timeout, "TTL expired (timed out)", true};
    case ReplyCode::command_not_supported:
      return {Errc::unsupported, "command not supported", false};
    case ReplyCode::address_type_not_supported:
      return {Errc::unsupported, "address type not supported", false};
    // Not yet published is the normal state of a service that just started.
    case ReplyCode::onion_descriptor_not_found:
      return {Errc::not_found, "onion service descriptor can not be found", true};
    // A newer descriptor may be valid.
    case ReplyCode::onion_descriptor_invalid:
      return {Errc::io, "onion service descriptor is invalid", true};
    case ReplyCode::onion_introduction_failed:
      return {Errc::io, "onion service introduction failed", true};
    case ReplyCode::onion_rendezvous_failed:
      return {Errc::io, "onion service rendezvous failed", true};
    case ReplyCode::onion_missing_client_auth:
      return {Errc::crypto, "onion service needs client authorization", false};
    case ReplyCode::onion_wrong_client_auth:
      return {Errc::crypto, "onion service client authorization is wrong", false};
    case ReplyCode::onion_invalid_address:
      return {Errc::invalid_argument, "onion service address is invalid", false};
    case ReplyCode::onion_introduction_timed_out:
      return {Errc::timeout, "onion service introduction timed out", true};
  }
  return {Errc::internal, "unknown reply code", false};
}

Error failure_error(ReplyCode code) {
  const Failure failure = describe_failure(code);
  return make_error(failure.errc, std::string("SOCKS5 connect failed: ") + std::string(failure.reason) +
                                      (failure.retry_later ? " (retry later)" : ""));
}

}  // namespace tenebra::onion::socks5
