// When the directory round of a target epoch E happens (docs/directory.md
// §10.1), all derived from the EpochSchedule:
//
//   upload_from(E) = start(E-1)                 nodes upload their descriptor for E, retrying
//   vote_at(E)     = start(E) - length/2        authorities freeze and sign their votes
//   tally_at(E)    = start(E) - length/4        authorities have fetched peer votes and tally
//   fetch_from(E)  = start(E) - length/8        nodes and clients fetch the document of E
//
// Fractions of an epoch are taken in milliseconds, so even a 1 s testnet
// epoch has four distinct instants. Epoch 0 has no round (its upload window
// would open before genesis): the first document is for epoch 1.
// Pure functions of their arguments, safe from any thread.
#pragma once

#include <chrono>

#include "tenebra/core/result.hpp"
#include "tenebra/router/epoch.hpp"

namespace tenebra::router::directory {

using WallTime = std::chrono::system_clock::time_point;

// Divisors of the epoch length: how long before start(E) each step happens.
inline constexpr int kVoteLeadDivisor = 2;
inline constexpr int kTallyLeadDivisor = 4;
inline constexpr int kFetchLeadDivisor = 8;

// The four instants of the round for one target epoch.
struct DirectoryRound {
  Epoch target = 0;
  WallTime upload_from;
  WallTime vote_at;
  WallTime tally_at;
  WallTime fetch_from;
  bool operator==(const DirectoryRound&) const = default;
};

// Errc::invalid_argument for epoch 0 or an epoch beyond the clock's range.
[[nodiscard]] Result<DirectoryRound> directory_round(const EpochSchedule& schedule, Epoch target);

// The epoch a node's next descriptor upload is for: the smallest E >= 1
// whose vote_at(E) is after `now` (before genesis: 1). The upload window of
// that E may not be open yet (now < upload_from(E)): then the node waits.
[[nodiscard]] Result<Epoch> next_target(const EpochSchedule& schedule, WallTime now);

// The newest epoch whose document may be fetched at `now`: current + 1 once
// fetch_from(current + 1) has passed, else the current epoch. A node without
// the current epoch's document fetches that one too. Errc::invalid_argument
// before genesis; Errc::not_found in epoch 0 before fetch_from(1).
[[nodiscard]] Result<Epoch> fetch_target(const EpochSchedule& schedule, WallTime now);

}  // namespace tenebra::router::directory
