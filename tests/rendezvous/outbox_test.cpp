#include "tenebra/rendezvous/outbox.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <optional>
#include <set>

#include "tenebra/rendezvous/message_content.hpp"
#include "tenebra/rendezvous/reassembler.hpp"

namespace tenebra::rendezvous::delivery {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using TimePoint = std::chrono::steady_clock::time_point;

constexpr std::size_t kSmall = 128;  // 65 data bytes per fragment
const TimePoint kStart{};

OutboxConfig small_config(std::size_t window = 8, double jitter = 0.0) {
  OutboxConfig config;
  config.capacity = kSmall;
  config.window = window;
  config.initial_timeout = milliseconds{1000};
  config.max_timeout = milliseconds{3000};
  config.backoff = 2.0;
  config.jitter = jitter;
  return config;
}

Outbox make(const OutboxConfig& config) {
  auto made = Outbox::create(config);
  EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
  return std::move(made).value();
}

MessageId add(Outbox& outbox, std::size_t bytes, Random& random, TimePoint now = kStart) {
  auto id = outbox.add(Bytes(bytes, 0x42), random, now);
  EXPECT_TRUE(id.ok());
  return id.ok() ? *id : MessageId{};
}

std::vector<std::uint32_t> indices(const std::vector<OutgoingFrame>& frames) {
  std::vector<std::uint32_t> out;
  for (const auto& frame : frames) out.push_back(frame.index);
  return out;
}

TEST(DeliveryOutbox, ConfigurationIsChecked) {
  EXPECT_TRUE(Outbox::create(small_config()).ok());
  OutboxConfig config = small_config();
  config.capacity = 100;
  EXPECT_FALSE(Outbox::create(config).ok());
  config = small_config(0);
  EXPECT_FALSE(Outbox::create(config).ok());
  config = small_config();
  config.initial_timeout = milliseconds{0};
  EXPECT_FALSE(Outbox::create(config).ok());
  config = small_config();
  config.max_timeout = milliseconds{999};
  EXPECT_FALSE(Outbox::create(config).ok());
  config = small_config();
  config.backoff = 0.5;
  EXPECT_FALSE(Outbox::create(config).ok());
  config = small_config(8, 0.6);
  EXPECT_FALSE(Outbox::create(config).ok());
}

TEST(DeliveryOutbox, RefusesEmptyAndOversizedMessages) {
  Outbox outbox = make(small_config());
  DeterministicRandom random(1);
  EXPECT_EQ(outbox.add({}, random, kStart).error().code, Errc::invalid_argument);
  EXPECT_EQ(outbox.add(Bytes(kMaxMessageBytes + 1, 0), random, kStart).error().code, Errc::invalid_argument);
  EXPECT_EQ(outbox.pending_messages(), 0U);
}

TEST(DeliveryOutbox, WindowLimitsFragmentsInFlight) {
  Outbox outbox = make(small_config(8));
  DeterministicRandom random(2);
  const MessageId id = add(outbox, 65 * 100, random);
  const auto first = outbox.next_frames(kStart, 100, random);
  EXPECT_EQ(indices(first), (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  for (const auto& frame : first) {
    EXPECT_EQ(frame.message_id, id);
    EXPECT_EQ(frame.attempt, 1U);
    EXPECT_EQ(frame.frame.size(), kSmall);
  }
  EXPECT_EQ(outbox.in_flight(), 8U);
  EXPECT_FALSE(outbox.can_send_new());
  EXPECT_TRUE(outbox.next_frames(kStart, 100, random).empty());

  auto acked = outbox.on_ack(AckFrame{id, false, {{0, 2}, {5, 1}}});
  ASSERT_TRUE(acked.ok());
  EXPECT_TRUE(acked->known);
  EXPECT_EQ(acked->newly_acked, 3U);
  EXPECT_EQ(acked->acked, 3U);
  EXPECT_EQ(acked->total, 100U);
  EXPECT_FALSE(acked->completed);
  EXPECT_TRUE(outbox.can_send_new());
  EXPECT_EQ(indices(outbox.next_frames(kStart, 2, random)), (std::vector<std::uint32_t>{8, 9}));
  EXPECT_EQ(indices(outbox.next_frames(kStart, 100, random)), (std::vector<std::uint32_t>{10}));
  // The same ack again changes nothing.
  EXPECT_EQ(outbox.on_ack(AckFrame{id, false, {{0, 2}}})->newly_acked, 0U);
}

TEST(DeliveryOutbox, MessagesGoInQueueOrder) {
  Outbox outbox = make(small_config(4));
  DeterministicRandom random(3);
  const MessageId a = add(outbox, 65 * 2, random);
  const MessageId b = add(outbox, 65 * 3, random);
  const auto frames = outbox.next_frames(kStart, 10, random);
  ASSERT_EQ(frames.size(), 4U);
  EXPECT_EQ(frames[0].message_id, a);
  EXPECT_EQ(frames[1].message_id, a);
  EXPECT_EQ(frames[2].message_id, b);
  EXPECT_EQ(frames[3].message_id, b);
  EXPECT_EQ(frames[3].index, 1U);
}

TEST(DeliveryOutbox, RetransmitsWithExponentialBackoffUpToTheCeiling) {
  Outbox outbox = make(small_config(1));
  DeterministicRandom random(4);
  add(outbox, 10, random);
  EXPECT_EQ(outbox.next_frames(kStart, 1, random).size(), 1U);
  EXPECT_EQ(outbox.next_retransmission(), kStart + milliseconds{1000});
  EXPECT_TRUE(outbox.next_frames(kStart + milliseconds{999}, 1, random).empty());
  // 1 s, then 2 s, then capped at 3 s.
  TimePoint now = kStart + milliseconds{1000};
  std::uint32_t expected_attempt = 2;
  for (const milliseconds next : {milliseconds{2000}, milliseconds{3000}, milliseconds{3000}}) {
    const auto frames = outbox.next_frames(now, 1, random);
    ASSERT_EQ(frames.size(), 1U);
    EXPECT_EQ(frames[0].attempt, expected_attempt++);
    EXPECT_EQ(outbox.next_retransmission(), now + next);
    EXPECT_TRUE(outbox.next_frames(now + next - milliseconds{1}, 1, random).empty());
    now += next;
  }
  EXPECT_EQ(outbox.progress(now)[0].transmissions, 4U);
}

TEST(DeliveryOutbox, JitterSpreadsTimeoutsWithinBounds) {
  Outbox outbox = make(small_config(64, 0.25));
  DeterministicRandom random(5);
  add(outbox, 65 * 64, random);
  ASSERT_EQ(outbox.next_frames(kStart, 64, random).size(), 64U);
  const auto earliest = outbox.next_retransmission();
  ASSERT_TRUE(earliest.has_value());
  EXPECT_GE(*earliest, kStart + milliseconds{750});
  EXPECT_LT(*earliest, kStart + milliseconds{1000});  // 64 draws: one is below the middle
  EXPECT_TRUE(outbox.next_frames(kStart + milliseconds{749}, 64, random).empty());
  const auto due = outbox.next_frames(kStart + milliseconds{1000}, 64, random);
  EXPECT_GT(due.size(), 0U);
  EXPECT_LT(due.size(), 64U);
  EXPECT_EQ(outbox.next_frames(kStart + milliseconds{1250}, 64, random).size(), 64U - due.size());
}

TEST(DeliveryOutbox, DueRetransmissionsGoBeforeNewFragments) {
  Outbox outbox = make(small_config(2));
  DeterministicRandom random(6);
  const MessageId id = add(outbox, 65 * 5, random);
  ASSERT_EQ(outbox.next_frames(kStart, 2, random).size(), 2U);  // 0, 1
  ASSERT_TRUE(outbox.on_ack(AckFrame{id, false, {{1, 1}}}).ok());
  const auto frames = outbox.next_frames(kStart + seconds{1}, 2, random);
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].index, 0U);
  EXPECT_EQ(frames[0].attempt, 2U);
  EXPECT_EQ(frames[1].index, 2U);
  EXPECT_EQ(frames[1].attempt, 1U);
}

TEST(DeliveryOutbox, AcksCompleteOrAreRefused) {
  Outbox outbox = make(small_config());
  DeterministicRandom random(7);
  const MessageId id = add(outbox, 65 * 4, random);
  ASSERT_EQ(outbox.next_frames(kStart, 10, random).size(), 4U);
  auto unknown = outbox.on_ack(AckFrame{MessageId{}, true, {}});
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->known);
  auto past = outbox.on_ack(AckFrame{id, false, {{0, 1}, {3, 2}}});
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, Errc::malformed);
  EXPECT_EQ(outbox.progress(kStart)[0].acked, 0U);  // nothing changed
  auto ranges = outbox.on_ack(AckFrame{id, false, {{0, 4}}});
  ASSERT_TRUE(ranges.ok());
  EXPECT_TRUE(ranges->completed);
  EXPECT_EQ(outbox.pending_messages(), 0U);
  EXPECT_EQ(outbox.in_flight(), 0U);
  EXPECT_FALSE(outbox.next_retransmission().has_value());

  const MessageId other = add(outbox, 65 * 4, random);
  ASSERT_EQ(outbox.next_frames(kStart, 2, random).size(), 2U);
  auto complete = outbox.on_ack(AckFrame{other, true, {}});
  ASSERT_TRUE(complete.ok());
  EXPECT_TRUE(complete->completed);
  EXPECT_EQ(complete->newly_acked, 4U);
  EXPECT_EQ(outbox.in_flight(), 0U);
  EXPECT_FALSE(outbox.on_ack(AckFrame{other, true, {}})->known);  // a late duplicate ack
}

TEST(DeliveryOutbox, ReportsProgressAndAge) {
  Outbox outbox = make(small_config());
  DeterministicRandom random(8);
  const MessageId id = add(outbox, 65 * 10, random, kStart + seconds{5});
  (void)outbox.next_frames(kStart + seconds{5}, 3, random);
  ASSERT_TRUE(outbox.on_ack(AckFrame{id, false, {{1, 2}}}).ok());
  const auto progress = outbox.progress(kStart + seconds{65});
  ASSERT_EQ(progress.size(), 1U);
  EXPECT_EQ(progress[0].message_id, id);
  EXPECT_EQ(progress[0].acked, 2U);
  EXPECT_EQ(progress[0].total, 10U);
  EXPECT_EQ(progress[0].transmissions, 3U);
  EXPECT_EQ(progress[0].age, seconds{60});
  EXPECT_EQ(outbox.acked_bitmap(id), (Bytes{0x06, 0x00}));
  EXPECT_FALSE(outbox.acked_bitmap(MessageId{}).has_value());
}

TEST(DeliveryOutbox, RestoresFromStoredRows) {
  DeterministicRandom random(9);
  MessageId id{};
  id.fill(0x33);
  const Bytes message(65 * 10, 0x42);
  Outbox outbox = make(small_config(64));
  // Fragments 0..7 and 9 acked before the crash: only 8 goes again.
  auto restored = outbox.restore(StoredOutboxMessage{id, message, Bytes{0xFF, 0x02}, kStart});
  ASSERT_TRUE(restored.ok());
  EXPECT_TRUE(*restored);
  EXPECT_EQ(indices(outbox.next_frames(kStart, 64, random)), (std::vector<std::uint32_t>{8}));
  EXPECT_EQ(outbox.progress(kStart)[0].acked, 9U);
  EXPECT_EQ(outbox.restore(StoredOutboxMessage{id, message, {}, kStart}).error().code, Errc::invalid_argument);

  Outbox fresh = make(small_config(64));
  MessageId other{};
  other.fill(0x44);
  EXPECT_FALSE(*fresh.restore(StoredOutboxMessage{other, message, Bytes{0xFF, 0x03}, kStart}));  // all acked
  EXPECT_EQ(fresh.pending_messages(), 0U);
  EXPECT_EQ(fresh.restore(StoredOutboxMessage{other, message, Bytes{0xFF}, kStart}).error().code, Errc::malformed);
  EXPECT_EQ(fresh.restore(StoredOutboxMessage{other, message, Bytes{0x00, 0x04}, kStart}).error().code,
            Errc::malformed);  // bit 10 of a 10-fragment message
  EXPECT_EQ(fresh.restore(StoredOutboxMessage{other, {}, {}, kStart}).error().code, Errc::malformed);
  ASSERT_TRUE(fresh.restore(StoredOutboxMessage{other, message, {}, kStart}).ok());  // nothing acked
  EXPECT_EQ(fresh.next_frames(kStart, 64, random).size(), 10U);
}

// ---- End to end over a lossy link ------------------------------------------

struct InTransit {
  TimePoint arrival;
  Bytes frame;
};

// Sender and recipient joined by a link that loses `loss_percent` of the
// frames each way and delays the rest by `latency`.
class LossyLink {
 public:
  LossyLink(std::size_t capacity, Outbox& outbox, std::uint64_t seed, std::uint32_t loss_percent)
      : m_capacity(capacity),
        m_outbox(&outbox),
        m_receiver(std::move(Reassembler::create(capacity)).value()),
        m_net(seed),
        m_loss(loss_percent) {}

  void step(TimePoint now, std::size_t slots, Random& random) {
    for (auto& frame : m_outbox->next_frames(now, slots, random)) {
      ++m_sent;
      if (m_net.uniform(100) >= m_loss) m_to_receiver.push_back({now + kLatency, std::move(frame.frame)});
    }
    deliver_fragments(now);
    deliver_acks(now);
  }

  // A crash of both sides: state rebuilt from what a store would hold.
  void crash_and_restore(const std::vector<StoredOutboxMessage>& outbox_rows, const OutboxConfig& config) {
    *m_outbox = std::move(Outbox::create(config)).value();
    for (auto row : outbox_rows) {
      row.acked_bitmap = m_bitmaps.count(row.message_id) != 0 ? m_bitmaps[row.message_id] : Bytes{};
      if (!m_completed.contains(row.message_id)) {
        ASSERT_TRUE(m_outbox->restore(row).ok());
      }
    }
    m_receiver = std::move(Reassembler::create(m_capacity)).value();
    for (const auto& id : m_delivered_ids) m_receiver.remember_delivered(id);
    for (const auto& [id, rows] : m_stored_fragments) {
      for (const auto& row : rows) ASSERT_TRUE(m_receiver.receive(row, TimePoint{}).ok());
    }
  }

  const std::map<MessageId, int>& deliveries() const { return m_deliveries; }
  const std::map<MessageId, Bytes>& messages() const { return m_messages; }
  std::size_t sent() const { return m_sent; }

 private:
  static constexpr milliseconds kLatency{1500};

  void deliver_fragments(TimePoint now) {
    while (!m_to_receiver.empty() && m_to_receiver.front().arrival <= now) {
      auto decoded = decode_delivery_frame(m_capacity, m_to_receiver.front().frame);
      m_to_receiver.pop_front();
      ASSERT_TRUE(decoded.ok());
      const auto& fragment = std::get<FragmentFrame>(*decoded);
      auto received = m_receiver.receive(fragment, now);
      ASSERT_TRUE(received.ok());
      if (received->outcome == FragmentOutcome::stored) m_stored_fragments[fragment.message_id].push_back(fragment);
      if (received->outcome == FragmentOutcome::completed) {
        ++m_deliveries[received->message->message_id];
        m_messages[received->message->message_id] = received->message->encoded;
        m_stored_fragments.erase(fragment.message_id);  // in one transaction with the message
        m_delivered_ids = m_receiver.delivered_ids();
      }
      if (!received->ack || m_net.uniform(100) < m_loss) continue;
      auto ack = encode_delivery_frame(m_capacity, *received->ack);
      ASSERT_TRUE(ack.ok());
      m_to_sender.push_back({now + kLatency, std::move(*ack)});
    }
  }

  void deliver_acks(TimePoint now) {
    while (!m_to_sender.empty() && m_to_sender.front().arrival <= now) {
      auto decoded = decode_delivery_frame(m_capacity, m_to_sender.front().frame);
      m_to_sender.pop_front();
      ASSERT_TRUE(decoded.ok());
      auto result = m_outbox->on_ack(std::get<AckFrame>(*decoded));
      ASSERT_TRUE(result.ok());
      if (!result->known) continue;
      if (result->completed) {
        m_completed.insert(result->message_id);
        m_bitmaps.erase(result->message_id);
      } else {
        m_bitmaps[result->message_id] = *m_outbox->acked_bitmap(result->message_id);
      }
    }
  }

  std::size_t m_capacity;
  Outbox* m_outbox;
  Reassembler m_receiver;
  DeterministicRandom m_net;
  std::uint32_t m_loss;
  std::deque<InTransit> m_to_receiver;
  std::deque<InTransit> m_to_sender;
  std::map<MessageId, int> m_deliveries;
  std::map<MessageId, Bytes> m_messages;
  std::map<MessageId, std::vector<FragmentFrame>> m_stored_fragments;  // the recipient's store
  std::vector<MessageId> m_delivered_ids;
  std::map<MessageId, Bytes> m_bitmaps;  // the sender's store
  std::set<MessageId> m_completed;
  std::size_t m_sent = 0;
};

struct Simulated {
  std::size_t steps = 0;
  std::size_t sent = 0;
  std::size_t fragments = 0;
};

// Three messages over a link losing 30 % each way, one step per 100 ms with
// 4 sending slots; optionally both sides crash at `crash_step`.
Simulated simulate_lossy_delivery(std::optional<std::size_t> crash_step) {
  constexpr std::size_t kCapacity = 256;
  OutboxConfig config;
  config.capacity = kCapacity;
  config.window = 16;
  config.initial_timeout = milliseconds{4000};  // above the 3 s round trip
  config.max_timeout = milliseconds{20000};
  Outbox outbox = std::move(Outbox::create(config)).value();
  DeterministicRandom random(12);
  std::vector<Bytes> sent_messages;
  std::vector<StoredOutboxMessage> rows;
  for (const std::size_t size : {std::size_t{3000}, std::size_t{150}, std::size_t{20000}}) {
    FileContent file{"f.bin", "application/octet-stream", Bytes(size)};
    random.fill(file.data);
    Bytes encoded = *encode_message_content(file);
    const MessageId id = *outbox.add(encoded, random, TimePoint{});
    rows.push_back(StoredOutboxMessage{id, encoded, {}, TimePoint{}});
    sent_messages.push_back(std::move(encoded));
  }
  Simulated result;
  for (const auto& message : sent_messages) result.fragments += fragment_count(message.size(), kCapacity);

  LossyLink link(kCapacity, outbox, 13, 30);
  constexpr std::size_t kMaxSteps = 20000;  // 2000 s of simulated time
  TimePoint now{};
  for (; result.steps < kMaxSteps; ++result.steps) {
    if (crash_step && result.steps == *crash_step) {
      EXPECT_GT(outbox.pending_messages(), 0U) << "the crash must come mid-delivery";
      link.crash_and_restore(rows, config);
    }
    link.step(now, 4, random);
    if (outbox.pending_messages() == 0 && link.deliveries().size() == sent_messages.size()) break;
    now += milliseconds{100};
  }
  EXPECT_LT(result.steps, kMaxSteps) << "not delivered in time";
  EXPECT_EQ(outbox.pending_messages(), 0U);
  EXPECT_EQ(link.deliveries().size(), sent_messages.size());
  for (const auto& [id, count] : link.deliveries()) EXPECT_EQ(count, 1) << "delivered more than once";
  for (const auto& row : rows) {
    const auto found = link.messages().find(row.message_id);
    EXPECT_TRUE(found != link.messages().end() && found->second == row.encoded);
  }
  result.sent = link.sent();
  return result;
}

TEST(DeliveryOutbox, LossyLinkDeliversEachMessageExactlyOnce) {
  const Simulated result = simulate_lossy_delivery(std::nullopt);
  EXPECT_EQ(result.fragments, 16U + 1U + 104U);  // 3036, 186 and 20036 bytes at 193 per fragment
  // With 30 % loss each way a fragment needs about 1 / 0.7 sends, and lost
  // acks are mostly covered by the ranges of later ones.
  EXPECT_LT(result.sent, result.fragments * 3);
  EXPECT_GE(result.sent, result.fragments);
}

TEST(DeliveryOutbox, CrashOfBothSidesStillDeliversExactlyOnce) {
  const Simulated result = simulate_lossy_delivery(std::size_t{150});
  EXPECT_LT(result.sent, result.fragments * 4);
}

}  // namespace
}  // namespace tenebra::rendezvous::delivery
