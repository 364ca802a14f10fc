#include <benchmark/benchmark.h>

#include <cstdio>

#include "tenebra/core/sodium.hpp"

int main(int argc, char** argv) {
  if (!tenebra::init_sodium()) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
