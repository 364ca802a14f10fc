#include "tenebra/router/topology_follower.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <variant>

#include "quiet_cancel.hpp"
#include "tenebra/core/log.hpp"
#include "tenebra/router/directory_protocol.hpp"
#include "tenebra/router/directory_schedule.hpp"
#include "tenebra/router/directory_service.hpp"

namespace tenebra::router {
namespace {

namespace asio = boost::asio;
using directory::Epoch;

std::string fresh_token(Random& rng) {
  std::array<std::uint8_t, 16> bytes{};
  rng.fill(bytes);
  return to_hex(bytes);
}

}  // namespace

TopologyFollower::TopologyFollower(const asio::any_io_executor& executor, onion::Transport& transport,
                                   const Clock& clock, Random& rng, TopologyFollowerConfig config,
                                   DescriptorSource descriptor_for)
    : m_executor(executor),
      m_transport(&transport),
      m_clock(&clock),
      m_rng(&rng),
      m_config(std::move(config)),
      m_descriptor_for(std::move(descriptor_for)),
      m_timer(executor) {
  for (std::size_t i = 0; i < m_config.authorities.size(); ++i) m_tokens.push_back(fresh_token(rng));
}

const directory::Topology* TopologyFollower::document(Epoch epoch) const {
  auto it = m_documents.find(epoch);
  return it == m_documents.end() ? nullptr : &it->second;
}

void TopologyFollower::stop() noexcept {
  m_stopping = true;
  cancel_quietly(m_timer);
}

asio::awaitable<void> TopologyFollower::run() {
  while (!m_stopping) {
    co_await tick();
    if (m_stopping) break;
    m_timer.expires_after(m_config.tick);
    co_await m_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> TopologyFollower::tick() {
  const auto now = m_clock->wall_now();
  const auto& schedule = m_config.trust.schedule;
  auto current = schedule.epoch_at(now);
  if (!current) co_return;  // before genesis: nothing to do yet
  if (m_descriptor_for) {
    auto target = directory::next_target(schedule, now);
    auto round =
        target ? directory::directory_round(schedule, *target) : Result<directory::DirectoryRound>(target.error());
    if (round && now >= round->upload_from && now < round->vote_at &&
        m_uploaded[*target].size() < m_config.authorities.size()) {
      co_await upload(*target);
    }
  }
  std::vector<Epoch> wanted{*current};
  if (auto newest = directory::fetch_target(schedule, now); newest && *newest != *current) wanted.push_back(*newest);
  for (Epoch epoch : wanted) {
    if (m_stopping) co_return;
    if (!m_documents.contains(epoch)) co_await fetch(epoch);
  }
  forget_old(*current);
}

asio::awaitable<void> TopologyFollower::upload(Epoch target) {
  auto descriptor = m_descriptor_for(target);
  if (!descriptor) {
    ++m_counters.upload_failures;
    log::error("directory: cannot make this node's descriptor for epoch {}: {}", target, descriptor.error().message);
    co_return;
  }
  auto& done = m_uploaded[target];
  // A named request: GCC 12 mishandles temporaries in co_await arguments.
  const directory::DirectoryRequest request = directory::PutDescriptor{*descriptor};
  for (std::size_t i = 0; i < m_config.authorities.size() && !m_stopping; ++i) {
    if (done.contains(i)) continue;
    auto answer = co_await directory::directory_exchange(*m_transport, m_config.authorities[i].address, m_tokens[i],
                                                         request, m_config.request_timeout);
    if (!answer) {
      ++m_counters.upload_failures;
      log::debug("directory: upload to authority {} failed: {}", i + 1, answer.error().message);
      continue;
    }
    if (const auto* error = std::get_if<directory::ErrorResponse>(&*answer)) {
      ++m_counters.upload_failures;
      log::warn("directory: authority {} refused this node's descriptor for epoch {} ({})", i + 1, target,
                directory::directory_error_name(error->code));
      continue;
    }
    done.insert(i);
    ++m_counters.uploads;
    log::info("directory: descriptor for epoch {} uploaded to authority {} of {}", target, i + 1,
              m_config.authorities.size());
  }
}

asio::awaitable<void> TopologyFollower::fetch(Epoch epoch) {
  const std::size_t n = m_config.authorities.size();
  const directory::DirectoryRequest request = directory::GetTopology{epoch};
  for (std::size_t turn = 0; turn < n && !m_stopping; ++turn) {
    const std::size_t i = (m_next_authority + turn) % n;
    auto answer = co_await directory::directory_exchange(*m_transport, m_config.authorities[i].address, m_tokens[i],
                                                         request, m_config.request_timeout);
    if (!answer) {
      ++m_counters.fetch_failures;
      log::debug("directory: fetch from authority {} failed: {}", i + 1, answer.error().message);
      continue;
    }
    auto* response = std::get_if<directory::TopologyResponse>(&*answer);
    if (response == nullptr) continue;  // not ready there yet
    auto verdict = directory::accept_topology(std::move(response->document), m_config.trust, *m_clock);
    if (!verdict) {
      ++m_counters.refused;
      log::warn("directory: authority {} gave a document for epoch {} that was refused: {}", i + 1, epoch,
                verdict.error().message);
      continue;
    }
    m_next_authority = (i + 1) % n;
    m_documents.insert_or_assign(epoch, std::move(verdict).topology());
    ++m_counters.documents;
    log::info("directory: trusted the topology of epoch {}", epoch);
    if (m_on_documents) m_on_documents();
    co_return;
  }
}

void TopologyFollower::forget_old(Epoch current) {
  // The previous epoch's document stays through its grace period (packets
  // in flight were built with it); older ones go.
  const Epoch keep_from = current == 0 ? 0 : current - 1;
  std::erase_if(m_documents, [keep_from](const auto& entry) { return entry.first < keep_from; });
  std::erase_if(m_uploaded, [keep_from](const auto& entry) { return entry.first < keep_from; });
}

}  // namespace tenebra::router
