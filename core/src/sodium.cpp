#include "tenebra/core/sodium.hpp"

#include <sodium.h>

namespace tenebra {

Status init_sodium() {
  if (sodium_init() < 0) return make_error(Errc::internal, "libsodium failed to initialise");
  return {};
}

}  // namespace tenebra
