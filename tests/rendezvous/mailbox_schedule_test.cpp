// The rotating mailbox rule: known-answer vectors (computed independently
// with python3 hashlib, docs/rendezvous.md §10), per-seed switch offsets,
// period boundaries, the fetch window around a switch, and the provider
// choice when the period's provider left.
#include "tenebra/rendezvous/mailbox_schedule.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace tenebra::rendezvous {
namespace {

using namespace std::chrono_literals;
namespace dir = router::directory;

RendezvousSeed seed_from(std::uint8_t first) {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(first + i);
  return RendezvousSeed(std::span<const std::uint8_t, 32>(bytes));
}

// seed_a = 00 01 .. 1f, seed_b = 80 81 .. 9f (the doc's vectors).
RendezvousSeed seed_a() {
  return seed_from(0x00);
}
RendezvousSeed seed_b() {
  return seed_from(0x80);
}

constexpr UnixSeconds kGenesis{std::chrono::seconds(1'700'000'000)};

dir::EpochSchedule hourly() {
  return dir::EpochSchedule::make(kGenesis, 1h).value();
}

std::string hex(const MailboxId& id) {
  return to_hex(id);
}

TEST(MailboxSchedule, OffsetVectors) {
  EXPECT_EQ(switch_offset(seed_a(), 3600s), 2981s);
  EXPECT_EQ(switch_offset(seed_a(), 60s), 41s);
  EXPECT_EQ(switch_offset(seed_a(), 604800s), 251381s);
  EXPECT_EQ(switch_offset(seed_b(), 3600s), 355s);
  EXPECT_EQ(switch_offset(seed_b(), 60s), 55s);
  EXPECT_EQ(switch_offset(seed_b(), 604800s), 227155s);
}

TEST(MailboxSchedule, MailboxIdVectors) {
  EXPECT_EQ(hex(mailbox_id(seed_a(), MailboxDirection::inviter_inbox, 0)),
            "7bfadbaaac75f7d5c54567e5cfc949c08416c7904f8a2b9d14493ec5303f57ff");
  EXPECT_EQ(hex(mailbox_id(seed_a(), MailboxDirection::invitee_inbox, 5)),
            "0175831eca859c478739e368ce601b6c39c460b0fcd38056b52db3db7a419ca4");
  EXPECT_EQ(hex(mailbox_id(seed_a(), MailboxDirection::group, 123456)),
            "e7d0962a67561ffc1e0869f19df836586d4d5dc5fd15356ca36afea9e51dbfcd");
  EXPECT_EQ(hex(mailbox_id(seed_a(), MailboxDirection::inviter_inbox, UINT64_MAX)),
            "51c865494d2a536c896c63b4b2823f26be922e275eb2d3fcdd70e777bc570721");
  EXPECT_EQ(hex(invite_mailbox_id(seed_a())), "94b0b944b483075c8a7027a2b3fd29532a112447cbc497a96a6ae70727eb0091");
}

TEST(MailboxSchedule, IdsSeparateDirectionsPeriodsAndSeeds) {
  std::set<MailboxId> ids;
  for (const auto& seed : {seed_a(), seed_b()}) {
    ids.insert(invite_mailbox_id(seed));
    for (const auto direction :
         {MailboxDirection::inviter_inbox, MailboxDirection::invitee_inbox, MailboxDirection::group}) {
      for (Period p = 0; p < 4; ++p) ids.insert(mailbox_id(seed, direction, p));
    }
  }
  EXPECT_EQ(ids.size(), 2U * (1 + 3 * 4));
}

TEST(MailboxSchedule, OffsetsSpreadOverThePeriod) {
  std::set<std::chrono::seconds> offsets;
  for (std::uint8_t first = 0; first < 64; ++first) {
    const auto offset = switch_offset(seed_from(first), 3600s);
    EXPECT_GE(offset, 0s);
    EXPECT_LT(offset, 3600s);
    offsets.insert(offset);
  }
  EXPECT_GT(offsets.size(), 60U);  // 64 seeds, 3600 slots: collisions are rare
  EXPECT_EQ(switch_offset(seed_a(), 1s), 0s);
}

TEST(MailboxSchedule, SwitchHappensAtStartPlusOffset) {
  const auto schedule = hourly();
  const auto seed = seed_a();
  const auto switch_5 = schedule.start_of(5).value() + 2981s;
  EXPECT_EQ(period_switch_time(schedule, seed, 5).value(), switch_5);
  EXPECT_EQ(period_at(schedule, seed, switch_5 - 1ns).value(), 4U);
  EXPECT_EQ(period_at(schedule, seed, switch_5).value(), 5U);
  EXPECT_EQ(period_at(schedule, seed, schedule.start_of(6).value()).value(), 5U);
  EXPECT_EQ(period_at(schedule, seed, switch_5 + 3600s - 1s).value(), 5U);
  EXPECT_EQ(period_at(schedule, seed, switch_5 + 3600s).value(), 6U);
  // The other seed has already switched at a time when this one has not.
  const auto between = schedule.start_of(5).value() + 1000s;
  EXPECT_EQ(period_at(schedule, seed_a(), between).value(), 4U);
  EXPECT_EQ(period_at(schedule, seed_b(), between).value(), 5U);
  EXPECT_EQ(period_switch_time(schedule, seed_b(), 5).value(), schedule.start_of(5).value() + 355s);
}

TEST(MailboxSchedule, PeriodZeroStartsAtGenesis) {
  const auto schedule = hourly();
  EXPECT_EQ(period_switch_time(schedule, seed_a(), 0).value(), kGenesis);
  EXPECT_EQ(period_at(schedule, seed_a(), kGenesis).value(), 0U);
  EXPECT_EQ(period_at(schedule, seed_a(), kGenesis + 3600s + 2980s).value(), 0U);
  EXPECT_EQ(period_at(schedule, seed_a(), kGenesis + 3600s + 2981s).value(), 1U);
  EXPECT_EQ(period_at(schedule, seed_a(), kGenesis - 1s).error().code, Errc::invalid_argument);
  EXPECT_FALSE(period_switch_time(schedule, seed_a(), UINT64_MAX));
}

TEST(MailboxSchedule, FetchWindowAroundASwitch) {
  const auto schedule = hourly();
  const auto seed = seed_a();
  const auto switch_5 = period_switch_time(schedule, seed, 5).value();
  EXPECT_EQ(periods_to_fetch(schedule, seed, switch_5 - 1s, 60s).value(), (std::vector<Period>{4}));
  EXPECT_EQ(periods_to_fetch(schedule, seed, switch_5, 0s).value(), (std::vector<Period>{5, 4}));
  EXPECT_EQ(periods_to_fetch(schedule, seed, switch_5 + 10s, 60s).value(), (std::vector<Period>{5, 4}));
  EXPECT_EQ(periods_to_fetch(schedule, seed, switch_5 + 60s, 60s).value(), (std::vector<Period>{5, 4}));
  EXPECT_EQ(periods_to_fetch(schedule, seed, switch_5 + 61s, 60s).value(), (std::vector<Period>{5}));
  EXPECT_EQ(periods_to_fetch(schedule, seed, switch_5 + 10s, 2h).value(), (std::vector<Period>{5, 4, 3}));
  EXPECT_EQ(periods_to_fetch(schedule, seed, kGenesis + 10s, 2h).value(), (std::vector<Period>{0}));
  EXPECT_EQ(periods_to_fetch(schedule, seed, switch_5, -1s).error().code, Errc::invalid_argument);
  EXPECT_EQ(periods_to_fetch(schedule, seed, kGenesis - 1s, 0s).error().code, Errc::invalid_argument);
}

TEST(MailboxSchedule, FetchWindowIsCapped) {
  const auto schedule = dir::EpochSchedule::make(kGenesis, 1s).value();
  const auto now = kGenesis + 1000s;
  // Period 1000 is current; period q ended at genesis + q + 1 (offset 0).
  EXPECT_EQ(periods_to_fetch(schedule, seed_a(), now, 61s).value().size(), 63U);
  EXPECT_EQ(periods_to_fetch(schedule, seed_a(), now, 62s).value().size(), kMaxFetchPeriods);
  EXPECT_EQ(periods_to_fetch(schedule, seed_a(), now, 63s).error().code, Errc::exhausted);
}

dir::Descriptor provider(std::uint8_t tag, std::string address = "127.0.0.1:9000") {
  dir::Descriptor d;
  d.identity.fill(tag);
  d.role = dir::Role::provider;
  d.transport = dir::TransportKind::tcp;
  d.address = std::move(address);
  return d;
}

dir::Topology topology(dir::Epoch epoch, std::vector<dir::Descriptor> providers) {
  dir::Topology t;
  t.network_id = "testnet";
  t.epoch = epoch;
  t.providers = std::move(providers);
  return t;
}

TEST(MailboxSchedule, ProviderComesFromThePeriodsTopology) {
  const auto id = mailbox_id(seed_a(), MailboxDirection::inviter_inbox, 5);
  const auto old_doc = topology(5, {provider(1), provider(2), provider(3)});
  const auto winner = dir::select_provider(old_doc, id).value();

  // The winner is still there: the current descriptor (new address) is used,
  // even if a newcomer would win in the current document.
  std::vector<dir::Descriptor> current_list{provider(1, "127.0.0.1:9100"), provider(2, "127.0.0.1:9100"),
                                            provider(3, "127.0.0.1:9100")};
  for (std::uint8_t tag = 4; tag < 40; ++tag) current_list.push_back(provider(tag));
  const auto current = topology(6, current_list);
  const auto chosen = mailbox_provider(old_doc, current, id).value();
  EXPECT_EQ(chosen.identity, winner.identity);
  EXPECT_EQ(chosen.address, "127.0.0.1:9100");

  // The winner left: the choice is made over the current document.
  std::vector<dir::Descriptor> without;
  for (const auto& d : current_list) {
    if (d.identity != winner.identity) without.push_back(d);
  }
  const auto after_leave = topology(6, without);
  EXPECT_EQ(mailbox_provider(old_doc, after_leave, id).value().identity,
            dir::select_provider(after_leave, id).value().identity);

  auto other_network = current;
  other_network.network_id = "othernet";
  EXPECT_EQ(mailbox_provider(old_doc, other_network, id).error().code, Errc::invalid_argument);
  EXPECT_EQ(mailbox_provider(current, old_doc, id).error().code, Errc::invalid_argument);
  EXPECT_EQ(mailbox_provider(topology(5, {}), current, id).error().code, Errc::not_found);
}

}  // namespace
}  // namespace tenebra::rendezvous
