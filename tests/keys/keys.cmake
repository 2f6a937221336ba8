# Keys and certificates (label keys): the PKCS#11 shim in front of SoftHSM2, the rig
# helper, unit tests of the token driver and key work on a fresh rig, and scenarios
# through the kiosk binary on tests/keys/pkcs11-kiosk.ini.
# kiosklib's PKCS#11 dependencies (drivers/token, kiosk/pki) are added here; they belong
# with the other pkg_check_modules in the top CMakeLists.txt.
pkg_check_modules(P11 REQUIRED IMPORTED_TARGET libp11 p11-kit-1)
target_link_libraries(kiosklib PUBLIC PkgConfig::P11 ${CMAKE_DL_LIBS})

add_library(p11shim SHARED ${CMAKE_SOURCE_DIR}/tests/rigs/p11shim/p11shim.c)
target_include_directories(p11shim PRIVATE ${P11_INCLUDE_DIRS})
target_link_libraries(p11shim PRIVATE ${CMAKE_DL_LIBS})
set_target_properties(p11shim PROPERTIES PREFIX "")
add_executable(p11rig ${CMAKE_SOURCE_DIR}/tests/rigs/p11rig.c)
target_include_directories(p11rig PRIVATE ${P11_INCLUDE_DIRS})
target_link_libraries(p11rig PRIVATE ${CMAKE_DL_LIBS})

set(KEYS_ENV "KEYS_SHIM=$<TARGET_FILE:p11shim>;KEYS_P11RIG=$<TARGET_FILE:p11rig>;KEYS_RIG_SH=${CMAKE_SOURCE_DIR}/tests/rigs/softhsm.sh;KIOSK_SOURCE_DIR=${CMAKE_SOURCE_DIR};KIOSK_BINARY=$<TARGET_FILE:kiosk>")

file(GLOB KEYS_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_keys_*.c)
foreach(src ${KEYS_TESTS})
  get_filename_component(t ${src} NAME_WE)
  kiosk_test(${t} keys ${src} ${CMAKE_CURRENT_LIST_DIR}/keys_rig.c)
  add_dependencies(${t} p11shim p11rig kiosk)
  set_tests_properties(${t} PROPERTIES TIMEOUT 120 ENVIRONMENT "${KEYS_ENV}")
endforeach()

file(GLOB KEYS_SCENARIOS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/scenarios/*.txt)
foreach(scenario ${KEYS_SCENARIOS})
  get_filename_component(name ${scenario} NAME_WE)
  add_test(NAME keys_scenario_${name}
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/scenario.sh ${scenario})
  set_tests_properties(keys_scenario_${name} PROPERTIES LABELS keys TIMEOUT 120
    ENVIRONMENT "${KEYS_ENV}")
endforeach()
