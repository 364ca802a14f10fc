// deliver: N STORE packets to one random mailbox, each arriving exactly once.
#include "commands.hpp"

namespace tenebra::mixnet_probe {

boost::asio::awaitable<Verdict> run_deliver(const ProbeContext& ctx, DeliveryOptions options) {
  const auto mailbox = random_array<32>(ctx.rng);
  auto delivery = co_await send_markers(ctx, mailbox, options);
  if (!delivery) co_return ctx.report.fail("sending: " + delivery.error().message);
  const std::size_t sent = delivery->markers.size();
  if (sent == 0) co_return ctx.report.fail("no packet was sent");
  auto stores = open_stores(ctx, delivery->hosts, delivery->topology.geometry);
  if (!stores) co_return ctx.report.fail(stores.error().message);
  ctx.report.step("waiting for " + std::to_string(sent) + " markers in the mailbox");
  auto tally = co_await wait_for_markers(ctx, *stores, mailbox, delivery->markers);
  if (!tally) co_return ctx.report.fail("reading the store: " + tally.error().message);
  ctx.report.result(describe(*tally, sent));
  if (!tally->exact(sent)) co_return ctx.report.fail("the mailbox does not hold every marker exactly once");
  for (const NetNode* host : delivery->hosts) ctx.report.result("mailbox " + host->name + " " + to_hex(mailbox));
  ctx.report.step("PASS");
  co_return Verdict::pass;
}

}  // namespace tenebra::mixnet_probe
