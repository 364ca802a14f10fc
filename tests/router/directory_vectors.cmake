# Directory known-answer vectors: the generator (run by hand) and the JSON
# dependency of directory_vectors_test.cpp in router_tests. Included from
# tests/router/CMakeLists.txt.
find_package(nlohmann_json 3.10 REQUIRED)
if(TARGET router_tests)
  target_link_libraries(router_tests PRIVATE nlohmann_json::nlohmann_json)
endif()
# Regenerates tests/data/directory_vectors.json and the fuzz seeds:
#   make_directory_vectors tests/data/directory_vectors.json tests/fuzz/corpus
add_executable(make_directory_vectors ${CMAKE_CURRENT_LIST_DIR}/make_directory_vectors.cpp)
target_link_libraries(make_directory_vectors PRIVATE tenebra_router nlohmann_json::nlohmann_json tenebra_warnings)
