#include "tenebra/router/descriptor.hpp"

#include <sodium.h>

#include <algorithm>

#include "descriptor_signing.hpp"
#include "tenebra/onion/service_id.hpp"

namespace tenebra::router::directory {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> to_array(ByteView in) {
  std::array<std::uint8_t, N> out{};
  std::copy_n(in.begin(), N, out.begin());
  return out;
}

bool is_base32_lower(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
}

Status check_port(std::string_view port) {
  if (port.empty() || port.size() > 5 || port[0] == '0') {
    return make_error(Errc::malformed, "tunnel address port must be 1..65535 without leading zeros");
  }
  std::uint32_t value = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return make_error(Errc::malformed, "tunnel address port is not decimal");
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > 65535) return make_error(Errc::malformed, "tunnel address port is above 65535");
  return {};
}

// A .b32.i2p name is the base32 of 32 bytes: 52 characters whose last one
// carries a single data bit, so its four low bits must be zero to be canonical.
bool is_canonical_i2p_b32(std::string_view name) noexcept {
  if (name.size() != kI2pB32Chars || !std::all_of(name.begin(), name.end(), is_base32_lower)) return false;
  const char last = name.back();
  const int value = (last >= 'a') ? last - 'a' : last - '2' + 26;
  return (value & 0x0F) == 0;
}

Status check_host(TransportKind kind, std::string_view host) {
  switch (kind) {
    case TransportKind::onion:
      if (host.size() == kOnionServiceIdChars + kOnionSuffix.size() && host.ends_with(kOnionSuffix) &&
          onion::tor::is_valid_service_id(host.substr(0, kOnionServiceIdChars))) {
        return {};
      }
      return make_error(Errc::malformed, "onion address is not <56 base32>.onion of a v3 service");
    case TransportKind::i2p:
      if (host.size() == kI2pB32Chars + kI2pSuffix.size() && host.ends_with(kI2pSuffix) &&
          is_canonical_i2p_b32(host.substr(0, kI2pB32Chars))) {
        return {};
      }
      return make_error(Errc::malformed, "i2p address is not <52 base32>.b32.i2p");
    case TransportKind::tcp:
      if (host == kTcpHost) return {};
      return make_error(Errc::malformed, "tcp address must be 127.0.0.1");
  }
  return make_error(Errc::unsupported, "unknown transport kind");
}

bool known_role(std::uint8_t value) noexcept {
  return value >= 0x01 && value <= 0x03;
}
bool known_transport(std::uint8_t value) noexcept {
  return value >= 0x01 && value <= 0x03;
}

}  // namespace

const char* role_name(Role role) noexcept {
  switch (role) {
    case Role::mix:
      return "mix";
    case Role::provider:
      return "provider";
    case Role::authority:
      return "authority";
  }
  return "unknown";
}

const char* transport_name(TransportKind kind) noexcept {
  switch (kind) {
    case TransportKind::onion:
      return "onion";
    case TransportKind::i2p:
      return "i2p";
    case TransportKind::tcp:
      return "tcp";
  }
  return "unknown";
}

Status check_address(TransportKind kind, std::string_view address) {
  if (address.empty() || address.size() > kMaxAddressBytes) {
    return make_error(Errc::malformed, "tunnel address must be 1.." + std::to_string(kMaxAddressBytes) + " bytes");
  }
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return make_error(Errc::malformed, "tunnel address has no port");
  if (auto host = check_host(kind, address.substr(0, colon)); !host) return host;
  return check_port(address.substr(colon + 1));
}

Status check_descriptor_fields(const Descriptor& d) {
  if (!known_role(static_cast<std::uint8_t>(d.role))) return make_error(Errc::unsupported, "unknown node role");
  if (d.role == Role::mix && (d.layer < 1 || d.layer > kMixLayers)) {
    return make_error(Errc::malformed, "a mix descriptor needs a layer 1.." + std::to_string(kMixLayers));
  }
  if (d.role != Role::mix && d.layer != 0) return make_error(Errc::malformed, "only a mix descriptor has a layer");
  if (!known_transport(static_cast<std::uint8_t>(d.transport))) {
    return make_error(Errc::unsupported, "unknown transport kind");
  }
  if (auto address = check_address(d.transport, d.address); !address) return address;
  if (d.epoch == UINT64_MAX) return make_error(Errc::malformed, "descriptor epoch has no successor");
  const bool keys_zero = is_all_zero(d.sphinx_current) && is_all_zero(d.sphinx_next);
  if (d.role == Role::authority && !keys_zero) {
    return make_error(Errc::malformed, "an authority descriptor carries no Sphinx keys");
  }
  if (d.role != Role::authority && (is_all_zero(d.sphinx_current) || is_all_zero(d.sphinx_next))) {
    return make_error(Errc::malformed, "a mix or provider descriptor needs non-zero Sphinx keys");
  }
  return {};
}

Bytes descriptor_body(const Descriptor& d) {
  Bytes out;
  out.reserve(kMaxDescriptorBytes);
  ByteWriter w(out);
  w.u8(kDescriptorVersion);
  w.bytes(d.identity);
  w.u8(static_cast<std::uint8_t>(d.role));
  w.u8(d.layer);
  w.u8(static_cast<std::uint8_t>(d.transport));
  w.u8(static_cast<std::uint8_t>(d.address.size()));
  w.bytes(as_bytes(d.address));
  w.bytes(d.link_x25519);
  w.u64_be(d.epoch);
  w.bytes(d.sphinx_current);
  w.bytes(d.sphinx_next);
  return out;
}

Bytes encode_descriptor(const Descriptor& descriptor) {
  Bytes out = descriptor_body(descriptor);
  out.insert(out.end(), descriptor.signature.begin(), descriptor.signature.end());
  return out;
}

Result<Descriptor> decode_descriptor(ByteView encoded) {
  if (encoded.size() > kMaxDescriptorBytes) return make_error(Errc::malformed, "descriptor is too long");
  ByteReader r(encoded);
  auto version = r.u8();
  if (!version) return make_error(Errc::malformed, "descriptor is empty");
  if (*version != kDescriptorVersion) return make_error(Errc::unsupported, "unknown descriptor version");
  auto identity = r.take(kIdentityKeyBytes);
  auto role = r.u8();
  auto layer = r.u8();
  auto transport = r.u8();
  auto address_len = r.u8();
  if (!identity || !role || !layer || !transport || !address_len) {
    return make_error(Errc::malformed, "descriptor is truncated");
  }
  if (!known_role(*role)) return make_error(Errc::unsupported, "unknown node role");
  if (!known_transport(*transport)) return make_error(Errc::unsupported, "unknown transport kind");
  auto address = r.take(*address_len);
  auto link = r.take(kLinkKeyBytes);
  auto epoch = r.u64_be();
  auto current = r.take(kSphinxKeyBytes);
  auto next = r.take(kSphinxKeyBytes);
  auto signature = r.take(kSignatureBytes);
  if (!address || !link || !epoch || !current || !next || !signature) {
    return make_error(Errc::malformed, "descriptor is truncated");
  }
  if (!r.at_end()) return make_error(Errc::malformed, "descriptor has trailing bytes");
  Descriptor d;
  d.identity = to_array<kIdentityKeyBytes>(*identity);
  d.role = static_cast<Role>(*role);
  d.layer = *layer;
  d.transport = static_cast<TransportKind>(*transport);
  d.address.assign(address->begin(), address->end());
  d.link_x25519 = to_array<kLinkKeyBytes>(*link);
  d.epoch = *epoch;
  d.sphinx_current = to_array<kSphinxKeyBytes>(*current);
  d.sphinx_next = to_array<kSphinxKeyBytes>(*next);
  d.signature = to_array<kSignatureBytes>(*signature);
  if (auto fields = check_descriptor_fields(d); !fields) return std::move(fields).error();
  return d;
}

Result<Descriptor> sign_descriptor(Descriptor descriptor, const IdentityKeyPair& key) {
  descriptor.identity = key.public_key;
  if (auto fields = check_descriptor_fields(descriptor); !fields) return std::move(fields).error();
  descriptor.signature = detail::sign_with_domain(kDescriptorSignatureDomain, descriptor_body(descriptor), key);
  return descriptor;
}

Status verify_descriptor(const Descriptor& descriptor) {
  if (!detail::verify_with_domain(kDescriptorSignatureDomain, descriptor_body(descriptor), descriptor.signature,
                                  descriptor.identity)) {
    return make_error(Errc::crypto, "descriptor self-signature does not verify");
  }
  return {};
}

namespace detail {

namespace {
Bytes signed_message(const DomainLabel& domain, ByteView body) {
  Bytes message;
  message.reserve(domain.size() + body.size());
  message.insert(message.end(), domain.begin(), domain.end());
  message.insert(message.end(), body.begin(), body.end());
  return message;
}
}  // namespace

Signature sign_with_domain(const DomainLabel& domain, ByteView body, const IdentityKeyPair& key) {
  const Bytes message = signed_message(domain, body);
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), key.secret.data());
  return signature;
}

bool verify_with_domain(const DomainLabel& domain, ByteView body, const Signature& signature,
                        const IdentityKey& signer) {
  const Bytes message = signed_message(domain, body);
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), signer.data()) == 0;
}

}  // namespace detail
}  // namespace tenebra::router::directory
