# Device drivers: the SAM ID card reader and the key dispenser, their codecs (label
# unit) and the drivers and services through real ptys against the simulators in
# tests/peers (label device).
add_executable(idcard_sim ${CMAKE_SOURCE_DIR}/tests/peers/idcard_sim.c
               ${CMAKE_SOURCE_DIR}/tests/peers/simloop.c)
target_link_libraries(idcard_sim PRIVATE kiosklib)

kiosk_test(test_sam_codec unit ${CMAKE_CURRENT_LIST_DIR}/test_sam_codec.c)

kiosk_test(test_idreader device ${CMAKE_CURRENT_LIST_DIR}/test_idreader.c
           ${CMAKE_CURRENT_LIST_DIR}/rig.c)
set_tests_properties(test_idreader PROPERTIES TIMEOUT 60
  ENVIRONMENT "IDCARD_SIM=$<TARGET_FILE:idcard_sim>")

add_executable(dispenser_sim ${CMAKE_SOURCE_DIR}/tests/peers/dispenser_sim.c
               ${CMAKE_SOURCE_DIR}/tests/peers/simloop.c)
target_link_libraries(dispenser_sim PRIVATE kiosklib)
kiosk_test(test_dispenser device ${CMAKE_CURRENT_LIST_DIR}/test_dispenser.c
           ${CMAKE_CURRENT_LIST_DIR}/rig.c)
set_tests_properties(test_dispenser PROPERTIES TIMEOUT 60
  ENVIRONMENT "DISPENSER_SIM=$<TARGET_FILE:dispenser_sim>")
