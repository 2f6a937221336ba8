# Staff mode: the state machine on an injected clock, the PIN hash and lock, statistics.
kiosk_test(test_staff staff ${CMAKE_CURRENT_LIST_DIR}/test_staff.c)
