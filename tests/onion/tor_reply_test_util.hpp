// Builds a tor::Reply from control-port text, for tests.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "tenebra/onion/tor_control_reply.hpp"

namespace tenebra::onion::tor::test {

inline Reply reply_from(std::string_view text) {
  ReplyParser parser;
  auto status = parser.feed(text);
  EXPECT_TRUE(status.ok()) << status.error().message;
  auto reply = parser.next_reply();
  if (!reply) reply = parser.next_event();
  EXPECT_TRUE(reply.has_value()) << "no complete reply in test text";
  return reply.value_or(Reply{});
}

}  // namespace tenebra::onion::tor::test
