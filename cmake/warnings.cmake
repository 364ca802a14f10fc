# Warnings are errors in every Tenebra target (not in third-party code).
add_library(tenebra_warnings INTERFACE)
target_compile_options(tenebra_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
