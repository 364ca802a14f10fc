#include "tenebra/rendezvous/invite_book.hpp"

#include <sodium.h>

#include <algorithm>

#include "tenebra/router/provider_select.hpp"

namespace tenebra::rendezvous {

namespace {

namespace dir = router::directory;

Status check_lifetime(std::chrono::seconds lifetime) {
  if (lifetime < kMinInviteLifetime || lifetime > kMaxInviteLifetime) {
    return make_error(Errc::invalid_argument, "an invite lifetime must be " +
                                                  std::to_string(kMinInviteLifetime.count()) + " s .. " +
                                                  std::to_string(kMaxInviteLifetime.count()) + " s, got " +
                                                  std::to_string(lifetime.count()) + " s");
  }
  return {};
}

// The one-time public key of `secret`; Errc::crypto if it has none.
Result<InviteKey> public_of(const SecretKey32& secret) {
  InviteKey key{};
  if (crypto_scalarmult_base(key.data(), secret.data()) != 0) {
    return make_error(Errc::crypto, "the one-time secret gives no usable public key");
  }
  return key;
}

Error unknown_invite() {
  return make_error(Errc::not_found, "no invite with this id was issued here");
}

}  // namespace

const char* invite_state_name(InviteState state) noexcept {
  switch (state) {
    case InviteState::active:
      return "active";
    case InviteState::revoked:
      return "revoked";
    case InviteState::used:
      return "used";
  }
  return "unknown";
}

InviteRecord InviteRecord::clone() const {
  return InviteRecord{invite.clone(), issued_at, state, one_time_secret.clone()};
}

Result<Invite> InviteBook::create(Random& rng, std::chrono::system_clock::time_point now, std::chrono::seconds lifetime,
                                  std::string_view network_id, const dir::Topology& topology) {
  if (auto ok = check_lifetime(lifetime); !ok) return std::move(ok).error();
  if (auto ok = dir::check_network_id(network_id); !ok) return std::move(ok).error();
  if (topology.network_id != network_id) {
    return make_error(Errc::invalid_argument,
                      "the topology is of network " + topology.network_id + ", not " + std::string(network_id));
  }
  if (m_records.size() >= kMaxInviteRecords) {
    return make_error(Errc::exhausted, "too many invites are on record: forget old ones first");
  }
  const auto issued_at = std::chrono::floor<std::chrono::seconds>(now);
  const auto expiry = (issued_at + lifetime).time_since_epoch().count();
  if (issued_at.time_since_epoch().count() < 0 || expiry > static_cast<std::int64_t>(kMaxInviteExpiry)) {
    return make_error(Errc::invalid_argument, "the time is outside the range an invite can express");
  }

  InviteRecord record;
  record.issued_at = issued_at;
  record.invite.network_id = std::string(network_id);
  rng.fill(record.invite.invite_id);
  rng.fill(record.one_time_secret.span());
  rng.fill(record.invite.seed.span());
  if (m_records.contains(record.invite.invite_id)) {
    return make_error(Errc::internal, "the random source repeated an invite id");
  }
  auto key = public_of(record.one_time_secret);
  if (!key) return std::move(key).error();
  record.invite.one_time_key = *key;
  record.invite.expires_at = issued_at + lifetime;
  auto provider = dir::select_provider(topology, invite_mailbox_id(record.invite.seed));
  if (!provider) return std::move(provider).error();
  record.invite.provider = provider->identity;

  Invite issued = record.invite.clone();
  m_records.emplace(issued.invite_id, std::move(record));
  return issued;
}

Status InviteBook::revoke(const InviteId& invite_id) {
  const auto it = m_records.find(invite_id);
  if (it == m_records.end()) return unknown_invite();
  InviteRecord& record = it->second;
  if (record.state == InviteState::used) {
    return make_error(Errc::invalid_argument, "this invite was already used: remove the contact instead");
  }
  record.state = InviteState::revoked;
  record.one_time_secret.wipe();
  return {};
}

Result<Invite> InviteBook::regenerate(Random& rng, std::chrono::system_clock::time_point now, const InviteId& invite_id,
                                      const dir::Topology& topology) {
  const auto it = m_records.find(invite_id);
  if (it == m_records.end()) return unknown_invite();
  if (it->second.state == InviteState::used) {
    return make_error(Errc::invalid_argument, "this invite was already used: there is nothing to regenerate");
  }
  const std::chrono::seconds lifetime = it->second.invite.expires_at - it->second.issued_at;
  const std::string network_id = it->second.invite.network_id;
  // Issue first: if that fails (a topology of another network, a full book)
  // the old invite stays as it was instead of being revoked with no successor.
  auto issued = create(rng, now, lifetime, network_id, topology);
  if (!issued) return issued;
  if (auto revoked = revoke(invite_id); !revoked) {
    (void)forget(issued->invite_id);
    return std::move(revoked).error();
  }
  return issued;
}

Status InviteBook::forget(const InviteId& invite_id) {
  if (m_records.erase(invite_id) == 0) return unknown_invite();
  return {};
}

std::vector<InviteSummary> InviteBook::list() const {
  std::vector<InviteSummary> out;
  out.reserve(m_records.size());
  for (const auto& [id, record] : m_records) {
    out.push_back(
        InviteSummary{id, record.invite.network_id, record.issued_at, record.invite.expires_at, record.state});
  }
  return out;
}

const InviteRecord* InviteBook::find(const InviteId& invite_id) const {
  const auto it = m_records.find(invite_id);
  return it == m_records.end() ? nullptr : &it->second;
}

Result<AcceptanceKeys> InviteBook::lookup_for_acceptance(const InviteId& invite_id,
                                                         std::chrono::system_clock::time_point now) const {
  const InviteRecord* record = find(invite_id);
  if (record == nullptr) return unknown_invite();
  switch (record->state) {
    case InviteState::revoked:
      return make_error(Errc::invalid_argument, "this invite was revoked");
    case InviteState::used:
      return make_error(Errc::invalid_argument, "this invite was already used");
    case InviteState::active:
      break;
  }
  if (now >= record->invite.expires_at) {
    return make_error(Errc::timeout, "this invite expired on " + format_utc(record->invite.expires_at));
  }
  return AcceptanceKeys{record->one_time_secret.clone(), record->invite.one_time_key, record->invite.seed.clone()};
}

Status InviteBook::mark_used(const InviteId& invite_id) {
  const auto it = m_records.find(invite_id);
  if (it == m_records.end()) return unknown_invite();
  InviteRecord& record = it->second;
  if (record.state != InviteState::active) {
    return make_error(Errc::invalid_argument,
                      std::string("only an active invite can be used; this one is ") + invite_state_name(record.state));
  }
  record.state = InviteState::used;
  record.one_time_secret.wipe();
  return {};
}

Status InviteBook::restore(InviteRecord record) {
  if (m_records.size() >= kMaxInviteRecords) {
    return make_error(Errc::exhausted, "too many invites are on record: forget old ones first");
  }
  if (m_records.contains(record.invite.invite_id)) {
    return make_error(Errc::invalid_argument, "an invite with this id is already on record");
  }
  const InviteId id = record.invite.invite_id;
  m_records.emplace(id, std::move(record));
  return {};
}

Bytes encode_invite_record(const InviteRecord& record) {
  Bytes invite = encode_invite_binary(record.invite);
  Bytes out;
  out.reserve(1 + 1 + 8 + 2 + invite.size() + record.one_time_secret.size());
  ByteWriter writer(out);
  writer.u8(kInviteRecordVersion);
  writer.u8(static_cast<std::uint8_t>(record.state));
  writer.u64_be(static_cast<std::uint64_t>(record.issued_at.time_since_epoch().count()));
  writer.u16_be(static_cast<std::uint16_t>(invite.size()));
  writer.bytes(invite);
  writer.bytes(record.one_time_secret.view());
  sodium_memzero(invite.data(), invite.size());
  return out;
}

Result<InviteRecord> decode_invite_record(ByteView encoded) {
  ByteReader reader(encoded);
  auto version = reader.u8();
  if (!version) return make_error(Errc::malformed, "an invite record is empty");
  if (*version != kInviteRecordVersion) {
    return make_error(Errc::unsupported, "unknown invite record version " + std::to_string(*version));
  }
  auto state = reader.u8();
  auto issued = reader.u64_be();
  auto invite_length = reader.u16_be();
  if (!state || !issued || !invite_length) return make_error(Errc::malformed, "an invite record is cut off");
  if (*state < static_cast<std::uint8_t>(InviteState::active) ||
      *state > static_cast<std::uint8_t>(InviteState::used)) {
    return make_error(Errc::malformed, "unknown invite state " + std::to_string(*state));
  }
  auto invite_bytes = reader.take(*invite_length);
  auto secret_bytes = reader.take(SecretKey32::size_bytes);
  if (!invite_bytes || !secret_bytes) return make_error(Errc::malformed, "an invite record is cut off");
  if (!reader.at_end()) return make_error(Errc::malformed, "an invite record has trailing bytes");
  auto invite = decode_invite_binary(*invite_bytes);
  if (!invite) return make_error(invite.error().code, "the invite in a record is bad: " + invite.error().message);

  InviteRecord record{std::move(invite).value(), {}, static_cast<InviteState>(*state), {}};
  if (*issued > kMaxInviteExpiry) return make_error(Errc::malformed, "an invite record's issue time is out of range");
  record.issued_at = UnixSeconds(std::chrono::seconds(static_cast<std::int64_t>(*issued)));
  if (auto lifetime = check_lifetime(record.invite.expires_at - record.issued_at); !lifetime) {
    return make_error(Errc::malformed, "an invite record's lifetime is out of bounds");
  }
  std::ranges::copy(*secret_bytes, record.one_time_secret.span().begin());
  if (record.state != InviteState::active) {
    if (!is_all_zero(record.one_time_secret.view())) {
      return make_error(Errc::malformed, "a revoked or used invite record still holds its secret");
    }
    return record;
  }
  auto key = public_of(record.one_time_secret);
  if (!key || sodium_memcmp(key->data(), record.invite.one_time_key.data(), key->size()) != 0) {
    return make_error(Errc::crypto, "an invite record's secret does not match its one-time key");
  }
  return record;
}

}  // namespace tenebra::rendezvous
