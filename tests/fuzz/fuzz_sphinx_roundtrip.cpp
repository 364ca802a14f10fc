// Fuzzes the whole Sphinx pipeline past the MAC check (which random bytes
// never pass): the input chooses the path length, delays, mailbox, payload
// and the randomness; the packet is created and peeled hop by hop. Every
// hop must see exactly its command and the last must deliver the payload.
#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "tenebra/mix/sphinx.hpp"

using namespace tenebra;
using namespace tenebra::mix::sphinx;

namespace {

// Input-driven randomness: bytes from the input, then zeros.
class InputRandom final : public Random {
 public:
  explicit InputRandom(ByteReader& reader) : m_reader(reader) {}
  void fill(MutableByteView out) override {
    auto got = m_reader.take(std::min(out.size(), m_reader.remaining())).value();
    std::copy(got.begin(), got.end(), out.begin());
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(got.size()), out.end(), 0);
  }

 private:
  ByteReader& m_reader;
};

struct Node {
  NodeId id{};
  NodeKeyPair keys;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = sodium_init() >= 0;
  if (!ready || size < 2) return 0;
  static const Geometry geometry = Geometry::make(4, kMinPayloadBytes).value();
  ByteReader reader(ByteView(data, size));
  const std::size_t hops = 1 + reader.u8().value() % geometry.max_hops();
  InputRandom rng(reader);

  std::vector<Node> nodes(hops);
  std::vector<PathHop> path(hops);
  for (std::size_t i = 0; i < hops; ++i) {
    rng.fill(nodes[i].id);
    std::array<std::uint8_t, 32> secret{};
    rng.fill(secret);
    secret[0] |= 1;  // never the all-zero scalar
    nodes[i].keys = NodeKeyPair::from_secret(secret).value();
    path[i].node_key = nodes[i].keys.public_key;
  }
  MailboxId mailbox{};
  rng.fill(mailbox);
  for (std::size_t i = 0; i < hops; ++i) {
    std::uint8_t delay[4];
    rng.fill(delay);
    path[i].command = i + 1 < hops ? Command{RelayCommand{nodes[i + 1].id, Delay(load_u32_be(delay))}}
                                   : Command{DeliverCommand{mailbox}};
  }
  const std::size_t payload_len = std::min(reader.remaining(), geometry.payload_bytes());
  Bytes payload(payload_len);
  rng.fill(payload);

  auto packet = create_packet(geometry, path, payload, rng);
  if (!packet) std::abort();  // the inputs above are always a valid path
  Bytes current = std::move(packet).value();
  for (std::size_t i = 0; i < hops; ++i) {
    auto out = unwrap(geometry, nodes[i].keys, current);
    if (i + 1 < hops) {
      auto* fwd = std::get_if<Forward>(&out.action);
      const auto& relay = std::get<RelayCommand>(path[i].command);
      if (fwd == nullptr || fwd->next_hop != relay.next_hop || fwd->delay != relay.delay) std::abort();
      current = std::move(fwd->packet);
    } else {
      auto* deliver = std::get_if<Deliver>(&out.action);
      if (deliver == nullptr || deliver->mailbox != mailbox) std::abort();
      if (!std::equal(payload.begin(), payload.end(), deliver->payload.begin())) std::abort();
    }
  }
  return 0;
}
