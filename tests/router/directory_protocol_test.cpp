// The directory protocol codec: every request and response round-trips and
// is canonical, votes sign and verify, strict decoding refuses truncation,
// trailing bytes, unknown versions, types and codes, and the message cap
// fits the largest document exactly.
#include "tenebra/router/directory_protocol.hpp"

#include <gtest/gtest.h>

#include "directory_vectors_fixtures.hpp"

namespace tenebra::router::directory {
namespace {

constexpr Epoch kEpoch = 5;

std::vector<Descriptor> nodes_of(const Topology& t) {
  std::vector<Descriptor> all = t.providers;
  for (const auto& layer : t.layers) all.insert(all.end(), layer.begin(), layer.end());
  testing::sort_by_identity(all);
  return all;
}

Vote signed_vote() {
  Vote vote;
  vote.epoch = kEpoch;
  vote.descriptors = nodes_of(testing::make_topology(kEpoch));
  return sign_vote(std::move(vote), testing::authorities(1)[0]).value();
}

Topology signed_topology() {
  Topology t = testing::make_topology(kEpoch);
  testing::sign_by(t, testing::authorities(3), 2);
  return t;
}

std::vector<DirectoryRequest> all_requests() {
  return {PutDescriptor{testing::make_node(Role::mix, 2, 0x40, 1, kEpoch)}, GetTopology{kEpoch}, GetVote{1},
          GetSignature{~Epoch{0}}};
}

std::vector<DirectoryResponse> all_responses() {
  SignatureShare share{testing::authorities(1)[0].public_key, kEpoch, body_hash(as_bytes("body")), {}};
  share.signature.fill(0x5A);
  return {OkResponse{}, TopologyResponse{signed_topology()}, VoteResponse{signed_vote()}, SignatureResponse{share},
          ErrorResponse{DirectoryErrorCode::not_ready}};
}

TEST(DirectoryProtocol, RequestsRoundTripCanonically) {
  for (const auto& request : all_requests()) {
    const Bytes body = encode_request(request);
    auto decoded = decode_request(body);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, request);
    EXPECT_EQ(encode_request(*decoded), body);
    EXPECT_FALSE(decode_response(body).ok()) << "a request is not a response";
  }
}

TEST(DirectoryProtocol, ResponsesRoundTripCanonically) {
  for (const auto& response : all_responses()) {
    const Bytes body = encode_response(response);
    auto decoded = decode_response(body);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, response);
    EXPECT_EQ(encode_response(*decoded), body);
    EXPECT_FALSE(decode_request(body).ok()) << "a response is not a request";
  }
}

TEST(DirectoryProtocol, ExactLayoutOfSmallMessages) {
  EXPECT_EQ(to_hex(kVoteSignatureDomain), "74656e656272612f6469726563746f72792f766f74652f763100000000000000");
  EXPECT_EQ(to_hex(encode_request(GetVote{0x0102030405060708})), "01030102030405060708");
  EXPECT_EQ(to_hex(encode_request(GetTopology{1})), "01020000000000000001");
  EXPECT_EQ(to_hex(encode_response(OkResponse{})), "0181");
  EXPECT_EQ(to_hex(encode_response(ErrorResponse{DirectoryErrorCode::busy})), "018505");
  EXPECT_EQ(encode_response(all_responses()[3]).size(), 2u + 32 + 8 + 32 + 64);
}

TEST(DirectoryProtocol, EveryTruncationAndTrailingByteIsRefused) {
  std::vector<Bytes> bodies;
  for (const auto& r : all_requests()) bodies.push_back(encode_request(r));
  for (const auto& r : all_responses()) bodies.push_back(encode_response(r));
  for (const Bytes& body : bodies) {
    const bool is_request = body[1] < 0x80;
    auto decodes = [&](ByteView bytes) {
      return is_request ? decode_request(bytes).ok() : decode_response(bytes).ok();
    };
    ASSERT_TRUE(decodes(body));
    // OK is complete at 2 bytes; every other message needs more.
    for (std::size_t n = 0; n < body.size(); ++n) EXPECT_FALSE(decodes(ByteView(body).first(n))) << n;
    Bytes longer = body;
    longer.push_back(0);
    EXPECT_FALSE(decodes(longer)) << "trailing byte after type " << int(body[1]);
  }
}

TEST(DirectoryProtocol, UnknownVersionTypeAndErrorCodeAreRefused) {
  Bytes body = encode_request(GetVote{3});
  body[0] = 0x02;
  EXPECT_EQ(decode_request(body).error().code, Errc::unsupported);
  EXPECT_EQ(decode_request(Bytes{0x01, 0x05, 0, 0, 0, 0, 0, 0, 0, 0}).error().code, Errc::unsupported);
  EXPECT_EQ(decode_response(Bytes{0x01, 0x86}).error().code, Errc::unsupported);
  EXPECT_FALSE(decode_response(Bytes{0x01, 0x85, 0x00}).ok());
  EXPECT_FALSE(decode_response(Bytes{0x01, 0x85, 0x06}).ok());
  EXPECT_TRUE(decode_response(Bytes{0x01, 0x85, 0x01}).ok());
}

TEST(DirectoryProtocol, OversizedRequestIsRefusedBeforeDecoding) {
  Bytes body = encode_request(all_requests()[0]);
  body.resize(kMaxDirectoryRequestBytes + 1, 0);
  EXPECT_FALSE(decode_request(body).ok());
}

TEST(DirectoryProtocol, VoteSignsVerifiesAndDetectsTampering) {
  const Vote vote = signed_vote();
  EXPECT_TRUE(verify_vote(vote).ok());
  const Bytes encoded = encode_vote(vote);
  EXPECT_EQ(decode_vote(encoded).value(), vote);

  Vote forged = vote;
  forged.epoch = kEpoch + 1;
  for (auto& d : forged.descriptors) d.epoch = kEpoch + 1;
  EXPECT_EQ(verify_vote(forged).error().code, Errc::crypto);

  Vote other_voter = vote;
  other_voter.voter = testing::authorities(2)[1].public_key;
  EXPECT_EQ(verify_vote(other_voter).error().code, Errc::crypto);

  // A descriptor whose self-signature is broken, re-signed by the voter.
  Vote bad_node = vote;
  bad_node.descriptors[0].signature[3] ^= 1;
  bad_node = sign_vote(bad_node, testing::authorities(1)[0]).value();
  EXPECT_EQ(verify_vote(bad_node).error().code, Errc::crypto);
}

TEST(DirectoryProtocol, VoteFieldRulesAreEnforced) {
  const Vote good = signed_vote();
  auto refused = [&](auto&& mutate) {
    Vote v = good;
    mutate(v);
    return !check_vote_fields(v).ok() && !decode_vote(encode_vote(v)).ok();
  };
  EXPECT_TRUE(refused([](Vote& v) { std::swap(v.descriptors[0], v.descriptors[1]); }));
  EXPECT_TRUE(refused([](Vote& v) { v.descriptors[1] = v.descriptors[0]; }));
  EXPECT_TRUE(refused([](Vote& v) { v.descriptors[0].epoch = kEpoch + 1; }));
  EXPECT_TRUE(refused([](Vote& v) { v.descriptors = {testing::make_node(Role::authority, 0, 0x70, 0, kEpoch)}; }));
  Vote empty = good;
  empty.descriptors.clear();
  EXPECT_TRUE(decode_vote(encode_vote(empty)).ok()) << "an authority may have nothing to vote for";
}

TEST(DirectoryProtocol, LengthPrefixBounds) {
  const std::array<std::uint8_t, 4> zero{0, 0, 0, 0};
  const std::array<std::uint8_t, 4> one{0, 0, 0, 1};
  const std::array<std::uint8_t, 4> huge{0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_FALSE(parse_length_prefix(zero, kMaxDirectoryMessageBytes).ok());
  EXPECT_EQ(parse_length_prefix(one, kMaxDirectoryMessageBytes).value(), 1u);
  EXPECT_FALSE(parse_length_prefix(huge, kMaxDirectoryMessageBytes).ok());
  std::array<std::uint8_t, 4> at_cap{};
  store_u32_be(at_cap, static_cast<std::uint32_t>(kMaxDirectoryRequestBytes));
  EXPECT_TRUE(parse_length_prefix(at_cap, kMaxDirectoryRequestBytes).ok());
  store_u32_be(at_cap, static_cast<std::uint32_t>(kMaxDirectoryRequestBytes + 1));
  EXPECT_FALSE(parse_length_prefix(at_cap, kMaxDirectoryRequestBytes).ok());

  EXPECT_FALSE(frame_message(Bytes{}).ok());
  EXPECT_FALSE(frame_message(Bytes(kMaxDirectoryMessageBytes + 1)).ok());
  EXPECT_EQ(to_hex(frame_message(Bytes{0x01, 0x81}).value()), "000000020181");
}

TEST(DirectoryProtocol, ResponseKindMustFitTheRequest) {
  EXPECT_TRUE(response_fits(GetVote{1}, VoteResponse{}));
  EXPECT_TRUE(response_fits(GetVote{1}, ErrorResponse{}));
  EXPECT_FALSE(response_fits(GetVote{1}, TopologyResponse{}));
  EXPECT_FALSE(response_fits(PutDescriptor{}, SignatureResponse{}));
  EXPECT_TRUE(response_fits(GetSignature{1}, SignatureResponse{}));
}

// A descriptor with an address of the longest legal length (68 bytes) and an
// identity from a seed unique to (list, index).
Descriptor long_node(Role role, std::uint8_t layer, std::uint8_t list, std::uint8_t index) {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = list;
  seed[1] = index;
  seed[2] = 0xD1;
  Descriptor d;
  d.role = role;
  d.layer = layer;
  d.transport = TransportKind::onion;
  d.address = std::string(testing::kOnionHosts[0]) + ":65535";
  d.epoch = kEpoch;
  d.sphinx_current.fill(0x11);
  d.sphinx_next.fill(0x22);
  return sign_descriptor(d, IdentityKeyPair::from_seed(seed)).value();
}

TEST(DirectoryProtocol, TheLargestDocumentFitsTheMessageCap) {
  Topology t = testing::make_topology(kEpoch, 1);
  t.network_id = std::string(kMaxNetworkIdBytes, 'n');
  t.providers.clear();
  for (std::size_t i = 0; i < kMaxProviders; ++i) {
    t.providers.push_back(long_node(Role::provider, 0, 0, static_cast<std::uint8_t>(i)));
  }
  testing::sort_by_identity(t.providers);
  for (std::uint8_t k = 1; k <= kMixLayers; ++k) {
    auto& layer = t.layers[k - 1];
    layer.clear();
    for (std::size_t i = 0; i < kMaxMixesPerLayer; ++i)
      layer.push_back(long_node(Role::mix, k, k, static_cast<std::uint8_t>(i)));
    testing::sort_by_identity(layer);
  }
  std::vector<IdentityKeyPair> keys;
  for (std::uint8_t i = 0; i < kMaxAuthorities; ++i) keys.push_back(testing::identity(0xA0, i));
  testing::sign_by(t, keys, kMaxAuthorities);

  const Bytes body = encode_response(TopologyResponse{t});
  // Each descriptor is 4 bytes short of the codec's address cap (72).
  const std::size_t slack = (kMaxProviders + kMixLayers * kMaxMixesPerLayer) * (kMaxAddressBytes - 68);
  EXPECT_EQ(body.size() + slack, kMaxDirectoryMessageBytes);
  ASSERT_TRUE(frame_message(body).ok());
  auto decoded = decode_response(body);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(std::get<TopologyResponse>(*decoded).document, t);
}

}  // namespace
}  // namespace tenebra::router::directory
