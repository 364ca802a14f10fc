// A node's persisted keys: the identity and per-epoch Sphinx keys survive a
// reopen of the store, differ across epochs and can be forgotten.
#include "tenebra/router/node_keys.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

namespace tenebra::router {
namespace {

class NodeKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tenebra-keys-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    reopen();
  }
  void TearDown() override {
    m_store.reset();
    std::filesystem::remove_all(m_dir);
  }
  void reopen() {
    m_store.reset();
    auto store = Store::open(m_dir / "store.db", "pass", KeyDerivationCost::for_tests(), m_rng, true);
    ASSERT_TRUE(store.ok()) << store.error().message;
    m_store = std::move(*store);
  }
  NodeKeys attach() {
    auto keys = NodeKeys::attach(*m_store, m_rng);
    EXPECT_TRUE(keys.ok()) << keys.error().message;
    return std::move(keys).value();
  }
  Result<std::size_t> count_rows() {
    auto select = m_store->prepare("SELECT count(*) FROM node_sphinx_keys;");
    if (!select) return select.error();
    auto row = select->step();
    if (!row) return row.error();
    return static_cast<std::size_t>(select->column_int(0));
  }

  std::filesystem::path m_dir;
  DeterministicRandom m_rng{11};
  std::unique_ptr<Store> m_store;
};

TEST_F(NodeKeysTest, IdentityIsCreatedOnceAndKeptAcrossReopen) {
  IdentityPublicKey first{};
  {
    NodeKeys keys = attach();
    first = keys.identity().public_key;
    NodeKeys again = attach();
    EXPECT_EQ(again.identity().public_key, first);
  }
  reopen();
  NodeKeys keys = attach();
  EXPECT_EQ(keys.identity().public_key, first);
  // The secret signs for the public key.
  const std::uint8_t message[] = {1, 2, 3};
  std::uint8_t signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, message, sizeof message, keys.identity().secret.data());
  EXPECT_EQ(crypto_sign_verify_detached(signature, message, sizeof message, first.data()), 0);
}

TEST_F(NodeKeysTest, DifferentStoresGetDifferentIdentities) {
  NodeKeys keys = attach();
  auto other_store = Store::open(m_dir / "other.db", "pass", KeyDerivationCost::for_tests(), m_rng, true);
  ASSERT_TRUE(other_store.ok());
  auto other = NodeKeys::attach(**other_store, m_rng);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->identity().public_key, keys.identity().public_key);
}

TEST_F(NodeKeysTest, SphinxKeyIsStablePerEpochAndDistinctAcrossEpochs) {
  mix::sphinx::PublicKey epoch5{};
  {
    NodeKeys keys = attach();
    auto a = keys.sphinx_key(5, m_rng);
    ASSERT_TRUE(a.ok()) << a.error().message;
    auto b = keys.sphinx_key(5, m_rng);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(a->public_key, b->public_key);
    EXPECT_TRUE(a->secret.equals(b->secret));
    auto c = keys.sphinx_key(6, m_rng);
    ASSERT_TRUE(c.ok());
    EXPECT_NE(c->public_key, a->public_key);
    EXPECT_FALSE(c->secret.equals(a->secret));
    epoch5 = a->public_key;
  }
  reopen();
  NodeKeys keys = attach();
  auto again = keys.sphinx_key(5, m_rng);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key, epoch5);
}

TEST_F(NodeKeysTest, PublicPartMatchesTheSecret) {
  NodeKeys keys = attach();
  for (const directory::Epoch epoch : {0ULL, 1ULL, 1000ULL}) {
    auto pair = keys.sphinx_key(epoch, m_rng);
    ASSERT_TRUE(pair.ok());
    mix::sphinx::PublicKey derived{};
    ASSERT_EQ(crypto_scalarmult_base(derived.data(), pair->secret.data()), 0);
    EXPECT_EQ(derived, pair->public_key);
  }
}

TEST_F(NodeKeysTest, ForgetDeletesOnlyOlderEpochs) {
  NodeKeys keys = attach();
  mix::sphinx::PublicKey epoch12{};
  for (directory::Epoch e = 10; e <= 13; ++e) {
    auto pair = keys.sphinx_key(e, m_rng);
    ASSERT_TRUE(pair.ok());
    if (e == 12) epoch12 = pair->public_key;
  }
  auto forgotten = keys.forget_sphinx_keys_before(12);
  ASSERT_TRUE(forgotten.ok()) << forgotten.error().message;
  EXPECT_EQ(*forgotten, 2U);
  EXPECT_EQ(count_rows().value(), 2U);
  auto none = keys.forget_sphinx_keys_before(12);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0U);
  auto kept = keys.sphinx_key(12, m_rng);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->public_key, epoch12);
  // A forgotten epoch asked for again gets a new key, never the old one back.
  EXPECT_EQ(keys.forget_sphinx_keys_before(~0ULL).value(), 2U);
  EXPECT_EQ(count_rows().value(), 0U);
}

TEST_F(NodeKeysTest, RefusesEpochsSqliteCannotHold) {
  NodeKeys keys = attach();
  auto huge = keys.sphinx_key(~0ULL, m_rng);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, Errc::invalid_argument);
  EXPECT_TRUE(keys.sphinx_key(static_cast<directory::Epoch>(INT64_MAX), m_rng).ok());
  EXPECT_EQ(keys.forget_sphinx_keys_before(~0ULL).value(), 1U);
}

TEST_F(NodeKeysTest, CorruptStoredKeysAreCryptoErrors) {
  { NodeKeys keys = attach(); }
  ASSERT_TRUE(m_store->exec("UPDATE node_identity SET public_key = zeroblob(32);").ok());
  auto mismatched = NodeKeys::attach(*m_store, m_rng);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.error().code, Errc::crypto);
  ASSERT_TRUE(m_store->exec("UPDATE node_identity SET seed = zeroblob(3);").ok());
  auto short_seed = NodeKeys::attach(*m_store, m_rng);
  ASSERT_FALSE(short_seed.ok());
  EXPECT_EQ(short_seed.error().code, Errc::crypto);

  ASSERT_TRUE(m_store->exec("DELETE FROM node_identity;").ok());
  NodeKeys keys = attach();
  ASSERT_TRUE(m_store->exec("INSERT INTO node_sphinx_keys (epoch, secret) VALUES (4, zeroblob(31));").ok());
  auto bad = keys.sphinx_key(4, m_rng);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::crypto);
}

}  // namespace
}  // namespace tenebra::router
