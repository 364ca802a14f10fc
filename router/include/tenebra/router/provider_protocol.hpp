// The provider mailbox protocol (docs/provider.md): what the P payload bytes
// of a Sphinx Deliver mean at a provider (drop, store, fetch with SURBs), how
// stored items are kept, and the fetch answer that travels back through the
// fetcher's SURBs as a stream of chunks.
//
// Every codec here is strict and canonical: a decoder checks every length and
// field against the Geometry, refuses non-zero padding, and whatever it
// accepts re-encodes to exactly the same bytes (fuzz_provider_payload checks
// it). plan_fetch_replies is the provider's side of a fetch;
// FetchReassembler is the fetcher's, with hard caps on the memory it holds.
//
// Thread-safety: the free functions are pure and safe from any thread; a
// FetchReassembler belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <span>
#include <variant>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/mix/geometry.hpp"
#include "tenebra/mix/surb.hpp"
#include "tenebra/router/mailbox_store.hpp"

namespace tenebra::router::provider {

// First byte of a Deliver payload at a provider.
enum class RequestType : std::uint8_t {
  drop = 0x00,   // cover traffic: all P bytes zero, discarded
  store = 0x01,  // 0x01 | u16 length | data | zeros
  fetch = 0x02,  // 0x02 | u8 max_items | u8 n | n SURBs | zeros
};
// First byte of every fetch reply payload (high bit: provider -> fetcher).
inline constexpr std::uint8_t kFetchReplyType = 0x81;

// First byte of a stored item (the bytes kept in the MailboxStore).
enum class ItemKind : std::uint8_t {
  data = 0x01,        // 0x01 | data               (from a STORE)
  surb_reply = 0x02,  // 0x02 | surb_id | block    (a SURB reply for the mailbox owner)
};

inline constexpr std::size_t kStoreHeaderBytes = 3;       // type | u16 length
inline constexpr std::size_t kFetchHeaderBytes = 3;       // type | max_items | n
inline constexpr std::size_t kFetchReplyHeaderBytes = 6;  // type | u16 remaining | index | count | chunk_count
inline constexpr std::size_t kChunkHeaderBytes = 18;      // u64 sequence | u32 item_length | u32 offset | u16 length
inline constexpr std::size_t kItemKindBytes = 1;
inline constexpr std::size_t kMinItemBytes = kItemKindBytes + 1;
inline constexpr std::size_t kMaxFetchSurbs = 255;  // n and reply_count are u8
inline constexpr std::uint16_t kMaxRemainingItems = 0xFFFF;

// Largest `data` of one STORE: P - 3.
std::size_t max_store_bytes(const mix::sphinx::Geometry& geometry) noexcept;
// Most SURBs one FETCH carries: floor((P - 3) / surb_bytes), at most 255
// (3 at the default geometry; 0 when P is too small for any).
std::size_t max_fetch_surbs(const mix::sphinx::Geometry& geometry) noexcept;
// Largest stored item: a SURB reply, 1 + 16 + Z + P bytes. A provider's
// MailboxLimits::max_packet_bytes must be at least this.
std::size_t max_item_bytes(const mix::sphinx::Geometry& geometry) noexcept;

// ---- Deliver payloads (P bytes) --------------------------------------------

struct DropRequest {};
struct StoreRequest {
  Bytes data;  // 1 .. max_store_bytes, opaque (end-to-end ciphertext)
};
struct FetchRequest {
  std::uint8_t max_items = 0;  // >= 1
  std::vector<mix::sphinx::Surb> surbs;
};
using ProviderRequest = std::variant<DropRequest, StoreRequest, FetchRequest>;

[[nodiscard]] Bytes make_drop_payload(const mix::sphinx::Geometry& geometry);
[[nodiscard]] Result<Bytes> make_store_payload(const mix::sphinx::Geometry& geometry, ByteView data);
[[nodiscard]] Result<Bytes> make_fetch_payload(const mix::sphinx::Geometry& geometry,
                                               std::span<const mix::sphinx::Surb> surbs, std::uint8_t max_items);
// Errc::malformed for a wrong length, bad bound or non-zero padding,
// Errc::unsupported for an unknown type.
[[nodiscard]] Result<ProviderRequest> decode_provider_payload(const mix::sphinx::Geometry& geometry, ByteView payload);
// The canonical payload of a decoded request (what the encoders make).
[[nodiscard]] Result<Bytes> encode_provider_payload(const mix::sphinx::Geometry& geometry,
                                                    const ProviderRequest& request);

// ---- Stored items ---------------------------------------------------------

struct StoredData {
  Bytes data;
  bool operator==(const StoredData&) const = default;
};
struct StoredReply {
  mix::sphinx::SurbId surb_id{};
  Bytes payload_block;  // Z + P bytes, opened by the SURB's creator
  bool operator==(const StoredReply&) const = default;
};
using StoredItem = std::variant<StoredData, StoredReply>;

[[nodiscard]] Bytes encode_stored_item(const StoredItem& item);
[[nodiscard]] Result<StoredItem> decode_stored_item(const mix::sphinx::Geometry& geometry, ByteView encoded);

// ---- Fetch replies (one per SURB, P bytes each) -----------------------------

struct FetchChunk {
  std::uint64_t sequence = 0;     // the item's id at this provider, stable across fetches
  std::uint32_t item_length = 0;  // the whole stored item, kind byte included
  std::uint32_t offset = 0;
  Bytes data;  // 1.. bytes, offset + size <= item_length
  bool operator==(const FetchChunk&) const = default;
};
struct FetchReply {
  std::uint16_t remaining_items = 0;  // in the mailbox once this answer is confirmed, saturating
  std::uint8_t reply_index = 0;       // < reply_count
  std::uint8_t reply_count = 1;       // replies in this answer (<= SURBs sent)
  std::vector<FetchChunk> chunks;     // empty in a padding reply
  bool operator==(const FetchReply&) const = default;
};

[[nodiscard]] Result<Bytes> encode_fetch_reply(const mix::sphinx::Geometry& geometry, const FetchReply& reply);
[[nodiscard]] Result<FetchReply> decode_fetch_reply(const mix::sphinx::Geometry& geometry, ByteView payload);

// The provider's answer to a fetch: `items` (oldest first, as peeked) cut
// into chunks and packed in order into the first of exactly `surb_count`
// replies (the rest carry no chunk, so the answer's size says nothing about
// the mailbox); the last item may be cut off. `complete` lists the items whose every chunk is in the
// replies (the only ones to delete once sent). `mailbox_count` is how many
// items the mailbox holds now, for remaining_items.
struct FetchPlan {
  std::vector<FetchReply> replies;
  std::vector<std::int64_t> complete;
};
[[nodiscard]] Result<FetchPlan> plan_fetch_replies(const mix::sphinx::Geometry& geometry,
                                                   std::span<const StoredPacket> items, std::size_t surb_count,
                                                   std::size_t mailbox_count);

// ---- The fetcher's side ---------------------------------------------------

struct ReassemblerLimits {
  std::size_t max_partial_items = 64;                     // items waiting for more chunks
  std::size_t max_buffered_bytes = std::size_t{1} << 20;  // their total item_length
  std::size_t remembered_items = 4096;                    // completed sequences whose late chunks are ignored
};

struct FetchedItem {
  std::uint64_t sequence = 0;
  StoredItem item;
};

struct FetchProgress {
  std::uint16_t remaining_items = 0;
  std::uint8_t reply_index = 0;
  std::uint8_t reply_count = 0;
  std::vector<FetchedItem> completed;
  std::size_t duplicate_chunks = 0;  // for items already completed
  std::size_t dropped_chunks = 0;    // conflicting, over a cap, or of an undecodable item
};

// Reassembles the items of one mailbox from opened fetch replies, which the
// mixes deliver in any order. A chunk that disagrees with what is held for
// its item discards that item; past a cap the oldest partial item goes.
class FetchReassembler {
 public:
  explicit FetchReassembler(mix::sphinx::Geometry geometry, ReassemblerLimits limits = {});

  // One opened reply payload (P bytes, from open_surb_reply). A malformed
  // reply is an error and changes nothing.
  [[nodiscard]] Result<FetchProgress> add(ByteView reply_payload);

  [[nodiscard]] std::size_t partial_items() const noexcept { return m_partials.size(); }
  [[nodiscard]] std::size_t buffered_bytes() const noexcept { return m_buffered; }

 private:
  struct Partial {
    std::uint64_t arrival = 0;
    Bytes bytes;
    std::vector<bool> have;
    std::size_t have_count = 0;
  };
  enum class ChunkOutcome { pending, completed, duplicate, dropped };
  ChunkOutcome apply(const FetchChunk& chunk, FetchProgress& progress);
  bool make_room(std::size_t item_length);
  void remember(std::uint64_t sequence);

  mix::sphinx::Geometry m_geometry;
  ReassemblerLimits m_limits;
  std::map<std::uint64_t, Partial> m_partials;
  std::size_t m_buffered = 0;
  std::uint64_t m_arrivals = 0;
  std::set<std::uint64_t> m_done;
  std::deque<std::uint64_t> m_done_order;
};

}  // namespace tenebra::router::provider
