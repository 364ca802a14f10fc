#include "tenebra/onion/sam_request.hpp"

#include <algorithm>

#include "tenebra/onion/i2p_destination.hpp"
#include "tenebra/onion/sam_constants.hpp"

namespace tenebra::onion::sam {
namespace {

constexpr std::string_view kHostSuffix = ".i2p";

Error invalid(const char* problem) {
  return make_error(Errc::invalid_argument, std::string("SAM request: ") + problem);
}

bool is_id_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool is_host_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

Status check_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxSessionIdBytes || !std::all_of(id.begin(), id.end(), is_id_char)) {
    return invalid("session id must be 1 to 64 characters of [A-Za-z0-9_-]");
  }
  return {};
}

bool is_host_name(std::string_view name) noexcept {
  return name.size() > kHostSuffix.size() && name.size() <= kMaxHostNameBytes &&
         name.substr(name.size() - kHostSuffix.size()) == kHostSuffix &&
         std::all_of(name.begin(), name.end(), is_host_char);
}

bool in_range(int value, int low, int high) noexcept {
  return value >= low && value <= high;
}

}  // namespace

std::string build_hello() {
  return "HELLO VERSION MIN=" + std::string(kVersion) + " MAX=" + std::string(kVersion) + "\n";
}

std::string build_dest_generate() {
  return "DEST GENERATE SIGNATURE_TYPE=" + std::to_string(kSignatureTypeEd25519) + "\n";
}

Result<std::string> build_session_create(std::string_view id, std::string_view private_destination,
                                         const TunnelOptions& options) {
  if (auto status = check_id(id); !status) return std::move(status).error();
  if (private_destination != "TRANSIENT" && !check_private_destination(private_destination)) {
    return invalid("DESTINATION is neither TRANSIENT nor a private destination");
  }
  if (!in_range(options.inbound_length, 0, kMaxTunnelLength) ||
      !in_range(options.outbound_length, 0, kMaxTunnelLength)) {
    return invalid("tunnel length must be 0 to 7 hops");
  }
  if (!in_range(options.inbound_quantity, 1, kMaxTunnelQuantity) ||
      !in_range(options.outbound_quantity, 1, kMaxTunnelQuantity)) {
    return invalid("tunnel quantity must be 1 to 16");
  }
  std::string line = "SESSION CREATE STYLE=STREAM ID=";
  line.append(id);
  line.append(" DESTINATION=");
  line.append(private_destination);
  line.append(" SIGNATURE_TYPE=" + std::to_string(kSignatureTypeEd25519));
  line.append(" i2cp.leaseSetEncType=" + std::string(kLeaseSetEncTypes));
  line.append(" inbound.length=" + std::to_string(options.inbound_length));
  line.append(" outbound.length=" + std::to_string(options.outbound_length));
  line.append(" inbound.quantity=" + std::to_string(options.inbound_quantity));
  line.append(" outbound.quantity=" + std::to_string(options.outbound_quantity));
  line.push_back('\n');
  return line;
}

Result<std::string> build_stream_connect(std::string_view id, std::string_view destination) {
  if (auto status = check_id(id); !status) return std::move(status).error();
  if (!is_host_name(destination) && !check_public_destination(destination)) {
    return invalid("DESTINATION is neither a public destination nor a .i2p host name");
  }
  return "STREAM CONNECT ID=" + std::string(id) + " DESTINATION=" + std::string(destination) + " SILENT=false\n";
}

Result<std::string> build_stream_accept(std::string_view id) {
  if (auto status = check_id(id); !status) return std::move(status).error();
  return "STREAM ACCEPT ID=" + std::string(id) + " SILENT=false\n";
}

Result<std::string> build_naming_lookup(std::string_view name) {
  if (name != "ME" && !is_host_name(name)) return invalid("NAME is neither ME nor a .i2p host name");
  return "NAMING LOOKUP NAME=" + std::string(name) + "\n";
}

}  // namespace tenebra::onion::sam
