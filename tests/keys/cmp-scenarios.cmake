# The cmp issuer end to end: every scenario under tests/scenarios-cmp is played by the real
# kiosk binary on the whole-kiosk rig with [keys] issuer = cmp, against `openssl cmp`'s
# mock server (in a private network namespace; skipped when unshare is not permitted) or
# against tests/peers/cmp_peer, a small CMP CA on OpenSSL's server API
# (tests/rigs/cmp-rig.sh says which, and what it checks after the play).

add_executable(cmp_peer ${CMAKE_SOURCE_DIR}/tests/peers/cmp_peer.c
               ${CMAKE_SOURCE_DIR}/tests/peers/httpd.c)
pkg_check_modules(CMPPEERDEPS REQUIRED IMPORTED_TARGET libssl libcrypto)
target_link_libraries(cmp_peer PRIVATE PkgConfig::CMPPEERDEPS)

file(GLOB CMP_SCENARIOS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/scenarios-cmp/*.txt)
foreach(scenario ${CMP_SCENARIOS})
  get_filename_component(name ${scenario} NAME_WE)
  add_test(NAME scenario_${name}
    COMMAND timeout -k 5 110 ${CMAKE_SOURCE_DIR}/tests/rigs/cmp-rig.sh play
            ${CMAKE_CURRENT_BINARY_DIR} ${CMAKE_SOURCE_DIR} $<TARGET_FILE:kiosk> ${scenario})
  set_tests_properties(scenario_${name} PROPERTIES LABELS "keys;integration" TIMEOUT 120
    SKIP_RETURN_CODE 77 ENVIRONMENT
    "CMP_PEER=$<TARGET_FILE:cmp_peer>;LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/printer/lsan.supp")
endforeach()
