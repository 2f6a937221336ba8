# Every scenario under tests/scenarios is played by the real kiosk binary with every
# device and service real or simulated on this machine (tests/rigs/kiosk-rig): SoftHSM2
# keys, the Alipay gateway peer, a private cupsd, the card reader and dispenser on ptys.
# A failed expectation fails the test.
file(GLOB SCENARIOS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/scenarios/*.txt)
foreach(scenario ${SCENARIOS})
  get_filename_component(name ${scenario} NAME_WE)
  add_test(NAME scenario_${name}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/rigs/kiosk-rig play ${CMAKE_CURRENT_BINARY_DIR}
            ${CMAKE_SOURCE_DIR} $<TARGET_FILE:kiosk> ${scenario})
  set_tests_properties(scenario_${name} PROPERTIES LABELS integration TIMEOUT 180
    ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/printer/lsan.supp")
endforeach()
