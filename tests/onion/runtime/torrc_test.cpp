#include "tenebra/onion/torrc.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tenebra::onion {
namespace {

TorrcOptions base_options() {
  TorrcOptions options;
  options.data_dir = "/var/lib/tenebra/tor";
  options.owning_pid = 4242;
  return options;
}

bool contains_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(Torrc, RendersTheFixedSettings) {
  auto text = render_torrc(base_options());
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_TRUE(contains_line(*text, "DataDirectory /var/lib/tenebra/tor"));
  EXPECT_TRUE(contains_line(*text, "ControlSocket /var/lib/tenebra/tor/control"));
  EXPECT_TRUE(contains_line(*text, "CookieAuthentication 1"));
  EXPECT_TRUE(contains_line(*text, "SocksPort unix:/var/lib/tenebra/tor/socks IsolateSOCKSAuth ExtendedErrors"));
  EXPECT_TRUE(contains_line(*text, "DisableNetwork 1"));
  EXPECT_TRUE(contains_line(*text, "__OwningControllerProcess 4242"));
  EXPECT_TRUE(contains_line(*text, "Log notice file /var/lib/tenebra/tor/notice.log"));
  EXPECT_TRUE(contains_line(*text, "SafeLogging 1"));
  EXPECT_EQ(text->find("UseBridges"), std::string::npos);
  EXPECT_EQ(text->find("ControlPort"), std::string::npos);
}

TEST(Torrc, TcpSocksPortIsLoopbackOnly) {
  auto options = base_options();
  options.socks_tcp_port = 19050;
  options.safe_logging = false;
  auto text = render_torrc(options);
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(contains_line(*text, "SocksPort 127.0.0.1:19050 IsolateSOCKSAuth ExtendedErrors"));
  EXPECT_TRUE(contains_line(*text, "SafeLogging 0"));
  options.socks_tcp_port = 0;
  EXPECT_EQ(render_torrc(options).error().code, Errc::invalid_argument);
}

TEST(Torrc, TestnetLinesAreCopiedCommentsSkipped) {
  auto options = base_options();
  options.testnet_lines = {"# tornet: lines", "", "TestingTorNetwork 1",
                           "DirAuthority auth0 orport=5100 no-v2 v3ident=AB 127.0.0.1:5200 CD"};
  auto text = render_torrc(options);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_TRUE(contains_line(*text, "TestingTorNetwork 1"));
  EXPECT_TRUE(contains_line(*text, "DirAuthority auth0 orport=5100 no-v2 v3ident=AB 127.0.0.1:5200 CD"));
  EXPECT_EQ(text->find("# tornet"), std::string::npos);
}

TEST(Torrc, Bridges) {
  auto options = base_options();
  options.obfs4_bridges = {"obfs4 127.0.0.1:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=abc iat-mode=0"};
  options.snowflake_bridges = {"snowflake 192.0.2.3:80 2B280B23E1107BB62ABFC40DDCC8824814F80A72 fingerprint=X"};
  auto text = render_torrc(options);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_TRUE(contains_line(*text, "UseBridges 1"));
  EXPECT_TRUE(contains_line(*text, "ClientTransportPlugin obfs4 exec /usr/bin/obfs4proxy"));
  EXPECT_TRUE(contains_line(*text, "ClientTransportPlugin snowflake exec /usr/bin/snowflake-client"));
  EXPECT_TRUE(contains_line(*text, "Bridge " + options.obfs4_bridges[0]));
  EXPECT_TRUE(contains_line(*text, "Bridge " + options.snowflake_bridges[0]));
}

TEST(Torrc, RefusesBadPathsAndPids) {
  auto options = base_options();
  options.data_dir = "relative/tor";
  EXPECT_EQ(render_torrc(options).error().code, Errc::invalid_argument);
  options.data_dir = "/tmp/with space";
  EXPECT_EQ(render_torrc(options).error().code, Errc::invalid_argument);
  options.data_dir = "/" + std::string(120, 'a');  // control socket path too long for sun_path
  EXPECT_EQ(render_torrc(options).error().code, Errc::invalid_argument);
  options = base_options();
  options.owning_pid = 0;
  EXPECT_EQ(render_torrc(options).error().code, Errc::invalid_argument);
  options = base_options();
  options.obfs4_bridges = {"obfs4 127.0.0.1:443 FP"};
  options.obfs4proxy_path = "obfs4proxy";
  EXPECT_EQ(render_torrc(options).error().code, Errc::invalid_argument);
}

TEST(Torrc, RefusesInjectionAttempts) {
  const std::string nul_line("TestingTorNetwork 1\0ControlPort 9051", 36);
  const std::vector<std::string> bad_testnet = {
      "TestingTorNetwork 1\nControlPort 0.0.0.0:9051",
      "TestingTorNetwork 1\rControlPort 9051",
      nul_line,
      " TestingTorNetwork 1",
      "TestingTorNetwork 1 ",
      "ControlPort 0.0.0.0:9051",
      "SocksPort 0.0.0.0:9050",
      "HiddenServiceDir /tmp/x",
      "Log debug stdout",
  };
  for (const auto& line : bad_testnet) {
    auto options = base_options();
    options.testnet_lines = {line};
    auto text = render_torrc(options);
    ASSERT_FALSE(text.ok()) << "accepted: " << line;
    EXPECT_EQ(text.error().code, Errc::invalid_argument);
  }
  const std::vector<std::string> bad_bridges = {"obfs4 1.2.3.4:443 FP\nControlPort 9051",
                                                "snowflake 1.2.3.4:80 FP",
                                                "obfs4",
                                                "obfs4 ",
                                                " obfs4 1.2.3.4:1 FP",
                                                "obfs4 1.2.3.4:1 FP\t"};
  for (const auto& bridge : bad_bridges) {
    auto options = base_options();
    options.obfs4_bridges = {bridge};
    auto text = render_torrc(options);
    ASSERT_FALSE(text.ok()) << "accepted bridge: " << bridge;
    EXPECT_EQ(text.error().code, Errc::invalid_argument);
  }
  auto options = base_options();
  options.data_dir = "/tmp/tor\n/ControlPort";
  EXPECT_EQ(render_torrc(options).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace tenebra::onion
