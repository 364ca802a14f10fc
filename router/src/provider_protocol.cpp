#include "tenebra/router/provider_protocol.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace tenebra::router::provider {
namespace {

using mix::sphinx::Geometry;
using mix::sphinx::kSurbIdBytes;

Status check_zero_padding(ByteView rest, const char* what) {
  if (!is_all_zero(rest)) return make_error(Errc::malformed, std::string(what) + " has non-zero padding");
  return {};
}

Status check_payload_length(const Geometry& geometry, ByteView payload, const char* what) {
  if (payload.size() != geometry.payload_bytes()) {
    return make_error(Errc::malformed,
                      std::string(what) + " must be exactly " + std::to_string(geometry.payload_bytes()) + " bytes");
  }
  return {};
}

Result<ProviderRequest> decode_store(const Geometry& geometry, ByteReader& reader) {
  auto length = reader.u16_be();
  if (!length) return make_error(Errc::malformed, "store request is truncated");
  if (*length == 0 || *length > max_store_bytes(geometry)) {
    return make_error(Errc::malformed, "store length out of bounds");
  }
  auto data = reader.take(*length);
  if (!data) return make_error(Errc::malformed, "store data is truncated");
  if (auto padded = check_zero_padding(reader.rest(), "store request"); !padded) return std::move(padded).error();
  return ProviderRequest(StoreRequest{Bytes(data->begin(), data->end())});
}

Result<ProviderRequest> decode_fetch(const Geometry& geometry, ByteReader& reader) {
  auto max_items = reader.u8();
  auto count = reader.u8();
  if (!max_items || !count) return make_error(Errc::malformed, "fetch request is truncated");
  if (*max_items == 0) return make_error(Errc::malformed, "fetch asks for zero items");
  if (*count == 0 || *count > max_fetch_surbs(geometry)) {
    return make_error(Errc::malformed, "fetch SURB count out of bounds");
  }
  FetchRequest fetch;
  fetch.max_items = *max_items;
  fetch.surbs.reserve(*count);
  for (std::size_t i = 0; i < *count; ++i) {
    auto encoded = reader.take(mix::sphinx::surb_bytes(geometry));
    if (!encoded) return make_error(Errc::malformed, "fetch SURB is truncated");
    auto surb = mix::sphinx::decode_surb(geometry, *encoded);
    if (!surb) return std::move(surb).error();
    fetch.surbs.push_back(std::move(*surb));
  }
  if (auto padded = check_zero_padding(reader.rest(), "fetch request"); !padded) return std::move(padded).error();
  return ProviderRequest(std::move(fetch));
}

Status check_chunk(const Geometry& geometry, const FetchChunk& chunk) {
  if (chunk.item_length < kMinItemBytes || chunk.item_length > max_item_bytes(geometry)) {
    return make_error(Errc::malformed, "fetch chunk: item length out of bounds");
  }
  if (chunk.data.empty() || std::uint64_t{chunk.offset} + chunk.data.size() > std::uint64_t{chunk.item_length}) {
    return make_error(Errc::malformed, "fetch chunk: bytes outside the item");
  }
  return {};
}

Result<FetchChunk> read_chunk(const Geometry& geometry, ByteReader& reader) {
  auto sequence = reader.u64_be();
  auto item_length = reader.u32_be();
  auto offset = reader.u32_be();
  auto length = reader.u16_be();
  if (!sequence || !item_length || !offset || !length) return make_error(Errc::malformed, "fetch chunk is truncated");
  auto data = reader.take(*length);
  if (!data) return make_error(Errc::malformed, "fetch chunk data is truncated");
  FetchChunk chunk{*sequence, *item_length, *offset, Bytes(data->begin(), data->end())};
  if (auto checked = check_chunk(geometry, chunk); !checked) return std::move(checked).error();
  return chunk;
}

// Fills replies in order; at most `surb_count` of them.
class ReplyPacker {
 public:
  ReplyPacker(const Geometry& geometry, std::size_t surb_count)
      : m_payload(geometry.payload_bytes()), m_max(surb_count) {}

  // Adds as much of `item` as fits; true when all of it went in.
  bool add(std::uint64_t sequence, ByteView item) {
    std::size_t offset = 0;
    while (offset < item.size()) {
      if (m_replies.empty() || reply_full()) {
        if (m_replies.size() == m_max) return false;
        m_replies.emplace_back();
        m_used = kFetchReplyHeaderBytes;
      }
      const std::size_t take = std::min(m_payload - m_used - kChunkHeaderBytes, item.size() - offset);
      m_replies.back().chunks.push_back(FetchChunk{sequence, static_cast<std::uint32_t>(item.size()),
                                                   static_cast<std::uint32_t>(offset),
                                                   Bytes(item.begin() + static_cast<std::ptrdiff_t>(offset),
                                                         item.begin() + static_cast<std::ptrdiff_t>(offset + take))});
      m_used += kChunkHeaderBytes + take;
      offset += take;
    }
    return true;
  }
  bool full() const noexcept { return m_replies.size() == m_max && reply_full(); }
  std::vector<FetchReply> take() { return std::move(m_replies); }

 private:
  // No room for a chunk header and one byte, or the u8 chunk count is used up.
  bool reply_full() const noexcept {
    return m_used + kChunkHeaderBytes >= m_payload ||
           m_replies.back().chunks.size() == std::numeric_limits<std::uint8_t>::max();
  }

  std::size_t m_payload;
  std::size_t m_max;
  std::size_t m_used = 0;
  std::vector<FetchReply> m_replies;
};

}  // namespace

std::size_t max_store_bytes(const Geometry& geometry) noexcept {
  return geometry.payload_bytes() - kStoreHeaderBytes;
}

std::size_t max_fetch_surbs(const Geometry& geometry) noexcept {
  return std::min(kMaxFetchSurbs, (geometry.payload_bytes() - kFetchHeaderBytes) / mix::sphinx::surb_bytes(geometry));
}

std::size_t max_item_bytes(const Geometry& geometry) noexcept {
  return kItemKindBytes + kSurbIdBytes + geometry.payload_block_bytes();
}

Bytes make_drop_payload(const Geometry& geometry) {
  return Bytes(geometry.payload_bytes(), 0);
}

Result<Bytes> make_store_payload(const Geometry& geometry, ByteView data) {
  if (data.empty() || data.size() > max_store_bytes(geometry)) {
    return make_error(Errc::invalid_argument,
                      "store data must be 1.." + std::to_string(max_store_bytes(geometry)) + " bytes");
  }
  Bytes out;
  out.reserve(geometry.payload_bytes());
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(RequestType::store));
  writer.u16_be(static_cast<std::uint16_t>(data.size()));
  writer.bytes(data);
  writer.zeros(geometry.payload_bytes() - out.size());
  return out;
}

Result<Bytes> make_fetch_payload(const Geometry& geometry, std::span<const mix::sphinx::Surb> surbs,
                                 std::uint8_t max_items) {
  if (max_items == 0) return make_error(Errc::invalid_argument, "a fetch asks for at least one item");
  if (surbs.empty() || surbs.size() > max_fetch_surbs(geometry)) {
    return make_error(Errc::invalid_argument,
                      "a fetch carries 1.." + std::to_string(max_fetch_surbs(geometry)) + " SURBs at this geometry");
  }
  Bytes out;
  out.reserve(geometry.payload_bytes());
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(RequestType::fetch));
  writer.u8(max_items);
  writer.u8(static_cast<std::uint8_t>(surbs.size()));
  for (const auto& surb : surbs) {
    if (surb.header.size() != geometry.header_bytes()) {
      return make_error(Errc::invalid_argument, "SURB header does not match the geometry");
    }
    writer.bytes(mix::sphinx::encode_surb(surb));
  }
  writer.zeros(geometry.payload_bytes() - out.size());
  return out;
}

Result<ProviderRequest> decode_provider_payload(const Geometry& geometry, ByteView payload) {
  if (auto sized = check_payload_length(geometry, payload, "a provider payload"); !sized) {
    return std::move(sized).error();
  }
  ByteReader reader(payload);
  const std::uint8_t type = reader.u8().value();  // length checked above: P >= 64
  switch (static_cast<RequestType>(type)) {
    case RequestType::drop:
      if (auto padded = check_zero_padding(reader.rest(), "drop payload"); !padded) return std::move(padded).error();
      return ProviderRequest(DropRequest{});
    case RequestType::store:
      return decode_store(geometry, reader);
    case RequestType::fetch:
      return decode_fetch(geometry, reader);
  }
  return make_error(Errc::unsupported, "unknown provider request type");
}

Result<Bytes> encode_provider_payload(const Geometry& geometry, const ProviderRequest& request) {
  if (std::holds_alternative<DropRequest>(request)) return make_drop_payload(geometry);
  if (const auto* store = std::get_if<StoreRequest>(&request)) return make_store_payload(geometry, store->data);
  const auto& fetch = std::get<FetchRequest>(request);
  return make_fetch_payload(geometry, fetch.surbs, fetch.max_items);
}

Bytes encode_stored_item(const StoredItem& item) {
  Bytes out;
  ByteWriter writer(out);
  if (const auto* data = std::get_if<StoredData>(&item)) {
    writer.u8(static_cast<std::uint8_t>(ItemKind::data));
    writer.bytes(data->data);
    return out;
  }
  const auto& reply = std::get<StoredReply>(item);
  writer.u8(static_cast<std::uint8_t>(ItemKind::surb_reply));
  writer.bytes(reply.surb_id);
  writer.bytes(reply.payload_block);
  return out;
}

Result<StoredItem> decode_stored_item(const Geometry& geometry, ByteView encoded) {
  if (encoded.size() < kMinItemBytes) return make_error(Errc::malformed, "stored item is too short");
  const ByteView body = encoded.subspan(kItemKindBytes);
  switch (static_cast<ItemKind>(encoded[0])) {
    case ItemKind::data:
      if (body.size() > max_store_bytes(geometry)) return make_error(Errc::malformed, "stored data is too long");
      return StoredItem(StoredData{Bytes(body.begin(), body.end())});
    case ItemKind::surb_reply: {
      if (body.size() != kSurbIdBytes + geometry.payload_block_bytes()) {
        return make_error(Errc::malformed, "stored SURB reply has the wrong length");
      }
      StoredReply reply;
      std::copy_n(body.begin(), kSurbIdBytes, reply.surb_id.begin());
      reply.payload_block.assign(body.begin() + kSurbIdBytes, body.end());
      return StoredItem(std::move(reply));
    }
  }
  return make_error(Errc::unsupported, "unknown stored item kind");
}

Result<Bytes> encode_fetch_reply(const Geometry& geometry, const FetchReply& reply) {
  if (reply.reply_count == 0 || reply.reply_index >= reply.reply_count) {
    return make_error(Errc::invalid_argument, "fetch reply index out of bounds");
  }
  if (reply.chunks.size() > std::numeric_limits<std::uint8_t>::max()) {
    return make_error(Errc::invalid_argument, "too many chunks in one fetch reply");
  }
  std::size_t size = kFetchReplyHeaderBytes;
  for (const auto& chunk : reply.chunks) {
    if (auto checked = check_chunk(geometry, chunk); !checked)
      return make_error(Errc::invalid_argument, checked.error().message);
    size += kChunkHeaderBytes + chunk.data.size();
  }
  if (size > geometry.payload_bytes()) return make_error(Errc::invalid_argument, "fetch reply does not fit a payload");
  Bytes out;
  out.reserve(geometry.payload_bytes());
  ByteWriter writer(out);
  writer.u8(kFetchReplyType);
  writer.u16_be(reply.remaining_items);
  writer.u8(reply.reply_index);
  writer.u8(reply.reply_count);
  writer.u8(static_cast<std::uint8_t>(reply.chunks.size()));
  for (const auto& chunk : reply.chunks) {
    writer.u64_be(chunk.sequence);
    writer.u32_be(chunk.item_length);
    writer.u32_be(chunk.offset);
    writer.u16_be(static_cast<std::uint16_t>(chunk.data.size()));
    writer.bytes(chunk.data);
  }
  writer.zeros(geometry.payload_bytes() - out.size());
  return out;
}

Result<FetchReply> decode_fetch_reply(const Geometry& geometry, ByteView payload) {
  if (auto sized = check_payload_length(geometry, payload, "a fetch reply"); !sized) return std::move(sized).error();
  ByteReader reader(payload);
  // P >= 64 > the header: these reads cannot fail.
  const std::uint8_t type = reader.u8().value();
  if (type != kFetchReplyType) return make_error(Errc::unsupported, "not a fetch reply");
  FetchReply reply;
  reply.remaining_items = reader.u16_be().value();
  reply.reply_index = reader.u8().value();
  reply.reply_count = reader.u8().value();
  const std::uint8_t chunk_count = reader.u8().value();
  if (reply.reply_count == 0 || reply.reply_index >= reply.reply_count) {
    return make_error(Errc::malformed, "fetch reply index out of bounds");
  }
  reply.chunks.reserve(chunk_count);
  for (std::size_t i = 0; i < chunk_count; ++i) {
    auto chunk = read_chunk(geometry, reader);
    if (!chunk) return std::move(chunk).error();
    reply.chunks.push_back(std::move(*chunk));
  }
  if (auto padded = check_zero_padding(reader.rest(), "fetch reply"); !padded) return std::move(padded).error();
  return reply;
}

Result<FetchPlan> plan_fetch_replies(const Geometry& geometry, std::span<const StoredPacket> items,
                                     std::size_t surb_count, std::size_t mailbox_count) {
  if (surb_count == 0 || surb_count > kMaxFetchSurbs) {
    return make_error(Errc::invalid_argument, "a fetch answer needs 1..255 SURBs");
  }
  FetchPlan plan;
  ReplyPacker packer(geometry, surb_count);
  for (const auto& item : items) {
    if (item.sequence < 0 || item.packet.size() < kMinItemBytes || item.packet.size() > max_item_bytes(geometry)) {
      return make_error(Errc::internal, "a stored item is out of bounds");
    }
    if (packer.full()) break;
    if (!packer.add(static_cast<std::uint64_t>(item.sequence), item.packet)) break;
    plan.complete.push_back(item.sequence);
  }
  plan.replies = packer.take();
  // Every SURB is answered, the rest with replies that carry nothing: how
  // many replies come back must not tell how full the mailbox was.
  plan.replies.resize(surb_count);
  const std::size_t remaining = mailbox_count - std::min(mailbox_count, plan.complete.size());
  for (std::size_t i = 0; i < plan.replies.size(); ++i) {
    plan.replies[i].remaining_items = static_cast<std::uint16_t>(std::min<std::size_t>(remaining, kMaxRemainingItems));
    plan.replies[i].reply_index = static_cast<std::uint8_t>(i);
    plan.replies[i].reply_count = static_cast<std::uint8_t>(plan.replies.size());
  }
  return plan;
}

FetchReassembler::FetchReassembler(Geometry geometry, ReassemblerLimits limits)
    : m_geometry(geometry), m_limits(limits) {}

Result<FetchProgress> FetchReassembler::add(ByteView reply_payload) {
  auto reply = decode_fetch_reply(m_geometry, reply_payload);
  if (!reply) return std::move(reply).error();
  FetchProgress progress;
  progress.remaining_items = reply->remaining_items;
  progress.reply_index = reply->reply_index;
  progress.reply_count = reply->reply_count;
  for (const auto& chunk : reply->chunks) {
    switch (apply(chunk, progress)) {
      case ChunkOutcome::duplicate:
        ++progress.duplicate_chunks;
        break;
      case ChunkOutcome::dropped:
        ++progress.dropped_chunks;
        break;
      case ChunkOutcome::pending:
      case ChunkOutcome::completed:
        break;
    }
  }
  return progress;
}

FetchReassembler::ChunkOutcome FetchReassembler::apply(const FetchChunk& chunk, FetchProgress& progress) {
  if (m_done.contains(chunk.sequence)) return ChunkOutcome::duplicate;
  auto it = m_partials.find(chunk.sequence);
  if (it == m_partials.end()) {
    if (!make_room(chunk.item_length)) return ChunkOutcome::dropped;
    Partial partial;
    partial.arrival = m_arrivals++;
    partial.bytes.assign(chunk.item_length, 0);
    partial.have.assign(chunk.item_length, false);
    it = m_partials.emplace(chunk.sequence, std::move(partial)).first;
    m_buffered += chunk.item_length;
  }
  Partial& partial = it->second;
  bool conflict = partial.bytes.size() != chunk.item_length;
  for (std::size_t i = 0; !conflict && i < chunk.data.size(); ++i) {
    const std::size_t at = chunk.offset + i;
    if (partial.have[at]) {
      conflict = partial.bytes[at] != chunk.data[i];
    } else {
      partial.bytes[at] = chunk.data[i];
      partial.have[at] = true;
      ++partial.have_count;
    }
  }
  if (conflict) {
    // Two versions of one item: neither can be trusted over the other.
    m_buffered -= partial.bytes.size();
    m_partials.erase(it);
    return ChunkOutcome::dropped;
  }
  if (partial.have_count < partial.bytes.size()) return ChunkOutcome::pending;
  auto item = decode_stored_item(m_geometry, partial.bytes);
  m_buffered -= partial.bytes.size();
  m_partials.erase(it);
  remember(chunk.sequence);
  if (!item) return ChunkOutcome::dropped;
  progress.completed.push_back(FetchedItem{chunk.sequence, std::move(*item)});
  return ChunkOutcome::completed;
}

bool FetchReassembler::make_room(std::size_t item_length) {
  if (item_length > m_limits.max_buffered_bytes || m_limits.max_partial_items == 0) return false;
  while (!m_partials.empty() &&
         (m_partials.size() >= m_limits.max_partial_items || m_buffered + item_length > m_limits.max_buffered_bytes)) {
    auto oldest = std::min_element(m_partials.begin(), m_partials.end(),
                                   [](const auto& a, const auto& b) { return a.second.arrival < b.second.arrival; });
    m_buffered -= oldest->second.bytes.size();
    m_partials.erase(oldest);
  }
  return true;
}

void FetchReassembler::remember(std::uint64_t sequence) {
  if (m_limits.remembered_items == 0) return;
  if (m_done_order.size() == m_limits.remembered_items) {
    m_done.erase(m_done_order.front());
    m_done_order.pop_front();
  }
  m_done.insert(sequence);
  m_done_order.push_back(sequence);
}

}  // namespace tenebra::router::provider
