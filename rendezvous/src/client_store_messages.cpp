// ClientStore: outbox, incoming fragments, inbox and delivered markers.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "client_store_sql.hpp"
#include "tenebra/rendezvous/client_store.hpp"

namespace tenebra::rendezvous {
namespace {

using detail::run;
using detail::too_big;

std::size_t bitmap_bytes(std::uint32_t fragments) {
  return (static_cast<std::size_t>(fragments) + 7) / 8;
}

Status bind_key(router::Statement& statement, ContactId contact, const StoredMessageId& id) {
  if (auto b = statement.bind_int(1, contact); !b) return b;
  return statement.bind_blob(2, id);
}

Result<std::int64_t> count_of(router::Statement& statement) {
  auto row = statement.step();
  if (!row) return row.error();
  if (!*row) return make_error(Errc::io, "client store: a count returned no row");
  return statement.column_int(0);
}

// Rows changed by the last statement.
Result<std::int64_t> changed_rows(router::Store& store) {
  auto changes = store.prepare("SELECT changes();");
  if (!changes) return changes.error();
  return count_of(*changes);
}

}  // namespace

Status ClientStore::enqueue(ContactId contact, const StoredMessageId& id, ByteView content,
                            std::uint32_t fragment_count, WallTime created) {
  if (content.empty() || content.size() > delivery::kMaxMessageBytes) {
    return too_big("a message", delivery::kMaxMessageBytes);
  }
  if (fragment_count == 0) return make_error(Errc::invalid_argument, "a message has at least one fragment");
  // INSERT OR IGNORE: handing the same message over twice (a client that
  // retried after a crash) keeps the first copy and its acks.
  auto statement = m_store->prepare(
      "INSERT OR IGNORE INTO outbox (contact, message_id, content, fragment_count, acked, created_s)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6);");
  if (!statement) return statement.error();
  const Bytes acked(bitmap_bytes(fragment_count), 0);
  if (auto b = bind_key(*statement, contact, id); !b) return b;
  if (auto b = statement->bind_blob(3, content); !b) return b;
  if (auto b = statement->bind_int(4, fragment_count); !b) return b;
  if (auto b = statement->bind_blob(5, acked); !b) return b;
  if (auto b = statement->bind_int(6, detail::unix_seconds(created)); !b) return b;
  return run(*statement);
}

Status ClientStore::save_acked(ContactId contact, const StoredMessageId& id, ByteView acked) {
  auto statement =
      m_store->prepare("UPDATE outbox SET acked = ?3 WHERE contact = ?1 AND message_id = ?2 AND length(acked) = ?4;");
  if (!statement) return statement.error();
  if (auto b = bind_key(*statement, contact, id); !b) return b;
  if (auto b = statement->bind_blob(3, acked); !b) return b;
  if (auto b = statement->bind_int(4, static_cast<std::int64_t>(acked.size())); !b) return b;
  if (auto done = run(*statement); !done) return done;
  auto changed = changed_rows(*m_store);
  if (!changed) return changed.error();
  if (*changed == 0) {
    return make_error(Errc::not_found, "no outbox message with that id and an acked bitmap of that size");
  }
  return {};
}

Status ClientStore::finish_outgoing(ContactId contact, const StoredMessageId& id) {
  auto statement = m_store->prepare("DELETE FROM outbox WHERE contact = ?1 AND message_id = ?2;");
  if (!statement) return statement.error();
  if (auto b = bind_key(*statement, contact, id); !b) return b;
  return run(*statement);
}

Result<std::vector<OutboxRow>> ClientStore::outbox() {
  auto statement = m_store->prepare(
      "SELECT contact, message_id, content, fragment_count, acked, created_s FROM outbox"
      " ORDER BY created_s, rowid;");
  if (!statement) return statement.error();
  std::vector<OutboxRow> rows;
  for (;;) {
    auto row = statement->step();
    if (!row) return row.error();
    if (!*row) break;
    OutboxRow out;
    out.contact = statement->column_int(0);
    auto id = detail::message_id_from(statement->column_blob(1));
    if (!id) return id.error();
    out.message_id = *id;
    out.content = statement->column_blob(2);
    const auto count = statement->column_int(3);
    if (count < 1 || count > 0xFFFFFFFF) return make_error(Errc::malformed, "client store: bad fragment count");
    out.fragment_count = static_cast<std::uint32_t>(count);
    out.acked = statement->column_blob(4);
    if (out.acked.size() != bitmap_bytes(out.fragment_count)) {
      return make_error(Errc::malformed, "client store: an acked bitmap has the wrong size");
    }
    out.created = detail::from_unix_seconds(statement->column_int(5));
    rows.push_back(std::move(out));
  }
  return rows;
}

Status ClientStore::put_fragment(ContactId contact, const StoredMessageId& id, std::uint32_t index, ByteView frame) {
  if (frame.empty() || frame.size() > kMaxFragmentBytes) return too_big("a fragment", kMaxFragmentBytes);
  // A retransmitted fragment replaces nothing: the first copy stays.
  auto statement =
      m_store->prepare("INSERT OR IGNORE INTO fragments_in (contact, message_id, idx, frame) VALUES (?1, ?2, ?3, ?4);");
  if (!statement) return statement.error();
  if (auto b = bind_key(*statement, contact, id); !b) return b;
  if (auto b = statement->bind_int(3, index); !b) return b;
  if (auto b = statement->bind_blob(4, frame); !b) return b;
  return run(*statement);
}

Result<std::vector<StoredFragment>> ClientStore::fragments(ContactId contact, const StoredMessageId& id) {
  auto statement =
      m_store->prepare("SELECT idx, frame FROM fragments_in WHERE contact = ?1 AND message_id = ?2 ORDER BY idx;");
  if (!statement) return statement.error();
  if (auto b = bind_key(*statement, contact, id); !b) return b.error();
  std::vector<StoredFragment> fragments;
  for (;;) {
    auto row = statement->step();
    if (!row) return row.error();
    if (!*row) break;
    const auto index = statement->column_int(0);
    if (index < 0 || index > 0xFFFFFFFF) return make_error(Errc::malformed, "client store: bad fragment index");
    fragments.push_back(StoredFragment{static_cast<std::uint32_t>(index), statement->column_blob(1)});
  }
  return fragments;
}

Result<std::vector<std::pair<ContactId, StoredMessageId>>> ClientStore::partial_messages() {
  auto statement = m_store->prepare("SELECT DISTINCT contact, message_id FROM fragments_in ORDER BY contact;");
  if (!statement) return statement.error();
  std::vector<std::pair<ContactId, StoredMessageId>> partial;
  for (;;) {
    auto row = statement->step();
    if (!row) return row.error();
    if (!*row) break;
    auto id = detail::message_id_from(statement->column_blob(1));
    if (!id) return id.error();
    partial.emplace_back(statement->column_int(0), *id);
  }
  return partial;
}

Result<bool> ClientStore::complete_message(ContactId contact, const StoredMessageId& id, ByteView content,
                                           WallTime received) {
  if (content.empty() || content.size() > delivery::kMaxMessageBytes) {
    return too_big("a message", delivery::kMaxMessageBytes).error();
  }
  router::StoreTransaction transaction(*m_store);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  if (auto already = delivered(contact, id); !already) {
    return already.error();
  } else if (*already) {
    return false;
  }
  auto inbox =
      m_store->prepare("INSERT INTO inbox (contact, message_id, content, received_s) VALUES (?1, ?2, ?3, ?4);");
  if (!inbox) return inbox.error();
  if (auto b = bind_key(*inbox, contact, id); !b) return b.error();
  if (auto b = inbox->bind_blob(3, content); !b) return b.error();
  if (auto b = inbox->bind_int(4, detail::unix_seconds(received)); !b) return b.error();
  if (auto done = run(*inbox); !done) return done.error();
  auto marker = m_store->prepare("INSERT INTO delivered (contact, message_id, delivered_s) VALUES (?1, ?2, ?3);");
  if (!marker) return marker.error();
  if (auto b = bind_key(*marker, contact, id); !b) return b.error();
  if (auto b = marker->bind_int(3, detail::unix_seconds(received)); !b) return b.error();
  if (auto done = run(*marker); !done) return done.error();
  auto drop = m_store->prepare("DELETE FROM fragments_in WHERE contact = ?1 AND message_id = ?2;");
  if (!drop) return drop.error();
  if (auto b = bind_key(*drop, contact, id); !b) return b.error();
  if (auto done = run(*drop); !done) return done.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return true;
}

Result<bool> ClientStore::delivered(ContactId contact, const StoredMessageId& id) {
  auto statement = m_store->prepare("SELECT count(*) FROM delivered WHERE contact = ?1 AND message_id = ?2;");
  if (!statement) return statement.error();
  if (auto b = bind_key(*statement, contact, id); !b) return b.error();
  auto count = count_of(*statement);
  if (!count) return count.error();
  return *count > 0;
}

Result<std::vector<InboxRow>> ClientStore::inbox(std::int64_t after_sequence, std::size_t limit) {
  auto statement = m_store->prepare(
      "SELECT sequence, contact, message_id, content, received_s FROM inbox WHERE sequence > ?1"
      " ORDER BY sequence LIMIT ?2;");
  if (!statement) return statement.error();
  if (auto b = statement->bind_int(1, after_sequence); !b) return b.error();
  if (auto b = statement->bind_int(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 100'000))); !b) {
    return b.error();
  }
  std::vector<InboxRow> rows;
  for (;;) {
    auto row = statement->step();
    if (!row) return row.error();
    if (!*row) break;
    InboxRow entry;
    entry.sequence = statement->column_int(0);
    entry.contact = statement->column_int(1);
    auto id = detail::message_id_from(statement->column_blob(2));
    if (!id) return id.error();
    entry.message_id = *id;
    entry.content = statement->column_blob(3);
    entry.received = detail::from_unix_seconds(statement->column_int(4));
    rows.push_back(std::move(entry));
  }
  return rows;
}

Result<std::size_t> ClientStore::forget_delivered_before(WallTime cutoff) {
  auto statement = m_store->prepare("DELETE FROM delivered WHERE delivered_s < ?1;");
  if (!statement) return statement.error();
  if (auto b = statement->bind_int(1, detail::unix_seconds(cutoff)); !b) return b.error();
  if (auto done = run(*statement); !done) return done.error();
  auto count = changed_rows(*m_store);
  if (!count) return count.error();
  return static_cast<std::size_t>(*count);
}

}  // namespace tenebra::rendezvous
