// mixnet_probe: end-to-end checks of a running test network (scripts/testnet),
// for the integration tests. It talks to the network as a client does
// (topology from the authorities, anonymous link to an entry provider,
// Sphinx packets through three mix layers) and checks the outcome in the
// providers' stores and status files. Parses the command line, loads the
// net file and the passphrase, and runs one subcommand on one io_context.
#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "tenebra/core/log.hpp"
#include "tenebra/core/sodium.hpp"
#include "tenebra/onion/tcp_transport.hpp"
#include "tor_client.hpp"

namespace {

namespace asio = boost::asio;
namespace probe = tenebra::mixnet_probe;
using probe::Verdict;

constexpr const char* kDescription = R"(mixnet_probe - end-to-end checks of a running Tenebra test network

NET.json is the file scripts/testnet writes (DIR/net.json). Every subcommand
fetches the current topology from the authorities, talks to the network the
way a client does (an anonymous link to an entry provider, Sphinx packets
through one mix per layer), and checks the result in the providers' stores
(store.db, opened with the passphrase file the net file names) and status
files. It prints one line per step, prefixed with the seconds elapsed; lines
meant for scripts (`delivered X/N`, `mailbox NAME HEX`, ...) have no prefix.
Every wait is bounded by --timeout-s.

Over a tor network (net file transport "tor"), the probe starts its own tor
joined to the private Tor network the net file names (tor_testnet_config),
in a fresh DIR/probe-tor-<pid> it removes at exit, and dials every node's
onion through it, retrying while a fresh onion is not reachable yet.

Subcommands:
  deliver NET.json [--count N] [--spacing-ms S] [--duration-s D]
      N STORE packets, each with its own random marker, to one random mailbox
      (or one every S ms for D seconds, following epoch changes); passes when
      the mailbox's provider holds every marker exactly once. Prints
      `delivered X/N` and, on success, `mailbox <provider> <mailbox hex>`.
  check NET.json --provider NAME --mailbox HEX --expect N
      Passes when that provider's store holds exactly N items in the mailbox.
  replay NET.json
      Sends one packet twice on one client link; passes when it arrives once
      and the entry provider's .mix.drops.replay grew.
  fetch NET.json [--count K]
      Delivers K items, FETCHes them back through SURBs into a second
      mailbox; passes when exactly the K markers come back and the first
      mailbox is empty afterwards.
  tamper NET.json
      Opens a link to a provider, sends a valid frame (a STORE) and one with
      a flipped bit; passes when the provider closes the link without
      sending a byte, the STORE arrives, and .links_in.frame_drops.bad_auth
      grew by exactly 1.

Exit status: 0 pass, 1 fail, 2 usage or setup error (bad arguments, an
unreadable or malformed net file or passphrase file).)";

struct Arguments {
  std::string net_file;
  int timeout_s = 90;
  probe::DeliveryOptions deliver;
  std::optional<int> duration_s;
  int spacing_ms = 100;
  int deliver_count = 5;
  std::string provider;
  std::string mailbox_hex;
  int expect = 0;
  int fetch_count = 3;
};

void add_net_file(CLI::App& command, Arguments& args) {
  command.add_option("NET.json", args.net_file, "the network's net.json")->required();
}

using Runner = std::function<asio::awaitable<Verdict>(const probe::ProbeContext&)>;

struct RunInputs {
  const probe::NetFile& net;
  const std::string& net_file;
  const probe::Passphrase& passphrase;
  std::chrono::milliseconds timeout;
  std::vector<std::string> tor_testnet_lines;  // tor only
};

// Over tor: the probe's own tor first, then `runner`; tor is stopped (and
// its data dir removed) whatever happens, also on SIGINT / SIGTERM.
asio::awaitable<Verdict> run_over_tor(const RunInputs& in, const Runner& runner, const probe::Reporter& report,
                                      tenebra::Random& rng, const tenebra::Clock& clock) {
  using namespace asio::experimental::awaitable_operators;
  asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM);
  report.step("starting tor");
  auto tor = co_await probe::ProbeTor::start(in.net, in.net_file, in.tor_testnet_lines, report, rng, in.timeout);
  if (!tor) co_return report.fail(tor.error().message);
  report.step("tor is ready");
  probe::PeerTokens tokens;
  const probe::ProbeContext ctx{in.net, in.passphrase, report, (*tor)->transport(), tokens, rng, clock, in.timeout};
  Verdict verdict = Verdict::fail;
  try {
    auto outcome = co_await (runner(ctx) || signals.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 0) {
      verdict = std::get<0>(outcome);
    } else {
      report.step("FAIL: interrupted by a signal");
    }
  } catch (const std::exception& error) {
    report.step(std::string("FAIL: stopped by an unexpected exception: ") + error.what());
  }
  co_await (*tor)->stop();
  report.step("tor stopped");
  co_return verdict;
}

// Builds the context and runs `runner` to its verdict.
Verdict run(const RunInputs& in, const Runner& runner) {
  asio::io_context io(1);
  tenebra::SystemClock clock;
  tenebra::SystemRandom rng;
  const probe::Reporter report(clock);
  Verdict verdict = Verdict::fail;
  auto done = [&](const std::exception_ptr& error, Verdict result) {
    if (error) {
      report.step("FAIL: stopped by an unexpected exception");
      return;
    }
    verdict = result;
  };
  if (in.net.transport == probe::NetTransport::tor) {
    asio::co_spawn(io, run_over_tor(in, runner, report, rng, clock), done);
    io.run();
    return verdict;
  }
  tenebra::onion::TcpTransport transport(io.get_executor(),
                                         tenebra::onion::TcpTransportOptions{.allow_plain_tcp = true});
  probe::PeerTokens tokens;
  const probe::ProbeContext ctx{in.net, in.passphrase, report, transport, tokens, rng, clock, in.timeout};
  asio::co_spawn(io, runner(ctx), [&](const std::exception_ptr& error, Verdict result) {
    if (error) {
      report.step("FAIL: stopped by an unexpected exception");
      return;
    }
    verdict = result;
  });
  io.run();
  return verdict;
}

std::optional<Runner> make_runner(const CLI::App& app, const Arguments& args, std::string& usage_error) {
  if (app.got_subcommand("deliver")) {
    probe::DeliveryOptions options;
    options.count = static_cast<std::size_t>(args.deliver_count);
    options.spacing = std::chrono::milliseconds(args.spacing_ms);
    if (args.duration_s) options.duration = std::chrono::seconds(*args.duration_s);
    return [options](const probe::ProbeContext& ctx) { return probe::run_deliver(ctx, options); };
  }
  if (app.got_subcommand("check")) {
    auto mailbox = tenebra::array_from_hex<32>(args.mailbox_hex);
    if (!mailbox) {
      usage_error = "--mailbox must be 64 hex digits: " + mailbox.error().message;
      return std::nullopt;
    }
    probe::CheckOptions options{args.provider, *mailbox, static_cast<std::size_t>(args.expect)};
    return [options](const probe::ProbeContext& ctx) { return probe::run_check(ctx, options); };
  }
  if (app.got_subcommand("replay")) return [](const probe::ProbeContext& ctx) { return probe::run_replay(ctx); };
  if (app.got_subcommand("fetch")) {
    const auto count = static_cast<std::size_t>(args.fetch_count);
    return [count](const probe::ProbeContext& ctx) { return probe::run_fetch(ctx, count); };
  }
  if (app.got_subcommand("tamper")) return [](const probe::ProbeContext& ctx) { return probe::run_tamper(ctx); };
  usage_error = "a subcommand is required (see --help)";
  return std::nullopt;
}

int probe_main(int argc, char** argv) {
  CLI::App app(kDescription, "mixnet_probe");
  app.fallthrough();  // --timeout-s may follow the subcommand
  app.require_subcommand(1);
  Arguments args;
  app.add_option("--timeout-s", args.timeout_s, "bound of every wait, in seconds")->check(CLI::Range(1, 3600));

  auto* deliver = app.add_subcommand("deliver", "deliver marked STORE packets to one mailbox");
  add_net_file(*deliver, args);
  deliver->add_option("--count", args.deliver_count, "packets to send")->check(CLI::Range(1, 10000));
  deliver->add_option("--spacing-ms", args.spacing_ms, "pause between packets")->check(CLI::Range(0, 60000));
  deliver->add_option("--duration-s", args.duration_s, "send for this long instead of --count")
      ->check(CLI::Range(1, 3600));

  auto* check = app.add_subcommand("check", "count the items of a mailbox in a provider's store");
  add_net_file(*check, args);
  check->add_option("--provider", args.provider, "the provider's name in the net file")->required();
  check->add_option("--mailbox", args.mailbox_hex, "the mailbox id, 64 hex digits")->required();
  check->add_option("--expect", args.expect, "the number of items it must hold")
      ->required()
      ->check(CLI::Range(0, 1000000));

  add_net_file(*app.add_subcommand("replay", "a replayed packet is delivered once and counted"), args);
  auto* fetch = app.add_subcommand("fetch", "fetch a mailbox back through SURBs");
  add_net_file(*fetch, args);
  fetch->add_option("--count", args.fetch_count, "items to deliver and fetch")->check(CLI::Range(1, 100));
  add_net_file(*app.add_subcommand("tamper", "a tampered frame closes the link and is counted"), args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : static_cast<int>(Verdict::setup);
  }
  std::string usage_error;
  auto runner = make_runner(app, args, usage_error);
  if (!runner) {
    (void)std::fprintf(stderr, "mixnet_probe: %s\n", usage_error.c_str());
    return static_cast<int>(Verdict::setup);
  }
  if (auto sodium = tenebra::init_sodium(); !sodium) {
    (void)std::fprintf(stderr, "mixnet_probe: libsodium failed to initialise\n");
    return static_cast<int>(Verdict::setup);
  }
  auto net = probe::load_net_file(args.net_file);
  if (!net) {
    (void)std::fprintf(stderr, "mixnet_probe: %s\n", net.error().message.c_str());
    return static_cast<int>(Verdict::setup);
  }
  auto passphrase = probe::Passphrase::read(net->passphrase_file);
  if (!passphrase) {
    (void)std::fprintf(stderr, "mixnet_probe: passphrase: %s\n", passphrase.error().message.c_str());
    return static_cast<int>(Verdict::setup);
  }
  // The library's own progress lines would drown the probe's steps.
  tenebra::log::set_level(tenebra::log::Level::warn);
  RunInputs inputs{*net, args.net_file, *passphrase, std::chrono::seconds(args.timeout_s), {}};
  if (net->transport == probe::NetTransport::tor) {
    auto lines = probe::read_tor_testnet_lines(net->tor_testnet_config);
    if (!lines) {
      (void)std::fprintf(stderr, "mixnet_probe: %s\n", lines.error().message.c_str());
      return static_cast<int>(Verdict::setup);
    }
    inputs.tor_testnet_lines = std::move(*lines);
  }
  return static_cast<int>(run(inputs, *runner));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return probe_main(argc, argv);
  } catch (const std::exception& error) {
    (void)std::fprintf(stderr, "mixnet_probe: unexpected exception: %s\n", error.what());
  } catch (...) {
    (void)std::fprintf(stderr, "mixnet_probe: unexpected exception\n");
  }
  return static_cast<int>(Verdict::fail);
}
