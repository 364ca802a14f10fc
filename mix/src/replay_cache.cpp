#include "tenebra/mix/replay_cache.hpp"

#include <sodium.h>

#include <cmath>
#include <string>

namespace tenebra::mix {
namespace {

constexpr double kLn2 = 0.69314718055994530942;
constexpr std::uint64_t kMaxBits = std::uint64_t{1} << 36;  // 8 GiB: refuse absurd configs

std::uint64_t load_u64_le(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

Result<std::unique_ptr<ReplayCache>> ReplayCache::make(const ReplayCacheConfig& config, Random& rng) {
  if (config.capacity == 0) return make_error(Errc::invalid_argument, "replay cache capacity must be positive");
  if (!(config.false_positive_rate > 0.0 && config.false_positive_rate < 0.5)) {
    return make_error(Errc::invalid_argument, "replay cache false-positive rate must be in (0, 0.5)");
  }
  // Optimal Bloom filter: m = -n ln p / (ln 2)^2 bits, k = m/n ln 2 hashes.
  const double n = static_cast<double>(config.capacity);
  const double bits = std::ceil(-n * std::log(config.false_positive_rate) / (kLn2 * kLn2));
  if (bits > static_cast<double>(kMaxBits)) {
    return make_error(Errc::invalid_argument, "replay cache would need more than 8 GiB");
  }
  const auto m = std::max<std::uint64_t>(64, static_cast<std::uint64_t>(bits));
  const auto k = std::max(1u, static_cast<unsigned>(std::lround(static_cast<double>(m) / n * kLn2)));
  return std::unique_ptr<ReplayCache>(new ReplayCache(config.capacity, m, k, rng));
}

ReplayCache::ReplayCache(std::uint64_t capacity, std::uint64_t bits, unsigned hashes, Random& rng)
    : m_capacity(capacity), m_bits(bits), m_hashes(hashes), m_words((bits + 63) / 64, 0) {
  rng.fill(m_key.span());
}

ReplayCache::Probe ReplayCache::probe(const sphinx::ReplayTag& tag) const {
  // Kirsch-Mitzenmacher: index_i = h1 + i*h2 from one 128-bit keyed SipHash.
  std::uint8_t digest[crypto_shorthash_siphashx24_BYTES];
  crypto_shorthash_siphashx24(digest, tag.data(), tag.size(), m_key.data());
  return Probe{load_u64_le(digest), load_u64_le(digest + 8) | 1};
}

bool ReplayCache::contains(const sphinx::ReplayTag& tag) const {
  const Probe p = probe(tag);
  for (unsigned i = 0; i < m_hashes; ++i) {
    const std::uint64_t b = bit(p, i);
    if ((m_words[b / 64] & (std::uint64_t{1} << (b % 64))) == 0) return false;
  }
  return true;
}

bool ReplayCache::check_and_insert(const sphinx::ReplayTag& tag) {
  const Probe p = probe(tag);
  bool all_set = true;
  for (unsigned i = 0; i < m_hashes; ++i) {
    const std::uint64_t b = bit(p, i);
    std::uint64_t& word = m_words[b / 64];
    const std::uint64_t mask = std::uint64_t{1} << (b % 64);
    if ((word & mask) == 0) {
      all_set = false;
      word |= mask;
    }
  }
  if (all_set) {
    ++m_replays;
    return true;
  }
  ++m_inserted;
  return false;
}

double ReplayCache::current_false_positive_rate() const noexcept {
  const double k = m_hashes;
  const double fill = 1.0 - std::exp(-k * static_cast<double>(m_inserted) / static_cast<double>(m_bits));
  return std::pow(fill, k);
}

Result<ReplayCache*> ReplayCaches::for_key(const sphinx::PublicKey& epoch_key) {
  auto it = m_caches.find(epoch_key);
  if (it != m_caches.end()) return it->second.get();
  auto cache = ReplayCache::make(m_config, m_rng);
  if (!cache) return std::move(cache).error();
  ReplayCache* raw = cache->get();
  m_caches.emplace(epoch_key, std::move(cache).value());
  return raw;
}

}  // namespace tenebra::mix
