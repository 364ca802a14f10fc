// Epoch arithmetic (docs/directory.md §6): which epoch a wall-clock time
// falls in, when an epoch starts, and which Sphinx keys a node accepts at a
// time (the current epoch's, and the previous one's during the grace period).
// Time comes in as a parameter or through an injected Clock; nothing here
// reads the system clock. Pure value types, safe from any thread.
#pragma once

#include <chrono>
#include <optional>

#include "tenebra/core/clock.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/router/descriptor.hpp"

namespace tenebra::router::directory {

using UnixSeconds = std::chrono::sys_seconds;

// The Sphinx keys a node accepts at one moment: its key for `current`, and
// during the grace period also the key for `*previous` (= current - 1).
struct KeyWindow {
  Epoch current = 0;
  std::optional<Epoch> previous;

  [[nodiscard]] bool accepts(Epoch key_epoch) const noexcept {
    return key_epoch == current || (previous && key_epoch == *previous);
  }
  bool operator==(const KeyWindow&) const = default;
};

class EpochSchedule {
 public:
  // Epoch e covers [genesis + e·length, genesis + (e+1)·length). `length` is
  // 1 s .. kMaxEpochLength; `genesis` is not before the Unix epoch.
  [[nodiscard]] static Result<EpochSchedule> make(UnixSeconds genesis, std::chrono::seconds length);

  UnixSeconds genesis() const noexcept { return m_genesis; }
  std::chrono::seconds length() const noexcept { return m_length; }

  // The epoch `when` falls in; Errc::invalid_argument before genesis.
  [[nodiscard]] Result<Epoch> epoch_at(std::chrono::system_clock::time_point when) const;
  [[nodiscard]] Result<Epoch> current_epoch(const Clock& clock) const { return epoch_at(clock.wall_now()); }
  // Errc::invalid_argument when the start does not fit the clock's range.
  [[nodiscard]] Result<UnixSeconds> start_of(Epoch epoch) const;

  // Keys accepted at `when` with a grace period of `grace` (0 .. length):
  // the previous epoch's key while when < start_of(current) + grace.
  [[nodiscard]] Result<KeyWindow> key_window(std::chrono::system_clock::time_point when,
                                             std::chrono::seconds grace) const;
  [[nodiscard]] Result<KeyWindow> key_window(const Clock& clock, std::chrono::seconds grace) const {
    return key_window(clock.wall_now(), grace);
  }

  bool operator==(const EpochSchedule&) const = default;

 private:
  EpochSchedule(UnixSeconds genesis, std::chrono::seconds length) : m_genesis(genesis), m_length(length) {}
  UnixSeconds m_genesis;
  std::chrono::seconds m_length;
};

}  // namespace tenebra::router::directory
