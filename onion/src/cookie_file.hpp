// Reads tor's control_auth_cookie: a regular file of exactly 32 bytes,
// opened without following a symlink in its last component. The read
// buffer is wiped. Internal to onion/; blocking, safe from any thread.
#pragma once

#include <string>

#include "tenebra/onion/safecookie.hpp"

namespace tenebra::onion::tor::detail {

[[nodiscard]] Result<Cookie> read_cookie_file(const std::string& path);

}  // namespace tenebra::onion::tor::detail
