#include "tenebra/router/authority_node.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <variant>

#include "quiet_cancel.hpp"
#include "stream_io.hpp"
#include "tenebra/core/log.hpp"
#include "tenebra/router/directory_schedule.hpp"

namespace tenebra::router {
namespace {

namespace asio = boost::asio;
using directory::Epoch;
using stream_io::close_quietly;

constexpr std::chrono::milliseconds kAcceptSlice{1'000};

std::size_t mix_count(const directory::Topology& topology) {
  std::size_t count = 0;
  for (const auto& layer : topology.layers) count += layer.size();
  return count;
}

}  // namespace

Result<std::unique_ptr<AuthorityNode>> AuthorityNode::create(const asio::any_io_executor& executor,
                                                             onion::Transport& transport, onion::Listener& listener,
                                                             const Clock& clock, Random& rng,
                                                             AuthorityNodeConfig config) {
  auto state = directory::AuthorityState::make(std::move(config.authority));
  if (!state) return std::move(state).error();
  return std::unique_ptr<AuthorityNode>(
      new AuthorityNode(executor, transport, listener, clock, rng, std::move(config), std::move(*state)));
}

AuthorityNode::AuthorityNode(const asio::any_io_executor& executor, onion::Transport& transport,
                             onion::Listener& listener, const Clock& clock, Random& rng, AuthorityNodeConfig config,
                             directory::AuthorityState state)
    : m_executor(executor),
      m_transport(&transport),
      m_listener(&listener),
      m_clock(&clock),
      m_config(std::move(config)),
      m_state(std::move(state)),
      m_handler(m_state, clock),
      m_timer(executor) {
  for (std::size_t i = 0; i < m_config.peers.size(); ++i) {
    std::array<std::uint8_t, 16> token{};
    rng.fill(token);
    m_tokens.push_back(to_hex(token));
  }
}

void AuthorityNode::start() {
  auto spawn = [this](asio::awaitable<void> task) {
    ++m_running;
    asio::co_spawn(m_executor, std::move(task), [this](const std::exception_ptr& error) {
      --m_running;
      if (error) log::error("authority: a task ended with an exception");
    });
  };
  spawn(accept_loop());
  spawn(round_loop());
}

asio::awaitable<void> AuthorityNode::stop() {
  m_stopping = true;
  m_listener->close();
  cancel_quietly(m_timer);
  asio::steady_timer poll(m_executor);
  for (int turn = 0; turn < 500 && m_running > 0; ++turn) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (m_running > 0) log::warn("authority: {} task(s) still ending at shutdown", m_running);
}

AuthorityStatus AuthorityNode::status() const {
  return m_status;
}

asio::awaitable<void> AuthorityNode::accept_loop() {
  while (!m_stopping) {
    auto stream = co_await m_listener->accept(kAcceptSlice);
    if (m_stopping) break;
    if (!stream) {
      if (stream.error().code == Errc::timeout) continue;
      if (stream.error().code != Errc::closed) log::error("authority: accepting stopped: {}", stream.error().message);
      break;
    }
    if (m_connections >= m_config.max_connections) {
      ++m_status.connections_refused;
      close_quietly(*stream);
      continue;
    }
    ++m_status.connections;
    ++m_running;
    asio::co_spawn(m_executor, serve(std::move(*stream)), asio::detached);
  }
}

asio::awaitable<void> AuthorityNode::serve(onion::Stream stream) {
  ++m_connections;
  co_await directory::serve_directory_stream(std::move(stream), m_handler, m_config.io_timeout);
  --m_connections;
  --m_running;
}

asio::awaitable<void> AuthorityNode::round_loop() {
  while (!m_stopping) {
    const auto now = m_clock->wall_now();
    if (auto current = m_state.config().schedule.epoch_at(now)) {
      m_status.epoch = *current;
      co_await run_round(*current + 1);
      if (*current > 1) {
        m_state.forget_before(*current - 1);
        std::erase_if(m_rounds, [&](const auto& entry) { return entry.first + 1 < *current; });
      }
    }
    if (m_stopping) break;
    m_timer.expires_after(m_config.tick);
    co_await m_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> AuthorityNode::run_round(Epoch target) {
  const auto now = m_clock->wall_now();
  auto schedule_round = directory::directory_round(m_state.config().schedule, target);
  if (!schedule_round || now < schedule_round->vote_at) co_return;
  Round& round = m_rounds[target];
  if (!round.voted) {
    auto vote = m_state.vote(target, now);
    if (!vote) co_return;
    round.voted = true;
    log::info("authority: vote for epoch {} frozen and signed", target);
  }
  if (!round.tallied) co_await collect_votes(target, round);
  if (!round.tallied) {
    auto body = m_state.tally(target, m_clock->wall_now());
    if (!body) {
      if (!round.warned && m_clock->wall_now() >= schedule_round->tally_at) {
        round.warned = true;
        log::warn("authority: no topology for epoch {} yet: {}", target, body.error().message);
      }
      co_return;
    }
    round.tallied = true;
    m_status.last_providers = body->providers.size();
    m_status.last_mixes = mix_count(*body);
    log::info("authority: signed the topology of epoch {} ({} provider(s), {} mix(es))", target, body->providers.size(),
              mix_count(*body));
  }
  if (round.signatures_from.size() < m_config.peers.size()) co_await collect_signatures(target, round);
  if (auto document = m_state.document(target); document && m_status.last_document != target) {
    m_status.last_document = target;
    log::info("authority: the topology of epoch {} holds enough signatures and is served", target);
  }
}

asio::awaitable<void> AuthorityNode::collect_votes(Epoch target, Round& round) {
  // A named request: GCC 12 mishandles temporaries in co_await arguments.
  const directory::DirectoryRequest request = directory::GetVote{target};
  for (std::size_t i = 0; i < m_config.peers.size() && !m_stopping; ++i) {
    if (round.votes_from.contains(i)) continue;
    auto answer = co_await directory::directory_exchange(*m_transport, m_config.peers[i].address, m_tokens[i], request,
                                                         m_config.request_timeout);
    if (!answer) continue;
    auto* vote = std::get_if<directory::VoteResponse>(&*answer);
    if (vote == nullptr) continue;  // not ready there yet
    if (vote->vote.voter != m_config.peers[i].identity) {
      log::warn("authority: authority peer {} sent a vote signed by another key", i + 1);
      continue;
    }
    if (auto added = m_state.add_peer_vote(vote->vote, m_clock->wall_now()); !added) {
      log::warn("authority: the vote of authority peer {} for epoch {} was refused: {}", i + 1, target,
                added.error().message);
      continue;
    }
    round.votes_from.insert(i);
  }
}

asio::awaitable<void> AuthorityNode::collect_signatures(Epoch target, Round& round) {
  const directory::DirectoryRequest request = directory::GetSignature{target};
  for (std::size_t i = 0; i < m_config.peers.size() && !m_stopping; ++i) {
    if (round.signatures_from.contains(i)) continue;
    auto answer = co_await directory::directory_exchange(*m_transport, m_config.peers[i].address, m_tokens[i], request,
                                                         m_config.request_timeout);
    if (!answer) continue;
    auto* share = std::get_if<directory::SignatureResponse>(&*answer);
    if (share == nullptr) continue;
    if (share->share.signer != m_config.peers[i].identity || share->share.epoch != target) continue;
    if (auto merged = m_state.add_peer_signature(share->share); !merged) {
      if (!round.warned) {
        round.warned = true;
        log::error("authority: the signature of authority peer {} for epoch {} does not merge: {}", i + 1, target,
                   merged.error().message);
      }
      continue;
    }
    round.signatures_from.insert(i);
  }
  if (auto document = m_state.document(target)) {
    m_status.last_signatures = round.signatures_from.size() + 1;
  }
}

}  // namespace tenebra::router
