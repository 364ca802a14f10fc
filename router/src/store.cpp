#include "tenebra/router/store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace tenebra::router {
namespace {

// "PRAGMA key = \"x'<64 hex>'\";" in a buffer that is wiped after use.
constexpr std::string_view kKeyPragmaHead = "PRAGMA key = \"x'";
constexpr std::string_view kKeyPragmaTail = "'\";";
constexpr std::size_t kKeyPragmaBytes = kKeyPragmaHead.size() + 2 * kStoreKeyBytes + kKeyPragmaTail.size() + 1;

constexpr std::string_view kPragmas =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "PRAGMA secure_delete = ON;"
    "PRAGMA foreign_keys = ON;"
    "PRAGMA temp_store = MEMORY;";
constexpr int kBusyTimeoutMs = 5'000;

std::string errno_text(int error) {
  return std::generic_category().message(error);
}

Error sqlite_error(sqlite3* db, std::string_view what) {
  return make_error(Errc::io, std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

class Fd {
 public:
  explicit Fd(int fd) noexcept : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const noexcept { return m_fd; }

 private:
  int m_fd;
};

Status fsync_parent(const std::filesystem::path& path) {
  const Fd dir(
      ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) return make_error(Errc::io, "cannot sync the data dir");
  return {};
}

// Reads the salt, or creates it (random, 0600, synced) when `create`.
Result<std::array<std::uint8_t, kStoreSaltBytes>> load_salt(const std::filesystem::path& salt_path, bool create,
                                                            Random& rng) {
  std::array<std::uint8_t, kStoreSaltBytes> salt{};
  const Fd existing(::open(salt_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (existing.get() >= 0) {
    struct stat info {};
    if (::fstat(existing.get(), &info) != 0 || !S_ISREG(info.st_mode) ||
        info.st_size != static_cast<off_t>(kStoreSaltBytes)) {
      return make_error(Errc::malformed, "store salt file has the wrong size or type");
    }
    ssize_t got = 0;
    do {
      got = ::read(existing.get(), salt.data(), salt.size());
    } while (got < 0 && errno == EINTR);
    if (got != static_cast<ssize_t>(salt.size())) return make_error(Errc::io, "cannot read the store salt file");
    return salt;
  }
  if (errno != ENOENT) return make_error(Errc::io, "cannot open the store salt file: " + errno_text(errno));
  if (!create) return make_error(Errc::not_found, "store salt file missing");
  rng.fill(salt);
  const Fd created(::open(salt_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (created.get() < 0) return make_error(Errc::io, "cannot create the store salt file: " + errno_text(errno));
  if (::write(created.get(), salt.data(), salt.size()) != static_cast<ssize_t>(salt.size()) ||
      ::fsync(created.get()) != 0) {
    return make_error(Errc::io, "cannot write the store salt file");
  }
  if (auto synced = fsync_parent(salt_path); !synced) return synced.error();
  return salt;
}

// Creates an empty 0600 file so SQLite (and its -wal/-shm files, which copy
// the database's mode) never exists with wider permissions.
Status precreate(const std::filesystem::path& path) {
  const Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) return make_error(Errc::io, "cannot create the store: " + errno_text(errno));
  return {};
}

Status apply_key(sqlite3* db, const StoreKey& key) {
  std::array<char, kKeyPragmaBytes> pragma{};
  const WipeOnExit wipe(std::span(reinterpret_cast<std::uint8_t*>(pragma.data()), pragma.size()));
  std::size_t at = 0;
  for (char c : kKeyPragmaHead) pragma[at++] = c;
  sodium_bin2hex(pragma.data() + at, 2 * kStoreKeyBytes + 1, key.data(), kStoreKeyBytes);
  at += 2 * kStoreKeyBytes;
  for (char c : kKeyPragmaTail) pragma[at++] = c;
  pragma[at] = '\0';
  if (sqlite3_exec(db, pragma.data(), nullptr, nullptr, nullptr) != SQLITE_OK)
    return sqlite_error(db, "keying the store");
  return {};
}

}  // namespace

KeyDerivationCost KeyDerivationCost::production() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}
KeyDerivationCost KeyDerivationCost::for_tests() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Result<StoreKey> derive_store_key(std::string_view passphrase, ByteView salt, KeyDerivationCost cost) {
  if (salt.size() != crypto_pwhash_SALTBYTES)
    return make_error(Errc::invalid_argument, "store salt has the wrong size");
  if (passphrase.empty()) return make_error(Errc::invalid_argument, "the passphrase is empty");
  if (passphrase.size() > crypto_pwhash_PASSWD_MAX) return make_error(Errc::invalid_argument, "passphrase too long");
  StoreKey key;
  if (crypto_pwhash(key.data(), kStoreKeyBytes, passphrase.data(), passphrase.size(), salt.data(), cost.ops_limit,
                    cost.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(Errc::exhausted, "not enough memory to derive the store key (Argon2id)");
  }
  return key;
}

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path, std::string_view passphrase,
                                           KeyDerivationCost cost, Random& rng, bool create) {
  static_assert(kStoreSaltBytes == crypto_pwhash_SALTBYTES);
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (ec) return make_error(Errc::io, "cannot look at the store path: " + ec.message());
  if (!exists && !create) return make_error(Errc::not_found, "no store at this path (run init first)");
  auto salt = load_salt(path.string() + ".salt", !exists && create, rng);
  if (!salt) {
    if (exists && salt.error().code == Errc::not_found) {
      return make_error(Errc::crypto, "store salt file missing: the store cannot be unlocked");
    }
    return salt.error();
  }
  auto key = derive_store_key(passphrase, *salt, cost);
  if (!key) return key.error();
  if (!exists) {
    if (auto created = precreate(path); !created) return created.error();
  }

  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &raw, flags, nullptr) != SQLITE_OK) {
    Error error = sqlite_error(raw, "opening the store");
    sqlite3_close(raw);
    return error;
  }
  std::unique_ptr<Store> store(new Store(raw));
  if (auto keyed = apply_key(raw, *key); !keyed) return keyed.error();
  // The first read decrypts page 1: a wrong key shows up here.
  if (sqlite3_exec(raw, "SELECT count(*) FROM sqlite_master;", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return make_error(Errc::crypto, "wrong passphrase, or the file is not a Tenebra store");
  }
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  if (auto pragmas = store->exec(kPragmas); !pragmas) return pragmas.error();
  if (exists) return store;
  if (auto synced = fsync_parent(path); !synced) return synced.error();
  return store;
}

Store::~Store() {
  sqlite3_close_v2(m_db);
}

Status Store::exec(std::string_view sql) {
  const std::string text(sql);
  if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_error(m_db, "store");
  return {};
}

Result<Statement> Store::prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  if (sql.size() > static_cast<std::size_t>(INT32_MAX)) return make_error(Errc::invalid_argument, "SQL too long");
  if (sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) != SQLITE_OK) {
    return sqlite_error(m_db, "preparing a store statement");
  }
  return Statement(m_db, statement);
}

Status Store::begin() {
  return exec("BEGIN IMMEDIATE;");
}
Status Store::commit() {
  return exec("COMMIT;");
}
void Store::rollback() noexcept {
  sqlite3_exec(m_db, "ROLLBACK;", nullptr, nullptr, nullptr);
}

Result<int> Store::schema_version() {
  auto statement = prepare("PRAGMA user_version;");
  if (!statement) return statement.error();
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return make_error(Errc::io, "store: no schema version");
  return static_cast<int>(statement->column_int(0));
}

Status Store::set_schema_version(int version) {
  return exec("PRAGMA user_version = " + std::to_string(version) + ";");
}

Statement::Statement(Statement&& other) noexcept : m_db(other.m_db), m_statement(other.m_statement) {
  other.m_statement = nullptr;
}
Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(m_statement);
    m_db = other.m_db;
    m_statement = other.m_statement;
    other.m_statement = nullptr;
  }
  return *this;
}
Statement::~Statement() {
  sqlite3_finalize(m_statement);
}

Status Statement::bind_blob(int index, ByteView value) {
  if (value.size() > static_cast<std::size_t>(INT32_MAX)) return make_error(Errc::invalid_argument, "blob too big");
  // An empty blob binds as a zero-length blob, not NULL.
  static constexpr std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  if (sqlite3_bind_blob(m_statement, index, data, static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    return sqlite_error(m_db, "binding a blob");
  }
  return {};
}
Status Statement::bind_int(int index, std::int64_t value) {
  if (sqlite3_bind_int64(m_statement, index, value) != SQLITE_OK) return sqlite_error(m_db, "binding an integer");
  return {};
}
Status Statement::bind_text(int index, std::string_view value) {
  if (value.size() > static_cast<std::size_t>(INT32_MAX)) return make_error(Errc::invalid_argument, "text too big");
  if (sqlite3_bind_text(m_statement, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    return sqlite_error(m_db, "binding text");
  }
  return {};
}
Result<bool> Statement::step() {
  const int rc = sqlite3_step(m_statement);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(m_db, "store statement");
}
void Statement::reset() noexcept {
  sqlite3_reset(m_statement);
  sqlite3_clear_bindings(m_statement);
}
std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(m_statement, index);
}
Bytes Statement::column_blob(int index) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_statement, index));
  const int size = sqlite3_column_bytes(m_statement, index);
  if (data == nullptr || size <= 0) return {};
  return Bytes(data, data + size);
}
std::string Statement::column_text(int index) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, index));
  const int size = sqlite3_column_bytes(m_statement, index);
  if (data == nullptr || size <= 0) return {};
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace tenebra::router
