// replay: one packet sent twice on the same client link is delivered once;
// the entry provider drops the copy as a replay and counts it.
#include "commands.hpp"
#include "tenebra/router/provider_protocol.hpp"

namespace tenebra::mixnet_probe {
namespace {

const CounterPath kReplayDrops{"mix", "drops", "replay"};

}  // namespace

boost::asio::awaitable<Verdict> run_replay(const ProbeContext& ctx) {
  auto topology = co_await fetch_current_topology(ctx);
  if (!topology) co_return ctx.report.fail(topology.error().message);
  ctx.report.step("topology of epoch " + std::to_string(topology->epoch) + " trusted");
  const auto mailbox = random_array<32>(ctx.rng);
  auto host = hosting_provider(ctx, *topology, mailbox);
  if (!host) co_return ctx.report.fail(host.error().message);
  const auto& entry = pick_entry(*topology, host->descriptor.identity, ctx.rng);
  const NetNode* entry_node = ctx.net.find(entry.identity);
  if (entry_node == nullptr) co_return ctx.report.fail("the entry provider is not in the net file");
  ctx.report.step("entry provider " + entry_node->name + ", mailbox host " + host->node->name);

  auto before = read_status_counter(entry_node->data_dir, kReplayDrops);
  if (!before) co_return ctx.report.fail(before.error().message);
  ctx.report.step(entry_node->name + " " + counter_name(kReplayDrops) + " = " + std::to_string(*before));

  const Marker marker = random_array<32>(ctx.rng);
  auto payload = router::provider::make_store_payload(topology->geometry, marker);
  if (!payload) co_return ctx.report.fail(payload.error().message);
  auto packet =
      build_packet(*topology, entry, host->descriptor, mix::sphinx::DeliverCommand{mailbox}, *payload, ctx.rng);
  if (!packet) co_return ctx.report.fail(packet.error().message);
  auto link = co_await open_client_link(ctx, *topology, entry);
  if (!link) co_return ctx.report.fail("client link: " + link.error().message);
  for (int copy = 0; copy < 2; ++copy) {
    auto sent = co_await link->send_packet(*packet, ctx.timeout);
    if (!sent) co_return ctx.report.fail("sending copy " + std::to_string(copy + 1) + ": " + sent.error().message);
  }
  ctx.report.step("sent the same packet twice on one link");

  auto stores = open_stores(ctx, {host->node}, topology->geometry);
  if (!stores) co_return ctx.report.fail(stores.error().message);
  const std::vector<Marker> markers{marker};
  auto arrived = co_await wait_for_markers(ctx, *stores, mailbox, markers);
  if (!arrived) co_return ctx.report.fail("reading the store: " + arrived.error().message);
  if (!arrived->exact(1)) co_return ctx.report.fail(describe(*arrived, 1));
  ctx.report.step("the packet arrived");

  auto after = co_await wait_for_counter(ctx, entry_node->data_dir, kReplayDrops, *before + 1);
  if (!after) co_return ctx.report.fail(after.error().message);
  ctx.report.step(entry_node->name + " " + counter_name(kReplayDrops) + " = " + std::to_string(*after));
  if (*after < *before + 1) co_return ctx.report.fail("the entry provider did not count the replay");

  // The copy was dropped at the entry, so it can no longer arrive.
  auto final_tally = tally_markers(*stores, mailbox, markers);
  if (!final_tally) co_return ctx.report.fail("reading the store: " + final_tally.error().message);
  ctx.report.result(describe(*final_tally, 1));
  if (!final_tally->exact(1)) co_return ctx.report.fail("the mailbox does not hold exactly one copy");
  ctx.report.step("PASS");
  co_return Verdict::pass;
}

}  // namespace tenebra::mixnet_probe
