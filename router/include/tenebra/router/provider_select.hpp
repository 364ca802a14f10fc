// Which provider hosts a mailbox (docs/directory.md §7): rendezvous hashing.
// Every provider gets the score BLAKE2b-256(key = mailbox id, personal =
// "tenebra/provider", message = provider identity); the highest score, read
// as a 32-byte big-endian number, wins. Everyone holding the same topology
// picks the same provider, and a provider joining or leaving moves only the
// mailboxes it wins or held. Pure functions, safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "tenebra/core/result.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::router::directory {

using MailboxId = std::array<std::uint8_t, kMailboxIdBytes>;
using SelectionScore = std::array<std::uint8_t, kSelectionScoreBytes>;

SelectionScore provider_score(const MailboxId& mailbox, const IdentityKey& provider);

// Index into `providers` of the winner; Errc::not_found when there is none.
[[nodiscard]] Result<std::size_t> select_provider_index(std::span<const Descriptor> providers,
                                                        const MailboxId& mailbox);
// The winning provider of `topology`.
[[nodiscard]] Result<Descriptor> select_provider(const Topology& topology, const MailboxId& mailbox);

}  // namespace tenebra::router::directory
