kiosk_test(test_inbox unit ${CMAKE_CURRENT_LIST_DIR}/test_inbox.c)
