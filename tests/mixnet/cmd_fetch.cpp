// fetch: K items delivered to a mailbox M come back whole through the SURBs
// of a FETCH, into a reply mailbox R; M is empty afterwards.
#include <map>
#include <set>

#include "commands.hpp"
#include "tenebra/mix/surb.hpp"
#include "tenebra/router/provider_protocol.hpp"
#include "tenebra/router/route.hpp"

namespace tenebra::mixnet_probe {
namespace {

namespace asio = boost::asio;
namespace provider = router::provider;

struct FetchRequestPacket {
  Bytes packet;
  std::map<mix::sphinx::SurbId, mix::sphinx::SurbKeys> keys;
};

// A FETCH for `mailbox` at `host` with as many SURBs as fit, each leading to
// `reply_mailbox` at `reply_host`.
Result<FetchRequestPacket> make_fetch_packet(const ProbeContext& ctx, const directory::Topology& topology,
                                             const directory::Descriptor& entry, const directory::Descriptor& host,
                                             const mix::sphinx::MailboxId& mailbox,
                                             const directory::Descriptor& reply_host,
                                             const mix::sphinx::MailboxId& reply_mailbox) {
  const std::size_t surb_count = provider::max_fetch_surbs(topology.geometry);
  if (surb_count == 0) return make_error(Errc::unsupported, "the geometry has no room for a SURB in a FETCH");
  FetchRequestPacket out;
  std::vector<mix::sphinx::Surb> surbs;
  for (std::size_t i = 0; i < surb_count; ++i) {
    const auto id = random_array<mix::sphinx::kSurbIdBytes>(ctx.rng);
    auto surb = router::reply_surb(topology, reply_host, reply_mailbox, id, ctx.rng);
    if (!surb) return std::move(surb).error();
    surbs.push_back(std::move(surb->surb));
    out.keys.emplace(id, std::move(surb->keys));
  }
  auto payload = provider::make_fetch_payload(topology.geometry, surbs, /*max_items=*/255);
  if (!payload) return std::move(payload).error();
  auto packet = build_packet(topology, entry, host, mix::sphinx::DeliverCommand{mailbox}, *payload, ctx.rng);
  if (!packet) return std::move(packet).error();
  out.packet = std::move(*packet);
  return out;
}

// What came back so far: the data items by fetch sequence.
struct Collected {
  std::set<std::int64_t> store_sequences;  // reply items of R already read
  std::map<std::uint64_t, Bytes> items;    // provider sequence -> data
  std::uint16_t remaining = 0;
};

// Reads the new reply items of R, opens and reassembles them.
Status collect(ProviderStore& store, const mix::sphinx::MailboxId& reply_mailbox, const FetchRequestPacket& request,
               const mix::sphinx::Geometry& geometry, provider::FetchReassembler& reassembler, Collected& collected) {
  auto stored = store.items(reply_mailbox);
  if (!stored) return std::move(stored).error();
  for (const auto& packet : *stored) {
    if (!collected.store_sequences.insert(packet.sequence).second) continue;
    auto item = provider::decode_stored_item(geometry, packet.packet);
    if (!item) return make_error(Errc::malformed, "a reply item does not decode: " + item.error().message);
    const auto* reply = std::get_if<provider::StoredReply>(&*item);
    if (reply == nullptr) return make_error(Errc::malformed, "the reply mailbox holds a data item");
    auto keys = request.keys.find(reply->surb_id);
    if (keys == request.keys.end()) return make_error(Errc::malformed, "a reply for a SURB we never made");
    auto opened = mix::sphinx::open_surb_reply(geometry, keys->second, reply->payload_block);
    if (!opened) return make_error(opened.error().code, "opening a SURB reply: " + opened.error().message);
    auto progress = reassembler.add(*opened);
    if (!progress) return make_error(progress.error().code, "a fetch reply: " + progress.error().message);
    collected.remaining = progress->remaining_items;
    for (auto& fetched : progress->completed) {
      const auto* data = std::get_if<provider::StoredData>(&fetched.item);
      if (data == nullptr) return make_error(Errc::malformed, "the fetch returned a reply item, not data");
      if (!collected.items.emplace(fetched.sequence, data->data).second) {
        return make_error(Errc::malformed, "the fetch returned one item twice");
      }
    }
  }
  return {};
}

// Compares what came back with the markers sent.
std::string compare(const Collected& collected, const std::vector<Marker>& markers) {
  std::multiset<Bytes> expected;
  for (const auto& marker : markers) expected.emplace(marker.begin(), marker.end());
  std::multiset<Bytes> got;
  for (const auto& [sequence, data] : collected.items) got.insert(data);
  if (got == expected) return {};
  return "fetched " + std::to_string(got.size()) + " items that are not exactly the " + std::to_string(markers.size()) +
         " markers sent";
}

asio::awaitable<Status> wait_for_replies(const ProbeContext& ctx, ProviderStore& store,
                                         const mix::sphinx::MailboxId& reply_mailbox, const FetchRequestPacket& request,
                                         const mix::sphinx::Geometry& geometry, std::size_t expected,
                                         Collected& collected) {
  provider::FetchReassembler reassembler(geometry);
  const auto deadline = ctx.deadline();
  for (;;) {
    if (auto read = collect(store, reply_mailbox, request, geometry, reassembler, collected); !read) co_return read;
    if (collected.items.size() >= expected) co_return Status{};
    if (ctx.left(deadline).count() == 0) {
      co_return make_error(Errc::timeout, "only " + std::to_string(collected.items.size()) + "/" +
                                              std::to_string(expected) + " items came back in time");
    }
    co_await sleep_for(std::min(kPollInterval, ctx.left(deadline)));
  }
}

asio::awaitable<Result<std::size_t>> wait_until_empty(const ProbeContext& ctx, ProviderStore& store,
                                                      const mix::sphinx::MailboxId& mailbox) {
  const auto deadline = ctx.deadline();
  for (;;) {
    auto count = store.count(mailbox);
    if (!count || *count == 0 || ctx.left(deadline).count() == 0) co_return count;
    co_await sleep_for(std::min(kPollInterval, ctx.left(deadline)));
  }
}

}  // namespace

asio::awaitable<Verdict> run_fetch(const ProbeContext& ctx, std::size_t count) {
  const auto mailbox = random_array<32>(ctx.rng);
  DeliveryOptions options;
  options.count = count;
  auto delivery = co_await send_markers(ctx, mailbox, options);
  if (!delivery) co_return ctx.report.fail("sending: " + delivery.error().message);
  auto stores = open_stores(ctx, delivery->hosts, delivery->topology.geometry);
  if (!stores) co_return ctx.report.fail(stores.error().message);
  if (stores->size() != 1) co_return ctx.report.fail("the mailbox moved between providers while sending");
  auto tally = co_await wait_for_markers(ctx, *stores, mailbox, delivery->markers);
  if (!tally) co_return ctx.report.fail("reading the store: " + tally.error().message);
  ctx.report.result(describe(*tally, count));
  if (!tally->exact(count)) co_return ctx.report.fail("the mailbox does not hold every marker exactly once");

  auto topology = co_await fetch_current_topology(ctx);
  if (!topology) co_return ctx.report.fail(topology.error().message);
  auto host = hosting_provider(ctx, *topology, mailbox);
  if (!host) co_return ctx.report.fail(host.error().message);
  if (host->node != delivery->hosts.front()) co_return ctx.report.fail("the mailbox moved to another provider");
  const auto reply_mailbox = random_array<32>(ctx.rng);
  auto reply_host = hosting_provider(ctx, *topology, reply_mailbox);
  if (!reply_host) co_return ctx.report.fail(reply_host.error().message);
  const auto& entry = pick_entry(*topology, host->descriptor.identity, ctx.rng);
  auto request =
      make_fetch_packet(ctx, *topology, entry, host->descriptor, mailbox, reply_host->descriptor, reply_mailbox);
  if (!request) co_return ctx.report.fail("building the FETCH: " + request.error().message);
  auto link = co_await open_client_link(ctx, *topology, entry);
  if (!link) co_return ctx.report.fail("client link: " + link.error().message);
  if (auto sent = co_await link->send_packet(request->packet, ctx.timeout); !sent) {
    co_return ctx.report.fail("sending the FETCH: " + sent.error().message);
  }
  ctx.report.step("sent a FETCH with " + std::to_string(request->keys.size()) + " SURBs via " + node_name(ctx, entry) +
                  "; replies go to a mailbox at " + reply_host->node->name);

  auto reply_store = open_stores(ctx, {reply_host->node}, topology->geometry);
  if (!reply_store) co_return ctx.report.fail(reply_store.error().message);
  Collected collected;
  if (auto replies = co_await wait_for_replies(ctx, reply_store->front(), reply_mailbox, *request, topology->geometry,
                                               count, collected);
      !replies) {
    co_return ctx.report.fail(replies.error().message);
  }
  ctx.report.result("fetched " + std::to_string(collected.items.size()) + "/" + std::to_string(count) + " from " +
                    std::to_string(collected.store_sequences.size()) + " replies, remaining " +
                    std::to_string(collected.remaining));
  if (auto mismatch = compare(collected, delivery->markers); !mismatch.empty()) co_return ctx.report.fail(mismatch);

  auto left = co_await wait_until_empty(ctx, stores->front(), mailbox);
  if (!left) co_return ctx.report.fail("reading the store: " + left.error().message);
  ctx.report.step("the fetched mailbox holds " + std::to_string(*left) + " items");
  if (*left != 0) co_return ctx.report.fail("the provider kept fetched items");
  ctx.report.step("PASS");
  co_return Verdict::pass;
}

}  // namespace tenebra::mixnet_probe
