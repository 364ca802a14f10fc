#include "tenebra/onion/sam_request.hpp"

#include <gtest/gtest.h>

#include "i2p_test_vectors.hpp"
#include "tenebra/onion/sam_reply.hpp"

namespace tenebra::onion::sam {
namespace {

using test::kB32;
using test::kPriv;
using test::kPub;

template <typename T>
Errc code_of(const Result<T>& result) {
  return result.ok() ? Errc::internal : result.error().code;
}

TEST(SamRequest, FixedLines) {
  EXPECT_EQ(build_hello(), "HELLO VERSION MIN=3.1 MAX=3.1\n");
  EXPECT_EQ(build_dest_generate(), "DEST GENERATE SIGNATURE_TYPE=7\n");
}

TEST(SamRequest, SessionCreate) {
  TunnelOptions options;
  options.inbound_length = 1;
  options.outbound_length = 0;
  auto line = build_session_create("astream", kPriv, options);
  ASSERT_TRUE(line.ok()) << line.error().message;
  EXPECT_EQ(*line, "SESSION CREATE STYLE=STREAM ID=astream DESTINATION=" + std::string(kPriv) +
                       " SIGNATURE_TYPE=7 i2cp.leaseSetEncType=4,0 inbound.length=1 outbound.length=0"
                       " inbound.quantity=2 outbound.quantity=2\n");
  // The line reads back as exactly the fields it was built from.
  auto parsed = parse_reply(*line);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->fields.size(), 9U);
  EXPECT_TRUE(build_session_create("t-1_x", "TRANSIENT", TunnelOptions{}).ok());
}

TEST(SamRequest, SessionCreateRefusesInjection) {
  const TunnelOptions options;
  EXPECT_EQ(code_of(build_session_create("a b", kPriv, options)), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_session_create("a\n", kPriv, options)), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_session_create("a=b", kPriv, options)), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_session_create("a\"", kPriv, options)), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_session_create("", kPriv, options)), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_session_create(std::string(65, 'a'), kPriv, options)), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_session_create("a", kPub, options)), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_session_create("a", std::string(kPriv) + " STYLE=RAW", options)), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_session_create("a", "transient", options)), Errc::invalid_argument);
}

TEST(SamRequest, SessionCreateTunnelRanges) {
  auto with = [](int in_len, int out_len, int in_qty, int out_qty) {
    return build_session_create("a", "TRANSIENT", TunnelOptions{in_len, out_len, in_qty, out_qty});
  };
  EXPECT_TRUE(with(0, 7, 1, 16).ok());
  EXPECT_EQ(code_of(with(-1, 3, 2, 2)), Errc::invalid_argument);
  EXPECT_EQ(code_of(with(3, 8, 2, 2)), Errc::invalid_argument);
  EXPECT_EQ(code_of(with(3, 3, 0, 2)), Errc::invalid_argument);
  EXPECT_EQ(code_of(with(3, 3, 2, 17)), Errc::invalid_argument);
}

TEST(SamRequest, StreamConnect) {
  auto line = build_stream_connect("astream", kPub);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "STREAM CONNECT ID=astream DESTINATION=" + std::string(kPub) + " SILENT=false\n");
  auto by_name = build_stream_connect("astream", kB32);
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(*by_name, "STREAM CONNECT ID=astream DESTINATION=" + std::string(kB32) + " SILENT=false\n");
}

TEST(SamRequest, StreamConnectRefusesBadDestinations) {
  EXPECT_EQ(code_of(build_stream_connect("a", kPriv)), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_stream_connect("a", "x.onion")), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_stream_connect("a", ".i2p")), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_stream_connect("a", "x.i2p SILENT=true")), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_stream_connect("a", "x\n.i2p")), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_stream_connect("a", std::string(252, 'a') + ".i2p")), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_stream_connect("a b", kPub)), Errc::invalid_argument);
}

TEST(SamRequest, StreamAccept) {
  EXPECT_EQ(*build_stream_accept("bstream"), "STREAM ACCEPT ID=bstream SILENT=false\n");
  EXPECT_EQ(code_of(build_stream_accept("b stream")), Errc::invalid_argument);
}

TEST(SamRequest, NamingLookup) {
  EXPECT_EQ(*build_naming_lookup("ME"), "NAMING LOOKUP NAME=ME\n");
  EXPECT_EQ(*build_naming_lookup("Example.i2p"), "NAMING LOOKUP NAME=Example.i2p\n");
  EXPECT_EQ(code_of(build_naming_lookup("me")), Errc::invalid_argument);
  EXPECT_EQ(code_of(build_naming_lookup("x.i2p\nHELLO")), Errc::invalid_argument);
}

}  // namespace
}  // namespace tenebra::onion::sam
