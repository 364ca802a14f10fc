// The client's Loopix send schedule (docs/cover-traffic.md): three
// independent Poisson streams whose rates come from the topology document.
//
//   payload (lambda_P): send a queued real frame if there is one, else a drop
//   drop    (lambda_D): a drop to a random provider
//   loop    (lambda_L): a loop through every layer back to the client
//
// The scheduler only says *when*; what a payload event carries is the
// caller's choice and never feeds back into the timing, so the times on the
// client's link are the same whether the user talks or not. Gaps are drawn
// from Exp(lambda) (mix::poisson_interval) and added to the previous
// *scheduled* time, not to the time the caller happened to poll, so a late
// timer does not stretch the process. A caller that wakes up far too late
// (a suspended laptop) gets no catch-up burst: streams overdue by more than
// `max_lateness` restart from `now`.
//
// Pure state: time is a parameter, randomness comes from the Random& given
// at construction (which must outlive the scheduler). Not thread-safe: one
// scheduler per client, driven from one thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::rendezvous {

using TimePoint = std::chrono::steady_clock::time_point;

enum class CoverEventKind : std::uint8_t { payload = 0, drop = 1, loop = 2 };
inline constexpr std::size_t kCoverStreams = 3;
const char* cover_event_name(CoverEventKind kind) noexcept;

struct CoverEvent {
  CoverEventKind kind = CoverEventKind::drop;
  TimePoint due{};  // the scheduled time, which the caller should report as the send time
  bool operator==(const CoverEvent&) const = default;
};

// The highest rate one stream may have: 100 packets per second is ~200 KiB/s
// of 2 KiB packets per stream, far above any sane network; a document asking
// for more is broken or hostile, and following it would flood the link.
inline constexpr std::uint32_t kMaxClientStreamMicroHz = 100'000'000;

// How late a stream may be served before it restarts from `now` instead of
// catching up. Timers wake up milliseconds late; seconds mean the process
// was stopped, and replaying the missed events at once would be a burst.
inline constexpr std::chrono::milliseconds kDefaultMaxLateness{1000};
// Most events one poll() returns; the rest stay due for the next call.
inline constexpr std::size_t kMaxEventsPerPoll = 4096;

struct CoverStreamRates {
  router::directory::Rate payload;
  router::directory::Rate drop;
  router::directory::Rate loop;
  bool operator==(const CoverStreamRates&) const = default;

  static CoverStreamRates from_topology(const router::directory::Rates& rates) noexcept {
    return {rates.payload, rates.drop, rates.loop};
  }
  // lambda_P + lambda_D + lambda_L, per second.
  double total_per_second() const noexcept { return payload.per_second() + drop.per_second() + loop.per_second(); }
};

// Errc::invalid_argument when a stream is above kMaxClientStreamMicroHz.
[[nodiscard]] Status check_cover_rates(const CoverStreamRates& rates);

class CoverScheduler {
 public:
  // The first event of each enabled stream is drawn from `start`. Randomness
  // drawn, in order: the gaps of payload, drop, loop (enabled streams only).
  [[nodiscard]] static Result<CoverScheduler> make(const CoverStreamRates& rates, TimePoint start, Random& rng,
                                                   std::chrono::nanoseconds max_lateness = kDefaultMaxLateness);

  // The earliest scheduled event; nullopt when every stream is off.
  std::optional<TimePoint> next_due() const noexcept;

  // Every event scheduled at or before `now` (at most kMaxEventsPerPoll), in
  // time order (ties: payload, drop, loop). Each returned event advances its
  // stream by a fresh Exp(rate) gap from its scheduled time.
  std::vector<CoverEvent> poll(TimePoint now);

  // New rates (a new epoch's topology) from `now` on. Streams with an event
  // already due keep it; every other stream redraws its next event from
  // `now` with the new rate (Poisson processes are memoryless: the time left
  // until the old stream's next event is independent of the past, so
  // discarding it and drawing afresh leaves a Poisson process with the old
  // rate before `now` and the new one after). A zero rate turns a stream off
  // at once. Invalid rates change nothing.
  [[nodiscard]] Status set_rates(const CoverStreamRates& rates, TimePoint now);

  const CoverStreamRates& rates() const noexcept { return m_rates; }
  // How many times a stream was restarted because poll() came too late.
  std::uint64_t restarts() const noexcept { return m_restarts; }

 private:
  CoverScheduler(const CoverStreamRates& rates, Random& rng, std::chrono::nanoseconds max_lateness)
      : m_rates(rates), m_rng(&rng), m_max_lateness(max_lateness) {}
  double rate_of(std::size_t stream) const noexcept;
  // Schedules `stream` one Exp gap after `from`, or turns it off.
  void draw_next(std::size_t stream, TimePoint from);

  CoverStreamRates m_rates;
  Random* m_rng;
  std::chrono::nanoseconds m_max_lateness;
  std::array<std::optional<TimePoint>, kCoverStreams> m_next{};
  std::uint64_t m_restarts = 0;
};

}  // namespace tenebra::rendezvous
