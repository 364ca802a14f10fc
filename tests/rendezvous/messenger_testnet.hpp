// An in-memory stand-in for the mixnet and its providers, for the
// Messenger's end-to-end tests: a map of (provider, mailbox) -> items that
// StoreRequests write into and fetches drain (a provider hands an item out
// once). It can drop, duplicate and reorder items, driven by its own
// DeterministicRandom, and a TestClient bundles one Messenger with its own
// encrypted ClientStore in a temp dir, destroyable and re-openable to
// simulate a restart. Header-only, test code only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tenebra/core/random.hpp"
#include "tenebra/rendezvous/client_store.hpp"
#include "tenebra/rendezvous/messenger.hpp"
#include "tenebra/router/store.hpp"

namespace tenebra::rendezvous::testing {

namespace dir = router::directory;

struct NetFaults {
  double drop = 0.0;       // probability an item is lost on its way to the provider
  double duplicate = 0.0;  // probability an item is stored twice
  bool reorder = false;    // items land at a random position of their mailbox
};

class TestNet {
 public:
  explicit TestNet(std::uint64_t seed, NetFaults faults = {}) : m_rng(seed), m_faults(faults) {}

  void set_faults(NetFaults faults) { m_faults = faults; }

  void store(const StoreRequest& request) {
    ++m_stored;
    if (m_faults.drop > 0 && m_rng.uniform_open01() < m_faults.drop) {
      ++m_dropped;
      return;
    }
    const int copies = (m_faults.duplicate > 0 && m_rng.uniform_open01() < m_faults.duplicate) ? 2 : 1;
    auto& items = m_items[{request.provider.identity, request.mailbox}];
    for (int i = 0; i < copies; ++i) {
      if (m_faults.reorder && !items.empty()) {
        const auto at = m_rng.uniform(static_cast<std::uint32_t>(items.size() + 1));
        items.insert(items.begin() + at, request.envelope);
      } else {
        items.push_back(request.envelope);
      }
    }
  }

  std::vector<Bytes> fetch(const FetchTarget& target) {
    const auto found = m_items.find({target.provider.identity, target.mailbox});
    if (found == m_items.end()) return {};
    std::vector<Bytes> items(found->second.begin(), found->second.end());
    m_items.erase(found);
    return items;
  }

  std::size_t waiting() const {
    std::size_t total = 0;
    for (const auto& entry : m_items) total += entry.second.size();
    return total;
  }
  std::size_t stored() const noexcept { return m_stored; }
  std::size_t dropped() const noexcept { return m_dropped; }

 private:
  DeterministicRandom m_rng;
  NetFaults m_faults;
  std::map<std::pair<dir::IdentityKey, MailboxId>, std::deque<Bytes>> m_items;
  std::size_t m_stored = 0;
  std::size_t m_dropped = 0;
};

// A test network's topology: five providers, epochs of one hour.
inline dir::Topology test_topology() {
  dir::Topology topology;
  topology.network_id = "testnet";
  topology.epoch = 27'777;  // the epoch of 1'800'000'000 under test_config()'s schedule
  topology.epoch_start = dir::UnixSeconds(std::chrono::seconds(1'799'997'200));
  topology.epoch_length = std::chrono::hours(1);
  for (std::uint8_t tag = 1; tag <= 5; ++tag) {
    dir::Descriptor descriptor;
    descriptor.identity.fill(tag);
    descriptor.role = dir::Role::provider;
    topology.providers.push_back(descriptor);
  }
  return topology;
}

inline MessengerConfig test_config() {
  MessengerConfig config{
      "testnet",
      dir::EpochSchedule::make(dir::UnixSeconds(std::chrono::seconds(1'700'000'000)), std::chrono::hours(1)).value()};
  config.retransmit_timeout = std::chrono::seconds(3);
  config.fetch_retention = std::chrono::minutes(10);
  return config;
}

// One client: its encrypted store in a temp dir, and its Messenger.
class TestClient {
 public:
  TestClient(std::string name, std::uint64_t seed) : m_name(std::move(name)), m_rng(seed) {
    // In memory when the machine has /dev/shm: the tests count on the
    // store's commit order, not on the disk, and thousands of fsyncs would
    // make the file transfers slow.
    const bool shm = std::filesystem::is_directory("/dev/shm") && ::access("/dev/shm", W_OK) == 0;
    std::string pattern = (shm ? std::string("/dev/shm/") : ::testing::TempDir()) + "tenebra-messenger-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    m_dir = pattern;
  }
  ~TestClient() {
    close();
    std::filesystem::remove_all(m_dir);
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Opens (or re-opens, after close()) the store and the Messenger.
  [[nodiscard]] Status open(WallTime now) {
    auto store = router::Store::open(m_dir / "client.db", "passphrase of " + m_name,
                                     router::KeyDerivationCost::for_tests(), m_rng, !m_created);
    if (!store) return std::move(store).error();
    m_created = true;
    m_store = std::move(*store);
    auto client = ClientStore::attach(*m_store);
    if (!client) return std::move(client).error();
    m_client.emplace(*client);
    auto messenger = Messenger::open(*m_client, test_config(), m_rng, now);
    if (!messenger) return std::move(messenger).error();
    m_messenger = std::move(*messenger);
    return {};
  }
  // A crash or a quit: everything in memory is gone, the store stays.
  void close() {
    m_messenger.reset();
    m_client.reset();
    m_store.reset();
  }
  bool is_open() const noexcept { return m_messenger != nullptr; }

  Messenger& messenger() { return *m_messenger; }
  ClientStore& store() { return *m_client; }
  Random& rng() { return m_rng; }

  // Up to `slots` payload events: each STOREs what the Messenger gives.
  void send_payloads(TestNet& net, WallTime now, const dir::Topology& topology, std::size_t slots) {
    for (std::size_t i = 0; i < slots; ++i) {
      auto payload = m_messenger->next_payload(now, topology, m_rng);
      ASSERT_TRUE(payload.ok()) << m_name << ": " << payload.error().message;
      if (!payload->has_value()) return;  // a drop would go out instead
      net.store(**payload);
    }
  }

  // Fetches every target and feeds each item to the Messenger.
  void fetch(TestNet& net, WallTime now, const dir::Topology& topology) {
    auto targets = m_messenger->fetch_targets(now, topology);
    ASSERT_TRUE(targets.ok()) << m_name << ": " << targets.error().message;
    for (const auto& target : *targets) {
      for (const Bytes& item : net.fetch(target)) {
        auto events = m_messenger->on_item(target.mailbox, item, now);
        if (!events) {
          ++m_refused;  // duplicates and replays land here
          continue;
        }
        for (auto& event : *events) m_events.push_back(std::move(event));
      }
    }
  }

  std::vector<MessengerEvent>& events() { return m_events; }
  std::size_t refused() const noexcept { return m_refused; }

 private:
  std::string m_name;
  DeterministicRandom m_rng;
  std::filesystem::path m_dir;
  bool m_created = false;
  std::unique_ptr<router::Store> m_store;
  std::optional<ClientStore> m_client;
  std::unique_ptr<Messenger> m_messenger;
  std::vector<MessengerEvent> m_events;
  std::size_t m_refused = 0;
};

}  // namespace tenebra::rendezvous::testing
