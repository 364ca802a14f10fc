// Replay caches for Sphinx tags, one per epoch key.
//
// Each cache is a Bloom filter sized for `capacity` tags at a stated
// false-positive rate. It never forgets a tag it saw (no false negatives), so
// a replay is always dropped; a false positive drops a fresh packet, which
// the sender's retransmission covers. Indices are keyed SipHash of the tag
// under a random per-cache key, so a sender who can pick tags cannot aim at
// chosen bits. Memory is fixed at construction. Past capacity the cache keeps
// working, its false-positive rate rises, and over_capacity() says so.
// Not thread-safe: one per mixing worker, or guard it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "tenebra/core/random.hpp"
#include "tenebra/mix/sphinx.hpp"

namespace tenebra::mix {

struct ReplayCacheConfig {
  std::uint64_t capacity = std::uint64_t{1} << 22;  // ~4.2 M tags per epoch key
  double false_positive_rate = 1e-6;
};

class ReplayCache final : public sphinx::ReplayFilter {
 public:
  static Result<std::unique_ptr<ReplayCache>> make(const ReplayCacheConfig& config, Random& rng);

  bool check_and_insert(const sphinx::ReplayTag& tag) override;
  // Whether the tag would be flagged, without recording it.
  bool contains(const sphinx::ReplayTag& tag) const;

  std::uint64_t inserted() const noexcept { return m_inserted; }
  std::uint64_t replays_detected() const noexcept { return m_replays; }
  bool over_capacity() const noexcept { return m_inserted > m_capacity; }
  std::size_t memory_bytes() const noexcept { return m_words.size() * sizeof(std::uint64_t); }
  unsigned hash_count() const noexcept { return m_hashes; }
  // False-positive rate for the next fresh tag, given how many are stored.
  double current_false_positive_rate() const noexcept;

 private:
  ReplayCache(std::uint64_t capacity, std::uint64_t bits, unsigned hashes, Random& rng);
  struct Probe {
    std::uint64_t h1, h2;
  };
  Probe probe(const sphinx::ReplayTag& tag) const;
  std::uint64_t bit(const Probe& p, unsigned i) const { return (p.h1 + i * p.h2) % m_bits; }
  std::uint64_t m_capacity;
  std::uint64_t m_bits;
  unsigned m_hashes;
  std::vector<std::uint64_t> m_words;
  SecretArray<16> m_key;
  std::uint64_t m_inserted = 0;
  std::uint64_t m_replays = 0;
};

// The caches of a node, keyed by the Sphinx public key they belong to; a
// cache goes when its key's grace period ends.
class ReplayCaches {
 public:
  ReplayCaches(ReplayCacheConfig config, Random& rng) : m_config(config), m_rng(rng) {}
  // The cache for an epoch key, created on first use.
  Result<ReplayCache*> for_key(const sphinx::PublicKey& epoch_key);
  void drop_key(const sphinx::PublicKey& epoch_key) { m_caches.erase(epoch_key); }
  std::size_t size() const noexcept { return m_caches.size(); }

 private:
  ReplayCacheConfig m_config;
  Random& m_rng;
  std::map<sphinx::PublicKey, std::unique_ptr<ReplayCache>> m_caches;
};

}  // namespace tenebra::mix
