// AuthorityNode: a running directory authority. It serves the directory
// protocol on the node's listener (docs/directory.md §9: uploads, votes,
// signature shares, documents) and runs the round of every next epoch on
// the schedule of §10.1: at vote_at it freezes and signs its vote, fetches
// the other authorities' votes, tallies from tally_at (or as soon as all
// votes are in), then fetches their signature shares until the document
// holds every signature it can get; a document counts with t of them.
//
// Peers are reached through the node's Transport, one isolation token per
// authority. Everything an authority learns from the network is checked by
// AuthorityState; refusals are logged with their reason, never their
// contents. Documents live in memory (a restarted authority serves the next
// round; nodes re-upload every round).
//
// Thread-safety: one executor; stop() must be awaited before destruction.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tenebra/core/clock.hpp"
#include "tenebra/core/random.hpp"
#include "tenebra/onion/transport.hpp"
#include "tenebra/router/authority.hpp"
#include "tenebra/router/directory_service.hpp"
#include "tenebra/router/topology_follower.hpp"

namespace tenebra::router {

struct AuthorityNodeConfig {
  directory::AuthorityConfig authority;
  std::vector<AuthorityContact> peers;  // the other authorities (not self)
  std::chrono::milliseconds tick{250};
  std::chrono::milliseconds request_timeout{20'000};
  std::chrono::milliseconds io_timeout{10'000};
  std::size_t max_connections = 64;
};

struct AuthorityStatus {
  std::optional<directory::Epoch> epoch;
  std::optional<directory::Epoch> last_document;  // newest epoch with a document of >= t signatures
  std::size_t last_signatures = 0;
  std::size_t last_providers = 0;
  std::size_t last_mixes = 0;
  std::uint64_t connections = 0;
  std::uint64_t connections_refused = 0;
};

class AuthorityNode {
 public:
  [[nodiscard]] static Result<std::unique_ptr<AuthorityNode>> create(const boost::asio::any_io_executor& executor,
                                                                     onion::Transport& transport,
                                                                     onion::Listener& listener, const Clock& clock,
                                                                     Random& rng, AuthorityNodeConfig config);
  AuthorityNode(const AuthorityNode&) = delete;
  AuthorityNode& operator=(const AuthorityNode&) = delete;

  void start();
  [[nodiscard]] boost::asio::awaitable<void> stop();
  [[nodiscard]] AuthorityStatus status() const;

 private:
  struct Round {
    bool voted = false;
    bool tallied = false;
    bool warned = false;
    std::set<std::size_t> votes_from;       // peers whose vote we hold
    std::set<std::size_t> signatures_from;  // peers whose share merged
  };

  AuthorityNode(const boost::asio::any_io_executor& executor, onion::Transport& transport, onion::Listener& listener,
                const Clock& clock, Random& rng, AuthorityNodeConfig config, directory::AuthorityState state);
  [[nodiscard]] boost::asio::awaitable<void> accept_loop();
  [[nodiscard]] boost::asio::awaitable<void> serve(onion::Stream stream);
  [[nodiscard]] boost::asio::awaitable<void> round_loop();
  [[nodiscard]] boost::asio::awaitable<void> run_round(directory::Epoch target);
  [[nodiscard]] boost::asio::awaitable<void> collect_votes(directory::Epoch target, Round& round);
  [[nodiscard]] boost::asio::awaitable<void> collect_signatures(directory::Epoch target, Round& round);

  boost::asio::any_io_executor m_executor;
  onion::Transport* m_transport;
  onion::Listener* m_listener;
  const Clock* m_clock;
  AuthorityNodeConfig m_config;
  directory::AuthorityState m_state;
  directory::AuthorityHandler m_handler;
  std::vector<std::string> m_tokens;
  std::map<directory::Epoch, Round> m_rounds;
  boost::asio::steady_timer m_timer;
  std::size_t m_connections = 0;
  std::size_t m_running = 0;
  bool m_stopping = false;
  AuthorityStatus m_status;
};

}  // namespace tenebra::router
