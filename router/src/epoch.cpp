#include "tenebra/router/epoch.hpp"

#include <cstdint>
#include <limits>

namespace tenebra::router::directory {

Result<EpochSchedule> EpochSchedule::make(UnixSeconds genesis, std::chrono::seconds length) {
  if (length < std::chrono::seconds(1) || length > kMaxEpochLength) {
    return make_error(Errc::invalid_argument, "epoch length must be 1 s .. " + std::to_string(kMaxEpochLength.count()) +
                                                  " s, got " + std::to_string(length.count()) + " s");
  }
  // The system clock counts nanoseconds in 64 bits (until 2262).
  constexpr auto kLastSecond = std::numeric_limits<std::chrono::seconds::rep>::max() / 1'000'000'000;
  if (genesis.time_since_epoch().count() < 0 || genesis.time_since_epoch().count() > kLastSecond) {
    return make_error(Errc::invalid_argument, "genesis is outside 1970 .. 2262");
  }
  return EpochSchedule(genesis, length);
}

Result<Epoch> EpochSchedule::epoch_at(std::chrono::system_clock::time_point when) const {
  const auto since = std::chrono::floor<std::chrono::seconds>(when) - m_genesis;
  if (since.count() < 0) return make_error(Errc::invalid_argument, "time is before the network's genesis");
  return static_cast<Epoch>(since.count() / m_length.count());
}

Result<UnixSeconds> EpochSchedule::start_of(Epoch epoch) const {
  using Rep = std::chrono::seconds::rep;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<Rep>::max());
  const auto length = static_cast<std::uint64_t>(m_length.count());
  const auto genesis = static_cast<std::uint64_t>(m_genesis.time_since_epoch().count());
  // The system clock counts nanoseconds in 64 bits: keep starts inside its range.
  const std::uint64_t limit = kMax / 1'000'000'000;
  if (epoch > (limit - genesis) / length) {
    return make_error(Errc::invalid_argument, "epoch " + std::to_string(epoch) + " starts beyond the clock's range");
  }
  return UnixSeconds(std::chrono::seconds(static_cast<Rep>(genesis + epoch * length)));
}

Result<KeyWindow> EpochSchedule::key_window(std::chrono::system_clock::time_point when,
                                            std::chrono::seconds grace) const {
  if (grace.count() < 0 || grace > m_length) {
    return make_error(Errc::invalid_argument, "grace period must be 0 .. one epoch length");
  }
  auto epoch = epoch_at(when);
  if (!epoch) return std::move(epoch).error();
  KeyWindow window{*epoch, std::nullopt};
  auto start = start_of(*epoch);
  if (!start) return std::move(start).error();
  if (*epoch > 0 && when < *start + grace) window.previous = *epoch - 1;
  return window;
}

}  // namespace tenebra::router::directory
