#include "tenebra/onion/tor_control_commands.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tenebra/onion/tor_control_fields.hpp"

namespace tenebra::onion::tor {
namespace {

constexpr std::string_view kServiceA = "fylpbpl4sualxbyvqc57io7f267mihuhd4zdeaqlucyyexebnn6pjsad";

template <typename T>
Errc code_of(const Result<T>& result) {
  return result.ok() ? Errc::internal : result.error().code;
}

TEST(TorCommands, FixedCommands) {
  EXPECT_EQ(protocolinfo_command(), "PROTOCOLINFO 1\r\n");
  EXPECT_EQ(takeownership_command(), "TAKEOWNERSHIP\r\n");
  EXPECT_EQ(reset_owning_controller_command(), "RESETCONF __OwningControllerProcess\r\n");
  EXPECT_EQ(signal_newnym_command(), "SIGNAL NEWNYM\r\n");
}

TEST(TorCommands, Getinfo) {
  const std::vector<std::string> keys{"version", "status/bootstrap-phase", "net/listeners/socks"};
  EXPECT_EQ(*getinfo_command(keys), "GETINFO version status/bootstrap-phase net/listeners/socks\r\n");
  EXPECT_EQ(code_of(getinfo_command(std::vector<std::string>{})), Errc::invalid_argument);
  EXPECT_EQ(code_of(getinfo_command(std::vector<std::string>{"a\r\nSIGNAL HALT"})), Errc::invalid_argument);
  EXPECT_EQ(code_of(getinfo_command(std::vector<std::string>{"a b"})), Errc::invalid_argument);
  EXPECT_EQ(code_of(getinfo_command(std::vector<std::string>{""})), Errc::invalid_argument);
}

TEST(TorCommands, SetconfQuotesValues) {
  const std::vector<ConfigSetting> settings{{"DisableNetwork", "0"}, {"Log", "notice file /a b/\"x\".log\r\nHALT"}};
  auto line = setconf_command(settings);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "SETCONF DisableNetwork=\"0\" Log=\"notice file /a b/\\\"x\\\".log\\r\\nHALT\"\r\n");
  EXPECT_EQ(line->find('\n'), line->size() - 1);  // one line only
  EXPECT_EQ(code_of(setconf_command(std::vector<ConfigSetting>{{"Bad Key", "1"}})), Errc::invalid_argument);
  EXPECT_EQ(code_of(setconf_command(std::vector<ConfigSetting>{})), Errc::invalid_argument);
}

TEST(TorCommands, Setevents) {
  EXPECT_EQ(*setevents_command(std::vector<std::string>{"STATUS_CLIENT", "HS_DESC"}),
            "SETEVENTS STATUS_CLIENT HS_DESC\r\n");
  EXPECT_EQ(*setevents_command(std::vector<std::string>{}), "SETEVENTS\r\n");  // clears subscriptions
  EXPECT_EQ(code_of(setevents_command(std::vector<std::string>{"hs_desc"})), Errc::invalid_argument);
}

TEST(TorCommands, AddOnionNewKey) {
  const std::vector<OnionPort> ports{{80, "127.0.0.1:5410"}};
  EXPECT_EQ(*add_onion_command(nullptr, true, ports),
            "ADD_ONION NEW:ED25519-V3 Flags=DiscardPK Port=80,127.0.0.1:5410\r\n");
  EXPECT_EQ(*add_onion_command(nullptr, false, ports), "ADD_ONION NEW:ED25519-V3 Port=80,127.0.0.1:5410\r\n");
}

TEST(TorCommands, AddOnionSuppliedKey) {
  std::array<std::uint8_t, 64> raw{};
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::uint8_t>(i * 3 + 9);
  const SecretArray<64> key(raw);
  const std::vector<OnionPort> ports{{80, "127.0.0.1:5410"}, {443, "unix:/run/tenebra/link.sock"}};
  // Key text made with python3 base64.b64encode(bytes((i*3+9)%256 for i in range(64))).
  EXPECT_EQ(
      *add_onion_command(&key, true, ports),  // DiscardPK is for new keys only
      "ADD_ONION ED25519-V3:CQwPEhUYGx4hJCcqLTAzNjk8P0JFSEtOUVRXWl1gY2ZpbG9ydXh7foGEh4qNkJOWmZyfoqWoq66xtLe6vcDDxg== "
      "Port=80,127.0.0.1:5410 Port=443,unix:/run/tenebra/link.sock\r\n");
}

TEST(TorCommands, AddOnionRefusesBadPorts) {
  EXPECT_EQ(code_of(add_onion_command(nullptr, true, std::vector<OnionPort>{})), Errc::invalid_argument);
  EXPECT_EQ(code_of(add_onion_command(nullptr, true, std::vector<OnionPort>{{0, "127.0.0.1:1"}})),
            Errc::invalid_argument);
  EXPECT_EQ(code_of(add_onion_command(nullptr, true, std::vector<OnionPort>{{80, "1.2.3.4:5 Flags=Detach"}})),
            Errc::invalid_argument);
  EXPECT_EQ(code_of(add_onion_command(nullptr, true, std::vector<OnionPort>{{80, ""}})), Errc::invalid_argument);
}

TEST(TorCommands, DelOnion) {
  EXPECT_EQ(*del_onion_command(kServiceA), "DEL_ONION " + std::string(kServiceA) + "\r\n");
  EXPECT_EQ(code_of(del_onion_command("abc")), Errc::invalid_argument);
  EXPECT_EQ(code_of(del_onion_command(std::string(kServiceA) + "\r\nSIGNAL HALT")), Errc::invalid_argument);
  EXPECT_EQ(*hsfetch_command(kServiceA), "HSFETCH " + std::string(kServiceA) + "\r\n");
  EXPECT_EQ(code_of(hsfetch_command("abc")), Errc::invalid_argument);
  EXPECT_EQ(code_of(hsfetch_command(std::string(kServiceA) + "\r\nSIGNAL HALT")), Errc::invalid_argument);
}

}  // namespace
}  // namespace tenebra::onion::tor
