# Staff mode: the state machine on an injected clock, the PIN hash and lock, statistics.
kiosk_test(test_staff staff ${CMAKE_CURRENT_LIST_DIR}/test_staff.c)
# The staff role in a certificate (kiosk/pki/cert.c).
kiosk_test(test_staff_key staff ${CMAKE_CURRENT_LIST_DIR}/test_staff_key.c)
# Staff mode through the app's loop: the PIN checked off the loop, a user's key refused.
kiosk_test(test_staff_desk staff ${CMAKE_CURRENT_LIST_DIR}/test_staff_desk.c)
# A staff key's proof of possession on the SoftHSM rig: keywork_prove, and through the
# app's loop with the real keys service (the rig's helpers are the keys tests').
kiosk_test(test_staff_prove staff ${CMAKE_CURRENT_LIST_DIR}/test_staff_prove.c
  ${CMAKE_SOURCE_DIR}/tests/keys/keys_rig.c)
add_dependencies(test_staff_prove p11shim p11rig)
set_tests_properties(test_staff_prove PROPERTIES TIMEOUT 180 ENVIRONMENT
  "KEYS_SHIM=$<TARGET_FILE:p11shim>;KEYS_P11RIG=$<TARGET_FILE:p11rig>;KEYS_RIG_SH=${CMAKE_SOURCE_DIR}/tests/rigs/softhsm.sh;KIOSK_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
