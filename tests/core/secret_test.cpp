#include "tenebra/core/secret.hpp"

#include <gtest/gtest.h>

#include "tenebra/core/bytes.hpp"

namespace tenebra {
namespace {

TEST(SecretArray, MovedFromIsWiped) {
  SecretArray<16> a;
  a.span()[0] = 0x42;
  a.span()[15] = 0x17;
  SecretArray<16> b(std::move(a));
  EXPECT_EQ(b.view()[0], 0x42);
  EXPECT_TRUE(is_all_zero(a.view()));  // NOLINT(bugprone-use-after-move): checking the wipe
}

TEST(SecretArray, EqualsComparesContents) {
  SecretArray<8> a;
  a.span()[3] = 9;
  SecretArray<8> b = a.clone();
  EXPECT_TRUE(a.equals(b));
  b.span()[7] = 1;
  EXPECT_FALSE(a.equals(b));
}

TEST(SecretArray, WipeZeroes) {
  SecretArray<32> a;
  a.span()[31] = 0xff;
  a.wipe();
  EXPECT_TRUE(is_all_zero(a.view()));
}

TEST(WipeOnExit, ZeroesRegionAtScopeEnd) {
  std::uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  { WipeOnExit guard(buf); }
  EXPECT_TRUE(is_all_zero(buf));
}

}  // namespace
}  // namespace tenebra
