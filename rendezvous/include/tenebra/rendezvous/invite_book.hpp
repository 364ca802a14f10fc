// The inviter's record of the invites it issued (docs/rendezvous.md §5):
// create, revoke, regenerate, list, and the look-up an incoming acceptance
// needs (the one-time X25519 secret and the seed), refused with a clear
// message for an unknown, revoked, expired or already used invite. An invite
// is one-time: mark_used wipes its secret once the handshake completed; a
// revoked invite's secret is wiped at once. Records have a strict encoding
// for the client store.
// Pure state, no I/O; time and randomness are parameters.
// Thread-safety: not thread-safe; one owner.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/rendezvous/invite.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::rendezvous {

inline constexpr std::uint8_t kInviteRecordVersion = 0x01;
inline constexpr std::size_t kMaxInviteRecords = 1024;

enum class InviteState : std::uint8_t { active = 0x01, revoked = 0x02, used = 0x03 };
const char* invite_state_name(InviteState state) noexcept;

struct InviteRecord {
  Invite invite;
  UnixSeconds issued_at{};
  InviteState state = InviteState::active;
  SecretKey32 one_time_secret;  // all zero unless active

  InviteRecord clone() const;
};

// What list() shows: no secret.
struct InviteSummary {
  InviteId invite_id{};
  std::string network_id;
  UnixSeconds issued_at{};
  UnixSeconds expires_at{};
  InviteState state = InviteState::active;
};

// What answering an acceptance of the invite needs.
struct AcceptanceKeys {
  SecretKey32 one_time_secret;
  InviteKey one_time_key{};
  RendezvousSeed seed;
};

class InviteBook {
 public:
  // Issues an invite for `network_id` that expires `lifetime` (kMinInviteLifetime ..
  // kMaxInviteLifetime) after `now`. Draws from `rng`, in this order: the
  // invite id (16 bytes), the one-time X25519 secret (32), the seed (32).
  // The provider is select_provider(topology, invite_mailbox_id(seed)); the
  // topology must be of `network_id`.
  [[nodiscard]] Result<Invite> create(Random& rng, std::chrono::system_clock::time_point now,
                                      std::chrono::seconds lifetime, std::string_view network_id,
                                      const router::directory::Topology& topology);
  // Idempotent on a revoked invite; Errc::not_found for an unknown id,
  // Errc::invalid_argument for a used one.
  [[nodiscard]] Status revoke(const InviteId& invite_id);
  // Revokes the invite (if still active) and issues a new one with fresh
  // keys and seed, for the same network and lifetime. Not for a used invite.
  // When no new invite can be issued, the old one is left as it was.
  [[nodiscard]] Result<Invite> regenerate(Random& rng, std::chrono::system_clock::time_point now,
                                          const InviteId& invite_id, const router::directory::Topology& topology);
  // Drops a record entirely (it can no longer be looked up, even as revoked).
  [[nodiscard]] Status forget(const InviteId& invite_id);

  std::vector<InviteSummary> list() const;  // ordered by invite id
  const InviteRecord* find(const InviteId& invite_id) const;
  std::size_t size() const noexcept { return m_records.size(); }

  // Errc::not_found "no invite with this id was issued here", Errc::invalid_argument
  // "this invite was revoked" / "this invite was already used", Errc::timeout
  // "this invite expired on <UTC date>".
  [[nodiscard]] Result<AcceptanceKeys> lookup_for_acceptance(const InviteId& invite_id,
                                                             std::chrono::system_clock::time_point now) const;
  // The handshake completed: the invite becomes used and its secret is wiped.
  // Only an active invite can be used.
  [[nodiscard]] Status mark_used(const InviteId& invite_id);

  // Puts back a record read from the store (a duplicate id is refused).
  [[nodiscard]] Status restore(InviteRecord record);

 private:
  std::map<InviteId, InviteRecord> m_records;
};

// Strict record codec for the client store. The encoding holds the seed and,
// while active, the one-time secret: wipe it (sodium_memzero) once stored.
// version | state | issued_at (u64) | invite length (u16) | invite binary | one-time secret (32)
Bytes encode_invite_record(const InviteRecord& record);
// Refuses unknown versions and states, a lifetime outside the bounds, a
// secret that does not give the invite's key (active) or is not zero
// (revoked, used), and trailing bytes.
[[nodiscard]] Result<InviteRecord> decode_invite_record(ByteView encoded);

}  // namespace tenebra::rendezvous
