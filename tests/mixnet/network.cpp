#include "network.hpp"

#include <variant>

#include "tenebra/onion/tor_transport.hpp"
#include "tenebra/router/directory_service.hpp"
#include "tenebra/router/provider_select.hpp"
#include "tenebra/router/route.hpp"
#include "tenebra/router/topology_accept.hpp"

namespace tenebra::mixnet_probe {
namespace {

namespace asio = boost::asio;
namespace link = router::link;

// One directory exchange; an authority that does not answer in this time
// is skipped for the next. Over tor the dial alone (a rendezvous circuit)
// takes seconds, and the first to a new onion may need retries.
constexpr std::chrono::milliseconds kExchangeTimeout{5'000};
constexpr std::chrono::milliseconds kTorExchangeTimeout{60'000};
// One tor dial attempt, and the pauses between attempts.
constexpr std::chrono::milliseconds kTorAttemptTimeout{30'000};
constexpr onion::BackoffPolicy kTorDialBackoff{std::chrono::milliseconds(500), std::chrono::milliseconds(5'000)};
constexpr unsigned kTorMaxDialAttempts = 20;
// Before asking every authority again.
constexpr std::chrono::milliseconds kRetryPause{500};

// How long until the nodes surely hold the key of the epoch that just began
// (zero when that was long enough ago).
std::chrono::milliseconds settle_time(const ProbeContext& ctx) {
  const auto now = ctx.clock.wall_now();
  const auto& schedule = ctx.net.trust.schedule;
  auto epoch = schedule.epoch_at(now);
  if (!epoch) return std::chrono::milliseconds(0);
  auto start = schedule.start_of(*epoch);
  if (!start) return std::chrono::milliseconds(0);
  const auto delay = std::min<std::chrono::milliseconds>(kSwitchDelay, ctx.net.grace / 2);
  const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(now - *start);
  return since < delay ? delay - since : std::chrono::milliseconds(0);
}

// One GET_TOPOLOGY exchange with `authority`, on a stream of its own.
asio::awaitable<Result<directory::DirectoryResponse>> ask_authority(const ProbeContext& ctx, const NetNode& authority,
                                                                    std::uint64_t epoch,
                                                                    std::chrono::milliseconds timeout) {
  const auto deadline = ctx.clock.now() + timeout;
  auto stream = co_await dial_peer(ctx, authority.address, timeout);
  if (!stream) co_return std::move(stream).error();
  // A named request: see directory_exchange on GCC 12 and temporaries.
  const directory::DirectoryRequest request = directory::GetTopology{epoch};
  auto answer = co_await directory::directory_exchange_on(*stream, request, ctx.left(deadline));
  boost::system::error_code ignored;
  stream->shutdown(onion::Stream::shutdown_both, ignored);
  stream->close(ignored);
  co_return answer;
}

}  // namespace

asio::awaitable<Result<onion::Stream>> dial_peer(const ProbeContext& ctx, const std::string& address,
                                                 std::chrono::milliseconds budget) {
  const std::string& token = ctx.tokens.token_for(address, ctx.rng);
  if (ctx.net.transport == NetTransport::tcp) co_return co_await ctx.transport.dial(address, token, budget);
  auto backoff = onion::Backoff::create(kTorDialBackoff, ctx.rng);
  if (!backoff) co_return std::move(backoff).error();
  const onion::DialRetryPolicy policy{std::min(kTorAttemptTimeout, budget), budget, kTorMaxDialAttempts};
  co_return co_await onion::dial_with_retry(ctx.transport, address, token, *backoff, policy);
}

bool time_to_refresh(const ProbeContext& ctx, const directory::Topology& topology) {
  const auto now = ctx.clock.wall_now();
  const auto& schedule = ctx.net.trust.schedule;
  auto epoch = schedule.epoch_at(now);
  if (!epoch || *epoch == topology.epoch) return false;
  if (*epoch != topology.epoch + 1) return true;  // past any grace period
  return settle_time(ctx).count() == 0;
}

asio::awaitable<Result<directory::Topology>> fetch_current_topology(const ProbeContext& ctx) {
  const auto deadline = ctx.deadline();
  if (auto settle = settle_time(ctx); settle.count() > 0) co_await sleep_for(settle);
  const auto& authorities = ctx.net.authorities;
  std::string problem = "no authority answered";
  std::string reported;
  for (std::size_t attempt = 0;; ++attempt) {
    auto epoch = ctx.net.trust.schedule.epoch_at(ctx.clock.wall_now());
    if (!epoch) co_return make_error(Errc::invalid_argument, "the clock is before the network's genesis");
    const NetNode& authority = authorities[attempt % authorities.size()];
    const auto exchange_timeout = ctx.net.transport == NetTransport::tcp ? kExchangeTimeout : kTorExchangeTimeout;
    auto answer = co_await ask_authority(ctx, authority, *epoch, std::min(exchange_timeout, ctx.left(deadline)));
    if (!answer) {
      problem = authority.name + ": " + answer.error().message;
    } else if (auto* error = std::get_if<directory::ErrorResponse>(&*answer)) {
      problem = authority.name + " answered " + directory::directory_error_name(error->code);
    } else if (auto* document = std::get_if<directory::TopologyResponse>(&*answer)) {
      auto verdict = directory::accept_topology(std::move(document->document), ctx.net.trust, ctx.clock);
      if (verdict) co_return std::move(verdict).topology();
      problem = authority.name + ": " + verdict.error().message;
    } else {
      problem = authority.name + " gave an answer of the wrong kind";
    }
    if (problem != reported) {
      ctx.report.step("no topology yet: " + problem);
      reported = problem;
    }
    if (attempt % authorities.size() == authorities.size() - 1) {
      co_await sleep_for(std::min(kRetryPause, ctx.left(deadline)));
    }
    // Not one more exchange that could only time out and hide the real problem.
    if (ctx.left(deadline) < kRetryPause) {
      co_return make_error(Errc::timeout, "no trusted topology for epoch " + std::to_string(*epoch) + " within " +
                                              std::to_string(ctx.timeout.count() / 1000) + " s: " + problem);
    }
  }
}

Result<HostingProvider> hosting_provider(const ProbeContext& ctx, const directory::Topology& topology,
                                         const mix::sphinx::MailboxId& mailbox) {
  auto selected = directory::select_provider(topology, mailbox);
  if (!selected) return std::move(selected).error();
  const NetNode* node = ctx.net.find(selected->identity);
  if (node == nullptr || std::none_of(ctx.net.providers.begin(), ctx.net.providers.end(),
                                      [node](const NetNode& p) { return &p == node; })) {
    return make_error(Errc::not_found,
                      "the document's provider " + to_hex(selected->identity) + " is not a provider of the net file");
  }
  return HostingProvider{std::move(*selected), node};
}

const directory::Descriptor& pick_entry(const directory::Topology& topology, const directory::IdentityKey& avoid,
                                        Random& rng) {
  std::vector<const directory::Descriptor*> others;
  for (const auto& provider : topology.providers) {
    if (provider.identity != avoid) others.push_back(&provider);
  }
  // A valid document has at least one provider.
  if (others.empty()) return topology.providers.at(rng.uniform(static_cast<std::uint32_t>(topology.providers.size())));
  return *others[rng.uniform(static_cast<std::uint32_t>(others.size()))];
}

std::string node_name(const ProbeContext& ctx, const directory::Descriptor& descriptor) {
  const NetNode* node = ctx.net.find(descriptor.identity);
  return node != nullptr ? node->name : std::string("?");
}

link::LinkConfig link_config(const directory::Topology& topology) {
  return link::LinkConfig{directory::network_id_bytes(topology.network_id), topology.geometry};
}

asio::awaitable<Result<link::LinkChannel>> open_client_link(const ProbeContext& ctx,
                                                            const directory::Topology& topology,
                                                            const directory::Descriptor& entry) {
  const auto deadline = ctx.deadline();
  auto stream = co_await dial_peer(ctx, entry.address, ctx.timeout);
  if (!stream) co_return std::move(stream).error();
  auto session = link::LinkSession::initiator(link_config(topology), entry.identity, /*self=*/nullptr);
  co_return co_await link::LinkChannel::establish(std::move(*stream), std::move(session), ctx.rng, ctx.left(deadline));
}

Result<Bytes> build_packet(const directory::Topology& topology, const directory::Descriptor& entry,
                           const directory::Descriptor& destination, const mix::sphinx::Command& last, ByteView payload,
                           Random& rng) {
  auto path = router::client_path(topology, entry, destination, last, rng);
  if (!path) return std::move(path).error();
  return mix::sphinx::create_packet(topology.geometry, path->hops, payload, rng);
}

}  // namespace tenebra::mixnet_probe
