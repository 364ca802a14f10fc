// TopologyFollower: how a node (and later a client) keeps up with the
// directory (docs/directory.md §10.1). Every tick it
//   - uploads this node's descriptor for the next round's target epoch E to
//     every authority that has not taken it yet, between upload_from(E) and
//     vote_at(E) (mixes and providers only: `descriptor_for` is set);
//   - fetches the newest document it may (fetch_target) from the
//     authorities in turn until one gives a document that accept_topology
//     trusts, and keeps the documents of the current epoch and the next one;
//   - calls `on_documents` when the set of held documents changed.
// Authorities are reached through the node's Transport with one isolation
// token per authority. A refused document is logged with its reason; an
// unreachable authority is retried on the next tick.
//
// Thread-safety: one executor. stop() ends run() within one tick.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tenebra/core/clock.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/onion/transport.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/topology.hpp"
#include "tenebra/router/topology_accept.hpp"

namespace tenebra::router {

struct AuthorityContact {
  directory::IdentityKey identity{};
  std::string address;
};

struct TopologyFollowerConfig {
  directory::TrustConfig trust;
  std::vector<AuthorityContact> authorities;
  std::chrono::milliseconds tick{500};
  std::chrono::milliseconds request_timeout{30'000};
};

// Builds this node's signed descriptor for an epoch.
using DescriptorSource = std::function<Result<directory::Descriptor>(directory::Epoch)>;

struct FollowerCounters {
  std::uint64_t uploads = 0;
  std::uint64_t upload_failures = 0;
  std::uint64_t documents = 0;
  std::uint64_t fetch_failures = 0;
  std::uint64_t refused = 0;
};

class TopologyFollower {
 public:
  // `descriptor_for` empty: fetch only (a client).
  TopologyFollower(const boost::asio::any_io_executor& executor, onion::Transport& transport, const Clock& clock,
                   Random& rng, TopologyFollowerConfig config, DescriptorSource descriptor_for);

  void on_documents(std::function<void()> callback) { m_on_documents = std::move(callback); }
  [[nodiscard]] boost::asio::awaitable<void> run();
  void stop() noexcept;

  // The trusted document of `epoch`, if held.
  [[nodiscard]] const directory::Topology* document(directory::Epoch epoch) const;
  [[nodiscard]] const directory::TrustConfig& trust() const noexcept { return m_config.trust; }
  [[nodiscard]] const FollowerCounters& counters() const noexcept { return m_counters; }

 private:
  boost::asio::awaitable<void> tick();
  boost::asio::awaitable<void> upload(directory::Epoch target);
  boost::asio::awaitable<void> fetch(directory::Epoch epoch);
  void forget_old(directory::Epoch current);

  boost::asio::any_io_executor m_executor;
  onion::Transport* m_transport;
  const Clock* m_clock;
  Random* m_rng;
  TopologyFollowerConfig m_config;
  DescriptorSource m_descriptor_for;
  std::vector<std::string> m_tokens;  // one isolation token per authority
  std::map<directory::Epoch, directory::Topology> m_documents;
  std::map<directory::Epoch, std::set<std::size_t>> m_uploaded;  // epoch -> authorities that took it
  std::size_t m_next_authority = 0;
  std::function<void()> m_on_documents;
  boost::asio::steady_timer m_timer;
  bool m_stopping = false;
  FollowerCounters m_counters;
};

}  // namespace tenebra::router
