// mixnet_probe's subcommands. Each is one whole end-to-end check of a
// running test network; it reports its steps through ctx.report and gives
// the verdict (pass, fail, or setup for a usage problem it found itself).
// See mixnet_probe.cpp (--help) for what each one checks.
//
// Thread-safety: coroutines on the probe's one io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string>

#include "delivery.hpp"
#include "probe.hpp"

namespace tenebra::mixnet_probe {

[[nodiscard]] boost::asio::awaitable<Verdict> run_deliver(const ProbeContext& ctx, DeliveryOptions options);

struct CheckOptions {
  std::string provider;
  mix::sphinx::MailboxId mailbox{};
  std::size_t expect = 0;
};
[[nodiscard]] boost::asio::awaitable<Verdict> run_check(const ProbeContext& ctx, CheckOptions options);

[[nodiscard]] boost::asio::awaitable<Verdict> run_replay(const ProbeContext& ctx);

[[nodiscard]] boost::asio::awaitable<Verdict> run_fetch(const ProbeContext& ctx, std::size_t count);

[[nodiscard]] boost::asio::awaitable<Verdict> run_tamper(const ProbeContext& ctx);

}  // namespace tenebra::mixnet_probe
