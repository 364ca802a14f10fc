#include "tenebra/router/directory_protocol.hpp"

#include <sodium.h>

#include <algorithm>

#include "descriptor_signing.hpp"

namespace tenebra::router::directory {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> to_array(ByteView in) {
  std::array<std::uint8_t, N> out{};
  std::copy_n(in.begin(), N, out.begin());
  return out;
}

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Bytes header(MessageType type) {
  return Bytes{kDirectoryProtocolVersion, static_cast<std::uint8_t>(type)};
}

Bytes epoch_message(MessageType type, Epoch epoch) {
  Bytes out = header(type);
  ByteWriter(out).u64_be(epoch);
  return out;
}

bool is_known_error(std::uint8_t code) noexcept {
  return code >= static_cast<std::uint8_t>(DirectoryErrorCode::bad_request) &&
         code <= static_cast<std::uint8_t>(DirectoryErrorCode::busy);
}

// Counts per list against the document caps, so every vote fits a document.
Status check_vote_counts(const std::vector<Descriptor>& descriptors) {
  std::size_t providers = 0;
  std::array<std::size_t, kMixLayers> mixes{};
  for (const auto& d : descriptors) {
    if (d.role == Role::provider) {
      ++providers;
    } else if (d.role == Role::mix && d.layer >= 1 && d.layer <= kMixLayers) {
      ++mixes[d.layer - 1];
    } else {
      return make_error(Errc::malformed, "a vote lists only providers and mixes");
    }
  }
  if (providers > kMaxProviders) return make_error(Errc::malformed, "a vote lists too many providers");
  for (const std::size_t count : mixes) {
    if (count > kMaxMixesPerLayer) return make_error(Errc::malformed, "a vote lists too many mixes in one layer");
  }
  return {};
}

Result<Epoch> take_epoch_only(ByteReader& r) {
  auto epoch = r.u64_be();
  if (!epoch) return make_error(Errc::malformed, "directory message is truncated");
  if (!r.at_end()) return make_error(Errc::malformed, "directory message has trailing bytes");
  return *epoch;
}

Result<SignatureShare> take_share(ByteReader& r) {
  auto signer = r.take(kIdentityKeyBytes);
  auto epoch = r.u64_be();
  auto hash = r.take(kBodyHashBytes);
  auto signature = r.take(kSignatureBytes);
  if (!signer || !epoch || !hash || !signature) return make_error(Errc::malformed, "SIGNATURE is truncated");
  if (!r.at_end()) return make_error(Errc::malformed, "SIGNATURE has trailing bytes");
  return SignatureShare{to_array<kIdentityKeyBytes>(*signer), *epoch, to_array<kBodyHashBytes>(*hash),
                        to_array<kSignatureBytes>(*signature)};
}

// Version and type; the type is returned unchecked against the direction.
Result<MessageType> take_header(ByteReader& r) {
  auto version = r.u8();
  auto type = r.u8();
  if (!version || !type) return make_error(Errc::malformed, "directory message is shorter than its header");
  if (*version != kDirectoryProtocolVersion) return make_error(Errc::unsupported, "unknown directory protocol version");
  return static_cast<MessageType>(*type);
}

}  // namespace

const char* message_type_name(MessageType type) noexcept {
  switch (type) {
    case MessageType::put_descriptor:
      return "PUT_DESCRIPTOR";
    case MessageType::get_topology:
      return "GET_TOPOLOGY";
    case MessageType::get_vote:
      return "GET_VOTE";
    case MessageType::get_signature:
      return "GET_SIGNATURE";
    case MessageType::ok:
      return "OK";
    case MessageType::topology:
      return "TOPOLOGY";
    case MessageType::vote:
      return "VOTE";
    case MessageType::signature:
      return "SIGNATURE";
    case MessageType::error:
      return "ERROR";
  }
  return "unknown";
}

const char* directory_error_name(DirectoryErrorCode code) noexcept {
  switch (code) {
    case DirectoryErrorCode::bad_request:
      return "bad_request";
    case DirectoryErrorCode::refused:
      return "refused";
    case DirectoryErrorCode::not_ready:
      return "not_ready";
    case DirectoryErrorCode::not_found:
      return "not_found";
    case DirectoryErrorCode::busy:
      return "busy";
  }
  return "unknown";
}

BodyHash body_hash(ByteView body) {
  BodyHash out{};
  crypto_generichash_blake2b(out.data(), out.size(), body.data(), body.size(), nullptr, 0);
  return out;
}

Status check_vote_fields(const Vote& vote) {
  if (vote.descriptors.size() > kMaxVoteDescriptors) return make_error(Errc::malformed, "a vote lists too many nodes");
  for (std::size_t i = 0; i < vote.descriptors.size(); ++i) {
    const Descriptor& d = vote.descriptors[i];
    if (auto fields = check_descriptor_fields(d); !fields) {
      return make_error(fields.error().code, "vote entry " + std::to_string(i) + ": " + fields.error().message);
    }
    if (d.epoch != vote.epoch) return make_error(Errc::malformed, "a vote holds a descriptor of another epoch");
    if (i > 0 && !(vote.descriptors[i - 1].identity < d.identity)) {
      return make_error(Errc::malformed, "a vote is not sorted by identity or lists a node twice");
    }
  }
  return check_vote_counts(vote.descriptors);
}

Bytes vote_body(const Vote& vote) {
  Bytes out;
  ByteWriter w(out);
  w.bytes(vote.voter);
  w.u64_be(vote.epoch);
  w.u16_be(static_cast<std::uint16_t>(vote.descriptors.size()));
  for (const auto& d : vote.descriptors) {
    const Bytes encoded = encode_descriptor(d);
    w.u16_be(static_cast<std::uint16_t>(encoded.size()));
    w.bytes(encoded);
  }
  return out;
}

Bytes encode_vote(const Vote& vote) {
  Bytes out = vote_body(vote);
  ByteWriter(out).bytes(vote.signature);
  return out;
}

Result<Vote> decode_vote(ByteView encoded) {
  if (encoded.size() > kMaxVoteBytes) return make_error(Errc::malformed, "vote is over the size cap");
  ByteReader r(encoded);
  Vote vote;
  auto voter = r.take(kIdentityKeyBytes);
  auto epoch = r.u64_be();
  auto count = r.u16_be();
  if (!voter || !epoch || !count) return make_error(Errc::malformed, "vote is truncated");
  if (*count > kMaxVoteDescriptors) return make_error(Errc::malformed, "a vote lists too many nodes");
  vote.voter = to_array<kIdentityKeyBytes>(*voter);
  vote.epoch = *epoch;
  vote.descriptors.reserve(*count);
  for (std::size_t i = 0; i < *count; ++i) {
    auto length = r.u16_be();
    if (!length) return make_error(Errc::malformed, "vote is truncated");
    if (*length > kMaxDescriptorBytes) return make_error(Errc::malformed, "vote entry is over the size cap");
    auto bytes = r.take(*length);
    if (!bytes) return make_error(Errc::malformed, "vote is truncated");
    auto descriptor = decode_descriptor(*bytes);
    if (!descriptor) return std::move(descriptor).error();
    vote.descriptors.push_back(std::move(*descriptor));
  }
  auto signature = r.take(kSignatureBytes);
  if (!signature) return make_error(Errc::malformed, "vote is truncated");
  if (!r.at_end()) return make_error(Errc::malformed, "vote has trailing bytes");
  vote.signature = to_array<kSignatureBytes>(*signature);
  if (auto fields = check_vote_fields(vote); !fields) return std::move(fields).error();
  return vote;
}

Result<Vote> sign_vote(Vote vote, const IdentityKeyPair& key) {
  vote.voter = key.public_key;
  if (auto fields = check_vote_fields(vote); !fields) return std::move(fields).error();
  vote.signature = detail::sign_with_domain(kVoteSignatureDomain, vote_body(vote), key);
  return vote;
}

Status verify_vote(const Vote& vote) {
  if (auto fields = check_vote_fields(vote); !fields) return fields;
  if (!detail::verify_with_domain(kVoteSignatureDomain, vote_body(vote), vote.signature, vote.voter)) {
    return make_error(Errc::crypto, "vote signature does not verify");
  }
  for (const auto& d : vote.descriptors) {
    if (auto self_signed = verify_descriptor(d); !self_signed) {
      return make_error(Errc::crypto, "a vote lists a descriptor whose self-signature does not verify");
    }
  }
  return {};
}

Bytes encode_request(const DirectoryRequest& request) {
  return std::visit(Overloaded{
                        [](const PutDescriptor& put) {
                          Bytes out = header(MessageType::put_descriptor);
                          ByteWriter(out).bytes(encode_descriptor(put.descriptor));
                          return out;
                        },
                        [](const GetTopology& get) { return epoch_message(MessageType::get_topology, get.epoch); },
                        [](const GetVote& get) { return epoch_message(MessageType::get_vote, get.epoch); },
                        [](const GetSignature& get) { return epoch_message(MessageType::get_signature, get.epoch); },
                    },
                    request);
}

Bytes encode_response(const DirectoryResponse& response) {
  return std::visit(Overloaded{
                        [](const OkResponse&) { return header(MessageType::ok); },
                        [](const TopologyResponse& topology) {
                          Bytes out = header(MessageType::topology);
                          ByteWriter(out).bytes(encode_topology(topology.document));
                          return out;
                        },
                        [](const VoteResponse& vote) {
                          Bytes out = header(MessageType::vote);
                          ByteWriter(out).bytes(encode_vote(vote.vote));
                          return out;
                        },
                        [](const SignatureResponse& signature) {
                          Bytes out = header(MessageType::signature);
                          ByteWriter w(out);
                          w.bytes(signature.share.signer);
                          w.u64_be(signature.share.epoch);
                          w.bytes(signature.share.body_hash);
                          w.bytes(signature.share.signature);
                          return out;
                        },
                        [](const ErrorResponse& error) {
                          Bytes out = header(MessageType::error);
                          out.push_back(static_cast<std::uint8_t>(error.code));
                          return out;
                        },
                    },
                    response);
}

Result<DirectoryRequest> decode_request(ByteView body) {
  if (body.size() > kMaxDirectoryRequestBytes) return make_error(Errc::malformed, "directory request is over its cap");
  ByteReader r(body);
  auto type = take_header(r);
  if (!type) return std::move(type).error();
  switch (*type) {
    case MessageType::put_descriptor: {
      auto descriptor = decode_descriptor(r.rest());
      if (!descriptor) return std::move(descriptor).error();
      return DirectoryRequest(PutDescriptor{std::move(*descriptor)});
    }
    case MessageType::get_topology:
    case MessageType::get_vote:
    case MessageType::get_signature: {
      auto epoch = take_epoch_only(r);
      if (!epoch) return std::move(epoch).error();
      if (*type == MessageType::get_topology) return DirectoryRequest(GetTopology{*epoch});
      if (*type == MessageType::get_vote) return DirectoryRequest(GetVote{*epoch});
      return DirectoryRequest(GetSignature{*epoch});
    }
    default:
      return make_error(Errc::unsupported, "unknown directory request type");
  }
}

Result<DirectoryResponse> decode_response(ByteView body) {
  if (body.size() > kMaxDirectoryMessageBytes) return make_error(Errc::malformed, "directory response is over its cap");
  ByteReader r(body);
  auto type = take_header(r);
  if (!type) return std::move(type).error();
  switch (*type) {
    case MessageType::ok:
      if (!r.at_end()) return make_error(Errc::malformed, "OK has trailing bytes");
      return DirectoryResponse(OkResponse{});
    case MessageType::topology: {
      auto document = decode_topology(r.rest());
      if (!document) return std::move(document).error();
      return DirectoryResponse(TopologyResponse{std::move(*document)});
    }
    case MessageType::vote: {
      auto vote = decode_vote(r.rest());
      if (!vote) return std::move(vote).error();
      return DirectoryResponse(VoteResponse{std::move(*vote)});
    }
    case MessageType::signature: {
      auto share = take_share(r);
      if (!share) return std::move(share).error();
      return DirectoryResponse(SignatureResponse{*share});
    }
    case MessageType::error: {
      auto code = r.u8();
      if (!code) return make_error(Errc::malformed, "ERROR is truncated");
      if (!r.at_end()) return make_error(Errc::malformed, "ERROR has trailing bytes");
      if (!is_known_error(*code)) return make_error(Errc::unsupported, "unknown directory error code");
      return DirectoryResponse(ErrorResponse{static_cast<DirectoryErrorCode>(*code)});
    }
    default:
      return make_error(Errc::unsupported, "unknown directory response type");
  }
}

Result<Bytes> frame_message(ByteView body) {
  if (body.empty() || body.size() > kMaxDirectoryMessageBytes) {
    return make_error(Errc::invalid_argument,
                      "directory message body must be 1.." + std::to_string(kMaxDirectoryMessageBytes) + " bytes");
  }
  Bytes out;
  out.reserve(kMessageLengthBytes + body.size());
  ByteWriter w(out);
  w.u32_be(static_cast<std::uint32_t>(body.size()));
  w.bytes(body);
  return out;
}

Result<std::size_t> parse_length_prefix(std::span<const std::uint8_t, kMessageLengthBytes> prefix, std::size_t cap) {
  const std::uint32_t length = load_u32_be(prefix);
  if (length == 0 || length > cap) {
    return make_error(Errc::malformed,
                      "directory message length " + std::to_string(length) + " is outside 1.." + std::to_string(cap));
  }
  return static_cast<std::size_t>(length);
}

bool response_fits(const DirectoryRequest& request, const DirectoryResponse& response) noexcept {
  if (std::holds_alternative<ErrorResponse>(response)) return true;
  switch (request.index()) {
    case 0:
      return std::holds_alternative<OkResponse>(response);
    case 1:
      return std::holds_alternative<TopologyResponse>(response);
    case 2:
      return std::holds_alternative<VoteResponse>(response);
    case 3:
      return std::holds_alternative<SignatureResponse>(response);
    default:
      return false;
  }
}

}  // namespace tenebra::router::directory
