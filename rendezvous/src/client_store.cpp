#include "tenebra/rendezvous/client_store.hpp"

#include "client_store_sql.hpp"

namespace tenebra::rendezvous {
namespace {

using detail::run;
using detail::too_big;

constexpr int kSchemaVersion = 1;
constexpr std::string_view kSchema =
    "CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS invites (invite_id BLOB PRIMARY KEY, record BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS contacts ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, role INTEGER NOT NULL,"
    "  peer_identity BLOB NOT NULL, seed BLOB NOT NULL, session BLOB NOT NULL,"
    "  group_id INTEGER NOT NULL, created_s INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS outbox ("
    "  contact INTEGER NOT NULL, message_id BLOB NOT NULL, content BLOB NOT NULL,"
    "  fragment_count INTEGER NOT NULL, acked BLOB NOT NULL, created_s INTEGER NOT NULL,"
    "  PRIMARY KEY (contact, message_id));"
    "CREATE TABLE IF NOT EXISTS fragments_in ("
    "  contact INTEGER NOT NULL, message_id BLOB NOT NULL, idx INTEGER NOT NULL, frame BLOB NOT NULL,"
    "  PRIMARY KEY (contact, message_id, idx));"
    "CREATE TABLE IF NOT EXISTS inbox ("
    "  sequence INTEGER PRIMARY KEY AUTOINCREMENT, contact INTEGER NOT NULL, message_id BLOB NOT NULL,"
    "  content BLOB NOT NULL, received_s INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS delivered ("
    "  contact INTEGER NOT NULL, message_id BLOB NOT NULL, delivered_s INTEGER NOT NULL,"
    "  PRIMARY KEY (contact, message_id));"
    "CREATE INDEX IF NOT EXISTS delivered_by_time ON delivered (delivered_s);";

Status check_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxSecretNameBytes) return too_big("a secret's name", kMaxSecretNameBytes);
  return {};
}

Result<ContactRow> contact_from(router::Statement& row) {
  ContactRow contact;
  contact.id = row.column_int(0);
  contact.name = row.column_text(1);
  const auto role = row.column_int(2);
  if (role < 0 || role > 0xFF) return make_error(Errc::malformed, "client store: a contact has a bad role");
  contact.role = static_cast<std::uint8_t>(role);
  contact.peer_identity = row.column_blob(3);
  contact.seed = SecretBytes(row.column_blob(4));
  // The database file is input too: add_contact wrote 32 bytes.
  if (contact.seed.size() != kContactSeedBytes) {
    return make_error(Errc::malformed, "client store: a contact's seed has a bad size");
  }
  contact.session = SecretBytes(row.column_blob(5));
  // 0: not in a group (group ids start at 1).
  if (const auto group = row.column_int(6); group != 0) contact.group = group;
  contact.created = detail::from_unix_seconds(row.column_int(7));
  return contact;
}

constexpr std::string_view kContactColumns =
    "SELECT id, name, role, peer_identity, seed, session, group_id, created_s FROM contacts";

}  // namespace

Result<ClientStore> ClientStore::attach(router::Store& store) {
  auto version = store.schema_version();
  if (!version) return version.error();
  if (*version > kSchemaVersion) {
    return make_error(Errc::unsupported,
                      "the client store was written by a newer Tenebra (schema " + std::to_string(*version) + ")");
  }
  if (auto created = store.exec(kSchema); !created) return created.error();
  if (*version < kSchemaVersion) {
    if (auto set = store.set_schema_version(kSchemaVersion); !set) return set.error();
  }
  return ClientStore(store);
}

Status ClientStore::put_secret(std::string_view name, ByteView value) {
  if (auto checked = check_name(name); !checked) return checked;
  if (value.empty() || value.size() > kMaxSecretBytes) return too_big("a secret", kMaxSecretBytes);
  auto statement = m_store->prepare("INSERT OR REPLACE INTO secrets (name, value) VALUES (?1, ?2);");
  if (!statement) return statement.error();
  if (auto b = statement->bind_text(1, name); !b) return b;
  if (auto b = statement->bind_blob(2, value); !b) return b;
  return run(*statement);
}

Result<std::optional<SecretBytes>> ClientStore::secret(std::string_view name) {
  if (auto checked = check_name(name); !checked) return checked.error();
  auto statement = m_store->prepare("SELECT value FROM secrets WHERE name = ?1;");
  if (!statement) return statement.error();
  if (auto b = statement->bind_text(1, name); !b) return b.error();
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return std::optional<SecretBytes>();
  return std::optional<SecretBytes>(SecretBytes(statement->column_blob(0)));
}

Status ClientStore::put_invite(ByteView invite_id, ByteView record) {
  if (invite_id.empty() || invite_id.size() > kMaxInviteIdBytes) return too_big("an invite id", kMaxInviteIdBytes);
  if (record.empty() || record.size() > kMaxInviteRecordBytes) {
    return too_big("an invite record", kMaxInviteRecordBytes);
  }
  auto statement = m_store->prepare("INSERT OR REPLACE INTO invites (invite_id, record) VALUES (?1, ?2);");
  if (!statement) return statement.error();
  if (auto b = statement->bind_blob(1, invite_id); !b) return b;
  if (auto b = statement->bind_blob(2, record); !b) return b;
  return run(*statement);
}

Status ClientStore::delete_invite(ByteView invite_id) {
  auto statement = m_store->prepare("DELETE FROM invites WHERE invite_id = ?1;");
  if (!statement) return statement.error();
  if (auto b = statement->bind_blob(1, invite_id); !b) return b;
  return run(*statement);
}

Result<std::vector<SecretBytes>> ClientStore::invites() {
  auto statement = m_store->prepare("SELECT record FROM invites ORDER BY invite_id;");
  if (!statement) return statement.error();
  std::vector<SecretBytes> records;
  for (;;) {
    auto row = statement->step();
    if (!row) return row.error();
    if (!*row) break;
    records.emplace_back(statement->column_blob(0));
  }
  return records;
}

Result<ContactId> ClientStore::add_contact(const NewContact& contact, std::optional<ByteView> used_invite) {
  if (contact.name.empty() || contact.name.size() > kMaxContactNameBytes) {
    return too_big("a contact's name", kMaxContactNameBytes).error();
  }
  if (contact.peer_identity.empty() || contact.peer_identity.size() > 256) {
    return too_big("a contact's identity", 256).error();
  }
  if (contact.seed.size() != kContactSeedBytes) {
    return make_error(Errc::invalid_argument, "a contact's seed must be 32 bytes");
  }
  if (contact.session.empty() || contact.session.size() > kMaxSessionBytes) {
    return too_big("a session", kMaxSessionBytes).error();
  }
  if (contact.group && *contact.group < 1) return make_error(Errc::invalid_argument, "group ids start at 1");
  router::StoreTransaction transaction(*m_store);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  if (used_invite) {
    auto known = m_store->prepare("SELECT count(*) FROM invites WHERE invite_id = ?1;");
    if (!known) return known.error();
    if (auto b = known->bind_blob(1, *used_invite); !b) return b.error();
    auto row = known->step();
    if (!row) return row.error();
    if (!*row || known->column_int(0) == 0) {
      return make_error(Errc::not_found, "this invite was already used or revoked");
    }
    if (auto deleted = delete_invite(*used_invite); !deleted) return deleted.error();
  }
  auto insert = m_store->prepare(
      "INSERT INTO contacts (name, role, peer_identity, seed, session, group_id, created_s)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7);");
  if (!insert) return insert.error();
  if (auto b = insert->bind_text(1, contact.name); !b) return b.error();
  if (auto b = insert->bind_int(2, contact.role); !b) return b.error();
  if (auto b = insert->bind_blob(3, contact.peer_identity); !b) return b.error();
  if (auto b = insert->bind_blob(4, contact.seed); !b) return b.error();
  if (auto b = insert->bind_blob(5, contact.session); !b) return b.error();
  if (auto b = insert->bind_int(6, contact.group.value_or(0)); !b) return b.error();
  if (auto b = insert->bind_int(7, detail::unix_seconds(contact.created)); !b) return b.error();
  if (auto done = run(*insert); !done) return done.error();
  auto last = m_store->prepare("SELECT last_insert_rowid();");
  if (!last) return last.error();
  auto row = last->step();
  if (!row) return row.error();
  if (!*row) return make_error(Errc::io, "client store: no id for the new contact");
  const ContactId id = last->column_int(0);
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return id;
}

Status ClientStore::save_session(ContactId contact, ByteView session) {
  if (session.empty() || session.size() > kMaxSessionBytes) return too_big("a session", kMaxSessionBytes);
  auto statement = m_store->prepare("UPDATE contacts SET session = ?2 WHERE id = ?1;");
  if (!statement) return statement.error();
  if (auto b = statement->bind_int(1, contact); !b) return b;
  if (auto b = statement->bind_blob(2, session); !b) return b;
  return run(*statement);
}

Status ClientStore::rename_contact(ContactId contact, std::string_view name) {
  if (name.empty() || name.size() > kMaxContactNameBytes) return too_big("a contact's name", kMaxContactNameBytes);
  auto statement = m_store->prepare("UPDATE contacts SET name = ?2 WHERE id = ?1;");
  if (!statement) return statement.error();
  if (auto b = statement->bind_int(1, contact); !b) return b;
  if (auto b = statement->bind_text(2, name); !b) return b;
  return run(*statement);
}

Result<std::optional<ContactRow>> ClientStore::contact(ContactId contact) {
  auto statement = m_store->prepare(std::string(kContactColumns) + " WHERE id = ?1;");
  if (!statement) return statement.error();
  if (auto b = statement->bind_int(1, contact); !b) return b.error();
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return std::optional<ContactRow>();
  auto found = contact_from(*statement);
  if (!found) return found.error();
  return std::optional<ContactRow>(std::move(*found));
}

Result<std::vector<ContactRow>> ClientStore::contacts() {
  auto statement = m_store->prepare(std::string(kContactColumns) + " ORDER BY id;");
  if (!statement) return statement.error();
  std::vector<ContactRow> rows;
  for (;;) {
    auto row = statement->step();
    if (!row) return row.error();
    if (!*row) break;
    auto found = contact_from(*statement);
    if (!found) return found.error();
    rows.push_back(std::move(*found));
  }
  return rows;
}

}  // namespace tenebra::rendezvous
