# Central sync (kiosk/sync): the central peer and the fault cases against it (label sync).

# The central site's peer (also used by the demo): tests/peers/httpd.c is its HTTP side.
add_executable(central_peer ${CMAKE_SOURCE_DIR}/tests/peers/central_peer.c
               ${CMAKE_SOURCE_DIR}/tests/peers/httpd.c)
pkg_check_modules(CENTRALDEPS REQUIRED IMPORTED_TARGET libssl libcrypto libcjson sqlite3)
target_link_libraries(central_peer PRIVATE PkgConfig::CENTRALDEPS)

# The CRL file reader on the fuzz seeds and on files that are not there, empty or too large.
kiosk_test(test_sync_crlfile sync ${CMAKE_CURRENT_LIST_DIR}/test_sync_crlfile.c)

add_executable(test_sync ${CMAKE_CURRENT_LIST_DIR}/test_sync.c
               ${CMAKE_SOURCE_DIR}/tests/store/store_testutil.c)
target_link_libraries(test_sync PRIVATE kiosklib)
target_include_directories(test_sync PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
foreach(case offline restart acklost duplicates pull crl)
  add_test(NAME test_sync_${case}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/rigs/central.sh $<TARGET_FILE:central_peer>
            ${CMAKE_SOURCE_DIR} $<TARGET_FILE:test_sync> ${case})
  set_tests_properties(test_sync_${case} PROPERTIES LABELS sync TIMEOUT 60)
endforeach()
# The identity key on the secure module: the rig makes a keys rig (tests/rigs/softhsm.sh)
# and has the certificate issued for the key on its token.
add_test(NAME test_sync_module
  COMMAND ${CMAKE_COMMAND} -E env CENTRAL_P11RIG=$<TARGET_FILE:p11rig>
          ${CMAKE_SOURCE_DIR}/tests/rigs/central.sh $<TARGET_FILE:central_peer>
          ${CMAKE_SOURCE_DIR} $<TARGET_FILE:test_sync> module)
set_tests_properties(test_sync_module PROPERTIES LABELS sync TIMEOUT 180)
add_test(NAME test_sync_heartbeat
  COMMAND ${CMAKE_SOURCE_DIR}/tests/rigs/central.sh $<TARGET_FILE:central_peer>
          ${CMAKE_SOURCE_DIR} $<TARGET_FILE:test_sync> heartbeat)
set_tests_properties(test_sync_heartbeat PROPERTIES LABELS sync TIMEOUT 60)
# The identity key on the secure module in the whole kiosk, where the keys service uses
# the module at the same time: a scenario of keys work, hot-plug and sync rounds, then the
# site's list compared with the kiosk's outbox.
add_test(NAME test_sync_module_kiosk
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/module-key.sh ${CMAKE_CURRENT_BINARY_DIR}
          ${CMAKE_SOURCE_DIR} $<TARGET_FILE:kiosk> $<TARGET_FILE:test_sync>
          ${CMAKE_SOURCE_DIR}/tests/scenarios/sync-module-key.txt)
set_tests_properties(test_sync_module_kiosk PROPERTIES LABELS sync TIMEOUT 180
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/printer/lsan.supp")
