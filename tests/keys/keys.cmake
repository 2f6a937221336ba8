# Keys and certificates (label keys): the PKCS#11 shim in front of SoftHSM2, the rig
# helper, and tests of the token driver (test_envelope: encryption keys delivered in
# envelopes) and key work on a fresh rig. Scenarios through the kiosk binary are in
# tests/scenarios (tests/integration/scenarios.cmake).

add_library(p11shim SHARED ${CMAKE_SOURCE_DIR}/tests/rigs/p11shim/p11shim.c)
target_include_directories(p11shim PRIVATE ${DEPS_INCLUDE_DIRS})
target_link_libraries(p11shim PRIVATE ${CMAKE_DL_LIBS})
set_target_properties(p11shim PROPERTIES PREFIX "")
add_executable(p11rig ${CMAKE_SOURCE_DIR}/tests/rigs/p11rig.c)
target_include_directories(p11rig PRIVATE ${DEPS_INCLUDE_DIRS})
target_link_libraries(p11rig PRIVATE ${CMAKE_DL_LIBS})

set(KEYS_ENV "KEYS_SHIM=$<TARGET_FILE:p11shim>;KEYS_P11RIG=$<TARGET_FILE:p11rig>;KEYS_RIG_SH=${CMAKE_SOURCE_DIR}/tests/rigs/softhsm.sh;KIOSK_SOURCE_DIR=${CMAKE_SOURCE_DIR};KIOSK_BINARY=$<TARGET_FILE:kiosk>")

file(GLOB KEYS_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_keys_*.c
     ${CMAKE_CURRENT_LIST_DIR}/test_envelope.c)
list(FILTER KEYS_TESTS EXCLUDE REGEX "test_keys_cmp\\.c$") # below: in a network namespace
foreach(src ${KEYS_TESTS})
  get_filename_component(t ${src} NAME_WE)
  kiosk_test(${t} keys ${src} ${CMAKE_CURRENT_LIST_DIR}/keys_rig.c)
  add_dependencies(${t} p11shim p11rig kiosk)
  set_tests_properties(${t} PROPERTIES TIMEOUT 120 ENVIRONMENT "${KEYS_ENV}")
endforeach()

# The cmp issuer against `openssl cmp`'s mock server (tests/rigs/cmp.sh). The server binds
# all interfaces, so it and the test run in a private network namespace with only
# loopback, under a time-out (the server waits forever if its client dies).
add_executable(test_keys_cmp ${CMAKE_CURRENT_LIST_DIR}/test_keys_cmp.c ${CMAKE_CURRENT_LIST_DIR}/keys_rig.c)
target_link_libraries(test_keys_cmp PRIVATE kiosklib)
target_include_directories(test_keys_cmp PRIVATE ${CMAKE_SOURCE_DIR}/tests)
add_dependencies(test_keys_cmp p11shim p11rig cmp_peer)
add_test(NAME test_keys_cmp
  COMMAND timeout -k 5 110 unshare -n sh -c "ip link set lo up && exec \"$0\"" $<TARGET_FILE:test_keys_cmp>)
set_tests_properties(test_keys_cmp PROPERTIES LABELS keys TIMEOUT 120
  ENVIRONMENT "${KEYS_ENV};KEYS_CMP_SH=${CMAKE_SOURCE_DIR}/tests/rigs/cmp.sh;CMP_PEER=$<TARGET_FILE:cmp_peer>")
