// Readers of the I2P files Tenebra reads back from disk: the persisted
// private destination of a node (<data_dir>/i2p_destination.key, the PRIV
// text SAM returned) and the router.info files of a private test network
// that seed a new node's netDb. Both are checked before use: lengths and
// certificates by i2p_destination.hpp, sizes against the caps below.
// Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"

namespace tenebra::onion::sam {

inline constexpr std::size_t kMaxRouterInfoBytes = std::size_t{64} * 1024;

// The public destination (base64) at the start of a checked private
// destination (base64). Decoded key bytes are wiped.
[[nodiscard]] Result<std::string> public_of_private(std::string_view private_destination);

// "r<c>/routerInfo-<I2P base64 of SHA-256(router identity)>.dat", the path
// inside netDb/ where i2pd looks for this router.info (c is the first
// character of the hash). Errc::malformed for anything that does not start
// with a well-formed identity, or is larger than kMaxRouterInfoBytes.
[[nodiscard]] Result<std::string> netdb_file_name(ByteView router_info);

}  // namespace tenebra::onion::sam
