// The status file: `<data dir>/status.json`, rewritten about once a second
// by a running tenebrad (and read by operators, scripts and the tests). It
// holds the role, epochs, and counters: drops by reason, links, queues,
// directory rounds. Never an address, a mailbox id or packet contents.
//
// The file is written to a temporary name (mode 0600) and renamed over the
// old one, so a reader sees a whole file or the previous one.
// Thread-safety: free functions; call from the node's executor.
#pragma once

#include <filesystem>
#include <string>

#include "tenebra/core/result.hpp"
#include "tenebra/router/authority_node.hpp"
#include "tenebra/router/relay_node.hpp"

namespace tenebra::router {

// The JSON text for a relay or an authority.
[[nodiscard]] std::string relay_status_json(const RelayNode& node, const char* role);
[[nodiscard]] std::string authority_status_json(const AuthorityNode& node);

// Atomically replaces `path` with `text` (mode 0600).
[[nodiscard]] Status write_status_file(const std::filesystem::path& path, const std::string& text);

}  // namespace tenebra::router
