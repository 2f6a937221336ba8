# Fuzz target for the Alipay answer reader (kiosk/pay/verify.c), replayed like fuzz_conf.
file(GLOB FUZZ_ALIPAY_SEEDS ${CMAKE_CURRENT_LIST_DIR}/alipay/*)
add_executable(fuzz_alipay ${CMAKE_CURRENT_LIST_DIR}/fuzz_alipay.c ${CMAKE_CURRENT_LIST_DIR}/replay.c)
target_link_libraries(fuzz_alipay PRIVATE kiosklib)
add_test(NAME fuzz_alipay COMMAND fuzz_alipay ${FUZZ_ALIPAY_SEEDS})
set_tests_properties(fuzz_alipay PROPERTIES LABELS "fuzz;pay" TIMEOUT 300)

if(KIOSK_FUZZ)
  add_executable(fuzz_alipay_libfuzzer ${CMAKE_CURRENT_LIST_DIR}/fuzz_alipay.c)
  target_compile_options(fuzz_alipay_libfuzzer PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_alipay_libfuzzer PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_alipay_libfuzzer PRIVATE kiosklib)
endif()
