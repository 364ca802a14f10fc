#include "tenebra/router/node_keys.hpp"

#include <sodium.h>

#include <cstdint>
#include <limits>
#include <string_view>

namespace tenebra::router {
namespace {

constexpr std::string_view kSchema =
    "CREATE TABLE IF NOT EXISTS node_identity ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  seed BLOB NOT NULL,"
    "  public_key BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS node_sphinx_keys ("
    "  epoch INTEGER PRIMARY KEY,"
    "  secret BLOB NOT NULL);";

constexpr auto kMaxStoredEpoch = static_cast<directory::Epoch>(std::numeric_limits<std::int64_t>::max());

// A blob copied out of SQLite into a plain vector, wiped when it goes.
class WipedBlob {
 public:
  explicit WipedBlob(Bytes bytes) noexcept : m_bytes(std::move(bytes)) {}
  ~WipedBlob() { sodium_memzero(m_bytes.data(), m_bytes.size()); }
  WipedBlob(const WipedBlob&) = delete;
  WipedBlob& operator=(const WipedBlob&) = delete;
  const Bytes& bytes() const noexcept { return m_bytes; }

 private:
  Bytes m_bytes;
};

Result<IdentityKeyPair> load_identity(Statement& select) {
  const WipedBlob seed(select.column_blob(0));
  const Bytes public_key = select.column_blob(1);
  if (seed.bytes().size() != kIdentitySeedLength || public_key.size() != kIdentityPublicBytes) {
    return make_error(Errc::crypto, "node keys: the stored identity has the wrong size");
  }
  auto pair = IdentityKeyPair::from_seed(std::span<const std::uint8_t, kIdentitySeedLength>(seed.bytes()));
  if (sodium_memcmp(pair.public_key.data(), public_key.data(), kIdentityPublicBytes) != 0) {
    return make_error(Errc::crypto, "node keys: the stored identity does not match its public key");
  }
  return pair;
}

Status insert_identity(Store& store, const IdentityKeyPair& pair) {
  SecretArray<kIdentitySeedLength> seed;
  crypto_sign_ed25519_sk_to_seed(seed.data(), pair.secret.data());
  auto insert = store.prepare("INSERT INTO node_identity (id, seed, public_key) VALUES (1, ?1, ?2);");
  if (!insert) return insert.error();
  if (auto b = insert->bind_blob(1, seed.view()); !b) return b;
  if (auto b = insert->bind_blob(2, pair.public_key); !b) return b;
  if (auto done = insert->step(); !done) return done.error();
  return {};
}

}  // namespace

Result<NodeKeys> NodeKeys::attach(Store& store, Random& rng) {
  if (auto created = store.exec(kSchema); !created) return created.error();
  StoreTransaction transaction(store);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto select = store.prepare("SELECT seed, public_key FROM node_identity WHERE id = 1;");
  if (!select) return select.error();
  auto row = select->step();
  if (!row) return row.error();
  if (*row) {
    auto identity = load_identity(*select);
    if (!identity) return std::move(identity).error();
    return NodeKeys(store, std::move(*identity));
  }
  auto identity = IdentityKeyPair::generate(rng);
  if (auto inserted = insert_identity(store, identity); !inserted) return inserted.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return NodeKeys(store, std::move(identity));
}

Result<mix::sphinx::NodeKeyPair> NodeKeys::sphinx_key(directory::Epoch epoch, Random& rng) {
  if (epoch > kMaxStoredEpoch) return make_error(Errc::invalid_argument, "node keys: epoch out of range");
  const auto stored_epoch = static_cast<std::int64_t>(epoch);
  StoreTransaction transaction(*m_store);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto select = m_store->prepare("SELECT secret FROM node_sphinx_keys WHERE epoch = ?1;");
  if (!select) return select.error();
  if (auto b = select->bind_int(1, stored_epoch); !b) return b.error();
  auto row = select->step();
  if (!row) return row.error();
  if (*row) {
    const WipedBlob secret(select->column_blob(0));
    if (secret.bytes().size() != SecretKey32::size()) {
      return make_error(Errc::crypto, "node keys: a stored Sphinx key has the wrong size");
    }
    return mix::sphinx::NodeKeyPair::from_secret(std::span<const std::uint8_t, 32>(secret.bytes()));
  }
  auto pair = mix::sphinx::NodeKeyPair::generate(rng);
  auto insert = m_store->prepare("INSERT INTO node_sphinx_keys (epoch, secret) VALUES (?1, ?2);");
  if (!insert) return insert.error();
  if (auto b = insert->bind_int(1, stored_epoch); !b) return b.error();
  if (auto b = insert->bind_blob(2, pair.secret.view()); !b) return b.error();
  if (auto done = insert->step(); !done) return done.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return pair;
}

Result<std::size_t> NodeKeys::forget_sphinx_keys_before(directory::Epoch epoch) {
  // Every stored epoch is <= INT64_MAX, so a larger bound means all of them.
  const bool all = epoch > kMaxStoredEpoch;
  const auto bound = static_cast<std::int64_t>(all ? kMaxStoredEpoch : epoch);
  const std::string_view where = all ? " WHERE epoch <= ?1;" : " WHERE epoch < ?1;";
  std::size_t forgotten = 0;
  {
    StoreTransaction transaction(*m_store);
    if (auto begun = transaction.begin(); !begun) return begun.error();
    auto counted = m_store->prepare("SELECT count(*) FROM node_sphinx_keys" + std::string(where));
    if (!counted) return counted.error();
    if (auto b = counted->bind_int(1, bound); !b) return b.error();
    auto row = counted->step();
    if (!row) return row.error();
    if (!*row) return make_error(Errc::io, "node keys: count returned no row");
    forgotten = static_cast<std::size_t>(counted->column_int(0));
    if (forgotten == 0) return forgotten;
    auto erase = m_store->prepare("DELETE FROM node_sphinx_keys" + std::string(where));
    if (!erase) return erase.error();
    if (auto b = erase->bind_int(1, bound); !b) return b.error();
    if (auto done = erase->step(); !done) return done.error();
    if (auto committed = transaction.commit(); !committed) return committed.error();
  }
  // The WAL still holds the pages with the old keys until a checkpoint; copy
  // them back (secure_delete overwrote them there) and empty the WAL.
  if (auto checkpoint = m_store->exec("PRAGMA wal_checkpoint(TRUNCATE);"); !checkpoint) return checkpoint.error();
  return forgotten;
}

}  // namespace tenebra::router
