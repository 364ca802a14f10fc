#include <gtest/gtest.h>

#include <cstdio>

#include "tenebra/core/sodium.hpp"

int main(int argc, char** argv) {
  if (!tenebra::init_sodium()) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    return 1;
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
