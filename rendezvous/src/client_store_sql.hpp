// Helpers shared by the ClientStore's source files: time as unix seconds,
// and binding a row's values with one error path.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "tenebra/core/result.hpp"
#include "tenebra/rendezvous/client_store.hpp"
#include "tenebra/router/store.hpp"

namespace tenebra::rendezvous::detail {

inline std::int64_t unix_seconds(WallTime when) {
  return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}
inline WallTime from_unix_seconds(std::int64_t seconds) {
  return WallTime(std::chrono::seconds(seconds));
}

inline Status too_big(std::string_view what, std::size_t limit) {
  return make_error(Errc::invalid_argument, std::string(what) + " must be 1.." + std::to_string(limit) + " bytes");
}

// Runs a statement that returns no rows.
inline Status run(router::Statement& statement) {
  auto row = statement.step();
  if (!row) return row.error();
  return {};
}

// A message id read back from the database file (which is input too).
inline Result<StoredMessageId> message_id_from(const Bytes& blob) {
  StoredMessageId id{};
  if (blob.size() != id.size()) return make_error(Errc::malformed, "client store: a stored message id has a bad size");
  std::copy(blob.begin(), blob.end(), id.begin());
  return id;
}

}  // namespace tenebra::rendezvous::detail
