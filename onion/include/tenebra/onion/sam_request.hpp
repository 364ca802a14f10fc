// SAM v3 request lines Tenebra sends to i2pd's bridge. i2pd 2.45 splits
// requests at spaces and does not understand quoting, so instead of quoting
// these builders refuse any value that could break the line or add a field
// (spaces, quotes, '=', control characters): session ids are
// [A-Za-z0-9_-]{1,64}, destinations are checked I2P base64, host names are
// [A-Za-z0-9.-] ending in ".i2p", tunnel settings are range-checked.
//
// Lines carrying a private destination (SESSION CREATE) are secret: the
// caller wipes them after sending. Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "tenebra/core/result.hpp"

namespace tenebra::onion::sam {

struct TunnelOptions {
  int inbound_length = 3;     // hops, 0..7
  int outbound_length = 3;    // hops, 0..7
  int inbound_quantity = 2;   // tunnels, 1..16
  int outbound_quantity = 2;  // tunnels, 1..16
};

// "HELLO VERSION MIN=3.1 MAX=3.1\n"
[[nodiscard]] std::string build_hello();
// "DEST GENERATE SIGNATURE_TYPE=7\n"
[[nodiscard]] std::string build_dest_generate();

// SESSION CREATE STYLE=STREAM for `id` with a private destination (or the
// keyword TRANSIENT), Ed25519 signatures, ECIES-X25519 lease sets and
// explicit tunnel settings (i2pd's defaults are old key types and 3 hops).
[[nodiscard]] Result<std::string> build_session_create(std::string_view id, std::string_view private_destination,
                                                       const TunnelOptions& options);

// STREAM CONNECT to a public destination or a ".i2p" host name.
[[nodiscard]] Result<std::string> build_stream_connect(std::string_view id, std::string_view destination);

// STREAM ACCEPT on session `id`.
[[nodiscard]] Result<std::string> build_stream_accept(std::string_view id);

// NAMING LOOKUP of a ".i2p" host name or "ME".
[[nodiscard]] Result<std::string> build_naming_lookup(std::string_view name);

}  // namespace tenebra::onion::sam
