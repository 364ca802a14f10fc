# Regenerates tests/data/link_vectors.json and the link fuzz seeds (by hand):
#   make_link_vectors tests/data/link_vectors.json tests/fuzz/corpus
# Included from tests/router/CMakeLists.txt.
find_package(nlohmann_json 3.10 REQUIRED)
add_executable(make_link_vectors ${CMAKE_CURRENT_LIST_DIR}/make_link_vectors.cpp)
target_link_libraries(make_link_vectors PRIVATE tenebra_router nlohmann_json::nlohmann_json tenebra_warnings)
