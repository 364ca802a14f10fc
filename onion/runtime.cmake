# onion/ runtime: supervised child processes, torrc generation, backoff, the
# Transport interface and its tcp and tor backends. Included last from
# onion/CMakeLists.txt so the codec list above stays the other engineer's.
target_sources(tenebra_onion PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/backoff.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/child_process.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/tcp_transport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/tor_supervisor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/tor_transport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/torrc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/i2pd_conf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/i2p_files.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sam_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/private_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/i2pd_supervisor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/i2p_transport.cpp)
# GCC 12 at -O2 reports a "potential null pointer dereference" inside Asio's
# scheduler (thread_info of the calling thread) once its code is inlined into
# ours: a false positive in a third-party header, silenced only for the files
# that use Asio.
set(TENEBRA_ASIO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/src/tcp_transport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/tor_supervisor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/tor_transport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sam_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/i2pd_supervisor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/i2p_transport.cpp)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set_source_files_properties(${TENEBRA_ASIO_SOURCES} PROPERTIES COMPILE_OPTIONS -Wno-null-dereference)
endif()
