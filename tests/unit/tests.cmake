# Unit tests of the kiosk modules beyond the core (see core.cmake): one line each.
kiosk_test(test_conf unit ${CMAKE_CURRENT_LIST_DIR}/test_conf.c)
add_test(NAME strings_keys COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/strings_keys.sh)
set_tests_properties(strings_keys PROPERTIES LABELS unit
  ENVIRONMENT "KIOSK_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
kiosk_test(test_curlbuf unit ${CMAKE_CURRENT_LIST_DIR}/test_curlbuf.c)
add_test(NAME check_layers COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/check-layers ${CMAKE_SOURCE_DIR})
set_tests_properties(check_layers PROPERTIES LABELS unit)
kiosk_test(test_worker unit ${CMAKE_CURRENT_LIST_DIR}/test_worker.c)
kiosk_test(test_backoff unit ${CMAKE_CURRENT_LIST_DIR}/test_backoff.c)
kiosk_test(test_ledger unit ${CMAKE_CURRENT_LIST_DIR}/test_ledger.c)
kiosk_test(test_seal unit ${CMAKE_CURRENT_LIST_DIR}/test_seal.c)
add_test(NAME seal_openssl COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/seal_openssl.sh $<TARGET_FILE:test_seal>)
set_tests_properties(seal_openssl PROPERTIES LABELS unit)
