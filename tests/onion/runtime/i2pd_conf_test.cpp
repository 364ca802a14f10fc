#include "tenebra/onion/i2pd_conf.hpp"

#include <gtest/gtest.h>

#include <string>

#include "onion/i2p_test_vectors.hpp"
#include "tenebra/onion/i2p_destination.hpp"
#include "tenebra/onion/i2p_files.hpp"

namespace tenebra::onion {
namespace {

I2pdConfOptions base_options() {
  I2pdConfOptions options;
  options.data_dir = "/var/lib/tenebra/i2pd";
  options.sam_port = 7656;
  return options;
}

I2pdConfOptions testnet_options() {
  auto options = base_options();
  options.testnet = I2pTestnetOptions{};
  options.testnet->address = "198.18.0.5";
  options.testnet->ntcp2_port = 12005;
  options.testnet->seed_router_infos = {"/tmp/net/r1/router.info"};
  return options;
}

bool contains_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(I2pdConf, RendersTheFixedSettings) {
  auto text = render_i2pd_conf(base_options());
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_TRUE(contains_line(*text, "logfile = /var/lib/tenebra/i2pd/i2pd.log"));
  EXPECT_TRUE(contains_line(*text, "loglevel = warn"));
  EXPECT_TRUE(contains_line(*text, "daemon = false"));
  EXPECT_TRUE(contains_line(*text, "[sam]\nenabled = true\naddress = 127.0.0.1\nport = 7656"));
  EXPECT_TRUE(contains_line(*text, "[http]\nenabled = false"));
  EXPECT_TRUE(contains_line(*text, "[httpproxy]\nenabled = false"));
  EXPECT_TRUE(contains_line(*text, "[socksproxy]\nenabled = false"));
  EXPECT_TRUE(contains_line(*text, "[i2pcontrol]\nenabled = false"));
  EXPECT_TRUE(contains_line(*text, "[addressbook]\nenabled = true"));
  EXPECT_EQ(text->find("netid"), std::string::npos);
  EXPECT_EQ(text->find("host ="), std::string::npos);
}

TEST(I2pdConf, TestnetLines) {
  auto text = render_i2pd_conf(testnet_options());
  ASSERT_TRUE(text.ok()) << text.error().message;
  for (const char* line : {"netid = 77", "host = 198.18.0.5", "address4 = 198.18.0.5", "port = 12005", "nat = false",
                           "floodfill = false", "[ssu2]\nenabled = false", "[ntcp2]\nenabled = true\npublished = true",
                           "urls =", "[nettime]\nenabled = false", "[persist]\nprofiles = false"}) {
    EXPECT_TRUE(contains_line(*text, line)) << line;
  }
  // The main section comes before the first [section].
  EXPECT_LT(text->find("netid"), text->find('['));
}

TEST(I2pdConf, RefusesBadValues) {
  auto options = base_options();
  options.data_dir = "relative/dir";
  EXPECT_EQ(render_i2pd_conf(options).error().code, Errc::invalid_argument);
  for (const char* dir : {"/var/lib/x\ny", "/var/lib/x\ry", "/var/lib/x y", "/var/lib/x#y", "/var/lib/x=y", ""}) {
    options.data_dir = dir;
    EXPECT_EQ(render_i2pd_conf(options).error().code, Errc::invalid_argument) << dir;
    EXPECT_FALSE(i2pd_arguments(options).ok());
  }
  options = base_options();
  options.sam_port = 1;
  EXPECT_EQ(render_i2pd_conf(options).error().code, Errc::invalid_argument);
  options = base_options();
  options.log_level = "info\nhttp.enabled = true";
  EXPECT_EQ(render_i2pd_conf(options).error().code, Errc::invalid_argument);

  for (const char* address : {"127.0.0.1", "192.0.2.1", "10.0.0.1", "198.20.0.1", "198.18.0.1 ", "::1", "x"}) {
    auto testnet = testnet_options();
    testnet.testnet->address = address;
    EXPECT_EQ(render_i2pd_conf(testnet).error().code, Errc::invalid_argument) << address;
  }
  auto testnet = testnet_options();
  testnet.testnet->address = "198.19.255.254";
  EXPECT_TRUE(render_i2pd_conf(testnet).ok());
  testnet.testnet->netid = 2;
  EXPECT_FALSE(render_i2pd_conf(testnet).ok());
  testnet = testnet_options();
  testnet.testnet->ntcp2_port = 0;
  EXPECT_FALSE(render_i2pd_conf(testnet).ok());
  testnet = testnet_options();
  testnet.testnet->seed_router_infos = {"router.info"};
  EXPECT_FALSE(render_i2pd_conf(testnet).ok());
}

TEST(I2pdConf, Arguments) {
  auto args = i2pd_arguments(base_options());
  ASSERT_TRUE(args.ok());
  const std::vector<std::string> expected = {"--datadir=/var/lib/tenebra/i2pd",
                                             "--conf=/var/lib/tenebra/i2pd/i2pd.conf",
                                             "--tunconf=/var/lib/tenebra/i2pd/tunnels.conf",
                                             "--tunnelsdir=/var/lib/tenebra/i2pd/tunnels.d",
                                             "--certsdir=/usr/share/i2pd/certificates",
                                             "--pidfile=/var/lib/tenebra/i2pd/i2pd.pid"};
  EXPECT_EQ(*args, expected);
}

TEST(I2pFiles, PublicOfPrivate) {
  auto pub = sam::public_of_private(sam::test::kPriv);
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(*pub, sam::test::kPub);
  EXPECT_FALSE(sam::public_of_private(sam::test::kPub).ok());
  EXPECT_FALSE(sam::public_of_private("").ok());
  EXPECT_FALSE(sam::public_of_private("not base64!").ok());
}

TEST(I2pFiles, NetdbFileName) {
  auto identity = sam::decode_i2p_base64(sam::test::kPub);
  ASSERT_TRUE(identity.ok());
  Bytes router_info = *identity;
  router_info.resize(router_info.size() + 100, 0x42);
  auto name = sam::netdb_file_name(router_info);
  ASSERT_TRUE(name.ok()) << name.error().message;
  // r<c>/routerInfo-<44 chars of base64 SHA-256>.dat
  ASSERT_EQ(name->size(), 2 + 1 + 11 + 44 + 4);
  EXPECT_EQ(name->substr(0, 1), "r");
  EXPECT_EQ((*name)[1], (*name)[14]);
  EXPECT_EQ(name->substr(2, 12), "/routerInfo-");
  EXPECT_TRUE(name->ends_with("=.dat"));
  EXPECT_EQ(sam::netdb_file_name(*identity).error().code, Errc::malformed);  // identity only
  EXPECT_EQ(sam::netdb_file_name(ByteView(*identity).first(300)).error().code, Errc::malformed);
  Bytes huge(sam::kMaxRouterInfoBytes + 1, 0);
  EXPECT_EQ(sam::netdb_file_name(huge).error().code, Errc::malformed);
}

}  // namespace
}  // namespace tenebra::onion
