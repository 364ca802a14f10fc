// Invites: the known-answer URI (computed independently with python3
// hashlib and base64, docs/rendezvous.md §10), round trips of the binary,
// URI and QR forms, every refusal with its message, case handling, and the
// usability check (expiry, network).
#include "tenebra/rendezvous/invite.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace tenebra::rendezvous {
namespace {

using namespace std::chrono_literals;

// The doc's vector: network "testnet-1", each field counting up from a base.
template <std::size_t N>
std::array<std::uint8_t, N> counting(std::uint8_t first) {
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

Invite vector_invite() {
  Invite invite;
  invite.network_id = "testnet-1";
  invite.invite_id = counting<16>(0x10);
  invite.one_time_key = counting<32>(0x20);
  const auto seed = counting<32>(0x40);
  invite.seed = RendezvousSeed(std::span<const std::uint8_t, 32>(seed));
  invite.expires_at = UnixSeconds(1'767'225'600s);  // 2026-01-01 00:00:00 UTC
  invite.provider = counting<32>(0x60);
  return invite;
}

constexpr std::string_view kVectorUri =
    "tenebra://invite/"
    "aeexizltorxgk5bngeibceqtcqkrmfyydenbwha5dypsaijcemsckjrhfausukzmfuxc6mbrgiztinjwg44dsor3hq6t4p2aifbegrcfizduqskkjn"
    "ge2"
    "tspkbiveu2ukvlfowczljnvyxk6l4aaaaaanfk3sadamfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpj5xy7l6p4iwa373";

std::string upper(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

Error decode_error(std::string_view text) {
  auto decoded = decode_invite_text(text);
  EXPECT_FALSE(decoded) << text;
  return decoded ? Error{} : decoded.error();
}

// Re-encodes a modified binary with a correct checksum.
std::string text_of_binary(Bytes body) {
  std::array<std::uint8_t, 32> digest{};
  crypto_generichash_blake2b_salt_personal(digest.data(), digest.size(), body.data(), body.size(), nullptr, 0, nullptr,
                                           reinterpret_cast<const unsigned char*>(kLabelInviteChecksum.data()));
  body.insert(body.end(), digest.begin(), digest.begin() + 4);
  // Borrow the encoder's base32 through a decodable invite is not possible
  // for broken bodies, so encode here (RFC 4648, lower case, no padding).
  constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out(kInviteUriPrefix);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::uint8_t byte : body) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(alphabet[(buffer >> bits) & 31U]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 31U]);
  return out;
}

Bytes body_of(const Invite& invite) {
  Bytes binary = encode_invite_binary(invite);
  binary.resize(binary.size() - kInviteChecksumBytes);
  return binary;
}

TEST(InviteCodec, KnownAnswerUri) {
  const Invite invite = vector_invite();
  EXPECT_EQ(encode_invite_text(invite), kVectorUri);
  EXPECT_EQ(
      to_hex(encode_invite_binary(invite)),
      "0109746573746e65742d31101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233343536373839"
      "3a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f000000006955b900606162636465666768"
      "696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f11606ffb");
  auto decoded = decode_invite_text(kVectorUri);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, invite);
}

TEST(InviteCodec, QrFormIsUpperCaseAndDecodes) {
  const Invite invite = vector_invite();
  const std::string qr = encode_invite_text(invite, InviteTextForm::qr);
  EXPECT_EQ(qr, upper(kVectorUri));
  EXPECT_TRUE(qr.starts_with(kInviteQrPrefix));
  // QR alphanumeric mode: 0-9 A-Z space $ % * + - . / :
  EXPECT_TRUE(std::ranges::all_of(qr, [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
           std::string_view(" $%*+-./:").find(c) != std::string_view::npos;
  }));
  auto decoded = decode_invite_text(qr);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, invite);
}

TEST(InviteCodec, RoundTripsEveryNetworkLength) {
  Invite invite = vector_invite();
  for (std::size_t length = 1; length <= kMaxInviteNetworkIdBytes; ++length) {
    invite.network_id = std::string(length, 'a');
    invite.network_id.back() = '9';
    const std::string text = encode_invite_text(invite);
    EXPECT_LE(text.size(), kMaxInviteTextChars);
    auto decoded = decode_invite_text(text);
    ASSERT_TRUE(decoded) << length << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, invite);
    EXPECT_EQ(encode_invite_text(*decoded), text);
  }
  EXPECT_EQ(encode_invite_text(invite).size(), kMaxInviteTextChars);
}

TEST(InviteCodec, RefusesWrongPrefix) {
  for (const std::string_view text : {"", "tenebra://invit", "https://invite/aaaa", "tenebra:/invite/aeex",
                                      "tenebra://contact/aeexizlt", " tenebra://invite/aeex"}) {
    const Error error = decode_error(text);
    EXPECT_EQ(error.code, Errc::malformed);
    EXPECT_EQ(error.message, "this is not a Tenebra invite: it must start with tenebra://invite/") << text;
  }
}

TEST(InviteCodec, RefusesMixedCase) {
  std::string mixed(kVectorUri);
  mixed[20] = static_cast<char>(std::toupper(mixed[20]));
  EXPECT_EQ(decode_error(mixed).message, "the invite mixes upper and lower case: use it exactly as it was given");
  std::string mixed_prefix = upper(kVectorUri);
  mixed_prefix[0] = 't';
  EXPECT_EQ(decode_error(mixed_prefix).message,
            "the invite mixes upper and lower case: use it exactly as it was given");
}

TEST(InviteCodec, RefusesBadBase32) {
  const std::string text(kVectorUri);
  EXPECT_EQ(decode_error(text + "\n").message, "bad base32 in the invite: character 217 is not a base32 letter");
  EXPECT_EQ(decode_error(text.substr(0, 40) + "1" + text.substr(41)).message,
            "bad base32 in the invite: character 24 is not a base32 letter");
  EXPECT_EQ(decode_error(text.substr(0, 40) + "=" + text.substr(41)).code, Errc::malformed);
  // 216 base32 characters: 216 % 8 == 0 is fine, 215 % 8 == 7 fine, 214 % 8 == 6 is not.
  EXPECT_EQ(decode_error(text.substr(0, text.size() - 2)).message,
            "bad base32 in the invite: 214 characters is not a possible length (mistyped or cut off?)");
  // With a 10-byte network id the binary has 136 bytes: 218 characters, the
  // last one carrying 2 unused bits. Setting one keeps the bytes but is not
  // canonical.
  Invite invite = vector_invite();
  invite.network_id = "testnet-12";
  std::string loose = encode_invite_text(invite);
  ASSERT_TRUE(decode_invite_text(loose));
  constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  loose.back() = alphabet[alphabet.find(loose.back()) ^ 1U];
  EXPECT_EQ(decode_error(loose).message, "bad base32 in the invite: its last character is not canonical");
}

TEST(InviteCodec, RefusesChecksumMismatch) {
  std::string typo(kVectorUri);
  typo[60] = typo[60] == 'a' ? 'b' : 'a';
  const Error error = decode_error(typo);
  EXPECT_EQ(error.code, Errc::malformed);
  EXPECT_EQ(error.message, "checksum mismatch: the invite was mistyped or cut off");
  // Cut off at a valid base32 length.
  EXPECT_EQ(decode_error(std::string(kVectorUri).substr(0, kVectorUri.size() - 8)).message,
            "checksum mismatch: the invite was mistyped or cut off");
}

TEST(InviteCodec, RefusesTooShortAndTooLong) {
  EXPECT_EQ(decode_error("tenebra://invite/").message,
            "the invite is too short (0 bytes, at least " + std::to_string(kMinInviteBytes) + "): cut off?");
  EXPECT_EQ(decode_error(std::string(kVectorUri).substr(0, 60)).code, Errc::malformed);
  const std::string too_long = std::string(kInviteUriPrefix) + std::string(kMaxInviteTextChars, 'a');
  EXPECT_EQ(decode_error(too_long).message, "the invite is too long (" + std::to_string(too_long.size()) +
                                                " characters, at most " + std::to_string(kMaxInviteTextChars) + ")");
}

TEST(InviteCodec, RefusesUnknownVersion) {
  Bytes body = body_of(vector_invite());
  body[0] = 0x02;
  const Error error = decode_error(text_of_binary(body));
  EXPECT_EQ(error.code, Errc::unsupported);
  EXPECT_EQ(error.message, "unknown invite version 2: this invite needs a newer Tenebra");
}

TEST(InviteCodec, RefusesBadNetworkId) {
  Bytes upper_case = body_of(vector_invite());
  upper_case[2] = 'T';
  EXPECT_EQ(decode_error(text_of_binary(upper_case)).message,
            "bad network id in the invite: network id must be 1..32 of [a-z0-9-]");
  Bytes zero_length = body_of(vector_invite());
  zero_length[1] = 0;
  EXPECT_EQ(decode_error(text_of_binary(zero_length)).message,
            "bad network id in the invite: its length 0 is not 1..32 or runs past the end");
  Bytes too_long = body_of(vector_invite());
  too_long[1] = 33;
  EXPECT_NE(decode_error(text_of_binary(too_long)).message.find("bad network id in the invite"), std::string::npos);
  Bytes past_end = body_of(vector_invite());
  past_end[1] = 10;  // one more than the 9 present: the fixed fields no longer fit
  EXPECT_NE(decode_error(text_of_binary(past_end)).message.find("runs past the end"), std::string::npos);
}

TEST(InviteCodec, RefusesTrailingBytes) {
  Bytes body = body_of(vector_invite());
  body.push_back(0);
  body.push_back(0);
  EXPECT_EQ(decode_error(text_of_binary(body)).message, "the invite has 2 trailing bytes after its fields");
}

TEST(InviteCodec, RefusesExpiryOutOfRange) {
  Bytes body = body_of(vector_invite());
  const std::size_t expiry_at = 2 + 9 + 16 + 32 + 32;
  std::fill_n(body.begin() + static_cast<std::ptrdiff_t>(expiry_at), 8, 0xFF);
  EXPECT_EQ(decode_error(text_of_binary(body)).message, "the invite's expiry time is out of range");
  Invite invite = vector_invite();
  invite.expires_at = UnixSeconds(-1s);
  EXPECT_FALSE(check_invite_fields(invite));
}

TEST(InviteCodec, UsableChecksExpiryAndNetwork) {
  const Invite invite = vector_invite();
  EXPECT_TRUE(check_invite_usable(invite, invite.expires_at - 1s, "testnet-1"));
  const auto expired = check_invite_usable(invite, invite.expires_at, "testnet-1");
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Errc::timeout);
  EXPECT_EQ(expired.error().message, "this invite expired on 2026-01-01 00:00:00 UTC");
  const auto wrong_network = check_invite_usable(invite, invite.expires_at - 1s, "mainnet");
  ASSERT_FALSE(wrong_network);
  EXPECT_EQ(wrong_network.error().message, "this invite is for network testnet-1, you are on mainnet");
  EXPECT_EQ(format_utc(UnixSeconds(951'827'696s)), "2000-02-29 12:34:56 UTC");
}

}  // namespace
}  // namespace tenebra::rendezvous
