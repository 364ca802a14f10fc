#include "header_builder.hpp"
#include "tenebra/mix/lioness.hpp"
#include "tenebra/mix/sphinx.hpp"

namespace tenebra::mix::sphinx {

Result<Bytes> create_packet(const Geometry& geometry, std::span<const PathHop> path, ByteView payload, Random& rng) {
  if (auto ok = detail::validate_path(geometry, path); !ok) return std::move(ok).error();
  if (!std::holds_alternative<DeliverCommand>(path.back().command)) {
    return make_error(Errc::invalid_argument, "a forward packet must end in a deliver command");
  }
  auto block = detail::plaintext_block(geometry, payload);
  if (!block) return std::move(block).error();
  auto header = detail::build_header(geometry, path, rng);
  if (!header) return std::move(header).error();

  // Hop 0 peels first, so its layer goes on last.
  for (std::size_t i = path.size(); i-- > 0;) lioness_encrypt(header->payload_keys[i], *block);

  Bytes packet = std::move(header->header);
  packet.insert(packet.end(), block->begin(), block->end());
  return packet;
}

}  // namespace tenebra::mix::sphinx
