// Injected clocks.
//
// Pure logic takes a Clock& so tests can step time by hand. `now()` is
// monotonic (for delays and timeouts); `wall_now()` is calendar time (for
// epochs, which all nodes must agree on). Thread-safety: SystemClock is safe
// from any thread; ManualClock is for single-threaded tests.
#pragma once

#include <chrono>

namespace tenebra {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
  virtual std::chrono::system_clock::time_point wall_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override;
  std::chrono::system_clock::time_point wall_now() const override;
};

class ManualClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override { return m_now; }
  std::chrono::system_clock::time_point wall_now() const override { return m_wall; }
  void advance(std::chrono::nanoseconds step) {
    m_now += step;
    m_wall += std::chrono::duration_cast<std::chrono::system_clock::duration>(step);
  }
  void set_wall(std::chrono::system_clock::time_point wall) { m_wall = wall; }

 private:
  std::chrono::steady_clock::time_point m_now{};
  std::chrono::system_clock::time_point m_wall{};
};

}  // namespace tenebra
