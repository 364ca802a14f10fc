// check: a provider's store holds exactly N items in a mailbox (used after
// the provider was killed and restarted: nothing acknowledged is lost).
#include "commands.hpp"

namespace tenebra::mixnet_probe {

boost::asio::awaitable<Verdict> run_check(const ProbeContext& ctx, CheckOptions options) {
  const NetNode* provider = ctx.net.find_provider(options.provider);
  if (provider == nullptr) {
    ctx.report.step("FAIL: the net file has no provider named " + options.provider);
    co_return Verdict::setup;
  }
  // The geometry only bounds decoding; a count needs none, so the default will do.
  auto store = ProviderStore::open(provider->data_dir, ctx.passphrase.view(), store_cost(ctx.net.transport),
                                   mix::sphinx::Geometry::default_geometry(), ctx.rng);
  if (!store) co_return ctx.report.fail(provider->name + "'s store: " + store.error().message);
  auto count = store->count(options.mailbox);
  if (!count) co_return ctx.report.fail("counting: " + count.error().message);
  ctx.report.result("mailbox holds " + std::to_string(*count) + " items (expected " + std::to_string(options.expect) +
                    ")");
  if (*count != options.expect) co_return ctx.report.fail("wrong number of items");
  ctx.report.step("PASS");
  co_return Verdict::pass;
}

}  // namespace tenebra::mixnet_probe
