// Invites (docs/rendezvous.md §3-§5): what one user hands another, out of
// band, to become a contact. An invite is a capability: whoever holds it can
// answer it, so its text is as secret as its seed.
//
// Binary form: version | network id (u8 length) | invite id | one-time
// X25519 public key | rendezvous seed | expires_at (u64 Unix seconds) |
// provider identity | 4-byte BLAKE2b checksum. Text forms: the URI
// `tenebra://invite/` + RFC 4648 base32, lower case, no padding; the QR form
// is the same string in upper case (QR alphanumeric mode). decode_invite_text
// takes either case (never a mix), trims nothing, caps the length, and tells
// apart: wrong prefix, bad base32, checksum mismatch, unknown version, bad
// network id, bad field, trailing bytes. The codec is canonical: whatever
// decodes re-encodes to the same text (modulo the case chosen).
// Pure functions, safe from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/rendezvous/invite_constants.hpp"
#include "tenebra/rendezvous/mailbox_schedule.hpp"
#include "tenebra/router/descriptor.hpp"

namespace tenebra::rendezvous {

using InviteId = std::array<std::uint8_t, kInviteIdBytes>;
using InviteKey = std::array<std::uint8_t, kInviteKeyBytes>;

struct Invite {
  std::string network_id;  // 1..32 of [a-z0-9-], as the directory's
  InviteId invite_id{};
  InviteKey one_time_key{};  // the inviter's one-time X25519 public key
  RendezvousSeed seed;       // secret: derives the invite mailbox
  UnixSeconds expires_at{};
  router::directory::IdentityKey provider{};  // hosts invite_mailbox_id(seed)

  Invite clone() const;
  bool operator==(const Invite& other) const;  // the seed compared in constant time
};

// Every field rule: network id, expiry in 0 .. kMaxInviteExpiry.
[[nodiscard]] Status check_invite_fields(const Invite& invite);

// `invite` must pass check_invite_fields. The results hold the seed: wipe
// them (sodium_memzero) when done.
Bytes encode_invite_binary(const Invite& invite);
[[nodiscard]] Result<Invite> decode_invite_binary(ByteView encoded);

enum class InviteTextForm { uri, qr };
std::string encode_invite_text(const Invite& invite, InviteTextForm form = InviteTextForm::uri);
[[nodiscard]] Result<Invite> decode_invite_text(std::string_view text);

// Whether the invitee may answer `invite` at `now` on `network_id`:
// "this invite expired on <UTC date>" (Errc::timeout) or "this invite is for
// network X, you are on Y" (Errc::invalid_argument).
[[nodiscard]] Status check_invite_usable(const Invite& invite, std::chrono::system_clock::time_point now,
                                         std::string_view network_id);

// "YYYY-MM-DD HH:MM:SS UTC", as used in the messages above.
std::string format_utc(UnixSeconds when);

}  // namespace tenebra::rendezvous
