// The inviter's invite book: creation (lifetime bounds, provider chosen on
// the invite mailbox id, randomness order), revocation, regeneration,
// one-time use, acceptance look-ups with each refusal, and the strict store
// codec of one record.
#include "tenebra/rendezvous/invite_book.hpp"

#include <gtest/gtest.h>

#include <array>

#include "tenebra/router/provider_select.hpp"

namespace tenebra::rendezvous {
namespace {

using namespace std::chrono_literals;
namespace dir = router::directory;

const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1'800'000'000)};

dir::Topology topology(std::string network = "testnet") {
  dir::Topology t;
  t.network_id = std::move(network);
  for (std::uint8_t tag = 1; tag <= 5; ++tag) {
    dir::Descriptor d;
    d.identity.fill(tag);
    d.role = dir::Role::provider;
    t.providers.push_back(d);
  }
  return t;
}

TEST(InviteBook, CreateDrawsIdSecretSeedAndPicksProvider) {
  std::array<std::uint8_t, 80> script{};
  for (std::size_t i = 0; i < script.size(); ++i) script[i] = static_cast<std::uint8_t>(0x30 + i);
  ScriptedRandom rng;
  rng.push(script);
  InviteBook book;
  const auto doc = topology();
  auto invite = book.create(rng, kNow + 500ms, kDefaultInviteLifetime, "testnet", doc);
  ASSERT_TRUE(invite) << invite.error().message;
  EXPECT_EQ(rng.remaining(), 0U);

  EXPECT_TRUE(std::equal(invite->invite_id.begin(), invite->invite_id.end(), script.begin()));
  InviteKey expected_key{};
  ASSERT_EQ(crypto_scalarmult_base(expected_key.data(), script.data() + 16), 0);
  EXPECT_EQ(invite->one_time_key, expected_key);
  EXPECT_EQ(sodium_memcmp(invite->seed.data(), script.data() + 48, 32), 0);
  EXPECT_EQ(invite->expires_at, std::chrono::floor<std::chrono::seconds>(kNow) + kDefaultInviteLifetime);
  EXPECT_EQ(invite->network_id, "testnet");
  EXPECT_EQ(invite->provider, dir::select_provider(doc, invite_mailbox_id(invite->seed)).value().identity);
  EXPECT_TRUE(decode_invite_text(encode_invite_text(*invite)));

  auto keys = book.lookup_for_acceptance(invite->invite_id, kNow);
  ASSERT_TRUE(keys);
  EXPECT_EQ(sodium_memcmp(keys->one_time_secret.data(), script.data() + 16, 32), 0);
  EXPECT_EQ(keys->one_time_key, expected_key);
  EXPECT_TRUE(keys->seed.equals(invite->seed));
}

TEST(InviteBook, CreateRefusesBadArguments) {
  DeterministicRandom rng(1);
  InviteBook book;
  const auto doc = topology();
  EXPECT_EQ(book.create(rng, kNow, 59s, "testnet", doc).error().code, Errc::invalid_argument);
  EXPECT_EQ(book.create(rng, kNow, kMaxInviteLifetime + 1s, "testnet", doc).error().code, Errc::invalid_argument);
  EXPECT_TRUE(book.create(rng, kNow, kMinInviteLifetime, "testnet", doc));
  EXPECT_TRUE(book.create(rng, kNow, kMaxInviteLifetime, "testnet", doc));
  EXPECT_EQ(book.create(rng, kNow, 1h, "Testnet", doc).error().code, Errc::malformed);
  EXPECT_EQ(book.create(rng, kNow, 1h, "othernet", doc).error().message,
            "the topology is of network testnet, not othernet");
  auto no_provider = topology();
  no_provider.providers.clear();
  EXPECT_EQ(book.create(rng, kNow, 1h, "testnet", no_provider).error().code, Errc::not_found);
  EXPECT_EQ(book.size(), 2U);
}

TEST(InviteBook, LookupRefusesUnknownRevokedExpiredUsed) {
  DeterministicRandom rng(2);
  InviteBook book;
  const auto doc = topology();
  const auto first = book.create(rng, kNow, 1h, "testnet", doc).value();
  const auto second = book.create(rng, kNow, 1h, "testnet", doc).value();

  InviteId unknown{};
  EXPECT_EQ(book.lookup_for_acceptance(unknown, kNow).error().message, "no invite with this id was issued here");
  EXPECT_EQ(book.lookup_for_acceptance(unknown, kNow).error().code, Errc::not_found);

  EXPECT_TRUE(book.lookup_for_acceptance(first.invite_id, kNow + 1h - 1s));
  const auto expired = book.lookup_for_acceptance(first.invite_id, kNow + 1h);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Errc::timeout);
  EXPECT_EQ(expired.error().message, "this invite expired on " + format_utc(first.expires_at));

  ASSERT_TRUE(book.revoke(first.invite_id));
  EXPECT_EQ(book.lookup_for_acceptance(first.invite_id, kNow).error().message, "this invite was revoked");
  EXPECT_TRUE(is_all_zero(book.find(first.invite_id)->one_time_secret.view()));
  EXPECT_TRUE(book.revoke(first.invite_id));  // idempotent

  ASSERT_TRUE(book.mark_used(second.invite_id));
  EXPECT_EQ(book.lookup_for_acceptance(second.invite_id, kNow).error().message, "this invite was already used");
  EXPECT_TRUE(is_all_zero(book.find(second.invite_id)->one_time_secret.view()));
  EXPECT_FALSE(book.mark_used(second.invite_id));  // one time only
  EXPECT_FALSE(book.mark_used(first.invite_id));   // revoked
  EXPECT_EQ(book.revoke(second.invite_id).error().code, Errc::invalid_argument);
  EXPECT_EQ(book.mark_used(unknown).error().code, Errc::not_found);
}

TEST(InviteBook, RegenerateRevokesAndIssuesFreshKeys) {
  DeterministicRandom rng(3);
  InviteBook book;
  const auto doc = topology();
  const auto old_invite = book.create(rng, kNow, 2h, "testnet", doc).value();
  const auto fresh = book.regenerate(rng, kNow + 10min, old_invite.invite_id, doc);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_NE(fresh->invite_id, old_invite.invite_id);
  EXPECT_NE(fresh->one_time_key, old_invite.one_time_key);
  EXPECT_FALSE(fresh->seed.equals(old_invite.seed));
  EXPECT_EQ(fresh->expires_at, std::chrono::floor<std::chrono::seconds>(kNow + 10min) + 2h);
  EXPECT_EQ(fresh->network_id, "testnet");
  EXPECT_EQ(book.lookup_for_acceptance(old_invite.invite_id, kNow).error().message, "this invite was revoked");
  EXPECT_TRUE(book.lookup_for_acceptance(fresh->invite_id, kNow + 11min));

  const auto listed = book.list();
  ASSERT_EQ(listed.size(), 2U);
  for (const auto& summary : listed) {
    EXPECT_EQ(summary.state, summary.invite_id == old_invite.invite_id ? InviteState::revoked : InviteState::active);
  }
  ASSERT_TRUE(book.mark_used(fresh->invite_id));
  EXPECT_EQ(book.regenerate(rng, kNow, fresh->invite_id, doc).error().code, Errc::invalid_argument);
  ASSERT_TRUE(book.forget(old_invite.invite_id));
  EXPECT_EQ(book.lookup_for_acceptance(old_invite.invite_id, kNow).error().code, Errc::not_found);
  EXPECT_FALSE(book.forget(old_invite.invite_id));
}

TEST(InviteBook, RegenerateThatCannotIssueKeepsTheOldInvite) {
  DeterministicRandom rng(5);
  InviteBook book;
  const auto old_invite = book.create(rng, kNow, 2h, "testnet", topology()).value();
  // A topology of another network: no new invite can be issued, so the old
  // one must not be revoked either (the user would be left with none).
  const auto failed = book.regenerate(rng, kNow, old_invite.invite_id, topology("othernet"));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::invalid_argument);
  EXPECT_EQ(book.size(), 1U);
  EXPECT_EQ(book.find(old_invite.invite_id)->state, InviteState::active);
  EXPECT_TRUE(book.lookup_for_acceptance(old_invite.invite_id, kNow));
}

TEST(InviteBook, RecordCodecRoundTripsEveryState) {
  DeterministicRandom rng(4);
  InviteBook book;
  const auto doc = topology();
  const auto active = book.create(rng, kNow, 1h, "testnet", doc).value();
  const auto revoked = book.create(rng, kNow, 1h, "testnet", doc).value();
  const auto used = book.create(rng, kNow, 1h, "testnet", doc).value();
  ASSERT_TRUE(book.revoke(revoked.invite_id));
  ASSERT_TRUE(book.mark_used(used.invite_id));

  InviteBook restored;
  for (const auto& id : {active.invite_id, revoked.invite_id, used.invite_id}) {
    const Bytes encoded = encode_invite_record(*book.find(id));
    auto decoded = decode_invite_record(encoded);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->invite, book.find(id)->invite);
    EXPECT_EQ(decoded->state, book.find(id)->state);
    EXPECT_EQ(decoded->issued_at, book.find(id)->issued_at);
    EXPECT_TRUE(decoded->one_time_secret.equals(book.find(id)->one_time_secret));
    EXPECT_EQ(encode_invite_record(*decoded), encoded);
    ASSERT_TRUE(restored.restore(std::move(decoded).value()));
  }
  EXPECT_TRUE(restored.lookup_for_acceptance(active.invite_id, kNow));
  EXPECT_EQ(restored.lookup_for_acceptance(used.invite_id, kNow).error().message, "this invite was already used");
  EXPECT_EQ(restored.restore(book.find(active.invite_id)->clone()).error().code, Errc::invalid_argument);
}

TEST(InviteBook, RecordDecodeIsStrict) {
  DeterministicRandom rng(5);
  InviteBook book;
  const auto invite = book.create(rng, kNow, 1h, "testnet", topology()).value();
  const Bytes good = encode_invite_record(*book.find(invite.invite_id));
  const std::size_t secret_at = good.size() - 32;

  EXPECT_EQ(decode_invite_record({}).error().code, Errc::malformed);
  Bytes version = good;
  version[0] = 0x02;
  EXPECT_EQ(decode_invite_record(version).error().code, Errc::unsupported);
  Bytes state = good;
  state[1] = 0x04;
  EXPECT_EQ(decode_invite_record(state).error().message, "unknown invite state 4");
  state[1] = 0x00;
  EXPECT_EQ(decode_invite_record(state).error().code, Errc::malformed);
  EXPECT_EQ(decode_invite_record(ByteView(good).first(good.size() - 1)).error().message, "an invite record is cut off");
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(decode_invite_record(trailing).error().message, "an invite record has trailing bytes");
  Bytes wrong_secret = good;
  wrong_secret[secret_at] ^= 0x40;
  EXPECT_EQ(decode_invite_record(wrong_secret).error().code, Errc::crypto);
  Bytes revoked_with_secret = good;
  revoked_with_secret[1] = static_cast<std::uint8_t>(InviteState::revoked);
  EXPECT_EQ(decode_invite_record(revoked_with_secret).error().message,
            "a revoked or used invite record still holds its secret");
  Bytes bad_invite = good;
  bad_invite[12 + 5] ^= 0x01;  // inside the invite: its checksum fails
  EXPECT_NE(decode_invite_record(bad_invite).error().message.find("checksum mismatch"), std::string::npos);
  Bytes issued_late = good;  // issued 1 s before it expires: lifetime under a minute
  const auto late = static_cast<std::uint64_t>(invite.expires_at.time_since_epoch().count() - 1);
  for (int i = 0; i < 8; ++i) issued_late[2 + i] = static_cast<std::uint8_t>(late >> (8 * (7 - i)));
  EXPECT_EQ(decode_invite_record(issued_late).error().message, "an invite record's lifetime is out of bounds");
}

}  // namespace
}  // namespace tenebra::rendezvous
