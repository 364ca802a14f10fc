#include "tenebra/core/log.hpp"

#include <fcntl.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

namespace tenebra::log {
namespace {

constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%eZ [%l] %v";

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// Writes each line straight to a descriptor it opened itself, so the file
// checked for type and mode is the file written (no reopen by name), and a
// line is on disk (in the page cache) as soon as the call returns.
class FdSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit FdSink(int fd) noexcept : m_fd(fd) {}
  ~FdSink() override { ::close(m_fd); }
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    const char* data = line.data();
    std::size_t left = line.size();
    while (left > 0) {
      const ssize_t written = ::write(m_fd, data, left);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) return;  // a full disk must not take the daemon down
      data += written;
      left -= static_cast<std::size_t>(written);
    }
  }
  void flush_() override {}

 private:
  int m_fd;
};

struct State {
  std::shared_ptr<spdlog::sinks::dist_sink_mt> sinks = std::make_shared<spdlog::sinks::dist_sink_mt>();
  std::shared_ptr<spdlog::logger> logger;
  std::mutex file_mutex;
  std::shared_ptr<spdlog::sinks::sink> file;

  State() {
    sinks->add_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    sinks->set_formatter(std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc));
    logger = std::make_shared<spdlog::logger>("tenebra", sinks);
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::debug);
  }
};

State& state() {
  static State instance;
  return instance;
}

std::string errno_text(int error) {
  return std::generic_category().message(error);
}

}  // namespace

Result<Level> parse_level(std::string_view text) {
  for (const Level level : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (text == level_name(level)) return level;
  }
  return make_error(Errc::invalid_argument, "log level must be debug, info, warn or error");
}

const char* level_name(Level level) noexcept {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

void set_level(Level level) {
  state().logger->set_level(to_spdlog(level));
}

Level level() {
  switch (state().logger->level()) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return Level::debug;
    case spdlog::level::info:
      return Level::info;
    case spdlog::level::warn:
      return Level::warn;
    default:
      return Level::error;
  }
}

Status to_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    return make_error(Errc::io, "log: cannot open " + path.string() + ": " + errno_text(error));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return make_error(Errc::io, "log: " + path.string() + " is not a regular file");
  }
  if ((info.st_mode & 0777) != 0600 && ::fchmod(fd, 0600) != 0) {
    const int error = errno;
    ::close(fd);
    return make_error(Errc::io, "log: cannot chmod 600 " + path.string() + ": " + errno_text(error));
  }
  auto sink = std::make_shared<FdSink>(fd);
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc));
  State& s = state();
  const std::lock_guard lock(s.file_mutex);
  if (s.file) s.sinks->remove_sink(s.file);
  s.file = sink;
  s.sinks->add_sink(s.file);
  return {};
}

void stop_file() {
  State& s = state();
  const std::lock_guard lock(s.file_mutex);
  if (s.file) s.sinks->remove_sink(s.file);
  s.file.reset();
}

namespace detail {
spdlog::logger& logger() {
  return *state().logger;
}
}  // namespace detail

}  // namespace tenebra::log
