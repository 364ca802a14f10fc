#include "tenebra/onion/tor_control_events.hpp"

#include <gtest/gtest.h>

#include "tor_reply_test_util.hpp"

namespace tenebra::onion::tor {
namespace {

using test::reply_from;

constexpr std::string_view kServiceA = "fylpbpl4sualxbyvqc57io7f267mihuhd4zdeaqlucyyexebnn6pjsad";

template <typename T>
Errc code_of(const Result<T>& result) {
  return result.ok() ? Errc::internal : result.error().code;
}

TEST(TorEvents, EventName) {
  EXPECT_EQ(event_name(reply_from("650 HS_DESC CREATED x\r\n")), "HS_DESC");
  EXPECT_EQ(event_name(reply_from("650 CIRC 1 BUILT\r\n")), "CIRC");
  EXPECT_EQ(event_name(reply_from("250 OK\r\n")), "");
}

TEST(TorBootstrap, GetinfoValue) {
  auto phase = parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\"");
  ASSERT_TRUE(phase.ok()) << phase.error().message;
  EXPECT_EQ(phase->severity, Severity::notice);
  EXPECT_EQ(phase->progress, 100);
  EXPECT_EQ(phase->tag, "done");
  EXPECT_EQ(phase->summary, "Done");
  EXPECT_FALSE(phase->warning.has_value());
}

TEST(TorBootstrap, WarnWithReason) {
  auto phase = parse_bootstrap_phase(
      "WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY=\"Connecting to a relay\" WARNING=\"Connection refused\" "
      "REASON=CONNECTREFUSED COUNT=3 RECOMMENDATION=ignore HOSTID=\"X\" HOSTADDR=\"127.0.0.1:5100\"");
  ASSERT_TRUE(phase.ok()) << phase.error().message;
  EXPECT_EQ(phase->severity, Severity::warn);
  EXPECT_EQ(phase->progress, 5);
  EXPECT_EQ(*phase->warning, "Connection refused");
  EXPECT_EQ(*phase->reason, "CONNECTREFUSED");
  EXPECT_EQ(*phase->recommendation, "ignore");
}

TEST(TorBootstrap, ProgressRange) {
  EXPECT_TRUE(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=0 TAG=starting SUMMARY=\"Starting\"").ok());
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=101 TAG=x SUMMARY=\"\"")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=-1 TAG=x SUMMARY=\"\"")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS= TAG=x SUMMARY=\"\"")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=0100 TAG=x SUMMARY=\"\"")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=5x TAG=x SUMMARY=\"\"")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=99999999999 TAG=x SUMMARY=\"\"")),
            Errc::malformed);
}

TEST(TorBootstrap, MissingOrBadFields) {
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP TAG=x SUMMARY=\"\"")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=1 SUMMARY=\"\"")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=1 TAG=x")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE BOOTSTRAP PROGRESS=1 TAG=a/b SUMMARY=\"\"")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("LOUD BOOTSTRAP PROGRESS=1 TAG=x SUMMARY=\"\"")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("NOTICE CIRCUIT_ESTABLISHED")), Errc::malformed);
  EXPECT_EQ(code_of(parse_bootstrap_phase("")), Errc::malformed);
}

TEST(TorStatusClient, BootstrapEvent) {
  auto event = parse_status_client(
      reply_from("650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY=\"Connecting to a relay\"\r\n"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event->action, "BOOTSTRAP");
  ASSERT_TRUE(event->bootstrap.has_value());
  EXPECT_EQ(event->bootstrap->progress, 5);
  EXPECT_EQ(event->bootstrap->summary, "Connecting to a relay");
}

TEST(TorStatusClient, OtherActionsCarryNoPhase) {
  auto event = parse_status_client(reply_from("650 STATUS_CLIENT NOTICE CIRCUIT_ESTABLISHED\r\n"));
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->action, "CIRCUIT_ESTABLISHED");
  EXPECT_FALSE(event->bootstrap.has_value());
  // Arguments of actions Tenebra does not read are not parsed, so odd ones pass.
  auto odd = parse_status_client(reply_from("650 STATUS_CLIENT WARN DANGEROUS_SOCKS PROTOCOL=\"x ADDRESS=y\r\n"));
  EXPECT_TRUE(odd.ok());
}

TEST(TorStatusClient, Rejections) {
  EXPECT_EQ(code_of(parse_status_client(reply_from("650 STATUS_GENERAL NOTICE X\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_status_client(reply_from("650 STATUS_CLIENT\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_status_client(reply_from("650 STATUS_CLIENT NOTICE\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_status_client(reply_from("650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=200 TAG=x "
                                                   "SUMMARY=\"\"\r\n"))),
            Errc::malformed);
  EXPECT_EQ(code_of(parse_status_client(reply_from("250 STATUS_CLIENT NOTICE X\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_status_client(reply_from("650-STATUS_CLIENT NOTICE X\r\n650 OK\r\n"))), Errc::malformed);
}

TEST(TorHsDesc, UploadedFromTranscript) {
  auto event =
      parse_hs_desc(reply_from("650 HS_DESC UPLOADED " + std::string(kServiceA) + " UNKNOWN $F699CE0250BA~relay1\r\n"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event->action, HsDescAction::uploaded);
  EXPECT_EQ(event->address, kServiceA);
  EXPECT_EQ(event->auth_type, "UNKNOWN");
  EXPECT_EQ(event->hs_dir, "$F699CE0250BA~relay1");
  EXPECT_FALSE(event->descriptor_id.has_value());
}

TEST(TorHsDesc, UploadWithDescriptorAndIndex) {
  auto event = parse_hs_desc(reply_from("650 HS_DESC UPLOAD " + std::string(kServiceA) +
                                        " UNKNOWN $E64C182516FD~relay3 bfQ1rpxuBH/s HSDIR_INDEX=B60955EA\r\n"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event->action, HsDescAction::upload);
  EXPECT_EQ(*event->descriptor_id, "bfQ1rpxuBH/s");
}

TEST(TorHsDesc, FailedWithReasonAndUnknownAddress) {
  auto event = parse_hs_desc(reply_from("650 HS_DESC FAILED UNKNOWN NO_AUTH UNKNOWN REASON=NOT_FOUND\r\n"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event->action, HsDescAction::failed);
  EXPECT_TRUE(event->address.empty());
  EXPECT_EQ(*event->reason, "NOT_FOUND");
}

TEST(TorHsDesc, Rejections) {
  EXPECT_EQ(code_of(parse_hs_desc(reply_from("650 HS_DESC UPLOADED " + std::string(kServiceA) + "\r\n"))),
            Errc::malformed);
  EXPECT_EQ(code_of(parse_hs_desc(reply_from("650 HS_DESC UPLOADED notanaddress UNKNOWN x\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_hs_desc(reply_from("650 HS_DESC TELEPORTED UNKNOWN UNKNOWN x\r\n"))), Errc::unsupported);
  EXPECT_EQ(code_of(parse_hs_desc(reply_from("650 HS_DESC_CONTENT x y z w\r\n"))), Errc::malformed);
  EXPECT_EQ(code_of(parse_hs_desc(reply_from("650 HS_DESC FAILED UNKNOWN NO_AUTH UNKNOWN REASON=\"x\r\n"))),
            Errc::malformed);
}

}  // namespace
}  // namespace tenebra::onion::tor
