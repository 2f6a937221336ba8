# Fuzz target for reading the certificates on a user's key (kiosk/pki/cert.c), replayed
# like fuzz_conf over tests/fuzz/cert/*.der. The seeds (units, persons, ours / Jiangsu CA /
# foreign, a 63-character name, a bad and a missing ID number, a notAfter in 2081) were
# made with openssl req/x509 -utf8 under the two CA certificates kept beside them.
file(GLOB FUZZ_CERT_SEEDS ${CMAKE_CURRENT_LIST_DIR}/cert/*.der)
add_executable(fuzz_cert ${CMAKE_CURRENT_LIST_DIR}/fuzz_cert.c ${CMAKE_CURRENT_LIST_DIR}/replay.c)
target_link_libraries(fuzz_cert PRIVATE kiosklib)
target_compile_definitions(fuzz_cert PRIVATE FUZZ_CERT_DIR="${CMAKE_CURRENT_LIST_DIR}/cert")
add_test(NAME fuzz_cert COMMAND fuzz_cert ${FUZZ_CERT_SEEDS})
set_tests_properties(fuzz_cert PROPERTIES LABELS "fuzz;keys" TIMEOUT 300)

if(KIOSK_FUZZ)
  add_executable(fuzz_cert_libfuzzer ${CMAKE_CURRENT_LIST_DIR}/fuzz_cert.c)
  target_compile_options(fuzz_cert_libfuzzer PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_cert_libfuzzer PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_cert_libfuzzer PRIVATE kiosklib)
  target_compile_definitions(fuzz_cert_libfuzzer
                             PRIVATE FUZZ_CERT_DIR="${CMAKE_CURRENT_LIST_DIR}/cert")
endif()
