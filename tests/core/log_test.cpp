#include "tenebra/core/log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tenebra::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tenebra-log-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    m_saved = level();
  }
  void TearDown() override {
    stop_file();
    set_level(m_saved);
    std::filesystem::remove_all(m_dir);
  }

  std::string read(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  std::filesystem::path m_dir;
  Level m_saved = Level::info;
};

TEST(LogLevel, ParsesExactNamesOnly) {
  for (const Level level : {Level::debug, Level::info, Level::warn, Level::error}) {
    auto parsed = parse_level(level_name(level));
    ASSERT_TRUE(parsed.ok()) << level_name(level);
    EXPECT_EQ(*parsed, level);
  }
  for (const char* bad : {"", "INFO", "warning", "trace", "info "}) {
    auto parsed = parse_level(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, Errc::invalid_argument);
  }
}

TEST_F(LogTest, DebugIsSuppressedAtInfoAndShownAtDebug) {
  const auto path = m_dir / "node.log";
  ASSERT_TRUE(to_file(path).ok());
  set_level(Level::info);
  EXPECT_EQ(level(), Level::info);
  debug("hidden line {}", 1);
  info("shown line {}", 2);
  set_level(Level::debug);
  debug("debug line {}", 3);
  const std::string text = read(path);
  EXPECT_EQ(text.find("hidden line"), std::string::npos);
  EXPECT_NE(text.find("[info] shown line 2"), std::string::npos) << text;
  EXPECT_NE(text.find("[debug] debug line 3"), std::string::npos) << text;
}

TEST_F(LogTest, ErrorLevelDropsWarnings) {
  const auto path = m_dir / "node.log";
  ASSERT_TRUE(to_file(path).ok());
  set_level(Level::error);
  warn("a warning");
  error("an error {}", "happened");
  const std::string text = read(path);
  EXPECT_EQ(text.find("a warning"), std::string::npos);
  EXPECT_NE(text.find("[error] an error happened"), std::string::npos) << text;
}

TEST_F(LogTest, FileIsOwnerOnlyEvenIfItExistedWider) {
  const auto path = m_dir / "node.log";
  { std::ofstream(path) << "old\n"; }
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(to_file(path).ok());
  info("appended");
  struct stat info_stat {};
  ASSERT_EQ(::stat(path.c_str(), &info_stat), 0);
  EXPECT_EQ(info_stat.st_mode & 0777, 0600U);
  const std::string text = read(path);
  EXPECT_EQ(text.rfind("old\n", 0), 0U) << "to_file must append, not truncate";
}

TEST_F(LogTest, StopFileStopsWriting) {
  const auto path = m_dir / "node.log";
  ASSERT_TRUE(to_file(path).ok());
  stop_file();
  info("after stop");
  EXPECT_EQ(read(path).find("after stop"), std::string::npos);
}

TEST_F(LogTest, RefusesSymlinkAndDirectory) {
  const auto target = m_dir / "target";
  { std::ofstream(target) << ""; }
  std::filesystem::create_symlink(target, m_dir / "link");
  EXPECT_FALSE(to_file(m_dir / "link").ok());
  EXPECT_FALSE(to_file(m_dir).ok());
  EXPECT_FALSE(to_file(m_dir / "missing" / "node.log").ok());
}

}  // namespace
}  // namespace tenebra::log
