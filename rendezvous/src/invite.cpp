#include "tenebra/rendezvous/invite.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "tenebra/router/topology.hpp"

namespace tenebra::rendezvous {

namespace {

constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
// invite id, one-time key, seed, expires_at, provider.
constexpr std::size_t kInviteBytesAfterNetwork =
    kInviteIdBytes + kInviteKeyBytes + kInviteSeedBytes + 8 + kInviteProviderBytes;

std::array<std::uint8_t, kInviteChecksumBytes> invite_checksum(ByteView body) {
  static_assert(sizeof(kLabelInviteChecksum) == crypto_generichash_blake2b_PERSONALBYTES);
  std::array<std::uint8_t, 32> digest{};
  crypto_generichash_blake2b_salt_personal(digest.data(), digest.size(), body.data(), body.size(), nullptr, 0, nullptr,
                                           reinterpret_cast<const unsigned char*>(kLabelInviteChecksum.data()));
  std::array<std::uint8_t, kInviteChecksumBytes> out{};
  std::copy_n(digest.begin(), out.size(), out.begin());
  return out;
}

// RFC 4648 base32, lower case, no padding.
std::string base32_encode(ByteView bytes) {
  std::string out;
  out.reserve(base32_chars(bytes.size()));
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 31U]);
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 31U]);
  return out;
}

int base32_value(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return 26 + (c - '2');
  return -1;
}

// Strict: lower-case letters only, a length that unpadded base32 can have,
// and zero bits after the last whole byte (so there is one text per binary).
Result<Bytes> base32_decode(std::string_view text) {
  Bytes out;
  out.reserve(text.size() * 5 / 8);
  // The bytes hold the invite's seed: wiped on every refusal below. (The
  // reservation is the largest possible output, so nothing reallocates.)
  const auto refuse = [&out](std::string message) {
    sodium_memzero(out.data(), out.size());
    return make_error(Errc::malformed, std::move(message));
  };
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int value = base32_value(text[i]);
    if (value < 0) {
      return refuse("bad base32 in the invite: character " + std::to_string(i + 1) + " is not a base32 letter");
    }
    buffer = ((buffer << 5) | static_cast<std::uint32_t>(value)) & 0xFFFU;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
    }
  }
  const std::size_t tail = text.size() % 8;
  if (tail == 1 || tail == 3 || tail == 6) {
    return refuse("bad base32 in the invite: " + std::to_string(text.size()) +
                  " characters is not a possible length (mistyped or cut off?)");
  }
  if ((buffer & ((1U << bits) - 1U)) != 0) {
    return refuse("bad base32 in the invite: its last character is not canonical");
  }
  return out;
}

bool equals_ignoring_case(std::string_view text, std::string_view expected) {
  return text.size() == expected.size() && std::equal(text.begin(), text.end(), expected.begin(), [](char a, char b) {
           const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(a) == lower(b);
         });
}

Status fields_error(std::string message) {
  return make_error(Errc::malformed, std::move(message));
}

}  // namespace

Invite Invite::clone() const {
  Invite copy;
  copy.network_id = network_id;
  copy.invite_id = invite_id;
  copy.one_time_key = one_time_key;
  copy.seed = seed.clone();
  copy.expires_at = expires_at;
  copy.provider = provider;
  return copy;
}

bool Invite::operator==(const Invite& other) const {
  return network_id == other.network_id && invite_id == other.invite_id && one_time_key == other.one_time_key &&
         seed.equals(other.seed) && expires_at == other.expires_at && provider == other.provider;
}

Status check_invite_fields(const Invite& invite) {
  if (auto network = router::directory::check_network_id(invite.network_id); !network) {
    return fields_error("bad network id in the invite: " + network.error().message);
  }
  const auto expiry = invite.expires_at.time_since_epoch().count();
  if (expiry < 0 || static_cast<std::uint64_t>(expiry) > kMaxInviteExpiry) {
    return fields_error("the invite's expiry time is out of range");
  }
  return {};
}

Bytes encode_invite_binary(const Invite& invite) {
  Bytes out;
  out.reserve(kMaxInviteBytes);
  ByteWriter writer(out);
  writer.u8(kInviteVersion);
  writer.u8(static_cast<std::uint8_t>(invite.network_id.size()));
  writer.bytes(as_bytes(invite.network_id));
  writer.bytes(invite.invite_id);
  writer.bytes(invite.one_time_key);
  writer.bytes(invite.seed.view());
  writer.u64_be(static_cast<std::uint64_t>(invite.expires_at.time_since_epoch().count()));
  writer.bytes(invite.provider);
  writer.bytes(invite_checksum(out));
  return out;
}

Result<Invite> decode_invite_binary(ByteView encoded) {
  if (encoded.size() < kMinInviteBytes) {
    return make_error(Errc::malformed, "the invite is too short (" + std::to_string(encoded.size()) +
                                           " bytes, at least " + std::to_string(kMinInviteBytes) + "): cut off?");
  }
  const ByteView body = encoded.first(encoded.size() - kInviteChecksumBytes);
  const auto expected = invite_checksum(body);
  if (!std::equal(expected.begin(), expected.end(), encoded.end() - kInviteChecksumBytes, encoded.end())) {
    return make_error(Errc::malformed, "checksum mismatch: the invite was mistyped or cut off");
  }
  ByteReader reader(body);
  const std::uint8_t version = reader.u8().value();  // the length check above covers every fixed read
  if (version != kInviteVersion) {
    return make_error(Errc::unsupported,
                      "unknown invite version " + std::to_string(version) + ": this invite needs a newer Tenebra");
  }
  const std::size_t network_length = reader.u8().value();
  if (network_length == 0 || network_length > kMaxInviteNetworkIdBytes ||
      reader.remaining() < network_length + kInviteBytesAfterNetwork) {
    return make_error(Errc::malformed, "bad network id in the invite: its length " + std::to_string(network_length) +
                                           " is not 1.." + std::to_string(kMaxInviteNetworkIdBytes) +
                                           " or runs past the end");
  }
  Invite invite;
  const ByteView network = reader.take(network_length).value();
  invite.network_id.assign(network.begin(), network.end());
  std::ranges::copy(reader.take(kInviteIdBytes).value(), invite.invite_id.begin());
  std::ranges::copy(reader.take(kInviteKeyBytes).value(), invite.one_time_key.begin());
  std::ranges::copy(reader.take(kInviteSeedBytes).value(), invite.seed.span().begin());
  const std::uint64_t expiry = reader.u64_be().value();
  if (expiry > kMaxInviteExpiry) return make_error(Errc::malformed, "the invite's expiry time is out of range");
  invite.expires_at = UnixSeconds(std::chrono::seconds(static_cast<std::int64_t>(expiry)));
  std::ranges::copy(reader.take(kInviteProviderBytes).value(), invite.provider.begin());
  if (!reader.at_end()) {
    return make_error(Errc::malformed,
                      "the invite has " + std::to_string(reader.remaining()) + " trailing bytes after its fields");
  }
  if (auto fields = check_invite_fields(invite); !fields) return std::move(fields).error();
  return invite;
}

std::string encode_invite_text(const Invite& invite, InviteTextForm form) {
  Bytes binary = encode_invite_binary(invite);
  std::string text(kInviteUriPrefix);
  text += base32_encode(binary);
  sodium_memzero(binary.data(), binary.size());
  if (form == InviteTextForm::qr) {
    std::ranges::transform(text, text.begin(),
                           [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; });
  }
  return text;
}

Result<Invite> decode_invite_text(std::string_view text) {
  if (text.size() > kMaxInviteTextChars) {
    return make_error(Errc::malformed, "the invite is too long (" + std::to_string(text.size()) +
                                           " characters, at most " + std::to_string(kMaxInviteTextChars) + ")");
  }
  if (text.size() < kInviteUriPrefix.size() ||
      !equals_ignoring_case(text.substr(0, kInviteUriPrefix.size()), kInviteUriPrefix)) {
    return make_error(Errc::malformed,
                      "this is not a Tenebra invite: it must start with " + std::string(kInviteUriPrefix));
  }
  const bool has_upper = std::ranges::any_of(text, [](char c) { return c >= 'A' && c <= 'Z'; });
  const bool has_lower = std::ranges::any_of(text, [](char c) { return c >= 'a' && c <= 'z'; });
  if (has_upper && has_lower) {
    return make_error(Errc::malformed, "the invite mixes upper and lower case: use it exactly as it was given");
  }
  std::string payload(text.substr(kInviteUriPrefix.size()));
  if (has_upper) {
    std::ranges::transform(payload, payload.begin(),
                           [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  }
  auto binary = base32_decode(payload);
  sodium_memzero(payload.data(), payload.size());
  if (!binary) return std::move(binary).error();
  auto invite = decode_invite_binary(*binary);
  sodium_memzero(binary->data(), binary->size());
  return invite;
}

Status check_invite_usable(const Invite& invite, std::chrono::system_clock::time_point now,
                           std::string_view network_id) {
  if (invite.network_id != network_id) {
    return make_error(Errc::invalid_argument,
                      "this invite is for network " + invite.network_id + ", you are on " + std::string(network_id));
  }
  if (now >= invite.expires_at) {
    return make_error(Errc::timeout, "this invite expired on " + format_utc(invite.expires_at));
  }
  return {};
}

std::string format_utc(UnixSeconds when) {
  const auto day = std::chrono::floor<std::chrono::days>(when);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss time(when - day);
  std::array<char, 48> text{};
  const int length = std::snprintf(
      text.data(), text.size(), "%04d-%02u-%02u %02ld:%02ld:%02ld UTC", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), static_cast<long>(time.hours().count()),
      static_cast<long>(time.minutes().count()), static_cast<long>(time.seconds().count()));
  return length > 0 ? std::string(text.data(), static_cast<std::size_t>(length)) : std::string();
}

}  // namespace tenebra::rendezvous
