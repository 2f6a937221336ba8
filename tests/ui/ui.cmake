# The touch UI (label ui): headless with SDL's dummy video driver and the software
# renderer. Pictures of every screen go to build/.../tests/ui-shots for a look by eye.
set(UI_ENV "SDL_VIDEODRIVER=dummy;SDL_RENDER_DRIVER=software;SDL_AUDIODRIVER=dummy"
           "KIOSK_UI_OUT=${CMAKE_CURRENT_BINARY_DIR}/ui-shots"
           "KIOSK_UI_GOLDEN=${CMAKE_CURRENT_LIST_DIR}/golden")
function(ui_test name label)
  kiosk_test(${name} ${label} ${ARGN})
  target_link_libraries(${name} PRIVATE kioskui)
  set_tests_properties(${name} PROPERTIES ENVIRONMENT
    "KIOSK_SOURCE_DIR=${CMAKE_SOURCE_DIR};${UI_ENV}" TIMEOUT 120)
endfunction()

ui_test(test_ui_pure ui ${CMAKE_CURRENT_LIST_DIR}/test_ui_pure.c)
ui_test(test_ui_screens ui ${CMAKE_CURRENT_LIST_DIR}/test_ui_screens.c
        ${CMAKE_CURRENT_LIST_DIR}/ui_testutil.c)
ui_test(test_ui_taps ui ${CMAKE_CURRENT_LIST_DIR}/test_ui_taps.c
        ${CMAKE_CURRENT_LIST_DIR}/ui_testutil.c)

# The benchmark (label bench): figures only.
ui_test(bench_ui bench ${CMAKE_SOURCE_DIR}/tests/bench/bench_ui.c
        ${CMAKE_CURRENT_LIST_DIR}/ui_testutil.c)
set_tests_properties(bench_ui PROPERTIES ENVIRONMENT
  "KIOSK_SOURCE_DIR=${CMAKE_SOURCE_DIR};KIOSK_BINARY=$<TARGET_FILE:kiosk>;${UI_ENV}")
if(TARGET ui_voice)
  add_dependencies(test_ui_screens ui_voice)
endif()

# Staff mode's screens and the hidden gesture.
ui_test(test_ui_staff ui ${CMAKE_CURRENT_LIST_DIR}/test_ui_staff.c
        ${CMAKE_CURRENT_LIST_DIR}/ui_testutil.c)
