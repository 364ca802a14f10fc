// The rotating rendezvous rule (docs/rendezvous.md §6-§9): which mailbox id
// two contacts (or a group) use in each period, when each pair switches to
// the next period, which provider hosts a mailbox, and which periods a
// recipient still fetches.
//
// Periods are numbered like the network's epochs and have the epoch length,
// but each seed switches at its own offset inside the epoch:
//   period p (p >= 1) covers [start_of(p) + offset, start_of(p+1) + offset);
//   period 0 starts at genesis (there is no earlier period to finish).
// mailbox id = BLAKE2b-256(key = seed, personal = "tenebra/mailbox",
//   msg = lp("tenebra mailbox v1") || lp(direction label) || lp(u64 period)),
// where lp(x) = u16 length || x. Pure functions, safe from any thread; the
// seed is a secret, and mailbox ids are secrets too (never log them).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"
#include "tenebra/mix/sphinx_constants.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/epoch.hpp"
#include "tenebra/router/provider_select.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::rendezvous {

inline constexpr std::size_t kRendezvousSeedBytes = 32;
using RendezvousSeed = SecretArray<kRendezvousSeedBytes>;
using MailboxId = router::directory::MailboxId;
using Period = std::uint64_t;
using UnixSeconds = router::directory::UnixSeconds;

// BLAKE2b personalisation of every derivation here (16 bytes, zero-padded).
inline constexpr mix::sphinx::Label kLabelMailbox = mix::sphinx::make_label("tenebra/mailbox");
// The first length-prefixed field of every derivation: names the rule and its version.
inline constexpr std::string_view kMailboxDomain = "tenebra mailbox v1";
inline constexpr std::string_view kOffsetLabel = "offset";
inline constexpr std::string_view kInviteMailboxLabel = "invite";

// Whose inbox a mailbox is: each side of a contact fetches only its own.
enum class MailboxDirection : std::uint8_t {
  inviter_inbox,  // written by the invitee, fetched by the inviter
  invitee_inbox,  // written by the inviter, fetched by the invitee
  group,          // one mailbox per group and period, fetched by every member
};
std::string_view direction_label(MailboxDirection direction) noexcept;

// Most periods periods_to_fetch returns (current included).
inline constexpr std::size_t kMaxFetchPeriods = 64;

// This seed's switch offset in [0, length): the 32-byte keyed BLAKE2b of
// (domain, "offset") read as a big-endian number, mod length in seconds.
std::chrono::seconds switch_offset(const RendezvousSeed& seed, std::chrono::seconds length);

// The period this seed is in at `when`. Errc::invalid_argument before genesis.
[[nodiscard]] Result<Period> period_at(const router::directory::EpochSchedule& schedule, const RendezvousSeed& seed,
                                       std::chrono::system_clock::time_point when);
// When period `period` begins for this seed: start_of(period) + offset, and
// genesis for period 0. Errc::invalid_argument beyond the clock's range.
[[nodiscard]] Result<UnixSeconds> period_switch_time(const router::directory::EpochSchedule& schedule,
                                                     const RendezvousSeed& seed, Period period);

MailboxId mailbox_id(const RendezvousSeed& seed, MailboxDirection direction, Period period);
// The mailbox an invite's acceptance goes to: fixed for the invite's life.
MailboxId invite_mailbox_id(const RendezvousSeed& seed);

// The current period first, then every earlier period whose end (the next
// period's switch time) is at most `retention` before `now`, newest first:
// a sender may still be writing into the previous period near the switch,
// and items wait at providers. Errc::invalid_argument for a negative
// retention or a time before genesis; Errc::exhausted when the window would
// span more than kMaxFetchPeriods periods.
[[nodiscard]] Result<std::vector<Period>> periods_to_fetch(const router::directory::EpochSchedule& schedule,
                                                           const RendezvousSeed& seed,
                                                           std::chrono::system_clock::time_point now,
                                                           std::chrono::seconds retention);

// The provider hosting `mailbox` for a period: select_provider over the
// topology of the period's epoch. If that provider is no longer in
// `current` (it left the network), the selection is made over `current`
// instead, so both sides still meet. The descriptor returned is always the
// one from `current` (fresh address and Sphinx keys). Errc::invalid_argument
// if the documents are of different networks or `current` is older.
[[nodiscard]] Result<router::directory::Descriptor> mailbox_provider(const router::directory::Topology& period_topology,
                                                                     const router::directory::Topology& current,
                                                                     const MailboxId& mailbox);

}  // namespace tenebra::rendezvous
