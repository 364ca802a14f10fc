#include "node_files.hpp"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace tenebra::mixnet_probe {
namespace {

// A status file is a few KiB.
constexpr std::size_t kMaxStatusBytes = 1 << 20;
// More than any probe ever puts into one mailbox; peek caps it anyway.
constexpr std::size_t kMaxItems = 4096;

}  // namespace

router::KeyDerivationCost store_cost(NetTransport transport) {
  return transport == NetTransport::tcp ? router::KeyDerivationCost::for_tests()
                                        : router::KeyDerivationCost::production();
}

Result<ProviderStore> ProviderStore::open(const std::filesystem::path& data_dir, std::string_view passphrase,
                                          router::KeyDerivationCost cost, const mix::sphinx::Geometry& geometry,
                                          Random& rng) {
  auto store = router::Store::open(data_dir / "store.db", passphrase, cost, rng, /*create=*/false);
  if (!store) return std::move(store).error();
  // Only the bounds of put() use the limits, and the probe never puts.
  const router::MailboxLimits limits{router::provider::max_item_bytes(geometry), kMaxItems};
  auto mailboxes = router::MailboxStore::attach(**store, limits);
  if (!mailboxes) return std::move(mailboxes).error();
  return ProviderStore(std::move(*store), *mailboxes, geometry);
}

Result<std::size_t> ProviderStore::count(ByteView mailbox) {
  return m_mailboxes.count(mailbox);
}

Result<std::vector<router::StoredPacket>> ProviderStore::items(ByteView mailbox) {
  return m_mailboxes.peek(mailbox, kMaxItems);
}

Result<std::vector<router::provider::StoredItem>> ProviderStore::decoded_items(ByteView mailbox) {
  auto stored = items(mailbox);
  if (!stored) return std::move(stored).error();
  std::vector<router::provider::StoredItem> out;
  out.reserve(stored->size());
  for (const auto& packet : *stored) {
    auto item = router::provider::decode_stored_item(m_geometry, packet.packet);
    if (!item) {
      return make_error(Errc::malformed,
                        "stored item " + std::to_string(packet.sequence) + " does not decode: " + item.error().message);
    }
    out.push_back(std::move(*item));
  }
  return out;
}

std::string counter_name(const CounterPath& path) {
  std::string name;
  for (auto key : path) {
    if (!name.empty()) name += '.';
    name += key;
  }
  return name;
}

Result<std::uint64_t> read_status_counter(const std::filesystem::path& data_dir, const CounterPath& path) {
  const auto file = data_dir / "status.json";
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(Errc::not_found, "cannot open " + file.string());
  std::string text;
  std::array<char, 4096> chunk{};
  while (in && text.size() <= kMaxStatusBytes) {
    in.read(chunk.data(), chunk.size());
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad() || text.size() > kMaxStatusBytes) return make_error(Errc::io, "cannot read " + file.string());
  const auto root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return make_error(Errc::malformed, file.string() + " is not valid JSON");
  const nlohmann::json* at = &root;
  for (auto key : path) {
    if (!at->is_object()) return make_error(Errc::malformed, file.string() + ": no object above " + std::string(key));
    auto it = at->find(key);
    if (it == at->end()) return make_error(Errc::not_found, file.string() + " has no " + counter_name(path));
    at = &*it;
  }
  if (!at->is_number_unsigned()) {
    return make_error(Errc::malformed, file.string() + ": " + counter_name(path) + " is not an unsigned integer");
  }
  return at->get<std::uint64_t>();
}

boost::asio::awaitable<Result<std::uint64_t>> wait_for_counter(const ProbeContext& ctx,
                                                               const std::filesystem::path& data_dir, CounterPath path,
                                                               std::uint64_t at_least) {
  const auto deadline = ctx.deadline();
  for (;;) {
    auto value = read_status_counter(data_dir, path);
    // The daemon renames a whole new file into place, but a reader can still
    // race a node that is just starting: retry until the deadline.
    if ((value && *value >= at_least) || ctx.left(deadline).count() == 0) co_return value;
    co_await sleep_for(std::min(kPollInterval, ctx.left(deadline)));
  }
}

}  // namespace tenebra::mixnet_probe
