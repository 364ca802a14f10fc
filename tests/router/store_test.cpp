#include "tenebra/router/store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tenebra/core/random.hpp"

namespace tenebra::router {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tenebra-store-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  Result<std::unique_ptr<Store>> open(std::string_view passphrase, bool create) {
    return Store::open(m_dir / "node.db", passphrase, KeyDerivationCost::for_tests(), m_rng, create);
  }

  std::filesystem::path m_dir;
  DeterministicRandom m_rng{7};
};

TEST_F(StoreTest, CreatesReopensAndKeepsData) {
  {
    auto store = open("correct horse", true);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->exec("CREATE TABLE t (v BLOB);").ok());
    auto insert = (*store)->prepare("INSERT INTO t (v) VALUES (?1);");
    ASSERT_TRUE(insert.ok());
    const Bytes value{1, 2, 3};
    ASSERT_TRUE(insert->bind_blob(1, value).ok());
    ASSERT_TRUE(insert->step().ok());
  }
  auto store = open("correct horse", false);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto select = (*store)->prepare("SELECT v FROM t;");
  ASSERT_TRUE(select.ok());
  auto row = select->step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(select->column_blob(0), (Bytes{1, 2, 3}));
}

TEST_F(StoreTest, FilesAreOwnerOnly) {
  auto store = open("pass", true);
  ASSERT_TRUE(store.ok()) << store.error().message;
  for (const char* name : {"node.db", "node.db.salt"}) {
    struct stat info {};
    ASSERT_EQ(::stat((m_dir / name).c_str(), &info), 0) << name;
    EXPECT_EQ(info.st_mode & 0777, 0600U) << name;
  }
}

TEST_F(StoreTest, WrongPassphraseIsACryptoError) {
  { ASSERT_TRUE(open("right", true).ok()); }
  auto store = open("wrong", false);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, Errc::crypto);
}

// Whatever SQLite has on disk (database, WAL) holds no plaintext, both while
// the store is open and after it is closed.
void expect_no_plaintext(const std::filesystem::path& dir) {
  for (const char* name : {"node.db", "node.db-wal"}) {
    if (!std::filesystem::exists(dir / name)) continue;
    std::string bytes(std::filesystem::file_size(dir / name), '\0');
    std::ifstream file(dir / name, std::ios::binary);
    file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(file.good()) << name;
    EXPECT_EQ(bytes.find("recognisable"), std::string::npos) << name;
    EXPECT_EQ(bytes.find("SQLite format"), std::string::npos) << name;
  }
}

TEST_F(StoreTest, DataIsNotPlaintextOnDisk) {
  {
    auto store = open("pass", true);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('a-very-recognisable-secret');").ok());
    ASSERT_TRUE(std::filesystem::exists(m_dir / "node.db-wal"));
    expect_no_plaintext(m_dir);
  }
  expect_no_plaintext(m_dir);
}

TEST_F(StoreTest, MissingStoreOrSaltIsAClearError) {
  auto missing = open("pass", false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  { ASSERT_TRUE(open("pass", true).ok()); }
  std::filesystem::remove(m_dir / "node.db.salt");
  auto no_salt = open("pass", false);
  ASSERT_FALSE(no_salt.ok());
  EXPECT_EQ(no_salt.error().code, Errc::crypto);
}

TEST_F(StoreTest, TruncatedSaltIsRefused) {
  { ASSERT_TRUE(open("pass", true).ok()); }
  std::filesystem::resize_file(m_dir / "node.db.salt", 5);
  auto store = open("pass", false);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, Errc::malformed);
}

TEST_F(StoreTest, GarbageFileIsNotAStore) {
  {
    std::ofstream garbage(m_dir / "node.db", std::ios::binary);
    garbage << std::string(8192, 'x');
    std::ofstream salt(m_dir / "node.db.salt", std::ios::binary);
    salt << std::string(16, 's');
  }
  auto store = open("pass", false);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, Errc::crypto);
}

TEST_F(StoreTest, EmptyPassphraseRefused) {
  auto store = open("", true);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, Errc::invalid_argument);
}

TEST_F(StoreTest, TransactionRollsBackUnlessCommitted) {
  auto store = open("pass", true);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->exec("CREATE TABLE t (v INTEGER);").ok());
  {
    StoreTransaction transaction(**store);
    ASSERT_TRUE(transaction.begin().ok());
    ASSERT_TRUE((*store)->exec("INSERT INTO t VALUES (1);").ok());
  }
  {
    StoreTransaction transaction(**store);
    ASSERT_TRUE(transaction.begin().ok());
    ASSERT_TRUE((*store)->exec("INSERT INTO t VALUES (2);").ok());
    ASSERT_TRUE(transaction.commit().ok());
  }
  auto select = (*store)->prepare("SELECT group_concat(v) FROM t;");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->column_text(0), "2");
}

TEST(StoreKey, DerivationDependsOnPassphraseAndSalt) {
  const Bytes salt_a(16, 1);
  const Bytes salt_b(16, 2);
  auto a = derive_store_key("pass", salt_a, KeyDerivationCost::for_tests());
  auto a_again = derive_store_key("pass", salt_a, KeyDerivationCost::for_tests());
  auto b = derive_store_key("pass", salt_b, KeyDerivationCost::for_tests());
  auto c = derive_store_key("Pass", salt_a, KeyDerivationCost::for_tests());
  ASSERT_TRUE(a.ok() && a_again.ok() && b.ok() && c.ok());
  EXPECT_TRUE(a->equals(*a_again));
  EXPECT_FALSE(a->equals(*b));
  EXPECT_FALSE(a->equals(*c));
  EXPECT_FALSE(derive_store_key("pass", Bytes(15, 1), KeyDerivationCost::for_tests()).ok());
}

}  // namespace
}  // namespace tenebra::router
