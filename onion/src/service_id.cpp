#include "tenebra/onion/service_id.hpp"

#include "encoding.hpp"
#include "tenebra/onion/tor_control_constants.hpp"

namespace tenebra::onion::tor {

bool is_valid_service_id(std::string_view id) noexcept {
  if (id.size() != kServiceIdChars) return false;
  auto decoded = detail::base32_decode_lower(id);
  return decoded.ok() && decoded->size() == kServiceIdBytes && decoded->back() == kServiceIdVersion;
}

}  // namespace tenebra::onion::tor
