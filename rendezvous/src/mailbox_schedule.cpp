#include "tenebra/rendezvous/mailbox_schedule.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string>

namespace tenebra::rendezvous {

namespace {

namespace dir = router::directory;

void append_field(ByteWriter& writer, ByteView field) {
  writer.u16_be(static_cast<std::uint16_t>(field.size()));
  writer.bytes(field);
}

// BLAKE2b(out.size(), key = seed, personal = kLabelMailbox, msg = lp(domain) || lp(label) [|| lp(u64 period)]).
void derive(MutableByteView out, const RendezvousSeed& seed, std::string_view label, const Period* period) {
  static_assert(sizeof(kLabelMailbox) == crypto_generichash_blake2b_PERSONALBYTES);
  Bytes message;
  ByteWriter writer(message);
  append_field(writer, as_bytes(kMailboxDomain));
  append_field(writer, as_bytes(label));
  if (period != nullptr) {
    std::array<std::uint8_t, 8> number{};
    for (std::size_t i = 0; i < number.size(); ++i) {
      number[i] = static_cast<std::uint8_t>(*period >> (8 * (number.size() - 1 - i)));
    }
    append_field(writer, number);
  }
  crypto_generichash_blake2b_salt_personal(out.data(), out.size(), message.data(), message.size(), seed.data(),
                                           seed.size(), nullptr,
                                           reinterpret_cast<const unsigned char*>(kLabelMailbox.data()));
}

}  // namespace

std::string_view direction_label(MailboxDirection direction) noexcept {
  switch (direction) {
    case MailboxDirection::inviter_inbox:
      return "inviter-inbox";
    case MailboxDirection::invitee_inbox:
      return "invitee-inbox";
    case MailboxDirection::group:
      return "group";
  }
  return "group";
}

std::chrono::seconds switch_offset(const RendezvousSeed& seed, std::chrono::seconds length) {
  if (length.count() <= 0) return std::chrono::seconds(0);
  std::array<std::uint8_t, 32> digest{};
  derive(digest, seed, kOffsetLabel, nullptr);
  // The whole 256-bit digest, big-endian, mod length: with length below
  // 2^20 s the bias is under 2^-236. Reducing byte by byte keeps every
  // intermediate value below 2^28.
  const auto modulus = static_cast<std::uint64_t>(length.count());
  std::uint64_t remainder = 0;
  for (const std::uint8_t byte : digest) remainder = (remainder * 256 + byte) % modulus;
  sodium_memzero(digest.data(), digest.size());
  return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(remainder));
}

Result<Period> period_at(const dir::EpochSchedule& schedule, const RendezvousSeed& seed,
                         std::chrono::system_clock::time_point when) {
  auto epoch = schedule.epoch_at(when);
  if (!epoch) return std::move(epoch).error();
  if (*epoch == 0) return Period{0};
  auto start = schedule.start_of(*epoch);
  if (!start) return std::move(start).error();
  const auto switch_time = *start + switch_offset(seed, schedule.length());
  return when < switch_time ? *epoch - 1 : *epoch;
}

Result<UnixSeconds> period_switch_time(const dir::EpochSchedule& schedule, const RendezvousSeed& seed, Period period) {
  if (period == 0) return schedule.genesis();
  // The switch lies before the start of the next epoch, so that start being
  // in the clock's range keeps the switch in range too.
  if (auto next = schedule.start_of(period + 1); !next) return std::move(next).error();
  auto start = schedule.start_of(period);
  if (!start) return std::move(start).error();
  return *start + switch_offset(seed, schedule.length());
}

MailboxId mailbox_id(const RendezvousSeed& seed, MailboxDirection direction, Period period) {
  MailboxId id{};
  derive(id, seed, direction_label(direction), &period);
  return id;
}

MailboxId invite_mailbox_id(const RendezvousSeed& seed) {
  MailboxId id{};
  derive(id, seed, kInviteMailboxLabel, nullptr);
  return id;
}

Result<std::vector<Period>> periods_to_fetch(const dir::EpochSchedule& schedule, const RendezvousSeed& seed,
                                             std::chrono::system_clock::time_point now,
                                             std::chrono::seconds retention) {
  if (retention.count() < 0) return make_error(Errc::invalid_argument, "retention must not be negative");
  auto current = period_at(schedule, seed, now);
  if (!current) return std::move(current).error();
  std::vector<Period> periods{*current};
  for (Period later = *current; later > 0; --later) {
    // Period later - 1 ended when period `later` began.
    auto end = period_switch_time(schedule, seed, later);
    if (!end) return std::move(end).error();
    if (now - *end > retention) break;
    if (periods.size() == kMaxFetchPeriods) {
      return make_error(Errc::exhausted, "a retention of " + std::to_string(retention.count()) + " s spans more than " +
                                             std::to_string(kMaxFetchPeriods) + " mailbox periods");
    }
    periods.push_back(later - 1);
  }
  return periods;
}

Result<dir::Descriptor> mailbox_provider(const dir::Topology& period_topology, const dir::Topology& current,
                                         const MailboxId& mailbox) {
  if (period_topology.network_id != current.network_id) {
    return make_error(Errc::invalid_argument, "the two topology documents are of different networks");
  }
  if (period_topology.epoch > current.epoch) {
    return make_error(Errc::invalid_argument, "the current topology is older than the period's");
  }
  auto chosen = dir::select_provider(period_topology, mailbox);
  if (!chosen) return std::move(chosen).error();
  const auto still_there = std::find_if(current.providers.begin(), current.providers.end(),
                                        [&](const dir::Descriptor& d) { return d.identity == chosen->identity; });
  if (still_there != current.providers.end()) return *still_there;
  return dir::select_provider(current, mailbox);
}

}  // namespace tenebra::rendezvous
