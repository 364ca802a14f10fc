#include "tenebra/mix/geometry.hpp"

#include <string>

namespace tenebra::mix::sphinx {

Result<Geometry> Geometry::make(std::size_t max_hops, std::size_t payload_bytes) {
  if (max_hops < kMinMaxHops || max_hops > kMaxMaxHops) {
    return make_error(Errc::invalid_argument, "Sphinx max_hops must be " + std::to_string(kMinMaxHops) + ".." +
                                                  std::to_string(kMaxMaxHops) + ", got " + std::to_string(max_hops));
  }
  if (payload_bytes < kMinPayloadBytes || payload_bytes > kMaxPayloadBytes) {
    return make_error(Errc::invalid_argument, "Sphinx payload size must be " + std::to_string(kMinPayloadBytes) + ".." +
                                                  std::to_string(kMaxPayloadBytes) + " bytes, got " +
                                                  std::to_string(payload_bytes));
  }
  return Geometry(max_hops, payload_bytes);
}

}  // namespace tenebra::mix::sphinx
