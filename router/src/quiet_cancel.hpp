// Cancelling an Asio timer from a function that must not throw (a
// destructor, a stop()). Asio reports a failed cancel by exception; that
// needs a broken descriptor underneath and leaves nothing to undo, so it is
// swallowed here, in one place.
#pragma once

#include <boost/asio/steady_timer.hpp>

namespace tenebra::router {

inline void cancel_quietly(boost::asio::steady_timer& timer) noexcept {
  try {
    timer.cancel();
  } catch (...) {  // NOLINT(bugprone-empty-catch): see above
  }
}

}  // namespace tenebra::router
