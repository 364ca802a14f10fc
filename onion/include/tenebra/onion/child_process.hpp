// A supervised child process (tor, i2pd): spawned with an explicit argv and
// a clean environment, stdin from /dev/null, stdout and stderr appended to a
// log file, every other descriptor closed, in its own process group, and
// with PR_SET_PDEATHSIG=SIGKILL so it dies with the thread that spawned it.
// Status is queried without blocking; terminate() sends SIGTERM to the group,
// waits a bounded time, then SIGKILL. The destructor terminates too, so a
// ChildProcess never leaves a process behind.
//
// PDEATHSIG fires when the spawning *thread* exits: spawn from the long-lived
// thread that runs the supervisor. Not thread-safe: one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tenebra/core/result.hpp"

namespace tenebra::onion {

struct ChildSpec {
  std::filesystem::path program;   // absolute path; no PATH search
  std::vector<std::string> args;   // argv[1..]
  std::vector<std::string> env;    // "KEY=value"; nothing is inherited
  std::filesystem::path log_file;  // absolute; created 0600, appended to
};

struct ExitStatus {
  bool signaled = false;  // killed by a signal (code is the signal number)
  int code = 0;           // exit code, or signal number
};

class ChildProcess {
 public:
  static constexpr std::chrono::milliseconds kDefaultGrace{5'000};

  // Errc::invalid_argument for a bad spec, Errc::io when the fork or the exec
  // fails (the child's errno is reported back through a pipe).
  [[nodiscard]] static Result<ChildProcess> spawn(const ChildSpec& spec);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const noexcept { return m_pid; }
  // Non-blocking: nullopt while the child runs, its status once it ended
  // (reaped; later calls return the same status).
  [[nodiscard]] std::optional<ExitStatus> poll();
  // SIGTERM to the process group, up to `grace` for it to exit, then
  // SIGKILL. Returns the exit status; Errc::timeout if even SIGKILL did not
  // reap it within a second (a process stuck in the kernel).
  [[nodiscard]] Result<ExitStatus> terminate(std::chrono::milliseconds grace = kDefaultGrace);
  // SIGKILL to the child alone (tests use it to simulate a crash).
  void kill_now() noexcept;

 private:
  explicit ChildProcess(pid_t pid) noexcept : m_pid(pid) {}

  pid_t m_pid = -1;
  std::optional<ExitStatus> m_exit;
};

}  // namespace tenebra::onion
