#include "tenebra/onion/child_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace tenebra::onion {
namespace {

using namespace std::chrono_literals;

class ChildProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "tenebra-child-XXXXXX").native();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  ChildSpec sh(const std::string& script) const {
    return ChildSpec{"/bin/sh", {"-c", script}, {"PATH=/usr/bin:/bin"}, m_dir / "child.log"};
  }
  std::string log_text() const {
    std::ifstream in(m_dir / "child.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static std::optional<ExitStatus> wait_exit(ChildProcess& child, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto done = child.poll()) return done;
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  }

  std::filesystem::path m_dir;
};

TEST_F(ChildProcessTest, ReportsExitCode) {
  auto child = ChildProcess::spawn(sh("exit 3"));
  ASSERT_TRUE(child.ok()) << child.error().message;
  auto done = wait_exit(*child, 5s);
  ASSERT_TRUE(done.has_value());
  EXPECT_FALSE(done->signaled);
  EXPECT_EQ(done->code, 3);
  EXPECT_EQ(child->poll()->code, 3);  // stays reaped
}

TEST_F(ChildProcessTest, RunningChildIsNotReportedDoneAndTerminates) {
  auto child = ChildProcess::spawn(ChildSpec{"/bin/sleep", {"30"}, {}, m_dir / "child.log"});
  ASSERT_TRUE(child.ok()) << child.error().message;
  EXPECT_FALSE(child->poll().has_value());
  EXPECT_EQ(::getpgid(child->pid()), child->pid());  // its own process group
  const auto start = std::chrono::steady_clock::now();
  auto done = child->terminate(2s);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->signaled);
  EXPECT_EQ(done->code, SIGTERM);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(ChildProcessTest, SigkillIsReportedAsSignal) {
  auto child = ChildProcess::spawn(ChildSpec{"/bin/sleep", {"30"}, {}, m_dir / "child.log"});
  ASSERT_TRUE(child.ok());
  child->kill_now();
  auto done = wait_exit(*child, 5s);
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->signaled);
  EXPECT_EQ(done->code, SIGKILL);
}

TEST_F(ChildProcessTest, IgnoredSigtermEscalatesToSigkill) {
  auto child = ChildProcess::spawn(sh("trap '' TERM; echo ready; while :; do sleep 0.05; done"));
  ASSERT_TRUE(child.ok());
  for (int i = 0; i < 200 && log_text().find("ready") == std::string::npos; ++i) std::this_thread::sleep_for(10ms);
  auto done = child->terminate(200ms);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->signaled);
  EXPECT_EQ(done->code, SIGKILL);
}

TEST_F(ChildProcessTest, CleanEnvironmentOutputToLogAndFdsClosed) {
  ::setenv("TENEBRA_LEAK_CHECK", "secret", 1);
  auto child =
      ChildProcess::spawn(sh("echo env=[$TENEBRA_LEAK_CHECK] path=$PATH; ls /proc/self/fd | tr '\\n' ' '; "
                             "read line; echo read=$?; echo err >&2"));
  ::unsetenv("TENEBRA_LEAK_CHECK");
  ASSERT_TRUE(child.ok());
  auto done = wait_exit(*child, 5s);
  ASSERT_TRUE(done.has_value());
  const std::string log = log_text();
  EXPECT_NE(log.find("env=[] path=/usr/bin:/bin"), std::string::npos) << log;
  EXPECT_NE(log.find("read=1"), std::string::npos) << log;  // stdin is /dev/null: EOF at once
  EXPECT_NE(log.find("err"), std::string::npos) << log;
  // ls sees 0, 1, 2 and its own directory fd (3); nothing of ours leaked.
  EXPECT_NE(log.find("\n0 1 2 3 read=1"), std::string::npos) << log;
}

TEST_F(ChildProcessTest, DestructorTerminates) {
  pid_t pid = -1;
  {
    auto child = ChildProcess::spawn(ChildSpec{"/bin/sleep", {"30"}, {}, m_dir / "child.log"});
    ASSERT_TRUE(child.ok());
    pid = child->pid();
  }
  EXPECT_EQ(::kill(pid, 0), -1);  // gone and reaped
}

TEST_F(ChildProcessTest, BadSpecsAndMissingProgram) {
  EXPECT_EQ(ChildProcess::spawn(ChildSpec{"sleep", {"1"}, {}, m_dir / "l"}).error().code, Errc::invalid_argument);
  EXPECT_EQ(ChildProcess::spawn(ChildSpec{"/bin/sleep", {"1"}, {"NOEQUALS"}, m_dir / "l"}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(ChildProcess::spawn(ChildSpec{"/bin/sleep", {"1"}, {}, "rel.log"}).error().code, Errc::invalid_argument);
  auto missing = ChildProcess::spawn(ChildSpec{"/nonexistent/program", {}, {}, m_dir / "l"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::io);
}

}  // namespace
}  // namespace tenebra::onion
