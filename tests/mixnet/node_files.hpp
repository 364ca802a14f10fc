// What the probe reads from a running node's data dir: the provider's
// mailbox store (store.db, opened as a second reader beside the daemon:
// SQLite WAL lets it see every committed item) and the counters of
// status.json, which the daemon rewrites about once a second.
//
// Thread-safety: a ProviderStore belongs to one thread; the free functions
// are safe anywhere.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "probe.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/router/mailbox_store.hpp"
#include "tenebra/router/provider_protocol.hpp"
#include "tenebra/router/store.hpp"

namespace tenebra::mixnet_probe {

// The key-derivation cost the network's nodes created their stores with:
// scripts/testnet gives tcp networks the fast test KDF, tor networks the
// production one.
[[nodiscard]] router::KeyDerivationCost store_cost(NetTransport transport);

// Keys of a counter in status.json, outermost first (string literals).
using CounterPath = std::vector<std::string_view>;

class ProviderStore {
 public:
  // Opens `<data_dir>/store.db` (it must exist) with the network's
  // passphrase at the nodes' key-derivation cost (store_cost).
  [[nodiscard]] static Result<ProviderStore> open(const std::filesystem::path& data_dir, std::string_view passphrase,
                                                  router::KeyDerivationCost cost, const mix::sphinx::Geometry& geometry,
                                                  Random& rng);

  [[nodiscard]] Result<std::size_t> count(ByteView mailbox);
  // Every item of `mailbox` (up to the store's peek cap), oldest first.
  [[nodiscard]] Result<std::vector<router::StoredPacket>> items(ByteView mailbox);
  // Every item decoded; Errc::malformed names the first that does not decode.
  [[nodiscard]] Result<std::vector<router::provider::StoredItem>> decoded_items(ByteView mailbox);

 private:
  ProviderStore(std::unique_ptr<router::Store> store, router::MailboxStore mailboxes, mix::sphinx::Geometry geometry)
      : m_store(std::move(store)), m_mailboxes(mailboxes), m_geometry(geometry) {}
  std::unique_ptr<router::Store> m_store;  // m_mailboxes points into it
  router::MailboxStore m_mailboxes;
  mix::sphinx::Geometry m_geometry;
};

// The unsigned integer at `path` (object keys, outermost first) in
// `<data_dir>/status.json`. Errc::not_found when the file or a key is
// missing, Errc::malformed when it is not JSON or the value is not an
// unsigned integer.
[[nodiscard]] Result<std::uint64_t> read_status_counter(const std::filesystem::path& data_dir, const CounterPath& path);

// Polls the counter until it reaches `at_least` or ctx.timeout passes;
// gives the last value read (the caller judges it).
[[nodiscard]] boost::asio::awaitable<Result<std::uint64_t>> wait_for_counter(const ProbeContext& ctx,
                                                                             const std::filesystem::path& data_dir,
                                                                             CounterPath path, std::uint64_t at_least);

// "a.b.c", for messages.
[[nodiscard]] std::string counter_name(const CounterPath& path);

}  // namespace tenebra::mixnet_probe
