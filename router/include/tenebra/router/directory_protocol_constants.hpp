// Directory protocol wire constants (docs/directory.md §9 and §10): message
// framing and caps, message and error codes, the vote signature domain and
// the schedule fractions. Every size the directory protocol codec and the
// directory service check comes from here, derived from the document caps in
// directory_constants.hpp so that the largest legal document always fits and
// nothing larger is ever allocated.
// Thread-safety: constants only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "tenebra/router/directory_constants.hpp"

namespace tenebra::router::directory {

inline constexpr std::uint8_t kDirectoryProtocolVersion = 0x01;  // first byte of every message body

// Message types: requests have the high bit clear, responses set.
enum class MessageType : std::uint8_t {
  put_descriptor = 0x01,
  get_topology = 0x02,
  get_vote = 0x03,
  get_signature = 0x04,
  ok = 0x81,
  topology = 0x82,
  vote = 0x83,
  signature = 0x84,
  error = 0x85,
};

// The code an ERROR response carries.
enum class DirectoryErrorCode : std::uint8_t {
  bad_request = 0x01,  // the request did not decode; the connection closes
  refused = 0x02,      // understood but not accepted (bad signature, wrong epoch, not admitted, cap)
  not_ready = 0x03,    // not yet: the vote is not frozen or the document has too few signatures
  not_found = 0x04,    // the epoch is over or forgotten
  busy = 0x05,         // the authority is overloaded; try later
};

inline constexpr std::size_t kMessageLengthBytes = 4;  // u32 BE length prefix
inline constexpr std::size_t kMessageHeaderBytes = 2;  // version || type
inline constexpr std::size_t kEpochFieldBytes = 8;     // u64 BE
inline constexpr std::size_t kBodyHashBytes = 32;      // BLAKE2b-256 of a document body
inline constexpr std::size_t kEntryLengthBytes = 2;    // u16 BE before each descriptor in a list

// A vote lists at most every node one document can hold.
inline constexpr std::size_t kMaxVoteDescriptors = kMaxProviders + kMixLayers * kMaxMixesPerLayer;
inline constexpr std::size_t kMaxVoteBytes = kIdentityKeyBytes + kEpochFieldBytes + 2 +
                                             kMaxVoteDescriptors * (kEntryLengthBytes + kMaxDescriptorBytes) +
                                             kSignatureBytes;

// The largest document the codec of topology.hpp accepts (docs/directory.md §4).
inline constexpr std::size_t kTopologyFixedHeaderBytes = 1 + 1 + 8 + 8 + 4 + 1 + 4 + 5 * 4;
inline constexpr std::size_t kMaxTopologyBytes =
    kTopologyFixedHeaderBytes + kMaxNetworkIdBytes + (std::size_t{1} + kMixLayers) * 2 +
    (kMaxProviders + kMixLayers * kMaxMixesPerLayer) * (kEntryLengthBytes + kMaxDescriptorBytes) + 1 +
    kMaxAuthorities * (kIdentityKeyBytes + kSignatureBytes);

// The largest message body of either direction: a TOPOLOGY response with a
// maximal document. A length prefix above it is refused before allocating.
inline constexpr std::size_t kMaxDirectoryMessageBytes =
    kMessageHeaderBytes + (kMaxTopologyBytes > kMaxVoteBytes ? kMaxTopologyBytes : kMaxVoteBytes);
// The largest request body (PUT_DESCRIPTOR): an authority reads no more.
inline constexpr std::size_t kMaxDirectoryRequestBytes = kMessageHeaderBytes + kMaxDescriptorBytes;
static_assert(kMaxTopologyBytes == 287'320 && kMaxDirectoryMessageBytes == 287'322);
static_assert(kMaxDirectoryMessageBytes <= 0xFFFF'FFFF);

// Request/response exchanges one connection may carry before the authority closes it.
inline constexpr std::size_t kMaxExchangesPerConnection = 8;

inline constexpr DomainLabel kVoteSignatureDomain = make_domain_label("tenebra/directory/vote/v1");

}  // namespace tenebra::router::directory
