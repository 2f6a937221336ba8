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

# Power cuts anywhere (tests/rigs/kill-anywhere): the kiosk killed right after a commit
# of renewal, new key, unlock, reissue and pick-up, restarted, the invariants checked.
# Trimmed here to every few commits (about 20 points); KIOSK_KILL_FULL=1 in the
# environment plays every one. Not in the sanitizer build, whose KIOSK_CRASH_POINTS kills
# are the same and slower.
if(KIOSK_CRASH_POINTS AND NOT KIOSK_SANITIZE)
  set(kill_dir ${CMAKE_SOURCE_DIR}/tests/scenarios)
  add_test(NAME kill_anywhere
    COMMAND ${CMAKE_SOURCE_DIR}/tests/rigs/kill-anywhere ${CMAKE_CURRENT_BINARY_DIR}
            ${CMAKE_SOURCE_DIR} $<TARGET_FILE:kiosk> ${kill_dir}/renewal.txt:9
            ${kill_dir}/person-new.txt:7 ${kill_dir}/unlock-locked.txt:4
            ${kill_dir}/reissue-revokes.txt:9 ${kill_dir}/pickup.txt:9)
  set_tests_properties(kill_anywhere PROPERTIES LABELS integration TIMEOUT 2400)
endif()
