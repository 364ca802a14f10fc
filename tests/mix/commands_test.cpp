#include "tenebra/mix/commands.hpp"

#include <gtest/gtest.h>

namespace tenebra::mix::sphinx {
namespace {

Command round_trip(const Command& command) {
  const auto encoded = encode_command(command);
  auto decoded = decode_command(encoded);
  EXPECT_TRUE(decoded.ok()) << decoded.error().message;
  return *decoded;
}

TEST(Commands, RoundTripEveryType) {
  RelayCommand relay;
  relay.next_hop.fill(0xab);
  relay.delay = Delay(0xfffffffe);
  EXPECT_EQ(std::get<RelayCommand>(round_trip(relay)), relay);

  DeliverCommand deliver;
  deliver.mailbox.fill(0x11);
  EXPECT_EQ(std::get<DeliverCommand>(round_trip(deliver)), deliver);

  SurbReplyCommand reply;
  reply.mailbox.fill(0x22);
  reply.surb_id.fill(0x33);
  EXPECT_EQ(std::get<SurbReplyCommand>(round_trip(reply)), reply);
}

TEST(Commands, EncodingIsFixedSizeAndVersioned) {
  const auto encoded = encode_command(DeliverCommand{});
  EXPECT_EQ(encoded.size(), kCommandBytes);
  EXPECT_EQ(encoded[0], kCommandVersion);
  EXPECT_EQ(encoded[1], static_cast<std::uint8_t>(CommandType::deliver));
}

TEST(Commands, KnownEncoding) {
  RelayCommand relay;
  for (std::size_t i = 0; i < relay.next_hop.size(); ++i) relay.next_hop[i] = static_cast<std::uint8_t>(i);
  relay.delay = Delay(0x01020304);
  EXPECT_EQ(to_hex(encode_command(relay)),
            "0101"
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
            "01020304"
            "000000000000000000000000");
}

TEST(Commands, RejectsUnknownVersionTypeAndDirtyPadding) {
  auto encoded = encode_command(RelayCommand{});
  auto bad_version = encoded;
  bad_version[0] = 0x02;
  EXPECT_EQ(decode_command(bad_version).error().code, Errc::unsupported);

  auto bad_type = encoded;
  bad_type[1] = 0x7f;
  EXPECT_EQ(decode_command(bad_type).error().code, Errc::unsupported);
  bad_type[1] = 0x00;
  EXPECT_EQ(decode_command(bad_type).error().code, Errc::unsupported);

  auto dirty_relay = encoded;
  dirty_relay.back() = 1;
  EXPECT_EQ(decode_command(dirty_relay).error().code, Errc::malformed);

  auto dirty_deliver = encode_command(DeliverCommand{});
  dirty_deliver[2 + kMailboxIdBytes] = 1;
  EXPECT_EQ(decode_command(dirty_deliver).error().code, Errc::malformed);
}

TEST(Commands, RejectsWrongLength) {
  const auto encoded = encode_command(DeliverCommand{});
  EXPECT_FALSE(decode_command(ByteView(encoded).first(kCommandBytes - 1)).ok());
  EXPECT_FALSE(decode_command(ByteView{}).ok());
}

}  // namespace
}  // namespace tenebra::mix::sphinx
