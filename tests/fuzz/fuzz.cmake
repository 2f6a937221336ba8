# Fuzz targets. Each builds twice: a replay program run by ctest (label fuzz) over the
# seed corpus plus seeded mutations, and — with clang and -DKIOSK_FUZZ=ON — a libFuzzer
# binary for long runs: build/<preset>/tests/fuzz_conf_libfuzzer tests/unit/conf config/regions

file(GLOB FUZZ_CONF_SEEDS ${CMAKE_SOURCE_DIR}/config/regions/*.ini
     ${CMAKE_SOURCE_DIR}/tests/unit/conf/*.ini)
add_executable(fuzz_conf ${CMAKE_CURRENT_LIST_DIR}/fuzz_conf.c ${CMAKE_CURRENT_LIST_DIR}/replay.c)
target_link_libraries(fuzz_conf PRIVATE kiosklib)
add_test(NAME fuzz_conf COMMAND fuzz_conf ${FUZZ_CONF_SEEDS})
set_tests_properties(fuzz_conf PROPERTIES LABELS fuzz TIMEOUT 300)

if(KIOSK_FUZZ)
  add_executable(fuzz_conf_libfuzzer ${CMAKE_CURRENT_LIST_DIR}/fuzz_conf.c)
  target_compile_options(fuzz_conf_libfuzzer PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_conf_libfuzzer PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_conf_libfuzzer PRIVATE kiosklib)
endif()
