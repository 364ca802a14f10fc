// tenebra-sphinx-walkthrough: shows, in one process, what every hop of a
// Tenebra path sees of a message, and how tampering, replays and SURB reuse
// are stopped. The full networked demo (real daemons over private Tor) comes
// with the testnet; this shows the packet layer on its own.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "tenebra/core/sodium.hpp"
#include "tenebra/mix/poisson.hpp"
#include "tenebra/mix/replay_cache.hpp"
#include "tenebra/mix/surb.hpp"

using namespace tenebra;
using namespace tenebra::mix;
using namespace tenebra::mix::sphinx;

namespace {

struct Node {
  std::string name;
  NodeId id{};
  NodeKeyPair keys;
  std::unique_ptr<ReplayCache> replay;
};

std::string short_hex(ByteView bytes) {
  return to_hex(bytes.first(4)) + "…";
}

std::vector<Node> make_nodes(Random& rng) {
  std::vector<Node> nodes;
  for (const char* name : {"entry provider", "mix layer 1", "mix layer 2", "mix layer 3", "Bob's provider"}) {
    Node node{name, {}, NodeKeyPair::generate(rng), ReplayCache::make({}, rng).value()};
    rng.fill(node.id);
    nodes.push_back(std::move(node));
  }
  return nodes;
}

std::vector<PathHop> path_to(const std::vector<Node>& nodes, const Command& last, Random& rng) {
  std::vector<PathHop> path;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Command cmd =
        i + 1 < nodes.size()
            ? Command{RelayCommand{nodes[i + 1].id, exponential_delay(rng, std::chrono::milliseconds(50))}}
            : last;
    path.push_back({nodes[i].keys.public_key, cmd});
  }
  return path;
}

// Runs a packet along the nodes from `first`; prints each hop; the last outcome.
Unwrapped carry(const Geometry& g, std::vector<Node>& nodes, Bytes packet, bool verbose, std::size_t first = 0) {
  Unwrapped out;
  for (std::size_t i = first; i < nodes.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    out = unwrap(g, nodes[i].keys, packet, nodes[i].replay.get());
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    if (auto* fwd = std::get_if<Forward>(&out.action)) {
      if (verbose) {
        std::printf("  hop %zu %-15s relay to %s after %u ms   (tag %s, %lld µs)\n", i + 1, nodes[i].name.c_str(),
                    short_hex(fwd->next_hop).c_str(), fwd->delay.count(), short_hex(*out.tag).c_str(),
                    static_cast<long long>(micros));
      }
      packet = fwd->packet;
      continue;
    }
    if (verbose || out.dropped()) {
      const char* what = out.dropped() ? drop_reason_name(std::get<Drop>(out.action).reason)
                         : std::holds_alternative<Deliver>(out.action) ? "deliver to a mailbox (id not shown)"
                                                                       : "store a SURB reply in a mailbox";
      std::printf("  hop %zu %-15s %s%s\n", i + 1, nodes[i].name.c_str(), out.dropped() ? "DROPPED: " : "", what);
    }
    return out;
  }
  return out;
}

std::string text_of(const Bytes& payload) {
  std::string text(payload.begin(), payload.end());
  return text.substr(0, text.find('\0'));
}

int run() {
  if (!init_sodium()) return 1;
  SystemRandom rng;
  const Geometry g = Geometry::default_geometry();
  auto nodes = make_nodes(rng);
  std::printf("Tenebra Sphinx walkthrough: %zu hops, %zu-byte payload, every packet %zu bytes on the wire\n\n",
              g.max_hops(), g.payload_bytes(), g.packet_bytes());

  MailboxId bob_mailbox{};
  rng.fill(bob_mailbox);
  const std::string message = "Hello Bob, the documents are safe.";
  const Bytes payload(message.begin(), message.end());
  const auto path = path_to(nodes, DeliverCommand{bob_mailbox}, rng);
  const Bytes packet = create_packet(g, path, payload, rng).value();
  std::printf("Alice sends one packet:\n");
  auto delivered = carry(g, nodes, packet, true);
  if (!std::holds_alternative<Deliver>(delivered.action)) return 1;
  std::printf("  Bob's mailbox holds: \"%s\"\n\n", text_of(std::get<Deliver>(delivered.action).payload).c_str());

  std::printf("The same packet replayed by an observer:\n");
  if (!carry(g, nodes, packet, false).dropped()) return 1;

  std::printf("\nA fresh packet with one payload bit flipped by mix layer 1:\n");
  Bytes tagged = create_packet(g, path_to(nodes, DeliverCommand{bob_mailbox}, rng), payload, rng).value();
  auto after_entry = unwrap(g, nodes[0].keys, tagged, nodes[0].replay.get());
  Bytes at_layer1 = std::get<Forward>(after_entry.action).packet;
  at_layer1[g.header_bytes() + 100] ^= 0x01;
  if (!carry(g, nodes, at_layer1, false, 1).dropped()) return 1;

  std::printf("\nBob answers with a single-use reply block Alice put in her message:\n");
  MailboxId alice_mailbox{};
  rng.fill(alice_mailbox);
  SurbId surb_id{};
  rng.fill(surb_id);
  auto made = create_surb(g, nodes[0].id, path_to(nodes, SurbReplyCommand{alice_mailbox, surb_id}, rng), rng).value();
  SurbKeyring alice_keys;
  alice_keys.add(std::move(made.keys));
  const std::string answer = "Got them. Thank you.";
  auto reply_packet = create_surb_reply(g, made.surb, Bytes(answer.begin(), answer.end())).value();
  auto stored = carry(g, nodes, reply_packet, true);
  const auto& reply = std::get<Reply>(stored.action);
  auto opened = alice_keys.open(g, reply.surb_id, reply.payload_block);
  if (!opened) return 1;
  std::printf("  Alice opens it: \"%s\"\n", text_of(*opened).c_str());
  std::printf("  Bob tries the same SURB again:\n");
  auto reuse = create_surb_reply(g, made.surb, Bytes{'x'}).value();
  if (!carry(g, nodes, reuse, false).dropped()) return 1;
  std::printf("  and Alice's keyring would refuse it too: %s\n",
              alice_keys.open(g, reply.surb_id, reply.payload_block).error().message.c_str());
  std::printf("\nwalkthrough: ok\n");
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    (void)std::fprintf(stderr, "walkthrough: %s\n", e.what());
    return 1;
  }
}
