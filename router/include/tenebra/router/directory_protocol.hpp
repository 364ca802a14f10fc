// The directory protocol codec (docs/directory.md §9): the requests a node or
// an authority sends to an authority (PUT_DESCRIPTOR, GET_TOPOLOGY, GET_VOTE,
// GET_SIGNATURE), the responses (OK, TOPOLOGY, VOTE, SIGNATURE, ERROR), the
// signed vote an authority publishes for an epoch, and the signature share
// authorities swap to assemble a document.
//
// Every decoder is strict and canonical: each length and count is checked
// against the caps of directory_protocol_constants.hpp before anything is
// allocated, unknown versions, types and codes are refused, trailing bytes
// are refused, and a decoder that accepts bytes B re-encodes them to exactly
// B. Decoders check no signature; verify_vote and the authority logic do.
// Encoders take bodies only (version || type || fields); the u32 length
// prefix of the stream is added by frame_message. Pure functions, safe from
// any thread.
#pragma once

#include <array>
#include <cstdint>
#include <variant>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/router/descriptor.hpp"
#include "tenebra/router/directory_protocol_constants.hpp"
#include "tenebra/router/topology.hpp"

namespace tenebra::router::directory {

using BodyHash = std::array<std::uint8_t, kBodyHashBytes>;

// One authority's signed view of the nodes that uploaded for `epoch`:
// providers and mixes only, sorted by identity (strictly, so one per node),
// every descriptor for `epoch`.
struct Vote {
  IdentityKey voter{};
  Epoch epoch = 0;
  std::vector<Descriptor> descriptors;
  Signature signature{};  // Sign(voter, VOTE || vote_body)
  bool operator==(const Vote&) const = default;
};

// An authority's signature over its document body of `epoch`, with the
// body's hash so the receiver can tell whether they agree before verifying.
struct SignatureShare {
  IdentityKey signer{};
  Epoch epoch = 0;
  BodyHash body_hash{};
  Signature signature{};  // Sign(signer, TOPOLOGY || body)
  bool operator==(const SignatureShare&) const = default;
};

struct PutDescriptor {
  Descriptor descriptor;
  bool operator==(const PutDescriptor&) const = default;
};
struct GetTopology {
  Epoch epoch = 0;
  bool operator==(const GetTopology&) const = default;
};
struct GetVote {
  Epoch epoch = 0;
  bool operator==(const GetVote&) const = default;
};
struct GetSignature {
  Epoch epoch = 0;
  bool operator==(const GetSignature&) const = default;
};
using DirectoryRequest = std::variant<PutDescriptor, GetTopology, GetVote, GetSignature>;

struct OkResponse {
  bool operator==(const OkResponse&) const = default;
};
struct TopologyResponse {
  Topology document;  // canonical; whether to trust it is topology_accept.hpp's call
  bool operator==(const TopologyResponse&) const = default;
};
struct VoteResponse {
  Vote vote;
  bool operator==(const VoteResponse&) const = default;
};
struct SignatureResponse {
  SignatureShare share;
  bool operator==(const SignatureResponse&) const = default;
};
struct ErrorResponse {
  DirectoryErrorCode code = DirectoryErrorCode::bad_request;
  bool operator==(const ErrorResponse&) const = default;
};
using DirectoryResponse = std::variant<OkResponse, TopologyResponse, VoteResponse, SignatureResponse, ErrorResponse>;

const char* message_type_name(MessageType type) noexcept;
const char* directory_error_name(DirectoryErrorCode code) noexcept;

// BLAKE2b-256 (unkeyed, no personalisation) of a document body.
BodyHash body_hash(ByteView body);

// voter || epoch || count || count x (u16 length || descriptor): what the
// voter signs after the VOTE label.
Bytes vote_body(const Vote& vote);
// vote_body || signature. `vote` must pass check_vote_fields.
Bytes encode_vote(const Vote& vote);
[[nodiscard]] Result<Vote> decode_vote(ByteView encoded);
// Every rule of §9.3 except signatures: counts within caps, sorted by
// identity, providers and mixes only, every descriptor for the vote's epoch.
[[nodiscard]] Status check_vote_fields(const Vote& vote);
// Sets voter and signature from `key`; the descriptors must already be sorted.
[[nodiscard]] Result<Vote> sign_vote(Vote vote, const IdentityKeyPair& key);
// The voter's signature and every descriptor's self-signature (Errc::crypto).
[[nodiscard]] Status verify_vote(const Vote& vote);

// Bodies (version || type || fields); the request must pass its field checks
// (a descriptor that passes check_descriptor_fields, a document that passes
// check_topology_body and check_signature_order, a vote check_vote_fields).
Bytes encode_request(const DirectoryRequest& request);
Bytes encode_response(const DirectoryResponse& response);
[[nodiscard]] Result<DirectoryRequest> decode_request(ByteView body);
[[nodiscard]] Result<DirectoryResponse> decode_response(ByteView body);

// u32 BE length || body, for a body of 1 .. kMaxDirectoryMessageBytes.
[[nodiscard]] Result<Bytes> frame_message(ByteView body);
// The length a prefix announces, refused (Errc::malformed) outside 1 .. `cap`.
[[nodiscard]] Result<std::size_t> parse_length_prefix(std::span<const std::uint8_t, kMessageLengthBytes> prefix,
                                                      std::size_t cap);

// Whether `response` is an answer `request` may get (its own kind or ERROR).
[[nodiscard]] bool response_fits(const DirectoryRequest& request, const DirectoryResponse& response) noexcept;

}  // namespace tenebra::router::directory
