// Fatal assertions for test coroutines. GoogleTest's ASSERT_* expand to a
// plain `return;`, which a coroutine may not contain; CO_ASSERT records the
// failure and ends the coroutine with co_return instead. Use it only inside
// coroutines returning awaitable<void>.
#pragma once

#include <gtest/gtest.h>

// CO_ASSERT(condition, message-expression): on failure records
// "condition: message" and returns from the coroutine.
#define CO_ASSERT(condition, message)                                   \
  do {                                                                  \
    if (!(condition)) {                                                 \
      ADD_FAILURE() << "CO_ASSERT(" #condition ") failed: " << message; \
      co_return;                                                        \
    }                                                                   \
  } while (false)
