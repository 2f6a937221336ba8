# Unit tests of the kiosk modules beyond the core (see core.cmake): one line each.
kiosk_test(test_conf unit ${CMAKE_CURRENT_LIST_DIR}/test_conf.c)
