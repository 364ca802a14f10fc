// Logging: a thin facade over spdlog with four levels (debug, info, warn,
// error). Lines go to stderr with a UTC timestamp and the level, and, after
// to_file(), also to a file created with mode 0600. Formatting is fmt-style:
// log::info("linked to {} peers", count).
//
// The rule of the project: no line at info or above may contain an IP
// address, an onion or I2P address of a client, a mailbox id or message
// content. This facade offers no helper that prints such values on purpose;
// callers log counts, states and reasons, never who or what. Details that
// could identify someone belong at debug, which operators do not run in
// production, and even there never a client's address or message content.
//
// Thread-safety: every function may be called from any thread (spdlog's
// multi-threaded sinks); the logger is process-wide, like stderr itself.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <utility>

#include "tenebra/core/result.hpp"

namespace tenebra::log {

enum class Level : std::uint8_t { debug, info, warn, error };

// "debug", "info", "warn" or "error" (exactly; a config key, not free text).
[[nodiscard]] Result<Level> parse_level(std::string_view text);
const char* level_name(Level level) noexcept;

// Lines below `level` are dropped. The default is info.
void set_level(Level level);
[[nodiscard]] Level level();

// Also writes every line to `path` (appending; created 0600, an existing
// file is narrowed to 0600; symlinks refused). Replaces an earlier file.
[[nodiscard]] Status to_file(const std::filesystem::path& path);
// Stops writing to the file given to to_file(), if any.
void stop_file();

namespace detail {
spdlog::logger& logger();
}  // namespace detail

template <typename... Args>
void debug(spdlog::format_string_t<Args...> format, Args&&... args) {
  detail::logger().debug(format, std::forward<Args>(args)...);
}
template <typename... Args>
void info(spdlog::format_string_t<Args...> format, Args&&... args) {
  detail::logger().info(format, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(spdlog::format_string_t<Args...> format, Args&&... args) {
  detail::logger().warn(format, std::forward<Args>(args)...);
}
template <typename... Args>
void error(spdlog::format_string_t<Args...> format, Args&&... args) {
  detail::logger().error(format, std::forward<Args>(args)...);
}

}  // namespace tenebra::log
