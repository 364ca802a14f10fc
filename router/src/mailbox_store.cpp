#include "tenebra/router/mailbox_store.hpp"

#include <string>

namespace tenebra::router {
namespace {

constexpr int kSchemaVersion = 1;
constexpr std::string_view kSchema =
    "CREATE TABLE IF NOT EXISTS mailbox_packets ("
    "  sequence INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  mailbox BLOB NOT NULL,"
    "  received_s INTEGER NOT NULL,"
    "  packet BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS mailbox_packets_by_mailbox ON mailbox_packets (mailbox, sequence);"
    "CREATE INDEX IF NOT EXISTS mailbox_packets_by_time ON mailbox_packets (received_s);";
constexpr std::size_t kMaxPeek = 4096;
constexpr std::size_t kMaxRemove = 4096;

Status check_mailbox(ByteView mailbox) {
  if (mailbox.size() != kMailboxIdBytes) return make_error(Errc::invalid_argument, "mailbox id must be 32 bytes");
  return {};
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}

Result<std::size_t> count_in(Store& store, ByteView mailbox) {
  auto statement = store.prepare("SELECT count(*) FROM mailbox_packets WHERE mailbox = ?1;");
  if (!statement) return statement.error();
  if (auto bound = statement->bind_blob(1, mailbox); !bound) return bound.error();
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return make_error(Errc::io, "mailbox count returned no row");
  return static_cast<std::size_t>(statement->column_int(0));
}

}  // namespace

Result<MailboxStore> MailboxStore::attach(Store& store, MailboxLimits limits) {
  if (limits.max_packet_bytes == 0 || limits.max_packets_per_mailbox == 0) {
    return make_error(Errc::invalid_argument, "mailbox limits must be positive");
  }
  auto version = store.schema_version();
  if (!version) return version.error();
  if (*version > kSchemaVersion) {
    return make_error(Errc::unsupported,
                      "the store was written by a newer Tenebra (schema " + std::to_string(*version) + ")");
  }
  if (auto created = store.exec(kSchema); !created) return created.error();
  if (*version < kSchemaVersion) {
    if (auto set = store.set_schema_version(kSchemaVersion); !set) return set.error();
  }
  return MailboxStore(store, limits);
}

Status MailboxStore::put(ByteView mailbox, ByteView packet, std::chrono::system_clock::time_point received) {
  if (auto checked = check_mailbox(mailbox); !checked) return checked;
  if (packet.empty() || packet.size() > m_limits.max_packet_bytes) {
    return make_error(Errc::invalid_argument, "packet size out of bounds for a mailbox");
  }
  StoreTransaction transaction(*m_store);
  if (auto begun = transaction.begin(); !begun) return begun;
  auto count = count_in(*m_store, mailbox);
  if (!count) return count.error();
  if (*count >= m_limits.max_packets_per_mailbox) return make_error(Errc::exhausted, "mailbox is full");
  auto insert = m_store->prepare("INSERT INTO mailbox_packets (mailbox, received_s, packet) VALUES (?1, ?2, ?3);");
  if (!insert) return insert.error();
  if (auto b = insert->bind_blob(1, mailbox); !b) return b;
  if (auto b = insert->bind_int(2, unix_seconds(received)); !b) return b;
  if (auto b = insert->bind_blob(3, packet); !b) return b;
  if (auto done = insert->step(); !done) return done.error();
  return transaction.commit();
}

Result<std::vector<StoredPacket>> MailboxStore::peek(ByteView mailbox, std::size_t max_count) {
  if (auto checked = check_mailbox(mailbox); !checked) return checked.error();
  const std::size_t limit = std::min(max_count, kMaxPeek);
  auto select =
      m_store->prepare("SELECT sequence, packet FROM mailbox_packets WHERE mailbox = ?1 ORDER BY sequence LIMIT ?2;");
  if (!select) return select.error();
  if (auto b = select->bind_blob(1, mailbox); !b) return b.error();
  if (auto b = select->bind_int(2, static_cast<std::int64_t>(limit)); !b) return b.error();
  std::vector<StoredPacket> packets;
  for (std::size_t i = 0; i <= limit; ++i) {
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    packets.push_back(StoredPacket{select->column_int(0), select->column_blob(1)});
  }
  return packets;
}

Status MailboxStore::remove(ByteView mailbox, std::span<const std::int64_t> sequences) {
  if (auto checked = check_mailbox(mailbox); !checked) return checked;
  if (sequences.size() > kMaxRemove) return make_error(Errc::invalid_argument, "too many packets in one remove");
  StoreTransaction transaction(*m_store);
  if (auto begun = transaction.begin(); !begun) return begun;
  auto erase = m_store->prepare("DELETE FROM mailbox_packets WHERE mailbox = ?1 AND sequence = ?2;");
  if (!erase) return erase.error();
  for (const std::int64_t sequence : sequences) {
    erase->reset();
    if (auto b = erase->bind_blob(1, mailbox); !b) return b;
    if (auto b = erase->bind_int(2, sequence); !b) return b;
    if (auto done = erase->step(); !done) return done.error();
  }
  return transaction.commit();
}

Result<std::size_t> MailboxStore::count(ByteView mailbox) {
  if (auto checked = check_mailbox(mailbox); !checked) return checked.error();
  return count_in(*m_store, mailbox);
}

Result<std::size_t> MailboxStore::expire(std::chrono::system_clock::time_point cutoff) {
  StoreTransaction transaction(*m_store);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto counted = m_store->prepare("SELECT count(*) FROM mailbox_packets WHERE received_s < ?1;");
  if (!counted) return counted.error();
  if (auto b = counted->bind_int(1, unix_seconds(cutoff)); !b) return b.error();
  auto row = counted->step();
  if (!row) return row.error();
  const auto expired = *row ? static_cast<std::size_t>(counted->column_int(0)) : 0;
  auto erase = m_store->prepare("DELETE FROM mailbox_packets WHERE received_s < ?1;");
  if (!erase) return erase.error();
  if (auto b = erase->bind_int(1, unix_seconds(cutoff)); !b) return b.error();
  if (auto done = erase->step(); !done) return done.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return expired;
}

}  // namespace tenebra::router
