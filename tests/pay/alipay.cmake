# The Alipay client (kiosk/pay): the gateway peer, the known-answer, bill, crash-matrix
# and settling tests (label pay).

# The gateway peer (also used by the demo).
add_executable(alipay_peer ${CMAKE_SOURCE_DIR}/tests/peers/alipay_peer.c
               ${CMAKE_SOURCE_DIR}/tests/peers/httpd.c)
pkg_check_modules(PEERDEPS REQUIRED IMPORTED_TARGET libssl libcrypto libcjson)
target_link_libraries(alipay_peer PRIVATE PkgConfig::PEERDEPS)

kiosk_test(test_alipay_kat pay ${CMAKE_CURRENT_LIST_DIR}/test_alipay_kat.c)
kiosk_test(test_bill pay ${CMAKE_CURRENT_LIST_DIR}/test_bill.c)

# The SIGKILL matrix against the peer.
add_executable(test_pay_crash ${CMAKE_CURRENT_LIST_DIR}/test_pay_crash.c
               ${CMAKE_CURRENT_LIST_DIR}/pay_rig.c)
target_link_libraries(test_pay_crash PRIVATE kiosklib)
target_include_directories(test_pay_crash PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
add_test(NAME test_pay_crash
  COMMAND ${CMAKE_SOURCE_DIR}/tests/rigs/alipay.sh $<TARGET_FILE:alipay_peer> ${CMAKE_SOURCE_DIR}
          $<TARGET_FILE:test_pay_crash>)
set_tests_properties(test_pay_crash PROPERTIES LABELS pay TIMEOUT 120)

# Settling trades and refunds against the peer: unsettled trades, refund confirmation.
add_executable(test_pay_settle ${CMAKE_CURRENT_LIST_DIR}/test_pay_settle.c
               ${CMAKE_CURRENT_LIST_DIR}/pay_rig.c)
target_link_libraries(test_pay_settle PRIVATE kiosklib)
target_include_directories(test_pay_settle PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
add_test(NAME test_pay_settle
  COMMAND ${CMAKE_SOURCE_DIR}/tests/rigs/alipay.sh $<TARGET_FILE:alipay_peer> ${CMAKE_SOURCE_DIR}
          $<TARGET_FILE:test_pay_settle>)
set_tests_properties(test_pay_settle PROPERTIES LABELS pay TIMEOUT 180)
