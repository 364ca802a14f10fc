#include "tenebra/onion/child_process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>
#include <thread>

namespace tenebra::onion {
namespace {

constexpr std::chrono::milliseconds kPollStep{10};
constexpr std::chrono::milliseconds kKillWait{1'000};
constexpr int kExecFailedCode = 127;
constexpr int kReportFd = 3;  // the child's exec-error pipe after dup2

ExitStatus decode(int raw) {
  if (WIFSIGNALED(raw)) return ExitStatus{true, WTERMSIG(raw)};
  return ExitStatus{false, WEXITSTATUS(raw)};
}

// argv/envp as the C arrays execve wants; built before fork because the
// child of a threaded process may only make async-signal-safe calls.
struct CArgs {
  std::vector<std::string> storage;
  std::vector<char*> pointers;
  explicit CArgs(std::vector<std::string> strings) : storage(std::move(strings)) {
    pointers.reserve(storage.size() + 1);
    for (auto& s : storage) pointers.push_back(s.data());
    pointers.push_back(nullptr);
  }
};

bool has_nul(const std::string& text) {
  return text.find('\0') != std::string::npos;
}

Status check_spec(const ChildSpec& spec) {
  if (!spec.program.is_absolute()) return make_error(Errc::invalid_argument, "child program must be an absolute path");
  if (!spec.log_file.is_absolute()) return make_error(Errc::invalid_argument, "child log file must be absolute");
  for (const auto& arg : spec.args) {
    if (has_nul(arg)) return make_error(Errc::invalid_argument, "child argument contains NUL");
  }
  for (const auto& var : spec.env) {
    if (has_nul(var) || var.find('=') == std::string::npos || var.front() == '=') {
      return make_error(Errc::invalid_argument, "child environment entries must be KEY=value");
    }
  }
  return {};
}

// Runs in the forked child: only async-signal-safe calls, and never returns.
[[noreturn]] void exec_child(const char* program, char* const* argv, char* const* envp, int null_fd, int log_fd,
                             int report_fd, pid_t parent) {
  const auto report = [report_fd]() {
    const int err = errno;
    (void)!write(report_fd, &err, sizeof err);
    _exit(kExecFailedCode);
  };
  if (setpgid(0, 0) != 0) report();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) report();
  if (getppid() != parent) _exit(kExecFailedCode);  // the parent died before prctl took hold
  sigset_t all;
  sigemptyset(&all);
  // The forked child has one thread: these process-wide calls are safe here.
  sigprocmask(SIG_SETMASK, &all, nullptr);  // NOLINT(concurrency-mt-unsafe)
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) (void)signal(sig, SIG_DFL);
  if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0 ||
      dup2(report_fd, kReportFd) < 0 || fcntl(kReportFd, F_SETFD, FD_CLOEXEC) < 0) {
    report();
  }
  if (syscall(SYS_close_range, kReportFd + 1, ~0U, 0U) != 0) report();
  execve(program, argv, envp);
  const int err = errno;
  (void)!write(kReportFd, &err, sizeof err);
  _exit(kExecFailedCode);
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<ChildProcess> ChildProcess::spawn(const ChildSpec& spec) {
  if (auto status = check_spec(spec); !status) return std::move(status).error();
  std::vector<std::string> argv_strings{spec.program.native()};
  argv_strings.insert(argv_strings.end(), spec.args.begin(), spec.args.end());
  CArgs argv(std::move(argv_strings));
  CArgs envp(spec.env);

  Fd null_fd{::open("/dev/null", O_RDONLY | O_CLOEXEC)};
  Fd log_fd{::open(spec.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)};
  if (null_fd.fd < 0 || log_fd.fd < 0) return make_error(Errc::io, "cannot open /dev/null or the child log file");
  std::array<int, 2> pipe_fds{-1, -1};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) return make_error(Errc::io, "pipe2 failed");
  Fd report_read{pipe_fds[0]};
  Fd report_write{pipe_fds[1]};

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return make_error(Errc::io, "fork failed: " + std::generic_category().message(errno));
  if (pid == 0) {
    exec_child(spec.program.c_str(), argv.pointers.data(), envp.pointers.data(), null_fd.fd, log_fd.fd, report_write.fd,
               parent);
  }
  ChildProcess child(pid);
  ::close(report_write.fd);
  report_write.fd = -1;
  // EOF means execve succeeded (the pipe is close-on-exec); an int is errno.
  int child_errno = 0;
  ssize_t got = -1;
  do {
    got = ::read(report_read.fd, &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    (void)child.terminate(std::chrono::milliseconds(0));
    return make_error(Errc::io, "cannot start " + spec.program.filename().native() + ": " +
                                    std::generic_category().message(child_errno));
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : m_pid(other.m_pid), m_exit(other.m_exit) {
  other.m_pid = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (m_pid > 0 && !m_exit) (void)terminate();
    m_pid = other.m_pid;
    m_exit = other.m_exit;
    other.m_pid = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (m_pid > 0 && !m_exit) (void)terminate();
}

std::optional<ExitStatus> ChildProcess::poll() {
  if (m_exit || m_pid <= 0) return m_exit;
  int raw = 0;
  const pid_t done = ::waitpid(m_pid, &raw, WNOHANG);
  if (done == m_pid) {
    m_exit = decode(raw);
  } else if (done < 0 && errno == ECHILD) {
    m_exit = ExitStatus{false, -1};  // reaped elsewhere: treat as gone
  }
  return m_exit;
}

void ChildProcess::kill_now() noexcept {
  if (m_pid > 0 && !m_exit) ::kill(m_pid, SIGKILL);
}

Result<ExitStatus> ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (m_pid <= 0) return make_error(Errc::invalid_argument, "no child");
  if (auto done = poll()) {
    ::kill(-m_pid, SIGKILL);  // helpers left in its group (pluggable transports)
    return *done;
  }
  ::kill(-m_pid, SIGTERM);
  const auto wait_for = [this](std::chrono::milliseconds limit) -> std::optional<ExitStatus> {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (auto done = poll()) return done;
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(kPollStep);
    }
  };
  if (auto done = wait_for(grace)) {
    ::kill(-m_pid, SIGKILL);
    return *done;
  }
  ::kill(-m_pid, SIGKILL);
  ::kill(m_pid, SIGKILL);
  if (auto done = wait_for(kKillWait)) return *done;
  return make_error(Errc::timeout, "child did not exit after SIGKILL");
}

}  // namespace tenebra::onion
