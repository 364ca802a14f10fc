#include "tenebra/rendezvous/cover_scheduler.hpp"

#include <string>

#include "tenebra/mix/poisson.hpp"

namespace tenebra::rendezvous {
namespace {

constexpr std::array<CoverEventKind, kCoverStreams> kStreamKinds{CoverEventKind::payload, CoverEventKind::drop,
                                                                 CoverEventKind::loop};

Status check_rate(router::directory::Rate rate, const char* name) {
  if (rate.micro_hz() > kMaxClientStreamMicroHz) {
    return make_error(Errc::invalid_argument, std::string("the ") + name + " rate is above the client's limit of " +
                                                  std::to_string(kMaxClientStreamMicroHz / 1'000'000) + "/s");
  }
  return {};
}

}  // namespace

const char* cover_event_name(CoverEventKind kind) noexcept {
  switch (kind) {
    case CoverEventKind::payload:
      return "payload";
    case CoverEventKind::drop:
      return "drop";
    case CoverEventKind::loop:
      return "loop";
  }
  return "unknown";
}

Status check_cover_rates(const CoverStreamRates& rates) {
  if (auto checked = check_rate(rates.payload, "payload"); !checked) return checked;
  if (auto checked = check_rate(rates.drop, "drop"); !checked) return checked;
  return check_rate(rates.loop, "loop");
}

Result<CoverScheduler> CoverScheduler::make(const CoverStreamRates& rates, TimePoint start, Random& rng,
                                            std::chrono::nanoseconds max_lateness) {
  if (auto checked = check_cover_rates(rates); !checked) return std::move(checked).error();
  if (max_lateness.count() <= 0) return make_error(Errc::invalid_argument, "max_lateness must be positive");
  CoverScheduler scheduler(rates, rng, max_lateness);
  for (std::size_t stream = 0; stream < kCoverStreams; ++stream) scheduler.draw_next(stream, start);
  return scheduler;
}

double CoverScheduler::rate_of(std::size_t stream) const noexcept {
  switch (kStreamKinds[stream]) {
    case CoverEventKind::payload:
      return m_rates.payload.per_second();
    case CoverEventKind::drop:
      return m_rates.drop.per_second();
    case CoverEventKind::loop:
      return m_rates.loop.per_second();
  }
  return 0.0;
}

void CoverScheduler::draw_next(std::size_t stream, TimePoint from) {
  const auto gap = mix::poisson_interval(*m_rng, rate_of(stream));
  if (!gap) {
    m_next[stream].reset();
    return;
  }
  m_next[stream] = from + std::chrono::duration_cast<TimePoint::duration>(*gap);
}

std::optional<TimePoint> CoverScheduler::next_due() const noexcept {
  std::optional<TimePoint> earliest;
  for (const auto& next : m_next) {
    if (next && (!earliest || *next < *earliest)) earliest = next;
  }
  return earliest;
}

std::vector<CoverEvent> CoverScheduler::poll(TimePoint now) {
  // Restart the streams whose next event is older than the lateness bound:
  // their missed events are not sent (the link was down or the process
  // stopped), and memorylessness makes a fresh draw from `now` a correct
  // continuation of the process.
  for (std::size_t stream = 0; stream < kCoverStreams; ++stream) {
    if (m_next[stream] && now - *m_next[stream] > m_max_lateness) {
      ++m_restarts;
      draw_next(stream, now);
    }
  }
  std::vector<CoverEvent> events;
  while (events.size() < kMaxEventsPerPoll) {
    std::optional<std::size_t> earliest;
    for (std::size_t stream = 0; stream < kCoverStreams; ++stream) {
      const auto& next = m_next[stream];
      if (!next || *next > now) continue;
      // Strict comparison: on a tie the stream listed first wins.
      if (!earliest || *next < *m_next[*earliest]) earliest = stream;
    }
    if (!earliest) break;
    const TimePoint due = *m_next[*earliest];
    events.push_back(CoverEvent{kStreamKinds[*earliest], due});
    draw_next(*earliest, due);
  }
  return events;
}

Status CoverScheduler::set_rates(const CoverStreamRates& rates, TimePoint now) {
  if (auto checked = check_cover_rates(rates); !checked) return checked;
  m_rates = rates;
  for (std::size_t stream = 0; stream < kCoverStreams; ++stream) {
    if (rate_of(stream) <= 0.0) {
      m_next[stream].reset();
      continue;
    }
    if (m_next[stream] && *m_next[stream] <= now) continue;  // already due: the caller polls it next
    draw_next(stream, now);
  }
  return {};
}

}  // namespace tenebra::rendezvous
