// Helpers shared by the Sphinx tests: a deterministic network of node keys
// and paths through it.
#pragma once

#include <vector>

#include "tenebra/core/random.hpp"
#include "tenebra/mix/sphinx.hpp"

namespace tenebra::mix::sphinx::testing {

struct TestNode {
  NodeId id{};
  NodeKeyPair keys;
};

inline std::vector<TestNode> make_nodes(std::size_t count, Random& rng) {
  std::vector<TestNode> nodes;
  for (std::size_t i = 0; i < count; ++i) {
    TestNode node;
    rng.fill(node.id);
    node.keys = NodeKeyPair::generate(rng);
    nodes.push_back(std::move(node));
  }
  return nodes;
}

// Relays through nodes[0..n-2] with delays 10, 20, ... ms, ending in `last`.
inline std::vector<PathHop> make_path(std::span<const TestNode> nodes, const Command& last) {
  std::vector<PathHop> path;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    PathHop hop;
    hop.node_key = nodes[i].keys.public_key;
    if (i + 1 < nodes.size()) {
      hop.command = RelayCommand{nodes[i + 1].id, Delay(static_cast<std::uint32_t>(10 * (i + 1)))};
    } else {
      hop.command = last;
    }
    path.push_back(hop);
  }
  return path;
}

inline MailboxId mailbox_from(Random& rng) {
  MailboxId id{};
  rng.fill(id);
  return id;
}

}  // namespace tenebra::mix::sphinx::testing
