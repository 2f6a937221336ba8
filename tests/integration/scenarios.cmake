# Every scenario under tests/scenarios is played by the real kiosk binary (headless
# runner) on a fresh database; a failed expectation fails the test. Scenarios named
# taicang-* run on the Taicang hall's configuration, the others on config/kiosk.ini.
file(GLOB SCENARIOS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/scenarios/*.txt)
foreach(scenario ${SCENARIOS})
  get_filename_component(name ${scenario} NAME_WE)
  set(config ${CMAKE_SOURCE_DIR}/config/kiosk.ini)
  if(name MATCHES "^taicang-")
    set(config ${CMAKE_SOURCE_DIR}/tests/scenarios/taicang-kiosk.ini)
  endif()
  set(db ${CMAKE_CURRENT_BINARY_DIR}/scenario-${name}.db)
  add_test(NAME scenario_${name}
    COMMAND sh -c "rm -f \"$0\" \"$0-wal\" \"$0-shm\" && exec \"$1\" --config \"$2\" --database \"$0\" --script \"$3\""
            ${db} $<TARGET_FILE:kiosk> ${config} ${scenario})
  set_tests_properties(scenario_${name} PROPERTIES LABELS integration TIMEOUT 120)
endforeach()
