# TENEBRA_SANITIZE: ASan + UBSan on everything built after this point.
# UBSan findings abort, so a CI run cannot pass over undefined behaviour.
# -fno-sanitize=function: clang 14's indirect-call type check cannot emit
# its prologue data for Asio's coroutine frames in comdat sections ("Cannot
# represent a difference across sections"); every other UBSan check stays.
if(TENEBRA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=function -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# Helper for libFuzzer targets: fuzzer runtime plus the sanitizers.
function(tenebra_fuzz_target name source)
  add_executable(${name} ${source})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${ARGN} tenebra_warnings)
endfunction()
