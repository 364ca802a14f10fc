// libsodium initialisation. Call once from main (or a test fixture) before
// any other Tenebra function; safe to call again from any thread.
#pragma once

#include "tenebra/core/result.hpp"

namespace tenebra {

Status init_sodium();

}  // namespace tenebra
