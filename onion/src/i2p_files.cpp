#include "tenebra/onion/i2p_files.hpp"

#include <sodium.h>

#include "tenebra/onion/i2p_destination.hpp"
#include "tenebra/onion/sam_constants.hpp"

namespace tenebra::onion::sam {

Result<std::string> public_of_private(std::string_view private_destination) {
  if (auto status = check_private_destination(private_destination); !status) return std::move(status).error();
  auto decoded = decode_i2p_base64(private_destination);
  if (!decoded) return make_error(Errc::malformed, "I2P private destination: not I2P base64");
  auto length = destination_length(*decoded);
  std::string pub;
  if (length && *length < decoded->size()) pub = encode_i2p_base64(ByteView(*decoded).first(*length));
  sodium_memzero(decoded->data(), decoded->size());
  if (pub.empty()) return make_error(Errc::malformed, "I2P private destination: no public part");
  return pub;
}

Result<std::string> netdb_file_name(ByteView router_info) {
  if (router_info.size() > kMaxRouterInfoBytes) return make_error(Errc::malformed, "router.info: larger than the cap");
  auto length = destination_length(router_info);
  if (!length) return make_error(Errc::malformed, "router.info: " + length.error().message);
  if (*length >= router_info.size()) return make_error(Errc::malformed, "router.info: nothing after the identity");
  std::uint8_t hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, router_info.data(), *length);
  const std::string name = encode_i2p_base64(hash);
  return "r" + name.substr(0, 1) + "/routerInfo-" + name + ".dat";
}

}  // namespace tenebra::onion::sam
