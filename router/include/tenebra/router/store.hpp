// Store: an encrypted SQLite database (SQLCipher) behind one small interface.
// Every persistent thing of a node (client state, provider mailboxes,
// authority documents) lives in one.
//
// The key is 32 bytes derived from the operator's passphrase with Argon2id
// (libsodium crypto_pwhash) and a random salt kept beside the database in
// `<path>.salt` (mode 0600); SQLCipher gets it as a raw key, so its own
// PBKDF2 is not used. A wrong passphrase is Errc::crypto, never a crash or an
// empty database. Commits are durable when they return (WAL with
// synchronous=FULL): callers acknowledge data only after commit() succeeds.
// Deleted rows are overwritten (secure_delete).
//
// Debian ships SQLCipher 3.4.1 on SQLite 3.15.2 (docs/threat-model.md says
// what that means); keep SQL to what 3.15 supports.
//
// Thread-safety: a Store and its Statements belong to one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/core/secret.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tenebra::router {

inline constexpr std::size_t kStoreKeyBytes = 32;
inline constexpr std::size_t kStoreSaltBytes = 16;
using StoreKey = SecretArray<kStoreKeyBytes>;

// Argon2id cost. Production uses libsodium's MODERATE limits (about 256 MiB
// and a second per unlock); tests use the minimum.
struct KeyDerivationCost {
  unsigned long long ops_limit;
  std::size_t mem_limit_bytes;
  static KeyDerivationCost production();
  static KeyDerivationCost for_tests();
};

// Derives the raw key from `passphrase` and `salt`. Errc::exhausted when the
// memory for Argon2id cannot be had.
[[nodiscard]] Result<StoreKey> derive_store_key(std::string_view passphrase, ByteView salt, KeyDerivationCost cost);

class Statement;

class Store {
 public:
  // Opens (or creates, when `create` is true) the database at `path`, keyed
  // from `passphrase`: reads or creates `<path>.salt`, derives the key,
  // checks it against the database, applies the pragmas. Errc::crypto for a
  // wrong passphrase or a file that is not a Tenebra store, Errc::not_found
  // when it does not exist and `create` is false, Errc::io otherwise.
  [[nodiscard]] static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path,
                                                           std::string_view passphrase, KeyDerivationCost cost,
                                                           Random& rng, bool create);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Runs SQL without results (schema, pragmas). Not for values from outside:
  // bind those through prepare().
  [[nodiscard]] Status exec(std::string_view sql);
  [[nodiscard]] Result<Statement> prepare(std::string_view sql);

  // BEGIN IMMEDIATE / COMMIT / ROLLBACK. commit() returning ok means durable.
  [[nodiscard]] Status begin();
  [[nodiscard]] Status commit();
  void rollback() noexcept;

  // The schema version (PRAGMA user_version), for migrations.
  [[nodiscard]] Result<int> schema_version();
  [[nodiscard]] Status set_schema_version(int version);

 private:
  explicit Store(sqlite3* db) noexcept : m_db(db) {}
  sqlite3* m_db;
};

// BEGIN IMMEDIATE ... COMMIT that rolls back unless committed, so every
// early return leaves no half-done transaction.
class StoreTransaction {
 public:
  explicit StoreTransaction(Store& store) noexcept : m_store(&store) {}
  ~StoreTransaction() {
    if (m_open) m_store->rollback();
  }
  StoreTransaction(const StoreTransaction&) = delete;
  StoreTransaction& operator=(const StoreTransaction&) = delete;
  [[nodiscard]] Status begin() {
    auto status = m_store->begin();
    m_open = status.ok();
    return status;
  }
  // Ok means durable.
  [[nodiscard]] Status commit() {
    auto status = m_store->commit();
    if (status) m_open = false;
    return status;
  }

 private:
  Store* m_store;
  bool m_open = false;
};

// A prepared statement. bind_* index from 1, column_* from 0 (SQLite's
// convention). step() gives true while there is a row.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  [[nodiscard]] Status bind_blob(int index, ByteView value);
  [[nodiscard]] Status bind_int(int index, std::int64_t value);
  [[nodiscard]] Status bind_text(int index, std::string_view value);
  [[nodiscard]] Result<bool> step();
  // Resets for the next execution and clears bindings.
  void reset() noexcept;

  [[nodiscard]] std::int64_t column_int(int index) const;
  [[nodiscard]] Bytes column_blob(int index) const;
  [[nodiscard]] std::string column_text(int index) const;

 private:
  friend class Store;
  Statement(sqlite3* db, sqlite3_stmt* statement) noexcept : m_db(db), m_statement(statement) {}
  sqlite3* m_db = nullptr;
  sqlite3_stmt* m_statement = nullptr;
};

}  // namespace tenebra::router
