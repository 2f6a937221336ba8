# Fuzz targets of the device codecs: the SAM frame scanner, the ID card text block and
# the dispenser's KDP/1 frames. Like fuzz.cmake: a replay program run by ctest (label
# fuzz) over tests/fuzz/<name>/ plus seeded mutations, and with -DKIOSK_FUZZ=ON a
# libFuzzer binary: build/fuzz/tests/fuzz_sam_frame_libfuzzer tests/fuzz/sam_frame
foreach(target sam_frame sam_text kdp_frame)
  file(GLOB seeds ${CMAKE_CURRENT_LIST_DIR}/${target}/*)
  add_executable(fuzz_${target} ${CMAKE_CURRENT_LIST_DIR}/fuzz_${target}.c
                 ${CMAKE_CURRENT_LIST_DIR}/replay.c)
  target_link_libraries(fuzz_${target} PRIVATE kiosklib)
  add_test(NAME fuzz_${target} COMMAND fuzz_${target} ${seeds})
  set_tests_properties(fuzz_${target} PROPERTIES LABELS fuzz TIMEOUT 300)
  if(KIOSK_FUZZ)
    add_executable(fuzz_${target}_libfuzzer ${CMAKE_CURRENT_LIST_DIR}/fuzz_${target}.c)
    target_compile_options(fuzz_${target}_libfuzzer PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${target}_libfuzzer PRIVATE -fsanitize=fuzzer)
    target_link_libraries(fuzz_${target}_libfuzzer PRIVATE kiosklib)
  endif()
endforeach()
