# Staff mode: the state machine on an injected clock, the PIN hash and lock, statistics.
kiosk_test(test_staff staff ${CMAKE_CURRENT_LIST_DIR}/test_staff.c)
# The staff role in a certificate (kiosk/pki/cert.c).
kiosk_test(test_staff_key staff ${CMAKE_CURRENT_LIST_DIR}/test_staff_key.c)
# Staff mode through the app's loop: the PIN checked off the loop, a user's key refused.
kiosk_test(test_staff_desk staff ${CMAKE_CURRENT_LIST_DIR}/test_staff_desk.c)
