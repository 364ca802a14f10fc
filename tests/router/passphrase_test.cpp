// The store passphrase from a file (owner-only, capped, one newline
// stripped) or from the environment, into wiping locked memory.
#include "tenebra/router/passphrase.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace tenebra::router {
namespace {

class PassphraseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tenebra-pass-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override {
    ::unsetenv(kVariable);  // NOLINT(concurrency-mt-unsafe): single-threaded test
    std::filesystem::remove_all(m_dir);
  }

  std::filesystem::path write(const std::string& text, mode_t mode = 0600) {
    auto path = m_dir / "pass";
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << text;
    }
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  NodeConfig from_file(const std::filesystem::path& path) {
    NodeConfig config;
    config.passphrase_file = path;
    return config;
  }

  static constexpr const char* kVariable = "TENEBRA_TEST_PASSPHRASE_VAR";
  std::filesystem::path m_dir;
};

TEST_F(PassphraseTest, FileStripsOneTrailingNewline) {
  auto secret = read_passphrase(from_file(write("correct horse\n")));
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_EQ(secret->view(), "correct horse");
  secret = read_passphrase(from_file(write("two\n\n")));
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->view(), "two\n");
  secret = read_passphrase(from_file(write("windows\r\n")));
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->view(), "windows");
  secret = read_passphrase(from_file(write("  spaces kept  ")));
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->view(), "  spaces kept  ");
}

TEST_F(PassphraseTest, FileReadableByOthersIsRefusedWithTheFix) {
  for (const mode_t mode : {0640, 0604, 0620, 0602, 0644}) {
    const auto path = write("secret", mode);
    auto secret = read_passphrase(from_file(path));
    ASSERT_FALSE(secret.ok()) << std::oct << mode;
    EXPECT_EQ(secret.error().code, Errc::invalid_argument);
    EXPECT_NE(secret.error().message.find("chmod 600 " + path.string()), std::string::npos) << secret.error().message;
  }
  EXPECT_TRUE(read_passphrase(from_file(write("secret", 0400))).ok());
}

TEST_F(PassphraseTest, FileSizeCapAndEmpty) {
  auto at_cap = read_passphrase(from_file(write(std::string(kMaxPassphraseBytes, 'p'))));
  ASSERT_TRUE(at_cap.ok()) << at_cap.error().message;
  EXPECT_EQ(at_cap->size(), kMaxPassphraseBytes);
  auto over = read_passphrase(from_file(write(std::string(kMaxPassphraseBytes + 1, 'p'))));
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("larger than 4096 bytes"), std::string::npos);
  for (const char* empty : {"", "\n", "\r\n"}) {
    auto secret = read_passphrase(from_file(write(empty)));
    ASSERT_FALSE(secret.ok()) << empty;
    EXPECT_NE(secret.error().message.find("empty passphrase"), std::string::npos);
  }
}

TEST_F(PassphraseTest, FileMissingSymlinkOrDirectory) {
  auto missing = read_passphrase(from_file(m_dir / "absent"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  const auto target = write("secret");
  std::filesystem::create_symlink(target, m_dir / "link");
  EXPECT_FALSE(read_passphrase(from_file(m_dir / "link")).ok());
  ASSERT_EQ(::chmod(m_dir.c_str(), 0700), 0);
  EXPECT_FALSE(read_passphrase(from_file(m_dir)).ok());
}

TEST_F(PassphraseTest, Environment) {
  NodeConfig config;
  config.passphrase_env = kVariable;
  auto unset = read_passphrase(config);
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.error().message.find("is not set"), std::string::npos);
  ASSERT_EQ(::setenv(kVariable, "", 1), 0);  // NOLINT(concurrency-mt-unsafe)
  auto empty = read_passphrase(config);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("is empty"), std::string::npos);
  ASSERT_EQ(::setenv(kVariable, "from the environment\n", 1), 0);  // NOLINT(concurrency-mt-unsafe)
  auto secret = read_passphrase(config);
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_EQ(secret->view(), "from the environment\n");  // taken as is
  EXPECT_NE(std::getenv(kVariable), nullptr);           // NOLINT(concurrency-mt-unsafe): not unset
}

TEST_F(PassphraseTest, NeedsExactlyOneSource) {
  EXPECT_FALSE(read_passphrase(NodeConfig{}).ok());
  NodeConfig both = from_file(write("x"));
  both.passphrase_env = kVariable;
  EXPECT_FALSE(read_passphrase(both).ok());
}

TEST(SecretString, MovesAndResizes) {
  auto a = SecretString::copy_of("hunter2");
  ASSERT_TRUE(a.ok());
  SecretString b(std::move(*a));
  EXPECT_EQ(b.view(), "hunter2");
  EXPECT_TRUE(a->empty());  // NOLINT(bugprone-use-after-move): checking the move
  EXPECT_EQ(a->view(), "");
  b.set_size(3);
  EXPECT_EQ(b.view(), "hun");
  b.set_size(100);  // clamped to the capacity
  EXPECT_EQ(b.size(), b.capacity());
  SecretString c;
  c = std::move(b);
  EXPECT_EQ(c.size(), 7U);
  auto empty = SecretString::copy_of("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace tenebra::router
