// tenebrad: the Tenebra node daemon (mix, provider or directory authority).
// Parses the command line, loads the config, and hands over to run_daemon
// (router/daemon.hpp), which owns everything from there on.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "tenebra/core/log.hpp"
#include "tenebra/core/sodium.hpp"
#include "tenebra/router/daemon.hpp"

namespace {

constexpr const char* kDescription = R"(tenebrad - the Tenebra mixnet node daemon

Runs one node of a Tenebra network: a mix (one layer of the stratified
mixnet), a provider (the entry point of clients and host of their
mailboxes), or a directory authority (signs each epoch's topology). The
role, the tunnel (tor; tcp only for test networks) and every limit come
from a TOML config file, documented key by key in docs/operator-guide.md.

The store in the data dir is encrypted with a passphrase read from the file
or environment variable the config names. SIGINT or SIGTERM shuts the node
down in order. The node rewrites <data dir>/status.json every second.

Exit status: 0 clean shutdown (or --init done), 1 the node failed to start
or failed while running, 2 usage or configuration error.)";

int run(int argc, char** argv) {
  CLI::App app(kDescription, "tenebrad");
  std::string config_path;
  bool init_only = false;
  app.add_option("-c,--config", config_path, "the node's TOML config file")->required();
  app.add_flag("--init", init_only,
               "create the data dir, store and identity if missing, print the identity key (hex) and exit");
  app.set_version_flag("--version", "tenebrad 0.1");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : tenebra::router::kExitUsage;
  }
  if (auto sodium = tenebra::init_sodium(); !sodium) {
    (void)std::fprintf(stderr, "tenebrad: libsodium failed to initialise\n");
    return tenebra::router::kExitFailure;
  }
  auto config = tenebra::router::load_node_config(config_path);
  if (!config) {
    (void)std::fprintf(stderr, "tenebrad: %s\n", config.error().message.c_str());
    return tenebra::router::kExitUsage;
  }
  return tenebra::router::run_daemon(*config, tenebra::router::DaemonOptions{.init_only = init_only});
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    // Nothing is meant to throw past here; if something does, say so and
    // fail rather than abort without a word.
    (void)std::fprintf(stderr, "tenebrad: unexpected error: %s\n", error.what());
  } catch (...) {
    (void)std::fprintf(stderr, "tenebrad: unexpected error\n");
  }
  return tenebra::router::kExitFailure;
}
